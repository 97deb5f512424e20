"""Stage 2 (mine): hand-offs between departments.

Every time a case passes from one department to another (Sales enters the order, Finance checks the
credit), the work lands in a new in-tray. The delay of a hand-off is the waiting of the receiving
instance: from the sender's completion to the receiver's start (complete-only logs: to its
completion). Output: a long table ``from_department, to_department, count, delay_median_s,
delay_p90_s, delay_total_s`` (the matrix in long form), slowest first by median delay.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.mine import instances as I

COLUMNS = ["from_department", "to_department", "count", "delay_median_s", "delay_p90_s", "delay_total_s"]


def measure_handoffs(inst: pd.DataFrame, min_count: int = 5) -> pd.DataFrame:
    """Department-to-department hand-offs (different departments only), slowest median delay first."""
    prev, dep = inst[I.PREV_DEP_CODE].to_numpy(), inst[I.DEP_CODE].to_numpy()
    data = inst[(prev >= 0) & (dep >= 0) & (prev != dep)]
    if data.empty:
        return pd.DataFrame(columns=COLUMNS)
    # department codes are numbered in name order, so grouping by codes orders as grouping by names
    g = data.groupby([I.PREV_DEP_CODE, I.DEP_CODE], sort=True)[I.WAIT]
    out = pd.DataFrame(
        {"count": g.size(), "delay_median_s": g.median(), "delay_p90_s": g.quantile(0.9), "delay_total_s": g.sum()}
    ).reset_index()
    out.columns = COLUMNS
    names = np.asarray(I.labels_of(inst, I.DEPARTMENT, I.DEP_CODE), dtype=object)
    for col in ("from_department", "to_department"):
        out[col] = names[out[col].to_numpy()]
    out = out[out["count"] >= min(min_count, int(out["count"].max()))]
    return out.sort_values(["delay_median_s", "count"], ascending=[False, False], kind="stable").reset_index(drop=True)


def handoff_matrix(handoffs: pd.DataFrame, value: str = "count") -> pd.DataFrame:
    """Pivot the long table into a from x to matrix of ``value`` (count or delay_median_s)."""
    if handoffs.empty:
        return pd.DataFrame()
    return handoffs.pivot(index="from_department", columns="to_department", values=value)
