"""Stage 3 (model): how many of a pool's people are at work in each hour of the week.

A pool's calendar says when the team is open; it does not say that everybody is there all the time. The
BPI 2012 work-item team is open 07:00-22:00, but only a couple of its 15 people work before 09:00 or after
18:00 — with all 15 available at 07:00, the model works off the night's queue at once, while the real
starts peak between 10:00 and 17:00.

``capacity_profile`` learns, per hour of the day (stored for each of the 168 hours of the week, Monday
00:00 first, so a model file may differ by weekday), how many people are on duty: a member counts for an
hour when they were at work in it (an instance started, ended or ran through it) on at least ``share`` as
many days as in their own busiest hour; people with fewer than
``MIN_PERSON_EVENTS`` instances count wherever the pool as a whole usually works. Being on duty is not being
busy — somebody who is there but idle still counts — so the profile measures availability, not load, and a
what-if with more work does not hit a false ceiling. The profile is capped by the pool's capacity and is
at least 1 in every hour; it is None when it would not change anything (everybody is on duty whenever the
pool works) or the pool has fewer than ``MIN_CAPACITY`` people.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from procopt.log import columns as C
from procopt.model.calendars import week_segments
from procopt.model.types import Calendar

HOURS_PER_WEEK = 168
#: a member is on duty in an hour-of-week slot when they worked in it in at least this share of their weeks
ON_DUTY_SHARE = 0.25
#: instances running longer than this only mark their start and end hours (overnight = not at work)
MAX_SPAN_H = 8
#: smaller teams keep all their people whenever open: with two people, "one works from 10:00" is more
#: likely the work arriving at 10:00 than somebody's shift (activity cannot tell absence from idleness)
MIN_CAPACITY = 3
#: people with fewer instances than this show no pattern of their own
MIN_PERSON_EVENTS = 100


def capacity_profile(
    pool_events: pd.DataFrame,
    capacity: int | None,
    *,
    has_start: bool,
    share: float = ON_DUTY_SHARE,
    min_events: int = 200,
) -> tuple[int, ...] | None:
    """People on duty per hour of the week (168 ints, Mon 00:00-01:00 first), or None (see module docstring)."""
    if capacity is None or capacity < MIN_CAPACITY:
        return None
    ev = pool_events.dropna(subset=[C.END, C.RESOURCE])
    if len(ev) < min_events or ev[C.RESOURCE].nunique() < 2:
        return None
    end = ev[C.END]
    start = ev[C.START].fillna(end) if has_start else end
    origin = pd.Timestamp("2000-01-03")  # a Monday
    h0 = np.floor((start - origin).dt.total_seconds().to_numpy() / 3600.0).astype(np.int64)
    h1 = np.floor((end - origin).dt.total_seconds().to_numpy() / 3600.0).astype(np.int64)
    h1 = np.maximum(h0, h1)
    res = ev[C.RESOURCE].astype(str).to_numpy()
    span = h1 - h0
    short = span <= MAX_SPAN_H
    # every hour an instance touches (long ones: start and end hours only)
    reps = np.where(short, span + 1, 2)
    idx = np.repeat(np.arange(len(ev)), reps)
    step = np.arange(len(idx)) - np.repeat(np.cumsum(reps) - reps, reps)
    hours = np.where(short[idx], h0[idx] + step, np.where(step == 0, h0[idx], h1[idx]))
    frame = pd.DataFrame({"res": res[idx], "hour": hours}).drop_duplicates()
    # hour of the DAY, counted over days (not hour of the week over weeks): 7x the data per slot, so a
    # person's shift shows through the noise; the calendar already says which weekdays are open
    frame["week"] = frame["hour"] // 24
    frame["how"] = frame["hour"] % 24
    slot_weeks = frame.groupby(["res", "how"])["week"].nunique()
    best = slot_weeks.groupby(level="res").max()
    on_duty = slot_weeks / best.reindex(slot_weeks.index.get_level_values("res")).to_numpy() >= share
    on_duty = on_duty[on_duty]
    # people with little data count wherever the pool as a whole is usually at work
    per_res = pd.Series(res).value_counts()
    few = [r for r in best.index if per_res.get(r, 0) < MIN_PERSON_EVENTS]
    if few:
        pool_weeks = frame.groupby("how")["week"].nunique().reindex(range(24), fill_value=0)
        usual = np.flatnonzero(pool_weeks.to_numpy() >= share * pool_weeks.max())
        on_duty = on_duty[~on_duty.index.get_level_values("res").isin(few)]
        extra = pd.Series(True, index=pd.MultiIndex.from_product([few, usual], names=["res", "how"]))
        on_duty = pd.concat([on_duty, extra])
    counts = on_duty.groupby(level="how").size().reindex(range(24), fill_value=0)
    profile = np.clip(counts.to_numpy(), 1, capacity).astype(int)
    worked_slots = frame["how"].unique()
    if (profile[worked_slots] >= capacity).all():
        return None
    return tuple(int(v) for v in np.tile(profile, 7))


def scale_profile(
    profile: tuple[int, ...] | None, old: int | None, new: int | None, *, add: int | None = None
) -> tuple[int, ...] | None:
    """The profile after a capacity change: ``add`` people join every hour somebody is on duty; ``set`` (no
    ``add``) scales every hour by new/old. Always within [1, new]."""
    if profile is None or new is None:
        return None
    if add is not None:
        out = [min(new, max(1, v + add)) if v > 0 else v for v in profile]
    else:
        factor = new / old if old else 1.0
        out = [min(new, max(1, int(round(v * factor)))) for v in profile]
    return tuple(out)


def limits_open_hours(profile: tuple[int, ...] | None, calendar: Calendar, capacity: int | None) -> bool:
    """True when the profile has fewer than ``capacity`` people in some hour the calendar is open
    (otherwise it changes nothing and the model is simpler without it)."""
    if profile is None or capacity is None:
        return False
    for start, end in week_segments(calendar):
        for h in range(int(start // 3600), int(math.ceil(end / 3600))):
            if profile[h % HOURS_PER_WEEK] < capacity:
                return True
    return False
