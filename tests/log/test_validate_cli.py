"""``procopt validate``: the readable summary and the --json document."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from procopt.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"


def test_summary_shows_counts_mapping_and_findings() -> None:
    result = CliRunner().invoke(main, ["validate", str(DATA / "p2p_lifecycle.csv")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "rows read           8" in out
    assert "activity instances  3" in out
    assert "cases               2" in out
    assert "Column mapping (role -> column in the file):" in out
    assert "  case        requisition_id" in out
    assert "  lifecycle   lifecycle" in out
    assert "WARN  unmatched_start (1)" in out
    # warnings are listed before info
    assert out.index("WARN") < out.index("info  lifecycle_paired")


def test_json_is_the_audit_document_and_keeps_chinese() -> None:
    result = CliRunner().invoke(main, ["validate", str(DATA / "o2c_small_zh.csv"), "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert {"rows", "cases", "activities", "span", "mapping", "timestamps", "findings"} <= set(doc)
    assert doc["mapping"]["case"] == "订单号"
    assert doc["span"] == {"start": "2024-03-04T09:00:00", "end": "2024-03-06T08:40:00"}
    assert "订单号" in result.output  # not \u-escaped


def test_map_option_is_used_and_shown(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("单据,动作,过账时间\nA,创建,2024-01-01 10:00\nA,审批,2024-01-01 12:00\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path), "--map", "case=单据,activity=动作,end=过账时间"])
    assert result.exit_code == 0, result.output
    assert "  case      单据" in result.output
    assert "  end       过账时间" in result.output


def test_exit_0_with_error_findings(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("case_id,activity,timestamp\nA,x,2024-01-01\nA,y,garbage\nB,x,2024-01-02\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0
    assert "ERROR unparseable_timestamps (1)" in result.output
    assert "Rows with errors were left out" in result.output
