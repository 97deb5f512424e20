"""Stage 1 — ingest: ``read_log(path)`` — any supported file in, a contract event table and its audit out.

The one entry point of the stage. It recognises the file (:mod:`~procopt.log.sniff`), reads it
(:mod:`~procopt.log.delimited` for CSV, :mod:`~procopt.log.formats` for XES/OCEL/Excel/Parquet), maps its
columns (:mod:`~procopt.log.mapping`), normalises to activity instances (:mod:`~procopt.log.normalise`) and
audits the result (:mod:`~procopt.log.audit`). Input files are only ever opened for reading.

Example:
    >>> log = read_log("sample_logs/o2c_orders.csv")             # doctest: +SKIP
    >>> log.events[[CASE, ACTIVITY, START, END]].head()          # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from procopt.errors import InputError
from procopt.log import columns as C
from procopt.log.audit import AuditReport, Finding, audit_log
from procopt.log.mapping import REQUIRED_ROLES, resolve_mapping
from procopt.log.normalise import normalise_events
from procopt.log.sniff import sniff_format

ProgressFn = Callable[[int, int], None]
_STEPS = 4


@dataclass(frozen=True, slots=True, eq=False)
class EventLog:
    """A loaded event log.

    Attributes:
        events: the contract event table (see ``columns.py``).
        source: the file read.
        mapping: role -> source column actually used.
        audit: the data-quality report.
        has_start: True when most instances carry a start time.
        format: ``csv``, ``excel``, ``parquet``, ``xes`` or ``ocel``.
        details: how it was read (encoding, delimiter, engine, parser, object type, sheet).
    """

    events: pd.DataFrame
    source: Path
    mapping: dict[str, str]
    audit: AuditReport
    has_start: bool
    format: str
    details: dict[str, str] = field(default_factory=dict)


def read_log(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    object_type: str | None = None,
    progress: ProgressFn | None = None,
) -> EventLog:
    """Read an event log file into the contract event table and audit it.

    Args:
        path: CSV (.csv, .csv.gz, .tsv, .txt), Excel (.xlsx), Parquet, XES (.xes, .xes.gz) or OCEL 2.0
            (.jsonocel, .xmlocel, .sqlite).
        mapping: role -> column overrides (``{"case": "order_id"}``); other roles are detected.
        object_type: for OCEL logs, the object type whose objects become cases (default: most events).
        progress: ``callback(done, total)`` called after each step.

    Raises:
        InputError: the file cannot be read as an event log (the message names the problem and the fix).
    """
    path = Path(path)
    report = progress or (lambda done, total: None)
    fmt = sniff_format(path)
    if object_type is not None and fmt != "ocel":
        raise InputError(
            path,
            f"--object-type {object_type!r} applies only to object-centric (OCEL) logs",
            hint="Leave --object-type out for this file.",
        )
    raw, found, details, used = _read_raw(path, fmt, mapping, object_type)
    report(1, _STEPS)
    if raw.empty or len(raw.columns) == 0:
        raise InputError(path, "the file has a header but no event rows", hint="Export the event log again.")
    report(2, _STEPS)
    normalised = normalise_events(raw, used, path=path)
    report(3, _STEPS)
    audit = audit_log(normalised.events, mapping=used, rows=len(raw), findings=[*found, *normalised.findings])
    report(4, _STEPS)
    return EventLog(normalised.events, path, dict(used), audit, normalised.has_start, fmt, details)


def _read_raw(
    path: Path, fmt: str, user: Mapping[str, str] | None, object_type: str | None
) -> tuple[pd.DataFrame, list[Finding], dict[str, str], dict[str, str]]:
    found: list[Finding] = []
    details: dict[str, str] = {"format": fmt}
    if fmt == "csv":
        from procopt.log.delimited import read_delimited, sniff_dialect

        dialect = sniff_dialect(path)
        used = resolve_mapping(dialect.header, user, path=path)
        trim = {col for role, col in used.items() if role != "activity"}
        raw, engine, dialect = read_delimited(path, dialect, text_columns=set(used.values()), trim_columns=trim)
        details.update(encoding=dialect.encoding, delimiter=_show_delim(dialect.delimiter), engine=engine)
        if dialect.header_line:
            found.append(
                Finding(
                    "preamble_skipped",
                    "info",
                    dialect.header_line,
                    f"The first {dialect.header_line} line(s) are a title or report header, not data; "
                    f"the column header was found on line {dialect.header_line + 1}.",
                    (),
                )
            )
        return raw, found, details, used
    if fmt == "xes":
        from procopt.log.formats import read_xes

        raw, found, variant = read_xes(path)
        details["parser"] = variant
    elif fmt == "ocel":
        from procopt.log.formats import read_ocel

        raw, found, chosen = read_ocel(path, object_type)
        details["object_type"] = chosen
    elif fmt == "excel":
        from procopt.log.formats import read_excel

        raw, found, sheet = read_excel(path, REQUIRED_ROLES, user)
        details["sheet"] = sheet
    else:
        from procopt.log.formats import read_parquet

        raw = read_parquet(path)
    raw.columns = [str(c) for c in raw.columns]
    used = resolve_mapping(list(raw.columns), user, path=path)
    return raw, found, details, used


def _show_delim(delim: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delim, repr(delim))


__all__ = ["EventLog", "read_log", "C"]
