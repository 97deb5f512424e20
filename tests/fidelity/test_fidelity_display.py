"""The verdict where decisions are made: simulate's banner, and the report on a log where naive must win."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.model.io import save_model
from procopt.model.types import ReplacedComponent, Validation


@pytest.fixture(scope="module")
def small_model(sped_up_log: Callable[..., pd.DataFrame]) -> object:
    from procopt.model.calibrate import calibrate

    return calibrate(sped_up_log(cases=60))


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        ("worse", "WARNING: model verdict WORSE than the naive baseline"),
        ("better", "Model verdict: better than the naive baseline"),
        ("not_validated", "Model verdict: not validated"),
    ],
)
def test_simulate_shows_the_verdict_first(small_model: object, tmp_path: Path, verdict: str, expected: str) -> None:
    v = Validation(
        verdict=verdict,
        runs=10,
        reason="behind the naive model on CTD 283.0 h vs naive 57.0 h (spread 20.0 h)",
        replaced=(ReplacedComponent("extra_delays", "none", "held-out CTD"),),
        advice=("a start-time column",),
    )
    path = tmp_path / "m.yaml"
    save_model(dataclasses.replace(small_model, validation=v), path)  # type: ignore[type-var]
    res = CliRunner().invoke(main, ["simulate", str(path), "--replications", "2", "--days", "20", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].startswith(expected.split(":")[0])
    assert expected in res.output and "extra_delays -> none" in res.output
    if verdict == "worse":
        assert "do not plan a pilot" in res.output and "a start-time column" in res.output
    js = CliRunner().invoke(
        main, ["simulate", str(path), "--replications", "2", "--days", "20", "--workers", "1", "--json"]
    )
    import json

    assert json.loads(js.output)["validation"]["verdict"] == verdict


def test_simulate_on_a_model_without_validation_says_not_validated(small_model: object, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    save_model(small_model, path)  # type: ignore[arg-type]
    res = CliRunner().invoke(main, ["simulate", str(path), "--replications", "2", "--days", "20", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "Model verdict: not validated (no held-out check was run" in res.output


@pytest.mark.slow
def test_report_on_a_log_where_naive_must_win_warns(sped_up_log: Callable[..., pd.DataFrame], tmp_path: Path) -> None:
    from procopt.log import columns as C
    from procopt.pipeline import PipelineOptions, run_all

    path = tmp_path / "sped_up.csv"
    sped_up_log().rename(columns={C.CASE: "case_id", C.ACTIVITY: "activity", C.START: "start", C.END: "end"})[
        ["case_id", "activity", "start", "end", C.RESOURCE]
    ].rename(columns={C.RESOURCE: "resource"}).to_csv(path, index=False)
    result = run_all(path, PipelineOptions(replications=3, days=30, warmup_days=3, search=False, workers=2))
    v = result.stages["fidelity"]["validation"]
    assert "extra_delays" in [r["component"] for r in v["replaced"]]  # the fallback fired
    summary = result.report.sections[0].bullets
    verdict_line = summary[-2]
    assert "Parts replaced by simpler ones" in verdict_line and "extra_delays → none" in verdict_line
    assert result.report.facts["model_verdict"] == v["verdict"]
