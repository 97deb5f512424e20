"""Stage 3 (model): prioritisation — which cases jump the queue, learned from who was served first.

Picture an approvals desk with a pile of requests: does the clerk take the oldest first (FIFO), the one due
soonest, or the biggest order? The log answers it at every moment the clerk picked a case while others were
waiting too. For each started instance ``j`` and each instance ``i`` of the same activity that was already
ready (``enabled``) at ``j``'s start but started later, ``j`` was preferred over ``i``. Each rule predicts
that choice: FIFO the one ready first, earliest-due-date the one due first, highest-value the larger order.
A rule other than FIFO is kept when it explains at least 70 % of the choices and at least 15 points more than
FIFO, over 50 or more comparable pairs; otherwise the queue stays FIFO (ties and missing values explain
nothing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.log import columns as C

MIN_PAIRS = 50
MIN_AGREEMENT = 0.7
MIN_MARGIN = 0.15
#: look at the next instances started after ``j`` (the queue in front of one desk is rarely longer)
MAX_AHEAD = 30


def learn_priority(instances: pd.DataFrame, value: pd.Series | None, due: pd.Series | None) -> str:
    """``fifo``, ``earliest_due_date`` or ``highest_value`` for one activity's instances.

    ``instances`` needs ``enabled``, START and CASE; ``value`` and ``due`` are indexed by case (or None).
    """
    inst = instances.dropna(subset=["enabled", C.START]).sort_values(C.START, kind="stable")
    if len(inst) < 20:
        return "fifo"
    start = inst[C.START].to_numpy(dtype="datetime64[ns]").view("int64")
    ready = inst["enabled"].to_numpy(dtype="datetime64[ns]").view("int64")
    cases = inst[C.CASE].to_numpy()
    val = value.reindex(cases).to_numpy(dtype=float) if value is not None else None
    dd = (
        pd.to_datetime(due.reindex(cases)).to_numpy(dtype="datetime64[ns]").view("int64").astype(float)
        if due is not None
        else None
    )
    if dd is not None:
        dd[dd < -9e18] = np.nan  # NaT
    chosen: list[int] = []
    waiting: list[int] = []
    n = len(inst)
    for j in range(n):
        for i in range(j + 1, min(n, j + 1 + MAX_AHEAD)):
            if start[i] > start[j] and ready[i] <= start[j]:
                chosen.append(j)
                waiting.append(i)
    if len(chosen) < MIN_PAIRS:
        return "fifo"
    cj, wi = np.asarray(chosen), np.asarray(waiting)

    def agreement(key: np.ndarray | None, smaller_first: bool) -> float:
        if key is None:
            return 0.0
        a, b = key[cj], key[wi]
        ok = np.isfinite(a) & np.isfinite(b) & (a != b)
        if ok.sum() < MIN_PAIRS:
            return 0.0
        right = (a[ok] < b[ok]) if smaller_first else (a[ok] > b[ok])
        return float(right.mean()) * float(ok.mean())

    fifo = agreement(ready.astype(float), True)
    scores = {"earliest_due_date": agreement(dd, True), "highest_value": agreement(val, False)}
    rule, best = max(scores.items(), key=lambda kv: kv[1])
    if best >= MIN_AGREEMENT and best >= fifo + MIN_MARGIN:
        return rule
    return "fifo"
