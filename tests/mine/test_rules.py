"""Batching, approval and threshold rules on small hand-built logs with known answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.log.columns import make_events
from procopt.mine import MineOptions, mine
from procopt.mine import approvals as A
from procopt.mine import batching as B
from procopt.mine import instances as I


def _day(i: int) -> datetime:
    """i-th working day from Monday 2024-03-04."""
    return datetime(2024, 3, 4) + timedelta(days=7 * (i // 5) + i % 5)


def _release_log(release: str | None, days: int = 30, seed: int = 3) -> list[dict[str, object]]:
    """Orders entered through the day; 'Sign' starts at ``release`` (None: as soon as possible)."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    hh, mm = (int(x) for x in (release or "0:0").split(":"))
    for d in range(days):
        for k in range(4):
            case = f"o{d}-{k}"
            entered = _day(d) + timedelta(hours=8 + float(rng.uniform(0, 7)))
            rows.append(
                {
                    "case": case,
                    "activity": "Enter",
                    "start": entered - timedelta(minutes=5),
                    "end": entered,
                    "resource": "clerk",
                    "department": "Sales",
                }
            )
            start = (
                _day(d) + timedelta(hours=hh, minutes=mm + 2 * k)
                if release
                else entered + timedelta(minutes=float(rng.uniform(5, 60)))
            )
            if start < entered:
                start = _day(d + 1) + timedelta(hours=hh, minutes=mm + 2 * k)
            rows.append(
                {
                    "case": case,
                    "activity": "Sign",
                    "start": start,
                    "end": start + timedelta(minutes=1),
                    "resource": "boss",
                    "department": "Board",
                }
            )
    return rows


def test_daily_release_found_with_time_and_weekdays() -> None:
    inst, has_start = I.build_instances(make_events(_release_log("16:00")))
    patterns, _ = B.detect_batches(inst, has_start)
    sign = next(p for p in patterns if p.activity == "Sign")
    assert sign.release_times == ("16:00",)
    assert sign.weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert sign.pattern == "daily at 16:00 (Mon-Fri)"
    assert sign.batched_share == 1.0
    assert sign.wait_median_s > 3600


def test_work_done_as_it_arrives_is_not_a_batch() -> None:
    inst, has_start = I.build_instances(make_events(_release_log(None)))
    patterns, _ = B.detect_batches(inst, has_start)
    assert [p.activity for p in patterns] == []


def test_date_only_timestamps_skip_batch_detection_with_a_note() -> None:
    rows = [{"case": f"c{i}", "activity": "A", "end": _day(i % 20)} for i in range(60)]
    inst, has_start = I.build_instances(make_events(rows))
    patterns, notes = B.detect_batches(inst, has_start)
    assert patterns == ()
    assert "midnight" in notes[0]


def test_batched_sign_off_with_idle_boss_is_batching_delay() -> None:
    result = mine(make_events(_release_log("16:00")), MineOptions(discover_model=False))
    sign = next(b for b in result.bottlenecks if b.activity == "Sign")
    assert sign.kind == "batching"
    assert "released daily at 16:00" in sign.reason


def _approval_log(reject_above: float | None, reject_every: int = 0) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(200):
        value = 1000.0 + 250.0 * i  # 1,000 .. 50,750
        t = _day(i % 40) + timedelta(hours=9, minutes=i % 50)
        case = f"r{i}"
        rows.append({"case": case, "activity": "Create", "start": t, "end": t + timedelta(minutes=5), "value": value})
        t += timedelta(hours=1)
        rows.append({"case": case, "activity": "审批", "start": t, "end": t + timedelta(minutes=3), "value": value})
        rejected = (reject_above is not None and value > reject_above and i % 2 == 0) or (
            reject_every and i % reject_every == 0
        )
        t += timedelta(minutes=30)
        nxt = "驳回" if rejected else "Ship"
        rows.append({"case": case, "activity": nxt, "start": t, "end": t + timedelta(minutes=5), "value": value})
    return rows


def _verdict(rows: list[dict[str, object]]) -> A.ApprovalVerdict:
    result = mine(make_events(rows), MineOptions(discover_model=False))
    return next(v for v in result.approvals if v.activity == "审批")


def test_chinese_approval_that_always_passes_is_candidate_for_removal() -> None:
    verdict = _verdict(_approval_log(None))
    assert verdict.verdict == "candidate_for_removal"
    assert verdict.approval_rate == 1.0
    assert verdict.estimated_saving_h == pytest.approx(1.0 - 5 / 60 + 3 / 60, abs=0.01)


def test_rejections_only_above_a_value_give_a_threshold() -> None:
    verdict = _verdict(_approval_log(30000.0))
    assert verdict.verdict == "candidate_for_threshold"
    assert verdict.threshold_attribute == "value"
    assert verdict.threshold_value == 30000.0
    assert verdict.share_below_threshold == pytest.approx(117 / 200)


def test_rejections_across_the_range_mean_keep() -> None:
    verdict = _verdict(_approval_log(None, reject_every=7))
    assert verdict.verdict == "keep"
    assert verdict.rejections == 29
    assert "catches real problems" in verdict.reason


def test_role_twin_rejection_events_count_as_decisions() -> None:
    rows = []
    for i in range(40):
        t = _day(i % 10) + timedelta(hours=9)
        rows.append({"case": f"d{i}", "activity": "Declaration SUBMITTED by EMPLOYEE", "end": t})
        outcome = "Declaration REJECTED by SUPERVISOR" if i % 4 == 0 else "Declaration APPROVED by SUPERVISOR"
        rows.append({"case": f"d{i}", "activity": outcome, "end": t + timedelta(hours=5)})
        rows.append({"case": f"d{i}", "activity": "Payment Handled", "end": t + timedelta(hours=30)})
    result = mine(make_events(rows), MineOptions(discover_model=False))
    verdict = next(v for v in result.approvals if v.activity == "Declaration APPROVED by SUPERVISOR")
    assert verdict.decisions == 40
    assert verdict.rejections == 10
    assert verdict.verdict == "keep"


def test_generic_revision_step_is_no_role_twin() -> None:
    strip = A._compile(A.APPROVAL_PATTERNS + A.REJECTION_PATTERNS)
    twins = A._twins(["Approve Order (Sales Manager)", "Approve Order (Finance Director)"], ["Revise Order"], strip)
    assert twins == {}


@settings(max_examples=50, deadline=None)
@given(st.floats(100, 1e6), st.floats(0.05, 0.9), st.integers(0, 3))
def test_plausible_threshold_is_below_the_first_rejection(hi: float, rate: float, gap_points: int) -> None:
    values = np.concatenate([np.linspace(hi * 0.1, hi * 0.999, 50), [hi], np.linspace(hi * 1.01, hi * 2, 20)])
    t = A.plausible_threshold(values, hi, rate)
    assert 0 < t < hi
    between = ((values > t) & (values < hi)).sum()
    assert between <= np.log(0.05) / np.log(1 - rate) or t == values[values < hi].max()
