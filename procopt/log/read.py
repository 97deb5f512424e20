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
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from procopt.errors import InputError
from procopt.log import columns as C
from procopt.log.audit import AuditReport, Finding, ResourceRole, audit_log
from procopt.log.mapping import REQUIRED_ROLES, how_guessed, resolve_mapping
from procopt.log.markers import remove_markers
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

    ``resource_role`` (from the audit) says what the resource column names: ``staff``, ``case_party``
    (customers or applicants, one or two cases each: calibration must not build teams from it) or ``none``.
    """

    events: pd.DataFrame
    source: Path
    mapping: dict[str, str]
    audit: AuditReport
    has_start: bool
    format: str
    details: dict[str, str] = field(default_factory=dict)

    @property
    def resource_role(self) -> ResourceRole:
        """``staff``, ``case_party`` or ``none``: see :func:`procopt.log.audit.classify_resource`."""
        return self.audit.resource_role


#: Above this share of instances ending before they start, start and end are taken to be swapped.
SWAPPED_SHARE = 0.5


def read_log(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    object_type: str | None = None,
    progress: ProgressFn | None = None,
    date_format: str | None = None,
    keep_markers: bool = False,
) -> EventLog:
    """Read an event log file into the contract event table and audit it.

    Args:
        path: CSV (.csv, .csv.gz, .tsv, .txt), Excel (.xlsx), Parquet, XES (.xes, .xes.gz) or OCEL 2.0
            (.jsonocel, .xmlocel, .sqlite).
        mapping: role -> column overrides (``{"case": "order_id"}``); other roles are detected.
        object_type: for OCEL logs, the object type whose objects become cases (default: most events).
        progress: ``callback(done, total)`` called after each step.
        date_format: how text dates are written: ``dmy``, ``mdy``, ``ymd``, ``iso`` or a strptime pattern
            (detected per column when None; an ambiguous day/month order is warned about).
        keep_markers: keep artificial start/end marker events (removed by default, see
            :mod:`procopt.log.markers`).

    Raises:
        InputError: the file cannot be read as an event log (the message names the problem and the fix),
            including start and end swapped (more than half the instances end before they start) and a case
            column that cannot be told apart from a resource column.
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
    raw, found, details, used, inferred = _read_raw(path, fmt, mapping, object_type)
    report(1, _STEPS)
    if raw.empty or len(raw.columns) == 0:
        raise InputError(path, "the file has a header but no event rows", hint="Export the event log again.")
    report(2, _STEPS)
    normalised = normalise_events(raw, used, path=path, date_format=date_format)
    _refuse_swapped(normalised.events, used, path)
    events, markers, more = remove_markers(normalised.events, keep=keep_markers)
    report(3, _STEPS)
    found += [
        Finding("column_inferred", "info", 1, f"The {role} column is {used[role]!r}, found {how}.", (used[role],))
        for role, how in inferred.items()
    ]
    # XES times arrive typed; the zone whose daylight-saving offsets they carried was found while reading them
    zone = next((str(f.examples[0]) for f in found if f.code == "daylight_saving_offsets"), None)
    timestamps = tuple(replace(t, zone=zone) if zone and t.zone is None else t for t in normalised.timestamps)
    audit = audit_log(
        events,
        mapping=used,
        rows=len(raw),
        findings=[*found, *normalised.findings, *more],
        timestamps=timestamps,
        inferred=inferred,
        markers=tuple(m.activity for m in markers),
    )
    report(4, _STEPS)
    return EventLog(events, path, dict(used), audit, C.has_start_times(events), fmt, details)


def _refuse_swapped(events: pd.DataFrame, used: Mapping[str, str], path: Path) -> None:
    """Start and end columns swapped: most instances end before they start. Stop, and say how to swap them."""
    both = events[C.START].notna() & events[C.END].notna()
    backwards = int((events.loc[both, C.START] > events.loc[both, C.END]).sum())
    if not both.any() or backwards <= SWAPPED_SHARE * int(both.sum()):
        return
    start, end = used.get("start", "start"), used.get("end", "end")
    raise InputError(
        path,
        f"{backwards:,} of {int(both.sum()):,} activity instances end before they start: the start column "
        f"{start!r} and the end column {end!r} look swapped",
        hint=f"Swap the mapping: --map start={end},end={start}.",
    )


def _read_raw(
    path: Path, fmt: str, user: Mapping[str, str] | None, object_type: str | None
) -> tuple[pd.DataFrame, list[Finding], dict[str, str], dict[str, str], dict[str, str]]:
    found: list[Finding] = []
    details: dict[str, str] = {"format": fmt}
    if fmt == "csv":
        from procopt.log.delimited import read_delimited, sniff_dialect

        dialect = sniff_dialect(path)
        used = resolve_mapping(dialect.header, user, path=path, infer_case=True)
        # without a named case column every column is read as text: the inferred one keeps its leading zeros
        text = set(used.values()) if "case" in used else set(dialect.header)
        trim = {col for role, col in used.items() if role != "activity"}
        raw, engine, dialect = read_delimited(path, dialect, text_columns=text, trim_columns=trim)
        inferred = _infer(raw, used, user, path)
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
        return raw, found, details, used, inferred
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
    used = resolve_mapping(list(raw.columns), user, path=path, infer_case=True)
    inferred = _infer(raw, used, user, path)
    return raw, found, details, used, inferred


def _infer(raw: pd.DataFrame, used: dict[str, str], user: Mapping[str, str] | None, path: Path) -> dict[str, str]:
    """Fill in a missing case column from the data (in place) and say how each unusual column was found."""
    from procopt.log.infer import infer_case_column
    from procopt.log.mapping import MAP_ROLES

    inferred: dict[str, str] = {}
    if "case" not in used:
        column, how = infer_case_column(raw, used, path=path)
        used["case"] = column
        inferred["case"] = how
        ordered = {role: used[role] for role in MAP_ROLES if role in used}
        used.clear()
        used.update(ordered)
    for role, column in used.items():
        if role in (user or {}) or role in inferred:
            continue
        how_name = how_guessed(role, column)
        if how_name is not None:
            inferred[role] = how_name
    return inferred


def _show_delim(delim: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delim, repr(delim))


__all__ = ["EventLog", "read_log", "C"]
