"""Hold-out split of an event log, exactly as the published simulation-discovery benchmarks do it.

Picture a ledger sorted by completion time: the first 80 % of *lines* (events) are the past the model may learn
from, the rest is the future it must forecast. A case with lines on both sides of the cut belongs to neither: it
would leak the future into training or start the test period half-done. (AgentSimulator, arXiv 2408.08571.)
"""

from __future__ import annotations

import pandas as pd

from procopt.log.columns import CASE, END, SOURCE_ROW, START


def holdout_split(events: pd.DataFrame, train_fraction: float = 0.8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``events`` into (train, test) by event count in END order; cases cut by the boundary are dropped.

    Args:
        events: a contract event table.
        train_fraction: share of *events* (not cases) before the boundary, strictly between 0 and 1.

    Returns:
        ``(train, test)``, both contract tables in contract row order. Every case of ``events`` is on at most one
        side; the boundary cases are on neither.
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be strictly between 0 and 1, got {train_fraction}")
    frame = events[events[END].notna()]
    if frame.empty:
        return frame.copy(), frame.copy()
    order_cols = [c for c in (END, START, SOURCE_ROW) if c in frame.columns]
    ordered = frame.sort_values(order_cols, kind="stable", na_position="last")
    boundary = int(train_fraction * len(ordered))
    side = pd.Series(False, index=ordered.index)
    side.iloc[boundary:] = True  # True = after the boundary (test side)
    per_case = side.groupby(ordered[CASE], sort=False).agg(["min", "max"])
    train_cases = per_case.index[~per_case["max"]]
    test_cases = per_case.index[per_case["min"]]
    train = frame[frame[CASE].isin(train_cases)].reset_index(drop=True)
    test = frame[frame[CASE].isin(test_cases)].reset_index(drop=True)
    return train, test
