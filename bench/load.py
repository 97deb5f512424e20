"""Benchmark: ``read_log`` + audit against ``pd.read_csv`` + ``pm4py.format_dataframe`` on the same CSVs.

Generates synthetic order-to-cash logs of 10k, 100k and 1M events (seeded, realistic: ~7 activities per
order with loops and skips, start and end times, resources, departments, order attributes), then times
each loader in a fresh process per run (so peak memory, ``ru_maxrss``, belongs to that run alone) and
prints medians of 3 with the ratio procopt / baseline.

    .venv/bin/python bench/load.py                 # 10k, 100k, 1M
    .venv/bin/python bench/load.py --sizes 10000 100000 --runs 3 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The parent process stays small (no pandas, no data): on Linux ru_maxrss survives fork+exec, so a big
# parent would leak its own peak into every worker's figure. Data is generated in a subprocess too.

ACTIVITIES = [
    "Create Order",
    "Check Credit",
    "Approve Order",
    "Director Approval",
    "Pick Goods",
    "Pack",
    "Ship Goods",
    "Send Invoice",
    "Receive Payment",
]
DEPARTMENTS = ["Sales", "Finance", "Finance", "Management", "Warehouse", "Warehouse", "Logistics", "Finance", "Finance"]


def generate(events: int, seed: int = 7) -> Any:
    """A synthetic O2C log with ``events`` rows as a DataFrame (vectorised; same seed, same log)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cases = max(1, events // 7)
    # path per case: mandatory steps plus optional director approval and occasional re-check loop
    director = rng.random(cases) < 0.3
    recheck = rng.random(cases) < 0.1
    steps_per_case = 8 + director.astype(int) + recheck.astype(int)
    case_idx = np.repeat(np.arange(cases), steps_per_case)
    base = np.array([0, 1, 2, 4, 5, 6, 7, 8])
    acts = np.empty(len(case_idx), dtype=np.int64)
    offset = 0
    for c, n in enumerate(steps_per_case):
        seq = list(base)
        if director[c]:
            seq.insert(3, 3)
        if recheck[c]:
            seq.insert(2, 1)
        acts[offset : offset + n] = seq
        offset += n
    arrival = pd.Timestamp("2024-01-01 08:00") + pd.to_timedelta(np.sort(rng.uniform(0, 180 * 86400, cases)), unit="s")
    wait = rng.exponential(3600 * 4, len(case_idx))
    work = rng.lognormal(np.log(900), 0.6, len(case_idx))
    step = wait + work
    cum = pd.Series(step).groupby(case_idx).cumsum().to_numpy()
    end = arrival.to_numpy()[case_idx] + pd.to_timedelta(cum, unit="s").to_numpy()
    start = end - pd.to_timedelta(work, unit="s").to_numpy()
    users = np.array([f"user{u:03d}" for u in range(60)])
    frame = pd.DataFrame(
        {
            "order_id": np.char.add("SO-", np.char.zfill(case_idx.astype(str), 7)),
            "activity": np.array(ACTIVITIES)[acts],
            "start_time": pd.Series(start).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "end_time": pd.Series(end).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "user": users[rng.integers(0, 60, len(case_idx))],
            "department": np.array(DEPARTMENTS)[acts],
            "order_value": np.round(rng.lognormal(7, 1, cases), 2)[case_idx],
            "region": np.array(["North", "South", "East", "West"])[case_idx % 4],
        }
    )
    return frame.iloc[:events]


def worker(method: str, path: str) -> dict[str, float]:
    """Run one load in this (fresh) process; returns seconds and peak RSS in MB."""
    if method == "procopt":
        from procopt.log.read import read_log

        t0 = time.perf_counter()
        log = read_log(path)
        n = len(log.events)
    else:
        import warnings

        warnings.simplefilter("ignore")
        import pandas as pd
        import pm4py

        t0 = time.perf_counter()
        frame = pd.read_csv(path)
        frame = pm4py.format_dataframe(
            frame,
            case_id="order_id",
            activity_key="activity",
            timestamp_key="end_time",
            start_timestamp_key="start_time",
        )
        n = len(frame)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "rows": n}


def run(method: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", method, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("EVENTS", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    if args.generate:
        generate(int(args.generate[0])).to_csv(args.generate[1], index=False)
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="procopt-bench-") as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"o2c_{size}.csv"
            subprocess.run([sys.executable, __file__, "--generate", str(size), str(path)], check=True)
            mb = path.stat().st_size / 1e6
            row: dict[str, float] = {"events": size, "csv_mb": round(mb, 1)}
            for method in ("baseline", "procopt"):
                runs = [run(method, path) for _ in range(args.runs)]
                row[f"{method}_s"] = statistics.median(r["seconds"] for r in runs)
                row[f"{method}_peak_mb"] = statistics.median(r["peak_mb"] for r in runs)
            row["ratio"] = row["procopt_s"] / row["baseline_s"]
            results.append(row)
            print(f"  {size:>9,} events done", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{'events':>10} {'CSV MB':>7} {'baseline s':>11} {'procopt s':>10} {'ratio':>6} "
        f"{'baseline MB':>12} {'procopt MB':>11}"
    )
    for r in results:
        print(
            f"{r['events']:>10,} {r['csv_mb']:>7.1f} {r['baseline_s']:>11.2f} {r['procopt_s']:>10.2f} "
            f"{r['ratio']:>6.2f} {r['baseline_peak_mb']:>12.0f} {r['procopt_peak_mb']:>11.0f}"
        )
    print(
        f"\nmedians of {args.runs} runs, fresh process per run; baseline = pd.read_csv + pm4py.format_dataframe; "
        "procopt = read_log (read, map, parse, normalise, audit)."
    )


if __name__ == "__main__":
    main()
