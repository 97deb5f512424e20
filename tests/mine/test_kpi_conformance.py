"""KPIs against known answers, KPI file validation, KPI conflicts, and conformance to a blueprint."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.cli import main
from procopt.errors import InputError
from procopt.log.columns import make_events
from procopt.mine.kpi import evaluate_kpis
from procopt.mine.kpi_config import load_kpis, parse_kpis

SAMPLE = Path(__file__).resolve().parents[2] / "sample_logs"
T0 = datetime(2024, 1, 1, 9, 0)  # a Monday


def _weeks_log() -> list[dict[str, object]]:
    """12 weeks; week w has 5 + 2w orders, of which w are delivered late (busier weeks deliver later)."""
    rows: list[dict[str, object]] = []
    for w in range(12):
        for k in range(5 + 2 * w):
            case = f"w{w}-{k}"
            t = T0 + timedelta(weeks=w, hours=k % 8)
            late = k < w  # more orders -> more late deliveries
            ship = t + timedelta(days=3 if late else 1)
            rows += [
                {
                    "case": case,
                    "activity": "Enter",
                    "start": t,
                    "end": t + timedelta(minutes=10),
                    "department": "Sales",
                    "due": t + timedelta(days=2),
                },
                {
                    "case": case,
                    "activity": "Approve",
                    "start": t + timedelta(hours=2),
                    "end": t + timedelta(hours=3),
                    "department": "Finance",
                    "due": t + timedelta(days=2),
                },
                {
                    "case": case,
                    "activity": "Ship",
                    "start": ship,
                    "end": ship + timedelta(minutes=30),
                    "department": "Logistics",
                    "due": t + timedelta(days=2),
                },
            ]
    return rows


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "kpis.yaml"
    path.write_text(body, encoding="utf-8")
    return path


KPIS = """version: 1
kpis:
  - {name: Orders per week, type: throughput_per_week, owner: Sales, activity: Enter, target: {min: 10}}
  - {name: On-time delivery, type: on_time_delivery, owner: Logistics, delivery_activity: Ship, target: {min: 0.9}}
  - {name: Approval time, type: approval_cycle_time, owner: Finance, statistic: median, target: {max: 2}}
  - {name: Lead time, type: lead_time, owner: Logistics, from: Enter, to: Ship, statistic: mean, target: {max: 30}}
"""


def test_kpi_values_status_and_conflict(tmp_path: Path) -> None:
    events = make_events(_weeks_log())
    config = load_kpis(_config(tmp_path, KPIS), activities=["Enter", "Approve", "Ship"])
    values, conflicts = evaluate_kpis(events, config)
    v = {x.name: x for x in values}
    orders = sum(5 + 2 * w for w in range(1, 11)) / 10  # weeks 1..10 (first and last week are partial)
    assert v["Orders per week"].value == pytest.approx(orders)
    assert v["Orders per week"].status == "met"
    late = sum(min(w, 5 + 2 * w) for w in range(12))
    total = sum(5 + 2 * w for w in range(12))
    assert v["On-time delivery"].value == pytest.approx(1 - late / total)
    assert v["On-time delivery"].status == "missed"
    assert v["Approval time"].value == pytest.approx(2.0 - 10 / 60 + 1.0)  # wait 1h50 + 1 h work
    assert v["Approval time"].status == "missed"
    assert len(v["On-time delivery"].weekly) == 12
    # Sales' good weeks (many orders) are Logistics' bad weeks
    pair = next(c for c in conflicts if {c.kpi_a, c.kpi_b} == {"Orders per week", "On-time delivery"})
    assert pair.r < -0.5 and pair.weeks == 10
    assert "Weeks with higher Orders per week (Sales) had lower On-time delivery (Logistics)" in pair.sentence


def test_at_risk_within_ten_percent(tmp_path: Path) -> None:
    body = KPIS.replace("target: {min: 10}}", "target: {min: 17}}")  # value 16 is within 10 %
    values, _ = evaluate_kpis(make_events(_weeks_log()), load_kpis(_config(tmp_path, body)))
    assert values[0].status == "at_risk"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        (
            "version: 1\nkpis:\n  - {name: X, type: lead_tme, target: {max: 1}}\n",
            "kpis[0].type",
            "unknown KPI type 'lead_tme'. Did you mean 'lead_time'?",
        ),
        (
            "version: 1\nkpis:\n  - {name: X, type: lead_time, target: {max: 1}, form: Enter}\n",
            "kpis[0].form",
            "unknown key 'form'. Did you mean 'from'?",
        ),
        (
            "version: 1\nkpis:\n  - {name: X, type: lead_time, target: {max: 1}, from: Entr}\n",
            "kpis[0].from",
            "unknown activity 'Entr'. Did you mean 'Enter'?",
        ),
        (
            "version: 1\nkpis:\n  - {name: X, type: lead_time, target: 5}\n",
            "kpis[0].target",
            "target must be {max: number} or {min: number}",
        ),
        ("version: 2\nkpis: []\n", "version", "unsupported version 2"),
        ("version: 1\nkpi: []\n", "kpi", "unknown key 'kpi'. Did you mean 'kpis'?"),
    ],
)
def test_kpi_file_errors_name_the_place(tmp_path: Path, body: str, where: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        load_kpis(_config(tmp_path, body), activities=["Enter", "Ship"])
    assert info.value.where == where
    assert message in info.value.message


def test_kpi_cli_on_sample_and_error_exit(tmp_path: Path) -> None:
    log = SAMPLE / "o2c_orders.csv"
    if not log.is_file():
        pytest.fail(
            "committed sample logs are missing: regenerate them with `procopt generate` (see sample_logs/README.md)"
        )
    runner = CliRunner()
    result = runner.invoke(main, ["kpi", str(log), "--kpis", str(SAMPLE / "kpis.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_name = {k["name"]: k for k in data["kpis"]}
    truth = json.loads((SAMPLE / "o2c_orders.truth.json").read_text(encoding="utf-8"))
    assert by_name["On-time delivery"]["value"] == pytest.approx(truth["delivery_rate"], abs=0.03)
    assert {k["status"] for k in data["kpis"]} <= {"met", "at_risk", "missed", "no_data"}
    text = runner.invoke(main, ["kpi", str(log), "--kpis", str(SAMPLE / "kpis.yaml")])
    assert "On-time delivery [Logistics]" in text.stdout and "KPI conflicts" in text.stdout
    bad = _config(
        tmp_path,
        "version: 1\nkpis:\n  - {name: X, type: on_time_delivery, delivery_activity: Ship Good, target: {min: 1}}\n",
    )
    err = runner.invoke(main, ["kpi", str(log), "--kpis", str(bad)])
    assert err.exit_code == 2
    assert "unknown activity 'Ship Good'. Did you mean 'Ship Goods'?" in err.output
    assert "Traceback" not in err.output


def test_sample_kpi_file_is_valid() -> None:
    config = parse_kpis(
        __import__("yaml").safe_load((SAMPLE / "kpis.yaml").read_text(encoding="utf-8")), SAMPLE / "kpis.yaml"
    )
    assert {k.type for k in config.kpis} >= {
        "lead_time",
        "on_time_delivery",
        "first_pass_yield",
        "approval_cycle_time",
        "throughput_per_week",
        "data_completeness",
    }


def test_conformance_finds_the_undesigned_loops(o2c: object) -> None:
    from procopt.mine.conformance import check_conformance

    result = check_conformance(o2c.events, SAMPLE / "o2c_blueprint.bpmn")  # type: ignore[attr-defined]
    assert 0.9 < result.fitness < 1.0
    assert set(result.activities_not_in_model) == {"Revise Order", "Rework"}
    unexpected = result.deviations[result.deviations["kind"] == "unexpected"]
    assert {"Rework", "Revise Order"} <= set(unexpected["activity"])
    rework = unexpected[unexpected["activity"] == "Rework"].iloc[0]
    loops = o2c.truth  # type: ignore[attr-defined]
    assert "Rework" in loops.rework_activities
    assert rework["cases"] > 50 and len(rework["example_cases"].split()) == 3


def test_conformance_cli_errors_for_broken_bpmn(tmp_path: Path) -> None:
    log = SAMPLE / "o2c_orders.csv"
    bad = tmp_path / "broken.bpmn"
    bad.write_text("<bpmn:definitions", encoding="utf-8")
    for model, message in ((bad, "not valid XML"), (tmp_path / "missing.bpmn", "BPMN file not found")):
        result = CliRunner().invoke(main, ["conformance", str(log), "--model", str(model)])
        assert result.exit_code == 2
        assert message in result.output
        assert "Traceback" not in result.output
    notbpmn = tmp_path / "other.bpmn"
    notbpmn.write_text("<svg></svg>", encoding="utf-8")
    result = CliRunner().invoke(main, ["conformance", str(log), "--model", str(notbpmn)])
    assert result.exit_code == 2 and "not a BPMN 2.0 file" in result.output


@settings(max_examples=100, deadline=None)
@given(st.floats(0.01, 1e6), st.floats(0, 2e6), st.sampled_from(["max", "min"]))
def test_status_follows_the_target_direction(target: float, value: float, kind: str) -> None:
    from procopt.mine.kpi import _status

    config = parse_kpis(
        {"version": 1, "kpis": [{"name": "K", "type": "lead_time", "target": {kind: target}}]}, Path("k.yaml")
    )
    status = _status(value, config.kpis[0])
    better = value <= target if kind == "max" else value >= target
    within = abs(value - target) <= 0.1 * target
    assert status == ("met" if better else "at_risk" if within else "missed")


def test_conformance_against_a_model_of_another_process_is_an_input_error(tmp_path: Path) -> None:
    from procopt.mine.conformance import check_conformance

    events = make_events([{"case": "c", "activity": "Enter", "end": T0}, {"case": "c", "activity": "Ship", "end": T0}])
    with pytest.raises(InputError) as info:
        check_conformance(events, SAMPLE / "o2c_blueprint.bpmn")
    assert "none of the log's activities is a task of this BPMN model" in info.value.message
    assert "Check Credit" in (info.value.hint or "") and "log: Enter, Ship" in (info.value.hint or "")


def test_cases_still_running_at_log_end_are_not_counted_as_skipped(o2c: object) -> None:
    from procopt.log import columns as C
    from procopt.mine.conformance import check_conformance, still_running

    events = o2c.events  # type: ignore[attr-defined]
    full = check_conformance(events, SAMPLE / "o2c_blueprint.bpmn")
    # cut the 40 most recent cases after their first two steps, as an extraction at that date would
    recent = events.groupby(C.CASE)[C.END].min().sort_values().index[-40:]
    pos = events.groupby(C.CASE).cumcount()
    cut = events[~(events[C.CASE].isin(recent) & (pos >= 2))].reset_index(drop=True)
    running = still_running(cut)
    assert set(recent) <= set(running)
    result = check_conformance(cut, SAMPLE / "o2c_blueprint.bpmn")
    assert result.running_cases == len(running)
    assert result.cases == events[C.CASE].nunique() - len(running)
    assert any("still running" in n for n in result.notes)
    examples = " ".join(result.deviations["example_cases"]).split()
    assert not set(examples) & set(running)
    skipped = result.deviations[result.deviations["kind"] == "skipped"]["cases"].sum()
    skipped_full = full.deviations[full.deviations["kind"] == "skipped"]["cases"].sum()
    assert skipped <= skipped_full  # the cut cases add no skipped steps


def test_approval_cycle_time_is_per_case_over_all_approval_steps(tmp_path: Path) -> None:
    rows = []
    for i in range(10):
        t = T0 + timedelta(days=i)
        rows += [
            {"case": f"c{i}", "activity": "Enter", "start": t, "end": t, "department": "Sales"},
            {
                "case": f"c{i}",
                "activity": "Approve (Manager)",
                "start": t + timedelta(hours=1),
                "end": t + timedelta(hours=1),
                "department": "Sales",
            },
            {
                "case": f"c{i}",
                "activity": "Approve (Director)",
                "start": t + timedelta(hours=6),
                "end": t + timedelta(hours=6),
                "department": "Finance",
            },
            {
                "case": f"c{i}",
                "activity": "Ship",
                "start": t + timedelta(hours=7),
                "end": t + timedelta(hours=8),
                "department": "Logistics",
            },
        ]
    body = "version: 1\nkpis:\n  - {name: Approval, type: approval_cycle_time, owner: Finance, statistic: median, target: {max: 4}}\n"
    config = load_kpis(_config(tmp_path, body), activities=["Enter", "Approve (Manager)", "Approve (Director)", "Ship"])
    (value,), _ = evaluate_kpis(make_events(rows), config)
    assert value.value == pytest.approx(6.0)  # 1 h for the manager + 5 h for the director, per case
    assert value.observations == 10
    assert value.status == "missed"
    deps = value.by_department.set_index("department")["value"].to_dict()
    assert deps == {"Sales": pytest.approx(1.0), "Finance": pytest.approx(5.0)}


def test_conformance_cli_reports_running_cases_separately() -> None:
    log, model = str(SAMPLE / "o2c_orders.csv"), str(SAMPLE / "o2c_blueprint.bpmn")
    text = CliRunner().invoke(main, ["conformance", log, "--model", model])
    assert text.exit_code == 0, text.output
    assert "still running at the end of the log are left out" in text.output
    assert "finished cases follow the blueprint" in text.output
    out = CliRunner().invoke(main, ["conformance", log, "--model", model, "--json"])
    data = json.loads(out.output)
    assert data["running_cases"] > 0 and len(data["running_examples"]) == 3
    assert data["cases"] + data["running_cases"] == 1502  # every case of the sample is either judged or running
