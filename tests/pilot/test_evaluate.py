"""Pilot evaluation on generated logs whose true pilot effect is known."""

from __future__ import annotations

import datetime

import pytest
from _pilot_helpers import make_record, window_means

from procopt.generate import Intervention, Switch, generate
from procopt.pilot.evaluate import evaluate_pilot

START = datetime.date(2025, 6, 2)


WEEKS = 4


@pytest.fixture(scope="module")
def evaluated(pilot_log):
    return evaluate_pilot(make_record(weeks=WEEKS), pilot_log.events, log_name="pilot.csv", seed=1)


def test_recovers_a_segment_only_change_while_the_control_absorbs_a_drift(evaluated, pilot_log, drift_only_log) -> None:
    with_pilot = window_means(pilot_log.events, START, WEEKS)
    without = window_means(drift_only_log.events, START, WEEKS)
    # the estimand of a difference-in-differences: the segment's change minus what the control felt of it
    true_effect = (with_pilot["pilot"] - without["pilot"]) - (with_pilot["control"] - without["control"])
    ev = evaluated.record.evaluation
    observed = ev.observed_effect.lead_time_hours
    low, high = observed.ci95
    assert true_effect < -5  # the pilot really helps the segment
    assert low <= true_effect <= high
    assert abs(observed.value - true_effect) <= max(3.0, 0.25 * abs(true_effect))
    again = evaluate_pilot(make_record(weeks=WEEKS), pilot_log.events, log_name="pilot.csv", seed=1)
    assert ev.cases["pilot_during"] >= 20 and ev.cases["control_during"] >= 20
    assert again.record.evaluation == ev  # same seed, same numbers
    assert ev.fix_applied is True
    assert ev.parallel_pre_trends is True


def test_the_input_record_is_not_changed(evaluated) -> None:
    record = make_record(weeks=WEEKS)
    assert record.evaluation is None
    assert evaluated.record.evaluation is not None
    assert evaluated.record.model_copy(update={"evaluation": None}) == record


def test_a_fix_never_applied_is_flagged(drift_only_log) -> None:
    result = evaluate_pilot(make_record(weeks=WEEKS), drift_only_log.events, log_name="drift.csv")
    ev = result.record.evaluation
    assert ev.fix_applied is False
    assert ev.fix_checks[0]["status"] == "not_applied"
    assert "still in 100%" in ev.fix_checks[0]["detail"]
    assert ev.decision == "extend" and "not applied" in ev.reason


def test_a_pilot_too_short_for_its_effect_is_reported_as_such() -> None:
    """The invoice is sent after delivery: skipping it in the segment cannot move lead time, so no effect shows."""
    invoice = "Create Invoice"
    log = generate(
        "o2c", seed=3, days=105, switches=(Switch(START, Intervention(remove_activities=(invoice,)), "product == 'B'"),)
    )
    record = make_record(
        changes=[{"remove_activity": invoice}],
        predicted=(-4.0, -7.0, -1.0),
        detectable=False,
        minimum_detectable=20.0,
        proposed_weeks=10,
    )
    result = evaluate_pilot(record, log.events, log_name="invoice.csv")
    ev = result.record.evaluation
    assert ev.fix_applied is True
    low, high = ev.observed_effect.lead_time_hours.ci95
    assert low <= 0 <= high
    assert result.too_short is True
    assert ev.decision == "extend"
    assert "too short to detect" in ev.reason and "10 weeks" in ev.reason
    assert result.to_dict()["too_short"] is True


def test_json_shape_matches_the_contract(evaluated) -> None:
    doc = evaluated.to_dict()
    for key in ("predicted_effect", "observed_effect"):
        assert set(doc[key]) == {"lead_time_hours", "delivery_rate"}
        for metric in doc[key].values():
            assert set(metric) == {"value", "ci95"}
            assert metric["ci95"] is None or len(metric["ci95"]) == 2
    assert set(doc["vs_prediction"].values()) <= {"inside", "better", "worse", None}
    assert doc["decision"] in {"roll_out", "extend", "stop"}
    assert isinstance(doc["reason"], str) and doc["reason"]
    assert doc["fix_applied"] in (True, False, None)
