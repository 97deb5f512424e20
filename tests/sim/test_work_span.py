"""``work_span`` fuses ``WorkClock.next_open`` and ``end_after`` for speed; it must agree bit for bit, or seeded
runs would drift from the calendar arithmetic the rest of procopt uses."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.model.calendars import WEEK_S, WorkClock
from procopt.model.types import WEEKDAYS, Calendar
from procopt.sim.compiled import work_span

HALF_HOURS = st.integers(0, 48)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    if draw(st.booleans()) and draw(st.booleans()):
        return Calendar.always()
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    cuts = sorted(draw(st.lists(HALF_HOURS, min_size=2, max_size=6, unique=True)))
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        spans.append((f"{a // 2:02d}:{30 * (a % 2):02d}", f"{b // 2:02d}:{30 * (b % 2):02d}"))
    return Calendar("c", dict.fromkeys(days, tuple(spans)))


TIMES = st.one_of(
    st.floats(0.0, 20 * WEEK_S, allow_nan=False),
    st.integers(0, 20 * 7 * 48).map(lambda k: k * 1800.0),  # exactly on a boundary
)
WORK = st.one_of(
    st.just(0.0), st.floats(0.0, 3 * WEEK_S, allow_nan=False), st.integers(1, 400).map(lambda k: k * 900.0)
)


@settings(max_examples=400, deadline=None)
@given(cal=calendars(), offset=st.floats(0.0, WEEK_S), t=TIMES, work=WORK)
def test_work_span_is_next_open_then_end_after(cal: Calendar, offset: float, t: float, work: float) -> None:
    try:
        clock = WorkClock(cal, offset)
    except ValueError:  # no working time at all
        return
    begin = clock.next_open(t)
    assert work_span(clock)(t, work) == (begin, clock.end_after(begin, work))


def test_work_span_of_an_office_day() -> None:
    office = Calendar("office", dict.fromkeys(("Mon", "Tue", "Wed", "Thu", "Fri"), (("08:00", "17:00"),)))
    span = work_span(WorkClock(office))
    assert span(7 * 3600.0, 3600.0) == (8 * 3600.0, 9 * 3600.0)  # Monday 07:00: waits for 08:00
    assert span(16 * 3600.0, 7200.0) == (16 * 3600.0, 86_400.0 + 9 * 3600.0)  # 17:00 -> Tuesday 09:00
    assert span(4 * 86_400.0 + 17 * 3600.0, 0.0) == (7 * 86_400.0 + 8 * 3600.0,) * 2  # Friday evening -> Monday
