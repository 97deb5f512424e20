"""The held-out verdict: paired comparison, fallback to simpler parts, refit, and the model file section."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from procopt.fidelity.paired import compare
from procopt.fidelity.recipe import Recipe, dimensions
from procopt.fidelity.verdict import VERDICT_RUNS, validate_and_fit
from procopt.model.io import model_from_dict, model_to_dict
from procopt.sim.executor import LocalExecutor


def test_compare_uses_the_paired_spread() -> None:
    runs_a = tuple({"ctd_hours": v} for v in (10.0, 12.0, 11.0, 13.0))
    runs_b = tuple({"ctd_hours": v} for v in (5.0, 6.0, 5.5, 6.5))
    assert compare(runs_a, runs_b, "ctd_hours").outcome == "behind"
    assert compare(runs_b, runs_a, "ctd_hours").outcome == "ahead"
    noisy = tuple({"ctd_hours": v} for v in (1.0, 20.0, 2.0, 19.0))
    level = compare(noisy, runs_b, "ctd_hours")
    assert level.outcome == "level" and level.spread is not None and level.diff is not None
    assert compare(runs_a[:1], runs_b[:1], "ctd_hours").outcome == "n/a"


def test_recipe_options_follow_the_picks() -> None:
    names = {d.name for d in dimensions()}
    assert {"calendars", "extra_delays", "resources", "routing", "arrivals", "durations"} <= names
    r = Recipe().with_pick("extra_delays", "none").with_pick("calendars", "24/7")
    opts = r.options()
    assert opts.extra_delays is False and opts.calendars is False and opts.queueing is True
    assert r.changed() == {"extra_delays": "none", "calendars": "24/7"}


@pytest.fixture(scope="module")
def sped_up(sped_up_log: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    return sped_up_log()


@pytest.mark.slow
def test_naive_must_win_triggers_the_fallback(sped_up: pd.DataFrame) -> None:
    lines: list[str] = []
    out = validate_and_fit(
        sped_up, runs=VERDICT_RUNS, seed=1, search=False, executor=LocalExecutor(2), say=lines.append
    )
    v = out.validation
    # the learned two-day waits are what loses to naive: they are the part replaced, and said so
    assert "extra_delays" in [r.component for r in v.replaced]
    assert any("replaced extra_delays" in line for line in lines)
    assert all(r.reason for r in v.replaced)
    assert not out.wholesale()
    assert v.verdict == "better" and v.reading == "matched" and v.runs == VERDICT_RUNS
    # the shipped model is refit on the whole log without the replaced part
    assert all(a.extra_delay is None for a in out.model.activities.values())
    assert out.model.validation == v
    assert set(out.reports) == {"published", "matched"}


@pytest.mark.slow
def test_too_few_runs_give_no_verdict(sped_up: pd.DataFrame) -> None:
    out = validate_and_fit(sped_up, runs=3, seed=1, search=False, executor=LocalExecutor(1))
    assert out.validation.verdict == "not_validated"
    assert "too few" in out.validation.reason
    assert out.validation.replaced == ()


def test_tiny_log_is_not_validated_but_still_fitted(sped_up_log: Callable[..., pd.DataFrame]) -> None:
    tiny = sped_up_log(cases=3)
    out = validate_and_fit(tiny, runs=VERDICT_RUNS, search=False, executor=LocalExecutor(1))
    assert out.validation.verdict == "not_validated" and "too few" in out.validation.reason
    assert out.model.activities and out.reports == {}


def test_validation_round_trips_through_the_model_file(sped_up_log: Callable[..., pd.DataFrame]) -> None:
    tiny = sped_up_log(cases=3)
    model = validate_and_fit(tiny, search=False, executor=LocalExecutor(1)).model
    back = model_from_dict(model_to_dict(model))
    assert back.validation == model.validation
    bad = model_to_dict(model)
    bad["validation"]["verdict"] = "great"
    from procopt.errors import ModelError

    with pytest.raises(ModelError, match="validation.verdict"):
        model_from_dict(bad)
