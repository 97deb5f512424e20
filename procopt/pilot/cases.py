"""Cases of a log as a pilot sees them: arrival, lead time, on time or late, segment or control.

Stage: pilot. A case belongs to the period in which it *arrived* (its first event), so a case that arrived
before the pilot and finished during it counts as "before". A case still open when the log was extracted has
no delivery yet: it is late when its due date has already passed, undecided otherwise; its lead time so far
(arrival -> extraction) is a lower bound and is counted as such, with the number of such cases reported.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procopt.errors import InputError
from procopt.log import columns as C
from procopt.model.expr import ExpressionError, parse_condition
from procopt.sim.kpi import case_kpis

HOUR = pd.Timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Segment:
    """A condition on case attributes, e.g. ``product == 'B'``, checked against the log's columns."""

    text: str

    def mask(self, cases: pd.DataFrame, source: object = None) -> pd.Series:
        """True for the cases of ``cases`` (one row per case, attribute columns) that match."""
        try:
            fn, used = parse_condition(self.text)
        except ExpressionError as exc:
            raise InputError(None, f"segment: {exc}", hint="e.g. --segment \"product == 'B'\"") from None
        missing = sorted(set(used) - set(cases.columns))
        if missing:
            known = [c for c in cases.columns if c not in CASE_COLUMNS]
            raise InputError(
                str(source) if source else None,
                f"the log has no attribute {', '.join(repr(m) for m in missing)} used by the segment {self.text!r}",
                hint="Case attributes in this log: " + (", ".join(known) or "none") + ".",
            )
        cols = sorted(used)
        rows = cases[cols].to_dict(orient="records") if cols else [{}] * len(cases)
        return pd.Series([bool(fn(_plain(r))) for r in rows], index=cases.index, dtype=bool)


CASE_COLUMNS = ("arrival", "end", "delivery_end", "due", "lead_time_h", "on_time", "open", "late")


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """numpy scalars -> Python values so comparisons with literals behave."""
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}


def case_table(
    events: pd.DataFrame, delivery_activity: str | None, extracted: pd.Timestamp | None = None
) -> pd.DataFrame:
    """One row per case: arrival, lead_time_h, on_time (True/False/NA), open, plus the case attributes.

    ``extracted`` is when the log was taken (default: its last event). Open = the case never reached the
    delivery activity; its lead time is counted up to ``extracted`` and it is late once its due date passed.
    """
    kpis = case_kpis(events, delivery_activity)
    if kpis.empty:
        return kpis.assign(open=pd.Series(dtype=bool), late=pd.Series(dtype="boolean"))
    extracted = extracted if extracted is not None else events[C.END].max()
    reached = kpis["delivery_end"].notna() if delivery_activity is not None else pd.Series(True, index=kpis.index)
    out = kpis.copy()
    out["open"] = ~reached.to_numpy()
    open_lead = (extracted - out["arrival"]) / HOUR
    out["lead_time_h"] = out["lead_time_h"].where(~out["open"], open_lead)
    deadline = out["due"]
    if deadline.notna().any() and (deadline.dropna() == deadline.dropna().dt.normalize()).all():
        deadline = deadline + pd.Timedelta(days=1)
    on_time = out["on_time"].astype("boolean")
    overdue = out["open"] & deadline.notna() & (deadline < extracted)
    on_time[overdue] = False
    out["on_time"] = on_time
    attrs = _case_attributes(events)
    return out.join(attrs, how="left")


def _case_attributes(events: pd.DataFrame) -> pd.DataFrame:
    """The first value of every non-contract column per case (case attributes repeat on each row)."""
    skip = set(C.CANONICAL)
    cols = [c for c in events.columns if c not in skip and not str(c).startswith("_")]
    if not cols:
        return pd.DataFrame(index=pd.Index(events[C.CASE].unique(), name=C.CASE))
    return events.groupby(C.CASE, sort=True)[cols].first()


def period_of(arrival: pd.Series, start: datetime.date, weeks: int, pre_weeks: int) -> pd.Series:
    """'before', 'during' or '' (outside both) for each arrival; weeks are counted from ``start``."""
    t0 = pd.Timestamp(start)
    during = (arrival >= t0) & (arrival < t0 + pd.Timedelta(weeks=weeks))
    before = (arrival < t0) & (arrival >= t0 - pd.Timedelta(weeks=pre_weeks))
    return pd.Series(np.select([during, before], ["during", "before"], ""), index=arrival.index)


def week_of(arrival: pd.Series, start: datetime.date) -> pd.Series:
    """Week number relative to ``start`` (0 = the first pilot week, -1 the week before)."""
    days = (arrival - pd.Timestamp(start)) / pd.Timedelta(days=1)
    return np.floor(days / 7.0).astype(int)
