"""``procopt conformance``: how far the real process is from the designed blueprint (BPMN)."""

from __future__ import annotations

from pathlib import Path

import click

from procopt.cli.common import emit_json, json_option
from procopt.cli.mine import load_events
from procopt.cli.options import map_option

_KIND = {"skipped": "skipped", "unexpected": "unexpected", "wrong_order": "wrong order"}


@click.command("conformance")
@click.argument("log", type=click.Path(dir_okay=False))
@click.option(
    "--model",
    "model_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Blueprint BPMN 2.0 file (the process as designed).",
)
@click.option(
    "--alignments",
    is_flag=True,
    help="Compute fitness and precision with optimal alignments (slower) instead of token replay.",
)
@map_option
@json_option
def command(log: str, model_path: str, alignments: bool, map_: str | None, as_json: bool) -> None:
    """Check LOG against a blueprint: fitness, precision and the most common deviations.

    \b
    Example:
      procopt conformance sample_logs/o2c_orders.csv --model sample_logs/o2c_blueprint.bpmn
    """
    from procopt.mine.conformance import check_conformance, load_blueprint

    load_blueprint(model_path)  # fail on a broken model before reading a large log
    events = load_events(log, map_)
    result = check_conformance(events, model_path, method="alignments" if alignments else "token_replay")
    if as_json:
        emit_json(result.to_dict())
        return
    method = "alignments" if alignments else "token replay"
    lines = [
        f"{Path(log).name} against {Path(model_path).name} ({method}):",
        f"  fitness {result.fitness:.3f}, precision {result.precision:.3f}; "
        f"{result.fitting_cases_share:.1%} of {result.cases:,} finished cases follow the blueprint exactly.",
    ]
    if result.running_cases:
        examples = ", ".join(result.running_examples)
        lines.append(
            f"  {result.running_cases:,} case(s) still running at the end of the log are left out "
            f"(e.g. {examples}): see the note below."
        )
    lines.append("Most common deviations (share of finished cases):")
    if result.deviations.empty:
        lines.append("  none: every aligned case follows the blueprint")
    for row in result.deviations.head(10).itertuples(index=False):
        examples = ", ".join(str(row.example_cases).split())
        lines.append(
            f"  {_KIND[row.kind]:<11} {row.activity}: {row.cases:,} cases ({row.share_of_cases:.1%}), e.g. {examples}"
        )
    if result.activities_not_in_model:
        lines.append(f"Activities in the log but not in the blueprint: {', '.join(result.activities_not_in_model)}")
    if result.model_activities_never_seen:
        lines.append(f"Blueprint steps never seen in the log: {', '.join(result.model_activities_never_seen)}")
    lines += [f"Note: {n}" for n in result.notes]
    click.echo("\n".join(lines))
