"""SAP export habits: ALPHA keys, empty dates, trailing minus, decimal commas, SE16N labels."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.extract import sapfields as F
from procopt.extract.engine import _NUM_BODY, _NUM_MACRO


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    for macro in (*F.SQL_MACROS, _NUM_BODY, _NUM_MACRO):
        c.execute(macro)
    return c


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=6))
def test_alpha_out_drops_leading_zeros_only(number: int, pad: int) -> None:
    text = "0" * pad + str(number)
    assert F.alpha_out(text) == str(number)
    assert F.alpha_out(f"  {text} ") == str(number)


def test_alpha_out_keeps_text_keys() -> None:
    assert F.alpha_out("T-VPC00") == "T-VPC00"
    assert F.alpha_out("   ") is None
    assert F.alpha_out("000000") == "0"


def _sap_format(value: float, decimal: str, trailing_minus: bool, thousands: bool) -> str:
    body = f"{abs(value):,.2f}" if thousands else f"{abs(value):.2f}"
    if decimal == ",":
        body = body.replace(",", "_").replace(".", ",").replace("_", ".")
    if value < 0:
        return body + "-" if trailing_minus else "-" + body
    return body


@given(
    st.decimals(min_value=-(10**7), max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([",", "."]),
    st.booleans(),
    st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_parse_number_reads_every_sap_spelling(value, decimal, trailing, thousands) -> None:  # type: ignore[no-untyped-def]
    text = _sap_format(float(value), decimal, trailing, thousands)
    assert F.parse_number(text) == pytest.approx(float(value), abs=1e-9)


@given(
    st.decimals(min_value=-(10**7), max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([",", "."]),
    st.booleans(),
    st.booleans(),
)
@settings(max_examples=40, deadline=None)
def test_sql_macros_agree_with_python(con, value, decimal, trailing, thousands) -> None:  # type: ignore[no-untyped-def]
    text = _sap_format(float(value), decimal, trailing, thousands)
    got = con.execute("SELECT sap_num(?)", [text]).fetchone()[0]
    assert got == pytest.approx(F.parse_number(text), abs=1e-9)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=5))
@settings(max_examples=40, deadline=None)
def test_sql_sap_id_agrees_with_alpha_out(con, number: int, pad: int) -> None:  # type: ignore[no-untyped-def]
    text = "0" * pad + str(number)
    assert con.execute("SELECT sap_id(?)", [text]).fetchone()[0] == F.alpha_out(text)


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.booleans())
def test_parse_time(h: int, m: int, s: int, colons: bool) -> None:
    text = f"{h:02d}:{m:02d}:{s:02d}" if colons else f"{h:02d}{m:02d}{s:02d}"
    assert F.parse_time(text) == h * 3600 + m * 60 + s


def test_sap_ts_and_empty_date(con) -> None:  # type: ignore[no-untyped-def]
    got = con.execute("SELECT sap_ts(DATE '2020-03-26', '081257'), sap_ts(NULL, '081257')").fetchone()
    assert str(got[0]) == "2020-03-26 08:12:57" and got[1] is None


def test_date_formats_detected_and_mixtures_reported() -> None:
    fmt = F.detect_date_format(["20200326", "00000000", "", None, "20201231"])
    assert isinstance(fmt, F.DateFormat) and fmt.name == "YYYYMMDD"
    assert F.detect_date_format(["00000000", ""]) is None
    mixed = F.detect_date_format(["20200326", "26.03.2020"])
    assert mixed == [("DD.MM.YYYY", "26.03.2020"), ("YYYYMMDD", "20200326")]


def test_parse_number_rejects_text() -> None:
    with pytest.raises(ValueError, match="not a number"):
        F.parse_number("12a")


def test_se16n_labels_become_technical_names() -> None:
    header = [
        "Client",
        "Preceding Document",
        "Preceding Item",
        "Subsequent Document",
        "Subsequent Item",
        "Created on",
        "Time",
    ]
    renames = F.technical_names("vbfa", header)
    assert renames == {
        "Client": "MANDT",
        "Preceding Document": "VBELV",
        "Preceding Item": "POSNV",
        "Subsequent Document": "VBELN",
        "Subsequent Item": "POSNN",
        "Created on": "ERDAT",
        "Time": "ERZET",
    }
    # Technical headers are left alone.
    assert F.technical_names("VBFA", ["VBELV", "ERDAT"]) == {}
