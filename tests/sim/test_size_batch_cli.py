"""`procopt simulate` with a size-triggered batch: from model.yaml and from a scenario's `batch: {size: N}`."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from procopt.cli import main
from procopt.model.io import save_model

_spec = importlib.util.spec_from_file_location("sim_helpers", Path(__file__).with_name("helpers.py"))
helpers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["sim_helpers"] = helpers
_spec.loader.exec_module(helpers)  # type: ignore[union-attr]

ARGS = ["--days", "21", "--warmup-days", "0", "--drain-days", "7", "--replications", "2", "--workers", "1"]


def _run(tmp_path: Path, scenario: dict[str, object]) -> tuple[int, str]:
    model = save_model(helpers.batch_mix_model(size=8), tmp_path / "m.yaml")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(model), "--scenario", str(path), *ARGS, "--json"])
    return result.exit_code, result.output


def test_smaller_batches_shorten_the_lead_time(tmp_path: Path) -> None:
    code, out = _run(tmp_path, {"name": "print_in_twos", "changes": [{"batch": {"activity": "Print", "size": 2}}]})
    assert code == 0, out
    doc = json.loads(out)
    lead = {r["scenario"]: r["lead_time_hours"]["mean"] for r in doc["runs"]}
    # batches of 8 at one order per 30 min hold a case ~1.75 h on average; batches of 2 about 15 min
    assert lead["print_in_twos"] < lead["baseline"] - 0.5, lead


def test_a_bad_size_is_an_input_error_with_the_key_path(tmp_path: Path) -> None:
    code, out = _run(tmp_path, {"name": "x", "changes": [{"batch": {"activity": "Print", "size": 0}}]})
    assert code == 2
    assert "changes[0].batch.size: expected a whole number of cases >= 2, got 0" in out
    assert "Traceback" not in out
