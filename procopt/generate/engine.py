"""SimPy machinery of the true process: named people in pools, batch releases, the event record.

Stage: generate. Think of a credit department: two analysts (``Pool``) take orders first come, first
served, work only in office hours (``Timeline``) and write one line per finished check (``Recorder``).
The finance director instead signs everything waiting at 16:00 (``BatchRelease``). This module is the
true process behind the sample logs and is deliberately independent of ``procopt.sim``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from procopt.generate.calendar import Timeline

Proc = Generator[simpy.Event, Any, Any]


@dataclass(frozen=True, slots=True)
class Record:
    """One activity instance of the true process (times in simulation seconds)."""

    case: str
    activity: str
    start_s: float
    end_s: float
    resource: str
    department: str
    pool: str


class Recorder:
    """Collects the records, the approval decisions and the cases that reached their end."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.finished: dict[str, float] = {}
        self.decisions: list[tuple[str, str, bool]] = []

    def decide(self, case: str, activity: str, rejected: bool) -> None:
        """Note one approval decision (``rejected`` or approved)."""
        self.decisions.append((case, activity, rejected))

    def add(self, record: Record) -> None:
        """Keep one finished activity instance."""
        self.records.append(record)


class Pool:
    """People of one role taking work first come, first served, working only in calendar hours.

    ``names`` are the people; with ``shifts`` the pool has ``len(names) // shifts`` work places and the
    person doing a task is the one of the shift in which the task starts (e.g. early/late production).
    """

    def __init__(
        self,
        env: simpy.Environment,
        key: str,
        department: str,
        names: tuple[str, ...],
        timeline: Timeline,
        *,
        shift_of: Callable[[float], int] | None = None,
        shifts: int = 1,
        initial_places: int | None = None,
    ) -> None:
        self.env = env
        self.key = key
        self.department = department
        self.names = names
        self.timeline = timeline
        self.shift_of = shift_of
        self.shifts = shifts
        self.places = len(names) // shifts
        #: places taking work now (people who join later, see ``grow``, are named but not yet active)
        self.active = self.places if initial_places is None else initial_places
        self.store: simpy.Store = simpy.Store(env)
        self.store.items.extend(range(self.active))
        self.busy_work_s = 0.0

    def grow(self, at_s: float, n: int) -> None:
        """``n`` more places start taking work at ``at_s`` (a new hire on a given date)."""

        def join() -> Proc:
            yield self.env.timeout(max(at_s - self.env.now, 0.0))
            first = self.active
            self.active += n
            for place in range(first, first + n):
                self.store.put(place)

        self.env.process(join())

    def person(self, place: int, t: float) -> str:
        """Who works at ``place`` at time ``t``."""
        shift = self.shift_of(t) if self.shift_of is not None else 0
        return self.names[shift * self.places + place]

    def work(self, rec: Recorder, case: str, activity: str, work_s: float, department: str | None = None) -> Proc:
        """Queue for a person, do ``work_s`` seconds of work in calendar hours, record it."""
        place = yield self.store.get()
        start = self.timeline.next_open(self.env.now)
        end = self.timeline.add_work(start, work_s)
        yield self.env.timeout(end - self.env.now)
        self.store.put(place)  # always succeeds at once: the place is free for the next case
        # the ERP keeps the user who confirmed the work: in shift pools, the one on shift when it ends
        rec.add(
            Record(case, activity, start, end, self.person(place, end - 1e-6), department or self.department, self.key)
        )
        return end


class BatchRelease:
    """Work that is released only at fixed times: everything waiting at a release time is done then.

    Example: the finance director signs all pending approvals at 16:00 on working days, one after the
    other; a truck leaves at 10:00 and 15:00 and the dispatcher posts the goods issue of each order on it.
    """

    def __init__(self, env: simpy.Environment, pool: Pool, releases: list[float]) -> None:
        self.env = env
        self.pool = pool
        self.releases = releases
        self.waiting: list[tuple[simpy.Event, float]] = []
        env.process(self._run())

    def join(self, work_s: float) -> simpy.Event:
        """Wait for the next release; the event's value is ``(start_s, end_s, person)``."""
        event = self.env.event()
        self.waiting.append((event, work_s))
        return event

    def _run(self) -> Proc:
        for release in self.releases:
            if release > self.env.now:
                yield self.env.timeout(release - self.env.now)
            batch, self.waiting = self.waiting, []
            free_at = [release] * self.pool.active  # the people of the pool share the batch
            for event, work_s in batch:
                place = min(range(self.pool.active), key=free_at.__getitem__)
                t = free_at[place]
                event.succeed((t, t + work_s, self.pool.person(place, t)))
                free_at[place] = t + work_s

    def process(self, rec: Recorder, case: str, activity: str, work_s: float) -> Proc:
        """Join the batch, wait until this case's part of it is done, record it."""
        start, end, person = yield self.join(work_s)
        yield self.env.timeout(end - self.env.now)
        rec.add(Record(case, activity, start, end, person, self.pool.department, self.pool.key))
        return end


def lognormal(z: float, mean: float, cv: float) -> float:
    """A lognormal draw with the given mean and coefficient of variation from a standard normal ``z``."""
    sigma2 = float(np.log1p(cv * cv))
    return float(mean * np.exp(np.sqrt(sigma2) * z - sigma2 / 2.0))


def gamma_wh(z: float, mean: float, cv: float) -> float:
    """A gamma draw (Wilson–Hilferty) with the given mean and cv from a standard normal ``z``.

    Built from a normal rather than drawn directly so every duration comes from the same fixed
    table of normals per case: interventions then change the process, not the random numbers.
    """
    k = 1.0 / (cv * cv)
    c = 1.0 / (9.0 * k)
    x = 1.0 - c + z * np.sqrt(c)
    return float(mean * max(x, 0.05) ** 3)
