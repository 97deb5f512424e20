"""Every promised error: a clear message naming the problem, exit status 2, no traceback."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from _pilot_helpers import make_record
from click.testing import CliRunner

from procopt.cli import main
from procopt.pilot.record import save_record


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _evaluate(tmp_path: Path, log: Path, **record: object) -> tuple[int, str]:
    path = save_record(make_record(**record), tmp_path / "pilot.yaml")  # type: ignore[arg-type]
    return run("pilot", "evaluate", str(path), str(log), "--out", str(tmp_path / "done.yaml"))


def test_pilot_log_lacking_the_segment(tmp_path: Path, log_files) -> None:
    code, text = _evaluate(tmp_path, log_files["pilot"], segment="colour == 'red'")
    assert code == 2 and "the log has no attribute 'colour'" in text and "Traceback" not in text
    assert "Case attributes in this log: " in text
    code, text = _evaluate(tmp_path, log_files["pilot"], segment="region == 'Mars'")
    assert code == 2 and "no case matches the segment \"region == 'Mars'\"" in text


def test_pilot_log_lacking_the_window(tmp_path: Path, log_files) -> None:
    code, text = _evaluate(tmp_path, log_files["pilot"], start=datetime.date(2025, 7, 7))
    assert code == 2 and "before the pilot window ends" in text and "Traceback" not in text
    code, text = _evaluate(tmp_path, log_files["pilot"], start=datetime.date(2025, 3, 10))
    assert code == 2 and "fewer than 2 weeks before the pilot start" in text


def test_too_few_cases_says_how_many_more_weeks(tmp_path: Path, log_files) -> None:
    code, text = _evaluate(tmp_path, log_files["pilot"], segment="order_value > 40000", weeks=1)
    assert code == 2 and "at least 20 per group are needed" in text
    assert "Hint: Extend the pilot by" in text and "more week(s)" in text


def test_a_record_from_a_newer_version(tmp_path: Path, log_files) -> None:
    path = save_record(make_record(version=2), tmp_path / "new.yaml")
    code, text = run("pilot", "evaluate", str(path), str(log_files["pilot"]), "--out", str(tmp_path / "x.yaml"))
    assert code == 2 and "version: the record has version 2; this procopt reads versions up to 1" in text
    assert "Upgrade procopt" in text
    code, text = run("register", str(tmp_path), "--out", str(tmp_path / "reg"))
    assert code == 2 and "version 2" in text


def test_a_malformed_record_names_the_key(tmp_path: Path) -> None:
    path = save_record(make_record(), tmp_path / "p.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("weeks: 2", "weeks: -1"), encoding="utf-8")
    code, text = run("register", str(tmp_path), "--out", str(tmp_path / "reg"))
    assert code == 2 and "window.weeks" in text and "greater than 0" in text


def test_change_at_outside_the_log(tmp_path: Path, log_files) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("changes:\n  - remove_activity: Approve Order (Finance Director)\n", encoding="utf-8")
    code, text = run("backtest", str(log_files["pilot"]), "--change-at", "2024-01-01", "--scenario", str(scenario))
    assert code == 2 and "--change-at 2024-01-01 is outside the log's usable range" in text
    assert "Hint: Pick a date between" in text and "Traceback" not in text


@pytest.mark.slow
def test_scenario_that_does_not_match_the_log_in_plan(tmp_path: Path, log_files) -> None:
    scenario = tmp_path / "p2p.yaml"
    scenario.write_text("changes:\n  - remove_activity: Approve Requisition (CFO)\n", encoding="utf-8")
    code, text = run(
        "pilot", "plan", str(log_files["pilot"]), "--scenario", str(scenario), "--segment", "product == 'B'",
        "--fidelity-runs", "0", "--replications", "2", "--out", str(tmp_path / "p.yaml"),
    )  # fmt: skip
    assert code == 2 and "the scenario does not match the log pilot.csv" in text
    assert "Approve Requisition (CFO)" in text and not (tmp_path / "p.yaml").exists()


def test_scenario_that_does_not_match_the_log(tmp_path: Path, log_files) -> None:
    scenario = tmp_path / "p2p.yaml"
    scenario.write_text("changes:\n  - remove_activity: Approve Requisition (CFO)\n", encoding="utf-8")
    code, text = run("backtest", str(log_files["pilot"]), "--change-at", "2025-06-02", "--scenario", str(scenario))
    assert code == 2 and "the scenario does not match the log pilot.csv" in text
    assert "Approve Requisition (CFO)" in text and "Traceback" not in text
