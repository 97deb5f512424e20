"""read_log on every supported format, encoding and delimiter, with known answers."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procopt.errors import InputError
from procopt.log import columns as C
from procopt.log import delimited
from procopt.log.read import read_log

DATA = Path(__file__).resolve().parents[1] / "data"


def test_o2c_sample_zero_options() -> None:
    log = read_log(DATA / "o2c_small.csv")
    ev = log.events
    C.check_contract(ev)
    assert log.format == "csv"
    assert log.has_start
    assert log.audit.rows == 7 and log.audit.cases == 3 and log.audit.activities == 3
    assert log.mapping["case"] == "order_id" and log.mapping["due"] == "promised_date"
    assert "007" in set(ev[C.CASE])  # ids keep leading zeros
    first = ev[ev[C.CASE] == "SO-001"].iloc[0]
    assert first[C.ACTIVITY] == "Create Order"
    assert first[C.START] == pd.Timestamp("2024-03-04 09:00")
    assert first[C.END] == pd.Timestamp("2024-03-04 09:10")
    assert first[C.RESOURCE] == "alice" and first[C.DEPARTMENT] == "Sales"
    assert first[C.DUE] == pd.Timestamp("2024-03-10 23:59:59")  # a date alone is the end of that day
    assert first["order_value"] == pytest.approx(1200.5)  # other columns kept, typed
    assert list(ev.columns[: len(C.CANONICAL)]) == list(C.CANONICAL)
    assert log.details["engine"] == "pyarrow"


def test_chinese_gb18030_sample_zero_options() -> None:
    log = read_log(DATA / "o2c_small_zh.csv")
    assert log.details["encoding"] == "gb18030"
    assert set(log.events[C.ACTIVITY]) == {"创建订单", "审批", "发货"}
    assert set(log.events[C.DEPARTMENT]) == {"销售部", "财务部", "物流部"}
    assert "订单金额" in log.events.columns
    approve = log.events[log.events[C.ACTIVITY] == "审批"]
    assert ((approve[C.END] - approve[C.START]).dt.total_seconds() == [18000.0, 7200.0]).all()


def test_p2p_lifecycle_sample() -> None:
    log = read_log(DATA / "p2p_lifecycle.csv")
    assert log.audit.rows == 8
    assert len(log.events) == 3
    assert log.has_start
    dur = (log.events[C.END] - log.events[C.START]).dt.total_seconds().tolist()
    assert dur == [1800.0, 300.0, 1200.0]
    assert log.audit.finding("unmatched_start") is not None


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


ROWS = [("A", "Create", "31.01.2017 14:05"), ("A", "Approve", "01.02.2017 09:30"), ("B", "Create", "02.02.2017 10:00")]


@pytest.mark.parametrize(
    ("delim", "encoding"),
    [
        (";", "utf-8-sig"),
        ("\t", "utf-8"),
        ("|", "utf-8"),
        (",", "gb18030"),
        (";", "cp1252"),
        (",", "utf-16"),
    ],
)
def test_delimiters_encodings_and_day_first_dates(tmp_path: Path, delim: str, encoding: str) -> None:
    header = (
        delim.join(["单号", "操作", "完成时间", "note"])
        if encoding == "gb18030"
        else delim.join(["case id", "activity", "timestamp", "note"])
    )
    note = "审批通过" if encoding == "gb18030" else ("café" if encoding != "utf-8" else "ok")
    body = "\n".join(delim.join([c, a, t, note]) for c, a, t in ROWS)
    path = _write(tmp_path / "log.csv", header + "\n" + body + "\n", encoding)
    log = read_log(path)
    assert log.details["encoding"] == ("utf-8" if encoding == "utf-8" else encoding)
    assert log.audit.cases == 2
    assert log.events[C.END].tolist() == [
        pd.Timestamp("2017-01-31 14:05"),
        pd.Timestamp("2017-02-01 09:30"),
        pd.Timestamp("2017-02-02 10:00"),
    ]
    assert log.events["note"].iloc[0] == note


def test_csv_gz(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress((DATA / "o2c_small.csv").read_bytes()))
    log = read_log(path)
    plain = read_log(DATA / "o2c_small.csv")
    pd.testing.assert_frame_equal(log.events, plain.events)


def test_c_engine_fallback_gives_the_same_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = read_log(DATA / "o2c_small.csv")

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValueError("pyarrow refuses")

    monkeypatch.setattr(delimited, "_read_arrow", refuse)
    slow = read_log(DATA / "o2c_small.csv")
    assert slow.details["engine"] == "c"
    pd.testing.assert_frame_equal(fast.events, slow.events, check_dtype=False)


def test_excel_and_parquet_match_csv(tmp_path: Path) -> None:
    plain = read_log(DATA / "o2c_small.csv")
    raw = pd.read_csv(DATA / "o2c_small.csv", dtype={"order_id": str})
    xlsx = tmp_path / "orders.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame({"readme": ["exported by ERP"]}).to_excel(writer, sheet_name="Info", index=False)
        raw.to_excel(writer, sheet_name="Events", index=False)
    parquet = tmp_path / "orders.parquet"
    raw.to_parquet(parquet)
    for path, fmt in ((xlsx, "excel"), (parquet, "parquet")):
        log = read_log(path)
        assert log.format == fmt
        assert log.mapping == plain.mapping
        cols = [C.CASE, C.ACTIVITY, C.START, C.END, C.RESOURCE, C.DUE]
        pd.testing.assert_frame_equal(log.events[cols], plain.events[cols])
    assert read_log(xlsx).details["sheet"] == "Events"


def test_xes_keeps_wall_clock_and_pairs_lifecycle() -> None:
    log = read_log(DATA / "tiny.xes")
    assert log.format == "xes"
    ev = log.events
    assert ev[C.ACTIVITY].tolist() == ["创建订单", "审批", "创建订单", "审批"]
    assert ev[C.START].iloc[0] == pd.Timestamp("2024-03-04 09:00")  # +08:00 wall-clock, not UTC
    assert ev[C.END].iloc[1] == pd.Timestamp("2024-03-04 15:00")
    assert ev[C.START].iloc[2:].isna().all()


def test_xes_parsers_agree(capfd: pytest.CaptureFixture[str]) -> None:
    """rustxes and pm4py's own iterparse parser give the same event table (and print nothing)."""
    pytest.importorskip("rustxes")
    from procopt.log.formats import _parse_xes

    fast, used = _parse_xes(DATA / "tiny.xes", "rustxes")
    slow, _ = _parse_xes(DATA / "tiny.xes", "iterparse")
    assert "parsing log" not in capfd.readouterr().err  # no tqdm progress bar from pm4py
    assert used == "rustxes"
    cols = sorted(fast.columns)
    assert cols == sorted(slow.columns)
    pd.testing.assert_frame_equal(
        fast[cols].reset_index(drop=True), slow[cols].reset_index(drop=True), check_dtype=False
    )


def test_mixed_offsets_in_csv_are_reported(tmp_path: Path) -> None:
    # +01:00 and +08:00 are not the winter and summer offsets of any one zone
    text = "case,activity,time\n" + "\n".join(
        ["A,x,2024-03-30T10:00:00+01:00", "A,y,2024-03-30T12:00:00+01:00", "B,x,2024-04-02T17:00:00+08:00"]
    )
    log = read_log(_write(tmp_path / "tz.csv", text + "\n"))
    finding = log.audit.finding("mixed_timezone_offsets")
    assert finding is not None and finding.count == 1 and finding.severity == "warning"
    assert log.events[C.END].tolist()[2] == pd.Timestamp("2024-04-02 10:00")


def test_daylight_saving_offsets_keep_wall_clock_and_are_reported(tmp_path: Path) -> None:
    # Europe/Amsterdam: +01:00 in winter, +02:00 after 31 March 2024; every event happened at local midnight
    text = "case,activity,time\n" + "\n".join(
        ["A,x,2024-03-29T00:00:00+01:00", "A,y,2024-03-30T00:00:00+01:00", "B,x,2024-04-02T00:00:00+02:00"]
    )
    log = read_log(_write(tmp_path / "dst.csv", text + "\n"))
    assert all(t.hour == 0 for t in log.events[C.END])
    assert log.audit.finding("mixed_timezone_offsets") is None
    finding = log.audit.finding("daylight_saving_offsets")
    assert finding is not None and finding.severity == "info" and "Europe/" in finding.examples[0]
    assert log.audit.timestamps[0].zone == finding.examples[0]


def test_user_mapping_and_clashing_names(tmp_path: Path) -> None:
    text = "concept:name,step,when,who\nA,x,2024-01-01 10:00,ann\nA,y,2024-01-01 11:00,bob\n"
    log = read_log(
        _write(tmp_path / "m.csv", text), mapping={"case": "concept:name", "activity": "step", "end": "when"}
    )
    assert log.mapping["case"] == "concept:name"
    assert log.events[C.ACTIVITY].tolist() == ["x", "y"]
    assert log.events[C.CASE].tolist() == ["A", "A"]


def test_progress_is_reported() -> None:
    calls: list[tuple[int, int]] = []
    read_log(DATA / "o2c_small.csv", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1][0] == calls[-1][1] and len(calls) >= 3


OCEL2 = {
    "objectTypes": [{"name": "order", "attributes": []}, {"name": "item", "attributes": []}],
    "eventTypes": [{"name": n, "attributes": []} for n in ("place order", "pick item", "ship")],
    "objects": [{"id": "o1", "type": "order"}, {"id": "i1", "type": "item"}, {"id": "i2", "type": "item"}],
    "events": [
        {
            "id": "e1",
            "type": "place order",
            "time": "2024-01-01T10:00:00Z",
            "relationships": [
                {"objectId": "o1", "qualifier": ""},
                {"objectId": "i1", "qualifier": ""},
                {"objectId": "i2", "qualifier": ""},
            ],
        },
        {
            "id": "e2",
            "type": "pick item",
            "time": "2024-01-01T11:00:00Z",
            "relationships": [{"objectId": "i1", "qualifier": ""}],
        },
        {
            "id": "e3",
            "type": "pick item",
            "time": "2024-01-01T12:00:00Z",
            "relationships": [{"objectId": "i2", "qualifier": ""}],
        },
        {
            "id": "e4",
            "type": "ship",
            "time": "2024-01-02T09:00:00Z",
            "relationships": [
                {"objectId": "o1", "qualifier": ""},
                {"objectId": "i1", "qualifier": ""},
                {"objectId": "i2", "qualifier": ""},
            ],
        },
    ],
}


def test_ocel2_flattened_on_busiest_type_or_chosen(tmp_path: Path) -> None:
    path = tmp_path / "o2c.jsonocel"
    path.write_text(json.dumps(OCEL2), encoding="utf-8")
    log = read_log(path)
    assert log.details["object_type"] == "item"  # 4 events vs 2 for order
    assert log.audit.finding("object_type_chosen") is not None
    assert log.audit.cases == 2 and log.audit.rows == 6
    orders = read_log(path, object_type="order")
    assert orders.events[C.ACTIVITY].tolist() == ["place order", "ship"]
    with pytest.raises(InputError, match="no object type 'ordr'. Did you mean 'order'") as info:
        read_log(path, object_type="ordr")
    assert "'item' (4 events, 2 objects), 'order' (2 events, 1 object)" in (info.value.hint or "")


def test_ocel2_type_with_too_few_objects_is_not_the_default_case(tmp_path: Path) -> None:
    # OCEL 2.0 order management (running-example.sqlite): the 18 employees touch most events, but 18 cases
    # are too few for any diagnostic; the busiest type with at least 30 objects is taken instead
    orders = [f"o{i}" for i in range(40)]
    clerks = ["ann", "bob"]
    events = []
    for i, order in enumerate(orders):
        for step, hour in (("place order", 9), ("confirm order", 11)):
            events.append(
                {
                    "id": f"e{i}-{step}",
                    "type": step,
                    "time": f"2024-01-{1 + i % 28:02d}T{hour}:00:00Z",
                    "relationships": [
                        {"objectId": order, "qualifier": ""},
                        {"objectId": clerks[i % 2], "qualifier": ""},
                    ],
                }
            )
        events.append(
            {
                "id": f"e{i}-check",
                "type": "check stock",
                "time": f"2024-01-{1 + i % 28:02d}T10:00:00Z",
                "relationships": [{"objectId": clerks[i % 2], "qualifier": ""}],
            }
        )
    doc = {
        "objectTypes": [{"name": "order", "attributes": []}, {"name": "employee", "attributes": []}],
        "eventTypes": [{"name": n, "attributes": []} for n in ("place order", "confirm order", "check stock")],
        "objects": [{"id": o, "type": "order"} for o in orders] + [{"id": c, "type": "employee"} for c in clerks],
        "events": events,
    }
    path = tmp_path / "om.jsonocel"
    path.write_text(json.dumps(doc), encoding="utf-8")
    log = read_log(path)
    assert log.details["object_type"] == "order"
    assert log.audit.cases == 40
    finding = log.audit.finding("object_type_chosen")
    assert finding is not None and "'employee' (120 events, 2 objects)" in finding.message


def test_ocel1_json(tmp_path: Path) -> None:
    doc = {
        "ocel:global-log": {"ocel:version": ["1.0"]},
        "ocel:events": {
            "1": {
                "ocel:activity": "create PO",
                "ocel:timestamp": "2021-03-01T09:00:00+01:00",
                "ocel:omap": ["PO1"],
                "ocel:vmap": {"amount": 5},
            },
            "2": {
                "ocel:activity": "approve PO",
                "ocel:timestamp": "2021-03-02T09:00:00+01:00",
                "ocel:omap": ["PO1"],
                "ocel:vmap": {},
            },
        },
        "ocel:objects": {"PO1": {"ocel:type": "PURCHORD", "ocel:ovmap": {}}},
    }
    path = tmp_path / "p2p.jsonocel"
    path.write_text(json.dumps(doc), encoding="utf-8")
    log = read_log(path)
    assert log.events[C.ACTIVITY].tolist() == ["create PO", "approve PO"]
    assert log.events[C.END].iloc[0] == pd.Timestamp("2021-03-01 09:00")


def test_package_exports_and_cli_help() -> None:
    from click.testing import CliRunner

    import procopt.log
    from procopt.cli import main

    assert procopt.log.read_log is read_log
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == 0
    assert "--map ROLE=COLUMN" in result.output and "--object-type" in result.output and "--json" in result.output


@pytest.mark.parametrize("engine", ["pyarrow", "c"])
def test_report_title_lines_before_the_header_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    if engine == "c":
        monkeypatch.setattr(delimited, "_read_arrow", lambda *a, **k: (_ for _ in ()).throw(ValueError("no")))
    path = _write(
        tmp_path / "pre.csv",
        "Sales order report\nExported 2024-03-05 by SAP\n\n"
        "order_id,activity,end_time\nA,x,2024-01-01 10:00\nA,y,2024-01-01 11:00\nB,x,2024-01-02 10:00\n",
    )
    log = read_log(path)
    assert log.details["engine"] == engine
    assert log.audit.rows == 3
    assert log.events[C.ACTIVITY].tolist() == ["x", "y", "x"]
    f = log.audit.finding("preamble_skipped")
    assert f is not None and "line 4" in f.message


def test_gb18030_detected_even_when_the_first_64kb_are_ascii(tmp_path: Path) -> None:
    filler = "".join(f"C{i:05d},Create,2024-01-01 10:00:00,x\n" for i in range(4000))  # ~130 KB ASCII
    text = "case_id,activity,timestamp,note\n" + filler + "C99999,审批,2024-01-02 10:00:00,通过\n"
    path = _write(tmp_path / "late_zh.csv", text, "gb18030")
    log = read_log(path)
    assert log.details["encoding"] == "gb18030"
    assert "审批" in set(log.events[C.ACTIVITY])


_cell = st.text(alphabet="abcXYZ019 _-审批订单号，：", min_size=1, max_size=8).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            _cell,
            _cell,
            st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)).map(
                lambda d: d.replace(microsecond=0)
            ),
        ),
        min_size=1,
        max_size=30,
    ),
    delim=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_property_csv_round_trip(
    tmp_path: Path, rows: list[tuple[str, str, datetime]], delim: str, encoding: str
) -> None:
    """Whatever the delimiter, encoding and (quoted) text, read_log gives back exactly what was written."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delim, lineterminator="\n")
    writer.writerow(["单据编号", "操作", "完成时间"])
    writer.writerows([(c, a, f"{t:%Y-%m-%d %H:%M:%S}") for c, a, t in rows])
    path = tmp_path / f"rt_{abs(hash((delim, encoding))) % 1000}.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    log = read_log(path)
    got = sorted(zip(log.events[C.CASE], log.events[C.ACTIVITY], log.events[C.END], strict=True))
    assert got == sorted((c, a, pd.Timestamp(t)) for c, a, t in rows)


def test_xes_columns_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """XES attributes reach the parser through a hash set; their order must not change with PYTHONHASHSEED."""
    import os
    import subprocess
    import sys

    keys = ["Region", "amount", "Budget", "priority", "Owner", "channel"]
    traces = "".join(
        f'<trace><string key="concept:name" value="c{i}"/>'
        + "".join(f'<string key="{k}" value="{k}{i % 3}"/>' for k in keys)
        + f'<event><string key="concept:name" value="A"/><date key="time:timestamp" value="2024-03-0{i + 1}T09:00:00"/>'
        "</event></trace>"
        for i in range(3)
    )
    path = tmp_path / "attrs.xes"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8" ?><log xes.version="1.0">{traces}</log>', encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from procopt.log.formats import _parse_xes; "
        "print(','.join(map(str, _parse_xes(Path(sys.argv[1]))[0].columns)))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code, str(path)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("0", "1", "2", "3")
    }
    assert len(seen) == 1
    columns = seen.pop().split(",")
    assert columns == sorted(columns) and "case:Region" in columns
