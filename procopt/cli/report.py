"""``procopt report LOG --out DIR``: the value-stream report — one self-contained HTML file plus Markdown,
figures (PNG + SVG) and tables (CSV) beside it, built by running the whole pipeline on LOG."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json, json_option


def stage_printer(enabled: bool) -> Any:
    """A ``progress(step, total, message)`` that prints one line per stage on stderr (not with --json)."""
    start = time.monotonic()

    def show(step: int, total: int, message: str) -> None:
        if enabled:
            click.echo(f"[{step}/{total}] {message} ({time.monotonic() - start:.0f} s)", err=True)

    return show


def summary_lines(result: Any, out: Path) -> list[str]:
    """The readable summary in the report's language: where it is, top findings, next step, ranked actions,
    stress tests apart, notes."""
    from procopt.report.i18n import text

    lang = result.report.language
    facts = result.report.facts
    lines = [text(lang, "cli_written", path=out / "report.html"), "", text(lang, "cli_findings")]
    lines += [f"  {i}. {f}" for i, f in enumerate(result.report.top_findings, 1)]
    summary = result.report.sections[0]
    if facts.get("model_verdict") and len(summary.bullets) >= 2:  # how far the timing can be trusted, up front
        lines += ["", summary.bullets[-2]]
    if summary.bullets:
        lines += ["", summary.bullets[-1]]
    if facts.get("options_ranked") or facts.get("stress_tests"):
        lines.append("")
    if facts.get("options_ranked"):
        lines.append(text(lang, "cli_ranked", names=text(lang, "list_sep").join(facts["options_ranked"])))
    lines += [text(lang, "cli_stress", sentence=s["sentence"]) for s in facts.get("stress_tests") or []]
    lines += [text(lang, "cli_note", note=n) for n in result.notes]
    return lines


def run_and_emit(log: Path, options: Any, out: Path, *, as_json: bool, progress: Any) -> None:
    """Run the whole pipeline on ``log``, write the report to ``out`` and print its summary (or JSON)."""
    from procopt.pipeline import run_all
    from procopt.report.build import write_report

    bar = ProgressCallback("Simulating")
    try:
        result = run_all(log, options, progress=progress, sim_progress=bar)
    finally:
        bar.close()
    files = write_report(result.report, out)
    if as_json:
        emit_json(result_json(result, files.folder))
        return
    for line in summary_lines(result, files.folder):
        click.echo(line)
    sys.stdout.flush()


def result_json(result: Any, out: Path) -> dict[str, Any]:
    """The --json document: files, findings, key facts and each stage's result."""
    return {
        "report": str(out / "report.html"),
        "markdown": str(out / "report.md"),
        "folder": str(out),
        "title": result.report.title,
        "language": result.report.language,
        "top_findings": list(result.report.top_findings),
        "next_step": result.report.sections[0].bullets[-1],
        "facts": dict(result.report.facts),
        "notes": list(result.notes),
        "skipped_scenarios": list(result.skipped_scenarios),
        "experiment": result.stages.get("experiment"),
        "fidelity": result.stages.get("fidelity"),
    }


@click.command(name="report")
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, report.md, figures/ and tables/ (e.g. reports/orders).",
)
@click.option("--kpis", type=click.Path(dir_okay=False, path_type=Path), help="KPI definitions (kpis.yaml).")
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A what-if scenario YAML to simulate; repeat for several.",
)
@click.option(
    "--blueprint",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Designed process (BPMN) to check conformance against.",
)
@click.option(
    "--lang", "language", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Report language."
)
@click.option(
    "--map", "map_", metavar="ROLE=COLUMN,...", help="Name the columns yourself, e.g. --map case=order_id,end=完成时间."
)
@click.option(
    "--replications", type=click.IntRange(min=1), default=10, show_default=True, help="Replications per option."
)
@click.option(
    "--days",
    type=click.IntRange(min=15),
    default=120,
    show_default=True,
    help="Simulated days of arrivals per replication.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same report).")
@click.option(
    "--fidelity-runs",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Simulated logs for the held-out fidelity check (0 = skip it; fewer than 10 give no verdict).",
)
@click.option(
    "--search/--no-search",
    default=True,
    show_default=True,
    help="Choose the calibration settings on a time split inside the training period.",
)
@click.option("--no-simulation", is_flag=True, help="Only the as-is analysis: no model, no options.")
@click.option("--no-proposals", is_flag=True, help="Simulate only the given scenarios, not procopt's own proposals.")
@json_option
def command(
    log: Path,
    out: Path,
    kpis: Path | None,
    scenarios: tuple[Path, ...],
    blueprint: Path | None,
    language: str,
    map_: str | None,
    replications: int,
    days: int,
    seed: int,
    fidelity_runs: int,
    search: bool,
    no_simulation: bool,
    no_proposals: bool,
    as_json: bool,
) -> None:
    """Build the value-stream report for LOG: summary, data quality, process map, value-stream map,
    bottlenecks, approvals, KPIs, conformance, simulated improvement options and a pilot hint.

    \b
    Example:
      procopt report sample_logs/o2c_orders.csv --kpis sample_logs/kpis.yaml \\
          --scenario scenarios/remove_director_approval.yaml --out reports/o2c
      procopt report sample_logs/o2c_orders_zh.csv --lang zh --out reports/o2c_zh
    """
    from procopt.log.mapping import parse_map_option
    from procopt.pipeline import PipelineOptions

    mapping = parse_map_option(map_, path=log)
    options = PipelineOptions(
        kpis=kpis,
        scenarios=scenarios,
        blueprint=blueprint,
        language=language,
        mapping=mapping or None,
        replications=replications,
        days=days,
        seed=seed,
        propose=not no_proposals,
        simulate=not no_simulation,
        fidelity=fidelity_runs > 0,
        fidelity_runs=max(fidelity_runs, 1),
        search=search,
    )
    run_and_emit(log, options, out, as_json=as_json, progress=stage_printer(not as_json))
