"""Vectorised twins of the ``log-distance-measures`` 2.2 distances (Wasserstein variants, hour bins).

The package loops over cases and events in Python (about 5 s per pair of 1,200-case logs); these compute the
very same numbers with numpy — same discretisation (``floor(seconds / 3600)``), same padding of 3-grams, same
23-hour penalty for a weekday present in one log only, and the 1-Wasserstein distance of
``scipy.stats.wasserstein_distance`` (``wasserstein_1d`` below: scipy's final dot product goes through BLAS,
whose last digits change with its thread count, and a Dask worker runs BLAS on one thread; procopt's scores must
not depend on where they were computed) — so a 10-run scorecard costs well under a second. ``tests/model/test_fidelity_distances.py`` checks them against the
package on random logs. Inputs are frames from ``scorecard.prepare_log``: sorted by (case, start, end), START
filled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.log.columns import ACTIVITY, CASE, END, START

_NS_PER_S = 1e9


def wasserstein_1d(u: np.ndarray, v: np.ndarray) -> float:
    """The 1-Wasserstein distance of two samples: the area between their empirical CDFs.

    Summed with numpy's pairwise sum instead of a BLAS dot product, so the result is the same to the last
    digit on any machine and thread count.
    """
    a = np.sort(np.asarray(u, dtype=float), kind="mergesort")
    b = np.sort(np.asarray(v, dtype=float), kind="mergesort")
    if not len(a) or not len(b):
        raise ValueError("the Wasserstein distance needs two non-empty samples")
    both = np.sort(np.concatenate((a, b)), kind="mergesort")
    deltas = np.diff(both)
    cdf_a = a.searchsorted(both[:-1], "right") / len(a)
    cdf_b = b.searchsorted(both[:-1], "right") / len(b)
    return float(np.sum(np.abs(cdf_a - cdf_b) * deltas))


_HOUR_S = 3600.0
_HOUR_NS = 3_600_000_000_000


def _ns(series: pd.Series) -> np.ndarray:
    ns: np.ndarray = series.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return ns


def _hour_bins(delta_ns: np.ndarray) -> np.ndarray:
    """``math.floor(timedelta.total_seconds() / 3600)`` for an array of nanosecond differences."""
    return np.floor((delta_ns / _NS_PER_S) / _HOUR_S)


def _three_grams(frame: pd.DataFrame, codes: dict[str, int]) -> pd.Series:
    """Counts of activity 3-grams per case, padded with two 0 ("no activity") at both ends of each case.

    Cases are laid end to end with one shared pair of zeros between them: every length-3 window of that
    sequence is exactly one padded n-gram of one case.
    """
    acts = frame[ACTIVITY].map(codes).to_numpy(dtype=np.int64)
    case = frame[CASE].to_numpy()
    new_case = np.ones(len(case), dtype=bool)
    new_case[1:] = case[1:] != case[:-1]
    n_cases = int(new_case.sum())
    # position of each event in the padded sequence: shifted by 2 zeros per case started so far
    pos = np.arange(len(acts)) + 2 * np.cumsum(new_case)
    seq = np.zeros(len(acts) + 2 * n_cases + 2, dtype=np.int64)
    seq[pos] = acts
    k = len(codes) + 1
    grams = seq[:-2] * k * k + seq[1:-1] * k + seq[2:]
    return pd.Series(grams).value_counts()


def ngd(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Normalised 3-gram distribution distance (0 = same n-gram frequencies, 1 = nothing in common)."""
    labels = sorted(set(real[ACTIVITY]).union(sim[ACTIVITY]))
    codes = {a: i + 1 for i, a in enumerate(labels)}
    a, b = _three_grams(real, codes), _three_grams(sim, codes)
    a, b = a.align(b, fill_value=0)
    total = float(a.sum() + b.sum())
    return float(np.abs(a - b).sum()) / total if total else 0.0


def _instants(frame: pd.DataFrame) -> np.ndarray:
    return np.concatenate([_ns(frame[START]), _ns(frame[END])])


def aed_hours(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Absolute event distribution distance: hour bins since the first start of either log."""
    origin = min(real[START].min(), sim[START].min()).floor(freq="h").value
    return float(wasserstein_1d(_hour_bins(_instants(real) - origin), _hour_bins(_instants(sim) - origin)))


def _weekday_hours(frame: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([frame[START], frame[END]], ignore_index=True)
    return pd.DataFrame({"weekday": both.dt.dayofweek.to_numpy(), "hour": both.dt.hour.to_numpy()})


def ced_hours(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Circadian event distribution distance: hour of day compared weekday by weekday, mean over 7 days."""
    a, b = _weekday_hours(real), _weekday_hours(sim)
    out = []
    for day in range(7):
        x = a.loc[a["weekday"] == day, "hour"].to_numpy()
        y = b.loc[b["weekday"] == day, "hour"].to_numpy()
        if len(x) and len(y):
            out.append(float(wasserstein_1d(x, y)))
        elif len(x) or len(y):
            out.append(23.0)  # the package's penalty: present in one log only
        else:
            out.append(0.0)
    return float(np.mean(out))


def _relative_bins(frame: pd.DataFrame) -> np.ndarray:
    first = _ns(frame.groupby(CASE, sort=False)[START].transform("min"))
    return np.concatenate([_hour_bins(_ns(frame[START]) - first), _hour_bins(_ns(frame[END]) - first)])


def red_hours(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Relative event distribution distance: hour bins since the start of each instant's case."""
    return float(wasserstein_1d(_relative_bins(real), _relative_bins(sim)))


def cycle_times_ns(frame: pd.DataFrame) -> np.ndarray:
    """Per case: last end minus first start, in nanoseconds."""
    grouped = frame.groupby(CASE, sort=False)
    spans: np.ndarray = _ns(grouped[END].max()) - _ns(grouped[START].min())
    return spans


def ctd_hours(real: pd.DataFrame, sim: pd.DataFrame) -> float:
    """Cycle-time distribution distance in hour bins (offset by the shortest cycle time of either log)."""
    a, b = cycle_times_ns(real), cycle_times_ns(sim)
    low = min(a.min(), b.min())
    return float(wasserstein_1d(np.floor((a - low) / _HOUR_NS), np.floor((b - low) / _HOUR_NS)))
