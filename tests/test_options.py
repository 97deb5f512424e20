"""One declaration per option: the same defaults and the same calibration options on every command."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.sim import defaults


def _command(name: str) -> click.Command:
    ctx = click.Context(main)
    cmd = main.get_command(ctx, name)
    assert cmd is not None
    return cmd


def _defaults(name: str) -> dict[str, object]:
    return {p.name: p.default for p in _command(name).params if p.name}


@pytest.mark.parametrize("name", ["simulate", "sweep", "report", "demo"])
def test_every_simulating_command_has_the_one_set_of_run_defaults(name: str) -> None:
    got = _defaults(name)
    assert (got["replications"], got["days"], got["warmup_days"], got["seed"]) == (
        defaults.REPLICATIONS,
        defaults.DAYS,
        defaults.WARMUP_DAYS,
        defaults.SEED,
    )


def test_pipeline_and_experiment_use_the_same_defaults() -> None:
    from procopt.pipeline import PipelineOptions
    from procopt.sim.experiment import RunConfig

    p, r = PipelineOptions(), RunConfig()
    assert (p.replications, p.days, p.warmup_days, p.seed) == (r.replications, r.days, r.warmup_days, r.seed)


@pytest.mark.parametrize("name", ["model", "simulate", "sweep", "report"])
def test_every_calibrating_command_takes_the_same_options(name: str) -> None:
    params = {p.name: p for p in _command(name).params}
    for option in ("map_", "sla", "delivery_activity"):
        assert option in params, f"procopt {name} lacks {option}"
    assert params["sla"].opts == ["--sla"] and params["delivery_activity"].opts == ["--delivery-activity"]


def test_calibration_options_on_a_model_file_are_refused(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text("version: 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(model), "--sla", "72h"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--sla and --delivery-activity apply when calibrating from a log, not to a model file" in result.output


def test_model_and_report_pick_the_same_delivery_activity() -> None:
    """One rule (procopt/log/delivery.py): among frequent delivery-named steps the one that ends a case's delivery
    path, then frequency, then name; Chinese names too."""
    from procopt.log import columns as C
    from procopt.log.delivery import detect_delivery_activity
    from procopt.report.inputs import ReportInputs

    rows = []
    t0 = pd.Timestamp("2024-03-04 09:00")
    for case in range(6):
        steps = ["录入订单", "发运", "Ship Goods"] if case % 2 else ["录入订单", "发运"]
        for i, act in enumerate(steps):
            rows.append({"case": f"c{case}", "activity": act, "end": t0 + pd.Timedelta(hours=case * 3 + i)})
    events = C.make_events(rows)
    assert detect_delivery_activity(events) == "发运"  # 6 occurrences beat Ship Goods' 3
    assert ReportInputs(source="x.csv", events=events).delivery == "发运"
    tie = C.make_events(
        [
            {"case": "a", "activity": "Ship Goods", "end": t0},
            {"case": "b", "activity": "Deliver Invoice", "end": t0 + pd.Timedelta(hours=1)},
        ]
    )
    assert detect_delivery_activity(tie) == detect_delivery_activity(tie.iloc[::-1]) == "Ship Goods"
    path = C.make_events(
        [
            {"case": c, "activity": act, "end": t0 + pd.Timedelta(hours=i)}
            for c in ("a", "b")
            for i, act in enumerate(("prepare delivery", "make delivery"))
        ]
    )
    # delivered when the delivery path ends, whatever the row order
    assert detect_delivery_activity(path) == detect_delivery_activity(path.iloc[::-1]) == "make delivery"


def test_calibration_uses_the_shared_rule(o2c_generated) -> None:  # type: ignore[no-untyped-def]
    from procopt.log.delivery import detect_delivery_activity
    from procopt.model.calibrate import calibrate

    events = o2c_generated.events
    assert calibrate(events).delivery_activity == detect_delivery_activity(events)
    assert detect_delivery_activity(events) == o2c_generated.truth.delivery_activity


@pytest.mark.parametrize("option", ['"--map"', '"--seed"', '"--sla"', '"--delivery-activity"', '"--replications"'])
def test_each_shared_option_is_declared_once(option: str) -> None:
    cli = Path(__file__).resolve().parents[1] / "procopt" / "cli"
    declared = [p.name for p in sorted(cli.glob("*.py")) if option in p.read_text(encoding="utf-8")]
    assert declared == ["options.py"], declared


@pytest.mark.parametrize("name", ["validate", "mine", "bottlenecks", "approvals", "conformance", "kpi", "model"])
def test_every_log_reading_command_takes_map(name: str) -> None:
    assert "map_" in {p.name for p in _command(name).params}
