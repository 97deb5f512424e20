"""Honest labels: run-out from the log's case durations, truncation is not overload, no capacity claim without
capacity data, a KPI without data is not measured."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from procopt.cli.simulate import render_runs
from procopt.log import columns as C
from procopt.model.types import (
    WEEKDAYS,
    Activity,
    Arrivals,
    Branch,
    Calendar,
    Decision,
    Distribution,
    DuePolicy,
    Pool,
    Routing,
    SimulationModel,
)
from procopt.sim.experiment import RunConfig, case_p99_hours, run_experiment, run_out_days
from procopt.sim.sweep import parse_vary, run_sweep


def slow_model(service_days: float, capacity: int | None) -> SimulationModel:
    """One step lasting ``service_days`` (fixed), one order a day, 24/7: no queue when capacity is unlimited."""
    return SimulationModel(
        arrivals=Arrivals(dict.fromkeys(WEEKDAYS, (1 / 24,) * 24)),
        activities={"Build": Activity("Build", "Shop", Distribution("fixed", {"value_s": service_days * 86400}))},
        pools={"Shop": Pool("Shop", capacity, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=Routing((Decision("START", (Branch({"Build": 1.0}),)), Decision("Build", (Branch({"END": 1.0}),)))),
        due=DuePolicy("sla", sla_s=200 * 86400.0),
    )


def test_run_out_follows_the_logs_case_durations() -> None:
    assert run_out_days(None) == 60.0
    assert run_out_days(24.0) == 7.0  # at least a week
    assert run_out_days(4010.0 * 2) == 502.0  # long cases get a long run-out
    frame = C.make_events(
        [
            {"case": "a", "activity": "x", "end": "2024-01-01 00:00"},
            {"case": "a", "activity": "y", "end": "2024-01-11 00:00"},
            {"case": "b", "activity": "x", "end": "2024-01-01 00:00"},
        ]
    )
    assert case_p99_hours(frame) == pytest.approx(0.99 * 240.0)


def test_truncated_cases_are_not_called_unstable() -> None:
    # 30-day jobs, unlimited capacity: nothing queues, but a 10-day run-out cuts the late arrivals short
    result = run_experiment(
        slow_model(30, None), [], RunConfig(replications=2, days=40, warmup_days=5, seed=1, workers=1, drain_days=10)
    )
    base = result.to_dict()["runs"][0]
    assert base["stable"] and base["truncated"] and base["unfinished_share"] > 0.01
    text = render_runs(result.to_dict())
    assert "UNSTABLE" not in text and "truncated, not overloaded" in text
    # with a run-out from the case durations (p99 = 30 days) they finish
    long = run_experiment(
        slow_model(30, None),
        [],
        RunConfig(replications=2, days=40, warmup_days=5, seed=1, workers=1, drain_days=run_out_days(30 * 24.0)),
    )
    assert not long.to_dict()["runs"][0]["truncated"]


def test_no_capacity_claim_without_capacity_data() -> None:
    sweep = run_sweep(
        slow_model(0.1, None),
        [parse_vary("arrivals.scale=1,2")],
        replications=2,
        days=30,
        warmup_days=3,
        seed=1,
        workers=1,
    )
    assert not sweep.capacity_known and sweep.to_dict()["capacity_known"] is False
    text = sweep.knees[0].sentence()
    assert "capacity is unknown" in text.lower() and "holds" not in text
    known = run_sweep(
        slow_model(0.1, 1),
        [parse_vary("arrivals.scale=1,2")],
        replications=2,
        days=30,
        warmup_days=3,
        seed=1,
        workers=1,
    )
    assert known.capacity_known and "capacity is unknown" not in known.knees[0].sentence().lower()


@pytest.mark.slow
def test_chart_title_says_capacity_is_unknown(tmp_path: pytest.TempPathFactory) -> None:
    from procopt.sim.sweep import write_sweep
    from procopt.viz.sweep_chart import render_chart, sweep_title

    sweep = run_sweep(
        slow_model(0.1, None),
        [parse_vary("arrivals.scale=1,2")],
        replications=2,
        days=30,
        warmup_days=3,
        seed=1,
        workers=1,
    )
    assert not sweep.capacity_known
    chart = render_chart(sweep.rows, sweep.knees, title=sweep_title("x", sweep.capacity_known))
    files = write_sweep(sweep, tmp_path / "out", chart=chart)  # type: ignore[operator]
    assert "capacity unknown" in files["sweep.svg"].read_text(encoding="utf-8")


def test_a_kpi_without_data_is_not_measured_not_missed() -> None:
    model = dataclasses.replace(slow_model(0.1, None), due=DuePolicy())  # no due dates: no on-time rate
    from procopt.scenario import scenario_from_dict

    sc = scenario_from_dict({"name": "same", "changes": [], "kpi_targets": {"delivery_rate": {"min": 0.9}}})
    doc = run_experiment(model, [sc], RunConfig(replications=2, days=20, warmup_days=2, seed=1, workers=1)).to_dict()
    check = doc["runs"][1]["kpi_targets"]["delivery_rate"]
    assert check["value"] is None and check["met"] is None
    text = render_runs(doc)
    assert "not measured" in text and "MISSED" not in text


def test_case_p99_reads_starts_when_present() -> None:
    frame = pd.DataFrame(
        {
            C.CASE: ["a", "a"],
            C.ACTIVITY: ["x", "y"],
            C.START: pd.to_datetime(["2024-01-01", "2024-01-02"]),
            C.END: pd.to_datetime(["2024-01-01 01:00", "2024-01-03 00:00"]),
        }
    )
    assert case_p99_hours(frame) == pytest.approx(48.0)


def test_delivery_step_is_the_one_that_ends_the_delivery_path() -> None:
    from procopt.cli.model import _delivery_text
    from procopt.model.calibrate import calibrate

    rows = []
    for i in range(30):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
        for k, act in enumerate(("place order", "prepare delivery", "make delivery", "confirm payment")):
            rows.append({"case": f"c{i}", "activity": act, "end": day + pd.Timedelta(hours=k + 1)})
    model = calibrate(C.make_events(rows))
    assert model.delivery_activity == "make delivery"  # not "prepare delivery", though both are as frequent
    assert "also found: prepare delivery" in _delivery_text(model)
