"""Stage 1 — ingest: recognise what a file is before reading it.

Users point procopt at whatever the ERP team sent: a CSV in GB18030, an XES export, a zipped SAP table,
a SQLite dump, a BPMN diagram. :func:`sniff_format` looks at the extension *and* the first bytes and either
names a readable format (``csv``, ``excel``, ``parquet``, ``xes``, ``ocel``) or raises an
:class:`InputError` that says what the file is and what to do with it.
"""

from __future__ import annotations

import codecs
import gzip
import sqlite3
import zipfile
from pathlib import Path

from procopt.errors import InputError

CSV_EXT = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
EXCEL_EXT = (".xlsx", ".xlsm")
PARQUET_EXT = (".parquet", ".pq")
XES_EXT = (".xes", ".xes.gz")
OCEL_EXT = (".jsonocel", ".xmlocel", ".sqlite", ".sqlite3", ".db", ".json", ".xml")
SUPPORTED = ".csv, .csv.gz, .tsv, .txt, .xlsx, .parquet, .xes, .xes.gz, .jsonocel, .xmlocel, .sqlite"

MAKE_LOG_HINT = (
    "Turn it into an event log first: one row per event with a case id (e.g. the order number), an activity "
    "name and a timestamp, exported as CSV, Excel, Parquet or XES."
)


def suffix_of(path: Path) -> str:
    """The lower-case extension, including ``.gz`` compounds (``.csv.gz``)."""
    suffixes = [s.lower() for s in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] == ".gz":
        return "".join(suffixes[-2:])
    return suffixes[-1] if suffixes else ""


def head_bytes(path: Path, size: int = 65536) -> bytes:
    """The first ``size`` bytes of the file, decompressed when it is gzip."""
    with path.open("rb") as fh:
        raw = fh.read(size)
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(size)
        except (OSError, EOFError) as exc:
            raise InputError(
                path, f"the gzip file is damaged or truncated ({exc})", hint="Download or export the file again."
            ) from exc
    return raw


def sniff_format(path: Path) -> str:
    """Name the format of ``path`` or raise InputError explaining why it cannot be read as an event log."""
    if not path.exists():
        raise InputError(path, "no such file", hint="Check the path; relative paths start from the current folder.")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file", hint="Point procopt at the event-log file inside it.")
    if path.stat().st_size == 0:
        raise InputError(
            path, "the file is empty (0 bytes)", hint="Export the event log again; the export may have failed."
        )
    ext = suffix_of(path)
    head = head_bytes(path)
    if not head.strip(b"\x00\t\r\n \xef\xbb\xbf"):
        raise InputError(path, "the file holds no data (only blanks)", hint="Export the event log again.")
    if head[:4] == b"PK\x03\x04":
        return _zip_kind(path, ext)
    if head[:16] == b"SQLite format 3\x00":
        return _sqlite_kind(path)
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            path,
            "this is an old binary Excel (.xls) or Office file",
            hint="Open it in Excel or LibreOffice and save it as .xlsx or .csv.",
        )
    if head[:5] == b"%PDF-":
        raise InputError(path, "this is a PDF document, not an event log", hint=MAKE_LOG_HINT)
    text = _as_text(head)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        return _xml_kind(path, stripped, ext)
    if stripped.startswith(("{", "[")):
        return _json_kind(path, stripped)
    if ext in XES_EXT:
        raise InputError(
            path,
            "the file has an XES extension but does not contain XML",
            hint="Export the log again as XES, or rename it to .csv if it is a CSV file.",
        )
    if _looks_binary(head):
        raise InputError(path, "this is a binary file, not a text, Excel, Parquet or XES event log", hint=MAKE_LOG_HINT)
    if ext in CSV_EXT:
        return "csv"
    if ext in PARQUET_EXT or ext in EXCEL_EXT:
        raise InputError(
            path,
            f"the file has a {ext} extension but its content is plain text",
            hint="Rename it to .csv if it is a CSV file, or export it again.",
        )
    raise InputError(
        path,
        f"unknown file type {ext or '(no extension)'!r}",
        hint=f"procopt reads {SUPPORTED}. Rename the file if it is one of these, or export it again.",
    )


def _as_text(head: bytes) -> str:
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


def _looks_binary(head: bytes) -> bool:
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return False
    sample = head[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > 0.05 * max(1, len(sample))


def _zip_kind(path: Path, ext: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise InputError(
            path, f"the file looks like a ZIP/Excel archive but is damaged ({exc})", hint="Export or download it again."
        ) from exc
    if any(n.startswith("xl/") for n in names):
        return "excel"
    if any(n.startswith("word/") for n in names):
        raise InputError(path, "this is a Word document, not an event log", hint=MAKE_LOG_HINT)
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    stem = path.name.split(".")[0].upper()
    what = (
        f"a ZIP archive ({shown}); {stem} is the SAP document-flow table (order -> delivery -> invoice "
        "links), a raw ERP table rather than an event log"
        if stem == "VBFA"
        else f"a ZIP archive holding {shown}, not an event log"
    )
    raise InputError(
        path, what, hint="Unzip it; if it holds an event log, point procopt at that file. " + MAKE_LOG_HINT
    )


def _sqlite_kind(path: Path) -> str:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(path, f"the SQLite database cannot be opened ({exc})", hint="Export it again.") from exc
    lower = {t.lower() for t in tables}
    if {"event", "object", "event_object"} <= lower or {"event", "event_object"} <= lower:
        return "ocel"
    shown = ", ".join(tables[:12]) + (" …" if len(tables) > 12 else "")
    raise InputError(
        path,
        f"this is a SQLite database of ERP tables ({shown}), not an event log",
        hint="Extract an event log from it with a query that returns one row per event (case id, "
        "activity, timestamp), e.g. one row per order for OrderDate and one for ShippedDate, "
        "and save that as CSV. OCEL 2.0 SQLite files are read directly.",
    )


def _xml_kind(path: Path, text: str, ext: str) -> str:
    low = text[:4000].lower()
    if "bpmn" in low and "definitions" in low:
        raise InputError(
            path,
            "this is a BPMN process model (a diagram), not an event log",
            hint="A model describes the intended process; procopt needs the recorded events. Use the "
            "model with `procopt conformance LOG --model FILE`.",
        )
    if "<pnml" in low:
        raise InputError(
            path,
            "this is a Petri net (PNML) model, not an event log",
            hint="Use it with `procopt conformance LOG --model FILE`.",
        )
    if "<object-types" in low or "<objects" in low or ext == ".xmlocel":
        return "ocel"
    if "<log" in low or "<trace" in low or ext in XES_EXT:
        return "xes"
    raise InputError(path, "this XML file is neither XES, OCEL nor BPMN", hint=MAKE_LOG_HINT)


def _json_kind(path: Path, text: str) -> str:
    if any(k in text[:20000] for k in ('"ocel:', '"objectTypes"', '"eventTypes"')):
        return "ocel"
    if any(
        k in text[:20000]
        for k in ('"arrival_time_distribution"', '"task_resource_distribution"', '"resource_profiles"')
    ):
        raise InputError(
            path,
            "this JSON file holds simulation parameters (Prosimos/Simod format), not an event log",
            hint="procopt learns its simulation model from an event log; point it at the log "
            "these parameters were discovered from.",
        )
    raise InputError(
        path,
        "this JSON file is not an OCEL event log",
        hint="procopt reads OCEL 2.0 JSON (.jsonocel); other JSON needs converting to CSV first.",
    )
