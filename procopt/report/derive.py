"""Small per-case summaries the report needs straight from the event table.

Everything about the process itself (map, variants, value stream, waits) comes from the mining result; here
are only the per-case lead times to the delivery step (chosen by ``procopt.log.delivery``'s one rule, passed
in), the pilot-segment comparison — for each case attribute such as region or product, which value shows the
delivery problem most — and the drawing order of the map's activities. Like a plant manager walking the floor
by line and by shift before choosing where to pilot a change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procopt.log.columns import ACTIVITY, CANONICAL, CASE, DUE, END, SOURCE_ROW, START

#: a segment attribute has between 2 and this many values, and each value reported needs this many cases
MAX_LEVELS = 12
MIN_CASES = 10
#: ...and at least this share of the cases: a pilot in a sliver of the log (traffic fines: 10 of 10,000 cases
#: with one postage fee) shows nothing before/after and is no place to start
MIN_SHARE = 0.02


@dataclass(frozen=True, slots=True)
class Segment:
    """One attribute value: its case count, on-time rate (None without due dates) and median lead time."""

    attribute: str
    value: str
    cases: int
    on_time_rate: float | None
    lead_time_median_h: float


def case_table(events: pd.DataFrame, delivery_activity: str | None = None) -> pd.DataFrame:
    """One row per case: lead time (first start, or end, to delivery completion) and on-time flag."""
    first = events[START].fillna(events[END]).groupby(events[CASE]).min()
    ends = events[END].groupby(events[CASE]).max()
    if delivery_activity is not None and (events[ACTIVITY] == delivery_activity).any():
        delivered = events.loc[events[ACTIVITY] == delivery_activity].groupby(CASE)[END].max()
        ends = delivered.reindex(ends.index).fillna(ends)
    table = pd.DataFrame({"lead_time_h": (ends - first).dt.total_seconds() / 3600.0})
    due = events.groupby(CASE)[DUE].first()
    if due.notna().any():
        table["on_time"] = (ends <= due).where(due.notna())
    return table


def segment_attributes(events: pd.DataFrame) -> list[str]:
    """Case attributes usable for segmentation: constant per case, 2..MAX_LEVELS values, not timestamps."""
    names: list[str] = []
    for col in events.columns:
        if col in CANONICAL or col == SOURCE_ROW or pd.api.types.is_datetime64_any_dtype(events[col]):
            continue
        per_case = events.groupby(CASE)[col].nunique(dropna=True)
        levels = events[col].nunique(dropna=True)
        if 2 <= levels <= MAX_LEVELS and (per_case <= 1).all():
            names.append(str(col))
    return names


def compare_segments(events: pd.DataFrame, delivery_activity: str | None = None) -> list[Segment]:
    """Every (attribute, value) with enough cases, worst first (lowest on-time rate, else longest lead time).

    Only cases that reached the delivery activity count (a case cut by the extraction has no known outcome).
    """
    cases = case_table(events, delivery_activity)
    if delivery_activity is not None and (events[ACTIVITY] == delivery_activity).any():
        cases = cases.loc[cases.index.isin(events.loc[events[ACTIVITY] == delivery_activity, CASE].unique())]
    out: list[Segment] = []
    least = max(MIN_CASES, int(np.ceil(MIN_SHARE * len(cases))))
    for attr in segment_attributes(events):
        values = events.groupby(CASE)[attr].first().reindex(cases.index)
        for value, idx in values.groupby(values.astype(str)).groups.items():
            part = cases.loc[idx]
            if len(part) < least or value in {"nan", "<NA>", "None"}:
                continue
            rate = None
            if "on_time" in part and part["on_time"].notna().any():
                rate = float(part["on_time"].dropna().astype(float).mean())
            out.append(Segment(attr, str(value), len(part), rate, float(np.nanmedian(part["lead_time_h"]))))
    has_rate = any(s.on_time_rate is not None for s in out)
    if has_rate:
        out.sort(
            key=lambda s: (
                s.on_time_rate if s.on_time_rate is not None else 2.0,
                -s.lead_time_median_h,
                s.attribute,
                s.value,
            )
        )
    else:
        out.sort(key=lambda s: (-s.lead_time_median_h, s.attribute, s.value))
    return out


def activity_order(events: pd.DataFrame) -> list[str]:
    """Activities in typical flow order: by their mean relative position within cases."""
    rank = events.groupby(CASE).cumcount() / events.groupby(CASE)[ACTIVITY].transform("size").clip(lower=1)
    mean_pos = rank.groupby(events[ACTIVITY]).mean()
    return [str(a) for a in mean_pos.sort_values(kind="stable").index]
