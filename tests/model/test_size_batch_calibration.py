"""Calibration turns a size-triggered batch into ``BatchRule(size=N)``; the calibrated model batches again."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

from procopt.cli.model import render_model, summarise_model
from procopt.generate.waiting_causes import generate_waiting_causes
from procopt.mine import batching as B
from procopt.mine import instances as I
from procopt.model.calibrate import CalibrationOptions, calibrate
from procopt.model.types import BatchRule
from procopt.scenario import apply_scenario, scenario_from_dict
from procopt.sim.engine import simulate

_spec = importlib.util.spec_from_file_location("sim_helpers", Path(__file__).parents[1] / "sim" / "helpers.py")
helpers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["sim_helpers"] = helpers
_spec.loader.exec_module(helpers)  # type: ignore[union-attr]


def test_size_clock_and_plain_steps_calibrate_to_their_rules_and_batch_again() -> None:
    truth = helpers.batch_mix_model(size=8, printers=1)
    model = calibrate(simulate(truth, days=42, seed=3))
    printed = model.activities["Print"].batch
    assert printed is not None and printed.size == 8 and printed.release_times == ()
    # the longest fill in the log (about 8 arrivals, 30 min apart on average) bounds the simulated wait
    assert printed.max_wait_hours is not None and 4 <= printed.max_wait_hours <= 48
    assert model.activities["Sign"].batch == BatchRule(("16:00",), ("Mon", "Tue", "Wed", "Thu", "Fri"))
    assert model.activities["Receive"].batch is None
    again, has_start = I.build_instances(simulate(model, days=42, seed=9))
    found = {p.activity: p for p in B.detect_batches(again, has_start)[0]}
    assert (found["Print"].trigger, found["Print"].batch_size) == ("size", 8)


def _print_wait_h(events: pd.DataFrame) -> float:
    inst, _ = I.build_instances(events)
    return float(inst[inst[I.ACTIVITY] == "Print"][I.WAIT].mean()) / 3600.0


def test_a_smaller_batch_on_the_calibrated_model_predicts_the_true_effect() -> None:
    """The what-if the size rule exists for: batches of 4 instead of 8, on the calibrated model and in truth."""
    model = calibrate(simulate(helpers.batch_mix_model(size=8), days=42, seed=3))
    smaller = scenario_from_dict({"name": "fours", "changes": [{"batch": {"activity": "Print", "size": 4}}]})
    predicted = _print_wait_h(simulate(apply_scenario(model, smaller), days=90, seed=1, warmup_days=7))
    true = _print_wait_h(simulate(helpers.batch_mix_model(size=4), days=90, seed=2, warmup_days=7))
    # about 1.5 orders' gaps of 30 min (0.8 h) in both; batches of 8 held cases about 1.8 h
    assert abs(predicted - true) < 0.15 * true, (predicted, true)


def test_generated_label_printing_in_tens_becomes_a_size_rule() -> None:
    log = generate_waiting_causes("size_batch", seed=1)
    model = calibrate(log.events)
    rule = model.activities["Handle"].batch
    assert rule is not None and rule.size == 10
    summary = summarise_model(model)["batches"]["Handle"]
    assert (summary["size"], summary["release_times"]) == (10, [])
    text = render_model(model, "m.yaml")
    assert f"batch   Handle: released in batches of 10 (when 10 wait, or after {rule.max_wait_hours:g} h" in text


def test_batches_off_learns_no_size_rule() -> None:
    log = generate_waiting_causes("size_batch", seed=1)
    assert calibrate(log.events, CalibrationOptions(batches=False)).activities["Handle"].batch is None
