"""``procopt validate LOG``: can this event log be trusted? Counts, column mapping and data-quality findings."""

from __future__ import annotations

import textwrap
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json, json_option
from procopt.cli.options import map_option

_MARK = {"error": "ERROR", "warning": "WARN ", "info": "info "}


@click.command("validate")
@click.argument("log", type=click.Path(dir_okay=False, path_type=str))
@map_option
@click.option("--object-type", metavar="TYPE", help="For OCEL logs: the object type whose objects are the cases.")
@json_option
def command(log: str, map_: str | None, object_type: str | None, as_json: bool) -> None:
    """Read LOG, show how its columns were mapped and audit its data quality.

    \b
    Example:
      procopt validate orders.csv
      procopt validate export.csv --map case=单据编号,end=过账时间 --json

    Exit status 0 when the log could be read (even with warnings), 2 when it cannot be read.
    """
    from procopt.log.mapping import parse_map_option
    from procopt.log.read import read_log

    mapping = parse_map_option(map_, path=log)
    bar = ProgressCallback("Reading log")
    try:
        result = read_log(log, mapping=mapping or None, object_type=object_type, progress=bar)
    finally:
        bar.close()
    if as_json:
        emit_json(result.audit.to_dict())
        return
    click.echo(render_summary(result))


def render_summary(result: Any) -> str:
    """The human summary of an ``EventLog``: counts, span, mapping, findings sorted by severity."""
    from procopt.log.audit import EXAMPLE_KIND

    audit = result.audit
    lines = [f"{result.source}  ({_how(result.details)})", ""]
    instances = len(result.events)
    rows = [("rows read", f"{audit.rows:,}")]
    if instances != audit.rows:
        rows.append(("activity instances", f"{instances:,}"))
    rows += [
        ("cases", f"{audit.cases:,}"),
        ("activities", f"{audit.activities:,}"),
        ("span", f"{_ts(audit.span_start)} → {_ts(audit.span_end)}"),
        ("start times", _starts(result)),
    ]
    width = max(len(k) for k, _ in rows)
    lines += [f"  {k:<{width}}  {v}" for k, v in rows]
    lines += ["", "Column mapping (role -> column in the file):"]
    role_w = max(len(r) for r in audit.mapping) if audit.mapping else 4
    lines += [f"  {role:<{role_w}}  {col}" for role, col in audit.mapping.items()]
    lines.append("")
    if not audit.findings:
        lines.append("No data-quality findings.")
    else:
        counts = {s: sum(f.severity == s for f in audit.findings) for s in ("error", "warning", "info")}
        lines.append(f"Findings: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info")
        for f in audit.findings:
            head = f"  {_MARK[f.severity]} {f.code} ({f.count:,})"
            lines.append(head)
            lines += textwrap.wrap(f.message, width=100, initial_indent="        ", subsequent_indent="        ")
            if f.examples:
                shown = ", ".join(str(e) for e in f.examples)
                kind = EXAMPLE_KIND.get(f.code)
                lines += textwrap.wrap(
                    f"e.g. {kind + ' ' if kind else ''}{shown}",
                    width=100,
                    initial_indent="        ",
                    subsequent_indent="        ",
                    max_lines=2,
                    placeholder=" …",
                )
    if not audit.ok:
        lines += ["", "Rows with errors were left out; the rest of the log can be analysed."]
    return "\n".join(lines)


def _starts(result: Any) -> str:
    from procopt.log import columns as C

    share = float(result.events[C.START].notna().mean()) if len(result.events) else 0.0
    if result.has_start:
        return f"yes, {share:.0%} of instances (waiting and processing time can be separated)"
    if share > 0:
        return (
            f"partly, {share:.0%} of instances (too few to separate waiting from processing "
            "reliably; the rest are recorded only at completion)"
        )
    return "no (complete-only log: only the time between completions is measured)"


def _how(details: dict[str, str]) -> str:
    parts = [details.get("format", "?").upper()]
    for key in ("encoding", "delimiter", "engine", "parser", "sheet", "object_type"):
        if key in details:
            parts.append(f"{key.replace('_', ' ')} {details[key]}")
    return ", ".join(parts)


def _ts(value: Any) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"
