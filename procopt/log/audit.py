"""Stage 1 — ingest: the data-quality audit of an event table.

Before anyone trusts a bottleneck ranking they should know whether the log can be trusted: are cases
cut off at the extraction date, is "Approve Order" also spelled "approve order", did the export mix
summer and winter UTC offsets? :func:`audit_log` answers with an :class:`AuditReport` of
:class:`Finding`s, each saying what it means and what to do. Reading problems found earlier (unparseable
timestamps, unmatched lifecycle events) are passed in and merged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from procopt.log import columns as C

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
MAX_EXAMPLES = 5

#: What the ``examples`` of a finding are (for display): row numbers, case ids or other values.
EXAMPLE_KIND: dict[str, str] = {
    "missing_values": "rows",
    "unparseable_timestamps": "rows",
    "end_before_start": "rows",
    "duplicate_events": "rows",
    "unmatched_complete": "rows",
    "unmatched_start": "rows",
    "single_event_cases": "cases",
    "incomplete_cases": "cases",
    "out_of_order": "cases",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One data-quality observation.

    Attributes:
        code: stable machine name, e.g. ``"incomplete_cases"``.
        severity: ``error`` (data was unusable and dropped or the result is unreliable), ``warning``
            (may bias the analysis), ``info`` (worth knowing).
        count: how many rows / cases / values it concerns.
        message: what it means and what to do, in one or two sentences.
        examples: a few concrete instances (row numbers, case ids, spellings).
    """

    code: str
    severity: Severity
    count: int
    message: str
    examples: tuple[Any, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the JSON shape of the audit."""
        return {
            "code": self.code,
            "severity": self.severity,
            "count": int(self.count),
            "message": self.message,
            "examples": list(self.examples),
        }


#: Fewer cases than this and the audit warns that waiting-time percentiles, bottleneck rankings and
#: calibrated distributions rest on too few observations (a median or P90 of a handful of cases moves with
#: every case; 30 is the usual floor for a stable mean or median estimate).
MIN_CASES = 30

#: What the "resource" column names: people doing the work, the customer/applicant of each case, or nothing.
ResourceRole = Literal["staff", "case_party", "none"]


@dataclass(frozen=True, slots=True)
class TimeColumn:
    """How one time column (start, end or due) was read.

    Attributes:
        role: ``start``, ``end`` or ``due``.
        column: its name in the file.
        format: the detected or given format (``ISO8601``, a strptime pattern, ``native`` for typed values).
        shown: the format as users write it (``mm/dd/yyyy HH:MM``).
        ambiguous: day and month could be swapped and still read every value.
        alternative: that other reading, None when not ambiguous.
        reason: why ``format`` was preferred to ``alternative`` (empty when not ambiguous).
        given: the format came from ``--date-format``.
        date_only: the values carry no time of day.
        reading: how the values are taken: ``as written``, or ``end of day`` for date-only due dates.
        zone: the IANA zone whose daylight-saving offsets the values carry (wall-clock kept), else None.
    """

    role: str
    column: str
    format: str
    shown: str
    ambiguous: bool = False
    alternative: str | None = None
    reason: str = ""
    given: bool = False
    date_only: bool = False
    reading: str = "as written"
    zone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the JSON shape of the audit's ``timestamps`` entries."""
        return {
            "column": self.column,
            "format": self.format,
            "shown": self.shown,
            "ambiguous": self.ambiguous,
            "alternative": self.alternative,
            "reason": self.reason,
            "given": self.given,
            "date_only": self.date_only,
            "reading": self.reading,
            "zone": self.zone,
        }


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Summary of an event log and its data-quality findings (errors first).

    ``timestamps`` says how each time column was read, ``resource_role`` what the resource column names
    (``staff``, ``case_party`` -- customers or applicants, one or two cases each -- or ``none``), ``inferred``
    how roles not named in the header were found (role -> one sentence), ``markers`` the artificial
    start/end activities removed from the events.
    """

    rows: int
    cases: int
    activities: int
    span_start: pd.Timestamp | None
    span_end: pd.Timestamp | None
    mapping: Mapping[str, str] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    timestamps: tuple[TimeColumn, ...] = ()
    resource_role: ResourceRole = "none"
    inferred: Mapping[str, str] = field(default_factory=dict)
    markers: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings of severity ``error``."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def ok(self) -> bool:
        """True when there is no error-level finding."""
        return not self.errors

    def finding(self, code: str) -> Finding | None:
        """The finding with this code, or None."""
        return next((f for f in self.findings if f.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        """The ``validate --json`` document; its schema is in docs/CONTRACTS.md."""
        return {
            "rows": int(self.rows),
            "cases": int(self.cases),
            "activities": int(self.activities),
            "span": {"start": _iso(self.span_start), "end": _iso(self.span_end)},
            "mapping": dict(self.mapping),
            "inferred": dict(self.inferred),
            "timestamps": {t.role: t.to_dict() for t in self.timestamps},
            "resource_role": self.resource_role,
            "markers": list(self.markers),
            "findings": [f.to_dict() for f in self.findings],
        }


def _iso(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None or pd.isna(ts) else ts.isoformat()


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Errors first, then warnings, then info; larger counts first within a severity."""
    return tuple(sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], -f.count, f.code)))


def audit_log(
    events: pd.DataFrame,
    *,
    mapping: Mapping[str, str] | None = None,
    rows: int | None = None,
    findings: Sequence[Finding] = (),
    timestamps: Sequence[TimeColumn] = (),
    inferred: Mapping[str, str] | None = None,
    markers: Sequence[str] = (),
) -> AuditReport:
    """Audit a contract event table.

    Args:
        events: the event table (see ``columns.py``).
        mapping: role -> source column used to read it (shown in the report).
        rows: rows (events) read from the file; defaults to ``len(events)``.
        findings: findings already made while reading (parsing, lifecycle pairing, markers).
        timestamps: how each time column was read.
        inferred: roles found without a recognised header name, and how.
        markers: artificial start/end activities already removed from ``events``.
    """
    found = list(findings)
    role: ResourceRole = "none"
    if not events.empty:
        role, more = classify_resource(events)
        found += more
        found += _too_few_cases(events)
        found += _end_before_start(events)
        found += _duplicates(events)
        found += _spellings(events)
        found += _case_shape(events)
        found += _out_of_order(events)
        found += _placeholder_dates(events)
    end = events[C.END] if C.END in events.columns else pd.Series(dtype="datetime64[ns]")
    start = events[C.START] if C.START in events.columns else pd.Series(dtype="datetime64[ns]")
    span_start = pd.concat([start.dropna(), end.dropna()]).min() if len(events) else None
    span_end = end.max() if len(events) else None
    return AuditReport(
        rows=int(len(events) if rows is None else rows),
        cases=int(events[C.CASE].nunique()) if len(events) else 0,
        activities=int(events[C.ACTIVITY].nunique()) if len(events) else 0,
        span_start=None if span_start is None or pd.isna(span_start) else span_start,
        span_end=None if span_end is None or pd.isna(span_end) else span_end,
        mapping=dict(mapping or {}),
        findings=sort_findings(found),
        timestamps=tuple(timestamps),
        resource_role=role,
        inferred=dict(inferred or {}),
        markers=tuple(markers),
    )


def _rows_of(events: pd.DataFrame, mask: np.ndarray | pd.Series) -> tuple[int, ...]:
    return tuple(int(r) for r in events.loc[np.asarray(mask), C.SOURCE_ROW].head(MAX_EXAMPLES))


#: A resource column names case parties (customers, applicants) rather than staff when at least this many
#: distinct values exist and most of its rows belong to values seen in at most ``PARTY_MAX_CASES`` cases:
#: a clerk handles dozens of cases, an applicant appears in their own one or two.
PARTY_MIN_VALUES = 20
PARTY_MAX_CASES = 2
PARTY_ROW_SHARE = 0.5


def classify_resource(events: pd.DataFrame) -> tuple[ResourceRole, list[Finding]]:
    """Say whether the resource column names staff or case parties (customers, applicants).

    Returns ``("none", [])`` without resource values, ``("case_party", [finding])`` when most rows belong to
    values that each appear in only one or two cases (and there are many such values), else ``("staff", [])``.
    """
    if C.RESOURCE not in events.columns:
        return "none", []
    pairs = events[[C.CASE, C.RESOURCE]].dropna()
    if pairs.empty:
        return "none", []
    cases_per_value = pairs.groupby(C.RESOURCE, sort=False)[C.CASE].nunique()
    rare = cases_per_value[cases_per_value <= PARTY_MAX_CASES]
    share = float(pairs[C.RESOURCE].isin(rare.index).mean())
    many = len(cases_per_value) >= max(PARTY_MIN_VALUES, 0.2 * pairs[C.CASE].nunique())
    if not (many and share >= PARTY_ROW_SHARE):
        return "staff", []
    message = (
        f"The resource column has {len(cases_per_value):,} distinct values and {share:.0%} of its rows belong to "
        f"values that appear in at most {PARTY_MAX_CASES} cases (median {cases_per_value.median():.0f} case(s) "
        "per value): it names the customer or applicant of each case, not the staff doing the work. It is "
        "kept as an attribute, but workload, capacity and teams are not derived from it "
        "(resource_role = case_party). Map the staff column with --map resource=COLUMN if the log has one."
    )
    examples = tuple(str(v) for v in rare.index[:MAX_EXAMPLES])
    return "case_party", [Finding("resource_is_case_party", "warning", len(cases_per_value), message, examples)]


def _too_few_cases(events: pd.DataFrame) -> list[Finding]:
    cases = int(events[C.CASE].nunique())
    if cases >= MIN_CASES:
        return []
    return [
        Finding(
            "too_few_cases",
            "warning",
            cases,
            f"Only {cases} case(s): too few for the diagnostics (procopt needs at least {MIN_CASES}). Waiting-time "
            "percentiles, bottleneck scores and calibrated durations from so few cases change with every case; "
            "read them as anecdotes and extract a longer window before deciding anything.",
            (),
        )
    ]


def _end_before_start(events: pd.DataFrame) -> list[Finding]:
    mask = (events[C.START] > events[C.END]).to_numpy()
    n = int(mask.sum())
    if not n:
        return []
    return [
        Finding(
            "end_before_start",
            "warning",
            n,
            f"{n} activity instance(s) end before they start. Their durations would be negative; "
            "check the start/end columns are not swapped and the clocks agree.",
            _rows_of(events, mask),
        )
    ]


def _duplicates(events: pd.DataFrame) -> list[Finding]:
    keys = [c for c in (C.CASE, C.ACTIVITY, C.START, C.END, C.RESOURCE) if c in events.columns]
    dup = events.duplicated(subset=keys, keep="first").to_numpy()
    n = int(dup.sum())
    if not n:
        return []
    return [
        Finding(
            "duplicate_events",
            "warning",
            n,
            f"{n} row(s) repeat an earlier event exactly (same case, activity, times and resource). "
            "They inflate frequencies and workload; remove them from the export if they are copies.",
            _rows_of(events, dup),
        )
    ]


def fold_activity(name: str) -> str:
    """Fold an activity name: full-width -> half-width, case, runs of spaces."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(text.split())


def _spellings(events: pd.DataFrame) -> list[Finding]:
    names = pd.Series(events[C.ACTIVITY].unique())
    folded = names.map(fold_activity)
    groups = names.groupby(folded).agg(list)
    variants = [sorted(g) for g in groups if len(g) > 1]
    if not variants:
        return []
    counts = events[C.ACTIVITY].value_counts()
    rows = int(sum(counts[v].sum() - counts[v].max() for v in variants))
    examples = tuple(" | ".join(repr(x) for x in v) for v in variants[:MAX_EXAMPLES])
    return [
        Finding(
            "activity_spellings",
            "warning",
            len(variants),
            f"{len(variants)} activit(y/ies) are spelled more than one way (case, spaces or full-width "
            f"characters), {rows} row(s) use a rarer spelling; they are counted as different steps. "
            "Unify the names in the ERP export or before analysis.",
            examples,
        )
    ]


def _case_shape(events: pd.DataFrame) -> list[Finding]:
    out: list[Finding] = []
    sizes = events.groupby(C.CASE, sort=False).size()
    single = sizes[sizes == 1]
    if len(single):
        out.append(
            Finding(
                "single_event_cases",
                "warning" if len(single) > 0.05 * len(sizes) else "info",
                len(single),
                f"{len(single)} case(s) have a single event: no waiting or flow can be measured for "
                "them. Often they were cut by the extraction window or the case id is wrong.",
                tuple(single.index[:MAX_EXAMPLES]),
            )
        )
    if len(sizes) < 2:
        return out
    incomplete, typical = incomplete_cases(events)
    if len(incomplete):
        out.append(_incomplete(events, incomplete, typical))
    return out


def incomplete_cases(events: pd.DataFrame) -> tuple[pd.Series, pd.Index]:
    """Cases that never reach a typical end activity, and the typical end activities.

    Returns ``(incomplete, typical)``: ``incomplete`` maps case id -> its last activity. Typical end activities are
    those that end a real share of cases (>= 5 % of cases or >= 20 % as many as the most common end).
    """
    last = events.groupby(C.CASE, sort=False)[C.ACTIVITY].last()
    if len(last) < 2:
        return last.iloc[:0], pd.Index([])
    ends = last.value_counts()
    typical = ends[(ends >= 0.05 * len(last)) | (ends >= 0.2 * ends.iloc[0])]
    return last[~last.isin(typical.index)], typical.index


def _stops_near_log_end(events: pd.DataFrame, cases: pd.Index) -> tuple[np.ndarray, pd.Timedelta]:
    """For each of ``cases``: does it stop within the usual case duration (P90) of the log's last event?"""
    grouped = events.groupby(C.CASE, sort=False)[C.END]
    first, final = grouped.min(), grouped.max()
    window = (final - first).quantile(0.9)
    return ((events[C.END].max() - final[cases]) <= window).to_numpy(), window


def still_running_cases(events: pd.DataFrame) -> pd.Index:
    """Case ids probably still running when the log was extracted.

    A case is still running when it has not reached a typical end activity and its last event lies within the usual
    case duration (90th percentile, first to last event) of the log's end — the audit's ``incomplete_cases`` rule.
    """
    if events.empty:
        return pd.Index([])
    incomplete, _ = incomplete_cases(events)
    if incomplete.empty:
        return pd.Index([])
    recent, _ = _stops_near_log_end(events, incomplete.index)
    return pd.Index(incomplete.index[recent])


def _incomplete(events: pd.DataFrame, incomplete: pd.Series, typical: pd.Index) -> Finding:
    """Cases whose last activity is not a typical end, split by how close to the log's end they stop.

    A case that stops within the usual case duration (90th percentile) of the last event in the log was
    most likely still running at extraction; one that stopped long before ended at an unusual step: a
    legitimate outcome (a rejection) or missing events.
    """
    recent_arr, window = _stops_near_log_end(events, incomplete.index)
    recent = pd.Series(recent_arr, index=incomplete.index)
    names = ", ".join(repr(a) for a in typical[:4])
    n, n_recent = len(incomplete), int(recent.sum())
    message = f"{n} case(s) never reach a typical end activity ({names}). "
    if n_recent:
        message += (
            f"{n_recent} of them stop within the usual case duration ({window / pd.Timedelta(hours=1):.0f} h) "
            "of the end of the log: probably still running or cut at the extraction date; their lead times "
            "are too short, so filter them out or extract a longer window. "
        )
    if n - n_recent:
        older = incomplete[~recent.to_numpy()].value_counts()
        shown = ", ".join(f"{a!r}: {k}" for a, k in older.head(3).items())
        message += (
            f"{n - n_recent} stopped long before the log ends, at {shown}: a legitimate outcome "
            "(e.g. a rejection) or missing events."
        )
    ordered = list(incomplete.index[recent.to_numpy()]) + list(incomplete.index[~recent.to_numpy()])
    return Finding("incomplete_cases", "warning", n, message.strip(), tuple(ordered[:MAX_EXAMPLES]))


def _out_of_order(events: pd.DataFrame) -> list[Finding]:
    # Rows are sorted by (case, end); out of order means the file order within a case disagrees with time.
    rows = events[C.SOURCE_ROW].to_numpy()
    case = events[C.CASE].to_numpy()
    same = np.zeros(len(events), dtype=bool)
    same[1:] = case[1:] == case[:-1]
    back = np.zeros(len(events), dtype=bool)
    back[1:] = rows[1:] < rows[:-1]
    bad = same & back
    if not bad.any():
        return []
    bad_cases = pd.unique(case[bad])
    return [
        Finding(
            "out_of_order",
            "info",
            len(bad_cases),
            f"In {len(bad_cases)} case(s) the file lists events in a different order than their "
            "timestamps. procopt orders events by time; if the file order is the true order, the "
            "timestamps are too coarse or wrong.",
            tuple(str(c) for c in bad_cases[:MAX_EXAMPLES]),
        )
    ]


def _placeholder_dates(events: pd.DataFrame) -> list[Finding]:
    end = events[C.END].dropna()
    if end.empty:
        return []
    early = end < pd.Timestamp("1980-01-01")
    if not early.mean() > 0.5:
        return []
    return [
        Finding(
            "placeholder_dates",
            "warning",
            int(early.sum()),
            f"{int(early.sum())} timestamp(s) fall before 1980 (span {end.min():%Y-%m-%d} to "
            f"{end.max():%Y-%m-%d}): the log looks synthetic or its dates were shifted; calendars and "
            "working hours learnt from it are meaningless.",
            (),
        )
    ]
