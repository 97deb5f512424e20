"""How regular arrivals are: learned from the gaps between them, replayed by the engine, with known answers.

Ground truth: one clerk (exponential work, mean 24 min) takes cases that arrive exactly every 30 minutes
(utilisation 0.8). Queueing theory gives the answer: with regular (D/M/1) arrivals a case waits
sigma / (mu (1 - sigma)) where sigma = exp(-(1 - sigma) / rho), 40.6 min; the same rate arriving as a
Poisson stream (M/M/1) would wait rho / (mu - lambda) = 96 min. A model that assumes Poisson arrivals
predicts more than twice the true wait.
"""

from __future__ import annotations

import dataclasses
import math
import random
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.errors import ModelError
from procopt.log import columns as C
from procopt.model.arrivals import GAP_QUANTILES, expected_arrivals, fit_arrivals, fit_gaps, interpolated_mean
from procopt.model.calibrate import CalibrationOptions, calibrate
from procopt.model.io import model_from_dict, model_to_dict
from procopt.model.types import WEEKDAYS, Arrivals
from procopt.sim.compiled import _interpolate, compile_model
from procopt.sim.engine import simulate

MONDAY = pd.Timestamp("2024-01-01")
SERVICE_MIN = 24.0
GAP_MIN = 30.0


def _dm1_wait_min() -> float:
    rho = SERVICE_MIN / GAP_MIN
    sigma = 0.5
    for _ in range(200):  # fixed point of sigma = exp(-(1 - sigma) / rho)
        sigma = math.exp(-(1 - sigma) / rho)
    return sigma * SERVICE_MIN / (1 - sigma)


def _one_clerk(arrivals: list[float], seed: int = 7) -> pd.DataFrame:
    """Cases submitted on a portal (one minute, no queue: it marks the arrival), then approved by a single
    clerk in arrival order (Lindley's recursion); times in minutes from MONDAY."""
    rng = random.Random(seed)
    rows = []
    free = 0.0
    for i, t in enumerate(arrivals):
        at = MONDAY + pd.Timedelta(minutes=t)
        rows.append({"case": f"c{i:05d}", "activity": "提交", "start": at, "end": at + pd.Timedelta(minutes=1)})
        start = max(t + 1.0, free)
        free = start + rng.expovariate(1.0 / SERVICE_MIN)
        rows.append(
            {
                "case": f"c{i:05d}",
                "activity": "审批",
                "start": MONDAY + pd.Timedelta(minutes=start),
                "end": MONDAY + pd.Timedelta(minutes=free),
                "resource": "clerk",
            }
        )
    return C.make_events(rows)


@pytest.fixture(scope="module")
def regular() -> pd.DataFrame:
    return _one_clerk([GAP_MIN * i for i in range(6000)])


def test_regular_arrivals_are_recognised(regular: pd.DataFrame) -> None:
    first = regular.groupby(C.CASE)[C.START].min()
    arrivals = fit_arrivals(first, gaps=True)
    q = np.array(arrivals.gap_quantiles)
    assert len(q) == GAP_QUANTILES
    # every gap is one expected arrival: the quantiles are all 1
    assert np.allclose(q, 1.0, atol=0.02)
    assert fit_arrivals(first).gap_quantiles == ()  # only on request


def test_poisson_arrivals_stay_poisson() -> None:
    rng = np.random.default_rng(5)
    kept = 0
    for _ in range(5):
        t = np.cumsum(rng.exponential(GAP_MIN, 3000))
        first = pd.Series(MONDAY + pd.to_timedelta(t, unit="min"))
        kept += bool(fit_gaps(first, fit_arrivals(first)))
    assert kept == 0


def test_bursts_are_recognised() -> None:
    # four cases at once every two hours: three of every four gaps are zero
    t = [120.0 * (i // 4) for i in range(2000)]
    first = pd.Series(MONDAY + pd.to_timedelta(t, unit="min"))
    q = np.array(fit_arrivals(first, gaps=True).gap_quantiles)
    assert q[: int(0.7 * len(q))].max() == 0.0
    assert interpolated_mean(q) == pytest.approx(1.0, abs=1e-4)


def _waits_min(events: pd.DataFrame) -> float:
    by_step = events.pivot_table(index=C.CASE, columns=C.ACTIVITY, values=[C.START, C.END], aggfunc="min")
    return float(((by_step[(C.START, "审批")] - by_step[(C.END, "提交")]).dt.total_seconds() / 60.0).mean())


def test_date_only_arrivals_come_in_daily_clumps_at_the_right_rate() -> None:
    # 150 cases stamped with their date only, every weekday: all at midnight
    days = pd.bdate_range(MONDAY, periods=40)
    first = pd.Series(np.repeat(days.to_numpy(), 150))
    arrivals = fit_arrivals(first, gaps=True)
    q = np.array(arrivals.gap_quantiles)
    assert len(q) == GAP_QUANTILES and np.all(np.isfinite(q))
    assert interpolated_mean(q) == pytest.approx(1.0, abs=1e-4)
    assert q[-2] == 0.0  # nearly every case arrives together with others
    cm = compile_model(_model_with(arrivals), 0.0)
    rng = random.Random(1)
    t, n = 0.0, 0
    while t < 4 * 7 * 86_400.0:
        t = cm.next_arrival(t, rng)
        n += 1
    assert n == pytest.approx(4 * 5 * 150, rel=0.1)


def _model_with(arrivals: Arrivals) -> Any:
    model = calibrate(_one_clerk([GAP_MIN * i for i in range(200)]))
    return dataclasses.replace(model, arrivals=arrivals)


def _simulated_wait_min(events: pd.DataFrame, options: CalibrationOptions) -> float:
    """Mean wait of the calibrated model's cases at the clerk: the approval's start minus the submission's end."""
    model = calibrate(events, options)
    waits = []
    for seed in (1, 2, 3):
        sim = simulate(model, days=60, seed=seed, start=MONDAY + pd.Timedelta(days=200))
        assert sim[C.CASE].nunique() > 2000
        waits.append(_waits_min(sim))
    return float(np.mean(waits))


def test_calibrated_wait_matches_queueing_theory(regular: pd.DataFrame) -> None:
    truth = _dm1_wait_min()
    assert truth == pytest.approx(40.6, abs=0.1)
    # the log itself agrees with the theory (the ground truth is what it says it is)
    observed = _waits_min(regular)
    assert observed == pytest.approx(truth, rel=0.15)

    with_gaps = _simulated_wait_min(regular, CalibrationOptions())
    poisson = _simulated_wait_min(regular, CalibrationOptions(arrival_gaps=False))
    assert with_gaps == pytest.approx(truth, rel=0.25)
    assert poisson > 1.8 * truth  # the Poisson assumption: more than twice the true wait
    assert calibrate(regular, CalibrationOptions(naive=True)).arrivals.gap_quantiles == ()


def test_scaled_arrivals_keep_their_spacing_and_scale_the_rate(regular: pd.DataFrame) -> None:
    model = calibrate(regular)
    cm = compile_model(model, 0.0)
    rng = random.Random(3)
    t, times = 0.0, []
    for _ in range(4000):
        t = cm.next_arrival(t, rng)
        times.append(t)
    gaps = np.diff(times) / 60.0
    assert float(np.mean(gaps)) == pytest.approx(GAP_MIN, rel=0.02)
    assert float(np.std(gaps)) < 0.1 * GAP_MIN  # regular, as in the log (Poisson: std = mean)
    doubled = compile_model(dataclasses.replace(model, arrivals=dataclasses.replace(model.arrivals, scale=2.0)), 0.0)
    t, n = 0.0, 0
    while t < times[-1]:
        t = doubled.next_arrival(t, rng)
        n += 1
    assert n == pytest.approx(2 * len(times), rel=0.02)


def test_gap_quantiles_survive_the_model_file(regular: pd.DataFrame) -> None:
    model = calibrate(regular)
    assert model.arrivals.gap_quantiles
    assert model_from_dict(model_to_dict(model)).arrivals == model.arrivals


def test_gap_quantiles_that_do_not_average_one_are_refused(regular: pd.DataFrame) -> None:
    data = model_to_dict(calibrate(regular))
    data["arrivals"]["gap_quantiles"] = [2 * q for q in data["arrivals"]["gap_quantiles"]]
    with pytest.raises(ModelError, match=r"arrivals\.gap_quantiles.*must average 1"):
        model_from_dict(data)


def test_gap_quantiles_out_of_order_are_refused(regular: pd.DataFrame) -> None:
    data = model_to_dict(calibrate(regular))
    data["arrivals"]["gap_quantiles"] = [1.5, 0.5]
    with pytest.raises(ModelError, match=r"arrivals\.gap_quantiles.*non-decreasing"):
        model_from_dict(data)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=50.0), min_size=150, max_size=400), st.integers(0, 3))
def test_fitted_gaps_average_one_and_are_ordered(gaps_h: list[float], burst: int) -> None:
    t = np.cumsum(np.asarray(gaps_h) * (burst + 1))
    first = pd.Series(MONDAY + pd.to_timedelta(t, unit="h"))
    q = fit_gaps(first, fit_arrivals(first))
    if q:
        assert all(b >= a for a, b in zip(q, q[1:], strict=False))
        assert min(q) >= 0.0
        assert interpolated_mean(q) == pytest.approx(1.0, abs=1e-4)


@given(st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=2, max_size=200))
def test_expected_arrivals_never_decrease(offsets_min: list[float]) -> None:
    profile = Arrivals({d: tuple(float((h * 7 + i) % 5) for h in range(24)) for i, d in enumerate(WEEKDAYS)})
    times = pd.Series(MONDAY + pd.to_timedelta(offsets_min, unit="min"))
    assert np.all(np.diff(expected_arrivals(times, profile)) >= -1e-9)


@given(
    st.lists(st.floats(min_value=0.0, max_value=10.0), min_size=2, max_size=50).map(sorted),
    st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
)
def test_interpolation_stays_between_neighbouring_quantiles(q: list[float], u: float) -> None:
    value = _interpolate(tuple(q), u)
    i = min(int(u * (len(q) - 1)), len(q) - 2)
    assert q[i] - 1e-12 <= value <= q[i + 1] + 1e-12
