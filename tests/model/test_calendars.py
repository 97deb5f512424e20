"""Working-time arithmetic against a brute-force minute clock, and calendar learning with lunch breaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.model.calendars import WorkClock, describe, fit_calendar, parse_hours, working_seconds
from procopt.model.types import Calendar

OFFICE = Calendar("office", {d: (("08:00", "12:00"), ("13:00", "17:00")) for d in ("Mon", "Tue", "Wed", "Thu", "Fri")})


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
