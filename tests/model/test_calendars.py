"""Working-time arithmetic against a brute-force minute clock, and calendar learning with lunch breaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.model.calendars import WorkClock, describe, fit_calendar, parse_hours, working_seconds
from procopt.model.types import Calendar

OFFICE = Calendar(
    "office", dict.fromkeys(("Mon", "Tue", "Wed", "Thu", "Fri"), (("08:00", "12:00"), ("13:00", "17:00")))
)


def _open_minute(minute: int) -> bool:
    day, m = divmod(minute % (7 * 1440), 1440)
    return day < 5 and (480 <= m < 720 or 780 <= m < 1020)


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, 3 * 7 * 1440), work=st.integers(1, 3000), offset_days=st.integers(0, 6))
def test_end_after_matches_a_minute_by_minute_clock(start: int, work: int, offset_days: int) -> None:
    clock = WorkClock(OFFICE, offset_s=offset_days * 86400.0)
    t, left = start + offset_days * 1440, work
    while True:  # brute force in absolute minutes since Monday
        if _open_minute(t):
            left -= 1
            if left == 0:
                t += 1
                break
        t += 1
    assert clock.end_after(start * 60.0, work * 60.0) == (t - offset_days * 1440) * 60.0


@settings(max_examples=40, deadline=None)
@given(start=st.integers(0, 2 * 7 * 1440))
def test_next_open_is_the_first_open_minute(start: int) -> None:
    t = start
    while not _open_minute(t):
        t += 1
    assert WorkClock(OFFICE).next_open(start * 60.0) == t * 60.0


def test_working_seconds_vectorised() -> None:
    t0 = pd.Series(pd.to_datetime(["2024-01-05 16:00", "2024-01-01 11:30", "2024-01-01 20:00"]))
    t1 = pd.Series(pd.to_datetime(["2024-01-08 09:00", "2024-01-01 13:30", "2024-01-02 08:00"]))
    assert list(working_seconds(OFFICE, t0, t1)) == [7200.0, 3600.0, 0.0]


def test_fit_calendar_learns_office_hours_with_lunch() -> None:
    rng = np.random.default_rng(1)
    clock = WorkClock(OFFICE)
    starts, ends = [], []
    base = pd.Timestamp("2024-01-01")
    for _ in range(2000):
        s = clock.next_open(float(rng.uniform(0, 8 * 7 * 86400)))
        e = clock.end_after(s, float(rng.exponential(1800)))
        starts.append(base + pd.Timedelta(seconds=s))
        ends.append(base + pd.Timedelta(seconds=e))
    cal = fit_calendar("x", pd.Series(starts), pd.Series(ends))
    assert describe(cal) == "Mon-Fri 08:00-12:00,13:00-17:00"


def test_fit_calendar_with_little_data_is_always_open() -> None:
    ts = pd.Series(pd.to_datetime(["2024-01-01 09:00"] * 5))
    assert fit_calendar("x", ts, ts).is_always


def test_parse_hours_and_describe() -> None:
    hours = parse_hours("Mon-Fri 08:00-12:00,13:00-17:00; Sat 09:00-13:00")
    assert hours["Sat"] == (("09:00", "13:00"),) and "Sun" not in hours
    assert describe(Calendar("c", hours)) == "Mon-Fri 08:00-12:00,13:00-17:00; Sat 09:00-13:00"
    with pytest.raises(ValueError, match="unknown weekday"):
        parse_hours("Mo-Fr 08:00-17:00")


def _events_at(
    hours: list[tuple[float, int]], *, work_s: float = 1200.0, days: int = 40
) -> tuple[pd.Series, pd.Series]:
    """``count`` tasks per weekday starting at each ``hour`` (fractional hours), each ``work_s`` long."""
    starts = []
    for d in range(days):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)
        if day.weekday() >= 5:
            continue
        for hour, count in hours:
            for k in range(count):
                starts.append(day + pd.Timedelta(hours=hour) + pd.Timedelta(minutes=3 * k % 25))
    s = pd.Series(starts)
    return s, s + pd.Timedelta(seconds=work_s)


def test_fit_calendar_drops_unsupported_spans_and_keeps_a_real_short_break() -> None:
    # the Production QC pattern: real work 11:00-23:00, a trickle of records at 05:00 and 00:00
    hours = [(h + 0.25, 6) for h in range(11, 23)] + [(5.1, 1), (0.1, 1)]
    # with this much data, a half hour in which nothing ever happened is a break (the early shift's 15:00)
    hours = [(h, c) for h, c in hours if not 15 <= h < 16] + [(15.67, 6)]
    s, e = _events_at(hours, work_s=600.0)
    assert describe(fit_calendar("qc", s, e)) == "Mon-Fri 11:00-15:00,15:30-23:00"


def test_fit_calendar_merges_chance_gaps_when_data_is_thin() -> None:
    # six working days, one task a day at 09, 10, 12 and 14 o'clock: the empty 90 minutes between are chance
    s, e = _events_at([(9.25, 1), (10.25, 1), (12.25, 1), (14.25, 1)], work_s=600.0, days=8)
    assert describe(fit_calendar("small team", s, e)) == "Mon-Fri 09:00-14:30"


def test_fit_calendar_keeps_a_real_lunch_break() -> None:
    hours = [(h + 0.25, 8) for h in (8, 9, 10, 11, 13, 14, 15, 16)]
    s, e = _events_at(hours)
    assert describe(fit_calendar("office", s, e)) == "Mon-Fri 08:00-12:00,13:00-17:00"


def test_fit_calendar_min_instances() -> None:
    s, e = _events_at([(9.25, 1)], days=30)
    assert not fit_calendar("x", s, e).is_always
    assert fit_calendar("x", s, e, min_instances=50).is_always
