"""Ambiguous day/month order: detected, printed, warned about, and overridable with --date-format."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.cli import main
from procopt.log import columns as C
from procopt.log.read import read_log
from procopt.log.timestamps import choose_format, resolve_date_format, swapped_day_month

US_EXPORT = Path(__file__).parent / "data" / "us_semicolon_mdy.csv"


def test_semicolon_month_first_export_is_read_month_first_with_a_warning() -> None:
    """Every day is <= 12, so day-first also reads every value: the 10-week log must not become 7 months."""
    result = CliRunner().invoke(main, ["validate", str(US_EXPORT)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "delimiter semicolon" in out
    assert "span          2024-01-02 09:00:00 → 2024-03-08 15:50:00" in out
    assert "end format    mm/dd/yyyy HH:MM (AMBIGUOUS, could be dd/mm/yyyy HH:MM)" in out
    assert "WARN  ambiguous_date_format (3)" in out
    assert "--date-format dmy" in out


def test_json_carries_the_detected_format() -> None:
    result = CliRunner().invoke(main, ["validate", str(US_EXPORT), "--json"])
    doc = json.loads(result.output)
    end = doc["timestamps"]["end"]
    assert end["format"] == "%m/%d/%Y %H:%M" and end["shown"] == "mm/dd/yyyy HH:MM"
    assert end["ambiguous"] is True and end["alternative"] == "%d/%m/%Y %H:%M" and end["given"] is False
    assert "closer together" in end["reason"]
    assert doc["timestamps"]["start"]["format"] == "%m/%d/%Y %H:%M"


@pytest.mark.parametrize(
    ("option", "first_end"),
    [("dmy", "2024-02-01 09:15"), ("mdy", "2024-01-02 09:15"), ("%d/%m/%Y %H:%M", "2024-02-01 09:15")],
)
def test_date_format_option_decides(option: str, first_end: str) -> None:
    log = read_log(US_EXPORT, date_format=option)
    assert log.events[C.END].min() == pd.Timestamp(first_end)
    assert log.audit.finding("ambiguous_date_format") is None
    assert all(t.given for t in log.audit.timestamps)
    result = CliRunner().invoke(main, ["validate", str(US_EXPORT), "--date-format", option])
    assert result.exit_code == 0 and "(from --date-format" in result.output


def test_unknown_date_format_is_exit_2() -> None:
    result = CliRunner().invoke(main, ["validate", str(US_EXPORT), "--date-format", "american"])
    assert result.exit_code == 2
    assert "--date-format 'american' is not dmy, mdy, ymd, iso or a strptime pattern" in result.output
    assert "Hint:" in result.output and "Traceback" not in result.output


def test_date_format_that_reads_nothing_is_exit_2() -> None:
    result = CliRunner().invoke(main, ["validate", str(US_EXPORT), "--date-format", "%Y.%m.%d"])
    assert result.exit_code == 2
    assert "can be read as a date/time (e.g. '01/02/2024 09:15'" in result.output
    assert "with the given --date-format" in result.output


def test_a_day_above_12_settles_the_order_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("case;activity;time\nA;x;01/02/2024 10:00\nA;y;01/13/2024 10:00\n", encoding="utf-8")
    log = read_log(path)
    assert log.audit.finding("ambiguous_date_format") is None
    assert log.audit.timestamps[0].format == "%m/%d/%Y %H:%M" and not log.audit.timestamps[0].ambiguous


def test_resolve_and_swap_helpers() -> None:
    assert resolve_date_format(None) == (None, None)
    assert resolve_date_format("ISO")[0] == "ISO8601"
    assert resolve_date_format("%d.%m.%Y") == ("%d.%m.%Y", None)
    assert swapped_day_month("%d/%m/%Y %H:%M") == "%m/%d/%Y %H:%M"
    assert swapped_day_month("%m-%d-%Y") == "%d-%m-%Y"
    assert swapped_day_month("%d.%m.%Y") is None
    with pytest.raises(ValueError, match="not dmy, mdy"):
        resolve_date_format("yesterday")


_start = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 9, 1)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@settings(max_examples=60, deadline=None)
@given(
    start=_start,
    steps=st.lists(st.integers(min_value=1, max_value=48), min_size=10, max_size=80),
    month_first=st.booleans(),
)
def test_property_ordered_export_with_small_days_is_read_in_its_own_order(
    start: datetime, steps: list[int], month_first: bool
) -> None:
    """An export in time order, with only days <= 12 (both readings parse), is read in the order it was written."""
    moments, now = [], start
    for hours in steps:
        now += timedelta(hours=hours)
        if now.day <= 12 and now.year == start.year:
            moments.append(now)
    if len({m.date() for m in moments}) < 2:
        return
    pattern = "%m/%d/%Y %H:%M" if month_first else "%d/%m/%Y %H:%M"
    choice = choose_format(pd.Series([m.strftime(pattern) for m in moments]))
    same_day_and_month = all(m.day == m.month for m in moments)
    if same_day_and_month:  # 03/03, 05/05: both readings are the same dates
        return
    assert choice.ambiguous
    assert choice.format == pattern, choice.reason
