"""The SimPy engine on hand-written models with known answers (SimPy-style exact timelines)."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from procopt.log import columns as C
from procopt.model.types import (
    Activity,
    Arrivals,
    BatchRule,
    Branch,
    Calendar,
    CaseAttributes,
    Decision,
    Distribution,
    Pool,
    Routing,
    SimulationModel,
)
from procopt.sim.engine import run_replication, simulate

_spec = importlib.util.spec_from_file_location("sim_helpers", Path(__file__).with_name("helpers.py"))
helpers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["sim_helpers"] = helpers
_spec.loader.exec_module(helpers)  # type: ignore[union-attr]
OFFICE, fixed, chain, two_step_model = helpers.OFFICE, helpers.fixed, helpers.chain, helpers.two_step_model

T0 = pd.Timestamp("2024-01-01")  # a Monday


def timeline(frame: pd.DataFrame) -> list[tuple[str, str, float, float]]:
    """(case, activity, start_s, end_s) relative to 2024-01-01 00:00, in completion order."""
    f = frame.sort_values([C.END, C.CASE], kind="stable")
    return [
        (c, a, (s - T0).total_seconds(), (e - T0).total_seconds())
        for c, a, s, e in zip(f[C.CASE], f[C.ACTIVITY], f[C.START], f[C.END], strict=True)
    ]


def test_two_activities_fixed_durations_capacity_one_exact_timeline() -> None:
    # arrivals every 600 s; Enter takes 900 s (a queue builds), Check 300 s
    frame = simulate(two_step_model(), days=2400 / 86400, seed=1, start=T0)
    assert timeline(frame) == [
        ("SIM-000001", "Enter", 600.0, 1500.0),
        ("SIM-000001", "Check", 1500.0, 1800.0),
        ("SIM-000002", "Enter", 1500.0, 2400.0),
        ("SIM-000002", "Check", 2400.0, 2700.0),
        ("SIM-000003", "Enter", 2400.0, 3300.0),
        ("SIM-000003", "Check", 3300.0, 3600.0),
    ]
    assert set(frame[C.RESOURCE]) == {"ann", "bob"}
    assert set(frame[C.DEPARTMENT]) == {"clerks", "checkers"}


def test_unlimited_capacity_means_no_queueing() -> None:
    frame = simulate(two_step_model(capacity=None), days=2400 / 86400, seed=1, start=T0)
    enter = frame[frame[C.ACTIVITY] == "Enter"].sort_values(C.START)
    assert ((enter[C.END] - enter[C.START]).dt.total_seconds() == 900).all()
    assert list((enter[C.START] - T0).dt.total_seconds()) == [600.0, 1200.0, 1800.0]


def test_calendar_pauses_work_overnight() -> None:
    # one case arriving Monday 16:30 with one hour of work in an 08:00-17:00 office: done Tuesday 08:30
    model = two_step_model(gap_s=16.5 * 3600, d1=3600, d2=60, calendar=OFFICE)
    frame = simulate(model, days=17 / 24, seed=1, start=T0)
    enter = frame[frame[C.ACTIVITY] == "Enter"].iloc[0]
    assert enter[C.START] == pd.Timestamp("2024-01-01 16:30")
    assert enter[C.END] == pd.Timestamp("2024-01-02 08:30")
    check = frame[frame[C.ACTIVITY] == "Check"].iloc[0]
    assert (check[C.START], check[C.END]) == (pd.Timestamp("2024-01-02 08:30"), pd.Timestamp("2024-01-02 08:31"))


def test_work_arriving_at_night_starts_when_the_office_opens() -> None:
    model = two_step_model(gap_s=20 * 3600, d1=600, d2=60, calendar=OFFICE)
    frame = simulate(model, days=21 / 24, seed=1, start=T0)
    enter = frame[frame[C.ACTIVITY] == "Enter"].iloc[0]
    assert enter[C.START] == pd.Timestamp("2024-01-02 08:00")


def test_batch_releases_at_16_00() -> None:
    # orders every 30 min all day; Check is released only at 16:00 and then done one after the other
    model = two_step_model(gap_s=1800, d1=60, d2=120, batch=BatchRule(("16:00",), ("Mon", "Tue", "Wed", "Thu", "Fri")))
    frame = simulate(model, days=1, seed=1, start=T0)
    check = frame[frame[C.ACTIVITY] == "Check"].sort_values(C.START)
    first_day = check[check[C.START] < pd.Timestamp("2024-01-02")]
    assert first_day[C.START].iloc[0] == pd.Timestamp("2024-01-01 16:00")
    starts = (first_day[C.START] - pd.Timestamp("2024-01-01 16:00")).dt.total_seconds().tolist()
    assert starts == [120.0 * i for i in range(len(starts))]  # back to back after the release
    assert len(first_day) == 31  # everything that arrived from 00:30 to 15:30 (plus the 16:00 arrival)
    # cases arriving after 16:00 wait for the next day's release
    assert check[C.START].iloc[len(first_day)] == pd.Timestamp("2024-01-02 16:00")


def test_batch_rule_skips_weekend() -> None:
    model = two_step_model(
        gap_s=86400 * 4 + 17 * 3600, d1=60, d2=60, batch=BatchRule(("10:00",), ("Mon", "Tue", "Wed", "Thu", "Fri"))
    )
    frame = simulate(model, days=5, seed=1, start=T0)  # one arrival, Friday 17:00
    check = frame[frame[C.ACTIVITY] == "Check"].iloc[0]
    assert check[C.START] == pd.Timestamp("2024-01-08 10:00")  # Monday


def test_size_batch_releases_groups_of_n_together() -> None:
    # orders every 10 min, Enter 60 s; Check waits until 4 orders are ready, then the four go back to back
    model = two_step_model(gap_s=600, d1=60, d2=30, batch=BatchRule((), (), size=4))
    frame = simulate(model, days=1, seed=1, start=T0)
    check = frame[frame[C.ACTIVITY] == "Check"].sort_values(C.START)
    enter_end = frame[frame[C.ACTIVITY] == "Enter"].set_index(C.CASE)[C.END]
    n = len(enter_end)
    assert n > 100
    assert len(check) == n - n % 4  # the last incomplete batch is still waiting at the end
    for k in range(len(check) // 4):
        group = check.iloc[4 * k : 4 * k + 4]
        # released the moment the fourth became ready, then worked one after the other
        release = enter_end[group[C.CASE]].max()
        assert group[C.START].iloc[0] == release
        assert list((group[C.START] - release).dt.total_seconds()) == [0.0, 30.0, 60.0, 90.0]
        assert list(group[C.CASE]) == sorted(group[C.CASE])  # first come, first served within the batch


def test_size_batch_max_wait_releases_an_incomplete_batch() -> None:
    # one order a day: a batch of 5 would never fill in the window; max 2 h of waiting releases each alone
    model = two_step_model(gap_s=86400, d1=60, d2=60, batch=BatchRule((), (), size=5, max_wait_hours=2.0))
    frame = simulate(model, days=4, seed=1, start=T0)
    check = frame[frame[C.ACTIVITY] == "Check"].sort_values(C.START)
    enter = frame[frame[C.ACTIVITY] == "Enter"].sort_values(C.START)
    assert len(check) == 3
    waited = (check[C.START].to_numpy() - enter[C.END].to_numpy()[: len(check)]) / np.timedelta64(1, "s")
    assert list(waited) == [7200.0] * 3


def test_size_batch_is_deterministic_with_a_seed() -> None:
    model = dataclasses.replace(
        two_step_model(batch=BatchRule((), (), size=3, max_wait_hours=1.0)),
        arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": 900.0})),
    )
    a = simulate(model, days=3, seed=11, start=T0)
    b = simulate(model, days=3, seed=11, start=T0)
    pd.testing.assert_frame_equal(a, b)
    assert a.to_csv().encode() == b.to_csv().encode()


def test_mm1_mean_time_in_system_matches_theory() -> None:
    lam, mu = 1 / 100.0, 1 / 70.0  # rho = 0.7, W = 1 / (mu - lam) = 233.3 s
    model = SimulationModel(
        arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": 100.0})),
        activities={"Serve": Activity("Serve", "server", Distribution("exponential", {"mean_s": 70.0}))},
        pools={"server": Pool("server", 1, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=chain(["Serve"]),
    )
    trace = run_replication(model, days=20, seed=7, warmup_days=1)
    arr = np.asarray(trace.case_arrival)
    end = np.asarray(trace.case_end)
    keep = (arr >= trace.window_start_s) & (arr < trace.window_end_s)
    w = float(np.mean(end[keep] - arr[keep]))
    theory = 1 / (mu - lam)
    assert abs(w - theory) / theory < 0.08, (w, theory)  # ~17k customers: an 8 % tolerance is ~4 sigma
    busy = trace.busy_s["server"] / trace.available_s["server"]
    assert abs(busy - 0.7) < 0.02


def test_same_seed_same_table_and_other_seed_differs() -> None:
    model = dataclasses.replace(
        two_step_model(), arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": 900.0}))
    )
    a = simulate(model, days=2, seed=5)
    b = simulate(model, days=2, seed=5)
    c = simulate(model, days=2, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a[C.START].equals(c[C.START]) or len(a) != len(c)


def test_output_follows_the_event_contract_with_attributes_and_due() -> None:
    frame = simulate(two_step_model(capacity=None), days=0.1, seed=1, start=T0)  # no queue: start = arrival
    C.check_contract(frame)
    assert list(frame.columns[: len(C.CANONICAL)]) == list(C.CANONICAL)
    assert "order_value" in frame.columns
    per_case = frame.groupby(C.CASE).agg(v=("order_value", "first"), due=(C.DUE, "first"), start=(C.START, "min"))
    # the due offset is resampled together with the attribute row it belongs to
    offset = (per_case["due"] - per_case["start"]).dt.total_seconds()
    expect = per_case["v"].map({100.0: 86_400.0, 9000.0: 3 * 86_400.0})
    assert (offset == expect).all()


def _branch_model(branches: tuple[Branch, ...], skip: str | None = None) -> SimulationModel:
    acts = {n: Activity(n, "p", fixed(60.0), skip_when=skip if n == "B" else None) for n in ("A", "B", "C")}
    decisions = (
        Decision("START", (Branch({"A": 1.0}),)),
        Decision("A", branches),
        Decision("B", (Branch({"C": 1.0}),)),
        Decision("C", (Branch({"END": 1.0}),)),
    )
    return SimulationModel(
        arrivals=Arrivals({}, interarrival=fixed(600.0)),
        activities=acts,
        pools={"p": Pool("p", None, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=Routing(decisions),
        attributes=CaseAttributes(("order_value",), ((1000.0,), (8000.0,))),
    )


def test_routing_probabilities_are_reproduced() -> None:
    model = _branch_model((Branch({"B": 0.3, "C": 0.7}),))
    frame = simulate(model, days=20, seed=3)
    cases = frame[C.CASE].nunique()
    share_b = (frame[C.ACTIVITY] == "B").sum() / cases
    assert abs(share_b - 0.3) < 0.03  # 2880 cases: sd 0.0085


def test_attribute_branch_routes_by_order_value() -> None:
    model = _branch_model((Branch({"B": 1.0}, when="order_value >= 5000"), Branch({"C": 1.0})))
    frame = simulate(model, days=2, seed=3)
    went_b = set(frame.loc[frame[C.ACTIVITY] == "B", C.CASE])
    big = set(frame.loc[frame["order_value"] >= 5000, C.CASE])
    assert went_b == big and big


def test_skip_condition_removes_the_step_for_matching_cases_only() -> None:
    model = _branch_model((Branch({"B": 1.0}),), skip="order_value < 5000")
    frame = simulate(model, days=2, seed=3)
    went_b = set(frame.loc[frame[C.ACTIVITY] == "B", C.CASE])
    assert went_b == set(frame.loc[frame["order_value"] >= 5000, C.CASE])
    assert frame.groupby(C.CASE)[C.ACTIVITY].apply(lambda s: s.iloc[-1]).eq("C").all()


def test_visit_specific_decision_bounds_a_rework_loop() -> None:
    acts = {n: Activity(n, "p", fixed(60.0)) for n in ("Inspect", "Rework")}
    decisions = (
        Decision("START", (Branch({"Inspect": 1.0}),)),
        Decision("Inspect", (Branch({"Rework": 1.0}),), visit=1),
        Decision("Inspect", (Branch({"END": 1.0}),), visit=2),
        Decision("Rework", (Branch({"Inspect": 1.0}),)),
    )
    model = SimulationModel(
        Arrivals({}, interarrival=fixed(3600.0)),
        acts,
        {"p": Pool("p", None, "24/7")},
        {"24/7": Calendar.always()},
        Routing(decisions),
    )
    frame = simulate(model, days=1, seed=1)
    traces = frame.groupby(C.CASE)[C.ACTIVITY].apply(list)
    assert len(traces) == 23 and all(t == ["Inspect", "Rework", "Inspect"] for t in traces)


def test_earliest_due_date_priority_reorders_the_queue() -> None:
    # cases queue behind a long first job; with EDD the waiting ones are served by due date, with FIFO not
    def model(rule: str) -> SimulationModel:
        acts = {"Work": Activity("Work", "p", fixed(1000.0), priority=rule)}
        attrs = CaseAttributes(("k",), ((1,), (2,), (3,), (4,)), (90_000.0, 5_000.0, 50_000.0, 20_000.0))
        return SimulationModel(
            Arrivals({}, interarrival=fixed(100.0)),
            acts,
            {"p": Pool("p", 1, "24/7", ("x",))},
            {"24/7": Calendar.always()},
            chain(["Work"]),
            attrs,
            due=two_step_model().due,
        )

    fifo_sorted = []
    for seed in range(1, 6):
        edd = simulate(model("earliest_due_date"), days=650 / 86400, seed=seed, start=T0).sort_values(C.START)
        assert edd[C.DUE].iloc[1:].is_monotonic_increasing
        fifo = simulate(model("fifo"), days=650 / 86400, seed=seed, start=T0).sort_values(C.START)
        assert fifo[C.CASE].tolist() == sorted(fifo[C.CASE])
        fifo_sorted.append(fifo[C.DUE].iloc[1:].is_monotonic_increasing)
    assert not all(fifo_sorted)  # the test can tell the two rules apart


def test_warmup_cases_are_not_reported_and_window_starts_at_start() -> None:
    model = dataclasses.replace(
        two_step_model(), arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": 900.0}))
    )
    frame = simulate(model, days=1, seed=1, start=T0, warmup_days=2)
    arrivals = frame.groupby(C.CASE)[C.START].min()
    assert arrivals.min() >= T0 and arrivals.max() < T0 + pd.Timedelta(days=1.1)


def test_max_cases_limits_reported_cases() -> None:
    model = dataclasses.replace(
        two_step_model(), arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": 300.0}))
    )
    frame = simulate(model, days=10, seed=1, max_cases=25)
    assert frame[C.CASE].nunique() == 25


@pytest.mark.parametrize("day", ["Mon", "Sat"])
def test_weekly_arrival_profile_only_produces_cases_in_open_hours(day: str) -> None:
    rates = {
        d: tuple(6.0 if (d == day and 9 <= h < 11) else 0.0 for h in range(24))
        for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    }
    model = dataclasses.replace(two_step_model(capacity=None), arrivals=Arrivals(rates))
    frame = simulate(model, days=28, seed=4, start=T0)
    first = frame.groupby(C.CASE)[C.START].min()
    assert set(first.dt.day_name().str[:3]) == {day}
    assert first.dt.hour.between(9, 10).all()
    assert abs(len(first) / 4 - 12) < 4  # 12 expected per week


def test_working_day_due_dates_skip_the_weekend() -> None:
    # "3 working days, end of day": an order arriving Thursday 10:00 is due Tuesday 23:59:59
    from procopt.model.types import DuePolicy

    model = dataclasses.replace(
        two_step_model(gap_s=3 * 86400 + 10 * 3600, capacity=None),
        attributes=CaseAttributes(("k",), ((1,),), (3 * 86400.0 + 86399.0,)),
        due=DuePolicy("offset", working_days=True),
    )
    frame = simulate(model, days=3.5, seed=1, start=T0)
    assert frame[C.DUE].iloc[0] == pd.Timestamp("2024-01-09 23:59:59")


def test_duration_by_attribute_picks_the_case_value() -> None:
    base = two_step_model(capacity=None)
    enter = dataclasses.replace(base.activities["Enter"], duration_by=("order_value", {}))
    # text attribute: "fast" orders take 60 s, others the default 900 s
    attrs = CaseAttributes(("kind",), (("fast",), ("slow",)))
    enter = dataclasses.replace(enter, duration_by=("kind", {"fast": fixed(60.0)}))
    model = dataclasses.replace(base, activities={**base.activities, "Enter": enter}, attributes=attrs)
    frame = simulate(model, days=0.5, seed=2, start=T0)
    e = frame[frame[C.ACTIVITY] == "Enter"]
    took = (e[C.END] - e[C.START]).dt.total_seconds()
    assert set(took[e["kind"] == "fast"]) == {60.0} and set(took[e["kind"] == "slow"]) == {900.0}
