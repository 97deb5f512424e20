"""Duration distributions: sampling means, fitting the family that generated the data, scaling."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.model.distributions import fit_distribution, sampler
from procopt.model.types import Distribution

KINDS = [
    Distribution("fixed", {"value_s": 300.0}),
    Distribution("exponential", {"mean_s": 300.0}),
    Distribution("lognormal", {"mean_s": 300.0, "cv": 0.8}),
    Distribution("gamma", {"mean_s": 300.0, "cv": 0.5}),
    Distribution("uniform", {"low_s": 100.0, "high_s": 500.0}),
    Distribution("empirical", {"quantiles_s": [0.0, 100.0, 200.0, 1000.0]}),
]


@pytest.mark.parametrize("dist", KINDS, ids=lambda d: d.kind)
def test_sample_mean_matches_declared_mean(dist: Distribution) -> None:
    draw = sampler(dist)
    rng = random.Random(3)
    xs = np.array([draw(rng) for _ in range(40_000)])
    assert (xs >= 0).all()
    assert abs(xs.mean() - dist.mean_s) / dist.mean_s < 0.03


@pytest.mark.parametrize("dist", KINDS, ids=lambda d: d.kind)
def test_scaled_scales_the_mean(dist: Distribution) -> None:
    assert dist.scaled(0.5).mean_s == pytest.approx(dist.mean_s * 0.5)


def test_fit_recovers_the_generating_family() -> None:
    rng = np.random.default_rng(2)
    sigma = np.sqrt(np.log1p(0.6**2))
    logn = rng.lognormal(np.log(3600) - sigma**2 / 2, sigma, 3000)
    d = fit_distribution(logn)
    assert d.kind == "lognormal" and d.params["mean_s"] == pytest.approx(logn.mean(), rel=1e-6)
    assert d.params["cv"] == pytest.approx(0.6, abs=0.05)
    assert fit_distribution(rng.exponential(500, 3000)).kind in ("exponential", "gamma")
    assert fit_distribution([42.0] * 10) == Distribution("fixed", {"value_s": 42.0})


def test_bimodal_data_falls_back_to_empirical() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(60, 5, 500), rng.normal(3600, 60, 500)])
    d = fit_distribution(x)
    assert d.kind == "empirical"
    assert d.mean_s == pytest.approx(x.mean(), rel=0.03)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=200))
def test_fit_always_returns_a_valid_non_negative_distribution(values: list[float]) -> None:
    d = fit_distribution(values)
    draw = sampler(d)
    rng = random.Random(0)
    assert all(draw(rng) >= 0 for _ in range(20))
    assert d.mean_s >= 0
