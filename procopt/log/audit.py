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


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Summary of an event log and its data-quality findings (errors first)."""

    rows: int
    cases: int
    activities: int
    span_start: pd.Timestamp | None
    span_end: pd.Timestamp | None
    mapping: Mapping[str, str] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()

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
        """``{"rows","cases","activities","span":{"start","end"},"mapping":{...},"findings":[...]}``."""
        return {
            "rows": int(self.rows),
            "cases": int(self.cases),
            "activities": int(self.activities),
            "span": {"start": _iso(self.span_start), "end": _iso(self.span_end)},
            "mapping": dict(self.mapping),
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
) -> AuditReport:
    """Audit a contract event table.

    Args:
        events: the event table (see ``columns.py``).
        mapping: role -> source column used to read it (shown in the report).
        rows: rows (events) read from the file; defaults to ``len(events)``.
        findings: findings already made while reading (parsing, lifecycle pairing).
    """
    found = list(findings)
    if not events.empty:
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
    )


def _rows_of(events: pd.DataFrame, mask: np.ndarray | pd.Series) -> tuple[int, ...]:
    return tuple(int(r) for r in events.loc[np.asarray(mask), C.SOURCE_ROW].head(MAX_EXAMPLES))


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
