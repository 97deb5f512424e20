"""Every real log in ../shared/logs loads with the counts of its INVENTORY.md, or a finding explains why not.

Files that are not event logs (BPMN models, raw ERP tables, simulation parameters) give a clear exit-2 message.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.log import columns as C
from procopt.log.read import read_log

slow = pytest.mark.slow

# file: (rows/events, cases, activities) as INVENTORY.md states them
LOGS = {
    "approvals/InternationalDeclarations.xes.gz": (70727, 6323, 33),
    "approvals/PermitLog.xes.gz": (81092, 6426, 49),
    "approvals/PrepaidTravelCost.xes.gz": (17507, 2007, 29),
    "approvals/dryers_fond_eventlog.csv": (12151, 587, 154),
    "approvals/mobis_challenge_log_2019_snippet.csv": (464, 118, 15),
    "erp/BPI_Challenge_2019_sample.csv": (6567, 1000, 32),
    "erp/hospital_billing_from_rda.csv": (49951, 10000, 16),
    "erp/interval_event_log.csv": (8109, 1266, 8),
    "erp/interval_event_log.xes": (8109, 1266, 8),
    "general/02_teleclaims.xes.gz": (46138, 3512, 11),
    "general/03_repairExample.xes.gz": (11855, 1104, 8),
    "general/07_bpic2013_incidents.xes.gz": (65533, 7554, 4),
    "general/bpic2012.xes.gz": (262200, 13087, 24),
    "general/helpdesk.xes.gz": (21348, 4580, 14),
    "general/receipt.csv": (8577, 1434, 27),
    "general/running-example.csv": (42, 6, 8),
    "general/running-example.xes": (42, 6, 8),
    "general/sepsis.csv": (15214, 1050, 16),
    "general/traffic_fines_from_rda.csv": (34724, 10000, 11),
    "simulation-benchmarks/BPI_Challenge_2012_W_Two_TS.xes.gz": (118604, 8616, 6),
    "simulation-benchmarks/Insurance_Claims_test.csv": (5398, 1000, 7),
    "simulation-benchmarks/Insurance_Claims_train.csv": (5443, 1000, 7),
    "simulation-benchmarks/LoanApp_simplified_test.csv.gz": (7495, 1000, 12),
    "simulation-benchmarks/LoanApp_simplified_train.csv.gz": (7544, 1000, 12),
    "simulation-benchmarks/Production.csv": (4503, 225, 24),
    "simulation-benchmarks/Production.xes.gz": (9906, 225, 26),
    "simulation-benchmarks/PurchasingExample.csv.gz": (9119, 608, 21),
    "simulation-benchmarks/insurance.xes.gz": (46282, 1182, 9),
}
#: Differences from INVENTORY.md and the finding that explains each.
EXPLAINED = {
    ("erp/hospital_billing_from_rda.csv", "cases"): "missing_values",  # one row has no case id
    ("general/bpic2012.xes.gz", "activities"): "lifecycle_dropped",  # an activity with only SCHEDULE events
    ("simulation-benchmarks/Production.xes.gz", "activities"): "artificial_markers",  # Start/End pseudo-activities
    ("general/02_teleclaims.xes.gz", "activities"): "artificial_markers",  # a zero-duration 'end' closing every case
}
SLOW = {
    "approvals/InternationalDeclarations.xes.gz",
    "approvals/PermitLog.xes.gz",
    "general/bpic2012.xes.gz",
    "simulation-benchmarks/BPI_Challenge_2012_W_Two_TS.xes.gz",
    "general/07_bpic2013_incidents.xes.gz",
    "approvals/PrepaidTravelCost.xes.gz",
    "general/02_teleclaims.xes.gz",
    "simulation-benchmarks/insurance.xes.gz",
    "erp/hospital_billing_from_rda.csv",
    "general/helpdesk.xes.gz",
    "general/traffic_fines_from_rda.csv",
}

NOT_LOGS = {
    "erp/VBFA.zip": "SAP document-flow table",
    "erp/northwind.sqlite": "SQLite database of ERP tables",
    "approvals/declaration_documents.bpmn": "BPMN process model",
    "general/receipt.bpmn": "BPMN process model",
    "simulation-benchmarks/Production.json": "simulation parameters",
    "simulation-benchmarks/PurchasingExampleQBP.json": "simulation parameters",
}


def _params(names: dict[str, object], slow_ones: set[str]) -> list[object]:
    return [pytest.param(n, marks=[slow] if n in slow_ones else [], id=n.split("/")[-1]) for n in names]


@pytest.mark.parametrize("name", _params(LOGS, SLOW))
def test_real_log_counts_match_inventory(shared_logs: Path, name: str) -> None:
    rows, cases, activities = LOGS[name]
    log = read_log(shared_logs / name)
    audit = log.audit
    assert audit.rows == rows
    for what, expected, got in (("cases", cases, audit.cases), ("activities", activities, audit.activities)):
        if got != expected:
            code = EXPLAINED.get((name, what))
            assert code is not None, f"{name}: {what} {got} != {expected} and nothing explains it"
            assert audit.finding(code) is not None
    assert log.events[C.END].notna().all()
    assert audit.span_start is not None and audit.span_end is not None


@pytest.mark.parametrize(
    "name",
    [
        "ocel20_example.jsonocel",
        "ocel20_example.sqlite",
        "ocel20_example.xmlocel",
        "p2p-normal.jsonocel",
        pytest.param("running-example.sqlite", marks=slow),
    ],
)
def test_ocel_logs_flatten(shared_logs: Path, name: str) -> None:
    log = read_log(shared_logs / "ocel" / name)
    assert log.format == "ocel"
    assert log.audit.cases > 0 and log.audit.rows > 0
    assert log.audit.finding("object_type_chosen") is not None


@pytest.mark.parametrize("name", list(NOT_LOGS))
def test_non_event_logs_are_explained(shared_logs: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["validate", str(shared_logs / name)])
    assert result.exit_code == 2
    assert NOT_LOGS[name] in result.output
    assert "Hint:" in result.output
    assert "Traceback" not in result.output


def test_cli_on_a_real_semicolon_day_first_log(shared_logs: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(shared_logs / "approvals/mobis_challenge_log_2019_snippet.csv")])
    assert result.exit_code == 0
    assert "delimiter semicolon" in result.output
    assert re.search(r"rows read +464\n", result.output)
    assert "end format    dd.mm.yyyy HH:MM\n" in result.output  # dots: day-first, no ambiguity


@pytest.mark.parametrize("name", ["general/running-example.xes", "erp/interval_event_log.xes"])
def test_rustxes_and_iterparse_agree_on_real_xes(shared_logs: Path, name: str) -> None:
    pytest.importorskip("rustxes")
    import pandas as pd

    from procopt.log.formats import _parse_xes

    fast, _ = _parse_xes(shared_logs / name, "rustxes")
    slow, _ = _parse_xes(shared_logs / name, "iterparse")
    cols = sorted(fast.columns)
    assert cols == sorted(slow.columns)
    pd.testing.assert_frame_equal(
        fast[cols].reset_index(drop=True), slow[cols].reset_index(drop=True), check_dtype=False
    )


def test_xes_and_csv_exports_of_one_log_agree(shared_logs: Path) -> None:
    a = read_log(shared_logs / "erp/interval_event_log.csv").events
    b = read_log(shared_logs / "erp/interval_event_log.xes").events
    cols = [C.CASE, C.ACTIVITY, C.START, C.END]
    import pandas as pd

    pd.testing.assert_frame_equal(a[cols], b[cols])
