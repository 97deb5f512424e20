"""``run_all`` with simulation on the small toy log: proposals simulated, deterministic output per seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from procopt.pipeline import STAGES, PipelineOptions, run_all
from procopt.report.build import write_report


def test_run_all_simulates_proposals_and_is_deterministic(toy_csv: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    options = PipelineOptions(replications=2, days=20, warmup_days=2, fidelity=False, seed=3)
    first = run_all(toy_csv, options, progress=lambda i, n, msg: seen.append((i, n, msg)))
    # no held-out check (stage 6) when fidelity is off
    assert [i for i, _, _ in seen] == [1, 2, 3, 4, 5, 7, 8] and {n for _, n, _ in seen} == {len(STAGES)}
    runs = first.stages["experiment"]["runs"]
    names = [r["scenario"] for r in runs]
    assert names[0] == "baseline"
    # the toy log's 20 h before Check Credit is a fixed delay with idle staff: its fix is the hand-off, not a person
    assert "Remove approval Approve Order" in names and "Halve the outside wait before Check Credit" in names
    assert not any(n.startswith("+1 person") for n in names)
    assert {s.origin for s in first.inputs.scenarios} == {"proposed"}
    # the report gets the stages' typed results; their dict forms are made once, for --json
    assert first.inputs.mining is not None and first.stages["mining"] == first.inputs.mining.to_dict()
    assert first.inputs.experiment is not None and first.stages["experiment"] == first.inputs.experiment.to_dict()
    assert first.inputs.audit is not None and first.stages["audit"]["rows"] == first.inputs.audit.rows
    second = run_all(toy_csv, options)
    a = write_report(first.report, tmp_path / "a").html.read_bytes()
    b = write_report(second.report, tmp_path / "b").html.read_bytes()
    assert a == b
    sections = {s.key: s for s in first.report.sections}
    assert "Remove approval Approve Order" in " ".join(str(r) for r in sections["options"].tables[0].rows)


def test_one_run_summary_feeds_every_lead_time_the_report_states(toy_csv: Path) -> None:
    """The observed lead time (the simulator's KPI definition over delivered cases) comes first, the simulated
    baseline beside it; facts, paragraph and --json read the same ``RunSummary``."""
    import pandas as pd

    from procopt.log.read import read_log
    from procopt.report._fmt import fmt
    from procopt.sim.kpi import case_kpis

    options = PipelineOptions(replications=2, days=20, warmup_days=2, fidelity=False, seed=3)
    result = run_all(toy_csv, options)
    summary = result.summary
    assert summary.delivery_activity == "Ship Goods"
    table = case_kpis(read_log(toy_csv).events, "Ship Goods")
    delivered = table.loc[table["delivery_end"].notna(), "lead_time_h"]
    assert summary.observed.cases == len(delivered)
    assert summary.observed.mean_h == pytest.approx(float(delivered.mean()))
    baseline = result.stages["experiment"]["runs"][0]
    assert summary.simulated_baseline is not None
    assert summary.simulated_baseline.mean_h == pytest.approx(baseline["lead_time_hours"]["mean"])
    assert summary.run is not None and (summary.run.replications, summary.run.days) == (2, 20)
    facts = result.report.facts
    assert facts["lead_time_mean_h"] == pytest.approx(summary.observed.mean_h)
    assert facts["lead_time_simulated_baseline_h"] == pytest.approx(summary.simulated_baseline.mean_h)
    options_section = {s.key: s for s in result.report.sections}["options"]
    para = options_section.paragraphs[0]
    observed_at = para.index(f"{fmt(summary.observed.mean_h)} h on average from start to Ship Goods")
    assert observed_at < para.index(f"simulated baseline: {fmt(summary.simulated_baseline.mean_h)} h")
    rows = options_section.tables[0].rows
    assert [r[1] for r in rows[:2]] == ["observed (real cases)", "simulated baseline"]
    assert not pd.isna(summary.observed.mean_h)
