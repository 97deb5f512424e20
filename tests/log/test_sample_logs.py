"""The bundled sample logs read with zero options, and the audit agrees with the generator's ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procopt.log import columns as C
from procopt.log.read import read_log

EXPECTED_MAPPING = {
    "o2c_orders.csv": {
        "case": "order_id",
        "activity": "activity",
        "start": "start_time",
        "end": "end_time",
        "resource": "user",
        "department": "department",
        "due": "promised_date",
    },
    "o2c_orders_zh.csv": {
        "case": "订单号",
        "activity": "活动",
        "start": "开始时间",
        "end": "结束时间",
        "resource": "操作员",
        "department": "部门",
        "due": "承诺交期",
    },
    "p2p_requisitions.csv": {
        "case": "requisition_id",
        "activity": "activity",
        "end": "timestamp",
        "resource": "resource",
        "department": "department",
        "due": "need_by_date",
        "lifecycle": "lifecycle",
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED_MAPPING))
def test_sample_log_reads_with_zero_options(repo_root: Path, name: str) -> None:
    path = repo_root / "sample_logs" / name
    truth_path = path.with_suffix(".truth.json")
    if not path.exists() or not truth_path.exists():
        pytest.fail(
            "committed sample logs are missing: regenerate them with `procopt generate` (see sample_logs/README.md)"
        )
    truth = json.loads(truth_path.read_text(encoding="utf-8"))["measured"]
    log = read_log(path)
    assert log.mapping == EXPECTED_MAPPING[name]
    assert log.has_start
    assert log.audit.cases == truth["cases_started"]
    assert log.audit.errors == ()
    C.check_contract(log.events)
    incomplete = log.audit.finding("incomplete_cases")
    unfinished = truth["cases_started"] - truth["cases_finished"]
    if name.startswith("o2c"):
        # every unfinished order is found, and nothing else
        assert incomplete is not None and incomplete.count == unfinished
        assert f"{unfinished} of them stop within the usual case duration" in incomplete.message
    if name.endswith("_zh.csv"):
        assert log.details["encoding"] == "gb18030"
        assert log.events[C.ACTIVITY].str.contains("[\u4e00-\u9fff]").all()  # Chinese names survive
