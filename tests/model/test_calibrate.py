"""Calibration on generated logs whose true process is known (procopt.generate's answer key)."""

from __future__ import annotations

import pandas as pd
import pytest

from procopt.errors import ModelError
from procopt.generate import o2c
from procopt.log import columns as C
from procopt.model.calibrate import CalibrationOptions, calibrate
from procopt.model.io import model_to_dict


def test_batches_found_are_the_true_ones(o2c_generated, o2c_model) -> None:
    truth = o2c_generated.truth
    for act, times in truth.batch_activities.items():
        batch = o2c_model.activities[act].batch
        assert batch is not None, act
        assert batch.release_times == tuple(times)
        assert batch.weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert o2c_model.activities[truth.bottleneck_activity].batch is None


def test_bottleneck_pool_has_the_true_size_and_office_calendar(o2c_generated, o2c_model) -> None:
    truth = o2c_generated.truth
    pool = o2c_model.pools[o2c_model.activities[truth.bottleneck_activity].pool]
    true_pool = truth.pools[truth.bottleneck_pool]
    assert pool.capacity == true_pool.size == 2
    assert set(pool.members) == set(true_pool.resources)
    assert pool.calendar == true_pool.calendar == "Mon-Fri 08:00-12:00,13:00-17:00"


def test_durations_close_to_the_true_means(o2c_model) -> None:
    for act in (o2c.CREDIT, o2c.CREATE, o2c.INSPECT, o2c.INVOICE):
        mean, _cv = o2c.DURATION[act]
        assert o2c_model.activities[act].duration.mean_s == pytest.approx(mean, rel=0.12), act


def test_hand_off_waits_are_extra_delays_not_queueing(o2c_model) -> None:
    # Sales -> Credit: the customer's papers take hours of working time to arrive, while the two analysts
    # are ~90 % busy, so most of the wait before Check Credit is queueing. Only the hand-off may become an
    # extra delay.
    credit = o2c_model.activities[o2c.CREDIT].extra_delay
    invoice = o2c_model.activities[o2c.INVOICE].extra_delay
    assert credit is not None and credit.mean_s == pytest.approx(o2c.HANDOFF_CREDIT[0], rel=0.3)
    assert invoice is not None and invoice.mean_s == pytest.approx(o2c.HANDOFF_INVOICE[0], rel=0.3)
    assert o2c_model.activities[o2c.APPROVE_SM].extra_delay is None
    assert o2c_model.activities[o2c.PICK].extra_delay is None


def test_threshold_approval_branch_learned_at_the_true_value(o2c_generated, o2c_model) -> None:
    truth = o2c_generated.truth
    whens = [
        b.when for d in o2c_model.routing.decisions if d.after == truth.threshold_approval for b in d.branches if b.when
    ]
    assert f"order_value < {truth.threshold_value:g}" in whens


def test_rework_loops_bounded_by_visit(o2c_model) -> None:
    visits = {d.visit for d in o2c_model.routing.decisions if d.after == o2c.APPROVE_SM}
    assert {1, 2} <= visits


def test_delivery_due_dates_and_attributes(o2c_generated, o2c_model) -> None:
    assert o2c_model.delivery_activity == o2c_generated.truth.delivery_activity
    assert o2c_model.due.kind == "offset" and o2c_model.due.working_days
    assert set(o2c.ATTRIBUTES) <= set(o2c_model.attributes.columns)
    assert len(o2c_model.attributes.rows) == o2c_generated.events[C.CASE].nunique()
    assert o2c_model.provenance["value_attribute"] == "order_value"


def test_arrival_volume_matches_the_log(o2c_generated, o2c_model) -> None:
    ev = o2c_generated.events
    weeks = (ev[C.START].max().normalize() - ev[C.START].min().normalize()).days / 7 + 1 / 7
    assert o2c_model.arrivals.cases_per_week == pytest.approx(ev[C.CASE].nunique() / weeks, rel=0.03)


def test_naive_options_drop_every_kind_of_waiting(o2c_generated) -> None:
    m = calibrate(o2c_generated.events, CalibrationOptions(naive=True))
    assert all(p.capacity is None for p in m.pools.values())
    assert list(m.calendars) == ["24/7"]
    assert all(a.batch is None and a.extra_delay is None for a in m.activities.values())
    assert m.provenance["naive"] is True


def test_complete_only_log_still_calibrates_and_says_what_is_estimated(o2c_generated) -> None:
    ev = o2c_generated.events.head(4000).assign(**{C.START: pd.NaT})
    m = calibrate(ev)
    assert m.provenance["has_start_times"] is False
    assert any("durations" in note for note in m.provenance["estimated"])
    credit = m.activities[o2c.CREDIT].duration.mean_s
    assert 0 < credit < 4 * o2c.DURATION[o2c.CREDIT][0]


def test_same_log_same_model(o2c_generated, o2c_model) -> None:
    assert model_to_dict(calibrate(o2c_generated.events)) == model_to_dict(o2c_model)


def test_sla_and_delivery_options(o2c_generated) -> None:
    ev = o2c_generated.events.head(3000)
    m = calibrate(ev, CalibrationOptions(sla_s=72 * 3600.0, delivery_activity=o2c.PICK))
    assert m.due.kind == "sla" and m.due.sla_s == 72 * 3600.0
    assert m.delivery_activity == o2c.PICK
    with pytest.raises(ModelError, match="unknown activity 'Ship Good'.*Did you mean 'Ship Goods'"):
        calibrate(ev, CalibrationOptions(delivery_activity="Ship Good"))


def test_empty_log_is_refused() -> None:
    with pytest.raises(ModelError, match="no events"):
        calibrate(C.make_events([]) if False else pd.DataFrame(columns=list(C.CANONICAL)))


def test_production_time_depends_on_the_product(o2c_model) -> None:
    by = o2c_model.activities[o2c.PRODUCE].duration_by
    assert by is not None and by[0] == "product"
    for product, mean_s in o2c.PRODUCE_MEAN_S.items():
        assert by[1][product].mean_s == pytest.approx(mean_s, rel=0.15), product
    assert o2c_model.activities[o2c.CREDIT].duration_by is None


def _complete_only_log(n: int = 400, wait_h: float = 10.0, work_h: float = 0.5, seed: int = 3) -> pd.DataFrame:
    """Cases 'Open' -> 'Close': Close completes ``wait_h`` (waiting for the customer, exponential) plus
    ``work_h`` after Open, done by one of 40 people (never busy at once): no queueing, round the clock."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []
    t = pd.Timestamp("2024-01-01")
    for i in range(n):
        t += pd.Timedelta(hours=float(rng.exponential(2.0)))
        close = t + pd.Timedelta(hours=float(rng.exponential(wait_h)) + work_h)
        rows.append({C.CASE: f"c{i}", C.ACTIVITY: "Open", C.END: t, C.RESOURCE: f"clerk{i % 40}"})
        rows.append({C.CASE: f"c{i}", C.ACTIVITY: "Close", C.END: close, C.RESOURCE: f"agent{i % 40}"})
    return C.make_events(rows)


def test_complete_only_log_keeps_the_waiting_as_extra_delay() -> None:
    from procopt.sim.engine import simulate

    ev = _complete_only_log()
    m = calibrate(ev)
    close = m.activities["Close"]
    assert close.extra_delay is not None
    gaps = ev[ev[C.ACTIVITY] == "Close"][C.END].to_numpy() - ev[ev[C.ACTIVITY] == "Open"][C.END].to_numpy()
    mean_gap_s = float(pd.Series(gaps).dt.total_seconds().mean())
    # work + extra delay keep the mean gap between the completions (the clipping is compensated)
    assert close.duration.mean_s + close.extra_delay.mean_s == pytest.approx(mean_gap_s, rel=0.1)
    assert any("extra delays: no start times" in note for note in m.provenance["estimated"])
    sim = simulate(m, days=60, seed=1)
    lead = (sim.groupby(C.CASE)[C.END].max() - sim.groupby(C.CASE)[C.START].min()).dt.total_seconds()
    assert float(lead.mean()) == pytest.approx(mean_gap_s, rel=0.15)
    # the naive model (and the model before this fix) loses the wait: the case takes the work only
    naive = calibrate(ev, CalibrationOptions(naive=True))
    assert naive.activities["Close"].extra_delay is None
    assert naive.activities["Close"].duration.mean_s < 0.5 * mean_gap_s
