"""Working calendars of the true process: weekly opening hours unrolled over the simulated period.

Stage: generate (the *true* process behind the sample logs). Input: weekly hours and public holidays;
output: a :class:`Timeline` that answers "when does 50 minutes of work started at Friday 16:40 end?"
(Monday 08:30 for an office worker). The simulation clock counts float seconds from day 0, 00:00,
and day 0 is always a Monday.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

DAY_S = 86_400.0
HOUR_S = 3_600.0
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def hhmm(text: str) -> float:
    """Seconds after midnight of a ``"HH:MM"`` clock time."""
    hours, minutes = text.split(":")
    return int(hours) * HOUR_S + int(minutes) * 60.0


def clock(seconds_of_day: float) -> str:
    """``"HH:MM"`` of a number of seconds after midnight."""
    minutes = int(round(seconds_of_day / 60.0))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class WeeklyCalendar:
    """Opening hours repeated every week, e.g. an office: Mon–Fri 08:00–12:00 and 13:00–17:00."""

    name: str
    hours: tuple[tuple[str, str], ...]
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)

    def describe(self) -> str:
        """Readable form, e.g. ``"Mon-Fri 08:00-12:00,13:00-17:00"``."""
        days = self.weekdays
        if days == tuple(range(days[0], days[-1] + 1)) and len(days) > 1:
            day_text = f"{WEEKDAY_NAMES[days[0]]}-{WEEKDAY_NAMES[days[-1]]}"
        else:
            day_text = ",".join(WEEKDAY_NAMES[d] for d in days)
        return f"{day_text} " + ",".join(f"{a}-{b}" for a, b in self.hours)


def is_working_day(day: int, holidays: frozenset[int], weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)) -> bool:
    """True when day number ``day`` (day 0 is a Monday) is a working day of the calendar."""
    return day % 7 in weekdays and day not in holidays


def add_working_days(day: int, n: int, holidays: frozenset[int]) -> int:
    """The day ``n`` working days (Mon–Fri, not a holiday) after ``day``."""
    while n > 0:
        day += 1
        if is_working_day(day, holidays):
            n -= 1
    return day


class Timeline:
    """A :class:`WeeklyCalendar` unrolled into absolute working intervals over ``n_days`` days."""

    def __init__(self, calendar: WeeklyCalendar, n_days: int, holidays: frozenset[int]) -> None:
        self.calendar = calendar
        starts: list[float] = []
        ends: list[float] = []
        spans = [(hhmm(a), hhmm(b)) for a, b in calendar.hours]
        for day in range(n_days):
            if not is_working_day(day, holidays, calendar.weekdays):
                continue
            for a, b in spans:
                starts.append(day * DAY_S + a)
                ends.append(day * DAY_S + b)
        self._starts = starts
        self._ends = ends
        cum_end: list[float] = []
        total = 0.0
        for a, b in zip(starts, ends, strict=True):
            total += b - a
            cum_end.append(total)
        self._cum_end = cum_end

    def work_at(self, t: float) -> float:
        """Working seconds from time 0 up to ``t``."""
        i = bisect_right(self._starts, t) - 1
        if i < 0:
            return 0.0
        before = self._cum_end[i] - (self._ends[i] - self._starts[i])
        return before + min(t, self._ends[i]) - self._starts[i]

    def work_between(self, t0: float, t1: float) -> float:
        """Working seconds between ``t0`` and ``t1``."""
        return self.work_at(t1) - self.work_at(t0)

    def next_open(self, t: float) -> float:
        """The first instant at or after ``t`` inside working hours."""
        i = bisect_right(self._ends, t)
        if i >= len(self._starts):
            raise ValueError("time beyond the calendar's horizon")
        return max(t, self._starts[i])

    def add_work(self, t: float, work_s: float) -> float:
        """The instant when ``work_s`` working seconds started at ``t`` are done."""
        start = self.next_open(t)
        i = bisect_right(self._ends, start)  # the interval holding ``start``
        if start + work_s <= self._ends[i]:
            return start + max(work_s, 0.0)
        before = self._cum_end[i] - (self._ends[i] - self._starts[i])
        target = before + (start - self._starts[i]) + work_s
        j = bisect_left(self._cum_end, target, lo=i + 1)
        if j >= len(self._starts):
            raise ValueError("time beyond the calendar's horizon")
        return max(self._starts[j], self._ends[j] - (self._cum_end[j] - target))
