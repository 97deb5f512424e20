"""``procopt report LOG --out DIR``: the value-stream report — one self-contained HTML file plus Markdown,
figures (PNG + SVG) and tables (CSV) beside it, built by running the whole pipeline on LOG."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json
from procopt.cli.executor_options import ExecutorChoice, executor_options
from procopt.cli.options import (
    calibration_from,
    calibration_options,
    json_option,
    map_option,
    recent_option,
    run_options,
    seed_option,
)


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


def check_out_folder(out: Path, *, force: bool) -> None:
    """Refuse an --out folder holding files procopt did not write, unless --force (before the long run).

    procopt's own files (report.html, report.md, report.json, figures/, tables/) are always replaced as a
    whole, so nothing from an earlier run is left beside a new report; anything else is never touched.
    """
    from procopt.errors import InputError
    from procopt.report.build import foreign_entries

    if out.exists() and not out.is_dir():
        raise InputError(out, "--out must be a folder, but a file of that name exists", hint="Choose another --out.")
    foreign = foreign_entries(out)
    if foreign and not force:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise InputError(
            out,
            f"the --out folder holds files procopt did not write ({shown})",
            hint="Choose an empty or new folder, or pass --force to write the report beside them "
            "(they are left as they are).",
        )


def run_and_emit(log: Path, options: Any, out: Path, *, as_json: bool, progress: Any, executor: Any = None) -> None:
    """Run the whole pipeline on ``log``, write the report to ``out`` and print its summary (or JSON)."""
    from procopt.cli.executor_options import announce
    from procopt.pipeline import run_all
    from procopt.report.build import write_report

    bar = ProgressCallback("Simulating")
    try:
        result = run_all(log, options, progress=progress, sim_progress=bar, executor=executor, announce=announce)
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
    """The --json document: files, findings, key facts, the run summary and each stage's result."""
    from procopt._io import to_jsonable

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
        "run_summary": to_jsonable(result.summary),
        "experiment": result.stages.get("experiment"),
        "fidelity": result.stages.get("fidelity"),
    }


@click.command(name="report")
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
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
@map_option
@calibration_options
@run_options
@seed_option
@click.option(
    "--fidelity-runs",
    type=click.IntRange(0, 100),
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
@recent_option
@click.option("--no-simulation", is_flag=True, help="Only the as-is analysis: no model, no options.")
@click.option("--no-proposals", is_flag=True, help="Simulate only the given scenarios, not procopt's own proposals.")
@executor_options
@click.option(
    "--force",
    is_flag=True,
    help="Write into an --out folder that holds files procopt did not write (procopt's own are always replaced).",
)
@json_option
def command(
    log: Path,
    out: Path,
    kpis: Path | None,
    scenarios: tuple[Path, ...],
    blueprint: Path | None,
    language: str,
    map_: str | None,
    sla: str | None,
    delivery_activity: str | None,
    replications: int,
    days: float,
    warmup_days: float,
    seed: int,
    fidelity_runs: int,
    recent: float | None,
    search: bool,
    no_simulation: bool,
    no_proposals: bool,
    run_on: ExecutorChoice,
    force: bool,
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
    check_out_folder(out, force=force)
    options = PipelineOptions(
        kpis=kpis,
        scenarios=scenarios,
        blueprint=blueprint,
        language=language,
        mapping=mapping or None,
        calibration=calibration_from(sla, delivery_activity, recent_weeks=recent),
        replications=replications,
        days=days,
        warmup_days=warmup_days,
        seed=seed,
        propose=not no_proposals,
        simulate=not no_simulation,
        fidelity=fidelity_runs > 0,
        fidelity_runs=max(fidelity_runs, 1),
        workers=run_on.workers,
        search=search,
    )
    with run_on.open() as executor:
        run_and_emit(log, options, out, as_json=as_json, progress=stage_printer(not as_json), executor=executor)
