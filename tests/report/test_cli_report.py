"""``procopt report`` through click's CliRunner: summary, --json, files, and every promised error (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from procopt.cli import main


def _invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_report_as_is_only(toy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep"
    result = _invoke("report", str(toy_csv), "--no-simulation", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Report written to {out / 'report.html'}" in result.output
    assert "Top findings:" in result.output and "Check Credit" in result.output
    assert "Recommended next step" in result.output
    for name in ("report.html", "report.md", "report.json", "figures/value_stream_map.png", "tables/value_stream.csv"):
        assert (out / name).is_file(), name


def test_report_json(toy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep"
    result = _invoke("report", str(toy_csv), "--no-simulation", "--lang", "zh", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["report"] == str(out / "report.html")
    assert data["language"] == "zh"
    assert data["facts"]["main_path"] == ["Create Order", "Check Credit", "Approve Order", "Ship Goods"]
    assert data["facts"]["pilot_segment"] == "region = South"
    assert len(data["top_findings"]) == 3 and data["experiment"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "{missing}", "--out", "{out}"], "Error: "),
        (["report", "{log}", "--out", "{out}", "--lang", "fr"], "Invalid value for '--lang'"),
        (["report", "{log}", "--out", "{file}"], "is a file"),
        (["report", "{log}", "--out", "{out}", "--map", "case=no_such_column"], "no_such_column"),
        (["report", "{log}", "--out", "{out}", "--scenario", "{bad_yaml}"], "not valid YAML"),
        (["report", "{log}", "--out", "{out}", "--scenario", "{missing_yaml}"], "file not found"),
        (["report", "{log}", "--out", "{out}", "--replications", "0"], "Invalid value for '--replications'"),
        (["report", "{log}", "--out", "{out}", "--no-simulation", "--kpis", "{kpis}"], "unknown activity 'Nope'"),
        (
            ["report", "{log}", "--out", "{out}", "--no-simulation", "--blueprint", "{missing_bpmn}"],
            "BPMN file not found",
        ),
    ],
    ids=[
        "missing-log",
        "bad-lang",
        "out-is-file",
        "unknown-column",
        "bad-yaml",
        "missing-scenario",
        "zero-replications",
        "kpi-unknown-activity",
        "missing-blueprint",
    ],
)
def test_errors_exit_2_without_traceback(toy_csv: Path, tmp_path: Path, args: list[str], message: str) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("name: [unclosed\n", encoding="utf-8")
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("x", encoding="utf-8")
    kpis = tmp_path / "kpis.yaml"
    kpis.write_text(
        "version: 1\nkpis:\n  - name: Orders\n    type: throughput_per_week\n    activity: Nope\n"
        "    target: {min: 1}\n",
        encoding="utf-8",
    )
    values = {
        "kpis": str(kpis),
        "missing_bpmn": str(tmp_path / "nope.bpmn"),
        "missing": str(tmp_path / "nope.csv"),
        "out": str(tmp_path / "out"),
        "log": str(toy_csv),
        "file": str(a_file),
        "bad_yaml": str(bad_yaml),
        "missing_yaml": str(tmp_path / "nope.yaml"),
    }
    result = CliRunner().invoke(main, [a.format(**values) for a in args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_scenario_naming_another_logs_activity_is_refused(toy_csv: Path, tmp_path: Path, repo_root: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        'name: drop_director\nchanges:\n  - remove_activity: "Approve Order (Finance Director)"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        main,
        [
            "report",
            str(toy_csv),
            "--out",
            str(tmp_path / "out"),
            "--scenario",
            str(scenario),
            "--replications",
            "1",
            "--days",
            "20",
            "--fidelity-runs",
            "0",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "Approve Order (Finance Director)" in result.output and "Traceback" not in result.output


def test_a_second_report_leaves_nothing_of_the_first(toy_csv: Path, tmp_path: Path) -> None:
    """procopt's own files are replaced as a whole: a chart or table of an earlier run does not survive."""
    out = tmp_path / "rep"
    assert _invoke("report", str(toy_csv), "--no-simulation", "--out", str(out)).exit_code == 0
    stale = [out / "tables" / "options.csv", out / "figures" / "old_chart.png"]
    for path in stale:
        path.write_text("from an earlier run", encoding="utf-8")
    result = _invoke("report", str(toy_csv), "--no-simulation", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert not any(path.exists() for path in stale)
    assert (out / "tables" / "value_stream.csv").is_file()


def test_a_folder_with_other_files_needs_force(toy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep"
    out.mkdir()
    mine = out / "notes.txt"
    mine.write_text("keep me", encoding="utf-8")
    refused = CliRunner().invoke(main, ["report", str(toy_csv), "--no-simulation", "--out", str(out)])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "the --out folder holds files procopt did not write (notes.txt)" in refused.output
    assert "--force" in refused.output and not (out / "report.html").exists()
    forced = _invoke("report", str(toy_csv), "--no-simulation", "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "report.html").is_file() and mine.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--delivery-activity", "Ship Good"],
            "--delivery-activity: unknown activity 'Ship Good'. Did you mean 'Ship Goods'?",
        ),
        (["--sla", "soon"], "--sla 'soon' is not a duration"),
    ],
    ids=["unknown-delivery-activity", "bad-sla"],
)
def test_calibration_options_are_checked_before_the_run(
    toy_csv: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(main, ["report", str(toy_csv), "--no-simulation", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_delivery_activity_reaches_the_report(toy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep"
    result = _invoke(
        "report", str(toy_csv), "--no-simulation", "--out", str(out), "--delivery-activity", "Approve Order", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["facts"]["delivery_activity"] == "Approve Order"
    assert data["run_summary"]["delivery_activity"] == "Approve Order"
    assert data["run_summary"]["observed"]["mean_h"] == pytest.approx(data["facts"]["lead_time_mean_h"])
