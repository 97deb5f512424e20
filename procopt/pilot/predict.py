"""The predicted effect of a fix on a pilot segment, and the smallest effect the pilot window can detect.

Stage: pilot. The fix is applied to the *segment's* cases only (a removed step becomes "skip when the case
is in the segment"); changes that act on a whole pool (people, calendars, durations, batches) cannot be
confined to a segment and act on everyone, as they would in the real pilot. The calibrated model runs the
weeks before the pilot and the pilot window, with and without the fix, on common random numbers; the
prediction is the same difference-in-differences the evaluation will measure, over the segment's cases
that arrive in the window (not the whole company's effect scaled down).

Power: the baseline runs also show how much the measured difference-in-differences wanders when nothing
changes. With 80 % power at 5 % two-sided, the smallest detectable effect is (1.96 + 0.84) times that
spread; it shrinks roughly with the square root of the number of pilot weeks, which gives the proposal.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from procopt.fidelity.evaluate import run_seeds
from procopt.model.types import SimulationModel
from procopt.pilot.cases import Segment, case_table, period_of
from procopt.scenario.changes import Change, RemoveActivity, SkipActivity
from procopt.scenario.load import Scenario, apply_scenario
from procopt.sim.engine import simulate

METRICS = ("lead_time_hours", "delivery_rate")
_COLUMN = {"lead_time_hours": "lead_time_h", "delivery_rate": "on_time"}
Z_POWER = 1.959964 + 0.841621  # two-sided 5 % test with 80 % power
MAX_PROPOSED_WEEKS = 26
WARMUP_DAYS = 14


@dataclass(frozen=True, slots=True)
class Prediction:
    """Predicted DiD per metric (mean and 95 % CI over replications), its detection limit and case rates."""

    effect: dict[str, tuple[float | None, tuple[float, float] | None]]
    minimum_detectable: dict[str, float | None]
    segment_cases_per_week: float
    control_cases_per_week: float
    replications: int


def segment_scenario(scenario: Scenario, segment: str) -> Scenario:
    """The scenario with its step removals and skips limited to the segment's cases."""
    changes: list[Change] = []
    for change in scenario.changes:
        if isinstance(change, RemoveActivity):
            changes.append(SkipActivity(change.activity, segment))
        elif isinstance(change, SkipActivity):
            changes.append(SkipActivity(change.activity, f"({change.when}) and ({segment})"))
        else:
            changes.append(change)
    return dataclasses.replace(scenario, changes=tuple(changes))


def _group_means(
    sim: pd.DataFrame, model: SimulationModel, segment: Segment, start: datetime.date, weeks: int, pre_weeks: int
) -> dict[str, float]:
    cases = case_table(sim, model.delivery_activity)
    if cases.empty:
        return {}
    group = np.where(segment.mask(cases), "pilot", "control")
    period = period_of(cases["arrival"], start, weeks, pre_weeks)
    out: dict[str, float] = {}
    for metric, col in _COLUMN.items():
        values = cases[col].astype(float)
        for g in ("pilot", "control"):
            for p in ("before", "during"):
                sel = values[(group == g) & (period == p).to_numpy()].dropna()
                out[f"{metric}:{g}:{p}"] = float(sel.mean()) if len(sel) else math.nan
    for g in ("pilot", "control"):
        out[f"n:{g}"] = float(((group == g) & (period == "during").to_numpy()).sum())
    return out


def _ci(values: np.ndarray) -> tuple[float | None, tuple[float, float] | None]:
    values = values[np.isfinite(values)]
    if not len(values):
        return None, None
    mean = float(values.mean())
    if len(values) < 2:
        return mean, None
    half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))
    return mean, (mean - half, mean + half)


def predict(
    model: SimulationModel,
    scenario: Scenario,
    segment: Segment,
    *,
    start: datetime.date,
    weeks: int,
    pre_weeks: int,
    replications: int,
    seed: int,
) -> Prediction:
    """Simulate ``pre_weeks`` + ``weeks`` weeks with and without the segment-limited fix."""
    fixed = apply_scenario(model, segment_scenario(scenario, segment.text))
    sim_start = pd.Timestamp(start) - pd.Timedelta(weeks=pre_weeks)
    days = 7 * (pre_weeks + weeks)
    effects: dict[str, list[float]] = {m: [] for m in METRICS}
    noise: dict[str, list[float]] = {m: [] for m in METRICS}
    n_pilot: list[float] = []
    n_control: list[float] = []
    for rep_seed in run_seeds(seed, replications):
        runs = [simulate(m, days=days, seed=rep_seed, start=sim_start, warmup_days=WARMUP_DAYS) for m in (model, fixed)]
        base, fix = (_group_means(r, model, segment, start, weeks, pre_weeks) for r in runs)
        if not base or not fix:
            continue
        for m in METRICS:
            effects[m].append(
                (fix[f"{m}:pilot:during"] - base[f"{m}:pilot:during"])
                - (fix[f"{m}:control:during"] - base[f"{m}:control:during"])
            )
            noise[m].append(
                (base[f"{m}:pilot:during"] - base[f"{m}:pilot:before"])
                - (base[f"{m}:control:during"] - base[f"{m}:control:before"])
            )
        n_pilot.append(base["n:pilot"])
        n_control.append(base["n:control"])
    effect = {m: _ci(np.asarray(effects[m], dtype=float)) for m in METRICS}
    mde: dict[str, float | None] = {}
    for m in METRICS:
        spread = np.asarray(noise[m], dtype=float)
        spread = spread[np.isfinite(spread)]
        mde[m] = float(Z_POWER * spread.std(ddof=1)) if len(spread) >= 2 else None
    return Prediction(
        effect=effect,
        minimum_detectable=mde,
        segment_cases_per_week=float(np.mean(n_pilot)) / weeks if n_pilot else 0.0,
        control_cases_per_week=float(np.mean(n_control)) / weeks if n_control else 0.0,
        replications=len(n_pilot),
    )


def proposed_weeks(weeks: int, effect: float | None, mde: float | None) -> int | None:
    """Weeks needed for ``effect`` to reach the detection limit (the limit shrinks with sqrt(weeks))."""
    if effect is None or mde is None or effect == 0 or not math.isfinite(effect):
        return None
    if abs(effect) >= mde:
        return weeks
    needed = math.ceil(weeks * (mde / abs(effect)) ** 2)
    return needed if needed <= MAX_PROPOSED_WEEKS else None
