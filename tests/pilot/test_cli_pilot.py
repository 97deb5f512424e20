"""The pilot commands through the CLI: JSON shapes as documented in docs/CONTRACTS.md, pages, register."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _pilot_helpers import make_record
from click.testing import CliRunner

from procopt.cli import main
from procopt.pilot.record import load_record, save_record

CONTRACTS = Path(__file__).resolve().parents[2] / "docs" / "CONTRACTS.md"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def keys(doc: object, prefix: str = "") -> set[str]:
    """Every key path of a JSON document (objects only; lists are not descended into)."""
    out: set[str] = set()
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.add(prefix + k)
            out |= keys(v, prefix + k + ".")
    return out


def documented(command: str) -> set[str]:
    """The key paths listed for ``command`` in docs/CONTRACTS.md (the golden shape)."""
    text = CONTRACTS.read_text(encoding="utf-8")
    block = re.search(rf"<!-- json:{command} -->\s*```json\n(.*?)```", text, re.S)
    assert block, f"docs/CONTRACTS.md documents no JSON for {command}"
    return keys(json.loads(block.group(1)))


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory, log_files):
    folder = tmp_path_factory.mktemp("pilots")
    record = save_record(make_record(weeks=4), folder / "pilot_b.yaml")
    before = record.read_bytes()
    code, text = run(
        "pilot", "evaluate", str(record), str(log_files["pilot"]), "--out", str(folder / "pilot_b_done.yaml"), "--json"
    )
    assert code == 0, text
    assert record.read_bytes() == before  # the input record is never modified
    return folder, json.loads(text)


def test_evaluate_json_has_the_documented_shape(evaluated) -> None:
    folder, doc = evaluated
    assert keys(doc) == documented("pilot evaluate")
    assert doc["decision"] in {"roll_out", "extend", "stop"}
    done = load_record(folder / "pilot_b_done.yaml")
    assert done.evaluation is not None and done.evaluation.decision == doc["decision"]
    for lang in ("en", "zh"):
        page = folder / "pilot_b_done_report" / lang / "report.html"
        assert page.exists() and (page.parent / "figures" / "pilot_weeks.png").exists()
    assert "试点结果" in (folder / "pilot_b_done_report" / "zh" / "report.md").read_text(encoding="utf-8")


def test_register_gathers_planned_and_evaluated_pilots(evaluated, tmp_path: Path) -> None:
    folder, doc = evaluated
    code, text = run("register", str(folder), "--out", str(tmp_path / "reg"), "--json")
    assert code == 0, text
    reg = json.loads(text)
    assert keys(reg) == documented("register")
    assert [p["decision"] for p in reg["pilots"]] == ["planned", doc["decision"]]
    csv = (tmp_path / "reg" / "tables" / "register.csv").read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0] == (
        "pilot,problem,cause,fix,predicted lead time change (h),observed lead time change (h),decision,planned / evaluated"
    )
    md = (tmp_path / "reg" / "report.md").read_text(encoding="utf-8")
    assert "pilot\\_b\\_done.yaml" in md and "Improvement register" in md
    code, text = run("register", str(folder), "--out", str(tmp_path / "reg2"))
    assert code == 0 and "2 pilot record(s)" in text and "Register written to" in text


def test_evaluate_refuses_to_overwrite_its_input(evaluated, log_files) -> None:
    folder, _ = evaluated
    path = folder / "pilot_b.yaml"
    code, text = run("pilot", "evaluate", str(path), str(log_files["pilot"]), "--out", str(path))
    assert code == 2 and "the input is never overwritten" in text


@pytest.mark.slow
def test_plan_and_backtest_json_have_the_documented_shape(tmp_path: Path, log_files) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: no_director\nchanges:\n  - remove_activity: Approve Order (Finance Director)\n", encoding="utf-8"
    )
    code, text = run(
        "pilot", "plan", str(log_files["drift"]), "--scenario", str(scenario), "--segment", "product == 'B'",
        "--start", "2025-07-07", "--weeks", "2", "--replications", "3", "--fidelity-runs", "1", "--json",
        "--out", str(tmp_path / "p.yaml"),
    )  # fmt: skip
    assert code == 0, text
    doc = json.loads(text[text.index("{") :])
    assert keys(doc) == documented("pilot plan")
    for lang in ("en", "zh"):
        assert (tmp_path / "p_plan" / lang / "report.html").exists()
    code, text = run(
        "backtest", str(log_files["drift"]), "--change-at", "2025-06-02", "--scenario", str(scenario),
        "--replications", "3", "--json",
    )  # fmt: skip
    assert code == 0, text
    assert keys(json.loads(text[text.index("{") :])) == documented("backtest")
