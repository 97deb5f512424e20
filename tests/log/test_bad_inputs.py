"""Every hostile input gives exit 2, a message naming the file, the problem and the fix — never a traceback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from procopt.cli import main

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
DATA = BAD.parent

CASES = [
    ("empty.csv", "the file is empty (0 bytes)", "Export the event log again"),
    ("blank.csv", "the file holds no data (only blanks)", "Export the event log again"),
    ("binary.csv", "this is a binary file", "Turn it into an event log first"),
    ("one_column.csv", "every row landed in one column (header 'case^activity^time')", "comma, semicolon or tab"),
    (
        "missing_column.csv",
        "cannot find the 'activity' and 'end' columns of the event log",
        "Columns found: 'order_id', 'step_name', 'user'",
    ),
    (
        "bad_dates.csv",
        "no value in the end column 'timestamp' can be read as a date/time (e.g. 'yesterday'",
        "Use ISO dates",
    ),
    ("header_only.csv", "the file has a header but no event rows", "Export the event log again"),
    ("truncated.xes", "the XES file is truncated: it does not end with </log>", "export the file again"),
    ("not_xml.xes", "the file has an XES extension but does not contain XML", "rename it to .csv"),
    ("model.bpmn", "this is a BPMN process model (a diagram), not an event log", "procopt conformance"),
    ("notes.dat", "unknown file type '.dat'", "procopt reads .csv"),
    ("truncated.csv.gz", "the gzip file is damaged or truncated", "Download or export the file again"),
    ("VBFA.zip", "VBFA is the SAP document-flow table", "Turn it into an event log first"),
    (
        "erp_tables.sqlite",
        "this is a SQLite database of ERP tables (Customers, Orders), not an event log",
        "Extract an event log from it",
    ),
]


@pytest.mark.parametrize(("name", "problem", "hint"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_message(name: str, problem: str, hint: str) -> None:
    path = BAD / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"Error: {path}" in result.output
    assert problem in result.output
    assert "Hint:" in result.output and hint in result.output
    assert "Traceback" not in result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # input files are never modified


def test_missing_file() -> None:
    result = CliRunner().invoke(main, ["validate", "no/such/orders.csv"])
    assert result.exit_code == 2
    assert "Error: no/such/orders.csv: no such file" in result.output


def test_map_to_unknown_column_suggests() -> None:
    result = CliRunner().invoke(main, ["validate", str(DATA / "o2c_small.csv"), "--map", "case=order_ld"])
    assert result.exit_code == 2
    assert "--map case=order_ld: there is no column 'order_ld'. Did you mean 'order_id'?" in result.output
    assert "Hint: Columns found: 'order_id', 'activity', 'start_time'" in result.output
    assert "Traceback" not in result.output


def test_map_unknown_role() -> None:
    result = CliRunner().invoke(main, ["validate", str(DATA / "o2c_small.csv"), "--map", "cse=order_id"])
    assert result.exit_code == 2
    assert "--map names unknown role 'cse'. Did you mean 'case'?" in result.output


def test_object_type_on_a_csv() -> None:
    result = CliRunner().invoke(main, ["validate", str(DATA / "o2c_small.csv"), "--object-type", "orders"])
    assert result.exit_code == 2
    assert "--object-type 'orders' applies only to object-centric (OCEL) logs" in result.output


def test_ragged_rows_fall_back_and_explain(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("case,activity,time\nA,x,2024-01-01\nA,y,2024-01-02,extra,fields\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "the rows do not all have the same number of fields" in result.output
    assert "Traceback" not in result.output
