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
import contextlib
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


# --- dask: the same sweep through the local pool and through a real local cluster -----------------------


def _start_cluster(workers: int) -> tuple[str, list[Any]]:
    """``dask scheduler`` and ``workers`` single-threaded ``dask worker`` processes on 127.0.0.1."""
    import socket
    import subprocess

    from distributed import Client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask_cli = str(Path(sys.executable).with_name("dask"))
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    procs = [
        subprocess.Popen(
            [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"], **quiet
        )
    ]  # type: ignore[call-overload]
    for _ in range(workers):
        procs.append(
            subprocess.Popen(
                [dask_cli, "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--dashboard-address", ":0"],
                **quiet,
            )
        )  # type: ignore[call-overload]
    deadline = time.monotonic() + 120
    while True:
        try:
            with Client(address, timeout=5, set_as_default=False) as client:
                client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
            return address, procs
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                _stop(procs)
                raise
            time.sleep(0.5)


def _stop(procs: list[Any]) -> None:
    import signal

    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait(timeout=30)


def bench_dask(points: int, replications: int, repeat: int, workers: int) -> list[dict[str, Any]]:
    """A volume sweep of ``points`` grid points x ``replications`` through both executors, interleaved."""
    from procopt._io import dumps_json
    from procopt.sim.executor import LocalExecutor
    from procopt.sim.executors.dask_executor import DaskExecutor
    from procopt.sim.sweep import parse_vary, run_sweep

    model = _bench_model()
    step = 0.6 / max(1, points - 1)
    vary = [parse_vary(f"arrivals.scale=0.8:{0.8 + step * (points - 1) + 1e-9}:{step}")]
    kwargs = {"replications": replications, "days": 60, "warmup_days": 7, "seed": 1}
    address, procs = _start_cluster(workers)
    times: dict[str, list[float]] = {"local": [], "dask": []}
    docs: dict[str, str] = {}
    try:
        with DaskExecutor(address) as dask_ex:
            for _ in range(repeat):
                for name in ("local", "dask"):
                    started = time.perf_counter()
                    if name == "local":
                        with LocalExecutor(workers) as ex:
                            result = run_sweep(model, vary, executor=ex, **kwargs)  # type: ignore[arg-type]
                    else:
                        result = run_sweep(model, vary, executor=dask_ex, **kwargs)  # type: ignore[arg-type]
                    times[name].append(time.perf_counter() - started)
                    docs[name] = dumps_json(result.to_dict())
    finally:
        _stop(procs)
    med = {k: statistics.median(v) for k, v in times.items()}
    return [
        {
            "part": "dask",
            "grid_points": len(result.rows),
            "replications": replications,
            "runs": len(result.rows) * replications + replications,
            "workers": workers,
            "repeats": repeat,
            "statistic": "median of interleaved runs",
            "seconds": {k: round(v, 1) for k, v in med.items()},
            "dask_over_local": round(med["dask"] / med["local"], 2),
            "identical_json": docs["local"] == docs["dask"],
            "load_average_1min": round(os.getloadavg()[0], 2),
        }
    ]


# --- ooc: out-of-core mining of a generated dataset against in-memory mining -----------------------------


def write_tiled_dataset(out: Path, events_target: int, copies_per_file: int = 10) -> int:
    """A generated O2C log tiled into ``events_target`` events: copy k has its own case ids and is shifted
    k weeks later; ``copies_per_file`` copies per Parquet file, so every file holds whole cases."""
    import pandas as pd

    from procopt.generate import generate
    from procopt.log import columns as C

    base = generate("o2c", seed=1, days=150).events.drop(columns=[C.SOURCE_ROW])
    copies = max(1, round(events_target / len(base)))
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for first in range(0, copies, copies_per_file):
        frames = []
        for k in range(first, min(copies, first + copies_per_file)):
            shift = pd.Timedelta(weeks=k)
            frames.append(
                base.assign(
                    **{
                        C.CASE: base[C.CASE] + f"-{k}",
                        C.START: base[C.START] + shift,
                        C.END: base[C.END] + shift,
                        C.DUE: base[C.DUE] + shift,
                    }
                )
            )
        part = pd.concat(frames, ignore_index=True)
        part.to_parquet(out / f"part-{first // copies_per_file:05d}.parquet", index=False)
        written += len(part)
    return written


_MEASURE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
if {mode!r} == "ooc":
    from procopt.scale.outofcore import mine_partitioned
    r = mine_partitioned({source!r}, workers={threads})
    n = r.summary["events"]
else:
    import glob
    import pandas as pd
    from procopt.log.read import read_log
    from procopt.mine import MineOptions, mine
    r = mine(read_log({source!r}).events, MineOptions(discover_model=False))
    n = r.summary["events"]
print(json.dumps({{"events": n, "seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _measure(mode: str, source: str, threads: int = 2) -> dict[str, Any]:
    import subprocess

    root = str(Path(__file__).resolve().parents[1])
    code = _MEASURE.format(root=root, mode=mode, source=source, threads=threads)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def bench_ooc(big: int, small: int, folder: Path) -> list[dict[str, Any]]:
    """Out-of-core mine on ``big`` events; in-memory and out-of-core mine on ``small`` events (one file)."""
    import pandas as pd

    small_dir, big_dir = folder / f"ds-{small}", folder / f"ds-{big}"
    if not big_dir.exists():
        write_tiled_dataset(big_dir, big)
    if not small_dir.exists():
        write_tiled_dataset(small_dir, small)
    one_file = folder / f"whole-{small}.parquet"
    if not one_file.exists():
        pd.concat([pd.read_parquet(f) for f in sorted(small_dir.glob("*.parquet"))]).to_parquet(one_file, index=False)
    rows = []
    for label, mode, source in (
        ("in-memory", "memory", str(one_file)),
        ("out-of-core", "ooc", str(small_dir)),
        ("out-of-core", "ooc", str(big_dir)),
    ):
        m = _measure(mode, source)
        rows.append({"part": "ooc", "path": label, "source": source, **{k: round(v, 1) for k, v in m.items()}})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", nargs="+", default=["local", "dask", "ooc"], choices=["local", "dask", "ooc"])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5, help="interleaved runs per setting (median reported)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="largest local worker count")
    parser.add_argument("--points", type=int, default=10, help="dask: sweep grid points")
    parser.add_argument("--sweep-replications", type=int, default=5, help="dask: replications per grid point")
    parser.add_argument("--ooc-events", type=int, default=10_000_000, help="ooc: events in the big dataset")
    parser.add_argument("--ooc-small", type=int, default=1_000_000, help="ooc: events for the in-memory comparison")
    parser.add_argument("--ooc-dir", default="/tmp/procopt-bench-scale", help="ooc: where the datasets are written")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    if "local" in args.part:
        rows += bench_local(args.cases, args.repeat, max(1, args.workers))
    if "dask" in args.part:
        rows += bench_dask(args.points, args.sweep_replications, max(1, min(args.repeat, 3)), max(1, args.workers))
    if "ooc" in args.part:
        rows += bench_ooc(args.ooc_events, args.ooc_small, Path(args.ooc_dir))
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
        elif r["part"] == "dask":
            print(
                f"sweep {r['grid_points']} points x {r['replications']} replications on {r['workers']} workers, "
                f"{r['statistic']} ({r['repeats']}): local {r['seconds']['local']} s, dask {r['seconds']['dask']} s "
                f"(dask/local {r['dask_over_local']}x), identical JSON: {r['identical_json']}; load {r['load_average_1min']}"
            )
        else:
            print(
                f"mine {r['path']:<11} {r['events']:>10,} events: {r['seconds']:>7} s, peak RSS {r['peak_rss_mb']:>7} MB"
            )


if __name__ == "__main__":
    main()
