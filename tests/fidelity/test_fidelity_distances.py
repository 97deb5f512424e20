"""The vectorised distances give the same numbers as log-distance-measures itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.fidelity.scorecard import METRIC_KEYS, prepare_log, score_pair
from procopt.log import columns as C


def _random_log(seed: int, n_cases: int, *, spread_h: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    acts = ["接单", "审批", "B", "C", "D"]
    rows = []
    t0 = pd.Timestamp("2024-01-05 06:30") + pd.Timedelta(minutes=int(rng.integers(0, 600)))
    for i in range(n_cases):
        s = t0 + pd.Timedelta(seconds=float(rng.uniform(0, spread_h * 3600)))
        for _ in range(int(rng.integers(1, 7))):
            a = acts[int(rng.integers(0, len(acts)))]
            e = s + pd.Timedelta(seconds=float(rng.choice([0.0, rng.exponential(4 * 3600)])))
            rows.append({"case": f"c{i}", "activity": a, "start": s, "end": e})
            s = e + pd.Timedelta(seconds=float(rng.exponential(6 * 3600)))
    return C.make_events(rows)


@settings(max_examples=8, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(1, 12),
    st.integers(1, 12),
    st.sampled_from([3.0, 60.0, 600.0]),
)
def test_fast_distances_match_package(seed_a: int, seed_b: int, n_a: int, n_b: int, spread_h: float) -> None:
    real = prepare_log(_random_log(seed_a, n_a, spread_h=spread_h))
    sim = prepare_log(_random_log(seed_b, n_b, spread_h=spread_h))
    fast = score_pair(real, sim, due_available=False)
    ref = score_pair(real, sim, due_available=False, reference=True)
    for key in METRIC_KEYS:
        if ref[key] is None:
            assert fast[key] is None
        else:
            assert fast[key] == pytest.approx(ref[key], rel=1e-9, abs=1e-9), key


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-500, 500), min_size=1, max_size=300),
    st.lists(st.integers(-500, 500), min_size=1, max_size=300),
)
def test_wasserstein_1d_is_scipys_distance(u: list[int], v: list[int]) -> None:
    from scipy.stats import wasserstein_distance

    from procopt.fidelity.distances import wasserstein_1d

    ours = wasserstein_1d(np.asarray(u, dtype=float), np.asarray(v, dtype=float))
    assert ours == pytest.approx(float(wasserstein_distance(u, v)), rel=1e-12, abs=1e-12)
    assert ours == wasserstein_1d(np.asarray(v, dtype=float), np.asarray(u, dtype=float))
