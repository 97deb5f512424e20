"""``procopt validate LOG``: can this event log be trusted? Counts, column mapping and data-quality findings."""

from __future__ import annotations

import textwrap
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json, json_option

_MARK = {"error": "ERROR", "warning": "WARN ", "info": "info "}


@click.command("validate")
@click.argument("log", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--map",
    "map_",
    metavar="ROLE=COLUMN,...",
    help="Name the columns yourself, e.g. --map case=order_id,activity=step,end=完成时间. "
    "Roles: case, activity, start, end, resource, department, due, lifecycle.",
)
@click.option("--object-type", metavar="TYPE", help="For OCEL logs: the object type whose objects are the cases.")
@click.option(
    "--date-format",
    metavar="FORMAT",
    help="How the file writes dates: dmy (31/12/2024), mdy (12/31/2024), ymd, iso, or a pattern such as "
    "'%m/%d/%Y %H:%M'. Detected when left out; an ambiguous day/month order is warned about.",
)
@click.option(
    "--keep-markers",
    is_flag=True,
    help="Keep artificial Start/End marker events that exports add at case boundaries (removed by default).",
)
@json_option
def command(
    log: str, map_: str | None, object_type: str | None, date_format: str | None, keep_markers: bool, as_json: bool
) -> None:
    """Read LOG, show how its columns were mapped and audit its data quality.

    \b
    Example:
      procopt validate orders.csv
      procopt validate export.csv --map case=单据编号,end=过账时间 --json
      procopt validate us_export.csv --date-format mdy

    Exit status 0 when the log could be read (even with warnings), 2 when it cannot be read (including start
    and end columns that look swapped, and a case column that cannot be told from a resource column).
    """
    from procopt.log.mapping import parse_map_option
    from procopt.log.read import read_log

    mapping = parse_map_option(map_, path=log)
    bar = ProgressCallback("Reading log")
    try:
        result = read_log(
            log,
            mapping=mapping or None,
            object_type=object_type,
            progress=bar,
            date_format=date_format,
            keep_markers=keep_markers,
        )
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
        *_time_rows(audit),
        ("resources", _resources(audit.resource_role)),
    ]
    if audit.markers:
        rows.append(("markers", ", ".join(repr(m) for m in audit.markers) + _marker_fate(audit)))
    width = max(len(k) for k, _ in rows)
    lines += [f"  {k:<{width}}  {v}" for k, v in rows]
    lines += ["", "Column mapping (role -> column in the file):"]
    role_w = max(len(r) for r in audit.mapping) if audit.mapping else 4
    lines += [
        f"  {role:<{role_w}}  {col}" + ("  (inferred, see column_inferred)" if role in audit.inferred else "")
        for role, col in audit.mapping.items()
    ]
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


def _time_rows(audit: Any) -> list[tuple[str, str]]:
    """One line per time column: the format read, and what was assumed (ambiguity, zone, end of day)."""
    out = []
    for t in audit.timestamps:
        notes = []
        if t.given:
            notes.append("from --date-format")
        if t.ambiguous:
            notes.append(f"AMBIGUOUS, could be {_shown(t.alternative)}")
        if t.zone:
            notes.append(f"local wall-clock time; offsets follow daylight saving, e.g. {t.zone}")
        if t.reading != "as written":
            notes.append(f"date only, read as the {t.reading} (23:59:59)")
        elif t.date_only:
            notes.append("date only")
        out.append((f"{t.role} format", t.shown + (f" ({'; '.join(notes)})" if notes else "")))
    return out


def _shown(fmt: str | None) -> str:
    from procopt.log.timestamps import show_format

    return show_format(fmt or "none")


def _resources(role: str) -> str:
    return {
        "staff": "staff (the resource column names who did the work)",
        "case_party": "case parties: the resource column names customers or applicants, not staff",
        "none": "none (no resource column)",
    }[role]


def _marker_fate(audit: Any) -> str:
    kept = audit.finding("artificial_markers")
    return " (kept)" if kept is not None and kept.severity == "warning" else " (removed: artificial start/end markers)"


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
