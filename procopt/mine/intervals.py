"""Interval arithmetic shared by the busy-time measures (performance) and the working-hours clock (workhours).

It sits below both so neither imports the other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def union_length(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Length (s) of the union of intervals per group code; inputs need not be sorted.

    Returns an array indexed by code (0..max code).
    """
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    if not len(codes):
        return np.zeros(0)
    dc, ds = np.diff(codes), np.diff(starts)
    if np.all((dc > 0) | ((dc == 0) & (ds >= 0))):  # already grouped and in start order (the usual case)
        c, s, e = codes, starts.astype(np.float64), ends.astype(np.float64)
    else:
        order = np.lexsort((starts, codes))
        c, s, e = codes[order], starts[order].astype(np.float64), ends[order].astype(np.float64)
    run_max = pd.Series(e).groupby(c, sort=False).cummax().to_numpy()
    prev_max = np.empty_like(run_max)
    prev_max[1:] = run_max[:-1]
    first = np.ones(len(c), dtype=bool)
    first[1:] = c[1:] != c[:-1]
    prev_max[first] = -np.inf
    covered = np.clip(e - np.maximum(s, prev_max), 0.0, None)
    return np.bincount(c, weights=covered, minlength=n_groups)
