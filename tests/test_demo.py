"""``procopt demo``: the whole pipeline on the bundled sample log (slow: about a minute; CI also runs `make demo`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from procopt.cli import main


@pytest.mark.slow
def test_demo_end_to_end(tmp_path: Path, repo_root: Path) -> None:
    if not (repo_root / "sample_logs" / "o2c_orders.csv").is_file():
        pytest.fail(
            "committed sample logs are missing: regenerate them with `procopt generate` (see sample_logs/README.md)"
        )
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = result.output
    for step in (
        "[1/8] reading o2c_orders.csv",
        "[5/8] calibrating",
        "[6/8] checking the model against a held-out part of the log",
        "[7/8] simulating",
        "[8/8] writing the report",
    ):
        assert step in text
    assert f"Report written to {out / 'report.html'}" in text
    assert "1. The biggest source of delay is Check Credit" in text
    assert "Approve Order (Finance Director) looks removable" in text
    ranked = text.split("Options ranked (best first): ")[1].splitlines()[0].split("; ")
    import yaml

    skipped = {
        line.split("scenario ", 1)[1].split(" ", 1)[0]
        for line in text.splitlines()
        if line.startswith("Note: scenario ") and "does not match this log" in line
    }
    assert not {"remove_director_approval.yaml", "plus_one_credit_analyst.yaml"} & skipped
    stress = [line for line in text.splitlines() if line.startswith("Stress test: under +15% volume")]
    for path in (repo_root / "scenarios").glob("*.yaml"):
        if path.name in skipped:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if any("arrivals" in change for change in data["changes"]):  # a volume push is a stress test, never ranked
            assert data["name"] not in ranked and any(f'"{data["name"]}"' in line for line in stress), path.name
        else:  # every other shipped scenario that matches the log is simulated and ranked
            assert data["name"] in ranked, path.name
    next_step = next(line for line in text.splitlines() if line.startswith("Recommended next step"))
    assert "combined_fix" not in next_step and "sales_push_115" not in next_step
    assert any(name.startswith("Auto-approve Approve Order (Sales Manager)") for name in ranked)  # procopt's proposal
    facts = json.loads((out / "report.json").read_text(encoding="utf-8"))["facts"]
    assert facts["top_bottleneck"] == "Check Credit"
    assert {t["name"] for t in facts["stress_tests"]} == {"combined_fix", "sales_push_115"}
    assert facts["recommended_option"] in (None, *ranked)
    assert (out / "figures" / "options_effects.png").is_file()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>9 Improvement options</h2>" in page and "Fidelity scorecard" in page


@pytest.mark.slow
def test_demo_in_chinese_json(tmp_path: Path, repo_root: Path) -> None:
    if not (repo_root / "sample_logs" / "o2c_orders_zh.csv").is_file():
        pytest.fail(
            "committed sample logs are missing: regenerate them with `procopt generate` (see sample_logs/README.md)"
        )
    out = tmp_path / "demo_zh"
    result = CliRunner().invoke(
        main,
        ["demo", "--lang", "zh", "--out", str(out), "--replications", "2", "--days", "40", "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["language"] == "zh" and data["facts"]["top_bottleneck"] == "信用检查"
    assert data["skipped_scenarios"]  # the shipped scenarios name English activities
    names = [r["scenario"] for r in data["experiment"]["runs"]]
    assert any("财务总监审批" in n for n in names)  # the proposals use the log's own (Chinese) names
    assert [t["name"] for t in data["facts"]["stress_tests"]] == ["sales_push_115"]
    assert "sales_push_115" not in data["facts"]["options_ranked"]
    assert not any(word in " ".join(data["top_findings"]) for word in ("of all waiting time", "decisions", "busy"))
    assert data["next_step"].startswith("建议的下一步")
