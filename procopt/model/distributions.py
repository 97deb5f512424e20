"""Stage 3 (model): duration distributions — fit them to observed seconds, and sample them fast.

``fit_distribution(values)`` tries the usual families (fixed, exponential, lognormal, gamma) and an
empirical quantile table, and keeps the parametric fit unless it is clearly worse than the data (by the
Kolmogorov–Smirnov distance). ``sampler(dist)`` compiles a ``Distribution`` into a closure drawing from a
``random.Random`` stream: the engine calls it once per activity instance, so it must be cheap.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np

from procopt.model.types import Distribution

Sampler = Callable[[random.Random], float]

#: number of quantiles kept by empirical distributions (0 %, 2 %, ..., 100 %)
EMPIRICAL_POINTS = 51


def sampler(dist: Distribution) -> Sampler:
    """A function ``rng -> seconds`` (never negative) for ``dist``."""
    p, kind = dist.params, dist.kind
    if kind == "fixed":
        value = max(0.0, float(p["value_s"]))
        return lambda rng: value
    if kind == "exponential":
        mean = float(p["mean_s"])
        if mean <= 0:
            return lambda rng: 0.0
        rate = 1.0 / mean
        return lambda rng: rng.expovariate(rate)
    if kind == "lognormal":
        mean, cv = float(p["mean_s"]), float(p["cv"])
        if mean <= 0 or cv <= 0:
            return lambda rng: max(0.0, mean)
        sigma = math.sqrt(math.log1p(cv * cv))
        mu = math.log(mean) - sigma * sigma / 2
        return lambda rng: rng.lognormvariate(mu, sigma)
    if kind == "gamma":
        mean, cv = float(p["mean_s"]), float(p["cv"])
        if mean <= 0 or cv <= 0:
            return lambda rng: max(0.0, mean)
        shape = 1.0 / (cv * cv)
        scale = mean / shape
        return lambda rng: rng.gammavariate(shape, scale)
    if kind == "normal":
        mean, sd = float(p["mean_s"]), float(p["sd_s"])
        return lambda rng: max(0.0, rng.gauss(mean, sd))
    if kind == "uniform":
        low, high = float(p["low_s"]), float(p["high_s"])
        return lambda rng: max(0.0, rng.uniform(low, high))
    if kind == "empirical":
        q = [max(0.0, float(v)) for v in p["quantiles_s"]]
        if len(q) == 1:
            return lambda rng: q[0]
        n = len(q) - 1

        def draw(rng: random.Random) -> float:
            x = rng.random() * n
            i = int(x)
            return q[i] + (q[i + 1] - q[i]) * (x - i)

        return draw
    raise ValueError(f"unknown distribution kind {kind!r}")


def empirical(values: np.ndarray) -> Distribution:
    """An empirical distribution keeping ``EMPIRICAL_POINTS`` quantiles of ``values``."""
    qs = np.quantile(values, np.linspace(0, 1, EMPIRICAL_POINTS))
    return Distribution("empirical", {"quantiles_s": [round(float(v), 3) for v in qs]})


def _ks(values: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    x = np.sort(values)
    n = len(x)
    f = cdf(x)
    return float(max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(0, n) / n)))


def fit_distribution(values: np.ndarray | list[float], *, allow_empirical: bool = True) -> Distribution:
    """Best-fitting distribution for non-negative durations in seconds.

    Args:
        values: observed durations (NaN and negative values are dropped).
        allow_empirical: when False a parametric family is always returned.

    Values above 5 x the 99th percentile are dropped first (with >= 50 values).

    Returns:
        ``fixed`` for (nearly) constant data, else the family with the smallest KS distance; an empirical
        quantile table when every family is clearly off (KS > 0.08) and there are at least 50 values.
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x) & (x >= 0)]
    if len(x) >= 50:
        # drop gross outliers (a task left open over a public holiday the calendar does not know)
        x = x[x <= 5.0 * float(np.quantile(x, 0.99))]
    if len(x) == 0:
        return Distribution("fixed", {"value_s": 0.0})
    mean = float(np.mean(x))
    sd = float(np.std(x))
    if mean <= 0 or sd <= 0.01 * mean or len(x) < 3:
        return Distribution("fixed", {"value_s": round(mean, 3)})
    cv = sd / mean
    pos = x[x > 0]
    zero_share = 1 - len(pos) / len(x)
    candidates: list[tuple[float, Distribution]] = []
    candidates.append(
        (_ks(x, lambda t: stats.expon.cdf(t, scale=mean)), Distribution("exponential", {"mean_s": round(mean, 3)}))
    )
    if zero_share < 0.05 and len(pos) >= 3:
        sigma = math.sqrt(math.log1p(cv * cv))
        mu = math.log(mean) - sigma * sigma / 2
        candidates.append(
            (
                _ks(x, lambda t: stats.lognorm.cdf(t, s=sigma, scale=math.exp(mu))),
                Distribution("lognormal", {"mean_s": round(mean, 3), "cv": round(cv, 4)}),
            )
        )
        shape = 1 / (cv * cv)
        candidates.append(
            (
                _ks(x, lambda t: stats.gamma.cdf(t, a=shape, scale=mean / shape)),
                Distribution("gamma", {"mean_s": round(mean, 3), "cv": round(cv, 4)}),
            )
        )
    ks, best = min(candidates, key=lambda c: c[0])
    if allow_empirical and len(x) >= 50 and ks > 0.08:
        return empirical(x)
    return best
