"""holdout_split follows the published protocol: 80 % of events by END train, boundary cases dropped."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.fidelity import holdout_split
from procopt.log import columns as C

T0 = pd.Timestamp("2024-03-04 08:00")


def _log(cases: list[list[int]]) -> pd.DataFrame:
    """cases[i] = end offsets in minutes of case i's events."""
    rows = [
        {"case": f"c{i}", "activity": f"A{j}", "end": T0 + pd.Timedelta(minutes=m)}
        for i, ends in enumerate(cases)
        for j, m in enumerate(ends)
    ]
    return C.make_events(rows)


def test_known_split() -> None:
    # 10 events: first 8 by END are training. c2's events straddle the boundary -> dropped from both sides.
    log = _log([[0, 1, 2], [3, 4, 5], [6, 8], [9, 10], [7]])
    # sorted ends: 0 1 2 3 4 5 6 7 | 8 9 10  (boundary after the 8th event, which is c4's minute 7)
    train, test = holdout_split(log, 0.8)
    assert sorted(train[C.CASE].unique()) == ["c0", "c1", "c4"]
    assert sorted(test[C.CASE].unique()) == ["c3"]
    assert list(train.columns) == list(log.columns)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 500), min_size=1, max_size=6), min_size=1, max_size=30),
    st.floats(0.05, 0.95),
)
def test_split_properties(cases: list[list[int]], fraction: float) -> None:
    log = _log(cases)
    train, test = holdout_split(log, fraction)
    train_cases, test_cases = set(train[C.CASE]), set(test[C.CASE])
    assert not train_cases & test_cases  # no case on both sides
    boundary = int(fraction * len(log))
    ordered = log.sort_values([C.END, C.START, C.SOURCE_ROW], kind="stable")
    before = set(ordered.iloc[:boundary][C.SOURCE_ROW])
    after = set(ordered.iloc[boundary:][C.SOURCE_ROW])
    assert set(train[C.SOURCE_ROW]) <= before  # train fraction respected: training events are the first 80 %
    assert set(test[C.SOURCE_ROW]) <= after
    for case, rows in log.groupby(C.CASE):
        rows_set = set(rows[C.SOURCE_ROW])
        expected_train, expected_test = rows_set <= before, rows_set <= after
        assert (case in train_cases) == expected_train
        assert (case in test_cases) == expected_test
        if case in train_cases:  # whole cases kept
            assert len(train[train[C.CASE] == case]) == len(rows)
    assert len(train) <= boundary and len(test) <= len(log) - boundary


def test_bad_fraction() -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        holdout_split(_log([[1]]), 1.0)
