"""Experiments: the result shape, determinism across seeds and worker counts, paired comparisons, stability."""

from __future__ import annotations

import dataclasses

import pytest

from procopt._io import dumps_json
from procopt.errors import ScenarioError
from procopt.model.types import (
    Activity,
    Arrivals,
    Branch,
    Calendar,
    CaseAttributes,
    Decision,
    Distribution,
    DuePolicy,
    Pool,
    Routing,
    SimulationModel,
)
from procopt.scenario import scenario_from_dict
from procopt.sim.executor import LocalExecutor
from procopt.sim.experiment import RunConfig, run_experiment


def queue_model(rho: float = 0.75) -> SimulationModel:
    """Orders (exponential gaps) -> Check (2 people, exponential work at utilisation rho) -> Ship."""
    gap = 3600.0
    return SimulationModel(
        arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": gap})),
        activities={
            "Check": Activity("Check", "credit", Distribution("exponential", {"mean_s": 2 * gap * rho})),
            "Ship": Activity("Ship", "dispatch", Distribution("fixed", {"value_s": 600.0})),
        },
        pools={"credit": Pool("credit", 2, "24/7", ("ann", "bob")), "dispatch": Pool("dispatch", None, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=Routing(
            (
                Decision("START", (Branch({"Check": 1.0}),)),
                Decision("Check", (Branch({"Ship": 1.0}),)),
                Decision("Ship", (Branch({"END": 1.0}),)),
            )
        ),
        attributes=CaseAttributes(("order_value",), ((100.0,), (900.0,))),
        due=DuePolicy("sla", sla_s=8 * 3600.0),
        delivery_activity="Ship",
    )


CFG = RunConfig(replications=5, days=24, warmup_days=4, seed=3, workers=1, drain_days=10)
PLUS_ONE = scenario_from_dict(
    {
        "name": "plus_one",
        "changes": [{"capacity": {"activity": "Check", "add": 1}}],
        "kpi_targets": {"lead_time_mean_hours": {"max": 2.0}, "delivery_rate": {"min": 0.99}},
    }
)
NOTHING = scenario_from_dict({"name": "nothing", "changes": []})


@pytest.fixture(scope="module")
def result() -> dict:
    return run_experiment(queue_model(), [PLUS_ONE, NOTHING], CFG).to_dict()


def test_result_shape(result: dict) -> None:
    base, plus, same = result["runs"]
    assert [r["scenario"] for r in result["runs"]] == ["baseline", "plus_one", "nothing"]
    for run in result["runs"]:
        assert {
            "scenario",
            "cases",
            "lead_time_hours",
            "delivery_rate",
            "throughput_per_week",
            "utilisation",
            "wip",
            "kpi_targets",
            "stable",
            "vs_baseline",
        } <= set(run)
        assert {"mean", "p50", "p90", "mean_ci95"} <= set(run["lead_time_hours"])
        assert {"value", "ci95"} <= set(run["delivery_rate"])
        assert run["cases"] > 300
    assert base["vs_baseline"] is None
    for key in ("lead_time_mean_hours", "delivery_rate"):
        assert {"diff", "ci95", "significant"} <= set(plus["vs_baseline"][key])
    assert set(base["utilisation"]) == {"credit"}


def test_common_random_numbers_make_an_empty_scenario_identical(result: dict) -> None:
    same = result["runs"][2]["vs_baseline"]
    assert same["lead_time_mean_hours"]["diff"] == 0.0
    assert same["lead_time_mean_hours"]["significant"] is False
    assert result["runs"][2]["lead_time_hours"] == result["runs"][0]["lead_time_hours"]


def test_more_capacity_is_a_significant_improvement(result: dict) -> None:
    base, plus = result["runs"][0], result["runs"][1]
    d = plus["vs_baseline"]["lead_time_mean_hours"]
    assert d["significant"] and d["diff"] < 0
    assert plus["utilisation"]["credit"] == pytest.approx(base["utilisation"]["credit"] * 2 / 3, rel=0.02)
    assert base["utilisation"]["credit"] == pytest.approx(0.75, abs=0.08)
    # M/M/2 at rho 0.75: mean wait 1.93 h + 1.5 h work + 0.17 h shipping ~ 3.6 h; M/M/3: ~2.0 h
    assert base["lead_time_hours"]["mean"] == pytest.approx(3.6, rel=0.3)
    assert plus["kpi_targets"]["delivery_rate"]["target"] == {"min": 0.99}
    assert plus["kpi_targets"]["lead_time_mean_hours"]["met"] is (plus["lead_time_hours"]["mean"] <= 2.0)
    assert base["kpi_targets"]  # the baseline is judged against the scenarios' targets too


def test_same_seed_identical_json_regardless_of_workers() -> None:
    a = dumps_json(run_experiment(queue_model(), [PLUS_ONE], CFG).to_dict()["runs"])
    b = dumps_json(run_experiment(queue_model(), [PLUS_ONE], dataclasses.replace(CFG, workers=2)).to_dict()["runs"])
    assert a == b
    c = dumps_json(run_experiment(queue_model(), [PLUS_ONE], dataclasses.replace(CFG, seed=4)).to_dict()["runs"])
    assert c != a


def test_overloaded_system_is_reported_unstable() -> None:
    push = scenario_from_dict({"name": "push", "changes": [{"arrivals": {"scale": 1.6}}]})  # rho = 1.2
    runs = run_experiment(queue_model(0.75), [push], CFG).to_dict()["runs"]
    assert runs[0]["stable"] is True
    assert runs[1]["stable"] is False
    assert any("credit" in r or "queues grow" in r or "open" in r for r in runs[1]["unstable_reasons"])


def test_executor_keeps_task_order_and_reports_progress() -> None:
    seen: list[tuple[int, int]] = []
    assert LocalExecutor(workers=2).map(abs, [-3, 1, -2], lambda d, t: seen.append((d, t))) == [3, 1, 2]
    assert seen[-1] == (3, 3)


def test_event_logs_of_the_first_replication_are_kept() -> None:
    res = run_experiment(queue_model(), [PLUS_ONE], dataclasses.replace(CFG, keep_logs=1))
    assert set(res.logs) == {"baseline", "plus_one"}
    assert len(res.logs["baseline"]) == 1 and len(res.logs["baseline"][0]) > 300


def test_bad_configurations_are_refused() -> None:
    with pytest.raises(ScenarioError, match="must be longer than the warm-up"):
        run_experiment(queue_model(), [], dataclasses.replace(CFG, days=4))
    with pytest.raises(ScenarioError, match="two scenarios are named 'plus_one'"):
        run_experiment(queue_model(), [PLUS_ONE, PLUS_ONE], CFG)
