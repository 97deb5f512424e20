"""Stage 3 (model): working calendars — learn them from timestamps, and compute in working time.

Picture an accounts office open Mon–Fri 08:00–17:00: a 2-hour invoice started at 16:00 ends at 09:00 the
next working day. ``WorkClock`` turns a ``Calendar`` into fast arithmetic on seconds since a simulation
origin: ``next_open``, ``end_after`` (add working time) and ``working_seconds`` (vectorised, for calibration).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np
import pandas as pd

from procopt.model.types import WEEKDAYS, Calendar

DAY_S = 86_400.0
WEEK_S = 7 * DAY_S


def parse_clock(text: str) -> float:
    """``"16:30"`` -> seconds after midnight (``"24:00"`` allowed). Raises ValueError when malformed."""
    parts = str(text).strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a clock time HH:MM: {text!r}")
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) == 3 else 0
    if not (0 <= h <= 24 and 0 <= m < 60 and 0 <= s < 60) or (h == 24 and (m or s)):
        raise ValueError(f"not a clock time HH:MM: {text!r}")
    return h * 3600.0 + m * 60.0 + s


def format_clock(seconds: float) -> str:
    """Seconds after midnight -> ``"HH:MM"``."""
    minutes = int(round(seconds / 60.0))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def week_segments(calendar: Calendar) -> list[tuple[float, float]]:
    """The calendar's open intervals as merged ``(start_s, end_s)`` seconds since Monday 00:00."""
    raw: list[tuple[float, float]] = []
    for i, day in enumerate(WEEKDAYS):
        for start, end in calendar.hours.get(day, ()):
            s, e = parse_clock(start), parse_clock(end)
            if e > s:
                raw.append((i * DAY_S + s, i * DAY_S + e))
    raw.sort()
    merged: list[tuple[float, float]] = []
    for s, e in raw:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


class WorkClock:
    """Working-time arithmetic for one calendar, on seconds since an origin ``offset_s`` after Monday 00:00."""

    def __init__(self, calendar: Calendar, offset_s: float = 0.0) -> None:
        segs = week_segments(calendar)
        if not segs:
            raise ValueError(f"calendar {calendar.name!r} has no working time")
        self.always = len(segs) == 1 and segs[0] == (0.0, WEEK_S)
        self.offset_s = float(offset_s)
        self.starts = [s for s, _ in segs]
        self.ends = [e for _, e in segs]
        self.cum: list[float] = []
        total = 0.0
        for s, e in segs:
            self.cum.append(total)
            total += e - s
        self.week_work_s = total

    def worked(self, t: float) -> float:
        """Working seconds from the origin's week start to time ``t``."""
        if self.always:
            return t + self.offset_s
        w, r = divmod(t + self.offset_s, WEEK_S)
        i = bisect_right(self.starts, r) - 1
        inweek = 0.0 if i < 0 else self.cum[i] + min(r, self.ends[i]) - self.starts[i]
        return w * self.week_work_s + inweek

    def _at(self, x: float, *, open_side: bool) -> float:
        w, r = divmod(x, self.week_work_s)
        if open_side:
            i = bisect_right(self.cum, r) - 1
        else:
            i = bisect_left(self.cum, r) - 1
            if i < 0:
                w, i = w - 1, len(self.cum) - 1
                r = self.week_work_s
        return w * WEEK_S + self.starts[i] + (r - self.cum[i]) - self.offset_s

    def next_open(self, t: float) -> float:
        """The first working instant at or after ``t``."""
        if self.always:
            return t
        return max(t, self._at(self.worked(t), open_side=True))

    def end_after(self, t: float, work_s: float) -> float:
        """When ``work_s`` seconds of work started (or queued) at ``t`` finish; pauses outside working hours."""
        if self.always:
            return t + work_s
        if work_s <= 0:
            return self.next_open(t)
        return self._at(self.worked(t) + work_s, open_side=False)


def working_seconds(calendar: Calendar, t0: pd.Series, t1: pd.Series) -> np.ndarray:
    """Vectorised working seconds between timestamps ``t0`` and ``t1`` (negative when t1 < t0; NaN on NaT)."""
    seconds: np.ndarray = _worked_array(calendar, t1) - _worked_array(calendar, t0)
    return seconds


def _worked_array(calendar: Calendar, ts: pd.Series) -> np.ndarray:
    segs = week_segments(calendar)
    values = pd.to_datetime(ts)
    monday = pd.Timestamp("2000-01-03")  # a Monday
    secs = (values - monday).dt.total_seconds().to_numpy(dtype=float)
    weeks = np.floor(secs / WEEK_S)
    rem = secs - weeks * WEEK_S
    xp, fp, total = [0.0], [0.0], 0.0
    for s, e in segs:
        xp += [s, e]
        fp += [total, total + e - s]
        total += e - s
    xp.append(WEEK_S)
    fp.append(total)
    worked: np.ndarray = weeks * total + np.interp(rem, xp, fp)
    return worked


def fit_calendar(
    name: str,
    starts: pd.Series,
    ends: pd.Series,
    *,
    min_day_share: float = 0.02,
    slot_s: float = 1800.0,
    min_instances: int = 20,
    min_span_s: float = WEEK_S,
) -> Calendar:
    """Learn weekly working hours (with breaks) from when work starts and ends.

    A weekday is working when it holds at least ``min_day_share`` of the instances. The day is cut into
    30-minute slots; a slot is working when work starts in it or ends inside it at least 5 % as often as
    in the median slot with any work (work that pauses for lunch neither starts nor ends during lunch). The same hours
    apply to every working weekday. With fewer than ``min_instances`` instances the calendar is 24/7.

    Small or noisy teams give fragmented hours ("00:00-00:30, 05:00-05:30, 11:00-23:30") that stretch
    every task across the closed gaps. So: when the data is thin (fewer than 20 events in the median slot)
    closed gaps of up to 2 hours inside the day are chance and are merged; then an open span of 3 hours or
    less holding under 3 % of the day's events is noise and is dropped, unless it is all there is.

    Weekly hours need a week to be seen: when the work observed spans less than ``min_span_s`` (a week),
    the calendar is 24/7 — a log cut after one Monday morning says nothing about Tuesdays or afternoons
    (learning "Mon 09:00-13:30" from it parked every later task until the next Monday).
    """
    e = pd.to_datetime(ends).dropna()
    s = pd.to_datetime(starts).dropna()
    if len(e) < max(1, min_instances):
        return Calendar.always(name)
    seen = pd.concat([s, e])
    if (seen.max() - seen.min()).total_seconds() < min_span_s:
        return Calendar.always(name)
    if len(s) < len(e) // 2:  # complete-only logs: ends are the only clock we have
        s = e
    both = pd.concat([s, e])
    share = both.dt.weekday.value_counts(normalize=True)
    days = [d for i, d in enumerate(WEEKDAYS) if share.get(i, 0.0) >= min_day_share]
    n_slots = int(DAY_S // slot_s)
    tod_s = (s - s.dt.normalize()).dt.total_seconds().to_numpy()
    tod_e = (e - e.dt.normalize()).dt.total_seconds().to_numpy()
    count = np.bincount(np.clip((tod_s // slot_s).astype(int), 0, n_slots - 1), minlength=n_slots).astype(float)
    # an end exactly on a slot boundary belongs to the slot before it (work ending at 12:00 sharp)
    end_slot = np.ceil(tod_e / slot_s).astype(int) - 1
    count += np.bincount(np.clip(end_slot, 0, n_slots - 1), minlength=n_slots)
    nonzero = count[count > 0]
    med = float(np.median(nonzero)) if len(nonzero) else 0.0
    open_slot = count >= max(1.0, 0.05 * med)
    if open_slot.any():  # inside the day, only (nearly) empty slots are breaks
        first, last = int(np.argmax(open_slot)), n_slots - 1 - int(np.argmax(open_slot[::-1]))
        inner = np.zeros(n_slots, dtype=bool)
        inner[first : last + 1] = True
        open_slot |= inner & (count > 0) & (count >= 0.02 * med)
        if med < 10:  # too little work per slot to tell a break from chance: no breaks inside the day
            open_slot |= inner
    open_slot = _tidy_slots(open_slot, count, slot_s, sparse=med < 20)
    if open_slot.all() or not days:
        hours_day: tuple[tuple[str, str], ...] = (("00:00", "24:00"),)
    else:
        spans: list[tuple[str, str]] = []
        i = 0
        while i < n_slots:
            if open_slot[i]:
                j = i
                while j + 1 < n_slots and open_slot[j + 1]:
                    j += 1
                spans.append((format_clock(i * slot_s), format_clock((j + 1) * slot_s)))
                i = j + 1
            else:
                i += 1
        hours_day = tuple(spans)
    if len(days) == 7 and hours_day == (("00:00", "24:00"),):
        return Calendar.always(name)
    return Calendar(name, dict.fromkeys(days, hours_day))


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last + 1)`` of every run of True."""
    out, i, n = [], 0, len(flags)
    while i < n:
        if flags[i]:
            j = i
            while j + 1 < n and flags[j + 1]:
                j += 1
            out.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return out


def _tidy_slots(open_slot: np.ndarray, count: np.ndarray, slot_s: float, *, sparse: bool) -> np.ndarray:
    """Merge short closed gaps inside the day, then drop short open spans with little support."""
    out = open_slot.copy()
    spans = _runs(out)
    # with plenty of data a closed slot inside the day held (nearly) nothing: a real break (10:00-10:30)
    max_gap = 2 * 3600.0 if sparse else 0.0
    for (_, a_end), (b_start, _) in zip(spans[:-1], spans[1:], strict=True):
        if (b_start - a_end) * slot_s <= max_gap:
            out[a_end:b_start] = True
    spans = _runs(out)
    total = float(count.sum())
    if len(spans) > 1 and total > 0:
        keep = [(a, b) for a, b in spans if (b - a) * slot_s > 3 * 3600.0 or count[a:b].sum() >= 0.03 * total]
        if keep:
            out[:] = False
            for a, b in keep:
                out[a:b] = True
    return out


def describe(calendar: Calendar) -> str:
    """Readable hours, e.g. ``"Mon-Fri 08:00-12:00,13:00-17:00"`` (``"24/7"`` when always open)."""
    if calendar.is_always:
        return "24/7"
    groups: list[tuple[list[str], tuple[tuple[str, str], ...]]] = []
    for day in WEEKDAYS:
        spans = tuple(tuple(s) for s in calendar.hours.get(day, ()))
        if not spans:
            continue
        if groups and groups[-1][1] == spans and WEEKDAYS.index(groups[-1][0][-1]) == WEEKDAYS.index(day) - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], spans))  # type: ignore[arg-type]
    parts = []
    for days, spans in groups:
        label = days[0] if len(days) == 1 else f"{days[0]}-{days[-1]}"
        parts.append(label + " " + ",".join(f"{a}-{b}" for a, b in spans))
    return "; ".join(parts)


def parse_hours(text: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Parse ``"Mon-Sat 08:00-20:00"`` (groups separated by ``;``, spans by ``,``) into calendar hours.

    Raises ValueError with a readable message when malformed.
    """
    hours: dict[str, tuple[tuple[str, str], ...]] = {}
    for group in str(text).split(";"):
        group = group.strip()
        if not group:
            continue
        if " " not in group:
            raise ValueError(f"expected 'Mon-Fri 08:00-17:00', got {group!r}")
        days_text, spans_text = group.split(None, 1)
        days: list[str] = []
        for part in days_text.split(","):
            ends = part.split("-")
            if any(e not in WEEKDAYS for e in ends) or len(ends) > 2:
                raise ValueError(f"unknown weekday in {part!r}; use Mon Tue Wed Thu Fri Sat Sun")
            a, b = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
            if b < a:
                raise ValueError(f"weekday range {part!r} runs backwards")
            days += list(WEEKDAYS[a : b + 1])
        spans: list[tuple[str, str]] = []
        for span in spans_text.replace(" ", "").split(","):
            if span.count("-") != 1:
                raise ValueError(f"expected a time span like 08:00-17:00, got {span!r}")
            s, e = span.split("-")
            try:
                parse_clock(s), parse_clock(e)
            except ValueError:
                raise ValueError(f"expected a time span like 08:00-17:00, got {span!r}") from None
            if parse_clock(e) <= parse_clock(s):
                raise ValueError(f"time span {span!r} ends before it starts")
            spans.append((format_clock(parse_clock(s)), format_clock(parse_clock(e))))
        for d in days:
            hours[d] = tuple(spans)
    if not hours:
        raise ValueError("no working hours given")
    return hours
