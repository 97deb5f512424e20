"""People on duty by hour: learned from who works when, used by the engine, scaled by capacity scenarios."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pandas as pd

from procopt.log import columns as C
from procopt.model.io import model_from_dict, model_to_dict
from procopt.model.staffing import capacity_profile, scale_profile
from procopt.model.types import Calendar, Pool
from procopt.scenario.changes import SetCalendar, SetCapacity
from procopt.sim.engine import run_replication, simulate

_spec = importlib.util.spec_from_file_location("sim_helpers", Path(__file__).parents[1] / "sim" / "helpers.py")
helpers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules.setdefault("sim_helpers", helpers)
_spec.loader.exec_module(helpers)  # type: ignore[union-attr]


def _shift_log(days: int = 30) -> pd.DataFrame:
    """Six clerks: two work 07:00-22:00 (early and late), four only 10:00-17:00; ten 20-minute tasks a day each."""
    rows = []
    for d in range(days):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)
        for i in range(6):
            first, last = (7, 21) if i < 2 else (10, 16)
            for k in range(10):
                hour = first + (last - first) * k / 9
                start = day + pd.Timedelta(hours=hour)
                rows.append(
                    {
                        C.CASE: f"c{d}-{i}-{k}",
                        C.ACTIVITY: "Work",
                        C.START: start,
                        C.END: start + pd.Timedelta(minutes=20),
                        C.RESOURCE: f"clerk{i}",
                    }
                )
    return C.make_events(rows)


def test_profile_counts_the_people_on_duty_each_hour() -> None:
    prof = capacity_profile(_shift_log(), 6, has_start=True)
    assert prof is not None and len(prof) == 168
    monday = prof[:24]
    assert monday[8] == 2 and monday[12] == 6 and monday[19] == 2
    assert monday[3] == 1  # never below one person
    assert prof[24:48] == monday  # the same hours every day


def test_no_profile_when_everybody_works_all_hours_or_the_team_is_small() -> None:
    ev = _shift_log()
    assert capacity_profile(ev[ev[C.RESOURCE].isin(["clerk0", "clerk1"])], 2, has_start=True) is None  # too small
    rows = [
        {
            C.CASE: f"c{d}-{i}-{h}",
            C.ACTIVITY: "Work",
            C.RESOURCE: f"clerk{i}",
            C.START: pd.Timestamp("2024-01-01") + pd.Timedelta(days=d, hours=h),
            C.END: pd.Timestamp("2024-01-01") + pd.Timedelta(days=d, hours=h, minutes=20),
        }
        for d in range(20)
        for i in range(3)
        for h in range(7, 22)
    ]
    assert capacity_profile(C.make_events(rows), 3, has_start=True) is None  # all three work every open hour
    assert capacity_profile(ev, None, has_start=True) is None


def test_scale_profile_add_and_set() -> None:
    prof = (1, 2, 4) * 56
    assert scale_profile(prof, 4, 5, add=1)[:3] == (2, 3, 5)
    assert scale_profile(prof, 4, 2)[:3] == (1, 1, 2)
    assert scale_profile(None, 4, 5, add=1) is None


def _staffed_model(on_duty: tuple[int, ...] | None) -> object:
    m = helpers.two_step_model(gap_s=300.0, d1=1200.0, d2=1.0, capacity=4)
    pools = dict(m.pools)
    pools["clerks"] = dataclasses.replace(pools["clerks"], on_duty=on_duty)
    return dataclasses.replace(m, pools=pools)


def test_engine_works_with_fewer_people_in_thin_hours() -> None:
    # work arrives every 5 min, takes 20 min: 4 clerks keep up; with 1 clerk from 00:00 to 12:00 they cannot
    thin = tuple(([1] * 12 + [4] * 12) * 7)
    full = simulate(_staffed_model(None), days=3, seed=1)
    part = simulate(_staffed_model(thin), days=3, seed=1)

    busy = part[part[C.ACTIVITY] == "Enter"]
    at_once_morning = _max_concurrent(busy, 1, 11)
    assert at_once_morning == 1
    assert _max_concurrent(busy, 13, 23) == 4
    assert _max_concurrent(full[full[C.ACTIVITY] == "Enter"], 1, 11) == 4
    # the available time the engine reports follows the profile: (12 x 1 + 12 x 4) x 3 days of the window
    tr = run_replication(_staffed_model(thin), days=3, seed=1)
    assert tr.available_s["clerks"] == (12 * 1 + 12 * 4) * 3600.0 * 3


def _max_concurrent(frame: pd.DataFrame, h0: int, h1: int) -> int:
    starts = frame[C.START].to_numpy()
    ends = frame[C.END].to_numpy()
    best = 0
    for t in starts:
        hour = pd.Timestamp(t).hour
        if h0 <= hour < h1:
            best = max(best, int(((starts <= t) & (ends > t)).sum()))
    return best


def test_profile_round_trips_and_capacity_scenarios_scale_it() -> None:
    thin = tuple(([1] * 12 + [4] * 12) * 7)
    m = _staffed_model(thin)
    back = model_from_dict(model_to_dict(m))
    assert back.pools["clerks"].on_duty == thin
    added = SetCapacity(pool="clerks", add=2).apply(m).pools["clerks"]
    assert added.capacity == 6 and added.on_duty[:24] == tuple([3] * 12 + [6] * 12)
    halved = SetCapacity(pool="clerks", set=2).apply(m).pools["clerks"]
    assert halved.on_duty[:24] == tuple([1] * 12 + [2] * 12)
    recal = SetCalendar(pool="clerks", hours=tuple((d, (("08:00", "17:00"),)) for d in ("Mon", "Tue"))).apply(m)
    assert recal.pools["clerks"].on_duty is None


def test_bad_profile_in_a_model_file_is_explained() -> None:
    import pytest

    from procopt.errors import ModelError

    d = model_to_dict(_staffed_model(tuple([1] * 168)))
    d["pools"]["clerks"]["on_duty"]["Mon"] = [9] * 24
    with pytest.raises(ModelError, match="9 people on duty but the pool's capacity is 4"):
        model_from_dict(d)
    d["pools"]["clerks"]["on_duty"]["Mon"] = [1] * 23
    with pytest.raises(ModelError, match="expected 24 whole numbers"):
        model_from_dict(d)


def test_pool_default_has_no_profile() -> None:
    assert Pool("p", 3, Calendar.always().name).on_duty is None


def test_profile_matters_only_when_it_limits_open_hours() -> None:
    from procopt.model.staffing import limits_open_hours

    office = Calendar("office", {"Mon": (("08:00", "12:00"), ("13:00", "17:00"))})
    lunch_only = tuple(([1] * 8 + [4] * 4 + [1] + [4] * 4 + [1] * 7) * 7)
    assert not limits_open_hours(lunch_only, office, 4)
    late_start = tuple(([1] * 9 + [4] * 15) * 7)
    assert limits_open_hours(late_start, office, 4)
    assert not limits_open_hours(None, office, 4)
