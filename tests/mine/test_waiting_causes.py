"""Causes of waiting: each cause injected alone in a small true process must be recovered."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.generate.waiting_causes import CAUSES, generate_waiting_causes
from procopt.log import columns as C
from procopt.log.columns import make_events
from procopt.mine import MineOptions, mine
from procopt.mine import batching as B
from procopt.mine import instances as I
from procopt.mine import waiting as W


def _attribute(scenario: str) -> tuple[dict[str, float], dict[str, float], tuple[B.BatchPattern, ...]]:
    log = generate_waiting_causes(scenario, seed=1)
    inst, has_start = I.build_instances(log.events)
    patterns, _ = B.detect_batches(inst, has_start)
    causes = W.attribute_waiting(inst, has_start, B.release_at(inst, patterns))
    assert causes.parts is not None
    handle = (inst[I.ACTIVITY] == "Handle").to_numpy()
    truth = log.totals()
    total = sum(truth.values())
    mined = causes.parts[handle].sum()
    return (
        {c: truth[c] / total for c in CAUSES},
        {c: float(mined[f"{c}_s"]) / total for c in CAUSES},
        patterns,
    )


@pytest.mark.parametrize(
    ("scenario", "main_cause"),
    [
        ("contention", "contention"),
        ("prioritisation", "prioritisation"),
        ("unavailability", "unavailability"),
        ("extraneous", "extraneous"),
        ("batching", "batching"),
        ("release_queue", "batching"),
        ("size_batch", "batching"),
        ("weekly_committee", "batching"),
    ],
)
def test_each_injected_cause_is_recovered_within_a_few_percent(scenario: str, main_cause: str) -> None:
    truth, mined, _ = _attribute(scenario)
    assert truth[main_cause] > 0.15
    for cause in CAUSES:
        assert mined[cause] == pytest.approx(truth[cause], abs=0.04), (cause, truth, mined)


def test_release_followed_by_queueing_is_found_with_both_release_times() -> None:
    log = generate_waiting_causes("release_queue", seed=1)
    handle = log.events[log.events[C.ACTIVITY] == "Handle"]
    minutes = handle[C.START].dt.hour * 60 + handle[C.START].dt.minute
    after_release = np.minimum((minutes - 600) % 1440, (minutes - 960) % 1440)
    assert np.percentile(after_release, 90) > 30  # starts spread over the hour after the release
    _, mined, patterns = _attribute("release_queue")
    dispatch = next(p for p in patterns if p.activity == "Handle")
    assert dispatch.release_times == ("10:00", "16:00")
    assert dispatch.weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert dispatch.batched_share > 0.8  # Monday mornings clear the weekend over more than three hours
    assert mined["contention"] > 0.02  # the queue after each release is contention, not batching


def test_size_triggered_batch_and_weekday_committee() -> None:
    *_, sized = _attribute("size_batch")
    labels = next(p for p in sized if p.activity == "Handle")
    assert (labels.trigger, labels.batch_size) == ("size", 10)
    assert labels.pattern == "when 10 have accumulated"
    *_, weekly = _attribute("weekly_committee")
    committee = next(p for p in weekly if p.activity == "Handle")
    assert committee.release_times == ("10:00",)
    assert committee.weekdays == ("Thu",)


@pytest.mark.parametrize("scenario", ["contention", "unavailability", "extraneous", "prioritisation"])
def test_no_batch_invented_where_there_is_none(scenario: str) -> None:
    *_, patterns = _attribute(scenario)
    assert patterns == ()


_T0 = datetime(2025, 3, 3, 8, 0)


@st.composite
def _logs(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for case in range(draw(st.integers(1, 12))):
        t = _T0 + timedelta(minutes=draw(st.integers(0, 20_000)))
        for _step in range(draw(st.integers(1, 4))):
            gap = timedelta(minutes=draw(st.integers(0, 3000)))
            work = timedelta(minutes=draw(st.integers(0, 600)))
            start = t + gap
            rows.append(
                {
                    "case": f"c{case}",
                    "activity": draw(st.sampled_from(["A", "B", "C"])),
                    "start": start,
                    "end": start + work,
                    "resource": draw(st.sampled_from(["r1", "r2", None])),
                    "department": draw(st.sampled_from(["D1", "D2", None])),
                }
            )
            t = start + work if draw(st.booleans()) else start  # sometimes overlapping (parallel) work
    return make_events(rows)


@settings(max_examples=30, deadline=None)
@given(_logs(), st.booleans())
def test_parts_are_non_negative_and_sum_exactly_to_the_wait(events: pd.DataFrame, with_release: bool) -> None:
    inst, has_start = I.build_instances(events)
    release = None
    if with_release:
        release = (inst[I.START] - pd.to_timedelta(inst[I.WAIT] / 2, unit="s")).to_numpy()
    causes = W.attribute_waiting(inst, has_start, release)
    assert causes.parts is not None
    parts = causes.parts.to_numpy()
    assert (parts >= 0).all()
    np.testing.assert_allclose(parts.sum(axis=1), inst[I.WAIT].to_numpy(), rtol=1e-9, atol=1e-6)


def test_mine_json_waiting_key_is_sorted_and_matches_activities() -> None:
    log = generate_waiting_causes("release_queue", seed=2, days=28)
    data = mine(log.events, MineOptions(discover_model=False)).to_dict()
    waiting = data["waiting"]
    assert [w["wait_total_s"] for w in waiting] == sorted((w["wait_total_s"] for w in waiting), reverse=True)
    by_activity = {a["activity"]: a["wait_total_s"] for a in data["activities"]}
    total = sum(by_activity.values())
    for item in waiting:
        assert set(item) == {"activity", "department", "wait_total_s", "wait_share", "causes"}
        assert set(item["causes"]) == set(CAUSES)
        assert item["wait_total_s"] == pytest.approx(by_activity[item["activity"]])
        assert item["wait_share"] == pytest.approx(item["wait_total_s"] / total)
        assert sum(item["causes"].values()) == pytest.approx(item["wait_total_s"], rel=1e-9, abs=1e-6)
    assert waiting[0]["activity"] == "Handle" and waiting[0]["department"] == "Operations"


def test_complete_only_log_says_what_cannot_be_separated() -> None:
    log = generate_waiting_causes("contention", seed=1, days=14)
    events = log.events.assign(**{C.START: pd.NaT})
    data = mine(events, MineOptions(discover_model=False)).to_dict()
    assert data["waiting"]
    for item in data["waiting"]:
        assert item["causes"] is None
        assert "cannot be separated" in item["causes_note"]


def test_ready_allows_for_parallel_branches() -> None:
    """A, then B and C in parallel, then D: C became ready when A ended, even when B ended before C started."""
    rng = np.random.default_rng(1)
    rows: list[dict[str, object]] = []
    for i in range(200):
        t = _T0 + timedelta(hours=i)
        a_end = t + timedelta(minutes=10)
        rows.append({"case": f"c{i}", "activity": "A", "start": t, "end": a_end, "resource": "ra"})
        b0 = a_end + timedelta(minutes=float(rng.uniform(0, 30)))
        b1 = b0 + timedelta(minutes=float(rng.uniform(5, 60)))
        c0 = a_end + timedelta(minutes=float(rng.uniform(0, 90)))
        c1 = c0 + timedelta(minutes=float(rng.uniform(5, 60)))
        rows.append({"case": f"c{i}", "activity": "B", "start": b0, "end": b1, "resource": "rb"})
        rows.append({"case": f"c{i}", "activity": "C", "start": c0, "end": c1, "resource": "rc"})
        d0 = max(b1, c1) + timedelta(minutes=5)
        rows.append({"case": f"c{i}", "activity": "D", "start": d0, "end": d0 + timedelta(minutes=5), "resource": "rd"})
    inst, _ = I.build_instances(make_events(rows))
    a_end = inst[inst[I.ACTIVITY] == "A"].set_index(I.CASE)[I.END]
    for branch in ("B", "C"):
        ready = inst[inst[I.ACTIVITY] == branch].set_index(I.CASE)[I.ENABLED]
        assert (ready == a_end.reindex(ready.index)).all(), branch
    d = inst[inst[I.ACTIVITY] == "D"]
    assert (d[I.WAIT] == 300).all()  # the join waits for the later branch only
