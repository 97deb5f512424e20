"""Engine mechanisms on hand-written models: parallel blocks join on the slower branch, people's speeds."""

from __future__ import annotations

import dataclasses

import pytest

from procopt.log import columns as C
from procopt.model.types import (
    Activity,
    Arrivals,
    Branch,
    Calendar,
    Decision,
    Distribution,
    Pool,
    Routing,
    SimulationModel,
)
from procopt.sim.engine import simulate


def fixed(seconds: float) -> Distribution:
    return Distribution("fixed", {"value_s": seconds})


def block_model() -> SimulationModel:
    acts = {
        "A": Activity("A", "desk", fixed(600.0)),
        "B": Activity("B", "desk", fixed(3600.0)),
        "C": Activity("C", "desk", fixed(7200.0)),
        "D": Activity("D", "desk", fixed(300.0)),
    }
    routing = Routing(
        (
            Decision("START", (Branch({"A": 1.0}),)),
            Decision("A", (Branch({"B+C": 1.0}),)),
            Decision("B+C", (Branch({"D": 1.0}),)),
            Decision("D", (Branch({"END": 1.0}),)),
        )
    )
    return SimulationModel(
        arrivals=Arrivals({}, interarrival=fixed(86_400.0)),
        activities=acts,
        pools={"desk": Pool("desk", None, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=routing,
        parallel={"B+C": ("B", "C")},
    )


def test_parallel_block_runs_branches_together_and_joins_on_the_slower() -> None:
    ev = simulate(block_model(), days=3, seed=1)
    case = ev[ev[C.CASE] == ev[C.CASE].iloc[0]].set_index(C.ACTIVITY)
    assert case.loc["B", C.START] == case.loc["C", C.START] == case.loc["A", C.END]
    assert case.loc["D", C.START] == case.loc["C", C.END]  # the join waits for the 2-hour branch
    lead = (case[C.END].max() - case[C.START].min()).total_seconds()
    assert lead == pytest.approx(600 + 7200 + 300)


def test_parallel_branches_queue_for_the_same_person() -> None:
    model = block_model()
    pool = Pool("desk", 1, "24/7", ("Kim",))
    ev = simulate(dataclasses.replace(model, pools={"desk": pool}), days=3, seed=1)
    case = ev[ev[C.CASE] == ev[C.CASE].iloc[0]].set_index(C.ACTIVITY)
    lead = (case[C.END].max() - case[C.START].min()).total_seconds()
    assert lead == pytest.approx(600 + 3600 + 7200 + 300)  # one person: the branches cannot overlap


def test_each_person_works_at_their_own_speed() -> None:
    acts = {"Review": Activity("Review", "desk", fixed(3600.0))}
    routing = Routing((Decision("START", (Branch({"Review": 1.0}),)), Decision("Review", (Branch({"END": 1.0}),))))
    model = SimulationModel(
        arrivals=Arrivals({}, interarrival=fixed(900.0)),
        activities=acts,
        pools={"desk": Pool("desk", 2, "24/7", ("Ana", "Ben"), speeds={"Ana": 0.5, "Ben": 2.0})},
        calendars={"24/7": Calendar.always()},
        routing=routing,
    )
    ev = simulate(model, days=2, seed=1)
    hours = (ev[C.END] - ev[C.START]).dt.total_seconds() / 3600.0
    per = hours.groupby(ev[C.RESOURCE]).agg(["min", "max"])
    assert per.loc["Ana"].tolist() == [0.5, 0.5]
    assert per.loc["Ben"].tolist() == [2.0, 2.0]


def test_wall_clock_delay_does_not_pause_at_night() -> None:
    office = Calendar("office", dict.fromkeys(("Mon", "Tue", "Wed", "Thu", "Fri"), (("08:00", "17:00"),)))
    acts = {"Call": Activity("Call", "desk", fixed(0.0), extra_delay=fixed(12 * 3600.0), delay_clock="wall")}
    routing = Routing((Decision("START", (Branch({"Call": 1.0}),)), Decision("Call", (Branch({"END": 1.0}),))))
    model = SimulationModel(
        arrivals=Arrivals({}, interarrival=fixed(7 * 86_400.0)),
        activities=acts,
        pools={"desk": Pool("desk", None, "office")},
        calendars={"office": office},
        routing=routing,
    )
    # first arrival Mon 00:00 + 7 days (the renewal gap); 12 wall-clock hours later it is 12:00, an open hour
    ev = simulate(model, days=8, seed=1)
    first = ev.sort_values(C.START).iloc[0]
    assert first[C.START].hour == 12
    working = dataclasses.replace(model, activities={"Call": dataclasses.replace(acts["Call"], delay_clock="working")})
    ev2 = simulate(working, days=8, seed=1)
    assert ev2.sort_values(C.START).iloc[0][C.START].hour != 12  # 12 working hours end the next day
