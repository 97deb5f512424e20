"""Simulation speed: procopt's engine vs a bare SimPy M/M/c network of the same size, in the same run.

Usage: .venv/bin/python bench/sim.py [--cases 10000 100000] [--model model.yaml] [--json]
Reports simulated activity instances per second on one core (the MEDIAN of --repeat runs, each procopt
run followed by a bare SimPy reference run so machine load hits both alike), and on all cores (one
replication per core through the experiment's executor). bench/scale.py compares worker counts properly
(medians of interleaved runs).
Without --model, a model is calibrated from a generated O2C log.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def bare_simpy(stations: int, capacity: int, cases: int, seed: int = 1) -> tuple[int, float]:
    """Tandem M/M/c network (each completion logged); returns (completions, seconds)."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    res = [simpy.Resource(env, capacity=capacity) for _ in range(stations)]
    log: list[tuple[int, int, float, float]] = []
    util = 0.8
    mean_s = 600.0
    gap = mean_s / (capacity * util)

    def case(i: int):
        for k in range(stations):
            with res[k].request() as req:
                yield req
                start = env.now
                yield env.timeout(rng.expovariate(1.0 / mean_s))
                log.append((i, k, start, env.now))

    def source():
        for i in range(cases):
            yield env.timeout(rng.expovariate(1.0 / gap))
            env.process(case(i))

    env.process(source())
    t = time.perf_counter()
    env.run()
    return len(log), time.perf_counter() - t


def procopt_run(model, cases: int, seed: int = 1) -> tuple[int, float]:
    from procopt.sim.engine import run_replication

    per_day = model.arrivals.cases_per_week / 7
    days = cases / per_day
    t = time.perf_counter()
    trace = run_replication(model, days=days, seed=seed, max_cases=cases)
    return len(trace.events), time.perf_counter() - t


def _one_shared(model, args: tuple) -> tuple[int, float]:
    cases, seed = args
    return procopt_run(model, cases, seed)


def _bare(args: tuple) -> tuple[int, float]:
    return bare_simpy(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--repeat", type=int, default=5, help="median of N interleaved timings (machine is shared)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.model:
        from procopt.model.io import load_model

        model = load_model(args.model)
    else:
        from procopt.generate import generate
        from procopt.model.calibrate import calibrate

        model = calibrate(generate("o2c", seed=1, days=120).events)
    from procopt.sim.executor import LocalExecutor

    n_act = max(1, len(model.activities))
    cores = os.cpu_count() or 1
    rows = []
    procopt_run(model, 200)  # warm up imports and caches
    for cases in args.cases:
        reps = max(1, args.repeat if cases <= 20_000 else min(args.repeat, 3))
        rates, bare_rates = [], []
        n = bn = 0
        for _ in range(reps):  # interleaved: procopt, then bare SimPy, so load spikes hit both
            n, s = procopt_run(model, cases)
            rates.append(n / s)
            steps = max(1, round(n / cases))
            bn, bs = bare_simpy(steps, 2, cases)
            bare_rates.append(bn / bs)
        rate, bare_rate = statistics.median(rates), statistics.median(bare_rates)
        # all cores: the model goes to each worker once (the executor's shared payload), tasks are tiny
        t = time.perf_counter()
        with LocalExecutor(workers=cores) as ex:
            par = ex.run(_one_shared, model, [(cases // cores, 1 + i) for i in range(cores)])
        ps = time.perf_counter() - t
        t = time.perf_counter()
        with LocalExecutor(workers=cores) as ex:
            bpar = ex.map(_bare, [(steps, 2, cases // cores, 1 + i) for i in range(cores)])
        bps = time.perf_counter() - t
        rows.append(
            {
                "cases": cases,
                "activities": n_act,
                "instances": n,
                "repeats": reps,
                "statistic": "median",
                "procopt_per_s_1core": round(rate),
                "bare_simpy_per_s_1core": round(bare_rate),
                "procopt_per_s_1core_range": [round(min(rates)), round(max(rates))],
                "bare_simpy_per_s_1core_range": [round(min(bare_rates)), round(max(bare_rates))],
                "ratio_1core": round(bare_rate / rate, 2),
                "procopt_per_s_all_cores": round(sum(p[0] for p in par) / ps),
                "bare_simpy_per_s_all_cores": round(sum(p[0] for p in bpar) / bps),
                "cores": cores,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            print(
                f"{r['cases']:>7} cases, {r['instances']:>8} instances, median of {r['repeats']}: procopt {r['procopt_per_s_1core']:>7}/s, "
                f"bare SimPy {r['bare_simpy_per_s_1core']:>7}/s (bare/procopt = {r['ratio_1core']}x); "
                f"all {r['cores']} cores: procopt {r['procopt_per_s_all_cores']}/s, "
                f"bare {r['bare_simpy_per_s_all_cores']}/s"
            )


if __name__ == "__main__":
    main()
