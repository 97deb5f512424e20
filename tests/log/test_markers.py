"""Artificial Start/End markers at case boundaries: recognised by structure, reported, removed (or kept)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from procopt.cli import main
from procopt.log import columns as C
from procopt.log.markers import find_markers, remove_markers
from procopt.log.read import read_log


def _rows(
    n_cases: int = 12, *, markers: bool = True, start_name: str = "Start", received: bool = False
) -> list[dict[str, object]]:
    """Cases with two real steps; optional zero-duration markers that coincide with the first and last step."""
    rows: list[dict[str, object]] = []
    for i in range(n_cases):
        t0 = pd.Timestamp("2024-01-01 08:00") + pd.Timedelta(hours=5 * i)
        a0, a1 = t0, t0 + pd.Timedelta(minutes=30)
        b0, b1 = t0 + pd.Timedelta(hours=2), t0 + pd.Timedelta(hours=3)
        case = f"C{i}"
        if markers:
            rows.append({"case": case, "activity": start_name, "start": a0, "end": a0, "resource": start_name})
        if received:  # a real zero-duration first step: the work starts later, it does not coincide
            rows.append(
                {
                    "case": case,
                    "activity": "Application received",
                    "start": a0 - pd.Timedelta(hours=1),
                    "end": a0 - pd.Timedelta(hours=1),
                }
            )
        rows.append({"case": case, "activity": "Register", "start": a0, "end": a1, "resource": "ann"})
        rows.append({"case": case, "activity": "Decide", "start": b0, "end": b1, "resource": "bob"})
        if markers:
            rows.append({"case": case, "activity": "End", "start": b1, "end": b1, "resource": "End"})
    return rows


def test_markers_found_by_structure_whatever_their_name() -> None:
    events = C.make_events(_rows(start_name="▶ begin of trace"))
    found = {(m.activity, m.kind, m.cases) for m in find_markers(events)}
    assert found == {("▶ begin of trace", "start", 12), ("End", "end", 12)}


def test_markers_removed_and_reported() -> None:
    events = C.make_events(_rows())
    kept, markers, findings = remove_markers(events)
    assert set(kept[C.ACTIVITY]) == {"Register", "Decide"}
    assert len(kept) == 24 and len(markers) == 2
    (finding,) = findings
    assert finding.code == "artificial_markers" and finding.severity == "info" and finding.count == 24
    assert "'Start' opens 12 of 12 cases" in finding.message and "--keep-markers" in finding.message


def test_keep_markers_keeps_them_with_a_warning() -> None:
    events = C.make_events(_rows())
    kept, _, (finding,) = remove_markers(events, keep=True)
    assert len(kept) == len(events) and finding.severity == "warning"


def test_real_zero_duration_first_step_is_not_a_marker() -> None:
    events = C.make_events(_rows(markers=False, received=True))
    assert find_markers(events) == ()


def test_clean_log_has_no_markers() -> None:
    assert find_markers(C.make_events(_rows(markers=False))) == ()


def test_complete_only_marker_needs_a_marker_name() -> None:
    rows = [{k: v for k, v in r.items() if k != "start"} for r in _rows()]
    assert {m.activity for m in find_markers(C.make_events(rows))} == {"Start", "End"}
    renamed = [{**r, "activity": "Intake"} if r["activity"] == "Start" else r for r in rows]
    assert {m.activity for m in find_markers(C.make_events(renamed))} == {"End"}


def test_cli_removes_markers_and_keep_option(tmp_path: Path) -> None:
    path = tmp_path / "disco.csv"
    pd.DataFrame(_rows()).rename(columns={"start": "start_time", "end": "end_time"}).to_csv(path, index=False)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "  markers  " in result.output and "'End', 'Start' (removed: artificial start/end markers)" in result.output
    assert "info  artificial_markers (24)" in result.output
    doc = json.loads(CliRunner().invoke(main, ["validate", str(path), "--json"]).output)
    assert doc["markers"] == ["End", "Start"] and doc["activities"] == 2
    kept = CliRunner().invoke(main, ["validate", str(path), "--keep-markers"])
    assert "WARN  artificial_markers (24)" in kept.output and "(kept)" in kept.output
    assert read_log(path, keep_markers=True).audit.activities == 4


def test_production_xes_start_end_markers(shared_logs: Path) -> None:
    log = read_log(shared_logs / "simulation-benchmarks/Production.xes.gz")
    assert set(log.audit.markers) == {"Start", "End"}
    assert not log.events[C.ACTIVITY].isin(["Start", "End"]).any()
    assert log.audit.activities == 24 and log.audit.cases == 225
