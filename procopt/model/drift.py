"""Stage 3 (model): did the process change during the log? (concept drift in timing)

A model calibrated on a whole log averages the before and the after: on a municipality's receipt log the
steps became about ten times faster in early 2011, and a model fitted on all of it is slow for today's cases
and fast for last year's. The check looks at the time between consecutive events of a case (long gaps are
waits, short ones quick hand-offs), tries every cut between the first and the last fifth, and keeps the cut
where the typical gap (geometric mean of 1 + seconds) differs most between
before and after. It reports a change when the typical gap changed by a factor of ``MIN_FACTOR`` or more and
a Mann–Whitney test puts chance below 1e-6. The remedy it suggests is to calibrate on the recent part
(``--recent WEEKS``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from procopt.log import columns as C

MIN_FACTOR = 3.0
MIN_EVENTS = 200
#: candidate cuts: every 5 % of the events between these shares
CUT_RANGE = (0.2, 0.8)


def detect_drift(events: pd.DataFrame, arrival: pd.Series | None = None) -> dict[str, Any] | None:
    """``{"changed_at", "before_h", "after_h", "factor", "recent_weeks", "message"}`` or None (no clear change).

    ``arrival`` is unused today (kept so that a case-level check can be added without changing callers).
    """
    ev = events.dropna(subset=[C.END]).sort_values([C.CASE, C.END], kind="stable")
    if ev.empty:
        return None
    by_case = ev.groupby(C.CASE, sort=False)[C.END]
    first = by_case.transform("min")
    # Only cases that had time to finish: near the log's end only the short ones have (which looks like a
    # speed-up), and a sample of cases by start date leaves only the long tails there (a slow-down). Cases are
    # ordered by when they arrived, so each is compared with cases of its own time.
    spans = (by_case.max() - by_case.min()).dt.total_seconds()
    horizon = pd.Timedelta(seconds=float(spans.quantile(0.9)))
    done = first <= ev[C.END].max() - horizon
    gap = by_case.diff().dt.total_seconds()
    frame = pd.DataFrame({"t": first, "gap": gap})[done].dropna().sort_values("t", kind="stable")
    frame = frame[frame["gap"] >= 0]
    n = len(frame)
    if n < MIN_EVENTS:
        return None
    logs = np.log1p(frame["gap"].to_numpy(dtype=float))
    csum = np.concatenate([[0.0], np.cumsum(logs)])
    best: tuple[float, int] | None = None
    for share in np.arange(CUT_RANGE[0], CUT_RANGE[1] + 1e-9, 0.05):
        k = int(share * n)
        before = csum[k] / k
        after = (csum[n] - csum[k]) / (n - k)
        diff = abs(after - before)
        if best is None or diff > best[0]:
            best = (diff, k)
    if best is None:
        return None
    k = best[1]
    x, y = logs[:k], logs[k:]
    typical_before = math.expm1(float(x.mean()))
    typical_after = math.expm1(float(y.mean()))
    lo, hi = sorted((max(typical_before, 1.0), max(typical_after, 1.0)))
    factor = hi / lo
    if factor < MIN_FACTOR:
        return None
    if float(stats.mannwhitneyu(x, y).pvalue) >= 1e-6:
        return None
    changed_at = pd.Timestamp(frame["t"].iloc[k])
    end = pd.Timestamp(ev[C.END].max())
    weeks = max(1, int((end - changed_at).total_seconds() // (7 * 86400)))
    faster = typical_after < typical_before
    message = (
        f"the process changed around {changed_at:%Y-%m-%d}: the typical wait between two steps of a case went "
        f"from {_human(typical_before)} to {_human(typical_after)} ({factor:.0f}x {'faster' if faster else 'slower'}). "
        f"A model of the whole log mixes both; calibrate on the recent part with --recent {weeks}."
    )
    return {
        "changed_at": str(changed_at),
        "before_h": round(typical_before / 3600.0, 4),
        "after_h": round(typical_after / 3600.0, 4),
        "factor": round(factor, 2),
        "recent_weeks": weeks,
        "message": message,
    }


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
