"""Stage 3 (model): when cases arrive — a rate per weekday and hour, and how regular the gaps are.

A case arrives when its first activity starts (or completes, in complete-only logs). The rate of hour
``h`` on weekday ``d`` is the number of arrivals in that hour over the number of such hours in the log's
span, so a quiet Friday afternoon and a busy Monday morning are both kept. A log spanning less than a week
shows no weekly pattern (one Monday morning says nothing about Tuesday): its mean rate over the span applies
to every hour.

The rate says how many cases come, not how they are spaced. A Poisson process spaces them at random (the
gaps' coefficient of variation is 1). Real intake often is not: applications booked every half hour are
almost perfectly regular, while orders keyed in by the batch or a busy Monday's backlog come in bursts. The
spacing changes queueing a great deal (regular arrivals queue far less than random ones at the same rate,
bursty ones far more), so it is measured: each gap is expressed in *expected arrivals* at the hours it spans
(the integral of the rate profile; a Poisson process gives exponential gaps of mean 1 on that clock, whatever
the profile), and when those gaps are clearly not exponential their quantiles are kept and replayed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import stats

from procopt.model.types import WEEKDAYS, Arrivals

#: a weekly profile needs a week of arrivals
MIN_PROFILE_SPAN_S = 7 * 86_400.0
#: fewer gaps than this say too little about their shape: Poisson is kept
MIN_GAPS = 100
#: the gaps replace Poisson only when a Kolmogorov-Smirnov test rejects the exponential shape this clearly
GAP_TEST_P = 1e-3
#: equally spaced quantiles kept of the gaps (0 %, 2.5 %, ..., 100 %)
GAP_QUANTILES = 41


def fit_arrivals(
    arrival_times: pd.Series,
    *,
    span_start: pd.Timestamp | None = None,
    span_end: pd.Timestamp | None = None,
    gaps: bool = False,
) -> Arrivals:
    """Learn the weekly arrival-rate profile (cases per hour) from case arrival timestamps.

    The observation window is the first to the last arrival unless ``span_start``/``span_end`` say otherwise
    (the last N weeks of a log: a quiet last week must lower the rate, not shorten the window). With
    ``gaps``, the spacing of the arrivals is learned too (``fit_gaps``).
    """
    profile = _fit_profile(arrival_times, span_start, span_end)
    if not gaps:
        return profile
    return dataclasses.replace(profile, gap_quantiles=fit_gaps(arrival_times, profile))


def _fit_profile(arrival_times: pd.Series, span_start: pd.Timestamp | None, span_end: pd.Timestamp | None) -> Arrivals:
    t = pd.to_datetime(arrival_times).dropna()
    if t.empty:
        return Arrivals(dict.fromkeys(WEEKDAYS, (0.0,) * 24))
    lo = t.min() if span_start is None else min(pd.Timestamp(span_start), t.min())
    hi = t.max() if span_end is None else max(pd.Timestamp(span_end), t.max())
    span_s = (hi - lo).total_seconds()
    if span_s < MIN_PROFILE_SPAN_S:
        flat = round(len(t) / max(span_s / 3600.0, 1.0), 5)
        return Arrivals(dict.fromkeys(WEEKDAYS, (flat,) * 24))
    first, last = lo.normalize(), hi.normalize()
    days = pd.date_range(first, last, freq="D")
    n_weekday = np.bincount(days.weekday, minlength=7).astype(float)
    counts = np.zeros((7, 24))
    np.add.at(counts, (t.dt.weekday.to_numpy(), t.dt.hour.to_numpy()), 1.0)
    rate = counts / np.maximum(n_weekday, 1.0)[:, None]
    return Arrivals({d: tuple(round(float(v), 5) for v in rate[i]) for i, d in enumerate(WEEKDAYS)})


def expected_arrivals(times: pd.Series, arrivals: Arrivals) -> np.ndarray:
    """For each instant, the arrivals the rate profile expects from a fixed Monday 00:00 up to it (sorted)."""
    hourly = np.array([arrivals.rate_per_hour.get(d) or (0.0,) * 24 for d in WEEKDAYS], dtype=float).ravel()
    before_hour = np.concatenate(([0.0], np.cumsum(hourly)))  # expected arrivals before each hour of the week
    t = pd.to_datetime(times).dropna().sort_values()
    # whole weeks since a Monday, then the hour of the week and the fraction of it gone
    ns = t.to_numpy(dtype="datetime64[ns]").astype(np.int64) - pd.Timestamp("1970-01-05").value
    week_ns = 7 * 86_400 * 10**9
    weeks, in_week = np.divmod(ns, week_ns)
    hour = (in_week // (3_600 * 10**9)).astype(np.int64)
    fraction = (in_week - hour * 3_600 * 10**9) / (3_600 * 10**9)
    expected: np.ndarray = weeks * before_hour[-1] + before_hour[hour] + hourly[hour] * fraction
    return expected


def fit_gaps(arrival_times: pd.Series, arrivals: Arrivals) -> tuple[float, ...]:
    """Quantiles of the gaps between arrivals in expected arrivals (mean 1), or ``()`` when they look Poisson.

    A gap of 0.5 means the next case came after half the cases the profile expects in that time. Poisson
    arrivals give exponential gaps; only when a Kolmogorov-Smirnov test rejects that shape (p < ``GAP_TEST_P``,
    at least ``MIN_GAPS`` gaps) are the gaps kept. The longest 1 % are cut to the 99th percentile first: a
    holiday week or an outage is a closure the profile does not know, and replayed as a random gap it would
    stretch every other one when the gaps are rescaled to mean exactly 1 (so the arrival rate stays the
    profile's).
    """
    if arrivals.interarrival is not None or not any(any(v) for v in arrivals.rate_per_hour.values()):
        return ()
    gaps = np.diff(expected_arrivals(arrival_times, arrivals))
    if len(gaps) < MIN_GAPS or float(gaps.mean()) <= 0:
        return ()
    unit = gaps / float(gaps.mean())
    if float(stats.kstest(unit, "expon").pvalue) >= GAP_TEST_P:
        return ()
    kept = np.minimum(unit, np.quantile(unit, 0.99))
    if float(kept.mean()) < 0.8:
        # the long gaps carry the rate (cases stamped with a date only: all of a day's cases at midnight, then
        # a day's gap): they are the pattern, not outliers
        kept = unit
    q = np.quantile(kept, np.linspace(0.0, 1.0, GAP_QUANTILES))
    mean = interpolated_mean(q)
    if not np.isfinite(mean) or mean <= 0:
        return ()
    return tuple(round(float(v), 6) for v in q / mean)


def interpolated_mean(quantiles: np.ndarray | tuple[float, ...]) -> float:
    """The mean of the distribution sampled by linear interpolation between equally spaced quantiles."""
    q = np.asarray(quantiles, dtype=float)
    return float(np.mean((q[:-1] + q[1:]) / 2)) if len(q) > 1 else float(q[0])


def gap_cv(quantiles: tuple[float, ...]) -> float:
    """Coefficient of variation of the gaps sampled from ``quantiles`` (1 for Poisson, 0 for a fixed beat)."""
    if len(quantiles) < 2:
        return 1.0
    q = np.asarray(quantiles, dtype=float)
    a, b = q[:-1], q[1:]
    mean = float(np.mean((a + b) / 2))
    second = float(np.mean((a * a + a * b + b * b) / 3))  # E[X^2] of each linear piece, averaged
    return float(np.sqrt(max(second - mean * mean, 0.0))) / mean if mean > 0 else 0.0


def describe_spacing(arrivals: Arrivals) -> str:
    """How the cases are spaced, in words: at random (Poisson), more regularly, or in bursts."""
    if not arrivals.gap_quantiles:
        return "at random (Poisson)"
    cv = gap_cv(arrivals.gap_quantiles)
    together = float(np.mean(np.asarray(arrivals.gap_quantiles) == 0.0))
    if cv < 1.0:
        return f"more regularly than at random (gaps vary by {cv:.0%} of their mean, at random by 100%)"
    extra = f"; about {together:.0%} arrive together" if together >= 0.05 else ""
    return f"in bursts (gaps vary by {cv:.0%} of their mean, at random by 100%{extra})"
