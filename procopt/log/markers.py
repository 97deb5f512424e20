"""Stage 1 — ingest: recognise artificial start and end markers that exports add at case boundaries.

Disco, Simod and other tools write a zero-duration ``Start`` event before the first step of every case and an
``End`` event after the last one. They are not work: modelled as steps they add two activities every case
passes through, and a simulator replays their (zero) durations, queues and hand-offs as if they were real.
On one real log keeping them moved the cycle-time distance from 151 h to 245 h.

A marker is recognised by its structure, not by its name alone:

* it occurs in nearly every case (:data:`NEARLY_EVERY`) and at most once per case;
* it is the first (start marker) or the last (end marker) instance of the case (:data:`POSITION`);
* it takes no time (start = end) where the log records start times (:data:`ZERO`);
* it coincides with its neighbour: a start marker happens when the next step begins, an end marker when the
  previous step completes (:data:`COINCIDE`), which a real zero-duration first step such as "application
  received" does not do -- work starts later.

In a complete-only log a zero duration cannot be seen, so the name must say "start" or "end" as well
(:data:`MARKER_NAMES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from procopt.log import columns as C
from procopt.log.audit import Finding

#: Share of cases a marker must occur in.
NEARLY_EVERY = 0.9
#: Share of a marker's occurrences that must be the first (or last) instance of their case.
POSITION = 0.95
#: Share of a marker's occurrences (with a start time) that must take no time.
ZERO = 0.95
#: Share of a marker's occurrences that must coincide with the neighbouring step.
COINCIDE = 0.9
#: Names that corroborate a marker when the log has no start times (compared case-insensitively).
MARKER_NAMES = frozenset(
    {"start", "end", "begin", "finish", "artificial start", "artificial end", "▶", "■", "process start", "process end"}
)


@dataclass(frozen=True, slots=True)
class Marker:
    """One artificial marker activity: its name, which boundary it marks and in how many cases."""

    activity: str
    kind: Literal["start", "end"]
    cases: int


def find_markers(events: pd.DataFrame) -> tuple[Marker, ...]:
    """The artificial start/end marker activities of a contract event table (sorted by case, end, start)."""
    if events.empty:
        return ()
    case = events[C.CASE].to_numpy()
    n_cases = int(pd.unique(case).size)
    if n_cases < 2:
        return ()
    first = np.ones(len(events), dtype=bool)
    first[1:] = case[1:] != case[:-1]
    last = np.ones(len(events), dtype=bool)
    last[:-1] = case[:-1] != case[1:]
    end = events[C.END].to_numpy()
    start = events[C.START].to_numpy()
    begin = np.where(pd.isna(start), end, start)  # when a step begins; its completion when the start is unknown
    next_begin = np.roll(begin, -1)
    prev_end = np.roll(end, 1)
    found: list[Marker] = []
    acts = events[C.ACTIVITY]
    for name, rows in acts.groupby(acts, sort=True).indices.items():
        occurs = pd.unique(case[rows]).size
        if occurs < NEARLY_EVERY * n_cases or occurs != len(rows):
            continue
        with_start = ~pd.isna(start[rows])
        timed = bool(with_start.mean() >= 0.5)
        if timed:
            if float((start[rows][with_start] == end[rows][with_start]).mean()) < ZERO:
                continue
        elif str(name).strip().casefold() not in MARKER_NAMES:
            continue
        # without start times the next step's beginning is unknown: a start marker's name must then suffice
        starts_next = end[rows] == next_begin[rows] if timed else np.ones(len(rows), dtype=bool)
        for kind, at_edge, neighbour_ok in (
            ("start", first[rows], ~last[rows] & starts_next),
            ("end", last[rows], ~first[rows] & (end[rows] == prev_end[rows])),
        ):
            inner = ~first[rows] if kind == "end" else ~last[rows]  # cases with another step beside the marker
            if float(at_edge.mean()) >= POSITION and inner.any() and float(neighbour_ok[inner].mean()) >= COINCIDE:
                found.append(Marker(str(name), kind, int(occurs)))  # type: ignore[arg-type]
                break
    return tuple(found)


def remove_markers(
    events: pd.DataFrame, *, keep: bool = False
) -> tuple[pd.DataFrame, tuple[Marker, ...], list[Finding]]:
    """Find the markers, drop their rows unless ``keep``, and say so in a finding."""
    markers = find_markers(events)
    if not markers:
        return events, (), []
    names = [m.activity for m in markers]
    mask = events[C.ACTIVITY].isin(names).to_numpy()
    n_cases = int(events[C.CASE].nunique())
    shown = ", ".join(
        f"{m.activity!r} {'opens' if m.kind == 'start' else 'closes'} {m.cases:,} of {n_cases:,} cases" for m in markers
    )
    if keep:
        fate = "They were kept (--keep-markers): every model will treat them as steps."
        severity: Literal["warning", "info"] = "warning"
    else:
        fate = "They were removed from the events; use --keep-markers to keep them."
        severity = "info"
        events = events[~mask].reset_index(drop=True)
    message = (
        f"{int(mask.sum()):,} event(s) are artificial case-boundary markers added by the export ({shown}): they "
        "take no time and coincide with the first or last real step, so they are not work. " + fate
    )
    return events, markers, [Finding("artificial_markers", severity, int(mask.sum()), message, tuple(names))]
