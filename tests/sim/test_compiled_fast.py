"""The engine's fast paths must give exactly what the plain definitions give, or seeded runs would drift:
``work_span`` (``WorkClock.next_open`` then ``end_after``, bit for bit) and ``CompiledModel.chooser``
(``CompiledModel.choose``: same next step, same draws) and ``bound_draw`` (the distribution's sampler)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.model.calendars import WEEK_S, WorkClock
from procopt.model.distributions import sampler
from procopt.model.types import (
    WEEKDAYS,
    Activity,
    Arrivals,
    Branch,
    Calendar,
    CaseAttributes,
    Decision,
    Distribution,
    Pool,
    Routing,
    SimulationModel,
)
from procopt.sim.compiled import bound_draw, compile_model, work_span

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


def _routed_model() -> SimulationModel:
    """Decisions keyed by previous step and by visit, with conditions on attributes (one needs a number)."""
    acts = ("A", "B", "C", "D")
    routing = Routing(
        (
            Decision("START", (Branch({"A": 0.7, "B": 0.3}),)),
            Decision("A", (Branch({"B": 1.0}, when="value < 500"), Branch({"C": 0.5, "D": 0.4, "END": 0.1}))),
            Decision("A", (Branch({"D": 1.0}, when="region == 'N'"),), previous="B"),
            Decision("B", (Branch({"A": 0.6, "C": 0.4}),), visit=1),
            Decision("B", (Branch({"C": 0.9, "A": 0.1}, when="value > 100"), Branch({"END": 1.0})), visit=3),
            Decision("C", (Branch({"B": 0.5, "END": 0.5}, when="value >= 1000 and region != 'S'"),)),
            Decision("D", (Branch({"END": 1.0}),)),
        )
    )
    return SimulationModel(
        arrivals=Arrivals({}, interarrival=Distribution("fixed", {"value_s": 60.0})),
        activities={a: Activity(a, "desk", Distribution("fixed", {"value_s": 1.0})) for a in acts},
        pools={"desk": Pool("desk", None, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=routing,
        attributes=CaseAttributes(("value", "region"), ((50, "N"), (700, "S"), (5000, "N"), ("n/a", None))),
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    asks=st.lists(
        st.tuples(
            st.sampled_from(["START", "A", "B", "C", "D"]),
            st.sampled_from([None, "A", "B", "C"]),
            st.integers(1, 6),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=60,
    ),
)
def test_chooser_answers_and_draws_as_choose(seed: int, asks: list[tuple[str, str | None, int, int]]) -> None:
    cm = compile_model(_routed_model(), 0.0)
    plain, fast = random.Random(seed), random.Random(seed)
    choose = cm.chooser(fast)
    for after, prev, visit, row in asks:
        attrs = dict(zip(cm.attr_columns, cm.attr_rows[row], strict=True))
        assert choose(after, prev, visit, attrs, row) == cm.choose(after, prev, visit, attrs, plain)
    assert plain.random() == fast.random()  # the same number of draws


DISTRIBUTIONS = st.one_of(
    st.builds(
        lambda kind, mean, cv: Distribution(kind, {"mean_s": mean, "cv": cv}),
        st.sampled_from(["lognormal", "gamma"]),
        st.sampled_from([0.0, 1.0, 600.0, 86_400.0]),
        st.sampled_from([0.0, 0.1, 0.7, 1.0, 3.0]),
    ),
    st.builds(lambda mean: Distribution("exponential", {"mean_s": mean}), st.sampled_from([0.0, 5.0, 7200.0])),
    st.just(Distribution("fixed", {"value_s": 30.0})),
    st.just(Distribution("uniform", {"low_s": 10.0, "high_s": 20.0})),
    st.just(Distribution("empirical", {"quantiles_s": [0.0, 0.0, 60.0, 600.0]})),
)


@settings(max_examples=80, deadline=None)
@given(dist=DISTRIBUTIONS, seed=st.integers(0, 2**32))
def test_bound_draw_gives_the_samplers_numbers(dist: Distribution, seed: int) -> None:
    plain, fast = random.Random(seed), random.Random(seed)
    draw, sample = bound_draw(dist, fast), sampler(dist)
    assert [draw() for _ in range(300)] == [sample(plain) for _ in range(300)]
    assert plain.random() == fast.random()
