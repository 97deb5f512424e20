"""``backtest``: would procopt have predicted a change the company already made?

Stage: pilot. Calibrate on the log as it stood on the change date (only events completed before it), apply
the scenario that describes the change, simulate the period after the date (as long as the log still runs),
and compare with what the log shows. Both sides use one rule: cases belong to the period they arrived in;
cases still open when the period's log was extracted count with their lead time so far and are late once
past due (the simulation stops at the same moment the log does, so it is censored alike).

``pi95`` is a 95 % *prediction* interval for one period of the observed length — where the observed period's
mean should fall — not the (much narrower) confidence interval of the replications' mean:
mean ± t(R-1) · sd · sqrt(1 + 1/R) over R replications that each simulate one such period.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from procopt.errors import InputError
from procopt.fidelity.evaluate import run_seeds
from procopt.fidelity.scorecard import score_logs
from procopt.log import columns as C
from procopt.model.calibrate import CalibrationOptions, calibrate
from procopt.pilot.cases import case_table
from procopt.pilot.plan import check_scenario
from procopt.scenario.load import Scenario, apply_scenario
from procopt.sim.engine import simulate

MIN_DAYS_BEFORE = 28
MIN_DAYS_AFTER = 7
WARMUP_DAYS = 14


@dataclass(frozen=True, slots=True)
class Backtest:
    """Everything ``backtest --json`` prints (see docs/CONTRACTS.md)."""

    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


def _period_kpis(cases: pd.DataFrame) -> tuple[float | None, float | None, int]:
    lead = cases["lead_time_h"].dropna()
    on = cases["on_time"].dropna()
    return (
        float(lead.mean()) if len(lead) else None,
        float(on.astype(float).mean()) if len(on) else None,
        int(len(cases)),
    )


def _observed(
    events: pd.DataFrame, delivery: str | None, t0: pd.Timestamp, t1: pd.Timestamp
) -> tuple[float | None, float | None, int]:
    """KPIs of the cases arriving in [t0, t1) as a log extracted at t1 shows them."""
    cut = events[events[C.END] <= t1]
    cases = case_table(cut, delivery, extracted=t1)
    return _period_kpis(cases[(cases["arrival"] >= t0) & (cases["arrival"] < t1)])


def _interval(
    values: list[float], prediction: bool, bounds: tuple[float, float] = (-math.inf, math.inf)
) -> tuple[float | None, tuple[float, float] | None]:
    arr = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if not len(arr):
        return None, None
    mean = float(arr.mean())
    if len(arr) < 2:
        return mean, None
    scale = math.sqrt(1 + 1 / len(arr)) if prediction else 1 / math.sqrt(len(arr))
    half = float(stats.t.ppf(0.975, len(arr) - 1) * arr.std(ddof=1) * scale)
    return mean, (max(mean - half, bounds[0]), min(mean + half, bounds[1]))


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def _pair(x: tuple[float, float] | None, digits: int = 4) -> list[float] | None:
    return None if x is None else [round(x[0], digits), round(x[1], digits)]


def backtest(
    events: pd.DataFrame,
    *,
    change_at: datetime.date,
    scenario: Scenario,
    log_name: str,
    replications: int = 10,
    seed: int = 1,
    options: CalibrationOptions | None = None,
) -> Backtest:
    """Calibrate before ``change_at``, apply ``scenario``, predict the period after and compare with the log."""
    t = pd.Timestamp(change_at)
    first = events[C.START].fillna(events[C.END]).min()
    last = events[C.END].max()
    if not (first + pd.Timedelta(days=MIN_DAYS_BEFORE) <= t <= last - pd.Timedelta(days=MIN_DAYS_AFTER)):
        raise InputError(
            log_name,
            f"--change-at {change_at} is outside the log's usable range: the log runs from {first.date()} to "
            f"{last.date()}, and a back-test needs {MIN_DAYS_BEFORE} days before the change and {MIN_DAYS_AFTER} after it",
            hint=f"Pick a date between {(first + pd.Timedelta(days=MIN_DAYS_BEFORE)).date()} and "
            f"{(last - pd.Timedelta(days=MIN_DAYS_AFTER)).date()}.",
        )
    before_log = events[events[C.END] < t].copy()
    model = calibrate(before_log, options or CalibrationOptions())
    check_scenario(model, scenario, log_name)
    changed = apply_scenario(model, scenario)
    delivery = model.delivery_activity
    period = last - t
    days = period / pd.Timedelta(days=1)
    before_lead, before_rate, before_n = _observed(events, delivery, t - period, t)
    after_lead, after_rate, after_n = _observed(events, delivery, t, last)
    per_rep: dict[str, list[float]] = {
        "lead": [],
        "rate": [],
        "base_lead": [],
        "base_rate": [],
        "d_lead": [],
        "d_rate": [],
    }
    sims: list[pd.DataFrame] = []
    for rep_seed in run_seeds(seed, replications):
        runs = []
        for m in (model, changed):
            sim = simulate(m, days=days, seed=rep_seed, start=t, warmup_days=WARMUP_DAYS, drain_days=0.0)
            runs.append(_period_kpis(case_table(sim, delivery, extracted=last)) if not sim.empty else (None, None, 0))
            if m is changed:
                sims.append(sim)
        (bl, br, _), (cl, cr, _) = runs
        for key, value in (("lead", cl), ("rate", cr), ("base_lead", bl), ("base_rate", br)):
            per_rep[key].append(math.nan if value is None else value)
        per_rep["d_lead"].append(math.nan if cl is None or bl is None else cl - bl)
        per_rep["d_rate"].append(math.nan if cr is None or br is None else cr - br)
    lead_mean, lead_pi = _interval(per_rep["lead"], prediction=True)
    rate_mean, rate_pi = _interval(per_rep["rate"], prediction=True, bounds=(0.0, 1.0))
    base_lead, _ = _interval(per_rep["base_lead"], prediction=True)
    base_rate, _ = _interval(per_rep["base_rate"], prediction=True)
    d_lead, d_lead_ci = _interval(per_rep["d_lead"], prediction=False)
    d_rate, d_rate_ci = _interval(per_rep["d_rate"], prediction=False)
    after_events = events[events[C.CASE].isin(case_table(events, delivery).query("arrival >= @t").index)]
    fidelity = score_logs(
        after_events, sims, due_available=bool(events[C.DUE].notna().any()), delivery_activity=delivery
    )

    def inside(value: float | None, pi: tuple[float, float] | None) -> bool | None:
        return None if value is None or pi is None else bool(pi[0] <= value <= pi[1])

    data = {
        "log": log_name,
        "change_at": change_at.isoformat(),
        "scenario": scenario.name,
        "period_days": round(days, 2),
        "replications": replications,
        "before": {
            "lead_time_hours": {"mean": _round(before_lead)},
            "delivery_rate": {"value": _round(before_rate)},
            "cases": before_n,
        },
        "predicted": {
            "lead_time_hours": {"mean": _round(lead_mean), "pi95": _pair(lead_pi)},
            "delivery_rate": {"value": _round(rate_mean), "pi95": _pair(rate_pi)},
        },
        "predicted_without_change": {
            "lead_time_hours": {"mean": _round(base_lead)},
            "delivery_rate": {"value": _round(base_rate)},
        },
        "observed": {
            "lead_time_hours": {"mean": _round(after_lead)},
            "delivery_rate": {"value": _round(after_rate)},
            "cases": after_n,
        },
        "predicted_change": {
            "lead_time_hours": {"value": _round(d_lead), "ci95": _pair(d_lead_ci)},
            "delivery_rate": {"value": _round(d_rate), "ci95": _pair(d_rate_ci)},
        },
        "observed_change": {
            "lead_time_hours": {
                "value": None if after_lead is None or before_lead is None else round(after_lead - before_lead, 4)
            },
            "delivery_rate": {
                "value": None if after_rate is None or before_rate is None else round(after_rate - before_rate, 4)
            },
        },
        "within_interval": {
            "lead_time_hours": inside(after_lead, lead_pi),
            "delivery_rate": inside(after_rate, rate_pi),
        },
        "fidelity": {k: _round(v) for k, v in fidelity.items()},
    }
    return Backtest(data)
