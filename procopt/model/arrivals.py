"""Stage 3 (model): when cases arrive — a rate per weekday and hour.

A case arrives when its first activity starts (or completes, in complete-only logs). The rate of hour
``h`` on weekday ``d`` is the number of arrivals in that hour over the number of such hours in the log's
span, so a quiet Friday afternoon and a busy Monday morning are both kept. A log spanning less than a week
shows no weekly pattern (one Monday morning says nothing about Tuesday): its mean rate over the span applies
to every hour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.model.types import WEEKDAYS, Arrivals

#: a weekly profile needs a week of arrivals
MIN_PROFILE_SPAN_S = 7 * 86_400.0


def fit_arrivals(
    arrival_times: pd.Series, *, span_start: pd.Timestamp | None = None, span_end: pd.Timestamp | None = None
) -> Arrivals:
    """Learn the weekly arrival-rate profile (cases per hour) from case arrival timestamps.

    The observation window is the first to the last arrival unless ``span_start``/``span_end`` say otherwise
    (the last N weeks of a log: a quiet last week must lower the rate, not shorten the window).
    """
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
