"""The answer key agrees with the events of the log, measured here independently of the generator."""

from __future__ import annotations

import pandas as pd
import pytest

from procopt.generate import GeneratedLog
from procopt.generate.calendar import DAY_S, Timeline
from procopt.generate.generator import HOLIDAYS
from procopt.generate.output import START_DATE
from procopt.generate.world import OFFICE
from procopt.log import columns as C

SM = "Approve Order (Sales Manager)"
FD = "Approve Order (Finance Director)"
REVISE = "Revise Order"
WARMUP = START_DATE + pd.Timedelta(days=14)


def _seconds(stamps: pd.Series) -> pd.Series:
    return (stamps - START_DATE).dt.total_seconds()


def _waits(events: pd.DataFrame) -> pd.Series:
    ev = events.sort_values([C.CASE, C.END, C.START])
    wait = (ev[C.START] - ev.groupby(C.CASE)[C.END].shift()).dt.total_seconds() / 3600
    return wait.groupby(ev[C.ACTIVITY]).mean().dropna()


def _office_utilisation(instances: pd.DataFrame, days: int) -> float:
    """Working time of the instances after the warm-up / the office time of the people doing them."""
    office = Timeline(OFFICE, days + 10, HOLIDAYS)
    t0, t1 = 14 * DAY_S, days * DAY_S
    busy = sum(
        office.work_between(max(s, t0), min(e, t1))
        for s, e in zip(_seconds(instances[C.START]), _seconds(instances[C.END]), strict=True)
        if e > t0
    )
    return busy / (instances[C.RESOURCE].nunique() * office.work_between(t0, t1))


def test_contract_and_columns(o2c_en: GeneratedLog) -> None:
    C.check_contract(o2c_en.events)
    assert list(o2c_en.raw.columns) == [
        "order_id",
        "activity",
        "start_time",
        "end_time",
        "user",
        "department",
        "order_value",
        "region",
        "product",
        "customer",
        "promised_date",
    ]
    assert o2c_en.events[C.DUE].notna().all()
    assert o2c_en.events[C.RESOURCE].notna().all()
    # SOURCE_ROW points at the raw row of the same instance
    sample = o2c_en.events.sample(50, random_state=0)
    for _, row in sample.iterrows():
        raw = o2c_en.raw.iloc[row[C.SOURCE_ROW] - 1]
        assert raw["order_id"] == row[C.CASE] and raw["activity"] == row[C.ACTIVITY]
        assert pd.Timestamp(raw["end_time"]) == row[C.END]


def test_bottleneck_has_most_waiting_and_a_busy_pool(o2c_en: GeneratedLog) -> None:
    truth, ev = o2c_en.truth, o2c_en.events
    waits = _waits(ev)
    assert waits.idxmax() == truth.bottleneck_activity == "Check Credit"
    credit = ev[ev[C.ACTIVITY] == truth.bottleneck_activity]
    util = _office_utilisation(credit, truth.days)
    assert credit[C.RESOURCE].nunique() == truth.pools[truth.bottleneck_pool].size == 2
    assert 0.85 <= util <= 0.95
    assert util == pytest.approx(truth.pools[truth.bottleneck_pool].utilisation, abs=0.01)
    others = [p.utilisation for name, p in truth.pools.items() if name != truth.bottleneck_pool]
    assert max(others) < 0.75


def test_threshold_approval_rejects_only_above_threshold(o2c_en: GeneratedLog) -> None:
    truth, ev = o2c_en.truth, o2c_en.events
    assert truth.threshold_approval == SM and truth.threshold_value == 20_000
    per_case = ev.groupby(C.CASE).agg(
        value=("order_value", "first"), revised=(C.ACTIVITY, lambda a: (a == REVISE).any())
    )
    assert not per_case.loc[per_case["value"] <= 20_000, "revised"].any()
    above = per_case.loc[per_case["value"] > 20_000, "revised"]
    assert len(above) > 100
    assert 0.25 <= above.mean() <= 0.45
    # every revision is followed by another sales-manager approval (the loop back)
    ordered = ev.sort_values([C.CASE, C.END])
    nxt = ordered.groupby(C.CASE)[C.ACTIVITY].shift(-1)
    assert (nxt[ordered[C.ACTIVITY] == REVISE] == SM).all()


def test_redundant_approval_never_rejects_and_releases_at_16(o2c_en: GeneratedLog) -> None:
    truth, ev = o2c_en.truth, o2c_en.events
    assert truth.redundant_approval == FD and truth.batch_activities[FD] == ("16:00",)
    fd = ev[ev[C.ACTIVITY] == FD]
    # no rejection: never followed by a revision, once per case, and every case that got past it has one
    ordered = ev.sort_values([C.CASE, C.END])
    nxt = ordered.groupby(C.CASE)[C.ACTIVITY].shift(-1)
    assert not (nxt[ordered[C.ACTIVITY] == FD] == REVISE).any()
    assert fd[C.CASE].is_unique
    assert truth.measured["approval_reject_rate"][FD] == 0.0
    # completes only in the 16:00 batch (the director signs one after the other, within half an hour)
    minutes = fd[C.END].dt.hour * 60 + fd[C.END].dt.minute
    assert minutes.between(16 * 60, 16 * 60 + 30).all()
    assert (fd[C.START].dt.strftime("%H:%M:%S") >= "16:00:00").all()
    assert (fd[C.END].dt.dayofweek < 5).all()
    assert fd[C.RESOURCE].nunique() == 1


def test_trucks_leave_at_10_and_15(o2c_en: GeneratedLog) -> None:
    ship = o2c_en.events[o2c_en.events[C.ACTIVITY] == "Ship Goods"]
    assert set(ship[C.START].dt.hour) == {10, 15}
    assert (ship[C.START].dt.minute < 60).all()
    assert o2c_en.truth.delivery_activity == "Ship Goods"


def test_true_kpis_follow_the_documented_definition(o2c_en: GeneratedLog) -> None:
    truth, ev = o2c_en.truth, o2c_en.events
    g = ev.groupby(C.CASE)
    first = g[C.START].min()
    finished = g[C.ACTIVITY].agg(lambda a: (a == "Create Invoice").any())
    cases = first.index[(first >= WARMUP) & finished]
    ship = ev[ev[C.ACTIVITY] == "Ship Goods"].set_index(C.CASE)[C.END].reindex(cases)
    due = g[C.DUE].first().reindex(cases)
    lead_h = ((ship - first.reindex(cases)).dt.total_seconds() / 3600).mean()
    assert truth.cases_measured == len(cases)
    assert truth.lead_time_mean_h == pytest.approx(lead_h, abs=0.01)
    assert truth.delivery_rate == pytest.approx((ship <= due).mean(), abs=1e-4)
    assert 0.85 <= truth.delivery_rate <= 0.93


def test_slowest_handoff_is_measured_from_the_events(o2c_en: GeneratedLog) -> None:
    ev = o2c_en.events.sort_values([C.CASE, C.END])
    prev_dept = ev.groupby(C.CASE)[C.DEPARTMENT].shift()
    wait = (ev[C.START] - ev.groupby(C.CASE)[C.END].shift()).dt.total_seconds() / 3600
    cross = prev_dept.notna() & (prev_dept != ev[C.DEPARTMENT])
    means = wait[cross].groupby([prev_dept[cross], ev.loc[cross, C.DEPARTMENT]]).mean()
    assert tuple(means.idxmax()) == o2c_en.truth.handoff_slowest == ("Sales", "Finance")


def test_p2p_truth(p2p_en: GeneratedLog) -> None:
    truth, ev, raw = p2p_en.truth, p2p_en.events, p2p_en.raw
    C.check_contract(ev)
    assert list(raw.columns) == [
        "requisition_id",
        "activity",
        "lifecycle",
        "timestamp",
        "resource",
        "department",
        "amount",
        "supplier",
        "category",
        "need_by_date",
    ]
    assert len(raw) == 2 * len(ev) and set(raw["lifecycle"]) == {"start", "complete"}
    assert truth.bottleneck_pool == "AP Clerks" and truth.bottleneck_activity == "Match Invoice"
    match = ev[ev[C.ACTIVITY] == "Match Invoice"]
    util = _office_utilisation(match, truth.days)
    assert 0.85 <= util <= 0.95 and util == pytest.approx(truth.pools["AP Clerks"].utilisation, abs=0.01)
    assert max(p.utilisation for name, p in truth.pools.items() if name != "AP Clerks") < 0.6
    # the procurement manager approves only in the windows 09:00-10:00 and 14:00-15:00
    pm = ev[ev[C.ACTIVITY] == "Approve Requisition (Procurement Manager)"]
    assert set(pm[C.START].dt.hour) <= {9, 14}
    assert truth.batch_activities["Approve Requisition (Procurement Manager)"] == ("09:00", "14:00")
    # the CFO approves only above 50,000; the procurement manager approves every requisition it sees
    cfo = ev[ev[C.ACTIVITY] == "Approve Requisition (CFO)"]
    assert (cfo["amount"] > 50_000).all() and len(cfo) > 10
    # cases that stopped long before the extract: rejected ones stop after the head or the CFO, never after
    # the procurement manager (who approves everything)
    ordered = ev.sort_values([C.CASE, C.END])
    last = ordered.groupby(C.CASE)[C.ACTIVITY].last()
    stopped = last[ordered.groupby(C.CASE)[C.END].max() < START_DATE + pd.Timedelta(days=truth.days - 30)]
    ends = set(stopped)
    assert "Approve Requisition (Procurement Manager)" not in ends
    assert {"Pay Invoice", "Approve Requisition (Department Head)", "Approve Requisition (CFO)"} == ends
    # payment runs: Tuesday and Thursday at 14:00
    pay = ev[ev[C.ACTIVITY] == "Pay Invoice"]
    assert set(pay[C.START].dt.dayofweek) == {1, 3} and set(pay[C.START].dt.hour) == {14}
    # rejections end the requisition: nothing follows a rejecting approval
    assert truth.measured["approval_reject_rate"]["Approve Requisition (Procurement Manager)"] == 0.0
    assert 0.2 <= truth.measured["approval_reject_rate"]["Approve Requisition (CFO)"] <= 0.5


@pytest.mark.parametrize("fixture", ["o2c_en", "p2p_en"])
def test_nobody_does_two_things_at_once(request: pytest.FixtureRequest, fixture: str) -> None:
    ev: pd.DataFrame = request.getfixturevalue(fixture).events
    assert (ev[C.END] > ev[C.START]).all()
    by_case = ev.sort_values([C.CASE, C.END, C.START])
    assert (by_case[C.START] >= by_case.groupby(C.CASE)[C.END].shift().fillna(by_case[C.START])).all()
    by_person = ev.sort_values([C.RESOURCE, C.START])
    assert (by_person[C.START] >= by_person.groupby(C.RESOURCE)[C.END].shift().fillna(by_person[C.START])).all()
