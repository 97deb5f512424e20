"""procopt's own improvement options, derived from the diagnostics; they must be valid scenarios."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "report"))  # the hand-made mining result the report tests use
from _data import toy_mining_dict

from procopt.scenario import scenario_from_dict
from procopt.scenario.proposals import propose_changes, propose_scenarios, targets_from


def _mining() -> dict:
    mining = toy_mining_dict()
    mining["approvals"].append(
        {
            "activity": "Approve Order (Sales Manager)",
            "verdict": "candidate_for_threshold",
            "threshold_attribute": "order_value",
            "threshold_value": 21080.0,
        }
    )
    mining["approvals"].append({"activity": "Approve Payment", "verdict": "keep"})
    mining["bottlenecks"].insert(0, {"activity": "Ship Goods", "kind": "batching", "reason": "released at 10:00"})
    return mining


def test_one_option_per_diagnosis() -> None:
    changes = [data["changes"] for data, _ in propose_changes(_mining())]
    assert changes == [
        [{"remove_activity": "Approve Order"}],  # the candidate_for_removal approval
        [{"capacity": {"activity": "Check Credit", "add": 1}}],  # top QUEUE bottleneck, not the batching delay
        [{"skip_activity": {"activity": "Approve Order (Sales Manager)", "when": "order_value <= 21080"}}],
    ]


def test_proposals_are_valid_scenarios_and_skip_duplicates_of_given_ones() -> None:
    given = scenario_from_dict(
        {
            "name": "plus_one",
            "changes": [{"capacity": {"activity": "Check Credit", "add": 1}}],
            "kpi_targets": {"delivery_rate": {"min": 0.95}},
        }
    )
    proposed = propose_scenarios(None, _mining(), None, "en", given=[given])
    names = [s.name for s, _ in proposed]
    assert names == [
        "Remove approval Approve Order",
        "Auto-approve Approve Order (Sales Manager) up to order_value 21,080",
    ]
    assert all(dict(s.kpi_targets) == {"delivery_rate": {"min": 0.95}} for s, _ in proposed)


def test_chinese_names_and_attributes_survive() -> None:
    mining = {
        "approvals": [
            {
                "activity": "销售经理审批",
                "verdict": "candidate_for_threshold",
                "threshold_attribute": "订单金额",
                "threshold_value": 20000,
            }
        ],
        "bottlenecks": [{"activity": "信用检查", "kind": "queue"}],
    }
    proposed = propose_scenarios(None, mining, None, "zh")
    assert [s.name for s, _ in proposed] == ["信用检查 增加 1 人", "订单金额 不超过 20,000 时自动通过 销售经理审批"]
    assert "订单金额 <= 20000" in str(proposed[1][0].changes[0])


def test_targets_from_the_kpi_file_when_no_scenario_has_any() -> None:
    kpis = {
        "kpis": [
            {"name": "On-time delivery", "type": "on_time_delivery", "target": 0.95, "target_kind": "min"},
            {"name": "Orders", "type": "throughput_per_week", "target": 90, "target_kind": "min"},
        ]
    }
    assert targets_from([], kpis) == {"delivery_rate": {"min": 0.95}}
    assert targets_from([], None) == {}
