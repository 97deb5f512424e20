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


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 5000), min_size=1, max_size=6), min_size=2, max_size=40),
    st.floats(0.05, 0.95),
)
def test_case_split_keeps_every_case_whole_and_the_later_cases_for_testing(
    cases: list[list[int]], fraction: float
) -> None:
    from procopt.fidelity.split import case_split

    log = _log(cases)
    train, test = case_split(log, fraction)
    assert len(train) + len(test) == len(log)  # every event of every case on exactly one side
    assert not set(train[C.CASE]) & set(test[C.CASE])
    assert train[C.CASE].nunique() == int(fraction * log[C.CASE].nunique())
    if len(train) and len(test):
        assert train.groupby(C.CASE)[C.END].min().max() <= test.groupby(C.CASE)[C.END].min().min()


def test_long_cases_fall_back_to_the_case_split() -> None:
    from procopt.fidelity.split import MIN_TEST_CASES, validation_split

    # 150 cases, one a day, each lasting 200 days: no case starts and ends after the 80 % event boundary
    day = 24 * 60
    log = _log([[i * day, i * day + 100 * day, i * day + 200 * day] for i in range(150)])
    _, published_test = holdout_split(log, 0.8)
    assert published_test[C.CASE].nunique() < MIN_TEST_CASES
    train, test, protocol = validation_split(log, 0.8)
    assert protocol == "cases"
    assert train[C.CASE].nunique() == 120 and test[C.CASE].nunique() == 30
    # too few cases for a case split worth the name either: the published split stays
    few = _log([[i * day, i * day + 100 * day] for i in range(30)])
    assert validation_split(few, 0.8)[2] == "events"
    # short cases keep the published split
    short = _log([[i * 60, i * 60 + 30] for i in range(200)])
    assert validation_split(short, 0.8)[2] == "events"


def test_the_check_says_when_it_used_the_case_split() -> None:
    from procopt.fidelity.verdict import validate_and_fit

    day = 24 * 60
    log = _log([[i * day, i * day + 40 * day + (i % 7) * 60, i * day + 80 * day] for i in range(120)])
    checked = validate_and_fit(log, runs=2, seed=1, search=False)
    notes = " ".join(checked.reports["matched"].notes)
    assert "the last 24 cases by arrival" in notes
    assert checked.reports["matched"].test_cases == 24
