"""Small true processes, each showing one mechanism real processes have, with the answer known.

Every generator returns a contract-style event table (``case``, ``activity``, ``start``, ``end``,
``resource`` and case attributes) and a ``Truth`` with the numbers a calibrated model must reproduce. They are
deliberately tiny (one or two steps around the mechanism) so a test can tell the mechanism from everything
else:

* ``parallel_log``: two checks run at the same time after the order is received; shipping waits for both.
* ``speeds_log``: one desk, two clerks, one three times as fast as the other, a FIFO queue.
* ``priority_log``: one desk serving the most valuable waiting case first.
* ``drift_log``: the same two-step process, ten times faster after a change date.
* ``applicant_log``: the "resource" column names the applicant (one person per case), not the staff.

All clocks run 24/7 so calendars do not interfere; durations are exponential or lognormal; seeded.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ORIGIN = pd.Timestamp("2024-01-01")  # a Monday
HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Truth:
    """The true answers: mean lead time (hours) and whatever the mechanism is about."""

    mean_lead_time_h: float
    facts: dict[str, float | str] = field(default_factory=dict)


def _frame(
    rows: list[tuple[str, str, float, float, str]], attrs: dict[str, dict[str, object]] | None = None
) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["case", "activity", "start_s", "end_s", "resource"])
    frame["start"] = ORIGIN + pd.to_timedelta(frame.pop("start_s").round(), unit="s")
    frame["end"] = ORIGIN + pd.to_timedelta(frame.pop("end_s").round(), unit="s")
    if attrs:
        table = pd.DataFrame.from_dict(attrs, orient="index")
        frame = frame.join(table, on="case")
    return frame.sort_values(["case", "start", "end"], kind="stable").reset_index(drop=True)


def parallel_log(*, seed: int = 0, cases: int = 600, gap_h: float = 2.0) -> tuple[pd.DataFrame, Truth]:
    """Receive (0.5 h) -> {Check Stock (mean 4 h) ∥ Check Credit (mean 3 h)} -> Ship (1 h). No queueing
    (every instance has its own clerk), so the lead time is 0.5 + E[max(stock, credit)] + 1 hours; run in
    sequence it would be 0.5 + 4 + 3 + 1."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, float, float, str]] = []
    t = 0.0
    leads = []
    for i in range(cases):
        t += rng.exponential(gap_h * HOUR)
        case = f"P{i:05d}"
        r_end = t + 0.5 * HOUR
        stock = rng.exponential(4.0 * HOUR)
        credit = rng.exponential(3.0 * HOUR)
        join = r_end + max(stock, credit)
        ship_end = join + 1.0 * HOUR
        rows += [
            (case, "Receive", t, r_end, f"clerk{i % 50}"),
            (case, "Check Stock", r_end, r_end + stock, f"store{i % 50}"),
            (case, "Check Credit", r_end, r_end + credit, f"finance{i % 50}"),
            (case, "Ship", join, ship_end, f"driver{i % 50}"),
        ]
        leads.append((ship_end - t) / HOUR)
    # E[max] of two exponentials with means a, b: a + b - ab/(a+b)
    a, b = 4.0, 3.0
    expected = 0.5 + a + b - a * b / (a + b) + 1.0
    return _frame(rows), Truth(
        expected, {"sequential_lead_time_h": 0.5 + a + b + 1.0, "sample_mean_h": float(np.mean(leads))}
    )


def _single_desk(
    arrivals: np.ndarray,
    work: np.ndarray,
    clerks: dict[str, float],
    priority: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A queue in front of ``clerks`` (name -> duration multiplier); who is served next: FIFO, or the
    lowest ``priority`` value among those waiting. Returns start, end and the clerk per case."""
    n = len(arrivals)
    start, end = np.zeros(n), np.zeros(n)
    who = [""] * n
    free_at = dict.fromkeys(clerks, 0.0)
    waiting: list[tuple[float, int]] = []
    nxt = 0
    now = 0.0
    done = 0
    while done < n:
        clerk = min(free_at, key=lambda c: (free_at[c], c))
        now = max(now, free_at[clerk])
        while nxt < n and arrivals[nxt] <= now:
            heapq.heappush(waiting, (priority[nxt] if priority is not None else arrivals[nxt], nxt))
            nxt += 1
        if not waiting:
            now = arrivals[nxt]
            continue
        _, i = heapq.heappop(waiting)
        start[i] = max(now, arrivals[i])
        end[i] = start[i] + work[i] * clerks[clerk]
        who[i] = clerk
        free_at[clerk] = end[i]
        done += 1
    return start, end, who


def speeds_log(*, seed: int = 0, cases: int = 1500) -> tuple[pd.DataFrame, Truth]:
    """Register (instant) -> Review at one desk: Ana takes 1 h on average, Ben 3 h (a 3x slower person),
    FIFO, about 60 % busy. Truth: each clerk's mean Review duration."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(2.4 * HOUR, cases))
    work = rng.lognormal(np.log(1.0 * HOUR) - 0.08, 0.4, cases)
    start, end, who = _single_desk(arrivals, work, {"Ana": 1.0, "Ben": 3.0}, None)
    rows: list[tuple[str, str, float, float, str]] = []
    for i in range(cases):
        case = f"S{i:05d}"
        rows.append((case, "Register", arrivals[i], arrivals[i], "system"))
        rows.append((case, "Review", start[i], end[i], who[i]))
    frame = _frame(rows)
    by = frame[frame["activity"] == "Review"].assign(h=lambda f: (f["end"] - f["start"]).dt.total_seconds() / HOUR)
    means = by.groupby("resource")["h"].mean()
    lead = (end - arrivals) / HOUR
    return frame, Truth(float(lead.mean()), {"Ana_h": float(means["Ana"]), "Ben_h": float(means["Ben"])})


def priority_log(*, seed: int = 0, cases: int = 1500) -> tuple[pd.DataFrame, Truth]:
    """Receive (instant) -> Approve at a one-person desk (mean 1 h, ~85 % busy) that always takes the
    waiting case of the highest ``order_value`` first. Truth: the rule is ``highest_value``."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / 0.85 * HOUR, cases))
    work = rng.exponential(1.0 * HOUR, cases)
    value = np.round(rng.lognormal(8.0, 1.0, cases), 2)
    start, end, who = _single_desk(arrivals, work, {"Dana": 1.0}, -value)
    rows: list[tuple[str, str, float, float, str]] = []
    attrs: dict[str, dict[str, object]] = {}
    for i in range(cases):
        case = f"Q{i:05d}"
        rows.append((case, "Receive", arrivals[i], arrivals[i], "system"))
        rows.append((case, "Approve", start[i], end[i], who[i]))
        attrs[case] = {"order_value": float(value[i])}
    lead = (end - arrivals) / HOUR
    return _frame(rows, attrs), Truth(float(lead.mean()), {"priority": "highest_value"})


def drift_log(*, seed: int = 0, cases: int = 1200, change_share: float = 0.5) -> tuple[pd.DataFrame, Truth]:
    """Open -> Handle -> Close with no queueing; after the change (the first ``change_share`` of the
    cases) every wait and every task is ten times shorter. Truth: the change date and the recent lead time."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, float, float, str]] = []
    t = 0.0
    change_at = 0.0
    recent = []
    for i in range(cases):
        t += rng.exponential(3.0 * HOUR)
        fast = i >= change_share * cases
        if fast and change_at == 0.0:
            change_at = t
        k = 0.1 if fast else 1.0
        case = f"D{i:05d}"
        open_end = t + k * rng.exponential(0.5 * HOUR)
        h_start = open_end + k * rng.exponential(20.0 * HOUR)
        h_end = h_start + k * rng.exponential(2.0 * HOUR)
        c_end = h_end + k * rng.exponential(10.0 * HOUR)
        rows += [
            (case, "Open", t, open_end, f"clerk{i % 7}"),
            (case, "Handle", h_start, h_end, f"agent{i % 9}"),
            (case, "Close", c_end, c_end, f"clerk{i % 7}"),
        ]
        if fast:
            recent.append((c_end - t) / HOUR)
    return _frame(rows), Truth(
        float(np.mean(recent)) if recent else float("nan"),
        {"changed_at": str(ORIGIN + pd.Timedelta(seconds=round(change_at))), "factor": 10.0},
    )


def applicant_log(*, seed: int = 0, cases: int = 400) -> tuple[pd.DataFrame, Truth]:
    """Submit -> Assess -> Decide where the ``resource`` column holds the applicant's name (one per case)."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, float, float, str]] = []
    t = 0.0
    for i in range(cases):
        t += rng.exponential(4.0 * HOUR)
        case, person = f"A{i:05d}", f"applicant-{i:05d}"
        a0 = t + rng.exponential(5.0 * HOUR)
        a1 = a0 + rng.exponential(2.0 * HOUR)
        d0 = a1 + rng.exponential(8.0 * HOUR)
        d1 = d0 + rng.exponential(1.0 * HOUR)
        rows += [
            (case, "Submit", t, t, person),
            (case, "Assess", a0, a1, person),
            (case, "Decide", d0, d1, person),
        ]
    return _frame(rows), Truth(5.0 + 2.0 + 8.0 + 1.0, {"people": float(cases)})
