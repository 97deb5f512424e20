"""The text summary of a calibrated model (`procopt model`): every line must say something different."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from procopt.cli.model import render_model
from procopt.log.read import read_log
from procopt.model.calibrate import CalibrationOptions, calibrate

SAMPLE = Path(__file__).parents[2] / "sample_logs" / "o2c_orders.csv"


def test_routing_lines_name_the_step_before_and_where_the_branch_leads() -> None:
    # Rules of one step that differ only in the step before it printed as identical lines (hospital billing:
    # "after FIN: branch when actorange == 0" twice), and none said where the case goes.
    model = calibrate(read_log(SAMPLE).events, CalibrationOptions())
    rule = next(d for d in model.routing.decisions if any(b.when for b in d.branches) and d.visit is None)
    twin = dataclasses.replace(rule, previous="Check Credit")
    model = dataclasses.replace(
        model, routing=dataclasses.replace(model.routing, decisions=(*model.routing.decisions, twin))
    )
    text = render_model(model, "m.yaml")
    lines = [ln for ln in text.splitlines() if ln.startswith("  after ")]
    assert len(lines) == len(set(lines)) >= 2
    assert any("(coming from Check Credit): when " in ln for ln in lines)
    assert all(" -> " in ln and ln.endswith("%)") for ln in lines)
