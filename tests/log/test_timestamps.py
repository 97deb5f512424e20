"""Timestamp format detection and vectorised parsing: known answers and round-trip properties."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.log.timestamps import ISO, detect_format, parse_timestamps


@pytest.mark.parametrize(
    ("values", "fmt", "first"),
    [
        (["2017-01-31 14:05:00", "2017-02-01 08:00:00"], ISO, datetime(2017, 1, 31, 14, 5)),
        (["2017-01-31T14:05:00.123", "2017-02-01T08:00:00.5"], ISO, datetime(2017, 1, 31, 14, 5, 0, 123000)),
        (["31.01.2017 14:05", "01.02.2017 08:00"], "%d.%m.%Y %H:%M", datetime(2017, 1, 31, 14, 5)),
        (["05.02.2017 14:05", "06.02.2017 08:00"], "%d.%m.%Y %H:%M", datetime(2017, 2, 5, 14, 5)),
        (
            ["2014/10/22 11:15:41.000", "2014/10/23 08:00:00.000"],
            "%Y/%m/%d %H:%M:%S.%f",
            datetime(2014, 10, 22, 11, 15, 41),
        ),
        (["2024年3月5日 14:05", "2024年3月6日 09:00"], "%Y年%m月%d日 %H:%M", datetime(2024, 3, 5, 14, 5)),
        (["12/31/2020 10:00", "01/02/2021 11:00"], "%m/%d/%Y %H:%M", datetime(2020, 12, 31, 10, 0)),
        (["31/12/2020", "01/02/2021"], "%d/%m/%Y", datetime(2020, 12, 31)),
    ],
)
def test_detects_one_format_and_parses(values: list[str], fmt: str, first: datetime) -> None:
    series = pd.Series(values)
    assert detect_format(series) == fmt
    parsed = parse_timestamps(series)
    assert parsed.values.iloc[0] == pd.Timestamp(first)
    assert parsed.bad_rows == ()
    assert str(parsed.values.dtype) == "datetime64[ns]"


def test_single_offset_keeps_wall_clock() -> None:
    parsed = parse_timestamps(pd.Series(["2024-03-05 14:05:00+08:00", "2024-03-05 15:00:00+08:00"]))
    assert parsed.values.tolist() == [pd.Timestamp("2024-03-05 14:05"), pd.Timestamp("2024-03-05 15:00")]
    assert parsed.target_offset is None
    assert parsed.shifted == 0


def test_mixed_offsets_convert_to_most_frequent() -> None:
    # +02:00 in winter is no daylight-saving change of a +01:00 zone
    values = pd.Series(["2024-01-30 10:00:00+01:00", "2024-01-30 11:00:00+01:00", "2024-02-02 10:00:00+02:00"])
    parsed = parse_timestamps(values)
    assert parsed.offsets == {"+01:00": 2, "+02:00": 1}
    assert parsed.zone is None
    assert parsed.target_offset == "+01:00"
    assert parsed.shifted == 1
    # 10:00+02:00 is 09:00+01:00
    assert parsed.values.tolist()[2] == pd.Timestamp("2024-02-02 09:00")
    assert parsed.values.is_monotonic_increasing


def test_daylight_saving_offsets_keep_wall_clock() -> None:
    values = pd.Series(["2024-03-30 00:00:00+01:00", "2024-03-30 08:00:00+01:00", "2024-04-02 00:00:00+02:00"])
    parsed = parse_timestamps(values)
    assert parsed.zone is not None and parsed.zone.startswith("Europe/")
    assert parsed.target_offset is None and parsed.shifted == 0
    assert [t.hour for t in parsed.values] == [0, 8, 0]


def test_z_suffix_is_utc() -> None:
    parsed = parse_timestamps(pd.Series(["2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z"]))
    assert parsed.values.tolist() == [pd.Timestamp("2024-01-01 10:00"), pd.Timestamp("2024-01-01 11:00")]


def test_bad_values_are_reported_by_position() -> None:
    values = pd.Series(["2024-01-01 10:00", "not a date", None, "", "2024-01-02 10:00", "2024-13-45 10:00"])
    parsed = parse_timestamps(values)
    assert parsed.bad_rows == (1, 5)
    assert parsed.values.isna().tolist() == [False, True, True, True, False, True]


def test_all_garbage_detects_nothing() -> None:
    assert detect_format(pd.Series(["soon", "later", "never"])) is None


def test_typed_datetimes_pass_through() -> None:
    values = pd.Series(pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00"]).tz_localize("Asia/Shanghai"))
    parsed = parse_timestamps(values)
    assert parsed.format == "native"
    assert parsed.values.iloc[0] == pd.Timestamp("2024-01-01 10:00")


_moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2035, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)

_WRITERS = {
    "iso": ("%Y-%m-%d %H:%M:%S", timedelta(seconds=1)),
    "iso_t": ("%Y-%m-%dT%H:%M:%S", timedelta(seconds=1)),
    "dmy_dot": ("%d.%m.%Y %H:%M", timedelta(minutes=1)),
    "ymd_slash": ("%Y/%m/%d %H:%M:%S", timedelta(seconds=1)),
    "zh": ("%Y年%m月%d日 %H:%M:%S", timedelta(seconds=1)),
    "dmy_slash": ("%d/%m/%Y %H:%M:%S", timedelta(seconds=1)),
}


@settings(max_examples=50, deadline=None)
@given(
    moments=st.lists(_moments, min_size=1, max_size=30),
    writer=st.sampled_from(sorted(_WRITERS)),
    day13=_moments.map(lambda d: d.replace(day=13 + d.day % 15)),
)
def test_property_round_trip(moments: list[datetime], writer: str, day13: datetime) -> None:
    """Format known moments one way, parse them back exactly (to the format's resolution)."""
    pattern, resolution = _WRITERS[writer]
    # One value with day > 12 makes day-first and month-first distinguishable, as in any real month of data.
    moments = [*moments, day13]
    text = pd.Series([m.strftime(pattern) for m in moments])
    parsed = parse_timestamps(text)
    assert parsed.bad_rows == ()
    expected = [pd.Timestamp(m).floor(pd.Timedelta(resolution)) for m in moments]
    assert parsed.values.tolist() == expected


@settings(max_examples=30, deadline=None)
@given(
    moments=st.lists(_moments, min_size=2, max_size=25),
    offsets=st.lists(st.sampled_from([60, 120, 480, -300]), min_size=2, max_size=25),
)
def test_property_offsets_keep_order_and_majority_wall_clock(moments: list[datetime], offsets: list[int]) -> None:
    n = min(len(moments), len(offsets))
    moments, offsets = moments[:n], offsets[:n]

    def fmt(m: datetime, off: int) -> str:
        sign = "+" if off >= 0 else "-"
        return f"{m:%Y-%m-%dT%H:%M:%S}{sign}{abs(off) // 60:02d}:{abs(off) % 60:02d}"

    parsed = parse_timestamps(pd.Series([fmt(m, o) for m, o in zip(moments, offsets, strict=True)]))
    if parsed.zone is not None:  # the offsets happen to be one zone's daylight-saving changes: wall-clock kept
        assert parsed.values.tolist() == [pd.Timestamp(m) for m in moments]
        return
    counts = pd.Series(offsets).value_counts()
    majority = counts[counts == counts.max()].index
    for m, o, got in zip(moments, offsets, parsed.values, strict=True):
        utc = pd.Timestamp(m) - pd.Timedelta(minutes=o)
        if o in majority and (len(counts) == 1 or parsed.target_offset is not None):
            target_min = o if len(counts) == 1 else _minutes(parsed.target_offset)
            assert got == utc + pd.Timedelta(minutes=target_min)
        if o == (_minutes(parsed.target_offset) if parsed.target_offset else o):
            assert got == pd.Timestamp(m)  # majority values keep their wall-clock time


def _minutes(text: str | None) -> int:
    assert text is not None
    sign = -1 if text[0] == "-" else 1
    return sign * (int(text[1:3]) * 60 + int(text[4:6]))
