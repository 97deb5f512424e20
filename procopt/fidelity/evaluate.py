"""Held-out fidelity check: calibrate on the past, forecast the test period, score beside a naive baseline.

The protocol is the published one (AgentSimulator, arXiv 2408.08571; the same split Simod, RIMS and
DeepGenerator were scored on): the first 80 % of events by completion time train the model, the remaining
cases are the test period; the model simulates as many cases as the test period holds, starting when the test
period starts (so calendar and hour-of-day distances compare like with like), ``runs`` times; the scorecard is
the mean over those simulated logs. The naive baseline is the same calibration with ``naive=True`` (durations
only: no calendars, no queueing, no batches) — if procopt cannot beat it, its extra machinery is not earning
its keep.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procopt.errors import ModelError
from procopt.fidelity.scorecard import DEFAULT_MAX_CASES, METRIC_KEYS, score_logs
from procopt.fidelity.split import holdout_split
from procopt.log.columns import CASE, DUE, END, START, has_start_times

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class FidelityReport:
    """Scorecards of procopt's model and of the naive baseline against the held-out test period."""

    procopt: Mapping[str, float | None]
    naive: Mapping[str, float | None]
    train_cases: int
    test_cases: int
    runs: int
    notes: tuple[str, ...] = ()
    test_start: pd.Timestamp | None = None
    test_end: pd.Timestamp | None = None
    #: with ``keep_logs=True``: the real test period and the simulated logs per model (for ``diagnose``)
    test: pd.DataFrame | None = None
    simulated: Mapping[str, tuple[pd.DataFrame, ...]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{"procopt": {...}, "naive": {...}, "train_cases", "test_cases", "runs", "notes"}``."""
        return {
            "procopt": {k: self.procopt.get(k) for k in METRIC_KEYS},
            "naive": {k: self.naive.get(k) for k in METRIC_KEYS},
            "train_cases": self.train_cases,
            "test_cases": self.test_cases,
            "runs": self.runs,
            "notes": list(self.notes),
        }

    def wins(self) -> dict[str, bool | None]:
        """Per metric: True when procopt is closer to reality than the naive model (None: not comparable)."""
        out: dict[str, bool | None] = {}
        for key in METRIC_KEYS:
            a, b = self.procopt.get(key), self.naive.get(key)
            out[key] = None if a is None or b is None else bool(a <= b)
        return out


def run_seeds(seed: int, runs: int) -> list[int]:
    """One independent integer seed per simulated log, derived from ``seed`` (same for procopt and naive)."""
    children = np.random.SeedSequence(int(seed)).spawn(runs)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def _naive_options(options: Any) -> Any:
    from procopt.model.calibrate import CalibrationOptions

    if options is None:
        return CalibrationOptions(naive=True)
    return dataclasses.replace(options, naive=True)


def _simulate_runs(
    model: Any,
    seeds: list[int],
    *,
    days: int,
    start: pd.Timestamp,
    cases: int,
    tick: Callable[[], None],
    executor: Any = None,
) -> list[pd.DataFrame]:
    from procopt.sim.engine import simulate

    if executor is not None:  # the same logs, one seed per task, the model sent to each worker once
        ticked = [0]

        def advance(done: int, total: int) -> None:
            while ticked[0] < done:
                ticked[0] += 1
                tick()

        return list(executor.run(_simulate_seed, (model, days, start, cases), seeds, advance))
    logs = []
    for s in seeds:
        logs.append(simulate(model, days=days, seed=s, start=start, max_cases=cases))
        tick()
    return logs


def _simulate_seed(shared: tuple[Any, int, pd.Timestamp, int], seed: int) -> pd.DataFrame:
    from procopt.sim.engine import simulate

    model, days, start, cases = shared
    return simulate(model, days=days, seed=seed, start=start, max_cases=cases)


def _horizon_days(test: pd.DataFrame) -> int:
    """Simulated days: the test period's span plus slack so the last arrivals can finish."""
    first = test[START].fillna(test[END]).min()
    span_days = (test[END].max() - first).total_seconds() / 86400.0
    return max(7, int(math.ceil(span_days * 1.5)) + 7)


def evaluate_fidelity(
    events: pd.DataFrame,
    *,
    train_fraction: float = 0.8,
    runs: int = 10,
    seed: int = 1,
    options: Any = None,
    progress: ProgressFn | None = None,
    max_cases: int | None = DEFAULT_MAX_CASES,
    keep_logs: bool = False,
    censor: bool = False,
    executor: Any = None,
) -> FidelityReport:
    """Calibrate on the first ``train_fraction`` of events, simulate the test period ``runs`` times, score.

    Args:
        events: the whole contract event table.
        train_fraction: share of events (by completion time) used for calibration.
        runs: simulated logs per model (the published protocol uses 10).
        seed: master seed; procopt and naive use the same per-run seeds.
        options: ``CalibrationOptions`` for procopt's model (the naive one is the same with ``naive=True``).
        progress: ``callback(done, total)`` over the ``2 * runs`` simulations.
        max_cases: score at most this many cases per log (seeded sample) to keep the metrics cheap.
        keep_logs: keep the test period and the simulated logs in the report (for ``diagnose``).
        censor: drop simulated events completed after the test period's last completion, as the real log is
            cut there (its long cases are missing their tails). The published protocol does not censor, so
            the default keeps its figures comparable; ``censor=True`` measures the model, not the cut.
        executor: runs the simulations (``procopt.sim.executor``); default: one after another here.

    Returns:
        A ``FidelityReport``; deterministic for a given ``seed``.
    """
    from procopt.model.calibrate import CalibrationOptions, calibrate

    if runs < 1:
        raise ValueError("runs must be at least 1")
    train, test = holdout_split(events, train_fraction)
    train_cases, test_cases = int(train[CASE].nunique()), int(test[CASE].nunique())
    if train_cases < 2 or test_cases < 1:
        why = ""
        ends = events[END].dropna()
        if test_cases < 1 and len(ends):
            cut = ends.sort_values(kind="stable").iloc[min(len(ends) - 1, int(train_fraction * len(ends)))]
            last_start = events.groupby(CASE, sort=False)[END].min().max()
            if pd.notna(last_start) and last_start < cut:
                why = (
                    f"; every case starts by {last_start:%Y-%m-%d}, before the boundary at {cut:%Y-%m-%d}, so the "
                    "later events are only the tails of earlier cases (a sample of cases by start date?)"
                )
        raise ModelError(
            None,
            f"too few complete cases for a hold-out check ({train_cases} for training, {test_cases} to test; "
            f"cases cut by the {train_fraction:.0%} boundary are dropped){why}",
            hint="Use a longer log, a lower train fraction, or skip the fidelity check.",
        )
    notes: list[str] = []
    with_start = has_start_times(events)
    if not with_start:
        notes.append(
            "The log has only completion times: all distances compare completion times (start := end "
            "on both sides); processing times in the model are estimates, not measurements."
        )
    due_available = DUE in test.columns and bool(test[DUE].notna().any())
    if not due_available:
        notes.append("No due dates in the log: delivery_rate_error is not computable.")
    if max_cases is not None and test_cases > max_cases:
        notes.append(f"Distances computed on a seeded sample of {max_cases} of {test_cases} test cases.")
    # whole minutes: the hour-bin metrics cannot tell, and sub-second start offsets stalled the engine's
    # arrival clock (a float hour boundary that never advances) on BPIC 2012
    start = test[START].fillna(test[END]).min().floor("min")
    test_end = test[END].max()
    if censor:
        notes.append(
            f"Simulated events completed after the log's end ({test_end}) are dropped (censored), "
            "as they are in the real test period."
        )
    days = _horizon_days(test)
    seeds = run_seeds(seed, runs)
    total, done = 2 * runs, 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    procopt_options = options if options is not None else CalibrationOptions()
    scores: dict[str, dict[str, float | None]] = {}
    kept: dict[str, tuple[pd.DataFrame, ...]] = {}
    for label, opts in (("procopt", procopt_options), ("naive", _naive_options(options))):
        model = calibrate(train, opts)
        logs = _simulate_runs(model, seeds, days=days, start=start, cases=test_cases, tick=tick, executor=executor)
        produced = [int(log[CASE].nunique()) if len(log) else 0 for log in logs]
        if min(produced) < test_cases:
            notes.append(
                f"{label}: simulated logs hold {min(produced)}–{max(produced)} cases "
                f"(test period: {test_cases}); the horizon of {days} days cut some runs short."
            )
        if censor:
            logs = [log[log[END] <= test_end].reset_index(drop=True) for log in logs]
        if keep_logs:
            kept[label] = tuple(logs)
        scores[label] = score_logs(
            test,
            logs,
            due_available=due_available,
            use_start=with_start,
            max_cases=max_cases,
            seed=seed,
            delivery_activity=model.delivery_activity,
        )
    return FidelityReport(
        procopt=scores["procopt"],
        naive=scores["naive"],
        train_cases=train_cases,
        test_cases=test_cases,
        runs=runs,
        notes=tuple(notes),
        test_start=start,
        test_end=test_end,
        test=test if keep_logs else None,
        simulated=kept if keep_logs else None,
    )
