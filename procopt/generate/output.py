"""Turn the true process's records into the ERP export and the contract event table.

Stage: generate. Input: ``Record``s in simulation seconds plus case attributes; output: the raw frame
written to file (ERP column names in English or Chinese, times to the second, sorted by time like an
export) and the same data as a contract event table (``columns.normalise_frame``).
O2C files have one row per activity instance (start and end); P2P files have separate start and
complete rows, as many ERP change logs do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from procopt.generate.engine import Record
from procopt.generate.names import LIFECYCLE, term
from procopt.log import columns as C

START_DATE = pd.Timestamp("2025-03-03")  # a Monday, a few weeks after go-live


def to_timestamps(seconds: Iterable[float]) -> pd.Series:
    """Simulation seconds -> wall-clock timestamps, rounded to the second as an ERP stores them."""
    values = np.round(np.asarray(list(seconds), dtype=float)).astype("int64")
    return pd.Series(START_DATE + pd.to_timedelta(values, unit="s"))


def _fmt(stamps: pd.Series) -> pd.Series:
    """``YYYY-MM-DD HH:MM:SS`` strings (numpy formats ten times faster than ``strftime``)."""
    text = np.datetime_as_string(stamps.to_numpy(dtype="datetime64[s]"), unit="s")
    return pd.Series(np.char.replace(text, "T", " "), index=stamps.index, dtype=object)


def _attribute_frame(cases: Mapping[str, Mapping[str, Any]], language: str) -> pd.DataFrame:
    """Case attributes with values in the file's language; the due time becomes a timestamp."""
    rows = []
    for case, attrs in cases.items():
        row: dict[str, Any] = {"case": case}
        for key, value in attrs.items():
            row[key] = term(value, language) if isinstance(value, str) else value
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["due"] = _fmt(to_timestamps(frame.pop("due_s")))
    return frame


def _record_frame(records: Sequence[Record], language: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "case": [r.case for r in records],
            "activity": [term(r.activity, language) for r in records],
            "start": to_timestamps(r.start_s for r in records),
            "end": to_timestamps(r.end_s for r in records),
            "resource": [term(r.resource, language) for r in records],
            "department": [term(r.department, language) for r in records],
        }
    )
    frame["seq"] = np.arange(len(frame))
    return frame


def build_instance_log(
    records: Sequence[Record],
    cases: Mapping[str, Mapping[str, Any]],
    language: str,
    header: Sequence[str],
    attribute_order: Sequence[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per activity instance (O2C): returns ``(raw, events)``."""
    frame = _record_frame(records, language).merge(_attribute_frame(cases, language), on="case", how="left")
    frame = frame.sort_values(["start", "end", "case", "seq"], kind="stable").reset_index(drop=True)
    raw_cols = ["case", "activity", "start", "end", "resource", "department", *attribute_order, "due"]
    raw = frame[raw_cols].copy()
    raw["start"] = _fmt(raw["start"])
    raw["end"] = _fmt(raw["end"])
    raw.columns = list(header)
    events = frame[raw_cols].rename(
        columns={
            "case": C.CASE,
            "activity": C.ACTIVITY,
            "start": C.START,
            "end": C.END,
            "resource": C.RESOURCE,
            "department": C.DEPARTMENT,
            "due": C.DUE,
        }
    )
    events = events.rename(columns=dict(zip(attribute_order, header[6 : 6 + len(attribute_order)], strict=True)))
    events[C.SOURCE_ROW] = np.arange(1, len(events) + 1)
    return raw, C.normalise_frame(events)


def build_lifecycle_log(
    records: Sequence[Record],
    cases: Mapping[str, Mapping[str, Any]],
    language: str,
    header: Sequence[str],
    attribute_order: Sequence[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Separate start and complete rows (P2P): returns ``(raw, events)``; SOURCE_ROW is the complete row."""
    inst = _record_frame(records, language)
    start_word, complete_word = LIFECYCLE[language]
    starts = inst.assign(lifecycle=start_word, timestamp=inst["start"], order=0)
    ends = inst.assign(lifecycle=complete_word, timestamp=inst["end"], order=1)
    rows = pd.concat([starts, ends], ignore_index=True)
    rows = rows.merge(_attribute_frame(cases, language), on="case", how="left")
    rows = rows.sort_values(["timestamp", "case", "seq", "order"], kind="stable").reset_index(drop=True)
    rows["row"] = np.arange(1, len(rows) + 1)
    raw_cols = ["case", "activity", "lifecycle", "timestamp", "resource", "department", *attribute_order, "due"]
    raw = rows[raw_cols].copy()
    raw["timestamp"] = _fmt(raw["timestamp"])
    raw.columns = list(header)
    complete = rows[rows["order"] == 1].set_index("seq")
    inst = inst.set_index("seq").join(complete[["row", *attribute_order, "due"]])
    events = inst.reset_index(drop=True).rename(
        columns={
            "case": C.CASE,
            "activity": C.ACTIVITY,
            "start": C.START,
            "end": C.END,
            "resource": C.RESOURCE,
            "department": C.DEPARTMENT,
            "due": C.DUE,
            "row": C.SOURCE_ROW,
        }
    )
    events = events.rename(columns=dict(zip(attribute_order, header[6 : 6 + len(attribute_order)], strict=True)))
    return raw, C.normalise_frame(events)
