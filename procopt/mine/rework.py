"""Stage 2 (mine): rework — steps done again within the same case.

"Inspect Quality -> Rework -> Inspect Quality" means a loop: the second inspection, the rework and
the waiting in between are time lost. For every activity that occurs more than once in a case this
module counts the repeats and the loops A -> ... -> A (the activities between two occurrences), and
the time lost: from the end of the first occurrence to the end of the repeat, summed over repeats.

Outputs: ``activities`` table ``activity, cases_with_repeat, repeats, share_of_cases, time_lost_s``
and ``loops`` table ``loop, activity, count, cases, time_lost_median_s``, most frequent first.
"""

from __future__ import annotations

import pandas as pd

from procopt.mine import instances as I
from procopt.mine.discovery import VARIANT_SEP

MAX_LOOP_LEN = 6


def measure_rework(inst: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (repeated activities, loops); both empty when nothing is repeated."""
    act_cols = ["activity", "cases_with_repeat", "repeats", "share_of_cases", "time_lost_s"]
    loop_cols = ["loop", "activity", "count", "cases", "time_lost_median_s"]
    occurrence = inst.groupby([I.CODE, I.ACT_CODE], sort=False).cumcount()
    repeats = inst[occurrence > 0]
    if repeats.empty:
        return pd.DataFrame(columns=act_cols), pd.DataFrame(columns=loop_cols)
    # previous occurrence of the same activity in the same case
    prev_pos = inst.groupby([I.CODE, I.ACT_CODE], sort=False)[I.POS].shift(1)
    prev_end = inst.groupby([I.CODE, I.ACT_CODE], sort=False)[I.END].shift(1)
    lost = (inst[I.END] - prev_end).dt.total_seconds()
    rep = pd.DataFrame(
        {"activity": inst[I.ACTIVITY], "case": inst[I.CODE], "lost": lost, "pos": inst[I.POS], "prev_pos": prev_pos}
    )[occurrence > 0]
    n_cases = inst[I.CODE].nunique()
    g = rep.groupby("activity", sort=True)
    acts = pd.DataFrame({"cases_with_repeat": g["case"].nunique(), "repeats": g.size(), "time_lost_s": g["lost"].sum()})
    acts["share_of_cases"] = acts["cases_with_repeat"] / n_cases
    acts = acts.reset_index()[act_cols].sort_values(["repeats", "activity"], ascending=[False, True])
    loops = _loops(inst, rep)
    return acts.reset_index(drop=True), loops[loop_cols] if not loops.empty else pd.DataFrame(columns=loop_cols)


def _loops(inst: pd.DataFrame, rep: pd.DataFrame) -> pd.DataFrame:
    """Name each repeat by the path since the previous occurrence, e.g. 'Inspect → Rework → Inspect'."""
    names = inst[I.ACTIVITY].to_numpy()
    base = inst.index.to_numpy() - inst[I.POS].to_numpy()  # row of the case's first instance
    rows = []
    for idx, r in zip(rep.index, rep.itertuples(index=False), strict=True):
        span = int(r.pos - r.prev_pos)
        first = int(base[idx] + r.prev_pos)
        path = names[first : first + span + 1]
        label = (
            f" {VARIANT_SEP} ".join(path)
            if span <= MAX_LOOP_LEN
            else f"{path[0]} {VARIANT_SEP} … ({span - 1} steps) {VARIANT_SEP} {path[-1]}"
        )
        rows.append((label, r.activity, r.case, r.lost))
    frame = pd.DataFrame(rows, columns=["loop", "activity", "case", "lost"])
    g = frame.groupby(["loop", "activity"], sort=True)
    out = pd.DataFrame({"count": g.size(), "cases": g["case"].nunique(), "time_lost_median_s": g["lost"].median()})
    return out.reset_index().sort_values(["count", "loop"], ascending=[False, True]).reset_index(drop=True)
