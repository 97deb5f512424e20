"""Was the fix really applied in the pilot segment? Each change of the scenario is checked in the log.

Stage: pilot. A pilot whose fix was never switched on measures nothing. Removed step: it should (almost)
no longer occur in the segment's pilot cases. Skipped step: not for the segment's pilot cases that match the
condition. Faster step: its median working time in the segment moved towards the scale. More people: more
distinct people did the step per week. Changes whose trace in a log is ambiguous (priorities, calendars,
batches, arrivals) are reported as not checkable rather than guessed.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from procopt.log import columns as C
from procopt.pilot.cases import Segment
from procopt.scenario.changes import RemoveActivity, ScaleDuration, SetCapacity, SkipActivity
from procopt.scenario.load import Scenario

#: a removed or skipped step may still show up in at most this share of the segment's pilot cases
MAX_LEFT_SHARE = 0.05


def _share_with(events: pd.DataFrame, cases: pd.Index, activity: str) -> float | None:
    if not len(cases):
        return None
    ev = events[events[C.CASE].isin(cases)]
    return float(ev.loc[ev[C.ACTIVITY] == activity, C.CASE].nunique() / len(cases))


def _check(kind: str, target: str, status: str, detail: str) -> dict[str, Any]:
    return {"change": kind, "target": target, "status": status, "detail": detail}


def check_fix(
    scenario: Scenario, events: pd.DataFrame, cases: pd.DataFrame, pilot_during: pd.Index, pilot_before: pd.Index
) -> list[dict[str, Any]]:
    """One check per change: ``status`` applied | not_applied | not_checkable, with the evidence."""
    out: list[dict[str, Any]] = []
    for ch in scenario.changes:
        if isinstance(ch, RemoveActivity | SkipActivity):
            kind = "remove_activity" if isinstance(ch, RemoveActivity) else "skip_activity"
            scope = pilot_during
            if isinstance(ch, SkipActivity):
                sub = cases.loc[cases.index.isin(pilot_during)]
                scope = sub.index[Segment(ch.when).mask(sub)] if len(sub) else sub.index
            left = _share_with(events, scope, ch.activity)
            before = _share_with(events, pilot_before, ch.activity)
            if left is None:
                out.append(_check(kind, ch.activity, "not_checkable", "no pilot case it applies to"))
                continue
            status = "applied" if left <= MAX_LEFT_SHARE else "not_applied"
            was = f" (before the pilot {100 * before:.0f}%)" if before is not None else ""
            out.append(
                _check(kind, ch.activity, status, f"still in {100 * left:.0f}% of {len(scope)} pilot cases{was}")
            )
        elif isinstance(ch, ScaleDuration):
            out.append(_duration_check(ch, events, pilot_during, pilot_before))
        elif isinstance(ch, SetCapacity) and ch.activity is not None and (ch.add or 0) > 0:
            out.append(_capacity_check(ch, events, pilot_during, pilot_before))
        else:
            name = type(ch).__name__
            target = str(getattr(ch, "activity", None) or getattr(ch, "pool", None) or "")
            out.append(_check(name, target, "not_checkable", "leaves no unambiguous trace in an event log"))
    return out


def _duration_check(ch: ScaleDuration, events: pd.DataFrame, during: pd.Index, before: pd.Index) -> dict[str, Any]:
    ev = events[(events[C.ACTIVITY] == ch.activity) & events[C.START].notna()]
    work = (ev[C.END] - ev[C.START]) / pd.Timedelta(hours=1)
    now = work[ev[C.CASE].isin(during)].median()
    then = work[ev[C.CASE].isin(before)].median()
    if not (now > 0 and then > 0) or ch.scale == 1:
        return _check("duration", ch.activity, "not_checkable", "no working times (start times) for the step")
    ratio = float(now / then)
    closer = abs(math.log(ratio) - math.log(ch.scale)) < abs(math.log(ratio))
    status = "applied" if closer else "not_applied"
    return _check("duration", ch.activity, status, f"median working time x{ratio:.2f} (planned x{ch.scale:g})")


def _capacity_check(ch: SetCapacity, events: pd.DataFrame, during: pd.Index, before: pd.Index) -> dict[str, Any]:
    ev = events[events[C.ACTIVITY] == ch.activity]
    week = ev[C.END].dt.to_period("W")

    def weekly_people(cases: pd.Index) -> float:
        sel = ev[C.CASE].isin(cases)
        return float(ev[sel].groupby(week[sel])[C.RESOURCE].nunique().mean()) if sel.any() else math.nan

    now, then = weekly_people(during), weekly_people(before)
    if math.isnan(now) or math.isnan(then):
        return _check("capacity", str(ch.activity), "not_checkable", "the step has no resources in one of the periods")
    status = "applied" if now >= then + 0.5 else "not_applied"
    return _check("capacity", str(ch.activity), status, f"{then:.1f} -> {now:.1f} people a week did the step")


def overall(checks: list[dict[str, Any]]) -> bool | None:
    """False when any check failed, True when at least one passed and none failed, None when none could run."""
    statuses = [c["status"] for c in checks]
    if "not_applied" in statuses:
        return False
    return True if "applied" in statuses else None
