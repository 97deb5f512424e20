"""Stage 1 — ingest: read delimited text exports (CSV, TSV, .csv.gz) fast and without guessing wrong.

A Chinese ERP writes GB18030 with ``;`` separators, SAP writes UTF-8 with a BOM, Excel users save with
``;`` and day-first dates. :func:`read_delimited` sniffs the encoding (UTF-8, UTF-8 with BOM, UTF-16,
GB18030, cp1252) and the delimiter (``, ; tab |``) from the first 64 KB, then reads the whole file with
pyarrow's multithreaded CSV parser — falling back to pandas' C parser when pyarrow refuses the file. Role
columns (case, activity, times, ...) are always read as text so ``007`` stays ``007`` and timestamps keep
their UTC offset for :mod:`procopt.log.timestamps` to handle.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from procopt.errors import InputError
from procopt.log.sniff import head_bytes

DELIMITERS = (",", ";", "\t", "|")
#: Cells read as missing. Deliberately not "NA" or "None": they are real case ids and names in ERP data
#: (the sepsis and hospital-billing logs have a case called "NA").
NULL_VALUES = ("", "NULL", "null", "NaN", "nan", "N/A", "n/a", "#N/A")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class Dialect:
    """How a delimited file is written."""

    encoding: str
    delimiter: str
    header: tuple[str, ...]
    header_line: int = 0  # 0-based line of the header; lines before it are a title/preamble and skipped


def detect_encoding(head: bytes) -> str:
    """Name the encoding of a byte sample: utf-8-sig, utf-16, utf-8, gb18030 or cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if _decodes(head, "utf-8"):
        return "utf-8"
    if _decodes(head, "gb18030"):
        text = head.decode("gb18030", errors="ignore")
        non_ascii = [ch for ch in text if ord(ch) > 127]
        if non_ascii and sum(bool(_CJK.match(ch)) for ch in non_ascii) >= 0.5 * len(non_ascii):
            return "gb18030"
    return "cp1252"


def _decodes(head: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the sample is fine
    except UnicodeDecodeError:
        return False
    return True


def _first_non_utf8_chunk(path: Path, size: int = 1 << 22) -> bytes:
    """The part of the file, from the start of a line, where UTF-8 decoding first fails (b"" if never)."""
    import gzip

    with path.open("rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with gzip.open(path, "rb") if gz else path.open("rb") as fh:
        while chunk := fh.read(size):
            try:
                decoder.decode(chunk, final=False)
            except UnicodeDecodeError as exc:
                start = chunk.rfind(b"\n", 0, max(exc.start, 0)) + 1
                return chunk[start : start + 65536]
    return b""


def _text_lines(head: bytes, encoding: str) -> list[str]:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if len(head) >= 65536 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    return lines


def detect_delimiter(lines: list[str]) -> tuple[str, int] | None:
    """The delimiter giving the most consistent field count (> 1) over the sample lines, and the index of
    the header line (the first line with that count; lines before it are a report title or preamble)."""
    numbered = [(i, ln) for i, ln in enumerate(lines[:300]) if ln.strip()]
    if not numbered:
        return None
    best: tuple[float, int, str, int] | None = None
    for delim in DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=delim), [])) for _, ln in numbered]
        usual = Counter(counts).most_common(1)[0][0]
        if usual < 2:
            continue
        share = sum(1 for n in counts if n == usual) / len(counts)
        header = next(i for (i, _), n in zip(numbered, counts, strict=True) if n == usual)
        if best is None or (share, usual) > best[:2]:
            best = (share, usual, delim, header)
    if best is None or best[0] < 0.5:
        return None
    return best[2], best[3]


def unique_names(raw: list[str]) -> tuple[str, ...]:
    """Header names as pandas would give them: blanks -> ``Unnamed: i``, repeats -> ``name.1``."""
    seen: set[str] = set()
    out: list[str] = []
    for i, name in enumerate(raw):
        base = name.strip() or f"Unnamed: {i}"
        name, k = base, 0
        while name in seen:
            k += 1
            name = f"{base}.{k}"
        seen.add(name)
        out.append(name)
    return tuple(out)


def sniff_dialect(path: Path) -> Dialect:
    """Detect encoding, delimiter and header of a delimited file, or raise InputError."""
    head = head_bytes(path)
    encoding = detect_encoding(head)
    lines = _text_lines(head, encoding)
    if not any(ln.strip() for ln in lines):
        raise InputError(path, "the file is empty (no header row)", hint="Export the event log again.")
    found = detect_delimiter(lines)
    first = next(ln for ln in lines if ln.strip())
    if found is None:
        data_lines = sum(1 for ln in lines if ln.strip()) - 1
        if data_lines < 1:
            raise InputError(
                path,
                f"the file has only one line ({first[:80]!r}) and no events",
                hint="Export the event log again with a header row and one row per event.",
            )
        raise InputError(
            path,
            f"every row landed in one column (header {first[:80]!r}): the delimiter is not one of "
            "comma, semicolon, tab or '|'",
            hint="Export the file again with comma, semicolon or tab separators.",
        )
    delimiter, header_line = found
    header = next(csv.reader([lines[header_line]], delimiter=delimiter))
    return Dialect(encoding, delimiter, unique_names(header), header_line)


def read_delimited(
    path: Path,
    dialect: Dialect,
    *,
    text_columns: Callable[[tuple[str, ...]], AbstractSet[str]] | AbstractSet[str] = frozenset(),
    trim_columns: AbstractSet[str] = frozenset(),
) -> tuple[pd.DataFrame, str, Dialect]:
    """Read the whole file; returns (frame, engine used: ``pyarrow`` or ``c``, dialect actually used).

    When the sample looked like UTF-8 but later bytes are not (a GB18030 file whose first 64 KB are
    ASCII), the encoding is detected again on the whole file and the read repeated.

    Args:
        text_columns: columns read as text whatever they look like (ids and timestamps).
        trim_columns: text columns whose surrounding blanks are removed (ids, times; not activity names,
            whose spelling the audit reports).
    """
    text = set(text_columns(dialect.header) if callable(text_columns) else text_columns)
    trim = set(trim_columns) & text
    try:
        return _read_arrow(path, dialect, text, trim), "pyarrow", dialect
    except (ImportError, ValueError, OSError, TypeError, LookupError) as exc:
        if "utf8" in str(exc).lower().replace("-", "") and dialect.encoding in ("utf-8", "utf-8-sig"):
            encoding = detect_encoding(_first_non_utf8_chunk(path))
            if encoding not in ("utf-8", "utf-8-sig"):
                return read_delimited(path, replace(dialect, encoding=encoding), text_columns=text, trim_columns=trim)
    frame = _read_pandas(path, dialect, text)
    for col in trim:
        frame[col] = frame[col].str.strip().replace("", None)
    return frame, "c", dialect


def _read_arrow(
    path: Path, dialect: Dialect, text: AbstractSet[str], trim: AbstractSet[str] = frozenset()
) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = list(dialect.header)
    encoding = {"utf-8": "utf8", "utf-8-sig": "utf8"}.get(dialect.encoding, dialect.encoding)
    parse = pacsv.ParseOptions(delimiter=dialect.delimiter)
    # Columns pyarrow would turn into timestamps (losing their UTC offset) are read as text too.
    forced = text | _arrow_timestamp_columns(path, dialect, parse)
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in forced},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=list(NULL_VALUES),
    )
    read = pacsv.ReadOptions(
        column_names=names, skip_rows=dialect.header_line + 1, encoding=encoding, block_size=8 << 20
    )
    table = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    for col in trim:
        i = table.schema.get_field_index(col)
        trimmed = pc.utf8_trim_whitespace(table.column(i))
        table = table.set_column(i, col, pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))
    return table.to_pandas()


def _arrow_timestamp_columns(path: Path, dialect: Dialect, parse: object) -> set[str]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    lines = _text_lines(head_bytes(path, 262144), dialect.encoding)[dialect.header_line + 1 :]
    if not lines:
        return set()
    data = ("\n".join(lines) + "\n").encode("utf-8")
    read = pacsv.ReadOptions(column_names=list(dialect.header))
    convert = pacsv.ConvertOptions(null_values=list(NULL_VALUES), strings_can_be_null=True)
    try:
        table = pacsv.read_csv(io.BytesIO(data), read_options=read, parse_options=parse, convert_options=convert)
    except (ValueError, pa.ArrowInvalid):
        return set()
    return {
        f.name
        for f in table.schema
        if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type) or pa.types.is_time(f.type)
    }


def _read_pandas(path: Path, dialect: Dialect, text: set[str]) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            sep=dialect.delimiter,
            encoding=dialect.encoding,
            header=None,
            skiprows=dialect.header_line + 1,
            names=list(dialect.header),
            dtype=dict.fromkeys(text, str),
            engine="c",
            low_memory=False,
            encoding_errors="replace",
            keep_default_na=False,
            na_values=list(NULL_VALUES),
        )
    except pd.errors.ParserError as exc:
        where = _row_of(str(exc))
        raise InputError(
            path,
            f"the rows do not all have the same number of fields ({exc})",
            where=where,
            hint=f"Every row needs {len(dialect.header)} fields separated by {dialect.delimiter!r}; "
            "quote values that contain the delimiter, or fix the broken row.",
        ) from exc
    except (UnicodeDecodeError, EOFError, OSError) as exc:
        raise InputError(
            path,
            f"the file cannot be read as {dialect.encoding} text ({exc})",
            hint="Save it again as UTF-8, or check it is not truncated.",
        ) from exc


def _row_of(message: str) -> str | None:
    match = re.search(r"line (\d+)", message)
    return f"line {match.group(1)}" if match else None
