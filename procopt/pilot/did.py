"""Difference-in-differences with a week-block bootstrap, and the parallel pre-trends check.

Stage: pilot. effect = (pilot during - pilot before) - (control during - control before). Whatever hit the
whole company during the pilot (a holiday, a volume surge, a drift) moves both groups and cancels out; what is
left is the fix. Cases of the same week share queues, staff and calendars, so they are not independent: the
bootstrap resamples whole *weeks* (all cases of a week, pilot and control together), never cases on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

BOOTSTRAP_DRAWS = 2000
#: a pre-trend slope with p below this (and at least MIN_PRE_WEEKS weeks) means the groups did not move in parallel
PRE_TREND_P = 0.05
MIN_PRE_WEEKS = 3


@dataclass(frozen=True, slots=True)
class DidResult:
    """One metric's difference-in-differences: point value, bootstrap 95 % CI and the four group means."""

    value: float | None
    ci95: tuple[float, float] | None
    means: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class PreTrend:
    """Weekly (pilot - control) gap before the pilot: its slope per week and whether it is flat."""

    slope_per_week: float | None
    p_value: float | None
    parallel: bool | None


def did(frame: pd.DataFrame, column: str, *, seed: int, draws: int = BOOTSTRAP_DRAWS) -> DidResult:
    """DiD of ``column`` over ``frame`` (columns period, week, group = 'pilot'|'control' and ``column``).

    Two-stage bootstrap: each draw resamples the weeks of each period (all cases of a drawn week together,
    pilot and control alike), then reweights the cases inside the drawn weeks (Poisson(1) weights). With a
    two-week pilot the weeks alone allow only three distinct resamples, which would understate the noise.
    """
    values = frame[column].astype(float)
    ok = values.notna().to_numpy()
    f = frame.loc[ok, ["period", "week", "group"]]
    v = values[ok].to_numpy()
    means: dict[str, float | None] = {}
    for group in ("pilot", "control"):
        for period in ("before", "during"):
            sel = ((f["group"] == group) & (f["period"] == period)).to_numpy()
            means[f"{group}_{period}"] = float(v[sel].mean()) if sel.any() else None
    if any(m is None for m in means.values()) or len(means) < 4:
        return DidResult(None, None, means)
    value = (means["pilot_during"] - means["pilot_before"]) - (means["control_during"] - means["control_before"])  # type: ignore[operator]
    rng = np.random.default_rng([seed, 7])
    samples: dict[str, np.ndarray] = {}
    n_weeks: dict[str, int] = {}
    for period in ("before", "during"):
        in_period = (f["period"] == period).to_numpy()
        weeks, codes = np.unique(f.loc[in_period, "week"].to_numpy(), return_inverse=True)
        n_weeks[period] = len(weeks)
        week_w = rng.multinomial(len(weeks), [1.0 / len(weeks)] * len(weeks), size=draws).astype(float)
        case_w = week_w[:, codes] * rng.poisson(1.0, size=(draws, len(codes)))
        vals = v[in_period]
        groups = f.loc[in_period, "group"].to_numpy()
        for group in ("pilot", "control"):
            g = groups == group
            w = case_w[:, g]
            with np.errstate(invalid="ignore", divide="ignore"):
                samples[f"{group}_{period}"] = (w @ vals[g]) / w.sum(axis=1)
    boot = (samples["pilot_during"] - samples["pilot_before"]) - (samples["control_during"] - samples["control_before"])
    boot = boot[np.isfinite(boot)]
    ci: tuple[float, float] | None = None
    if len(boot) >= draws // 2 and min(n_weeks.values()) >= 2:
        ci = (float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975)))
    return DidResult(float(value), ci, means)


def pre_trend(frame: pd.DataFrame, column: str) -> PreTrend:
    """Slope of the weekly pilot-minus-control gap of ``column`` over the weeks before the pilot."""
    before = frame[frame["period"] == "before"]
    weekly = before.assign(v=before[column].astype(float)).groupby(["week", "group"])["v"].mean().unstack()
    if "pilot" not in weekly or "control" not in weekly:
        return PreTrend(None, None, None)
    gap = (weekly["pilot"] - weekly["control"]).dropna()
    if len(gap) < MIN_PRE_WEEKS:
        return PreTrend(None, None, None)
    fit = stats.linregress(gap.index.to_numpy(dtype=float), gap.to_numpy(dtype=float))
    p = float(fit.pvalue) if np.isfinite(fit.pvalue) else 1.0
    return PreTrend(float(fit.slope), p, p >= PRE_TREND_P)
