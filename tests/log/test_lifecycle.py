"""Normalising the three ways logs record work: complete-only, start/complete rows, start+end columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.log import columns as C
from procopt.log.normalise import normalise_events

T0 = pd.Timestamp("2024-01-08 08:00")


def _t(minutes: float) -> str:
    return str(T0 + pd.Timedelta(minutes=minutes))


def _raw(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["case", "activity", "lifecycle", "time", "who"])


MAPPING = {"case": "case", "activity": "activity", "lifecycle": "lifecycle", "end": "time", "resource": "who"}


def test_overlapping_instances_of_one_activity_pair_fifo() -> None:
    raw = _raw(
        [
            ("A", "Pick", "start", _t(0), "ann"),
            ("A", "Pick", "start", _t(5), "ann"),
            ("A", "Pick", "complete", _t(20), "ann"),
            ("A", "Pick", "complete", _t(30), "ann"),
        ]
    )
    out = normalise_events(raw, MAPPING)
    ev = out.events
    assert len(ev) == 2
    assert (ev[C.END] - ev[C.START]).dt.total_seconds().tolist() == [1200.0, 1500.0]
    assert out.has_start


def test_pairing_respects_resource() -> None:
    raw = _raw(
        [
            ("A", "Check", "start", _t(0), "ann"),
            ("A", "Check", "start", _t(1), "bob"),
            ("A", "Check", "complete", _t(3), "bob"),
            ("A", "Check", "complete", _t(10), "ann"),
        ]
    )
    ev = normalise_events(raw, MAPPING).events
    got = {r: (e - s).total_seconds() for r, s, e in zip(ev[C.RESOURCE], ev[C.START], ev[C.END], strict=True)}
    assert got == {"ann": 600.0, "bob": 120.0}


def test_unmatched_and_other_transitions_are_reported() -> None:
    raw = _raw(
        [
            ("A", "Approve", "schedule", _t(0), "ann"),
            ("A", "Approve", "complete", _t(5), "ann"),  # complete before any start
            ("A", "Approve", "start", _t(10), "ann"),
            ("A", "Approve", "complete", _t(15), "ann"),
            ("A", "Approve", "start", _t(20), "ann"),  # never completes
            ("A", "Notify", "complete", _t(25), "ann"),  # an activity that is only ever completed
        ]
    )
    out = normalise_events(raw, MAPPING)
    codes = {f.code: f for f in out.findings}
    assert codes["lifecycle_dropped"].count == 1
    assert codes["unmatched_complete"].count == 1
    assert codes["unmatched_complete"].examples == (2,)
    assert codes["unmatched_start"].count == 1
    assert codes["unmatched_start"].examples == (5,)
    assert codes["complete_only_activities"].examples == ("Notify",)
    ev = out.events
    assert len(ev) == 3
    assert ev[C.START].isna().tolist() == [True, False, True]
    assert "lifecycle" not in ev.columns


def test_status_column_is_not_a_lifecycle() -> None:
    raw = _raw([("A", "Ticket", "Accepted", _t(0), "ann"), ("A", "Ticket", "In Progress", _t(5), "ann")])
    out = normalise_events(raw, MAPPING)
    assert len(out.events) == 2
    assert out.findings[0].code == "lifecycle_is_status"
    assert "lifecycle:transition" in out.events.columns


def test_start_and_end_columns_on_one_row() -> None:
    raw = pd.DataFrame(
        {"id": ["1", "1"], "act": ["a", "b"], "s": [_t(0), _t(10)], "e": [_t(5), _t(30)], "amount": [3.5, 3.5]}
    )
    out = normalise_events(raw, {"case": "id", "activity": "act", "start": "s", "end": "e"})
    ev = out.events
    assert out.has_start
    assert (ev[C.END] - ev[C.START]).dt.total_seconds().tolist() == [300.0, 1200.0]
    assert ev["amount"].tolist() == [3.5, 3.5]  # other columns are kept
    C.check_contract(ev)


def test_complete_only_log_has_no_start() -> None:
    raw = pd.DataFrame({"id": ["1", "1", "2"], "act": ["a", "b", "a"], "t": [_t(5), _t(1), _t(2)]})
    out = normalise_events(raw, {"case": "id", "activity": "act", "end": "t"})
    assert not out.has_start
    assert out.events[C.START].isna().all()
    # sorted by case then time; source rows kept
    assert out.events[C.SOURCE_ROW].tolist() == [2, 1, 3]


# ---- property: random interleavings pair up with durations preserved ------------------------------------


@st.composite
def _instances(draw: st.DrawFn) -> list[tuple[str, str, float, float]]:
    n = draw(st.integers(1, 25))
    out = []
    for _ in range(n):
        case = draw(st.sampled_from(["c1", "c2", "c3"]))
        act = draw(st.sampled_from(["A", "B"]))
        start = draw(st.integers(0, 500))
        dur = draw(st.integers(0, 200))
        out.append((case, act, float(start), float(start + dur)))
    return out


def _fifo_reference(rows: list[tuple[str, str, str, float, int]]) -> list[tuple[str, str, float | None, float]]:
    """The obvious loop: per (case, activity) queue of open starts, in time order (starts first on ties)."""
    queues: dict[tuple[str, str], list[float]] = {}
    out = []
    for case, act, kind, t, _row in sorted(rows, key=lambda r: (r[0], r[1], r[3], r[2] != "start", r[4])):
        q = queues.setdefault((case, act), [])
        if kind == "start":
            q.append(t)
        else:
            out.append((case, act, q.pop(0) if q else None, t))
    return sorted(out, key=lambda r: (r[0], r[1], r[3], -1 if r[2] is None else r[2]))


@settings(max_examples=50, deadline=None)
@given(instances=_instances(), seed=st.integers(0, 2**32 - 1), drop=st.integers(0, 3))
def test_property_random_interleavings_pair_like_fifo(
    instances: list[tuple[str, str, float, float]], seed: int, drop: int
) -> None:
    rows = []
    for case, act, s, e in instances:
        rows.append((case, act, "start", s))
        rows.append((case, act, "complete", e))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    # drop a few events to create unmatched starts/completes
    for _ in range(min(drop, len(rows) - 1)):
        rows.pop(int(rng.integers(len(rows))))
    numbered = [(c, a, k, t, i + 1) for i, (c, a, k, t) in enumerate(rows)]
    raw = pd.DataFrame(
        {
            "case": [r[0] for r in numbered],
            "activity": [r[1] for r in numbered],
            "lifecycle": [r[2] for r in numbered],
            "time": [_t(r[3]) for r in numbered],
        }
    )
    out = normalise_events(raw, {"case": "case", "activity": "activity", "lifecycle": "lifecycle", "end": "time"})
    ev = out.events
    got = sorted(
        (
            (c, a, None if pd.isna(s) else (s - T0).total_seconds() / 60, (e - T0).total_seconds() / 60)
            for c, a, s, e in zip(ev[C.CASE], ev[C.ACTIVITY], ev[C.START], ev[C.END], strict=True)
        ),
        key=lambda r: (r[0], r[1], r[3], -1 if r[2] is None else r[2]),
    )
    assert got == _fifo_reference(numbered)
    completes = sum(1 for r in numbered if r[2] == "complete")
    assert len(ev) == completes
    if drop == 0:
        # nothing lost: total processing time is preserved exactly
        assert sum(e - s for _, _, s, e in instances) == sum(e - s for _, _, s, e in got)  # type: ignore[operator]
        assert not any(f.code.startswith("unmatched") for f in out.findings)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["b", "a", "A", "10", "9", "审批"]),
            st.integers(0, 5),
            st.one_of(st.none(), st.integers(0, 5)),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_property_fast_ordering_equals_the_contract_normaliser(rows: list[tuple[str, int, int | None]]) -> None:
    from procopt.log.normalise import finish_frame

    frame = pd.DataFrame(
        {
            C.CASE: [r[0] for r in rows],
            C.ACTIVITY: "x",
            C.END: [T0 + pd.Timedelta(hours=r[1]) for r in rows],
            C.START: [pd.NaT if r[2] is None else T0 + pd.Timedelta(hours=r[2]) for r in rows],
            C.SOURCE_ROW: np.arange(len(rows), 0, -1),
            "extra": range(len(rows)),
        }
    )
    pd.testing.assert_frame_equal(finish_frame(frame.copy()), C.normalise_frame(frame))
