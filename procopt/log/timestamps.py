"""Stage 1 — ingest: detect ONE timestamp format per column from a sample, then parse the column vectorised.

ERP exports write ``2017-01-31T23:59:00+01:00``, ``31.01.2017 14:05``, ``2014/10/22 11:15:41.000`` or
``2024年3月5日 14:05``. Parsing row by row (dateutil) is 30-40x slower than ``pd.to_datetime(format=...)``,
so :func:`detect_format` tries a short list of formats on a sample and :func:`parse_timestamps` applies the
winner to the whole column. Results follow the column contract: timezone-naive local wall-clock time.

Two traps are handled explicitly rather than guessed silently:

* **Ambiguous dates.** ``03/04/2024`` is 3 April (day-first) or 4 March (month-first). When every sampled
  value parses both ways, :func:`choose_format` picks the reading whose consecutive values (in file order)
  lie closer together -- an export is ordered by case and time, and the wrong reading turns a step of a
  few days into a step of months -- and marks the choice ``ambiguous`` so the audit warns about it.
* **Daylight saving.** A column whose UTC offsets are exactly the summer and winter offsets of one IANA
  time zone (``+01:00`` in winter, ``+02:00`` in summer) keeps every value's wall-clock time as written: a
  00:00 in January stays 00:00. Only offsets that no single zone explains are converted to the most
  frequent one (so order stays right), and that is reported.
"""

from __future__ import annotations

import functools
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


#: Shorthands accepted by ``--date-format`` for the order of day, month and year.
ORDERS: dict[str, tuple[str, ...]] = {"dmy": DAY_FIRST, "mdy": MONTH_FIRST, "ymd": (ISO, *YEAR_FIRST)}


@dataclass(frozen=True, slots=True)
class FormatChoice:
    """The format chosen for a column and how sure the choice is.

    Attributes:
        format: the strptime pattern (or ``"ISO8601"``); None when nothing fits.
        ambiguous: True when another reading (``alternative``) parses the sample as well.
        alternative: the other reading, e.g. ``"%m/%d/%Y"`` for ``"%d/%m/%Y"``.
        reason: why ``format`` won over ``alternative`` (one sentence), empty when not ambiguous.
    """

    format: str | None
    ambiguous: bool = False
    alternative: str | None = None
    reason: str = ""


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
        ambiguous: the format could also be read another way (see :class:`FormatChoice`).
        alternative: that other reading.
        reason: why ``format`` was preferred to ``alternative``.
        date_only: the values carry a date but no time of day.
        zone: an IANA zone whose daylight-saving rules explain every offset (wall-clock kept), else None.
    """

    values: pd.Series
    format: str
    bad_rows: tuple[int, ...]
    offsets: dict[str, int]
    target_offset: str | None
    shifted: int
    ambiguous: bool = False
    alternative: str | None = None
    reason: str = ""
    date_only: bool = False
    zone: str | None = None


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


def resolve_date_format(text: str | None) -> tuple[str | None, tuple[str, ...] | None]:
    """Split a ``--date-format`` value into (exact format, candidate list): ``dmy``/``mdy``/``ymd`` restrict the
    candidates, ``iso`` means ISO 8601, anything with ``%`` is a strptime pattern used as it is.

    Raises:
        ValueError: the text is none of these (the CLI turns it into an error naming the option).
    """
    if text is None or not text.strip():
        return None, None
    key = text.strip()
    if key.lower() in ORDERS:
        return None, ORDERS[key.lower()]
    if key.lower() in ("iso", "iso8601"):
        return ISO, None
    if "%" in key:
        return key, None
    raise ValueError(f"--date-format {text!r} is not dmy, mdy, ymd, iso or a strptime pattern such as %m/%d/%Y %H:%M")


def _sample(values: pd.Series, sample_size: int) -> tuple[pd.Series, pd.Series]:
    """(distinct values spread over the column, up to ``sample_size``; the column's first values in file order)."""
    present = values.dropna()
    head = _clean(present.head(20 * sample_size)).dropna()
    if len(present) > 20 * sample_size:  # spread the sample over the whole column, cheaply
        step = len(present) / (20 * sample_size)
        present = present.iloc[(np.arange(20 * sample_size) * step).astype(int)]
    text = _clean(present).dropna()
    sample = text.drop_duplicates()
    if len(sample) > sample_size:
        step = len(sample) / sample_size
        sample = sample.iloc[(np.arange(sample_size) * step).astype(int)]
    return sample, head


def detect_format(values: pd.Series, *, sample_size: int = 500) -> str | None:
    """Return the first candidate format that parses (nearly) every value of a sample, else None.

    A format wins when it parses at least 98 % of the sampled non-empty values; the best format below
    that wins when it parses at least half (the rest are reported as unparseable).
    """
    return choose_format(values, sample_size=sample_size).format


def choose_format(
    values: pd.Series, *, sample_size: int = 500, candidates: tuple[str, ...] | None = None
) -> FormatChoice:
    """Detect the column's format and say whether the day/month order is ambiguous.

    Args:
        values: the column as read (strings).
        sample_size: distinct values tried per format.
        candidates: formats to try instead of all (``--date-format dmy`` passes the day-first ones).
    """
    sample, head = _sample(values, sample_size)
    if sample.empty:
        return FormatChoice(None)
    best, best_score = None, 0.0
    for fmt in candidates or FORMATS:
        score = _try(sample, fmt)
        if score >= 0.98:
            best, best_score = fmt, score
            break
        if score > best_score:
            best, best_score = fmt, score
    if best is None or best_score < 0.5:
        return FormatChoice(None)
    other = swapped_day_month(best)
    if candidates is not None or other is None or _try(sample, other) < best_score:
        return FormatChoice(best)
    return _settle(best, other, head)


def swapped_day_month(fmt: str) -> str | None:
    """The same pattern with day and month swapped, when both readings exist (``%d/%m/%Y`` <-> ``%m/%d/%Y``)."""
    for a, b in (("%d/%m", "%m/%d"), ("%d-%m", "%m-%d")):
        if fmt.startswith(a):
            return b + fmt[len(a) :]
        if fmt.startswith(b):
            return a + fmt[len(b) :]
    return None


def _settle(first: str, second: str, head: pd.Series) -> FormatChoice:
    """Both readings parse every sampled value: prefer the one whose consecutive values lie closer together.

    An export lists a case's events together and in time order, so the true reading moves by hours or days
    from row to row; the swapped reading turns a change of day into a change of month. The total distance
    travelled from row to row is compared; within 25 % of each other there is no evidence and the candidate
    tried first (day-first, the ERP default outside North America) stays.
    """
    path: dict[str, float] = {}
    for fmt in (first, second):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(head, format=fmt, errors="coerce").dropna()
        steps = parsed.diff().abs().dropna()
        path[fmt] = float(steps.sum() / pd.Timedelta(days=1)) if len(steps) else 0.0
    winner, loser = (second, first) if path[second] < 0.8 * path[first] else (first, second)
    if path[winner] < 0.8 * path[loser]:
        reason = (
            f"both {_show(first)} and {_show(second)} read every value; {_show(winner)} was chosen because "
            f"consecutive rows then lie {path[loser] / max(path[winner], 1e-9):.1f}x closer together in time"
        )
    else:
        reason = (
            f"both {_show(first)} and {_show(second)} read every value and the row order does not tell them "
            f"apart; {_show(winner)} was assumed"
        )
    return FormatChoice(winner, True, loser, reason)


def _show(fmt: str) -> str:
    """``%d/%m/%Y %H:%M`` -> ``dd/mm/yyyy HH:MM`` (how users write formats)."""
    table = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy", "%H": "HH", "%M": "MM", "%S": "SS", "%f": "ffffff"}
    return re.sub(r"%[dmYyHMSf]", lambda m: table[m.group(0)], fmt)


def show_format(fmt: str) -> str:
    """A format as a user reads it: ``ISO 8601``, ``dd/mm/yyyy HH:MM``, ``typed`` (the file stored datetimes)."""
    if fmt == ISO:
        return "ISO 8601"
    if fmt == "native":
        return "typed datetimes"
    if fmt in ("none", "mixed"):
        return fmt
    return _show(fmt)


_NULLISH = ["", "NaT", "nan", "NaN", "NULL", "null", "None"]


def _clean(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text.isin(_NULLISH))


def parse_timestamps(
    values: pd.Series, *, fmt: str | None = None, candidates: tuple[str, ...] | None = None
) -> ParsedTimes:
    """Parse a column of timestamps vectorised into timezone-naive local wall-clock time.

    The whole column is parsed with one format; only the values that fail are cleaned (blanks stripped,
    "NULL"-like markers taken as missing) and tried again, so clean exports pay no per-value Python cost.

    Args:
        values: strings, datetimes (naive or tz-aware) or Excel-typed cells.
        fmt: a format to use instead of detecting one.
        candidates: restrict detection to these formats (see :data:`ORDERS`).
    """
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values
        if getattr(out.dtype, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        out = out.astype("datetime64[ns]")
        return ParsedTimes(out, "native", (), {}, None, 0, date_only=_all_midnight(out))
    if values.dtype != object:
        values = values.astype(object).where(values.notna(), None)
    present = values.notna().to_numpy()
    choice = FormatChoice(fmt) if fmt else choose_format(values, candidates=candidates)
    fmt = choice.format
    if fmt is None:
        empty = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        bad = np.flatnonzero(present & _clean(values).notna().to_numpy())
        return ParsedTimes(empty, "none", tuple(int(i) for i in bad), {}, None, 0)
    parsed, offsets, target, shifted, zone = _parse_with(values, fmt)
    failed = present & parsed.isna().to_numpy()
    if failed.any():
        cleaned = _clean(values[failed])
        present[np.flatnonzero(failed)[cleaned.isna().to_numpy()]] = False
        retry, *_ = _parse_with(cleaned.astype(object).where(cleaned.notna(), None), fmt, target, zone)
        parsed = parsed.copy()
        parsed[failed] = retry.to_numpy()
    bad = np.flatnonzero(present & parsed.isna().to_numpy())
    return ParsedTimes(
        parsed,
        fmt,
        tuple(int(i) for i in bad),
        offsets,
        target,
        shifted,
        ambiguous=choice.ambiguous,
        alternative=choice.alternative,
        reason=choice.reason,
        date_only=_date_only(fmt, values, parsed),
        zone=zone,
    )


def _all_midnight(values: pd.Series) -> bool:
    present = values.dropna()
    return bool(len(present)) and bool((present == present.dt.normalize()).all())


def _date_only(fmt: str, values: pd.Series, parsed: pd.Series) -> bool:
    """True when the column gives dates without a time of day (``2024-03-05``, ``05.03.2024``)."""
    if fmt == ISO:
        text = _clean(values.dropna().head(5000)).dropna()
        return bool(len(text)) and not bool(text.str.contains(r"[T ]\d|:", regex=True).any())
    return "%H" not in fmt and _all_midnight(parsed)


def _parse_with(
    values: pd.Series, fmt: str, target: str | None = None, zone: str | None = None
) -> tuple[pd.Series, dict[str, int], str | None, int, str | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == ISO:
            parsed, offsets, target, shifted, zone = _parse_iso(values, target, zone)
        else:
            parsed = pd.to_datetime(values, format=fmt, errors="coerce")
            offsets, shifted = {}, 0
    parsed = pd.Series(parsed, index=values.index)
    if getattr(parsed.dtype, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]"), offsets, target, shifted, zone


def _offset_tails(values: pd.Series) -> pd.Series:
    """The UTC offset written at the end of each value (``"+01:00"``), NaN where there is none (pyarrow RE2)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    found = pc.extract_regex(arr, r"(?P<off>Z|[+-]\d\d:?\d\d)$").field("off")
    tails = pd.Series(found.to_pandas(), index=values.index)
    return tails.map(_norm_offset, na_action="ignore")


def _parse_iso(
    text: pd.Series, target: str | None = None, zone: str | None = None
) -> tuple[pd.Series, dict[str, int], str | None, int, str | None]:
    if target is None and zone is None and not _has_offsets(text):
        return pd.to_datetime(text, format=ISO, errors="coerce"), {}, None, 0, None
    tails = _offset_tails(text)
    counts = tails.value_counts()
    if target is None and zone is None and len(counts) <= 1 and tails.notna().sum() == text.notna().sum():
        # one offset throughout: parse keeps it, dropping it keeps the wall-clock time
        return pd.to_datetime(text, format=ISO, errors="coerce"), {}, None, 0, None
    offsets = {str(k): int(v) for k, v in counts.sort_index().items()}
    utc = pd.to_datetime(text, format=ISO, errors="coerce", utc=True)
    minutes = tails.map(_offset_minutes, na_action="ignore")
    if zone is None and target is None and len(counts) > 1:
        zone = dst_zone(utc[tails.notna()], minutes.dropna().astype(int).to_numpy())
    naive = (tails.isna() & text.notna()).to_numpy()
    if zone is not None:
        # every offset is that zone's offset at that instant: the wall-clock time as written is the local time
        local = (utc + pd.to_timedelta(minutes.fillna(0), unit="min")).dt.tz_localize(None)
        shifted = 0
    else:
        target = target or (str(counts.index[0]) if len(counts) else "+00:00")
        local = (utc + pd.Timedelta(minutes=_offset_minutes(target))).dt.tz_localize(None)
        shifted = int(len(tails.dropna()) - counts.iloc[0]) if len(counts) > 1 else 0
    # Values without an offset in a column that has them are taken as already local wall-clock time.
    if naive.any():
        wall = pd.to_datetime(text[naive], format=ISO, errors="coerce", utc=True).dt.tz_localize(None)
        local = local.copy()
        local[naive] = wall.to_numpy()
    kept_target = target if (zone is None and len(counts) > 1) else None
    return local, offsets, kept_target, shifted, zone


def _has_offsets(text: pd.Series) -> bool:
    sample = text.dropna()
    sample = pd.concat([sample.head(2000), sample.tail(2000)]).astype(str)
    return bool(len(sample)) and bool(sample.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).any())


def zone_offsets_minutes(utc: pd.Series, zone: str) -> np.ndarray:
    """The UTC offset (minutes) of ``zone`` at each instant of a tz-aware UTC series."""
    local = utc.dt.tz_convert(zone).dt.tz_localize(None)
    minutes: np.ndarray = ((local - utc.dt.tz_localize(None)) / pd.Timedelta(minutes=1)).to_numpy()
    return minutes


def dst_zones(offsets: set[int], year: int) -> list[str]:
    """IANA zones whose winter and summer offsets in ``year`` are exactly ``offsets`` (minutes), sorted."""
    return list(_dst_zones(frozenset(offsets), year))


@functools.lru_cache(maxsize=64)
def _dst_zones(offsets: frozenset[int], year: int) -> tuple[str, ...]:
    from datetime import datetime
    from zoneinfo import ZoneInfo, available_timezones

    if len(offsets) != 2:
        return ()
    found: list[str] = []
    # well-known regions first, so messages name e.g. Europe/Amsterdam rather than Africa/Ceuta
    regions = ("Europe/", "America/", "Asia/", "Australia/", "Pacific/", "Africa/", "Atlantic/")

    def rank(name: str) -> tuple[int, str]:
        return next((i for i, r in enumerate(regions) if name.startswith(r)), len(regions)), name

    for name in sorted(available_timezones(), key=rank):
        if name.startswith(("Etc/", "SystemV/")) or "/" not in name:
            continue
        zone = ZoneInfo(name)
        seen = set()
        for month in (1, 7):
            delta = datetime(year, month, 15, 12, tzinfo=zone).utcoffset()
            seen.add(int(delta.total_seconds() // 60) if delta is not None else 0)
        if seen == offsets:
            found.append(name)
    return tuple(found)


def dst_candidates(offsets: set[int], utc: pd.Series) -> list[str]:
    """Zones whose winter/summer offsets match in some year of the data (rules change: Chile, Russia, ...)."""
    years = np.unique(utc.dt.year.to_numpy())
    if len(years) > 6:
        years = years[np.linspace(0, len(years) - 1, 6).astype(int)]
    median = int(utc.dt.year.median())
    ordered = [median, *(int(y) for y in years if int(y) != median)]
    out: list[str] = []
    for year in ordered:
        out += [z for z in dst_zones(offsets, year) if z not in out]
    return out


def dst_zone(utc: pd.Series, minutes: np.ndarray, *, tries: int = 8) -> str | None:
    """An IANA zone whose daylight-saving offset at each instant is the offset written, else None.

    Args:
        utc: tz-aware UTC instants (the values that carry an offset).
        minutes: the offset written with each of them, in minutes.
        tries: zones checked value by value (zones sharing one rule agree, so a few suffice).
    """
    present = utc.notna().to_numpy()
    if not present.any():
        return None
    utc, minutes = utc[present], minutes[present]
    distinct = {int(m) for m in np.unique(minutes)}
    for name in dst_candidates(distinct, utc)[:tries]:
        try:
            expected = zone_offsets_minutes(utc, name)
        except (ValueError, KeyError):  # pragma: no cover - a zone pandas' tz database lacks
            continue
        if float((expected == minutes).mean()) >= 0.999:
            return name
    return None
