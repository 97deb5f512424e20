"""Benchmark: ``procopt.mine.mine`` against pm4py's equivalent calls on 100k and 1M events.

pm4py side (what a pm4py user runs for the same questions): ``discover_performance_dfg`` +
``get_variants`` + ``discover_process_tree_inductive`` (the inductive miner, as ``mine`` runs it).
procopt side: ``mine(events)`` — which also measures waiting/processing, resources, bottlenecks,
batches, approvals, rework, hand-offs and the value stream, and mines the model.

Logs: a generated log (``--logs``: the order-to-cash and the purchase-to-pay processes, seed 1, 120
days) tiled with fresh case ids and shifted by whole weeks (so release times and weekdays stay what they
were) until it reaches the size. ``mine`` runs with its default outputs, including the attribution of
every hour of waiting to its cause. Each (tool, log, size) runs in a fresh process, so peak memory (max
RSS) is its own; times are the median of ``--repeat`` runs in that process. Targets: procopt at most
1.0x pm4py's time and below 2 GB peak.

    .venv/bin/python bench/mine.py [--logs o2c p2p] [--sizes 100000 1000000] [--repeat 3] [--json]
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


def build_log(n_events: int, path: Path, kind: str = "o2c") -> None:
    """Tile a generated log (``kind``: o2c or p2p) to ``n_events`` rows and save it as Parquet."""
    import pandas as pd

    from procopt.generate import generate
    from procopt.log import columns as C

    base = generate(kind, seed=1, days=120).events
    first = base[C.START].fillna(base[C.END]).min()
    weeks = int((base[C.END].max() - first) / pd.Timedelta(days=7)) + 1
    span = pd.Timedelta(days=7 * weeks)  # whole weeks: clock times and weekdays repeat in every copy
    copies, parts = -(-n_events // len(base)), []
    for i in range(copies):
        part = base.copy()
        part[C.CASE] = part[C.CASE] + f"-{i}"
        for col in (C.START, C.END, C.DUE):
            part[col] = part[col] + span * i
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True).iloc[:n_events]
    frame[C.SOURCE_ROW] = range(1, len(frame) + 1)
    C.normalise_frame(frame).to_parquet(path)


def _run_pm4py(frame: object) -> None:
    import pm4py

    pm4py.discover_performance_dfg(frame)
    pm4py.get_variants(frame)
    pm4py.discover_process_tree_inductive(frame)


def _run_procopt(frame: object) -> None:
    from procopt.mine import mine

    mine(frame)  # type: ignore[arg-type]


def child(tool: str, path: str, repeat: int) -> dict[str, float]:
    """Run one tool on one log in this process; return median seconds and peak RSS (MB)."""
    import pandas as pd

    from procopt.log import columns as C

    frame = pd.read_parquet(path)
    if tool == "pm4py":
        import pm4py
        from pm4py.util import constants

        constants.SHOW_PROGRESS_BAR = False
        frame = frame[[C.CASE, C.ACTIVITY, C.START, C.END, C.RESOURCE]]
    else:
        import pm4py  # noqa: F401 - same import cost excluded on both sides
    run = _run_pm4py if tool == "pm4py" else _run_procopt
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run(frame)
        times.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": statistics.median(times), "peak_mb": peak_mb, "events": len(frame)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", nargs="+", default=["o2c", "p2p"], choices=["o2c", "p2p"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("TOOL", "PATH", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, path, repeat = args.child
        print(json.dumps(child(tool, path, int(repeat))))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.logs:
            for size in args.sizes:
                path = Path(tmp) / f"{kind}_{size}.parquet"
                build_log(size, path, kind)
                row: dict[str, object] = {"log": kind, "events": size}
                for tool in ("pm4py", "procopt"):
                    out = subprocess.run(
                        [sys.executable, __file__, "--child", tool, str(path), str(args.repeat)],
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    row[tool] = json.loads(out.stdout.strip().splitlines()[-1])
                row["ratio"] = row["procopt"]["seconds"] / row["pm4py"]["seconds"]  # type: ignore[index]
                rows.append(row)
                if not args.json:
                    p, q = row["pm4py"], row["procopt"]
                    print(
                        f"{kind} {size:>9,} events: pm4py {p['seconds']:.2f} s / {p['peak_mb']:.0f} MB peak, "  # type: ignore[index]
                        f"procopt mine {q['seconds']:.2f} s / {q['peak_mb']:.0f} MB peak, "  # type: ignore[index]
                        f"ratio {row['ratio']:.2f}x (target <= 1.0x, < 2048 MB)",
                        flush=True,
                    )
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
