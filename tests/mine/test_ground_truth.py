"""Ground truth: the generator injected a bottleneck, a redundant and a threshold approval, batches and
rework; a correct analysis must find each of them (answers come from GeneratedLog.truth)."""

from __future__ import annotations

from typing import Any

import pytest

from procopt.mine import MineOptions, mine


def _verdicts(result: Any) -> dict[str, Any]:
    return {a.activity: a for a in result.approvals}


def _batches(result: Any) -> dict[str, Any]:
    return {b.activity: b for b in result.batches}


def test_o2c_injected_bottleneck_ranks_first(o2c: Any, o2c_mined: Any) -> None:
    top = o2c_mined.bottlenecks[0]
    assert top.activity == o2c.truth.bottleneck_activity
    assert top.kind == "queue"
    assert top.activity in top.reason and "busy" in top.reason and "%" in top.reason
    # the learned utilisation of the credit analysts is close to the generator's true utilisation
    truth = o2c.truth.pools[o2c.truth.bottleneck_pool].utilisation
    assert top.utilisation == pytest.approx(truth, abs=0.1)


def test_p2p_injected_bottleneck_ranks_first(p2p: Any, p2p_mined: Any) -> None:
    assert p2p_mined.bottlenecks[0].activity == p2p.truth.bottleneck_activity
    assert p2p_mined.bottlenecks[0].kind == "queue"


def test_batched_director_approval_is_a_batching_delay_not_a_capacity_bottleneck(o2c: Any, o2c_mined: Any) -> None:
    item = next(b for b in o2c_mined.bottlenecks if b.activity == o2c.truth.redundant_approval)
    assert item.kind == "batching"
    assert "batching delay" in item.reason and "16:00" in item.reason
    assert o2c_mined.bottlenecks.index(item) > 0


def test_redundant_approval_is_candidate_for_removal(o2c: Any, o2c_mined: Any, p2p: Any, p2p_mined: Any) -> None:
    for truth, result in ((o2c.truth, o2c_mined), (p2p.truth, p2p_mined)):
        verdict = _verdicts(result)[truth.redundant_approval]
        assert verdict.verdict == "candidate_for_removal", verdict.reason
        assert verdict.approval_rate >= 0.99
        assert verdict.estimated_saving_h > 0
        for necessary in truth.necessary_approvals:
            assert _verdicts(result)[necessary].verdict != "candidate_for_removal", necessary


def test_threshold_found_near_20000(o2c: Any, o2c_mined: Any) -> None:
    verdict = _verdicts(o2c_mined)[o2c.truth.threshold_approval]
    assert verdict.verdict == "candidate_for_threshold", verdict.reason
    assert verdict.threshold_attribute == "order_value"
    assert verdict.threshold_value == pytest.approx(o2c.truth.threshold_value, rel=0.02)
    assert "20,000" in verdict.reason


def test_p2p_necessary_approvals_kept_with_their_reject_rates(p2p: Any, p2p_mined: Any) -> None:
    rates = p2p.truth.measured["approval_reject_rate"]
    for activity in p2p.truth.necessary_approvals:
        verdict = _verdicts(p2p_mined)[activity]
        assert verdict.verdict == "keep"
        assert 1 - verdict.approval_rate == pytest.approx(rates[activity], abs=0.02)


def test_batches_found_at_their_release_times(o2c: Any, o2c_mined: Any, p2p: Any, p2p_mined: Any) -> None:
    found = _batches(o2c_mined)
    for activity, clocks in o2c.truth.batch_activities.items():
        assert activity in found, activity
        assert found[activity].release_times == tuple(sorted(clocks))
        assert found[activity].batched_share >= 0.9
    pay = _batches(p2p_mined)["Pay Invoice"]
    assert pay.release_times == ("14:00",)
    assert pay.weekdays == ("Tue", "Thu")


def test_no_batch_reported_for_continuous_work(o2c: Any, o2c_mined: Any) -> None:
    assert o2c.truth.bottleneck_activity not in _batches(o2c_mined)


def test_rework_loop_found(o2c: Any, o2c_mined: Any) -> None:
    loops = set(o2c_mined.loops["loop"])
    assert "Inspect Quality → Rework → Inspect Quality" in loops
    repeated = set(o2c_mined.rework["activity"])
    assert "Inspect Quality" in repeated


def test_slowest_handoff_matches_truth(o2c: Any, o2c_mined: Any) -> None:
    pairs = list(zip(o2c_mined.handoffs["from_department"], o2c_mined.handoffs["to_department"], strict=True))
    assert tuple(o2c.truth.handoff_slowest) in pairs[:2]


def test_chinese_log_gives_the_same_answers_in_chinese(o2c_zh: Any) -> None:
    result = mine(o2c_zh.events, MineOptions(discover_model=False))
    truth = o2c_zh.truth
    assert result.bottlenecks[0].activity == truth.bottleneck_activity
    assert _verdicts(result)[truth.redundant_approval].verdict == "candidate_for_removal"
    assert _batches(result)[truth.redundant_approval].release_times == ("16:00",)
    assert any("审批" in a.activity for a in result.approvals)
    data = result.to_dict()
    assert data["bottlenecks"][0]["activity"] == truth.bottleneck_activity
