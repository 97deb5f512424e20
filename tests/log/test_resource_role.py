"""A resource column that names customers or applicants is recognised (resource_role = case_party)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from procopt.cli import main
from procopt.log import columns as C
from procopt.log.audit import audit_log, classify_resource
from procopt.log.read import read_log


def _applicant_log(n_cases: int = 400) -> pd.DataFrame:
    """Each applicant files one or two applications and appears on every event of them (387-person 'team')."""
    rows = []
    for i in range(n_cases):
        applicant = f"applicant{i // 2 if i % 3 == 0 else i + 10_000}"
        t0 = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=3 * i)
        for k, step in enumerate(["Submit", "Review", "Decide"]):
            rows.append({"case": f"A{i}", "activity": step, "end": t0 + pd.Timedelta(hours=k), "resource": applicant})
    return pd.DataFrame(rows)


def test_applicant_as_resource_is_a_case_party() -> None:
    role, (finding,) = classify_resource(C.make_events(_applicant_log().to_dict("records")))
    assert role == "case_party"
    assert finding.code == "resource_is_case_party" and finding.severity == "warning"
    assert "names the customer or applicant" in finding.message and "--map resource=" in finding.message


def test_staff_column_is_staff() -> None:
    frame = _applicant_log()
    frame["resource"] = "clerk" + (frame.index % 7).astype(str)
    assert classify_resource(C.make_events(frame.to_dict("records")))[0] == "staff"


def test_no_resource_is_none() -> None:
    frame = _applicant_log().drop(columns=["resource"])
    report = audit_log(C.make_events(frame.to_dict("records")))
    assert report.resource_role == "none" and report.finding("resource_is_case_party") is None


def test_small_log_with_one_person_per_case_is_not_judged() -> None:
    # 12 cases, 12 handlers: too few distinct values to tell staff from applicants
    frame = _applicant_log(12)
    assert classify_resource(C.make_events(frame.to_dict("records")))[0] == "staff"


def test_cli_and_loaded_log_expose_the_role(tmp_path: Path) -> None:
    path = tmp_path / "applications.csv"
    _applicant_log().to_csv(path, index=False)
    assert read_log(path).resource_role == "case_party"
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert "case parties: the resource column names customers or applicants" in result.output
    assert "WARN  resource_is_case_party" in result.output
    doc = json.loads(CliRunner().invoke(main, ["validate", str(path), "--json"]).output)
    assert doc["resource_role"] == "case_party"
