"""``procopt extract``: build an event log straight from ERP tables (exports, SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import click

from procopt.cli.common import ProgressCallback, emit_json, json_option


@click.command("extract")
@click.option(
    "--source",
    required=True,
    metavar="FOLDER|ZIP|SQLITE|URL",
    help="Table exports (folder or .zip of CSV/Parquet), a SQLite file, or postgresql://USER@HOST:PORT/DB "
    "(or postgresql:// with PGHOST, PGUSER, PGPASSWORD... in the environment). Read only, never written.",
)
@click.option(
    "--recipe",
    default=None,
    metavar="NAME|FILE",
    help="sap-o2c, sap-p2p, sap-docflow, northwind, or a recipe .yaml (default: picked from the SAP tables found).",
)
@click.option(
    "--case",
    "case",
    default=None,
    metavar="NOTION",
    help="Case notion: order|item|delivery (sap-o2c), requisition|po|po_item|invoice (sap-p2p).",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of activity names.",
)
@click.option(
    "--tz",
    default=None,
    metavar="[SYSTEM=]LOCAL",
    help="SAP stores dates and times in the system time zone. --tz Europe/Berlin converts from UTC to Berlin "
    "wall-clock time; --tz UTC=Asia/Shanghai names both. Default: times kept as stored.",
)
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Output: .csv, .parquet or .xes (event log), .jsonocel or .sqlite (OCEL 2.0).",
)
@json_option
def command(
    source: str, recipe: str | None, case: str | None, language: str, tz: str | None, out: Path, as_json: bool
) -> None:
    """Build an event log from ERP tables with a recipe, audit it, and write it.

    \b
    Examples:
      procopt extract --source exports/ --recipe sap-o2c --out o2c.csv
      procopt extract --source VBFA.zip --recipe sap-docflow --out flow.csv
      procopt extract --source northwind.sqlite --recipe northwind --out orders.csv
      PGPASSWORD=... procopt extract --source postgresql://erp_reader@db:5432/erp --recipe sap-p2p \\
          --case po --out p2p.parquet
    """
    from procopt.extract import extract
    from procopt.extract.output import output_format, write_extraction

    output_format(out)
    bar = ProgressCallback("Extracting")
    try:
        result = extract(source, recipe, case=case, language=language, tz=tz, progress=bar)
    finally:
        bar.close()
    write_extraction(result, out)
    if as_json:
        emit_json({**result.summary(), "out": str(out)})
        return
    for line in summary_lines(result, out):
        click.echo(line)


def _width(text: str) -> int:
    """Columns a string takes on a terminal (Chinese characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def summary_lines(result: object, out: Path) -> list[str]:
    """The readable summary: what was read, what was written, what the audit found."""
    from procopt.extract.result import Extraction

    assert isinstance(result, Extraction)
    s = result.summary()
    variant = f", {s['variant_label']}" if s["variant_label"] else ""
    lines = [
        f"Read {result.source} with recipe {s['recipe']}{variant}",
        "  tables: " + ", ".join(f"{t} {n:,}" for t, n in s["tables"].items()),
        f"Wrote {out}: {s['cases']:,} cases ({s['case_notion']}), {s['events']:,} events, "
        f"{len(s['activities'])} activities, {s['span']['start'][:10]} to {s['span']['end'][:10]} (complete times only)",
    ]
    width = max(_width(a) for a in s["activities"])
    lines += [f"  {a}{' ' * (width - _width(a))}  {n:>7,}" for a, n in s["activities"].items()]
    if result.findings:
        lines.append("Extraction audit:")
        for f in result.findings:
            lines.append(f"  [{f.severity}] {f.code}: {f.message}")
            if f.examples:
                lines.append("      e.g. " + ", ".join(str(x) for x in f.examples))
    else:
        lines.append("Extraction audit: no findings.")
    return lines
