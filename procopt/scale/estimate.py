"""How long will these replications take? A short pilot run, then arithmetic — printed before a long run starts.

The pilot simulates a few hundred cases of the baseline on this machine (a fraction of a second) to learn two
things the model cannot tell: simulated activity instances per case and instances per second here. The
estimate is then ``cases per replication x instances per case / speed x replications / parallel workers``.
It is an order of magnitude, not a promise: overloaded scenarios run longer (their queues grow), and a busy
machine runs slower.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from procopt.model.types import SimulationModel

PILOT_CASES = 300
#: announce the estimate only when the run is expected to take at least this long
ANNOUNCE_FROM_S = 15.0


@dataclass(frozen=True, slots=True)
class RunEstimate:
    """The expected wall time of ``tasks`` replications on ``parallelism`` workers."""

    tasks: int
    instances: float
    instances_per_s: float
    parallelism: int
    seconds: float

    def sentence(self) -> str:
        """``About 4 min: 60 replications (~2.1M simulated steps) on 2 workers. Ctrl-C stops the run.``"""
        return (
            f"About {_duration(self.seconds)}: {self.tasks} replications (~{_count(self.instances)} simulated steps "
            f"at ~{_count(self.instances_per_s)}/s per worker) on {self.parallelism} "
            f"worker{'s' if self.parallelism != 1 else ''}. Ctrl-C stops the run."
        )


def estimate_run(
    baseline: SimulationModel,
    variants: Sequence[SimulationModel],
    *,
    replications: int,
    days: float,
    parallelism: int,
    seed: int = 1,
) -> RunEstimate | None:
    """Estimate ``replications`` runs of each model in ``variants`` (baseline included) for ``days`` of arrivals.

    ``None`` when the baseline has no arrivals (nothing to measure; such a run is instant anyway).
    """
    from procopt.sim.engine import run_replication

    per_day = baseline.arrivals.cases_per_week / 7.0
    if per_day <= 0:
        return None
    pilot_days = max(1.0, 1.5 * PILOT_CASES / per_day)
    started = time.perf_counter()
    trace = run_replication(baseline, days=pilot_days, seed=seed, max_cases=PILOT_CASES, drain_days=0.0)
    elapsed = max(time.perf_counter() - started, 1e-6)
    cases = max(1, len(trace.case_arrival))
    steps = len(trace.events)
    if steps == 0:
        return None
    per_case = steps / cases
    speed = steps / elapsed
    instances = sum(m.arrivals.cases_per_week / 7.0 * days * per_case for m in variants) * replications
    workers = max(1, min(parallelism, len(variants) * replications))
    return RunEstimate(len(variants) * replications, instances, speed, workers, instances / speed / workers)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _count(n: float) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.1f}M"
    if n >= 1e3:
        return f"{n / 1e3:.0f}k"
    return f"{n:.0f}"


def announce_estimate(
    baseline: SimulationModel,
    variants: Sequence[SimulationModel],
    *,
    replications: int,
    days: float,
    parallelism: int,
    seed: int,
    announce: Callable[[str], None],
) -> RunEstimate | None:
    """Estimate the run and ``announce`` the sentence when it will take ``ANNOUNCE_FROM_S`` or more."""
    est = estimate_run(baseline, variants, replications=replications, days=days, parallelism=parallelism, seed=seed)
    if est is not None and est.seconds >= ANNOUNCE_FROM_S:
        announce(est.sentence())
    return est
