"""`procopt model` and `procopt simulate` as a user runs them: summaries, --json, files, error messages."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from procopt._io import write_csv
from procopt.cli import main
from procopt.log import columns as C
from procopt.sim.engine import simulate

_spec = importlib.util.spec_from_file_location("sim_helpers", Path(__file__).with_name("helpers.py"))
helpers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["sim_helpers"] = helpers
_spec.loader.exec_module(helpers)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small log in the user's own column names (the simulated output of a known model)."""
    import dataclasses

    from procopt.model.types import Arrivals, Distribution

    model = dataclasses.replace(
        helpers.two_step_model(calendar=helpers.OFFICE, d1=1200, d2=300),
        arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": 1500.0})),
    )
    frame = (
        simulate(model, days=20, seed=1)
        .drop(columns=[C.SOURCE_ROW])
        .rename(
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
    )
    frame["activity"] = frame["activity"].map({"Enter": "录入订单", "Check": "Check"})
    path = tmp_path_factory.mktemp("logs") / "orders.csv"
    write_csv(path, frame)
    return path


@pytest.fixture(scope="module")
def model_yaml(log_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model") / "model.yaml"
    result = CliRunner().invoke(main, ["model", str(log_csv), "--out", str(out), "--no-fidelity"])
    assert result.exit_code == 0, result.output
    assert "Pools:" in result.output and "录入订单" in result.output
    return out


def test_model_writes_yaml_and_summarises(model_yaml: Path) -> None:
    data = yaml.safe_load(model_yaml.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert set(data["activities"]) == {"录入订单", "Check"}
    assert data["delivery_activity"] is None


def test_model_json(log_csv: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "model",
            str(log_csv),
            "--out",
            str(tmp_path / "m.yaml"),
            "--no-fidelity",
            "--sla",
            "3d",
            "--delivery-activity",
            "Check",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["fidelity"] is None
    assert doc["summary"]["delivery_activity"] == "Check"
    assert doc["summary"]["due"] == {"kind": "sla", "sla_h": 72.0}
    assert set(doc["summary"]["pools"]) == set(doc["model_detail"]["pools"])


def test_simulate_writes_summary_and_logs(model_yaml: Path, tmp_path: Path) -> None:
    scen = tmp_path / "more.yaml"
    scen.write_text(
        "name: more_checkers\nchanges:\n  - capacity: {activity: Check, add: 1}\n"
        "kpi_targets:\n  lead_time_mean_hours: {max: 100}\n",
        encoding="utf-8",
    )
    out = tmp_path / "runs"
    args = [
        "simulate",
        str(model_yaml),
        "--scenario",
        str(scen),
        "--replications",
        "2",
        "--days",
        "10",
        "--warmup-days",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "more_checkers" in result.output and "lead time" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [r["scenario"] for r in summary["runs"]] == ["baseline", "more_checkers"]
    log = pd.read_csv(out / "logs" / "baseline.csv", encoding="utf-8-sig")
    assert {"case_id", "activity", "start_time", "end_time", "resource"} <= set(log.columns)
    assert "录入订单" in set(log["activity"])
    assert (out / "per_replication.csv").exists()
    again = CliRunner().invoke(main, [*args, "--json"])
    assert json.loads(again.output)["runs"] == summary["runs"]  # same seed, same numbers


def test_simulate_straight_from_a_log(log_csv: Path) -> None:
    result = CliRunner().invoke(
        main, ["simulate", str(log_csv), "--replications", "1", "--days", "5", "--warmup-days", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["runs"][0]["scenario"] == "baseline"


def _fails(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_error_unknown_pool_in_scenario(model_yaml: Path, tmp_path: Path) -> None:
    scen = tmp_path / "bad.yaml"
    scen.write_text("changes:\n  - capacity: {pool: Nobody, add: 1}\n", encoding="utf-8")
    _fails(
        ["simulate", str(model_yaml), "--scenario", str(scen)],
        f"Error: {scen}, changes[0].capacity.pool: unknown pool 'Nobody'",
    )


def test_error_malformed_model(model_yaml: Path, tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text(model_yaml.read_text(encoding="utf-8").replace("kind: ", "kind: x", 1), encoding="utf-8")
    _fails(["simulate", str(bad)], f"Error: {bad}, activities.")


def test_error_days_not_longer_than_warmup(model_yaml: Path) -> None:
    _fails(
        ["simulate", str(model_yaml), "--days", "5", "--warmup-days", "5"],
        "Error: --days (5) must be longer than the warm-up (5)",
    )


def test_error_bad_sla(log_csv: Path, tmp_path: Path) -> None:
    _fails(
        ["model", str(log_csv), "--out", str(tmp_path / "m.yaml"), "--sla", "soon"],
        "Error: --sla 'soon' is not a duration",
    )


def test_error_unknown_delivery_activity(log_csv: Path, tmp_path: Path) -> None:
    _fails(
        ["model", str(log_csv), "--out", str(tmp_path / "m.yaml"), "--no-fidelity", "--delivery-activity", "Chek"],
        "Error: --delivery-activity: unknown activity 'Chek'. Did you mean 'Check'?",
    )


def test_error_missing_scenario_file(model_yaml: Path, tmp_path: Path) -> None:
    _fails(["simulate", str(model_yaml), "--scenario", str(tmp_path / "none.yaml")], "file not found")
