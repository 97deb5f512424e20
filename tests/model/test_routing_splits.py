"""Attribute splits in routing: the fast contingency-table search finds the best split a scan would find."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.model.routing import _best_split, _Coded, _entropy, learn_routing


def _scan_gain(x: pd.Series, nexts: pd.Series, min_samples: int) -> float:
    """The best ``x == value`` gain by brute force, one value at a time (the definition)."""
    y, labels = pd.factorize(nexts)
    k, n = len(labels), len(nexts)
    h0 = float(_entropy(np.bincount(y, minlength=k)[None, :].astype(float))[0])
    best = -math.inf
    for value in x.dropna().unique():
        m = (x == value).to_numpy()
        if min(m.sum(), n - m.sum()) < min_samples // 2:
            continue
        hl = _entropy(np.bincount(y[m], minlength=k)[None, :].astype(float))[0]
        hr = _entropy(np.bincount(y[~m], minlength=k)[None, :].astype(float))[0]
        best = max(best, h0 - (m.sum() * hl + (n - m.sum()) * hr) / n)
    return best


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(min_value=2, max_value=8),
    st.integers(min_value=2, max_value=4),
)
def test_the_chosen_split_is_the_best_one(seed: int, levels: int, outcomes: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    a = rng.integers(0, levels, n)
    # the next step depends on the attribute for some values, so real splits exist
    nxt = np.where(a == 0, 0, rng.integers(0, outcomes, n))
    group = pd.DataFrame(
        {
            "region": pd.Series([f"r{v}" for v in a]).where(rng.random(n) > 0.05),  # some missing
            "noise": [f"n{v}" for v in rng.integers(0, 3, n)],
            "next": [f"step {v}" for v in nxt],
            "_row": np.arange(n),
        }
    )
    coded = {c: _Coded.of(group[c]) for c in ("region", "noise")}
    split = _best_split(group, ["region", "noise"], coded, min_samples=20)
    if split is None:
        return
    cond, mask = split
    column = "region" if cond.startswith("region") else "noise"
    value = cond.split("== ")[1].strip("'")
    assert np.array_equal(mask, (group[column] == value).to_numpy())
    y, labels = pd.factorize(group["next"])
    k = len(labels)
    h0 = float(_entropy(np.bincount(y, minlength=k)[None, :].astype(float))[0])
    hl = _entropy(np.bincount(y[mask], minlength=k)[None, :].astype(float))[0]
    hr = _entropy(np.bincount(y[~mask], minlength=k)[None, :].astype(float))[0]
    chosen = h0 - (mask.sum() * hl + (n - mask.sum()) * hr) / n
    best = max(_scan_gain(group[c], group["next"], 20) for c in ("region", "noise"))
    assert chosen >= best - 1e-9


def test_a_rule_on_an_attribute_is_learned() -> None:
    rng = np.random.default_rng(3)
    traces, rows = {}, {}
    for i in range(600):
        product = ("A", "B", "C")[i % 3]
        path = ["Order", "Assemble", "Ship"] if product == "C" or rng.random() < 0.1 else ["Order", "Ship"]
        traces[f"c{i}"] = path
        rows[f"c{i}"] = {"product": product}
    routing = learn_routing(traces, pd.DataFrame.from_dict(rows, orient="index"))
    after_order = [d for d in routing.decisions if d.after == "Order" and d.previous is None and d.visit is None]
    conditions = [b.when for d in after_order for b in d.branches if b.when]
    assert conditions == ["product == 'C'"]
