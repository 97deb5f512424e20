"""The ERP files in ../shared/logs/erp: SAP document flow alone (VBFA.zip) and the Northwind SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from procopt.extract import extract
from procopt.log import columns as C

pytestmark = pytest.mark.shared


def test_vbfa_zip_gives_a_document_flow_log(shared_logs: Path) -> None:
    path = shared_logs / "erp" / "VBFA.zip"
    result = extract(str(path))  # no --recipe: VBFA alone picks the document-flow recipe
    assert result.recipe == "sap-docflow"
    ev = result.events
    counts = ev[C.ACTIVITY].value_counts()
    assert {"Create Delivery", "Create Invoice", "Create Goods Movement"} <= set(counts.index)
    # Every case is a root sales document (numbers without leading zeros) with at least one subsequent document.
    assert ev[C.CASE].str.fullmatch(r"[1-9]\d*").all()
    assert result.findings and {f.code for f in result.findings} >= {"duplicate_flow_rows"}
    # Deliveries descend from orders: a case with a delivery and an invoice has the delivery first, mostly.
    first = ev.sort_values(C.END).groupby([C.CASE, C.ACTIVITY])[C.END].first().unstack()
    both = first.dropna(subset=["Create Delivery", "Create Invoice"])
    assert (both["Create Delivery"] <= both["Create Invoice"]).mean() > 0.95


def test_northwind_delivery_rate_equals_the_database(shared_logs: Path) -> None:
    path = shared_logs / "erp" / "northwind.sqlite"
    result = extract(str(path), "northwind")
    ev = result.events
    shipped = ev[ev[C.ACTIVITY] == "Ship Order"].set_index(C.CASE)[C.END]
    due = ev.groupby(C.CASE)[C.DUE].first().reindex(shipped.index)
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as con:
        (truth,) = con.execute(
            "SELECT avg(ShippedDate <= RequiredDate) FROM Orders WHERE ShippedDate IS NOT NULL"
        ).fetchone()
        (orders,) = con.execute("SELECT count(*) FROM Orders").fetchone()
    assert ev[C.CASE].nunique() == orders
    assert (shipped <= due).mean() == pytest.approx(truth)
    assert ev["order_value"].notna().all() and ev[C.RESOURCE].notna().all()
