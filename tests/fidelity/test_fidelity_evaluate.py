"""evaluate_fidelity on a generated order-to-cash log: procopt's model beats the naive baseline."""

from __future__ import annotations

import pandas as pd
import pytest

from procopt.errors import ModelError
from procopt.fidelity import METRIC_KEYS, FidelityReport, evaluate_fidelity
from procopt.log import columns as C


@pytest.fixture(scope="module")
def o2c_events() -> pd.DataFrame:
    from procopt.generate import generate

    return generate("o2c", seed=3, days=60).events


@pytest.fixture(scope="module")
def report(o2c_events: pd.DataFrame) -> FidelityReport:
    return evaluate_fidelity(o2c_events, runs=3, seed=1)


def test_report_shape(report: FidelityReport) -> None:
    d = report.to_dict()
    assert set(d) == {"procopt", "naive", "train_cases", "test_cases", "runs", "notes"}
    assert set(d["procopt"]) == set(METRIC_KEYS) == set(d["naive"])
    assert d["runs"] == 3 and d["train_cases"] > 3 * d["test_cases"] > 0
    for key in METRIC_KEYS:  # the generated log has start times and due dates: everything is computable
        assert d["procopt"][key] is not None and d["procopt"][key] >= 0


def test_procopt_beats_naive_on_a_generated_log(report: FidelityReport) -> None:
    p, n = report.procopt, report.naive
    # the true process has calendars, a queueing bottleneck and a 16:00 batch approval: a model without them
    # gets the hour of day and the cycle times wrong
    assert p["ctd_hours"] < 0.75 * n["ctd_hours"]
    assert p["ced_hours"] < n["ced_hours"]
    assert p["red_hours"] < n["red_hours"]
    assert p["lead_time_mean_rel_error"] < n["lead_time_mean_rel_error"]
    assert p["lead_time_mean_rel_error"] < 0.4
    assert p["ngd"] < 0.5  # the control flow is learned by both


def test_deterministic_per_seed(o2c_events: pd.DataFrame) -> None:
    first_weeks = o2c_events[o2c_events[C.END] < o2c_events[C.END].min() + pd.Timedelta(days=20)]
    a = evaluate_fidelity(first_weeks, runs=1, seed=7).to_dict()
    b = evaluate_fidelity(first_weeks, runs=1, seed=7).to_dict()
    assert a == b


def test_completion_only_log_is_scored_and_says_so(o2c_events: pd.DataFrame) -> None:
    first_weeks = o2c_events[o2c_events[C.END] < o2c_events[C.END].min() + pd.Timedelta(days=20)]
    report = evaluate_fidelity(first_weeks.assign(**{C.START: pd.NaT}), runs=1, seed=1)
    assert any("only completion times" in note for note in report.notes)
    assert report.procopt["ctd_hours"] is not None


def test_too_small_log_is_a_model_error() -> None:
    log = C.make_events([{"case": "a", "activity": "X", "end": "2024-01-01 10:00"}])
    with pytest.raises(ModelError, match="too few complete cases"):
        evaluate_fidelity(log, runs=1)


def test_censor_cuts_simulated_events_at_the_log_end(o2c_events: pd.DataFrame) -> None:
    first_weeks = o2c_events[o2c_events[C.END] < o2c_events[C.END].min() + pd.Timedelta(days=20)]
    report = evaluate_fidelity(first_weeks, runs=1, seed=1, censor=True, keep_logs=True)
    assert report.simulated is not None and report.test is not None
    for logs in report.simulated.values():
        assert logs[0][C.END].max() <= report.test_end
    assert any("censored" in note for note in report.notes)


def test_utilisation_check_matches_the_log_on_the_bottleneck(o2c_generated, o2c_model) -> None:
    from procopt.fidelity.utilisation import utilisation_check

    rows = {r["pool"]: r for r in utilisation_check(o2c_model, o2c_generated.events, replications=1)}
    credit = rows[o2c_model.activities["Check Credit"].pool]
    # the true analysts are ~90 % busy; the model offers the same people-hours and the same work
    assert 0.8 < credit["log_utilisation"] < 1.0
    assert abs(credit["model_utilisation"] - credit["log_utilisation"]) < 0.05
    assert utilisation_check(o2c_model, o2c_generated.events.assign(**{C.START: pd.NaT})) == []
