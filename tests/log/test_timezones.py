"""Local wall-clock time across daylight-saving changes: XES and CSV, generated and real (PermitLog's family)."""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.log import columns as C
from procopt.log.read import read_log
from procopt.log.timestamps import parse_timestamps

_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
"""


def _xes(path: Path, stamps: list[list[str]]) -> Path:
    traces = []
    for i, case in enumerate(stamps):
        events = "".join(
            f'<event><string key="concept:name" value="step{k}"/><date key="time:timestamp" value="{ts}"/></event>'
            for k, ts in enumerate(case)
        )
        traces.append(f'<trace><string key="concept:name" value="c{i}"/>{events}</trace>')
    path.write_text(_HEAD + "\n".join(traces) + "\n</log>\n", encoding="utf-8")
    return path


def test_xes_daylight_saving_offsets_keep_midnight(tmp_path: Path) -> None:
    """An export converted to +01:00/+02:00 by date: winter and summer midnights both stay 00:00."""
    path = _xes(
        tmp_path / "permits.xes",
        [
            ["2018-01-15T00:00:00.000+01:00", "2018-01-16T09:30:00.000+01:00"],
            ["2018-07-02T00:00:00.000+02:00", "2018-07-03T09:30:00.000+02:00"],
            ["2018-07-09T00:00:00.000+02:00", "2018-07-10T09:30:00.000+02:00"],
        ],
    )
    log = read_log(path)
    hours = sorted(log.events[C.END].dt.strftime("%H:%M"))
    assert hours == ["00:00"] * 3 + ["09:30"] * 3
    finding = log.audit.finding("daylight_saving_offsets")
    assert finding is not None and finding.severity == "info"
    assert log.audit.finding("mixed_timezone_offsets") is None
    assert log.audit.timestamps[0].zone == finding.examples[0]


def test_xes_offsets_of_no_single_zone_are_converted_and_warned(tmp_path: Path) -> None:
    # +02:00 in January and +01:00 in July is no northern zone's daylight saving, and no southern zone's either
    path = _xes(
        tmp_path / "mixed.xes",
        [
            ["2018-01-15T10:00:00.000+08:00", "2018-01-16T10:00:00.000+08:00"],
            ["2018-07-02T10:00:00.000+01:00", "2018-07-03T10:00:00.000+08:00"],
        ],
    )
    log = read_log(path)
    finding = log.audit.finding("mixed_timezone_offsets")
    assert finding is not None and finding.severity == "warning" and finding.count == 1
    assert log.audit.finding("daylight_saving_offsets") is None
    assert pd.Timestamp("2018-07-02 17:00") in set(log.events[C.END])  # 10:00+01:00 is 17:00+08:00


@pytest.mark.slow
def test_bpic2020_log_keeps_every_wall_clock_hour(shared_logs: Path) -> None:
    """The hour of day of every event equals the hour written in the file (offsets +01:00 and +02:00)."""
    path = shared_logs / "approvals/PrepaidTravelCost.xes.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        text = fh.read()
    written = re.findall(r'<date key="time:timestamp" value="\d{4}-\d\d-\d\dT(\d\d):', text)
    log = read_log(path)
    assert log.audit.finding("daylight_saving_offsets") is not None
    got = log.events[C.END].dt.hour.value_counts().sort_index()
    want = pd.Series([int(h) for h in written]).value_counts().sort_index()
    # the file has one more time:timestamp than events (a log-level date); hours agree value for value
    assert (got - want.reindex(got.index, fill_value=0)).abs().sum() <= 1


_instants = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2030, 12, 31))


@settings(max_examples=30, deadline=None)
@given(
    instants=st.lists(_instants, min_size=2, max_size=25),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago"]),
)
def test_property_values_written_in_one_zone_keep_their_wall_clock(instants: list[datetime], zone: str) -> None:
    """Whatever the instants, a column written in one zone's local time with its offsets reads back as written."""
    utc = pd.Series(pd.to_datetime(instants)).dt.tz_localize("UTC").dt.floor("s")
    local = utc.dt.tz_convert(zone)
    text = local.map(lambda t: t.isoformat())
    parsed = parse_timestamps(text)
    assert parsed.values.tolist() == local.dt.tz_localize(None).tolist()
    if local.map(lambda t: t.utcoffset()).nunique() > 1:
        assert parsed.zone is not None and parsed.target_offset is None
