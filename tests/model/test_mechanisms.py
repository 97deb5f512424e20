"""Mechanisms real processes have, each calibrated from a generated log whose true answer is known."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from procopt.generate import mechanisms as gen
from procopt.log import columns as C
from procopt.model.attributes import outcome_attributes
from procopt.model.calibrate import CalibrationOptions, calibrate
from procopt.model.drift import detect_drift
from procopt.model.io import model_from_dict, model_to_dict
from procopt.model.parallel import block_name
from procopt.model.pools import resources_name_cases
from procopt.sim.engine import simulate


def contract(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = frame.rename(
        columns={"case": C.CASE, "activity": C.ACTIVITY, "start": C.START, "end": C.END, "resource": C.RESOURCE}
    )
    return C.normalise_frame(renamed)


def lead_times_h(events: pd.DataFrame) -> pd.Series:
    g = events.groupby(C.CASE)
    return (g[C.END].max() - g[C.START].min()).dt.total_seconds() / 3600.0


@pytest.fixture(scope="module")
def parallel() -> tuple[pd.DataFrame, gen.Truth]:
    frame, truth = gen.parallel_log(seed=3, cases=500)
    return contract(frame), truth


def test_parallel_block_is_discovered_and_routed(parallel) -> None:
    events, _ = parallel
    model = calibrate(events)
    name = block_name(("Check Credit", "Check Stock"))
    assert dict(model.parallel) == {name: ("Check Credit", "Check Stock")}
    after_receive = [d for d in model.routing.decisions if d.after == "Receive"]
    assert after_receive and after_receive[0].branches[0].next == {name: 1.0}
    # the block survives the model file
    assert model_from_dict(model_to_dict(model)).parallel == model.parallel


@pytest.mark.slow
def test_parallel_lead_time_is_right_and_sequential_one_is_longer(parallel) -> None:
    events, truth = parallel
    with_blocks = calibrate(events)
    sequential = calibrate(events, CalibrationOptions(parallel=False))
    sim_par = simulate(with_blocks, days=60, seed=1)
    sim_seq = simulate(sequential, days=60, seed=1)
    par, seq = lead_times_h(sim_par).mean(), lead_times_h(sim_seq).mean()
    assert par == pytest.approx(truth.mean_lead_time_h, rel=0.12)
    # run in sequence the two checks add up: the prediction must change, towards the sum of the means
    assert seq == pytest.approx(truth.facts["sequential_lead_time_h"], rel=0.12)
    assert seq > par * 1.25
    # both branches really overlap in the simulated log
    both = sim_par[sim_par[C.ACTIVITY].isin(["Check Stock", "Check Credit"])]
    first = both.groupby(C.CASE)[C.START].agg(["min", "max"])
    assert ((first["max"] - first["min"]).dt.total_seconds() < 1).mean() > 0.95


@pytest.mark.slow
def test_differentiated_speeds_are_learned_and_replayed() -> None:
    frame, truth = gen.speeds_log(seed=5, cases=1500)
    events = contract(frame)
    model = calibrate(events)
    pool = model.pools[model.activities["Review"].pool]
    assert pool.speeds, "the two clerks clearly differ"
    ratio = pool.speeds["Ben"] / pool.speeds["Ana"]
    true_ratio = float(truth.facts["Ben_h"]) / float(truth.facts["Ana_h"])
    assert ratio == pytest.approx(true_ratio, rel=0.2)
    sim = simulate(model, days=120, seed=2)
    review = sim[sim[C.ACTIVITY] == "Review"]
    hours = (review[C.END] - review[C.START]).dt.total_seconds() / 3600.0
    per = hours.groupby(review[C.RESOURCE]).mean()
    assert per["Ana"] == pytest.approx(truth.facts["Ana_h"], rel=0.2)
    assert per["Ben"] == pytest.approx(truth.facts["Ben_h"], rel=0.2)
    pooled = calibrate(events, CalibrationOptions(resource_speeds=False))
    assert not pooled.pools[pooled.activities["Review"].pool].speeds


@pytest.mark.slow
def test_drift_is_reported_and_recent_weeks_calibrate_on_the_after() -> None:
    frame, truth = gen.drift_log(seed=2, cases=1200)
    events = contract(frame)
    found = detect_drift(events)
    assert found is not None
    assert found["factor"] >= 5
    assert abs(pd.Timestamp(found["changed_at"]) - pd.Timestamp(str(truth.facts["changed_at"]))) < pd.Timedelta(days=14)
    assert "--recent" in found["message"] and "faster" in found["message"]
    whole = calibrate(events)
    assert whole.provenance["drift"]["factor"] == found["factor"]
    recent = calibrate(events, CalibrationOptions(recent_weeks=found["recent_weeks"] * 0.8))
    h_whole = whole.activities["Handle"].duration.mean_s
    h_recent = recent.activities["Handle"].duration.mean_s
    assert h_recent == pytest.approx(0.2 * 3600, rel=0.35)  # the new 0.2 h, not the mixed ~1.1 h
    assert h_whole > 3 * h_recent


def test_no_drift_in_a_steady_log(parallel) -> None:
    events, _ = parallel
    assert detect_drift(events) is None


def test_recent_weeks_arrival_rate_counts_the_whole_window() -> None:
    frame, _ = gen.parallel_log(seed=1, cases=600, gap_h=2.0)
    events = contract(frame)
    model = calibrate(events, CalibrationOptions(recent_weeks=4))
    assert model.arrivals.cases_per_week == pytest.approx(84.0, rel=0.2)  # one case every 2 h


def test_applicant_resource_column_is_not_a_team() -> None:
    frame, _ = gen.applicant_log(seed=1)
    events = contract(frame)
    assert resources_name_cases(events)
    model = calibrate(events)
    assert all(p.capacity is None and not p.members for p in model.pools.values())
    assert any("applicants" in note for note in model.provenance["estimated"])
    forced = calibrate(events, CalibrationOptions(resource_column="use"))
    assert max(len(p.members) for p in forced.pools.values()) > 100  # what the check prevents


def test_staff_resource_column_is_pooled(parallel) -> None:
    frame, _ = gen.speeds_log(seed=1, cases=300)
    assert not resources_name_cases(contract(frame))


def test_outcome_attributes_never_steer_routing() -> None:
    frame, _ = gen.parallel_log(seed=4, cases=400)
    events = contract(frame)
    rng = np.random.default_rng(0)
    cases = events[C.CASE].unique()
    # a path label, the case's duration and an innocent attribute
    skip = set(rng.choice(cases, size=len(cases) // 3, replace=False).tolist())
    events = events[~(events[C.CASE].isin(skip) & (events[C.ACTIVITY] == "Check Credit"))].reset_index(drop=True)
    span = lead_times_h(events)
    ordered = events.sort_values([C.CASE, C.END], kind="stable")
    path = ordered.groupby(C.CASE)[C.ACTIVITY].agg("-".join).astype("category").cat.codes
    label = {c: f"v{path[c]}" for c in cases}
    events["path_tag"] = events[C.CASE].map(label)
    events["hours_taken"] = events[C.CASE].map(span)
    events["region"] = events[C.CASE].map({c: ("north", "south", "east")[i % 3] for i, c in enumerate(cases)})
    attrs = events.groupby(C.CASE)[["path_tag", "hours_taken", "region"]].first()
    found = outcome_attributes(events, attrs)
    assert set(found) == {"path_tag", "hours_taken"}
    model = calibrate(events)
    conditions = " ".join(b.when or "" for d in model.routing.decisions for b in d.branches)
    assert "path_tag" not in conditions and "hours_taken" not in conditions
    assert any("path_tag" in note for note in model.provenance["estimated"])


def test_case_variant_column_is_an_outcome_by_name() -> None:
    frame, _ = gen.parallel_log(seed=4, cases=60)
    events = contract(frame)
    events["case:variant"] = "Variant 1"
    attrs = events.groupby(C.CASE)[["case:variant"]].first()
    assert "case:variant" in outcome_attributes(events, attrs)


def test_options_are_checked() -> None:
    frame, _ = gen.parallel_log(seed=4, cases=60)
    from procopt.errors import ModelError

    with pytest.raises(ModelError, match="delay_clock"):
        calibrate(contract(frame), dataclasses.replace(CalibrationOptions(), delay_clock="lunar"))


def test_priority_rule_is_learned_from_who_was_served_first() -> None:
    frame, truth = gen.priority_log(seed=1, cases=1200)
    model = calibrate(contract(frame))
    assert model.activities["Approve"].priority == truth.facts["priority"]
    assert model.provenance["value_attribute"] == "order_value"


def test_fifo_desk_stays_fifo() -> None:
    frame, _ = gen.speeds_log(seed=2, cases=800)
    model = calibrate(contract(frame))
    assert model.activities["Review"].priority == "fifo"


def test_start_estimation_is_checked_against_known_starts() -> None:
    from procopt.model.starts import check_start_estimation

    # a chain without queueing: each step starts when the previous one ends, so the estimated start is the
    # true one; the estimate keeps the lower half of the gaps (to leave queueing out) and so runs short
    frame, _ = gen.drift_log(seed=3, cases=300, change_share=1.0)
    events = contract(frame)
    events[C.START] = events.groupby(C.CASE)[C.END].shift().fillna(events[C.START])
    check = check_start_estimation(events)
    n, real_h, est_h = check.activities["Handle"]
    assert n == 300
    assert real_h == pytest.approx(22.0, rel=0.15)  # 20 h wait + 2 h work, all of it "work" now
    assert 0 < est_h < real_h
    assert check.mean_relative_bias < 0
    assert check.mean_relative_error == pytest.approx(abs(check.mean_relative_bias), rel=1e-9)


def test_start_estimation_needs_start_times() -> None:
    from procopt.errors import ModelError
    from procopt.model.starts import check_start_estimation

    frame, _ = gen.parallel_log(seed=4, cases=40)
    events = contract(frame)
    events[C.START] = pd.NaT
    with pytest.raises(ModelError, match="no start times"):
        check_start_estimation(events)


def test_model_cli_recent_weeks_and_drift_warning(tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from procopt.cli import main

    frame, _ = gen.drift_log(seed=2, cases=900)
    path = tmp_path / "drift.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "m.yaml"
    res = CliRunner().invoke(main, ["model", str(path), "--out", str(out), "--no-fidelity"])
    assert res.exit_code == 0, res.output
    assert "Warning: the process changed around" in res.output and "--recent" in res.output
    res = CliRunner().invoke(main, ["model", str(path), "--out", str(out), "--no-fidelity", "--recent", "4", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["model_detail"]["provenance"]["recent_weeks"] == 4.0
    bad = CliRunner().invoke(main, ["model", str(path), "--out", str(out), "--recent", "0"])
    assert bad.exit_code == 2 and "--recent" in bad.output


def test_a_role_named_as_the_resource_is_not_one_person() -> None:
    # Exports often name the role ('Claims handler') instead of the person: one "member" then runs many
    # instances at once, and a pool of capacity 1 would queue every case behind the others (02_teleclaims:
    # 100 'Claims handler' instances at once became "1 at once" and the simulated lead time 34x the real one).
    frame, truth = gen.parallel_log(seed=2, cases=400, gap_h=0.5)
    roles = {"Receive": "Receiving clerk", "Check Stock": "Store", "Check Credit": "Finance", "Ship": "Driver"}
    frame["resource"] = frame["activity"].map(roles)
    events = contract(frame)
    model = calibrate(events)
    for act in ("Check Stock", "Check Credit"):
        pool = model.pools[model.activities[act].pool]
        assert pool.capacity is None or pool.capacity >= 8, (act, pool.capacity)
    sim = simulate(model, days=40, seed=1)
    assert lead_times_h(sim).mean() == pytest.approx(truth.mean_lead_time_h, rel=0.25)


def test_dates_without_times_are_not_a_midnight_release() -> None:
    # A log whose times are dates only (traffic fines: '2006-07-24') has every step at 00:00; that is the
    # date's resolution, not work released at midnight (which `model` used to claim for nine steps).
    frame, _ = gen.parallel_log(seed=5, cases=300, gap_h=8.0)
    frame["end"] = frame["end"].dt.normalize()
    events = contract(frame.drop(columns=["start"]))
    model = calibrate(events)
    assert {a: act.batch for a, act in model.activities.items() if act.batch is not None} == {}
    assert any(n.startswith("batches: not looked for") for n in model.provenance["estimated"])


def test_capacity_note_says_which_steps_have_no_resource() -> None:
    # The mobis log names its people except on one step; "no resource column" beside pools of 10 and 47
    # people contradicted itself. Traffic fines has the column but empty in 71% of the events.
    frame, _ = gen.parallel_log(seed=6, cases=200)
    frame.loc[frame["activity"] == "Ship", "resource"] = None
    notes = calibrate(contract(frame)).provenance["estimated"]
    assert "capacity: no resource recorded for 1 step(s) (Ship): their pools have unlimited capacity" in notes
    frame.loc[frame["activity"] != "Receive", "resource"] = None
    notes = calibrate(contract(frame)).provenance["estimated"]
    assert any(n.startswith("capacity: the resource column is empty in 75% of the events") for n in notes)
    frame["resource"] = None
    notes = calibrate(contract(frame)).provenance["estimated"]
    assert "capacity: no resource column, pools have unlimited capacity" in notes
