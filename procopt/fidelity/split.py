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


#: below this many test cases the end-time split says too little, and the case split is tried instead
MIN_TEST_CASES = 20


def case_split(events: pd.DataFrame, train_fraction: float = 0.8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``events`` by case arrival: the first ``train_fraction`` of cases train, the rest are the test.

    For logs whose cases are long against the log's span (claims, billing, permits lasting months), the
    end-time split leaves no case that starts *and* ends after its boundary. Here every case is kept whole on
    one side; the test cases still open at the log's end keep their cut, which the matched reading applies to
    the simulated cases too. Training cases may run on into the test period: their own events are training
    data, and no test case is seen by the calibration.
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be strictly between 0 and 1, got {train_fraction}")
    frame = events[events[END].notna()]
    if frame.empty:
        return frame.copy(), frame.copy()
    first = (frame[START].fillna(frame[END]) if START in frame.columns else frame[END]).groupby(frame[CASE]).min()
    arrival = first.reset_index()
    arrival.columns = pd.Index(["case", "first"])
    arrival["key"] = arrival["case"].astype(str)
    ordered = arrival.sort_values(["first", "key"], kind="stable")["case"]
    boundary = int(train_fraction * len(ordered))
    train_cases = set(ordered.iloc[:boundary])
    in_train = frame[CASE].isin(train_cases)
    return frame[in_train].reset_index(drop=True), frame[~in_train].reset_index(drop=True)


def validation_split(events: pd.DataFrame, train_fraction: float = 0.8) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The published end-time split, or the case split when that one leaves fewer than ``MIN_TEST_CASES``
    and the case split does not.

    Returns ``(train, test, protocol)`` with protocol ``"events"`` or ``"cases"``.
    """
    train, test = holdout_split(events, train_fraction)
    if int(test[CASE].nunique()) >= MIN_TEST_CASES and int(train[CASE].nunique()) >= 2:
        return train, test, "events"
    by_case = case_split(events, train_fraction)
    # only when it gives a test worth the name: a verdict on a handful of cases is no better for the new split
    if int(by_case[1][CASE].nunique()) >= MIN_TEST_CASES and int(by_case[0][CASE].nunique()) >= 2:
        return by_case[0], by_case[1], "cases"
    return train, test, "events"
