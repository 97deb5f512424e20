"""Approval steps named by a weak pattern need evidence of a decision; --approvals confirms them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from procopt.cli import main
from procopt.log.columns import make_events
from procopt.mine import MineOptions, mine


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(40):
        t = datetime(2025, 3, 3, 8) + timedelta(hours=5 * i)
        for k, act in enumerate(("Admission", "Release B")):
            start = t + timedelta(hours=2 * k)
            rows.append(
                {
                    "case": f"p{i}",
                    "activity": act,
                    "start": start,
                    "end": start + timedelta(minutes=20),
                    "resource": "r",
                }
            )
    return rows


def test_a_step_only_named_like_an_approval_is_not_called_removable() -> None:
    result = mine(make_events(_rows()), MineOptions(discover_model=False))
    release = next(a for a in result.approvals if a.activity == "Release B")
    assert release.verdict == "keep"
    assert "shows no sign of deciding anything" in release.reason and '--approvals "Release B"' in release.reason


def test_a_confirmed_approval_is_judged_as_one() -> None:
    result = mine(make_events(_rows()), MineOptions(discover_model=False, approvals=("Release B",)))
    assert next(a for a in result.approvals if a.activity == "Release B").verdict == "candidate_for_removal"


def test_cli_approvals_option_and_its_error(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    plain = {"case": [], "activity": [], "start_time": [], "end_time": [], "user": []}
    for r in _rows():
        plain["case"].append(r["case"])
        plain["activity"].append(r["activity"])
        plain["start_time"].append(r["start"])
        plain["end_time"].append(r["end"])
        plain["user"].append(r["resource"])
    pd.DataFrame(plain).rename(columns={"case": "case_id"}).to_csv(path, index=False)
    ok = CliRunner().invoke(main, ["approvals", str(path), "--approvals", "Release B"], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    assert "candidate_for_removal" in ok.output
    bad = CliRunner().invoke(main, ["approvals", str(path), "--approvals", "Release B,Nope"])
    assert bad.exit_code == 2
    assert "'Nope'" in bad.output and "not an activity of the log" in bad.output and "Traceback" not in bad.output
