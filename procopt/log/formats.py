"""Stage 1 — ingest: readers for the binary and XML formats (XES, OCEL 2.0, Excel, Parquet).

Each reader returns the raw table (source columns, one row per event, file order) plus findings made on
the way. pm4py is imported only here and only when an XES or OCEL file is read. pm4py's XES parsers give
UTC timestamps; to keep local wall-clock time (see ``columns.py``) :func:`scan_xes` counts the UTC offsets
written in the file and the times are converted back to the most frequent one.
"""

from __future__ import annotations

import gzip
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from procopt.errors import InputError, did_you_mean
from procopt.log.audit import MIN_CASES, Finding

_XES_DATE = re.compile(rb'<date\s+key="(?:time:timestamp|start_timestamp)"\s+value="[^"]*?(Z|[+-]\d\d:?\d\d)"')


@dataclass(frozen=True, slots=True)
class XesScan:
    """What a quick pass over the XES text found: offset counts and whether the file is complete."""

    offsets: dict[str, int]
    complete: bool
    events: int


def _open(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else path.open("rb")


def scan_xes(path: Path) -> XesScan:
    """Count UTC offsets of ``<date>`` values and ``<event>`` tags; check the file ends with ``</log>``."""
    counts: Counter[str] = Counter()
    events = 0
    tail = b""
    carry = b""
    try:
        with _open(path) as fh:
            while True:
                chunk = fh.read(4 << 20)
                if not chunk:
                    break
                data = carry + chunk
                cut = data.rfind(b">") + 1
                body, carry = data[:cut], data[cut:]
                counts.update(m.decode() for m in _XES_DATE.findall(body))
                events += body.count(b"<event>") + body.count(b"<event ")
                tail = (tail + data)[-64:]
    except (OSError, EOFError) as exc:
        raise InputError(
            path, f"the XES file is damaged or truncated ({exc})", hint="Download or export the XES file again."
        ) from exc
    norm: Counter[str] = Counter()
    for off, n in counts.items():
        norm[_norm_offset(off)] += n
    return XesScan(dict(norm), tail.rstrip().endswith(b"</log>"), events)


def _norm_offset(text: str) -> str:
    if text == "Z":
        return "+00:00"
    return text if ":" in text else f"{text[:3]}:{text[3:]}"


def _offset(text: str) -> pd.Timedelta:
    sign = -1 if text[0] == "-" else 1
    return sign * pd.Timedelta(hours=int(text[1:3]), minutes=int(text[4:6]))


def to_local(frame: pd.DataFrame, offsets: dict[str, int]) -> tuple[pd.DataFrame, list[Finding]]:
    """Turn tz-aware columns into naive local wall-clock time.

    One offset: the wall-clock time at that offset. Two offsets that are the winter and summer offsets of one
    IANA zone (the converted offsets reproduce the counts written in the file): each value's own wall-clock
    time, as written, so daylight-saving changes do not move local hours. Anything else: the most frequent
    offset, reported as a warning.
    """
    target = max(sorted(offsets), key=lambda k: offsets[k]) if offsets else "+00:00"
    findings: list[Finding] = []
    frame = frame.copy()
    aware = [
        col
        for col in frame.columns
        if pd.api.types.is_datetime64_any_dtype(frame[col].dtype) and getattr(frame[col].dtype, "tz", None) is not None
    ]
    zone = _dst_zone_of(frame, aware, offsets) if len(offsets) > 1 else None
    for col in aware:
        if zone is not None:
            frame[col] = frame[col].dt.tz_convert(zone).dt.tz_localize(None)
        else:
            frame[col] = (frame[col].dt.tz_convert("UTC") + _offset(target)).dt.tz_localize(None)
    detail = ", ".join(f"{k}: {n}" for k, n in sorted(offsets.items()))
    if zone is not None:
        findings.append(dst_finding(detail, zone, "The timestamps carry"))
    elif len(offsets) > 1:
        shifted = sum(n for k, n in offsets.items() if k != target)
        findings.append(
            Finding(
                "mixed_timezone_offsets",
                "warning",
                shifted,
                f"Timestamps carry {len(offsets)} different UTC offsets ({detail}) that no single time zone's "
                f"daylight-saving rules explain; all were converted to the most frequent one, {target}, so "
                f"{shifted} value(s) moved by the offset difference and their hour of day may be off.",
                tuple(sorted(offsets)),
            )
        )
    return frame, findings


def dst_finding(detail: str, zone: str, what: str) -> Finding:
    """The info finding for offsets that are one zone's daylight-saving changes (wall-clock time kept).

    ``what`` is the subject and verb, e.g. ``"The timestamps carry"`` or ``"Column 'x' (end) carries"``.
    """
    return Finding(
        "daylight_saving_offsets",
        "info",
        sum(int(part.rsplit(": ", 1)[1]) for part in detail.split(", ")),
        f"{what} two UTC offsets ({detail}) that follow the daylight-saving rules of one time zone "
        f"(e.g. {zone}); every value keeps its local wall-clock time as written, so a winter 00:00 stays "
        "00:00 and working hours and release times are not shifted by an hour.",
        (zone,),
    )


_TIME_KEYS = ("time:timestamp", "start_timestamp")


def _dst_zone_of(frame: pd.DataFrame, aware: list[str], offsets: dict[str, int]) -> str | None:
    """A zone whose offsets at the log's instants give exactly the offset counts written in the file."""
    from procopt.log.timestamps import _offset_minutes, dst_candidates, zone_offsets_minutes

    cols = [c for c in _TIME_KEYS if c in aware]
    if not cols:
        return None
    utc = pd.concat([frame[c].dropna().dt.tz_convert("UTC") for c in cols], ignore_index=True)
    if utc.empty:
        return None
    want = {_offset_minutes(k): n for k, n in offsets.items()}
    tolerance = 0.001 * sum(want.values()) + 1
    for name in dst_candidates(set(want), utc)[:40]:
        values, counts = np.unique(zone_offsets_minutes(utc, name), return_counts=True)
        got = {int(m): int(n) for m, n in zip(values, counts, strict=True)}
        if set(got) <= set(want) and all(abs(got.get(m, 0) - n) <= tolerance for m, n in want.items()):
            return name
    return None


def read_xes(path: Path) -> tuple[pd.DataFrame, list[Finding], str]:
    """Read an XES or XES.gz file with rustxes (or pm4py's iterparse parser when rustxes is missing).

    Returns:
        (frame in file order with naive local timestamps, findings, parser used).
    """
    scan = scan_xes(path)
    if not scan.complete:
        raise InputError(
            path,
            "the XES file is truncated: it does not end with </log>",
            hint="The download or export stopped early; fetch or export the file again.",
        )
    if scan.events == 0:
        raise InputError(path, "the XES file contains no events", hint="Export the log again with its events.")
    frame, variant = _parse_xes(path)
    frame, findings = to_local(frame, scan.offsets)
    return frame.reset_index(drop=True), findings, variant


def _parse_xes(path: Path, variant: str | None = None) -> tuple[pd.DataFrame, str]:
    import pm4py

    if variant is None:
        try:
            import rustxes  # noqa: F401

            variant = "rustxes"
        except ImportError:
            variant = "iterparse"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            frame = pm4py.read_xes(str(path), variant=variant, show_progress_bar=False)
        except BaseException as exc:  # rustxes raises a pyo3 PanicException (a BaseException) on bad XML
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            if variant == "rustxes":
                return _parse_xes(path, "iterparse")
            raise InputError(
                path,
                f"the XES file cannot be parsed ({str(exc)[:200]})",
                hint="Check the file is complete, well-formed XES; export it again.",
            ) from exc
    if not isinstance(frame, pd.DataFrame):
        frame = pm4py.convert_to_dataframe(frame)
    # XES attributes have no order, and the parser hands them over in the order of a hash set, which changes
    # with PYTHONHASHSEED; the columns' order reaches the model (attribute rows, ties between equally good
    # routing rules), so it is fixed here: by name
    frame = frame[sorted(frame.columns, key=str)]
    return frame, variant


def read_ocel(path: Path, object_type: str | None) -> tuple[pd.DataFrame, list[Finding], str]:
    """Read an OCEL (2.0, or 1.0 JSON/XML) file and flatten it on one object type.

    Returns:
        (flattened frame: one row per (event, object of that type), findings, the object type).
    """
    events, relations = _load_ocel(path)
    per_type = relations.groupby("type")["eid"].nunique().sort_index()
    per_type = per_type.sort_values(ascending=False, kind="stable")
    objects = relations.groupby("type")["oid"].nunique()
    findings: list[Finding] = []
    listing = ", ".join(
        f"{t!r} ({n} events, {objects.get(t, 0)} object{'' if objects.get(t, 0) == 1 else 's'})"
        for t, n in per_type.items()
    )
    if per_type.empty:
        raise InputError(
            path,
            "the OCEL log relates no event to any object, so it has no cases",
            hint="Check the file is a complete OCEL export.",
        )
    if object_type is None:
        # the type with most events, among those with enough objects to be cases: in an order-management log
        # the 18 employees touch most events, but 18 cases are too few for any diagnostic
        enough = [t for t in per_type.index if objects.get(t, 0) >= MIN_CASES]
        object_type = str(enough[0] if enough else per_type.index[0])
        why = (
            f"the type with most events among those with at least {MIN_CASES} objects"
            if enough
            else "the type with most events"
        )
        findings.append(
            Finding(
                "object_type_chosen",
                "info",
                int(per_type[object_type]),
                f"This is an object-centric log; it was flattened on object type {object_type!r}, {why}. "
                f"Each object of that type is one case. Types: {listing}. "
                "Choose another with --object-type.",
                tuple(str(t) for t in per_type.index),
            )
        )
    elif object_type not in per_type.index:
        raise InputError(
            path,
            f"the OCEL log has no object type {object_type!r}."
            f"{did_you_mean(object_type, [str(t) for t in per_type.index])}",
            hint=f"Valid object types: {listing}.",
        )
    rel = relations.loc[relations["type"] == object_type, ["eid", "oid"]].drop_duplicates()
    flat = rel.merge(events, on="eid", how="inner", sort=False)
    flat = flat.sort_values(["timestamp", "eid"], kind="stable")
    flat = flat.rename(
        columns={
            "oid": "case:concept:name",
            "activity": "concept:name",
            "timestamp": "time:timestamp",
            "eid": "ocel:eid",
        }
    )
    frame, more = to_local(flat, {})
    return frame.reset_index(drop=True), findings + more, str(object_type)


def _load_ocel(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events: eid, activity, timestamp, attributes…; relations: eid, oid, type) of an OCEL file."""
    if _is_ocel1(path) and path.suffix.lower() in (".jsonocel", ".json"):
        return _load_ocel1_json(path)
    import pm4py

    errors: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for reader in (pm4py.read_ocel2, pm4py.read_ocel):
            try:
                ocel = reader(str(path))
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
                continue
            if ocel is not None and len(ocel.events):
                events = ocel.events.rename(
                    columns={
                        ocel.event_id_column: "eid",
                        ocel.event_activity: "activity",
                        ocel.event_timestamp: "timestamp",
                    }
                )
                relations = ocel.relations.rename(
                    columns={ocel.event_id_column: "eid", ocel.object_id_column: "oid", ocel.object_type_column: "type"}
                )
                return events, relations[["eid", "oid", "type"]]
    raise InputError(
        path,
        "cannot read the file as an OCEL event log" + (f" ({errors[-1]})" if errors else ": it holds no events"),
        hint="Check it is a complete OCEL 2.0 file (.jsonocel, .xmlocel or .sqlite).",
    )


def _load_ocel1_json(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        objects = {str(k): v.get("ocel:type") for k, v in doc.get("ocel:objects", {}).items()}
        rows: list[dict[str, object]] = []
        rel: list[tuple[str, str, object]] = []
        for eid, ev in doc["ocel:events"].items():
            rows.append(
                {
                    "eid": str(eid),
                    "activity": ev["ocel:activity"],
                    "timestamp": ev["ocel:timestamp"],
                    **{str(k): v for k, v in (ev.get("ocel:vmap") or {}).items()},
                }
            )
            rel.extend((str(eid), str(oid), objects.get(str(oid))) for oid in ev.get("ocel:omap", []))
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise InputError(
            path,
            f"cannot read the file as an OCEL 1.0 JSON log ({type(exc).__name__}: {exc})",
            hint="Check the file is complete, valid OCEL JSON.",
        ) from exc
    events = pd.DataFrame(rows)
    from procopt.log.timestamps import parse_timestamps

    events["timestamp"] = parse_timestamps(events["timestamp"]).values
    relations = pd.DataFrame(rel, columns=["eid", "oid", "type"]).dropna(subset=["type"])
    return events, relations


def _is_ocel1(path: Path) -> bool:
    """OCEL 1.0 JSON/XML (``ocel:global-log`` / ``<global-log>``) rather than OCEL 2.0."""
    from procopt.log.sniff import head_bytes

    head = head_bytes(path, 4096)
    return b"ocel:global-log" in head or b"<global-log" in head or b'"ocel:version"' in head


def read_excel(
    path: Path, wanted: tuple[str, ...] = (), user: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, list[Finding], str]:
    """Read the first sheet that looks like an event log from .xlsx.

    A sheet qualifies when its header has every column the user named (``--map``) and the other
    ``wanted`` roles can be guessed from it; when none does, the first sheet is read.
    """
    from openpyxl import load_workbook

    from procopt.log.mapping import guess_mapping

    user = dict(user or {})
    try:
        book = load_workbook(path, read_only=True)
        sheets = list(book.sheetnames)
        heads = {}
        for name in sheets:
            first = next(book[name].iter_rows(min_row=1, max_row=1, values_only=True), ())
            heads[name] = [str(v) for v in first if v is not None]
        book.close()
    except Exception as exc:
        raise InputError(
            path,
            f"the Excel file cannot be opened ({type(exc).__name__}: {exc})",
            hint="Open it in Excel and save it again as .xlsx, or export as CSV.",
        ) from exc
    if not sheets:
        raise InputError(path, "the Excel workbook has no sheets", hint="Export the event log again.")

    def fits(sheet: str) -> bool:
        head = heads[sheet]
        if not set(user.values()) <= set(head):
            return False
        guessed = guess_mapping([h for h in head if h not in user.values()])
        return all(r in user or r in guessed for r in wanted)

    chosen = next((s for s in sheets if fits(s)), sheets[0])
    frame = pd.read_excel(path, sheet_name=chosen, engine="openpyxl")
    findings = []
    if len(sheets) > 1:
        findings.append(
            Finding(
                "excel_sheet",
                "info",
                len(sheets),
                f"The workbook has {len(sheets)} sheets; the event log was read from sheet "
                f"{chosen!r}. Other sheets were ignored.",
                tuple(sheets),
            )
        )
    return frame, findings, chosen


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a Parquet file (pyarrow)."""
    try:
        return pd.read_parquet(path)
    except Exception as exc:
        raise InputError(
            path, f"the Parquet file cannot be read ({exc})", hint="Check the file is complete; write it again."
        ) from exc
