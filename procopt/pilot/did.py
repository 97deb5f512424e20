"""Difference-in-differences with a week-block bootstrap, and the parallel pre-trends check.

Stage: pilot. effect = (pilot during - pilot before) - (control during - control before). Whatever hit the
whole company during the pilot (a holiday, a volume surge, a drift) moves both groups and cancels out; what is
left is the fix. Cases of the same week share queues, staff and calendars, so they are not independent: the
bootstrap resamples whole *weeks* (all cases of a week, pilot and control together), never single cases.
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


def _week_sums(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per (period, week, group): sum and count of ``column`` (NA skipped)."""
    values = frame[column].astype(float)
    ok = values.notna()
    f = frame.loc[ok, ["period", "week", "group"]].assign(v=values[ok])
    return f.groupby(["period", "week", "group"])["v"].agg(["sum", "count"]).reset_index()


def did(frame: pd.DataFrame, column: str, *, seed: int, draws: int = BOOTSTRAP_DRAWS) -> DidResult:
    """DiD of ``column`` over ``frame`` (columns period, week, group = 'pilot'|'control' and ``column``)."""
    sums = _week_sums(frame, column)
    if sums.empty:
        return DidResult(None, None, {})
    rng = np.random.default_rng([seed, 7])
    parts: dict[tuple[str, str], np.ndarray] = {}
    means: dict[str, float | None] = {}
    samples: dict[str, np.ndarray] = {}
    for period in ("before", "during"):
        weeks = sorted(sums.loc[sums["period"] == period, "week"].unique())
        if not weeks:
            return DidResult(None, None, {})
        weights = rng.multinomial(len(weeks), [1.0 / len(weeks)] * len(weeks), size=draws).astype(float)
        for group in ("pilot", "control"):
            sub = sums[(sums["period"] == period) & (sums["group"] == group)].set_index("week").reindex(weeks)
            s = sub["sum"].fillna(0.0).to_numpy()
            n = sub["count"].fillna(0.0).to_numpy()
            means[f"{group}_{period}"] = float(s.sum() / n.sum()) if n.sum() else None
            with np.errstate(invalid="ignore", divide="ignore"):
                samples[f"{group}_{period}"] = (weights @ s) / (weights @ n)
            parts[(group, period)] = n
    if any(v is None for v in means.values()):
        return DidResult(None, None, means)
    value = (means["pilot_during"] - means["pilot_before"]) - (means["control_during"] - means["control_before"])  # type: ignore[operator]
    boot = (samples["pilot_during"] - samples["pilot_before"]) - (samples["control_during"] - samples["control_before"])
    boot = boot[np.isfinite(boot)]
    n_weeks = min(len(parts[("pilot", "before")]), len(parts[("pilot", "during")]))
    ci: tuple[float, float] | None = None
    if len(boot) >= draws // 2 and n_weeks >= 2:
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
