"""The data-quality audit: each finding on a small log with a known answer, and the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from procopt._io import dumps_json
from procopt.log import columns as C
from procopt.log.audit import Finding, audit_log
from procopt.log.read import read_log

T = pd.Timestamp("2024-03-04 09:00")


def h(hours: float) -> pd.Timestamp:
    return T + pd.Timedelta(hours=hours)


def _process(case: str, offset: float = 0.0, *, finish: bool = True) -> list[dict[str, object]]:
    rows = [
        {"case": case, "activity": "Create Order", "end": h(offset + 0)},
        {"case": case, "activity": "Check Credit", "end": h(offset + 1)},
    ]
    if finish:
        rows.append({"case": case, "activity": "Ship", "end": h(offset + 2)})
    return rows


def _base(n: int = 10) -> list[dict[str, object]]:
    return [r for i in range(n) for r in _process(f"c{i:02d}", i)]


def _codes(report: object) -> dict[str, Finding]:
    return {f.code: f for f in report.findings}  # type: ignore[attr-defined]


def test_clean_log_has_no_findings() -> None:
    report = audit_log(C.make_events(_base()))
    # 10 cases are below MIN_CASES: the only finding says so
    assert [f.code for f in report.findings] == ["too_few_cases"]
    assert (report.rows, report.cases, report.activities) == (30, 10, 3)
    assert report.span_start == h(0) and report.span_end == h(11)
    assert report.ok


def test_incomplete_cases_inferred_from_typical_ends() -> None:
    rows = _base(20) + _process("open-1", 30, finish=False)
    f = _codes(audit_log(C.make_events(rows)))["incomplete_cases"]
    assert f.count == 1 and f.examples == ("open-1",)
    assert "'Ship'" in f.message


def test_single_event_cases() -> None:
    rows = _base() + [{"case": "lonely", "activity": "Create Order", "end": h(40)}]
    f = _codes(audit_log(C.make_events(rows)))["single_event_cases"]
    assert f.count == 1 and f.examples == ("lonely",)


def test_end_before_start_and_duplicates() -> None:
    rows = _base()
    rows[0] = {**rows[0], "start": h(5)}  # ends at h(0)
    rows.append(dict(rows[4]))  # exact copy
    f = _codes(audit_log(C.make_events(rows)))
    assert f["end_before_start"].count == 1 and f["end_before_start"].examples == (1,)
    assert f["duplicate_events"].count == 1 and f["duplicate_events"].examples == (31,)


def test_spelling_variants_case_space_and_width() -> None:
    rows = _base()
    rows[1] = {**rows[1], "activity": "check  credit"}
    rows[4] = {**rows[4], "activity": "Ｃｈｅｃｋ Ｃｒｅｄｉｔ"}  # full-width
    rows[7] = {**rows[7], "activity": "审批"}
    rows[10] = {**rows[10], "activity": "审批 "}
    f = _codes(audit_log(C.make_events(rows)))["activity_spellings"]
    assert f.count == 2
    assert "'Check Credit' | 'check  credit' | 'Ｃｈｅｃｋ Ｃｒｅｄｉｔ'" in f.examples
    assert "'审批' | '审批 '" in f.examples


def test_out_of_order_file() -> None:
    rows = _base(3)
    rows[0], rows[1] = rows[1], rows[0]  # file lists Check Credit before Create Order in c00
    f = _codes(audit_log(C.make_events(rows)))["out_of_order"]
    assert f.count == 1 and f.examples == ("c00",)


def test_placeholder_dates() -> None:
    rows = [{**r, "end": pd.Timestamp("1970-01-01") + (r["end"] - T)} for r in _base()]  # type: ignore[operator]
    assert "placeholder_dates" in _codes(audit_log(C.make_events(rows)))


def test_findings_sorted_by_severity_and_json_shape(tmp_path: Path) -> None:
    text = (
        "order_id,activity,end_time,user\n"
        "A,Create,2024-01-01 10:00,ann\nA,Ship,2024-01-02 10:00,\n"
        ",Create,2024-01-01 11:00,bob\nB,Create,not a date,bob\nB,Ship,2024-01-03 10:00,bob\n"
        "C,Create,2024-01-04 10:00,bob\n"
    )
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    report = read_log(path).audit
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    d = json.loads(dumps_json(report.to_dict()))
    assert set(d) == {
        "rows",
        "cases",
        "activities",
        "span",
        "mapping",
        "inferred",
        "timestamps",
        "resource_role",
        "markers",
        "findings",
    }
    assert set(d["span"]) == {"start", "end"}
    assert d["rows"] == 6 and d["cases"] == 3
    assert d["mapping"] == {"case": "order_id", "activity": "activity", "end": "end_time", "resource": "user"}
    for f in d["findings"]:
        assert set(f) == {"code", "severity", "count", "message", "examples"}
    by_code = {(f["code"], f["severity"]): f for f in d["findings"]}
    assert by_code[("missing_values", "error")]["examples"] == [3]
    assert by_code[("unparseable_timestamps", "error")]["examples"] == [4]
    assert "row 4: 'not a date'" in by_code[("unparseable_timestamps", "error")]["message"]
    assert by_code[("missing_values", "warning")]["count"] == 1
