"""Reports written once per test session from the hand-made inputs in ``_data.py`` (painting is the slow part)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _data import toy_events, toy_experiment, toy_mining

from procopt.log import columns as C
from procopt.report.build import ReportFiles, build_report, write_report
from procopt.report.inputs import ReportInputs, ScenarioInfo
from procopt.report.types import Report


def toy_inputs(language: str = "en", *, xss: bool = False, experiment: bool = True) -> ReportInputs:
    """Report inputs from the toy log; Chinese names when ``language == "zh"``."""
    zh = language == "zh"
    return ReportInputs(
        source="toy.csv",
        events=toy_events(zh=zh, xss=xss),
        language=language,
        mining=toy_mining(zh=zh, xss=xss),
        experiment=toy_experiment() if experiment else None,
        delivery_activity="发货" if zh else "Ship Goods",
        scenarios=(ScenarioInfo("plus_one_credit_analyst", "proposed", "top bottleneck"),),
        run={"replications": 5, "days": 60, "seed": 1},
    )


@pytest.fixture(scope="session")
def toy_written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Report, ReportFiles]]:
    """English, Chinese and hostile-name (``<script>``) reports, built and written once."""
    root = tmp_path_factory.mktemp("reports")
    out = {}
    for key, inputs in (("en", toy_inputs("en")), ("zh", toy_inputs("zh")), ("xss", toy_inputs("en", xss=True))):
        report = build_report(inputs)
        out[key] = (report, write_report(report, root / key))
    return out


@pytest.fixture(scope="session")
def toy_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy log written as an ERP-style CSV (headers procopt maps by itself)."""
    ev = toy_events(n_cases=40)
    raw = ev.rename(
        columns={
            C.CASE: "order_id",
            C.ACTIVITY: "activity",
            C.START: "start_time",
            C.END: "end_time",
            C.RESOURCE: "user",
            C.DEPARTMENT: "department",
            C.DUE: "promised_date",
        }
    )
    raw = raw[
        [
            "order_id",
            "activity",
            "start_time",
            "end_time",
            "user",
            "department",
            "region",
            "order_value",
            "promised_date",
        ]
    ]
    path = tmp_path_factory.mktemp("logs") / "toy_orders.csv"
    raw.to_csv(path, index=False)
    return path
