"""Waiting, processing and idle time: hand-computed cases and hypothesis properties."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.log.columns import make_events
from procopt.mine import instances as I
from procopt.mine import performance as P

T0 = datetime(2024, 3, 4, 8, 0)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_sequential_case_by_hand() -> None:
    events = make_events(
        [
            {"case": "c1", "activity": "A", "start": _at(0), "end": _at(10)},
            {"case": "c1", "activity": "B", "start": _at(30), "end": _at(50)},
            {"case": "c1", "activity": "C", "start": _at(50), "end": _at(55)},
        ]
    )
    inst, has_start = I.build_instances(events)
    assert has_start
    assert inst[I.WAIT].tolist() == [0.0, 1200.0, 0.0]
    assert inst[I.PROC].tolist() == [600.0, 1200.0, 300.0]
    assert inst[I.PREV_ACTIVITY].tolist() == [None, "A", "B"]
    case = P.measure_cases(inst, has_start).iloc[0]
    assert (case["lead_s"], case["processing_s"], case["waiting_s"], case["idle_s"]) == (3300.0, 2100.0, 1200.0, 0.0)


def test_parallel_work_waits_from_latest_end_before_start() -> None:
    events = make_events(
        [
            {"case": "c1", "activity": "A", "start": _at(0), "end": _at(10)},
            {"case": "c1", "activity": "B", "start": _at(20), "end": _at(60)},  # parallel branch 1
            {"case": "c1", "activity": "C", "start": _at(25), "end": _at(40)},  # parallel branch 2
            {"case": "c1", "activity": "D", "start": _at(70), "end": _at(80)},  # join: waits from B's end
        ]
    )
    inst, _ = I.build_instances(events)
    waits = dict(zip(inst[I.ACTIVITY], inst[I.WAIT], strict=True))
    prev = dict(zip(inst[I.ACTIVITY], inst[I.PREV_ACTIVITY], strict=True))
    assert waits == {"A": 0.0, "B": 600.0, "C": 900.0, "D": 600.0}
    assert prev["D"] == "B"
    case = P.measure_cases(inst, True).iloc[0]
    assert case["processing_s"] == 10 * 60 + 40 * 60 + 10 * 60  # union: A, B (covers C), D
    assert case["processing_s"] + case["waiting_s"] + case["idle_s"] == case["lead_s"]


def test_complete_only_log_reports_no_processing() -> None:
    events = make_events(
        [
            {"case": "c1", "activity": "A", "end": _at(0)},
            {"case": "c1", "activity": "B", "end": _at(45)},
        ]
    )
    inst, has_start = I.build_instances(events)
    assert not has_start
    assert inst[I.PROC].isna().all()
    assert inst[I.WAIT].tolist() == [0.0, 2700.0]
    acts = P.measure_activities(inst)
    assert acts["processing_median_s"].isna().all()


@st.composite
def _cases(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for c in range(draw(st.integers(1, 4))):
        for i in range(draw(st.integers(1, 6))):
            start = draw(st.integers(0, 10_000))
            duration = draw(st.integers(0, 3_000))
            rows.append({"case": f"c{c}", "activity": f"A{i % 3}", "start": _at(start), "end": _at(start + duration)})
    return make_events(rows)


@settings(max_examples=30, deadline=None)
@given(_cases())
def test_waiting_processing_idle_add_up_to_lead_time(events: pd.DataFrame) -> None:
    inst, has_start = I.build_instances(events)
    cases = P.measure_cases(inst, has_start)
    total = cases["processing_s"] + cases["waiting_s"] + cases["idle_s"]
    np.testing.assert_allclose(total, cases["lead_s"], atol=1e-6)
    assert (cases[["processing_s", "waiting_s", "idle_s"]] >= -1e-9).all().all()
    assert (inst[I.WAIT] >= 0).all()
    assert (inst[I.ENABLED] <= inst[I.START]).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 600), st.integers(0, 600)), min_size=1, max_size=8))
def test_sequential_cases_split_exactly_into_instance_sums(steps: list[tuple[int, int]]) -> None:
    """Without overlap, case waiting = sum of instance waits and processing = sum of durations."""
    rows, t = [], 0
    for i, (gap, duration) in enumerate(steps):
        t += gap
        rows.append({"case": "c", "activity": f"S{i}", "start": _at(t), "end": _at(t + duration)})
        t += duration
    inst, _ = I.build_instances(make_events(rows))
    case = P.measure_cases(inst, True).iloc[0]
    first_gap = steps[0][0] * 60
    assert case["lead_s"] == pytest.approx(t * 60 - first_gap)
    assert case["processing_s"] == pytest.approx(inst[I.PROC].sum())
    assert case["waiting_s"] == pytest.approx(inst[I.WAIT].sum())
    assert case["idle_s"] == pytest.approx(0.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.floats(0, 100), st.floats(0, 100)), min_size=1, max_size=30))
def test_union_length_matches_brute_force(intervals: list[tuple[int, float, float]]) -> None:
    codes = np.array([c % 3 for c, _, _ in intervals])
    starts = np.array([min(a, b) for _, a, b in intervals])
    ends = np.array([max(a, b) for _, a, b in intervals])
    got = P.union_length(codes, starts, ends)
    for code in set(codes.tolist()):
        grid = np.linspace(0, 100, 20001)
        covered = np.zeros_like(grid, dtype=bool)
        for s, e in zip(starts[codes == code], ends[codes == code], strict=True):
            covered |= (grid >= s) & (grid < e)
        assert got[code] == pytest.approx(covered.mean() * 100, abs=0.05)
