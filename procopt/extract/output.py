"""Write an extraction: CSV, Parquet or XES (the case view), OCEL 2.0 JSON or SQLite (the object view).

Stage: extract. The format comes from the file name. Every file is written atomically (a temporary
file in the same folder, renamed into place by :mod:`procopt._io`), so a failed run never leaves half a
log behind. CSV, Parquet and XES use the contract's column names, which ``procopt validate``, ``mine``,
``model`` and ``report`` read without ``--map``.
"""

from __future__ import annotations

import io
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from procopt._io import atomic_write_bytes, write_csv
from procopt.errors import InputError
from procopt.extract.result import Extraction
from procopt.log import columns as C

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".xes": "xes",
    ".jsonocel": "ocel-json",
    ".sqlite": "ocel-sqlite",
}


def output_format(path: Path) -> str:
    """The format named by ``path``'s extension; InputError for anything else."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            path,
            "unsupported output format",
            hint="Name the output *.csv, *.parquet or *.xes (event log), or *.jsonocel or *.sqlite (OCEL 2.0).",
        )
    return fmt


def write_extraction(extraction: Extraction, path: str | Path) -> Path:
    """Write ``extraction`` to ``path`` in the format its extension names."""
    path = Path(path)
    fmt = output_format(path)
    events = _case_view(extraction.events)
    if fmt == "csv":
        return write_csv(path, events)
    if fmt == "parquet":
        buffer = io.BytesIO()
        events.to_parquet(buffer, index=False)
        return atomic_write_bytes(path, buffer.getvalue())
    if fmt == "xes":
        import pm4py

        return _via_temp(path, lambda tmp: _write_xes(pm4py, _for_xes(events), tmp))
    ocel = to_ocel(extraction)
    import pm4py

    if fmt == "ocel-json":
        return _via_temp(path, lambda tmp: pm4py.write_ocel2_json(ocel, tmp))
    return _via_temp(path, lambda tmp: pm4py.write_ocel2_sqlite(ocel, tmp))


def _write_xes(pm4py: Any, frame: pd.DataFrame, path: str) -> None:
    # pm4py >= 2.7.23.11 announces its XES backend (rustxes or r4pm) with a UserWarning on first use: news
    # about pm4py's internals, not about the user's data, so it is kept out of procopt's output
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*(rustxes|r4pm).*", category=UserWarning)
        pm4py.write_xes(frame, path)


def _case_view(events: pd.DataFrame) -> pd.DataFrame:
    """Drop canonical columns that are empty everywhere (SAP has no start times, no department)."""
    empty = [c for c in (C.START, C.RESOURCE, C.DEPARTMENT, C.DUE) if c in events.columns and events[c].isna().all()]
    return events.drop(columns=[*empty, C.SOURCE_ROW])


def _for_xes(events: pd.DataFrame) -> pd.DataFrame:
    frame = events.copy()
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype) == "string":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _via_temp(path: Path, write: object) -> Path:
    """Let a library write to a temporary file, then move its bytes into place atomically."""
    with tempfile.TemporaryDirectory(prefix="procopt-out-") as tmp:
        target = Path(tmp) / path.name
        write(str(target))  # type: ignore[operator]
        return atomic_write_bytes(path, target.read_bytes())


def to_ocel(extraction: Extraction) -> object:
    """The pm4py OCEL 2.0 object: one event per activity instance, related to every object it touches."""
    from pm4py.objects.ocel.obj import OCEL

    inst = extraction.instances.dropna(subset=["time"]).copy()
    types = [t for t in extraction.object_types if t in inst.columns]
    # One SAP document touching several objects (a delivery with three items) is one event, not three.
    key = inst["event_key"].where(inst["event_key"].notna(), "#" + inst["instance_id"].astype(str))
    inst["ocel:eid"] = pd.factorize(
        inst["step_no"].astype(str) + "|" + key + "|" + inst["activity"] + "|" + inst["time"].astype(str)
    )[0]
    inst["ocel:eid"] = "e" + (inst["ocel:eid"] + 1).astype(str)
    first = inst.drop_duplicates("ocel:eid")
    events = pd.DataFrame(
        {
            "ocel:eid": first["ocel:eid"],
            "ocel:activity": first["activity"].astype(str),
            "ocel:timestamp": pd.to_datetime(first["time"]),
        }
    )
    if "resource" in first.columns:
        events["org:resource"] = first["resource"].astype(object).where(first["resource"].notna(), None)
    rel_parts = []
    for t in types:
        part = inst.loc[inst[t].notna(), ["ocel:eid", "activity", "time", t]]
        rel_parts.append(
            pd.DataFrame(
                {
                    "ocel:eid": part["ocel:eid"],
                    "ocel:activity": part["activity"].astype(str),
                    "ocel:timestamp": pd.to_datetime(part["time"]),
                    "ocel:oid": t + ":" + part[t].astype(str),
                    "ocel:type": t,
                    "ocel:qualifier": t,
                }
            )
        )
    relations = pd.concat(rel_parts, ignore_index=True).drop_duplicates(["ocel:eid", "ocel:oid"])
    objects = relations[["ocel:oid", "ocel:type"]].drop_duplicates("ocel:oid").reset_index(drop=True)
    return OCEL(events=events.reset_index(drop=True), objects=objects, relations=relations.reset_index(drop=True))
