"""Measure the true KPIs and the evidence behind the answer key of a generated log.

Stage: generate. Input: the contract event table of a generated log plus what only the generator knows
(which cases finished, which approvals rejected, who belongs to which pool). Output: plain numbers for
``GroundTruth``: lead time, delivery rate, pool utilisation, waiting per activity, hand-off waits.

Definitions (the same ones the README states, so anyone can recompute them from the file):
- measured cases: first event starts at or after start + warm-up days, and the case reached its end
  before the log was extracted;
- lead time: first event start -> completion of the delivery activity (last event end if none);
- delivery rate: share of measured cases whose delivery activity completes at or before the due date;
- waiting before an activity: its start minus the end of the previous activity of the case;
- hand-off wait: that waiting when the previous activity belongs to another department.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from procopt.generate.calendar import DAY_S
from procopt.generate.engine import Pool, Record
from procopt.log import columns as C

HOUR = pd.Timedelta(hours=1)
MIN_HANDOFFS = 20


def measured_cases(events: pd.DataFrame, finished: set[str], start: pd.Timestamp, warmup_days: int) -> pd.Index:
    """Cases that started after the warm-up and finished."""
    first = events.groupby(C.CASE, sort=True)[C.START].min()
    keep = (first >= start + pd.Timedelta(days=warmup_days)) & first.index.isin(sorted(finished))
    return first.index[keep]


def case_kpis(events: pd.DataFrame, cases: pd.Index, delivery_activity: str) -> dict[str, float]:
    """Mean lead time (h), delivery rate and mean cycle time (h) over ``cases``."""
    ev = events[events[C.CASE].isin(cases)]
    grouped = ev.groupby(C.CASE, sort=True)
    first = grouped[C.START].min()
    last = grouped[C.END].max()
    due = grouped[C.DUE].first()
    delivered = ev[ev[C.ACTIVITY] == delivery_activity].groupby(C.CASE)[C.END].max().reindex(first.index)
    lead = (delivered.fillna(last) - first) / HOUR
    on_time = delivered.notna() & (delivered <= due)
    return {
        "lead_time_mean_h": round(float(lead.mean()), 3) if len(lead) else float("nan"),
        "delivery_rate": round(float(on_time.mean()), 4) if len(lead) else float("nan"),
        "cycle_time_mean_h": round(float(((last - first) / HOUR).mean()), 3) if len(lead) else float("nan"),
        "cases_measured": int(len(lead)),
        "delivery_rate_delivered_cases": round(float(on_time[delivered.notna()].mean()), 4)
        if delivered.notna().any()
        else float("nan"),
    }


def waits(events: pd.DataFrame) -> pd.DataFrame:
    """Each activity instance with the previous activity of its case and the waiting in between (h)."""
    ev = events.sort_values([C.CASE, C.END, C.START], kind="stable")
    prev_end = ev.groupby(C.CASE)[C.END].shift()
    return pd.DataFrame(
        {
            "activity": ev[C.ACTIVITY],
            "department": ev[C.DEPARTMENT],
            "prev_activity": ev.groupby(C.CASE)[C.ACTIVITY].shift(),
            "prev_department": ev.groupby(C.CASE)[C.DEPARTMENT].shift(),
            "wait_h": (ev[C.START] - prev_end) / HOUR,
        }
    ).dropna(subset=["wait_h"])


def activity_waits(events: pd.DataFrame) -> dict[str, float]:
    """Mean waiting (h) before each activity."""
    mean = waits(events).groupby("activity")["wait_h"].mean()
    return {str(k): round(float(v), 3) for k, v in mean.sort_index().items()}


def handoff_waits(events: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Mean waiting (h) of every cross-department hand-off seen at least MIN_HANDOFFS times."""
    w = waits(events)
    w = w[w["department"] != w["prev_department"]]
    stats = w.groupby(["prev_department", "department"])["wait_h"].agg(["mean", "size"])
    stats = stats[stats["size"] >= MIN_HANDOFFS]
    return {(str(a), str(b)): round(float(m), 3) for (a, b), m in stats["mean"].sort_index().items()}


def pool_utilisation(pool: Pool, records: Sequence[Record], warmup_days: int, days: int) -> float:
    """Share of the pool's working time (after the warm-up) its people spent on recorded work.

    ``records`` are the pool's own records (or all records; others are skipped).
    """
    t0, t1 = warmup_days * DAY_S, days * DAY_S
    tl = pool.timeline
    busy = sum(
        tl.work_between(max(r.start_s, t0), min(r.end_s, t1)) for r in records if r.end_s > t0 and r.pool == pool.key
    )
    available = pool.places * tl.work_between(t0, t1)
    return round(busy / available, 4) if available > 0 else 0.0


def reject_rates(counts: Mapping[str, int], rejections: Mapping[str, int]) -> dict[str, float]:
    """Share of decisions that rejected, per approval activity."""
    return {a: round(rejections.get(a, 0) / n, 4) for a, n in sorted(counts.items()) if n}
