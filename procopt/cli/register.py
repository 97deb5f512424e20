"""``procopt register``: every pilot record of a folder in one table (HTML, Markdown, CSV)."""

from __future__ import annotations

from pathlib import Path

import click

from procopt.cli.common import emit_json, json_option


@click.command("register")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the register into.",
)
@click.option("--lang", "language", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@json_option
def command(folder: Path, out: Path, language: str, as_json: bool) -> None:
    """Gather the pilot records in FOLDER into one improvement register: problem, cause, fix, predicted, observed, decision.

    \b
    Example:
      procopt register pilots/ --out reports/register
    """
    from procopt.cli.pilot_page import register_report
    from procopt.pilot.register import load_records, register_rows
    from procopt.report.build import write_report

    records, skipped = load_records(folder)
    files = write_report(register_report(records, str(folder), language), out)
    columns, rows = register_rows(records)
    if as_json:
        emit_json(
            {
                "pilots": [dict(zip(columns, row, strict=True)) for row in rows],
                "html": str(files.html),
                "markdown": str(files.markdown),
                "csv": [str(p) for p in files.tables],
                "skipped": skipped,
            }
        )
        return
    click.echo(
        f"{len(records)} pilot record(s) from {folder}"
        + (f" ({len(skipped)} other YAML file(s) skipped)" if skipped else "")
    )
    for row in rows:
        d = dict(zip(columns, row, strict=True))
        click.echo(
            f"  {d['file']}: {d['fix']} in {d['segment']} from {d['window_start']}: predicted {d['predicted_lead_time_h']} h, observed {d['observed_lead_time_h'] or '—'} h -> {d['decision']}"
        )
    click.echo(
        f"Register written to {files.html} (Markdown: {files.markdown}; CSV: {', '.join(str(p) for p in files.tables)})"
    )
