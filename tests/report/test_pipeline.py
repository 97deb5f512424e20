"""``run_all`` with simulation on the small toy log: proposals simulated, deterministic output per seed."""

from __future__ import annotations

from pathlib import Path

from procopt.pipeline import STAGES, PipelineOptions, run_all
from procopt.report.build import write_report


def test_run_all_simulates_proposals_and_is_deterministic(toy_csv: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    options = PipelineOptions(replications=2, days=20, warmup_days=2, fidelity=False, seed=3)
    first = run_all(toy_csv, options, progress=lambda i, n, msg: seen.append((i, n, msg)))
    assert [i for i, _, _ in seen] == [1, 2, 3, 4, 5, 6, 8] and {n for _, n, _ in seen} == {len(STAGES)}
    runs = first.stages["experiment"]["runs"]
    names = [r["scenario"] for r in runs]
    assert names[0] == "baseline"
    # the toy log's 20 h before Check Credit is a fixed delay with idle staff: its fix is the hand-off, not a person
    assert "Remove approval Approve Order" in names and "Halve the outside wait before Check Credit" in names
    assert not any(n.startswith("+1 person") for n in names)
    assert {s.origin for s in first.inputs.scenarios} == {"proposed"}
    second = run_all(toy_csv, options)
    a = write_report(first.report, tmp_path / "a").html.read_bytes()
    b = write_report(second.report, tmp_path / "b").html.read_bytes()
    assert a == b
    sections = {s.key: s for s in first.report.sections}
    assert "Remove approval Approve Order" in " ".join(str(r) for r in sections["options"].tables[0].rows)
