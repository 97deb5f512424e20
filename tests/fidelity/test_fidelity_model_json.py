"""Golden test of the ``procopt model --json`` schema (documented in docs/CONTRACTS.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.log import columns as C
from procopt.model.io import load_model

GOLDEN = Path(__file__).parent / "golden" / "model_json_schema.json"
#: mappings keyed by the log's own names (pools, activities): only their value shape is fixed
FREE_KEYS = {"pools", "durations_h", "extra_delays_h", "batches", "model_detail", "settings", "changed", "chosen"}


def shape(value: Any, key: str = "") -> Any:
    """Keys and value types of a JSON document (lists by their first element)."""
    if isinstance(value, dict):
        if key in FREE_KEYS:
            return "mapping"
        return {k: shape(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0], key)] if key == "trials" and value else "list"
    if value is None:
        return "null"
    return {bool: "bool", int: "number", float: "number", str: "str"}[type(value)]


def _loose(golden: Any, actual: Any) -> bool:
    """Equal shapes, where "null" in either matches any scalar type (a metric may be None on one log)."""
    if isinstance(golden, dict) and isinstance(actual, dict):
        return golden.keys() == actual.keys() and all(_loose(golden[k], actual[k]) for k in golden)
    if isinstance(golden, list) and isinstance(actual, list):
        return all(_loose(g, a) for g, a in zip(golden, actual, strict=True))
    return golden == actual or "null" in (golden, actual)


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory: pytest.TempPathFactory, sped_up_log: Callable[..., pd.DataFrame]) -> Path:
    ev = sped_up_log(cases=120)
    path = tmp_path_factory.mktemp("log") / "sped_up.csv"
    ev[[C.CASE, C.ACTIVITY, C.START, C.END, C.RESOURCE]].rename(
        columns={C.CASE: "case_id", C.ACTIVITY: "activity", C.START: "start_time", C.END: "end_time"}
    ).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_model_json_matches_the_golden_schema(log_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.yaml"
    res = CliRunner().invoke(
        main, ["model", str(log_csv), "--out", str(out), "--runs", "2", "--workers", "1", "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    actual = shape(doc)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert _loose(golden, actual), json.dumps(actual, indent=1)
    v = doc["validation"]
    assert v["verdict"] == "not_validated" and v["runs"] == 2 and "too few" in v["reason"]
    assert load_model(out).validation is not None and load_model(out).validation.verdict == "not_validated"
    assert [t["changed"] for t in doc["search"]["trials"]][0] == {}


def test_model_text_shows_both_readings_and_the_verdict(log_csv: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main, ["model", str(log_csv), "--out", str(tmp_path / "m.yaml"), "--runs", "2", "--no-search", "--workers", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "as published" in res.output and "matched reading" in res.output
    assert "Verdict: NOT VALIDATED" in res.output and "2 simulated logs are too few" in res.output


def test_no_fidelity_writes_an_unvalidated_model(log_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.yaml"
    res = CliRunner().invoke(main, ["model", str(log_csv), "--out", str(out), "--no-fidelity", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["fidelity"] is None and doc["validation"]["verdict"] == "not_validated"
    assert "switched off" in doc["validation"]["reason"]
