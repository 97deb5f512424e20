"""Sanity checks a new user needs: swapped start/end, tiny logs, date-only due dates."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from procopt.cli import main
from procopt.log import columns as C
from procopt.log.audit import MIN_CASES
from procopt.log.read import read_log


def _write(path: Path, n_cases: int, *, due: str = "2024-02-01") -> Path:
    rows = []
    for i in range(n_cases):
        t0 = pd.Timestamp("2024-01-01 08:00") + pd.Timedelta(hours=4 * i)
        for k, step in enumerate(["Create", "Check", "Ship"]):
            start = t0 + pd.Timedelta(hours=k)
            rows.append(
                {
                    "order_id": f"SO{i}",
                    "activity": step,
                    "start_time": start,
                    "end_time": start + pd.Timedelta(minutes=20),
                    "user": f"u{k}",
                    "promised_date": due,
                }
            )
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_swapped_start_and_end_is_exit_2_with_the_swap_hint(tmp_path: Path) -> None:
    path = _write(tmp_path / "o.csv", 40)
    result = CliRunner().invoke(main, ["validate", str(path), "--map", "end=start_time,start=end_time"])
    assert result.exit_code == 2
    assert "120 of 120 activity instances end before they start" in result.output
    assert "look swapped" in result.output
    assert "Hint: Swap the mapping: --map start=start_time,end=end_time." in result.output
    assert "Traceback" not in result.output


def test_a_few_backwards_instances_stay_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path / "o.csv", 40)
    frame = pd.read_csv(path)
    frame.loc[:4, ["start_time", "end_time"]] = frame.loc[:4, ["end_time", "start_time"]].to_numpy()
    frame.to_csv(path, index=False)
    log = read_log(path)
    finding = log.audit.finding("end_before_start")
    assert finding is not None and finding.severity == "warning" and finding.count == 5


def test_tiny_log_warns_too_few_cases(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(_write(tmp_path / "t.csv", 6))])
    assert result.exit_code == 0
    assert "WARN  too_few_cases (6)" in result.output
    assert f"procopt needs at least {MIN_CASES}" in result.output
    assert "No data-quality findings" not in result.output


def test_enough_cases_no_tiny_warning(tmp_path: Path) -> None:
    assert read_log(_write(tmp_path / "t.csv", MIN_CASES)).audit.finding("too_few_cases") is None


def test_date_only_due_is_end_of_day_and_said(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.csv", 30)
    log = read_log(path)
    assert (log.events[C.DUE] == pd.Timestamp("2024-02-01 23:59:59")).all()
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert "due format    ISO 8601 (date only, read as the end of day (23:59:59))" in result.output
    assert "info  due_date_only (90)" in result.output
    doc = json.loads(CliRunner().invoke(main, ["validate", str(path), "--json"]).output)
    assert doc["timestamps"]["due"]["reading"] == "end of day" and doc["timestamps"]["due"]["date_only"] is True


def test_due_with_time_of_day_is_read_as_written(tmp_path: Path) -> None:
    log = read_log(_write(tmp_path / "d.csv", 30, due="2024-02-01 12:00:00"))
    assert (log.events[C.DUE] == pd.Timestamp("2024-02-01 12:00")).all()
    due = next(t for t in log.audit.timestamps if t.role == "due")
    assert due.reading == "as written" and not due.date_only
    assert log.audit.finding("due_date_only") is None
