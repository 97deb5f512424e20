"""Small true processes with one known cause of waiting each, and the answer key per instance.

Stage: generate (test data for :mod:`procopt.mine.waiting`). Each case is two steps: ``Receive``
(a portal, always open, one minute) and ``Handle`` by a team whose behaviour injects one cause of
waiting in front of ``Handle``:

=================== =====================================================================================
scenario            what happens between the case becoming ready for ``Handle`` and its start
=================== =====================================================================================
``contention``      one clerk, always on duty, 80 % busy, first come first served: a queue
``prioritisation``  the same clerk, but orders marked ``urgent`` (30 %) jump the queue
``unavailability``  two clerks on duty Mon-Fri 09:00-17:00, work arrives round the clock, little load
``extraneous``      two idle clerks, but each case first waits for the customer (exponential, mean 4 h)
``batching``        a director signs once a day at 16:00 (Mon-Fri), a minute per order
``release_queue``   trucks at 10:00 and 16:00 (Mon-Fri); two clerks take turns loading after each release,
                    so starts spread over the hour after the release time (batching, then queueing)
``size_batch``      labels are printed when 10 orders have accumulated, back to back
``weekly_committee`` a committee meets on Thursdays at 10:00 and handles what has accumulated
=================== =====================================================================================

The answer key is computed from the simulation's own schedule, with the definitions of
:mod:`procopt.mine.waiting`: time held for a release or a batch to fill is *batching*, time the
case waits for the customer is *extraneous*, then within the remaining wait the assigned clerk's
off-duty time is *unavailability*, the time that clerk spends on cases that became ready later is
*prioritisation*, and on cases that became ready earlier *contention*. The miner sees only the log:
it must infer readiness, calendars and releases.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

from procopt.log import columns as C

SCENARIOS = (
    "contention",
    "prioritisation",
    "unavailability",
    "extraneous",
    "batching",
    "release_queue",
    "size_batch",
    "weekly_committee",
)
CAUSES = ("batching", "unavailability", "prioritisation", "contention", "extraneous")
_HOUR = 3600.0
_DAY = 86400.0
_WEEK = 7 * _DAY
_EPOCH = pd.Timestamp("2025-03-03")  # a Monday


@dataclass(frozen=True, slots=True)
class Shift:
    """Weekly duty hours: on ``days`` (0 = Monday) from ``start_h`` to ``end_h``."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    start_h: float = 0.0
    end_h: float = 24.0

    def on(self, t: float) -> bool:
        day = int(t // _DAY)
        hour = (t - day * _DAY) / _HOUR
        return day % 7 in self.days and self.start_h <= hour < self.end_h

    def next_on(self, t: float) -> float:
        """The first moment >= t on duty."""
        for k in range(15):
            day = int(t // _DAY) + k
            lo, hi = day * _DAY + self.start_h * _HOUR, day * _DAY + self.end_h * _HOUR
            if day % 7 in self.days and t < hi:
                return max(t, lo)
        raise ValueError("a shift with no duty days")

    def off_time(self, a: float, b: float) -> float:
        """Seconds off duty in [a, b)."""
        if b <= a:
            return 0.0
        on = 0.0
        for day in range(int(a // _DAY), int(b // _DAY) + 1):
            if day % 7 not in self.days:
                continue
            lo, hi = day * _DAY + self.start_h * _HOUR, day * _DAY + self.end_h * _HOUR
            on += max(0.0, min(b, hi) - max(a, lo))
        return (b - a) - on


@dataclass(frozen=True, slots=True)
class WaitingCauseLog:
    """The event table, the answer key per ``Handle`` instance (case, the five causes in seconds) and totals."""

    scenario: str
    events: pd.DataFrame
    truth: pd.DataFrame

    def totals(self) -> dict[str, float]:
        """True seconds of waiting per cause over all ``Handle`` instances."""
        return {c: float(self.truth[c].sum()) for c in CAUSES}


@dataclass(frozen=True, slots=True)
class _Setup:
    rate_per_h: float
    clerks: int
    shift: Shift
    service_min: tuple[float, float]  # uniform bounds, minutes
    exp_service_h: float = 0.0  # > 0: exponential service with this mean instead
    releases: tuple[tuple[int, float], ...] = ()  # (weekday, hour) release instants
    batch_size: int = 0
    urgent_share: float = 0.0
    customer_mean_h: float = 0.0


_SETUPS = {
    "contention": _Setup(0.8, 1, Shift(), (0, 0), exp_service_h=1.0),
    "prioritisation": _Setup(0.8, 1, Shift(), (0, 0), exp_service_h=1.0, urgent_share=0.3),
    "unavailability": _Setup(0.3, 2, Shift((0, 1, 2, 3, 4), 9.0, 17.0), (3, 7)),
    "extraneous": _Setup(0.5, 2, Shift(), (5, 15), customer_mean_h=4.0),
    "batching": _Setup(0.4, 1, Shift(), (0.5, 1.5), releases=tuple((d, 16.0) for d in range(5))),
    "release_queue": _Setup(
        1.0,
        2,
        Shift((0, 1, 2, 3, 4), 7.0, 19.0),
        (5, 12),
        releases=tuple((d, h) for d in range(5) for h in (10.0, 16.0)),
    ),
    "size_batch": _Setup(1.0, 1, Shift(), (2, 4), batch_size=10),
    "weekly_committee": _Setup(2.0 / 24.0, 1, Shift(), (8, 12), releases=((3, 10.0),)),
}


def generate_waiting_causes(scenario: str, *, seed: int = 1, days: int = 56) -> WaitingCauseLog:
    """Run the named scenario (see the module docstring) for ``days`` days of arrivals."""
    if scenario not in _SETUPS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    setup = _SETUPS[scenario]
    rng = np.random.default_rng(seed)
    horizon = days * _DAY
    gaps = rng.exponential(_HOUR / setup.rate_per_h, size=int(days * 24 * setup.rate_per_h * 2) + 50)
    ready = np.cumsum(gaps)
    ready = ready[ready < horizon] + 60.0  # Receive takes one minute from the arrival
    n = len(ready)
    if setup.exp_service_h > 0:
        service = rng.exponential(setup.exp_service_h * _HOUR, size=n)
    else:
        service = rng.uniform(setup.service_min[0] * 60.0, setup.service_min[1] * 60.0, size=n)
    urgent = rng.random(n) < setup.urgent_share
    customer = rng.exponential(setup.customer_mean_h * _HOUR, size=n) if setup.customer_mean_h > 0 else np.zeros(n)
    held = _hold_until(ready, setup)  # release or batch-full instant (>= ready)
    eligible = np.maximum(held, ready + customer)
    start, end, clerk = _serve(ready, eligible, service, urgent, setup)
    truth = _answer_key(ready, held, eligible, start, end, clerk, setup)
    events = _events(ready, start, end, clerk, urgent, scenario)
    truth.insert(0, "case", [f"C{i + 1:05d}" for i in range(n)])
    return WaitingCauseLog(scenario=scenario, events=events, truth=truth)


def _hold_until(ready: np.ndarray, setup: _Setup) -> np.ndarray:
    if setup.releases:
        week_offsets = np.array(sorted(d * _DAY + h * _HOUR for d, h in setup.releases))
        weeks = np.arange(0, int(ready.max() // _WEEK) + 3)
        instants = (weeks[:, None] * _WEEK + week_offsets[None, :]).ravel()
        held: np.ndarray = instants[np.searchsorted(instants, ready, side="left")]
        return held
    if setup.batch_size > 1:
        k = setup.batch_size
        last = np.minimum((np.arange(len(ready)) // k + 1) * k - 1, len(ready) - 1)
        full = ready[last]
        # an incomplete final batch never fills: it is released at the horizon (and stays in the log)
        return full
    return ready.copy()


def _serve(
    ready: np.ndarray, eligible: np.ndarray, service: np.ndarray, urgent: np.ndarray, setup: _Setup
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Earliest-free clerk takes the best eligible case (urgent first, then earliest ready)."""
    n = len(ready)
    order = np.argsort(eligible, kind="stable")
    free_at = [0.0] * setup.clerks
    start, end = np.zeros(n), np.zeros(n)
    clerk = np.zeros(n, dtype=np.int64)
    waiting: list[tuple[int, float, int]] = []
    nxt = 0
    now = 0.0  # starts never go back in time: a clerk free early had nothing eligible either
    for _ in range(n):
        k = int(np.argmin(free_at))
        t = max(free_at[k], now)
        if not waiting and nxt < n:
            t = max(t, float(eligible[order[nxt]]))
        t = setup.shift.next_on(t)
        while nxt < n and eligible[order[nxt]] <= t:
            i = int(order[nxt])
            heapq.heappush(waiting, (0 if urgent[i] else 1, float(ready[i]), i))
            nxt += 1
        if not waiting:  # next_on moved past nothing eligible: wait for the next case
            t = setup.shift.next_on(float(eligible[order[nxt]]))
            while nxt < n and eligible[order[nxt]] <= t:
                i = int(order[nxt])
                heapq.heappush(waiting, (0 if urgent[i] else 1, float(ready[i]), i))
                nxt += 1
        _, _, i = heapq.heappop(waiting)
        now = t
        start[i], end[i], clerk[i] = t, t + service[i], k
        free_at[k] = end[i]
    return start, end, clerk


def _answer_key(
    ready: np.ndarray,
    held: np.ndarray,
    eligible: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    clerk: np.ndarray,
    setup: _Setup,
) -> pd.DataFrame:
    n = len(ready)
    parts = {c: np.zeros(n) for c in CAUSES}
    by_clerk: dict[int, np.ndarray] = {k: np.flatnonzero(clerk == k) for k in range(setup.clerks)}
    for i in range(n):
        batching = max(0.0, min(held[i], start[i]) - ready[i])
        extraneous = max(0.0, min(eligible[i], start[i]) - max(held[i], ready[i]))
        a, b = max(eligible[i], ready[i]), start[i]
        off = setup.shift.off_time(a, b)
        prio = cont = 0.0
        if b > a:
            mine = by_clerk[int(clerk[i])]
            for j in mine[(start[mine] < b) & (end[mine] > a)]:
                if j == i:
                    continue
                overlap = _on_duty_overlap(setup.shift, max(a, start[j]), min(b, end[j]))
                if ready[j] > ready[i]:
                    prio += overlap
                else:
                    cont += overlap
        rest = max(0.0, (b - a) - off - prio - cont)
        parts["batching"][i] = batching
        parts["unavailability"][i] = off
        parts["prioritisation"][i] = prio
        parts["contention"][i] = cont
        parts["extraneous"][i] = extraneous + rest
    frame = pd.DataFrame(parts)
    frame["wait_s"] = start - ready
    return frame


def _on_duty_overlap(shift: Shift, a: float, b: float) -> float:
    return max(0.0, (b - a) - shift.off_time(a, b)) if b > a else 0.0


def _events(
    ready: np.ndarray, start: np.ndarray, end: np.ndarray, clerk: np.ndarray, urgent: np.ndarray, scenario: str
) -> pd.DataFrame:
    n = len(ready)
    cases = np.array([f"C{i + 1:05d}" for i in range(n)], dtype=object)
    team = {"batching": "Director", "weekly_committee": "Committee", "release_queue": "Loader"}.get(scenario, "Clerk")
    names = np.array([f"{team} {k + 1}" for k in range(int(clerk.max()) + 1)], dtype=object)

    def ts(seconds: np.ndarray) -> np.ndarray:
        stamps: np.ndarray = (_EPOCH + pd.to_timedelta(np.round(seconds), unit="s")).to_numpy()
        return stamps

    receive = pd.DataFrame(
        {
            C.CASE: cases,
            C.ACTIVITY: "Receive",
            C.START: ts(ready - 60.0),
            C.END: ts(ready),
            C.RESOURCE: "Portal",
            C.DEPARTMENT: "Sales",
            "urgent": urgent,
        }
    )
    handle = pd.DataFrame(
        {
            C.CASE: cases,
            C.ACTIVITY: "Handle",
            C.START: ts(start),
            C.END: ts(end),
            C.RESOURCE: names[clerk],
            C.DEPARTMENT: "Operations",
            "urgent": urgent,
        }
    )
    frame = pd.concat([receive, handle], ignore_index=True).sort_values([C.CASE, C.END], kind="stable")
    return C.normalise_frame(frame.reset_index(drop=True))
