"""The pilot record round-trips through YAML; the difference-in-differences and pre-trend check on known data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _pilot_helpers import make_record
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.errors import InputError
from procopt.model.types import Validation
from procopt.pilot.did import did, pre_trend
from procopt.pilot.record import load_record, record_from_data, save_record
from procopt.pilot.trust import trust_from_validation


def test_record_round_trips_and_is_written_atomically(tmp_path) -> None:
    record = make_record()
    path = save_record(record, tmp_path / "p.yaml")
    assert load_record(path) == record
    assert path.read_text(encoding="utf-8").startswith("version: 1\nkind: procopt_pilot\n")
    assert [p.name for p in tmp_path.iterdir()] == ["p.yaml"]


def test_unknown_keys_and_foreign_files_are_refused() -> None:
    data = make_record().to_data()
    with pytest.raises(InputError, match="window.colour"):
        record_from_data({**data, "window": {**data["window"], "colour": "red"}})
    with pytest.raises(InputError, match="not a procopt pilot record"):
        record_from_data({"name": "a scenario"})


def _frame(
    effect: float, noise: np.ndarray, weeks_before: int = 4, weeks_during: int = 2, shock: float = 0.0
) -> pd.DataFrame:
    """Ten cases per group and week; 'during' adds ``shock`` to everyone and ``effect`` to the pilot group."""
    rows = []
    k = 0
    for week in range(-weeks_before, weeks_during):
        for group in ("pilot", "control"):
            for _ in range(10):
                base = 50.0 + (5.0 if group == "pilot" else 0.0)
                during = week >= 0
                value = base + (shock if during else 0.0) + (effect if during and group == "pilot" else 0.0)
                rows.append(
                    {"week": week, "group": group, "period": "during" if during else "before", "v": value + noise[k]}
                )
                k += 1
    return pd.DataFrame(rows)


@settings(max_examples=30, deadline=None)
@given(effect=st.floats(-30, 30), shock=st.floats(-50, 50))
def test_did_recovers_the_effect_whatever_hits_everyone(effect: float, shock: float) -> None:
    frame = _frame(effect, np.zeros(120), shock=shock)
    result = did(frame, "v", seed=1, draws=200)
    assert result.value == pytest.approx(effect, abs=1e-9)
    assert result.ci95 is not None and result.ci95[0] == pytest.approx(effect, abs=1e-6)


def test_did_ci_covers_the_truth_under_noise_and_is_deterministic() -> None:
    noise = np.random.default_rng(4).normal(0, 8, 120)
    frame = _frame(-10.0, noise)
    a, b = did(frame, "v", seed=3), did(frame, "v", seed=3)
    assert a == b
    assert a.ci95[0] < -10.0 < a.ci95[1]
    assert a.ci95[1] - a.ci95[0] > 2  # noise gives a real interval


def test_pre_trend_flags_groups_that_drift_apart() -> None:
    frame = _frame(0.0, np.zeros(120))
    assert pre_trend(frame, "v").parallel is True
    diverging = frame.assign(v=frame["v"] + np.where(frame["group"] == "pilot", 3.0 * frame["week"], 0.0))
    trend = pre_trend(diverging, "v")
    assert trend.parallel is False and trend.slope_per_week == pytest.approx(3.0)


def test_trust_comes_from_the_models_own_held_out_verdict() -> None:
    """Only a model validated "better" than naive sets a target; the reason names what the check found."""
    better = Validation(verdict="better", runs=10, reason="ahead on lead-time error 9 % vs naive 58 %")
    trust = trust_from_validation(better)
    assert trust.verdict == "better" and trust.prediction_is_target and "9 % vs naive 58 %" in trust.reason
    worse = trust_from_validation(Validation(verdict="worse", runs=10, reason="behind the naive model on CTD"))
    assert worse.verdict == "worse" and not worse.prediction_is_target and "behind the naive model" in worse.reason
    few = trust_from_validation(Validation(verdict="not_validated", runs=3, reason="3 simulated logs are too few"))
    assert few.verdict == "not_validated" and not few.prediction_is_target
    assert trust_from_validation(None).verdict == "not_validated"
