"""``procopt demo``: the whole pipeline on the bundled sample order-to-cash log, in about a minute.

validate → mine → model → simulate the shipped scenarios that match the log (plus procopt's own proposals)
→ report. Uses ``sample_logs/o2c_orders.csv`` (``o2c_orders_zh.csv`` with ``--lang zh``) from the source tree,
or generates the same log with ``procopt.generate`` when the sample files are not there (e.g. a wheel install).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from procopt.cli.options import json_option, run_options, seed_option
from procopt.cli.report import check_out_folder, run_and_emit, stage_printer

REPO = Path(__file__).resolve().parents[2]
#: The demo simulates with the one set of run defaults (procopt/sim/defaults.py, sized for its time budget).
#: A verdict (better or worse than naive) needs 10 simulated logs; the settings search is left to `procopt report`.
DEMO_FIDELITY_RUNS = 10


def sample_log(language: str, workdir: Path) -> Path:
    """The bundled sample O2C log, or a freshly generated identical one when the file is absent."""
    name = "o2c_orders_zh.csv" if language == "zh" else "o2c_orders.csv"
    bundled = REPO / "sample_logs" / name
    if bundled.is_file():
        return bundled
    from procopt.generate import generate

    path = workdir / name
    generate("o2c", seed=1, days=120, language="zh" if language == "zh" else "en").write(path)
    return path


def _optional(name: str) -> Path | None:
    path = REPO / "sample_logs" / name
    return path if path.is_file() else None


@click.command(name="demo")
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/demo"),
    show_default=True,
    help="Folder for the demo report.",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the report (zh also uses the Chinese sample log).",
)
@run_options
@seed_option
@click.option("--force", is_flag=True, help="Write into an --out folder that holds files procopt did not write.")
@json_option
def command(
    out: Path,
    language: str,
    replications: int,
    days: float,
    warmup_days: float,
    seed: int,
    force: bool,
    as_json: bool,
) -> None:
    """Run validate → mine → model → simulate → report on the bundled sample O2C log and print the findings.

    \b
    Example:
      procopt demo                      # English, writes reports/demo/report.html
      procopt demo --lang zh --out reports/demo_zh
    """
    from procopt.pipeline import PipelineOptions
    from procopt.report.i18n import text

    check_out_folder(out, force=force)
    scenarios = tuple(sorted((REPO / "scenarios").glob("*.yaml"))) if (REPO / "scenarios").is_dir() else ()
    show = stage_printer(not as_json)
    with tempfile.TemporaryDirectory(prefix="procopt-demo-") as tmp:
        log = sample_log(language, Path(tmp))
        if not as_json:
            click.echo(
                text(
                    language,
                    "cli_demo_intro",
                    log=log.name,
                    n=len(scenarios),
                    replications=replications,
                    days=f"{days:g}",
                ),
                err=True,
            )
        english = language == "en"  # kpis.yaml and the blueprint name the English log's activities
        options = PipelineOptions(
            kpis=_optional("kpis.yaml") if english else None,
            blueprint=_optional("o2c_blueprint.bpmn") if english else None,
            scenarios=scenarios,
            language=language,
            replications=replications,
            days=days,
            warmup_days=warmup_days,
            seed=seed,
            fidelity_runs=DEMO_FIDELITY_RUNS,
            search=False,
            skip_unmatched_scenarios=True,
        )
        run_and_emit(log, options, out, as_json=as_json, progress=show)
