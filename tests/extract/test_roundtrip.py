"""Ground truth: the generated company written as SAP tables extracts back to the generated log exactly."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.errors import InputError
from procopt.extract import extract
from procopt.log import columns as C

from .roundtrip import assert_round_trip


@pytest.mark.parametrize(
    ("company", "variant"), [("o2c_ecc", "ecc"), pytest.param("o2c_s4", "s4hana", marks=pytest.mark.slow)]
)
def test_o2c_round_trip_is_exact(company: str, variant: str, request: pytest.FixtureRequest) -> None:
    comp = request.getfixturevalue(company)
    result = extract(str(comp.tables), "sap-o2c")
    assert result.variant == variant
    assert_round_trip(comp.log, result)
    # SAP has no start times: the extracted log is complete-only.
    assert result.events[C.START].isna().all()
    # The order's attributes come from VBAK/VBAP: value, customer, material, plant, sales organisation, due date.
    first = result.events.groupby(C.CASE).first()
    truth = comp.log.events.groupby(C.CASE).first()
    truth.index = truth.index.str.split("-").str[1]
    assert (first["order_value"].round(2) == truth.loc[first.index, "order_value"].round(2)).all()
    assert (first[C.DUE] == truth.loc[first.index, C.DUE]).all()
    assert {"customer", "material", "plant", "sales_org"} <= set(first.columns)


@pytest.mark.parametrize(
    ("company", "variant"), [pytest.param("p2p_ecc", "ecc", marks=pytest.mark.slow), ("p2p_s4", "s4hana")]
)
def test_p2p_round_trip_is_exact(company: str, variant: str, request: pytest.FixtureRequest) -> None:
    comp = request.getfixturevalue(company)
    result = extract(str(comp.tables), "sap-p2p")
    assert result.variant == variant
    assert_round_trip(comp.log, result)
    due = result.events.groupby(C.CASE)[C.DUE].first()
    truth = comp.log.events.groupby(C.CASE)[C.DUE].first()
    truth.index = truth.index.str.split("-").str[1]
    assert (due == truth.loc[due.index]).all()


def test_s4hana_tables_have_no_vbuk_and_ecc_no_matdoc(o2c_ecc, p2p_s4) -> None:  # type: ignore[no-untyped-def]
    ecc = {p.stem for p in o2c_ecc.tables.glob("*.csv")}
    s4 = {p.stem for p in p2p_s4.tables.glob("*.csv")}
    assert {"MKPF", "MSEG", "VBUK"} <= ecc and "MATDOC" not in ecc
    assert "MATDOC" in s4 and not {"MKPF", "MSEG"} & s4


@pytest.mark.slow
def test_case_notions_o2c(o2c_ecc) -> None:  # type: ignore[no-untyped-def]
    by_order = extract(str(o2c_ecc.tables), "sap-o2c")
    by_item = extract(str(o2c_ecc.tables), "sap-o2c", case="item")
    by_delivery = extract(str(o2c_ecc.tables), "sap-o2c", case="delivery")
    # One item per generated order: the item view has the same events, case ids ORDER/10.
    assert len(by_item.events) == len(by_order.events)
    assert by_item.events[C.CASE].str.endswith("/10").all()
    # Deliveries: only orders that were picked have one; their order-level steps come along through the link.
    delivered = by_order.events.loc[by_order.events[C.ACTIVITY] == "Create Delivery", C.CASE].nunique()
    assert by_delivery.events[C.CASE].nunique() == delivered
    assert "Create Sales Order" in set(by_delivery.events[C.ACTIVITY])


@pytest.mark.slow
def test_case_notions_p2p(p2p_ecc) -> None:  # type: ignore[no-untyped-def]
    by_po = extract(str(p2p_ecc.tables), "sap-p2p", case="po")
    by_invoice = extract(str(p2p_ecc.tables), "sap-p2p", case="invoice")
    assert by_po.events[C.CASE].str.startswith("45").all()
    assert "Create Purchase Requisition" in set(by_po.events[C.ACTIVITY])
    assert by_invoice.events[C.CASE].str.contains("/").all()
    with pytest.raises(InputError, match="Did you mean 'po_item'"):
        extract(str(p2p_ecc.tables), "sap-p2p", case="po_itm")


def test_generate_tables_option_writes_sap_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "o2c.csv"
    res = CliRunner().invoke(
        main,
        [
            "generate",
            "o2c",
            "--days",
            "21",
            "--out",
            str(out),
            "--tables",
            str(tmp_path / "t"),
            "--sap-release",
            "s4hana",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "SAP tables (s4hana)" in res.output
    vbak = (tmp_path / "t" / "VBAK.csv").read_text(encoding="utf-8-sig").splitlines()
    assert vbak[0].startswith("MANDT,VBELN")
    assert vbak[1].split(",")[1] == "0000100001"  # leading zeros, as SAP stores them
