"""``Places`` must grant exactly as ``simpy.Resource`` / ``simpy.PriorityResource`` do: same holder, same
instant, same order of same-time events — a seeded simulation depends on all three."""

from __future__ import annotations

from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.sim.resources import Places

# (arrival gap, hold time, priority, patience) per job; small integers so that many events share an instant
JOBS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 4), st.sampled_from([0.0, 1.0, 2.0, -float("inf")]), st.integers(0, 6)),
    min_size=1,
    max_size=40,
)


def _run(jobs: list[tuple[int, int, float, int]], capacity: int, prioritised: bool, light: bool) -> list[Any]:
    env = simpy.Environment()
    res: Any
    if light:
        res = Places(env, capacity, prioritised=prioritised)
    else:
        res = simpy.PriorityResource(env, capacity) if prioritised else simpy.Resource(env, capacity)
    log: list[Any] = []

    def job(i: int, hold: int, prio: float, patience: int) -> Any:
        if prioritised:
            req = res.request(priority=prio)
        else:
            req = res.request()
        log.append(("ask", i, env.now))
        if patience and i % 3 == 0:  # every third job gives up after ``patience`` if still waiting
            yield req | env.timeout(patience)
            if not req.triggered:
                if light:
                    res.cancel(req)
                else:
                    req.cancel()
                log.append(("gave up", i, env.now))
                return
        else:
            yield req
        log.append(("got", i, env.now))
        yield env.timeout(hold)
        res.release(req)
        log.append(("left", i, env.now))
        # a second, immediate request after leaving: competes with the queue at the same instant
        again = res.request(priority=prio) if prioritised else res.request()
        yield again
        log.append(("again", i, env.now))
        res.release(again)

    def source() -> Any:
        for i, (gap, hold, prio, patience) in enumerate(jobs):
            if gap:
                yield env.timeout(gap)
            env.process(job(i, hold, prio, patience))

    def other() -> Any:  # unrelated same-time events interleaved with the grants
        for _ in range(60):
            log.append(("tick", env.now))
            yield env.timeout(1)

    env.process(source())
    env.process(other())
    env.run()
    return log


@settings(max_examples=150, deadline=None)
@given(jobs=JOBS, capacity=st.integers(1, 3), prioritised=st.booleans())
def test_places_grant_as_simpy_resources(
    jobs: list[tuple[int, int, float, int]], capacity: int, prioritised: bool
) -> None:
    assert _run(jobs, capacity, prioritised, light=True) == _run(jobs, capacity, prioritised, light=False)


def test_places_count_and_cancel() -> None:
    env = simpy.Environment()
    places = Places(env, 1)
    first, second, third = places.request(), places.request(), places.request()
    assert first.triggered and not second.triggered and places.used == 1 and places.waiting() == 2
    places.cancel(second)
    places.cancel(first)  # granted: cancelling does nothing, it must be released
    assert places.waiting() == 1 and places.used == 1
    places.release(first)
    env.run()
    assert third.triggered and not second.triggered and places.used == 1


def test_places_need_a_place() -> None:
    with pytest.raises(ValueError, match="capacity"):
        Places(simpy.Environment(), 0)
