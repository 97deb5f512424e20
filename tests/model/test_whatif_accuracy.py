"""The point of procopt: a model learned from a log predicts what an intervention really does.

The generator's true O2C process is run with and without the intervention (same seed: common random
numbers on the true side too); procopt calibrates on the baseline log only and predicts the intervention.
Tolerances (stated by the project): mean lead time within 10 %, delivery rate within 3 points.
The true process has waits that are not queueing — a 16:00 director batch, 10:00/15:00 trucks, office
calendars with lunch breaks, two-shift production, hand-off delays — so a pure queueing network fails here.

With the credit analysts ~90 % busy, one 120-day true log swings by about +-10 % in mean lead time from
seed to seed; the logs here are 240 days long and the model runs 16 replications to keep that noise
below the tolerance.
"""

from __future__ import annotations

from typing import Any

import pytest

from procopt.generate import Intervention, generate
from procopt.model.calibrate import calibrate
from procopt.scenario import scenario_from_dict
from procopt.sim.experiment import RunConfig, run_experiment

FD = "Approve Order (Finance Director)"
DAYS = 240
CASES = {
    "remove_director_approval": (Intervention(remove_activities=(FD,)), [{"remove_activity": FD}]),
    "plus_one_credit_analyst": (
        Intervention(extra_capacity={"Credit Analysts": 1}),
        [{"capacity": {"activity": "Check Credit", "add": 1}}],
    ),
}


@pytest.fixture(scope="module")
def predicted_and_true() -> dict[str, Any]:
    base = generate("o2c", seed=1, days=DAYS)
    model = calibrate(base.events)
    scenarios = [scenario_from_dict({"name": name, "changes": changes}) for name, (_, changes) in CASES.items()]
    result = run_experiment(model, scenarios, RunConfig(replications=16, days=DAYS, warmup_days=14, seed=1))
    runs = {r["scenario"]: r for r in result.to_dict()["runs"]}
    truths = {"baseline": base.truth}
    for name, (iv, _) in CASES.items():
        truths[name] = generate("o2c", seed=1, days=DAYS, intervention=iv).truth
    return {"runs": runs, "truths": truths}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["baseline", *CASES])
def test_predicted_lead_time_and_delivery_rate_match_the_true_process(
    predicted_and_true: dict[str, Any], scenario: str
) -> None:
    run = predicted_and_true["runs"][scenario]
    truth = predicted_and_true["truths"][scenario]
    predicted = run["lead_time_hours"]["mean"]
    assert predicted == pytest.approx(truth.lead_time_mean_h, rel=0.10), (predicted, truth.lead_time_mean_h)
    assert run["delivery_rate"]["value"] == pytest.approx(truth.delivery_rate, abs=0.03), (
        run["delivery_rate"]["value"],
        truth.delivery_rate,
    )
    assert run["stable"]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(CASES))
def test_predicted_effect_matches_the_true_effect(predicted_and_true: dict[str, Any], scenario: str) -> None:
    run = predicted_and_true["runs"][scenario]
    truths = predicted_and_true["truths"]
    true_diff = truths[scenario].lead_time_mean_h - truths["baseline"].lead_time_mean_h
    diff = run["vs_baseline"]["lead_time_mean_hours"]
    assert diff["significant"] and diff["diff"] < 0 and true_diff < 0
    # the effect is right to within 10 % of the true scenario's lead time
    assert abs(diff["diff"] - true_diff) <= 0.10 * truths[scenario].lead_time_mean_h, (diff["diff"], true_diff)
