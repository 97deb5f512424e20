"""The integer-code fast paths give the same tables as plain grouping by names (reference code here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.log.columns import make_events
from procopt.mine import handoffs as H
from procopt.mine import instances as I
from procopt.mine import performance as P

SAMPLE = Path(__file__).resolve().parents[2] / "sample_logs"


def _reference_instances(events: pd.DataFrame) -> pd.DataFrame:
    """Straightforward (slow) version of build_instances: per case, in Python."""
    has_start = events["start_timestamp"].notna().mean() >= 0.5
    concurrent: set[tuple[str, str]] = set()
    if has_start:  # parallel branches: the concurrency oracle of instances, applied by name here
        end_all = events["time:timestamp"]
        start_all = events["start_timestamp"].where(
            events["start_timestamp"].notna() & (events["start_timestamp"] <= end_all), end_all
        )
        case_c, _ = pd.factorize(events["case:concept:name"], sort=True)
        act_c, act_names = pd.factorize(events["concept:name"], sort=True)
        conc = I.concurrent_activities(case_c, act_c, start_all.to_numpy(), end_all.to_numpy())
        concurrent = {(act_names[i], act_names[j]) for i, j in zip(*np.nonzero(conc), strict=True)}
    rows = []
    for case, g in events.groupby("case:concept:name", sort=True):
        end = g["time:timestamp"]
        start = (
            g["start_timestamp"].where(g["start_timestamp"].notna() & (g["start_timestamp"] <= end), end)
            if has_start
            else end
        )
        items = sorted(
            zip(end, start, g["concept:name"], g["org:resource"], g["department"]), key=lambda t: (t[0], t[1])
        )
        case_start = min(s for _, s, *_ in items)
        for k, (e, s, a, _r, _d) in enumerate(items):
            done = (
                [j for j in range(len(items)) if j != k and items[j][0] <= s and j < k]
                if has_start
                else ([k - 1] if k else [])
            )
            candidates = sorted(done, reverse=True)
            skips = 0
            while (
                skips < len(candidates)
                and skips < I.MAX_CONCURRENT_SKIPS
                and (a, items[candidates[skips]][2]) in concurrent
            ):
                skips += 1
            p = candidates[skips] if skips < len(candidates) else None
            enabled = items[p][0] if p is not None else case_start
            rows.append(
                {
                    "case": case,
                    "activity": a,
                    "start": s,
                    "end": e,
                    "enabled_at": enabled,
                    "wait_s": max((s - enabled).total_seconds(), 0.0),
                    "prev_activity": items[p][2] if p is not None else None,
                    "prev_department": None if p is None or pd.isna(items[p][4]) else items[p][4],
                }
            )
    out = pd.DataFrame(rows)
    return out.sort_values(["case", "start", "end"], kind="stable").reset_index(drop=True)


def _labels(values: list[str | None]) -> st.SearchStrategy[str | None]:
    return st.sampled_from(values)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),
            st.sampled_from(["审批", "Check", "Ship"]),
            st.integers(0, 50),
            st.integers(0, 20),
            _labels(["财务部", "Sales", None]),
            _labels(["张三", "bob", None]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_instances_match_the_reference(rows: list[tuple[int, str, int, int, str | None, str | None]]) -> None:
    t0 = pd.Timestamp("2024-03-04 08:00")
    events = make_events(
        [
            {
                "case": f"c{c}",
                "activity": a,
                "start": t0 + pd.Timedelta(hours=s),
                "end": t0 + pd.Timedelta(hours=s + d),
                "department": dep,
                "resource": res,
            }
            for c, a, s, d, dep, res in rows
        ]
    )
    inst, _ = I.build_instances(events)
    ref = _reference_instances(events)
    got = inst[["case", "activity", "start", "end", "enabled_at", "wait_s"]]
    # within ties of (case, start, end) the order may differ: compare as multisets of rows
    key = ["case", "start", "end", "activity", "enabled_at"]
    a = got.sort_values(key).reset_index(drop=True)
    b = ref[list(got.columns)].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    # codes agree with the labels
    for label, code in ((I.ACTIVITY, I.ACT_CODE), (I.RESOURCE, I.RES_CODE), (I.DEPARTMENT, I.DEP_CODE)):
        names = I.labels_of(inst, label, code)
        codes = inst[code].to_numpy()
        assert [None if c < 0 else names[c] for c in codes] == list(inst[label])
    prev_names = I.labels_of(inst, I.DEPARTMENT, I.DEP_CODE)
    assert [None if c < 0 else prev_names[c] for c in inst[I.PREV_DEP_CODE]] == list(inst[I.PREV_DEPARTMENT])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["b", "a", "c", None])), min_size=1, max_size=40))
def test_mode_by_codes_matches_mode_by(pairs: list[tuple[int, str | None]]) -> None:
    keys = pd.Series([f"k{k}" for k, _ in pairs], dtype=object)
    values = pd.Series([v for _, v in pairs], dtype=object)
    kc, kn = pd.factorize(keys, sort=True)
    vc, vn = pd.factorize(values, sort=True)
    fast = I.mode_by_codes(kc, vc, np.asarray(kn, dtype=object), np.asarray(vn, dtype=object))
    slow = I.mode_by(keys, values)
    assert fast.to_dict() == slow.to_dict()


@pytest.mark.parametrize("name", ["o2c_orders.csv", "p2p_requisitions.csv", "o2c_orders_zh.csv"])
def test_code_grouped_tables_match_name_grouping_on_sample_logs(name: str) -> None:
    from procopt.log.read import read_log

    inst, has_start = I.build_instances(read_log(SAMPLE / name).events)
    acts = P.measure_activities(inst)
    g = inst.groupby(I.ACTIVITY, sort=True)
    ref = pd.DataFrame(
        {
            "count": g.size(),
            "cases": g[I.CODE].nunique(),
            "wait_total_s": g[I.WAIT].sum(),
            "department": I.mode_by(inst[I.ACTIVITY], inst[I.DEPARTMENT]),
        }
    )
    got = acts.set_index("activity")[list(ref.columns)].sort_index()
    pd.testing.assert_frame_equal(got, ref, check_names=False, check_dtype=False)
    hand = H.measure_handoffs(inst, min_count=1)
    d = inst[inst[I.PREV_DEPARTMENT].notna() & inst[I.DEPARTMENT].notna()]
    d = d[d[I.PREV_DEPARTMENT] != d[I.DEPARTMENT]]
    counts = d.groupby([I.PREV_DEPARTMENT, I.DEPARTMENT]).size()
    assert {(r.from_department, r.to_department): r.count for r in hand.itertuples()} == counts.to_dict()
    res = P.measure_resources(inst, has_start)
    by_res = inst[inst[I.RESOURCE].notna()].groupby(I.RESOURCE).size()
    assert res.set_index("resource")["instances"].sort_index().to_dict() == by_res.to_dict()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.datetimes(
            min_value=pd.Timestamp("1990-01-01").to_pydatetime(), max_value=pd.Timestamp("2040-01-01").to_pydatetime()
        ),
        min_size=1,
        max_size=30,
    )
)
def test_clock_hours_match_pandas_dt(times: list) -> None:
    from procopt.mine.workhours import _clock_hours

    ts = pd.Series(pd.to_datetime(times))
    hours, day = _clock_hours(ts)
    assert hours.tolist() == (ts.dt.hour + ts.dt.minute / 60.0).tolist()
    assert (day[1:] == day[:-1]).tolist() == (
        ts.dt.normalize().to_numpy()[1:] == ts.dt.normalize().to_numpy()[:-1]
    ).tolist()
