"""procopt's own improvement options, derived from the diagnostics; they must be valid scenarios."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "report"))  # the hand-made mining result the report tests use
import dataclasses

import pandas as pd
from _data import approval, bottleneck, toy_findings

from procopt.mine.kpi import KpiValue
from procopt.scenario import scenario_from_dict
from procopt.scenario.proposals import Findings, propose_changes, propose_scenarios, targets_from


def _mining() -> Findings:
    toy = toy_findings()
    return dataclasses.replace(
        toy,
        approvals=(
            *toy.approvals,
            approval("Approve Order (Sales Manager)", "candidate_for_threshold", "order_value", 21080.0),
            approval("Approve Payment", "keep"),
        ),
        bottlenecks=(bottleneck("Ship Goods", "batching"), *toy.bottlenecks),
    )


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
    proposed = propose_scenarios(None, _mining(), (), "en", given=[given])
    names = [s.name for s, _ in proposed]
    assert names == [
        "Remove approval Approve Order",
        "Auto-approve Approve Order (Sales Manager) up to order_value 21,080",
    ]
    assert all(dict(s.kpi_targets) == {"delivery_rate": {"min": 0.95}} for s, _ in proposed)


def test_chinese_names_and_attributes_survive() -> None:
    mining = Findings(
        approvals=(approval("销售经理审批", "candidate_for_threshold", "订单金额", 20000.0),),
        bottlenecks=(bottleneck("信用检查", "queue"),),
    )
    proposed = propose_scenarios(None, mining, (), "zh")
    assert [s.name for s, _ in proposed] == ["信用检查 增加 1 人", "订单金额 不超过 20,000 时自动通过 销售经理审批"]
    assert "订单金额 <= 20000" in str(proposed[1][0].changes[0])


def _kpi(name: str, kind: str, target: float) -> KpiValue:
    empty = pd.DataFrame()
    return KpiValue(name, kind, None, "", None, target, "min", "no_data", 0, empty, empty)


def test_targets_from_the_kpi_file_when_no_scenario_has_any() -> None:
    kpis = (_kpi("Orders", "throughput_per_week", 90), _kpi("On-time delivery", "on_time_delivery", 0.95))
    assert targets_from([], kpis) == {"delivery_rate": {"min": 0.95}}
    assert targets_from([], ()) == {}


def test_findings_of_a_mining_run_carry_its_typed_results() -> None:
    from _data import toy_mining

    mined = toy_mining()
    findings = Findings.of(mined)
    assert findings.approvals == mined.approvals and findings.batches == mined.batches
    assert [w.activity for w in findings.waiting] == mined.waiting["activity"].tolist()
    # the toy's approval is a candidate for removal: the proposals read it from the typed result
    assert [data["changes"] for data, _ in propose_changes(findings)][0] == [{"remove_activity": "Approve Order"}]
