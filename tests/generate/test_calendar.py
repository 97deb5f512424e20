"""Working-time arithmetic of the true process: known answers and properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.generate.calendar import DAY_S, Timeline, WeeklyCalendar, add_working_days, clock, hhmm
from procopt.generate.world import OFFICE, TWO_SHIFTS

H = 3600.0
MAY_DAY = frozenset({59})
office = Timeline(OFFICE, 120, MAY_DAY)
shifts = Timeline(TWO_SHIFTS, 120, MAY_DAY)


def test_known_answers_office() -> None:
    # Monday 08:00 + 1 h -> 09:00
    assert office.add_work(8 * H, 1 * H) == 9 * H
    # Monday 11:30 + 1 h -> 13:30 (lunch 12-13)
    assert office.add_work(11.5 * H, 1 * H) == 13.5 * H
    # Friday 16:40 + 50 min -> Monday 08:30
    friday = 4 * DAY_S
    assert office.add_work(friday + 16 * H + 40 * 60, 50 * 60) == 7 * DAY_S + 8.5 * H
    # Saturday noon is closed: opens Monday 08:00
    assert office.next_open(5 * DAY_S + 12 * H) == 7 * DAY_S + 8 * H
    # a full working day is 8 hours
    assert office.work_between(0, DAY_S) == 8 * H
    # Wednesday 30 April 16:00 + 2 h -> Friday 2 May 09:00 (1 May is a holiday)
    assert office.add_work(58 * DAY_S + 16 * H, 2 * H) == 60 * DAY_S + 9 * H


def test_known_answers_two_shifts() -> None:
    assert shifts.work_between(0, DAY_S) == 16 * H
    assert shifts.add_work(21 * H, 2 * H) == DAY_S + 7 * H


def test_working_days_skip_weekend_and_holiday() -> None:
    assert add_working_days(0, 3, MAY_DAY) == 3  # Mon + 3 -> Thu
    assert add_working_days(4, 1, MAY_DAY) == 7  # Fri + 1 -> Mon
    assert add_working_days(58, 1, MAY_DAY) == 60  # Wed 30 Apr + 1 -> Fri 2 May


def test_describe_and_clock() -> None:
    assert OFFICE.describe() == "Mon-Fri 08:00-12:00,13:00-17:00"
    assert WeeklyCalendar("x", (("09:00", "10:00"),), (1, 3)).describe() == "Tue,Thu 09:00-10:00"
    assert clock(hhmm("16:00")) == "16:00"


@settings(max_examples=80, deadline=None)
@given(t=st.floats(0, 100 * DAY_S), work=st.floats(0, 30 * H))
def test_add_work_spends_exactly_the_work(t: float, work: float) -> None:
    for tl in (office, shifts):
        end = tl.add_work(t, work)
        assert end >= t
        assert abs(tl.work_between(t, end) - work) < 1e-6
        start = tl.next_open(t)
        assert start >= t
        assert tl.work_between(t, start) == 0.0


@settings(max_examples=60, deadline=None)
@given(t=st.floats(0, 100 * DAY_S), a=st.floats(0, 20 * H), b=st.floats(0, 20 * H))
def test_add_work_is_monotone_and_additive(t: float, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert office.add_work(t, lo) <= office.add_work(t, hi)
    # zero work started at a closing time moves to the next opening; so does work too small to change a + b in
    # floating point (b = 5e-324), hence a millisecond as the smallest work that must add up
    if b >= 1e-3:
        assert abs(office.add_work(office.add_work(t, a), b) - office.add_work(t, a + b)) < 1e-6
