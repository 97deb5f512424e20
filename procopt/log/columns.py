"""THE column contract of procopt: one table of *activity instances*.

Every reader turns its input into a pandas DataFrame with these columns (pm4py's XES names where pm4py
has one, so pm4py functions can take the frame as it is):

=================  ===============================  ===============================================
constant           column                           meaning
=================  ===============================  ===============================================
CASE               ``case:concept:name``            case id (str)
ACTIVITY           ``concept:name``                 activity name (str, e.g. "Check Credit", "审批")
START              ``start_timestamp``              when work on the instance started
                                                    (datetime64[ns]; NaT when the log has no start)
END                ``time:timestamp``               when the instance completed (datetime64[ns])
RESOURCE           ``org:resource``                 who did it (str, may be missing)
DEPARTMENT         ``department``                   owning department / role (str, may be missing)
DUE                ``case:due_date``                promised delivery date of the case (datetime,
                                                    optional; same value on every row of a case)
SOURCE_ROW         ``source_row``                   1-based row (or event) number in the input file,
                                                    so findings can point at the original data
=================  ===============================  ===============================================

All other input columns are kept unchanged after these.

Timestamps are **local wall-clock time, timezone-naive**: calendars and rules such as "approved in a
15:00 batch" need local hours. A column with a single UTC offset keeps its wall-clock; a column with
mixed offsets is converted to the most frequent offset (so order is right and most wall-clock hours are
unchanged) and the audit reports it — times are never silently shifted.

Rows are sorted by (CASE, END, START, SOURCE_ROW). Durations everywhere are float seconds (``_s``) unless a
name says ``_h``.
"""

from __future__ import annotations

import pandas as pd

CASE = "case:concept:name"
ACTIVITY = "concept:name"
START = "start_timestamp"
END = "time:timestamp"
RESOURCE = "org:resource"
DEPARTMENT = "department"
DUE = "case:due_date"
SOURCE_ROW = "source_row"

REQUIRED: tuple[str, ...] = (CASE, ACTIVITY, END)
CANONICAL: tuple[str, ...] = (CASE, ACTIVITY, START, END, RESOURCE, DEPARTMENT, DUE, SOURCE_ROW)

#: Mapping roles as the user writes them in ``--map role=column``.
ROLES: dict[str, str] = {
    "case": CASE,
    "activity": ACTIVITY,
    "start": START,
    "end": END,
    "resource": RESOURCE,
    "department": DEPARTMENT,
    "due": DUE,
}


def has_start_times(events: pd.DataFrame) -> bool:
    """True when at least most instances carry a real start time (so waiting and processing separate)."""
    if START not in events.columns or events.empty:
        return False
    return bool(events[START].notna().mean() >= 0.5)


def check_contract(events: pd.DataFrame) -> None:
    """Raise ValueError when ``events`` does not follow the contract (a programming error, not user input)."""
    missing = [c for c in CANONICAL if c not in events.columns]
    if missing:
        raise ValueError(f"event table lacks canonical columns {missing}")
    for col in (START, END, DUE):
        if not pd.api.types.is_datetime64_any_dtype(events[col]):
            raise ValueError(f"column {col!r} must be datetime64, got {events[col].dtype}")
        if getattr(events[col].dtype, "tz", None) is not None:
            raise ValueError(f"column {col!r} must be timezone-naive local time")


def make_events(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Build a contract-valid frame from readable rows (tests, generators, simulated logs).

    Each row needs ``case``, ``activity`` and ``end``; ``start``, ``resource``, ``department``, ``due`` are
    optional; any other keys become extra attribute columns.
    """
    frame = pd.DataFrame(rows)
    rename = {role: col for role, col in ROLES.items() if role in frame.columns}
    frame = frame.rename(columns=rename)
    return normalise_frame(frame)


def normalise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Add missing canonical columns, fix dtypes, order columns and rows as the contract says."""
    frame = frame.copy()
    for col in (START, END, DUE):
        if col not in frame.columns:
            frame[col] = pd.NaT
        frame[col] = pd.to_datetime(frame[col])
        if getattr(frame[col].dtype, "tz", None) is not None:
            frame[col] = frame[col].dt.tz_localize(None)
        frame[col] = frame[col].astype("datetime64[ns]")
    for col in (RESOURCE, DEPARTMENT):
        if col not in frame.columns:
            frame[col] = pd.NA
    if SOURCE_ROW not in frame.columns:
        frame[SOURCE_ROW] = range(1, len(frame) + 1)
    frame[CASE] = frame[CASE].astype(str)
    frame[ACTIVITY] = frame[ACTIVITY].astype(str)
    extras = [c for c in frame.columns if c not in CANONICAL]
    frame = frame[list(CANONICAL) + extras]
    frame = frame.sort_values([CASE, END, START, SOURCE_ROW], kind="stable", na_position="last")
    return frame.reset_index(drop=True)
