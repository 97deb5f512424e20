"""Stage 1 — ingest: detect ONE timestamp format per column from a sample, then parse the column vectorised.

ERP exports write ``2017-01-31T23:59:00+01:00``, ``31.01.2017 14:05``, ``2014/10/22 11:15:41.000`` or
``2024年3月5日 14:05``. Parsing row by row (dateutil) is 30-40x slower than ``pd.to_datetime(format=...)``,
so :func:`detect_format` tries a short list of formats on a sample and :func:`parse_timestamps` applies the
winner to the whole column. Results follow the column contract: timezone-naive local wall-clock time; a
column with mixed UTC offsets is converted to its most frequent offset and the fact is reported.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

ISO = "ISO8601"

_TIMES = ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M")


def _with_times(date: str, sep: str = " ") -> list[str]:
    return [f"{date}{sep}{t}" for t in _TIMES] + [date]


#: Candidate formats, tried in this order on a sample. Day-first before month-first: ERP exports in
#: Europe and China are day-first or year-first; month-first wins only when a day > 12 proves it.
DAY_FIRST: tuple[str, ...] = tuple(
    _with_times("%d.%m.%Y") + _with_times("%d/%m/%Y") + _with_times("%d-%m-%Y") + _with_times("%d.%m.%y")
)
MONTH_FIRST: tuple[str, ...] = tuple(_with_times("%m/%d/%Y") + _with_times("%m-%d-%Y"))
YEAR_FIRST: tuple[str, ...] = tuple(
    _with_times("%Y/%m/%d")
    + _with_times("%Y.%m.%d")
    + _with_times("%Y年%m月%d日")
    + _with_times("%Y年%m月%d日", "")
    + ["%Y%m%d%H%M%S", "%Y%m%d"]
)
FORMATS: tuple[str, ...] = (ISO, *YEAR_FIRST, *DAY_FIRST, *MONTH_FIRST)

_OFFSET_RE = re.compile(r"(Z|[+-]\d\d:?\d\d)$")
_ISO_START = re.compile(r"^\d{4}-\d\d-\d\d")


@dataclass(frozen=True, slots=True)
class ParsedTimes:
    """A parsed column and what happened on the way.

    Attributes:
        values: timezone-naive ``datetime64[ns]``.
        format: the format used (``"ISO8601"``, a strptime pattern, ``"native"`` for typed input, or
            ``"mixed"`` when no single format fitted and pandas guessed per value).
        bad_rows: positions (0-based) of non-empty values that could not be parsed.
        offsets: count of values per UTC offset (``{"+01:00": 812, "+02:00": 460}``); empty when none.
        target_offset: the offset the column was converted to when offsets were mixed, else None.
        shifted: how many values were shifted to ``target_offset``.
    """

    values: pd.Series
    format: str
    bad_rows: tuple[int, ...]
    offsets: dict[str, int]
    target_offset: str | None
    shifted: int


def _norm_offset(text: str) -> str:
    if text == "Z":
        return "+00:00"
    return text if ":" in text else f"{text[:3]}:{text[3:]}"


def _offset_minutes(text: str) -> int:
    sign = -1 if text[0] == "-" else 1
    return sign * (int(text[1:3]) * 60 + int(text[4:6]))


def _try(sample: pd.Series, fmt: str) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if fmt == ISO:
                # plain numbers (20240101) parse as "basic" ISO 8601: only accept dashed dates here
                iso_like = sample.str.match(_ISO_START).fillna(False).astype(bool)
                if not iso_like.any():
                    return 0.0
                parsed = pd.to_datetime(sample.where(iso_like), format=ISO, errors="coerce", utc=True)
            else:
                parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        except (ValueError, TypeError, OverflowError):
            return 0.0
    return float(parsed.notna().mean())


def detect_format(values: pd.Series, *, sample_size: int = 500) -> str | None:
    """Return the first candidate format that parses (nearly) every value of a sample, else None.

    A format wins when it parses at least 98 % of the sampled non-empty values; the best format below
    that wins when it parses at least half (the rest are reported as unparseable).
    """
    present = values.dropna()
    if len(present) > 20 * sample_size:  # spread the sample over the whole column, cheaply
        step = len(present) / (20 * sample_size)
        present = present.iloc[(np.arange(20 * sample_size) * step).astype(int)]
    text = _clean(present).dropna()
    if text.empty:
        return None
    sample = text.drop_duplicates()
    if len(sample) > sample_size:
        step = len(sample) / sample_size
        sample = sample.iloc[(np.arange(sample_size) * step).astype(int)]
    best, best_score = None, 0.0
    for fmt in FORMATS:
        score = _try(sample, fmt)
        if score >= 0.98:
            return fmt
        if score > best_score:
            best, best_score = fmt, score
    return best if best_score >= 0.5 else None


_NULLISH = ["", "NaT", "nan", "NaN", "NULL", "null", "None"]


def _clean(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text.isin(_NULLISH))


def parse_timestamps(values: pd.Series, *, fmt: str | None = None) -> ParsedTimes:
    """Parse a column of timestamps vectorised into timezone-naive local wall-clock time.

    The whole column is parsed with one format; only the values that fail are cleaned (blanks stripped,
    "NULL"-like markers taken as missing) and tried again, so clean exports pay no per-value Python cost.

    Args:
        values: strings, datetimes (naive or tz-aware) or Excel-typed cells.
        fmt: a format to use instead of detecting one.
    """
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values
        if getattr(out.dtype, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return ParsedTimes(out.astype("datetime64[ns]"), "native", (), {}, None, 0)
    if values.dtype != object:
        values = values.astype(object).where(values.notna(), None)
    present = values.notna().to_numpy()
    fmt = fmt or detect_format(values)
    if fmt is None:
        empty = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        bad = np.flatnonzero(present & _clean(values).notna().to_numpy())
        return ParsedTimes(empty, "none", tuple(int(i) for i in bad), {}, None, 0)
    parsed, offsets, target, shifted = _parse_with(values, fmt)
    failed = present & parsed.isna().to_numpy()
    if failed.any():
        cleaned = _clean(values[failed])
        present[np.flatnonzero(failed)[cleaned.isna().to_numpy()]] = False
        retry, *_ = _parse_with(cleaned.astype(object).where(cleaned.notna(), None), fmt, target)
        parsed = parsed.copy()
        parsed[failed] = retry.to_numpy()
    bad = np.flatnonzero(present & parsed.isna().to_numpy())
    return ParsedTimes(parsed, fmt, tuple(int(i) for i in bad), offsets, target, shifted)


def _parse_with(
    values: pd.Series, fmt: str, target: str | None = None
) -> tuple[pd.Series, dict[str, int], str | None, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == ISO:
            parsed, offsets, target, shifted = _parse_iso(values, target)
        else:
            parsed = pd.to_datetime(values, format=fmt, errors="coerce")
            offsets, shifted = {}, 0
    parsed = pd.Series(parsed, index=values.index)
    if getattr(parsed.dtype, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]"), offsets, target, shifted


def _offset_tails(values: pd.Series) -> pd.Series:
    """The UTC offset written at the end of each value (``"+01:00"``), NaN where there is none (pyarrow RE2)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    found = pc.extract_regex(arr, r"(?P<off>Z|[+-]\d\d:?\d\d)$").field("off")
    tails = pd.Series(found.to_pandas(), index=values.index)
    return tails.map(_norm_offset, na_action="ignore")


def _parse_iso(text: pd.Series, target: str | None = None) -> tuple[pd.Series, dict[str, int], str | None, int]:
    if target is None and not _has_offsets(text):
        return pd.to_datetime(text, format=ISO, errors="coerce"), {}, None, 0
    tails = _offset_tails(text)
    counts = tails.value_counts()
    if target is None and len(counts) <= 1 and tails.notna().sum() == text.notna().sum():
        # one offset throughout: parse keeps it, dropping it keeps the wall-clock time
        return pd.to_datetime(text, format=ISO, errors="coerce"), {}, None, 0
    offsets = {str(k): int(v) for k, v in counts.sort_index().items()}
    target = target or (str(counts.index[0]) if len(counts) else "+00:00")
    utc = pd.to_datetime(text, format=ISO, errors="coerce", utc=True)
    local = (utc + pd.Timedelta(minutes=_offset_minutes(target))).dt.tz_localize(None)
    # Values without an offset in a column that has them are taken as already local wall-clock time.
    naive = (tails.isna() & text.notna()).to_numpy()
    if naive.any():
        wall = pd.to_datetime(text[naive], format=ISO, errors="coerce", utc=True).dt.tz_localize(None)
        local = local.copy()
        local[naive] = wall.to_numpy()
    shifted = int(len(tails.dropna()) - counts.iloc[0]) if len(counts) > 1 else 0
    return local, offsets, (target if len(counts) > 1 else None), shifted


def _has_offsets(text: pd.Series) -> bool:
    sample = text.dropna()
    sample = pd.concat([sample.head(2000), sample.tail(2000)]).astype(str)
    return bool(len(sample)) and bool(sample.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).any())
