"""Building blocks of the true process: duration draws, pools, batch releases, arrivals, the CLI parser."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st

from procopt.cli.generate import _pairs
from procopt.errors import InputError
from procopt.generate.arrivals import draw_arrivals
from procopt.generate.calendar import DAY_S, Timeline
from procopt.generate.engine import BatchRelease, Pool, Recorder, gamma_wh, lognormal
from procopt.generate.o2c import PROFILE
from procopt.generate.world import OFFICE

H = 3600.0


@pytest.mark.parametrize("draw", [lognormal, gamma_wh])
def test_duration_draws_have_the_promised_mean_and_cv(draw) -> None:
    z = np.random.default_rng(0).standard_normal(40_000)
    x = np.array([draw(v, 3600.0, 0.5) for v in z])
    assert x.min() > 0
    assert x.mean() == pytest.approx(3600.0, rel=0.02)
    assert x.std() / x.mean() == pytest.approx(0.5, rel=0.05)


def test_pool_serves_first_come_first_served_in_office_hours() -> None:
    env = simpy.Environment()
    office = Timeline(OFFICE, 14, frozenset())
    pool = Pool(env, "Credit Analysts", "Finance", ("Li Wei",), office)
    rec = Recorder()
    for case, at in (("a", 8 * H), ("b", 8.5 * H)):

        def job(case: str = case, at: float = at):
            yield env.timeout(at)
            yield from pool.work(rec, case, "Check Credit", 3 * H)

        env.process(job())
    env.run()
    timeline = [(r.case, r.start_s / H, r.end_s / H, r.resource) for r in rec.records]
    # a: 08:00-11:00; b waits for a, 11:00-12:00 then lunch, 13:00-15:00
    assert timeline == [("a", 8.0, 11.0, "Li Wei"), ("b", 11.0, 15.0, "Li Wei")]


def test_batch_release_does_everything_waiting_at_the_release_time() -> None:
    env = simpy.Environment()
    office = Timeline(OFFICE, 14, frozenset())
    director = Pool(env, "Finance Director", "Finance", ("Anna Schmidt",), office)
    batch = BatchRelease(env, director, [16 * H, DAY_S + 16 * H])
    rec = Recorder()
    for case, at in (("a", 9 * H), ("b", 15 * H), ("c", 16.5 * H)):

        def job(case: str = case, at: float = at):
            yield env.timeout(at)
            yield from batch.process(rec, case, "Approve", 60.0)

        env.process(job())
    env.run()
    ends = {r.case: (r.start_s, r.end_s) for r in rec.records}
    assert ends["a"] == (16 * H, 16 * H + 60)
    assert ends["b"] == (16 * H + 60, 16 * H + 120)  # one after the other
    assert ends["c"] == (DAY_S + 16 * H, DAY_S + 16 * H + 60)  # missed today's batch


def test_arrivals_are_in_office_hours_and_nested_under_scaling() -> None:
    holidays = frozenset({3})
    base = draw_arrivals(5, "o2c", 28, holidays, PROFILE, 1.0)
    more = draw_arrivals(5, "o2c", 28, holidays, PROFILE, 1.3)
    times = np.array([t for t, _ in base])
    assert ((times % DAY_S >= 8 * H) & (times % DAY_S < 17 * H)).all()
    assert not ((times // DAY_S) % 7 >= 5).any() and not (times // DAY_S == 3).any()
    assert set(base) <= set(more)
    assert 1.15 < len(more) / len(base) < 1.45
    per_day = len(base) / 19  # 20 working days minus the holiday
    assert 13 <= per_day <= 21


@given(name=st.text(min_size=1).filter(lambda s: s.strip() and "=" not in s), n=st.integers(0, 99))
def test_pairs_parser_round_trips(name: str, n: int) -> None:
    assert _pairs((f"{name}={n}",), "--extra-capacity", int) == {name.strip(): n}


@given(text=st.text().filter(lambda s: "=" not in s))
def test_pairs_parser_rejects_text_without_number(text: str) -> None:
    with pytest.raises(InputError, match="cannot read --extra-capacity"):
        _pairs((text,), "--extra-capacity", int)
