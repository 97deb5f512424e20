"""``evaluate_pilot``: the observed effect of a pilot against its control group and its prediction, and a decision.

Stage: pilot. Input: a planned ``PilotRecord`` and the event table of a log that covers the weeks before and
during the pilot. Cases are assigned to before/during by their arrival; the effect is a difference-in-
differences with a week-block bootstrap (``did``); the fix is checked in the log (``fixcheck``). Output: the
record with its ``evaluation`` filled in (the input record object is never changed) and the weekly series
for the before/after chart.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procopt.errors import InputError
from procopt.log import columns as C
from procopt.pilot import record as R
from procopt.pilot.cases import Segment, case_table, period_of, week_of
from procopt.pilot.did import did, pre_trend
from procopt.pilot.fixcheck import check_fix, overall
from procopt.pilot.plan import MIN_CASES, PRE_WEEKS, groups
from procopt.scenario.load import scenario_from_dict

MIN_PRE_WEEKS = 2
#: a log extracted on the pilot's last Friday still covers a window that ends on the Monday after
WEEKEND_DAYS = 3
_COLUMN = {"lead_time_hours": "lead_time_h", "delivery_rate": "on_time"}
#: in these metrics a lower value is better
LOWER_IS_BETTER = {"lead_time_hours": True, "delivery_rate": False}


@dataclass(frozen=True, slots=True)
class PilotEvaluation:
    """The updated record, whether the window was too short, and weekly means per group for the chart."""

    record: R.PilotRecord
    too_short: bool
    weekly: pd.DataFrame  # week, group, lead_time_h, on_time, cases

    def to_dict(self) -> dict[str, Any]:
        """The ``pilot evaluate --json`` document (see docs/CONTRACTS.md)."""
        ev = self.record.evaluation
        assert ev is not None
        return {
            "predicted_effect": self.record.predicted_effect.model_dump(mode="json"),
            "observed_effect": ev.observed_effect.model_dump(mode="json"),
            "vs_prediction": dict(ev.vs_prediction),
            "fix_applied": ev.fix_applied,
            "fix_checks": list(ev.fix_checks),
            "parallel_pre_trends": ev.parallel_pre_trends,
            "too_short": self.too_short,
            "decision": ev.decision,
            "reason": ev.reason,
            "cases": dict(ev.cases),
            "notes": list(ev.notes),
            "prediction_is_target": self.record.trust.prediction_is_target,
        }


def _window_covered(cases: pd.DataFrame, events: pd.DataFrame, window: R.Window, source: str) -> int:
    """Weeks before the pilot available in the log (at most PRE_WEEKS); exit 2 when the window is not covered."""
    first = cases["arrival"].min()
    last = events[C.END].max()
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    if last < end - pd.Timedelta(days=WEEKEND_DAYS):
        raise InputError(
            source,
            f"the log ends on {last.date()}, before the pilot window ends ({window.start} + {window.weeks} weeks = {window.end})",
            hint="Extract the log again after the pilot's last day (a week later lets open cases finish).",
        )
    pre = int((start - first) / pd.Timedelta(weeks=1))
    if pre < MIN_PRE_WEEKS:
        raise InputError(
            source,
            f"the log starts on {first.date()}: fewer than {MIN_PRE_WEEKS} weeks before the pilot start {window.start}",
            hint=f"Extract the log from at least {MIN_PRE_WEEKS} weeks before the pilot (4 are better).",
        )
    return min(pre, PRE_WEEKS)


def _compare(metric: str, observed: R.Effect, predicted: R.Effect) -> R.Comparison | None:
    if observed.value is None or predicted.value is None:
        return None
    low, high = predicted.ci95 if predicted.ci95 is not None else (predicted.value, predicted.value)
    if low <= observed.value <= high:
        return "inside"
    below = observed.value < low
    return "better" if below == LOWER_IS_BETTER[metric] else "worse"


def _decide(
    record: R.PilotRecord, observed: R.EffectPair, fix_applied: bool | None, parallel: bool | None
) -> tuple[R.Decision, str, bool]:
    """roll_out / extend / stop with the reason, and whether the window was too short."""
    lead, rate = observed.lead_time_hours, observed.delivery_rate
    th = record.thresholds
    caveat = "" if parallel is not False else " (caution: pilot and control did not move in parallel before the pilot)"
    if fix_applied is False:
        return (
            "extend",
            "the fix was not applied in the segment, so the pilot says nothing about it: apply it as planned and "
            "run the pilot again" + caveat,
            False,
        )
    limit = record.power.minimum_detectable.get("lead_time_hours")
    if lead.value is None or lead.ci95 is None:
        return "extend", "too few weeks to put a confidence interval on the lead-time change" + caveat, True
    low, high = lead.ci95
    rate_ok = rate.value is None or th.delivery_rate.min is None or rate.value >= th.delivery_rate.min
    lead_goal = th.lead_time_hours.max
    if high < 0 and (lead_goal is None or lead.value <= lead_goal) and rate_ok:
        return (
            "roll_out",
            f"lead time changed by {lead.value:+.1f} h (95% CI {low:+.1f} to {high:+.1f}), meeting the threshold "
            f"({lead_goal:+.1f} h)"
            + (f" with the delivery rate at {rate.value:+.3f}" if rate.value is not None else "")
            + caveat,
            False,
        )
    if low > 0 or not rate_ok and rate.ci95 is not None and rate.ci95[1] < (th.delivery_rate.min or 0.0):
        return (
            "stop",
            f"the pilot made things worse: lead time {lead.value:+.1f} h (95% CI {low:+.1f} to {high:+.1f})" + caveat,
            False,
        )
    expected = record.predicted_effect.lead_time_hours.value
    too_short = limit is not None and (high - low) / 2 > abs(expected or 0.0) and not record.power.detectable
    if low <= 0 <= high and (too_short or (limit is not None and (high - low) / 2 > limit)):
        weeks = record.power.proposed_weeks
        more = f"; run it for {weeks} weeks in all" if weeks else "; choose a larger segment"
        return (
            "extend",
            f"the pilot was too short to detect an effect of this size: lead time {lead.value:+.1f} h "
            f"(95% CI {low:+.1f} to {high:+.1f}) includes no change, and only changes beyond ±{limit:.1f} h "
            f"are detectable in {record.window.weeks} week(s){more}" + caveat,
            True,
        )
    if high < 0:
        return (
            "extend",
            f"lead time improved by {lead.value:+.1f} h (95% CI {low:+.1f} to {high:+.1f}) but less than the success "
            f"threshold ({lead_goal:+.1f} h) or with the delivery rate below its threshold; extend to confirm" + caveat,
            False,
        )
    return (
        "stop",
        f"no effect where the window could have shown one: lead time {lead.value:+.1f} h "
        f"(95% CI {low:+.1f} to {high:+.1f})" + caveat,
        False,
    )


def evaluate_pilot(
    record: R.PilotRecord, events: pd.DataFrame, *, log_name: str, seed: int = 1, today: datetime.date | None = None
) -> PilotEvaluation:
    """Measure the pilot in ``events`` and return the record with its evaluation (``record`` is unchanged)."""
    cases = case_table(events, record.delivery_activity)
    if cases.empty:
        raise InputError(log_name, "the log has no cases")
    seg_text, ctrl_text = record.groups.segment, record.groups.control
    seg, ctrl = groups(cases, Segment(seg_text), Segment(ctrl_text) if ctrl_text else None, log_name)
    pre_weeks = _window_covered(cases, events, record.window, log_name)
    frame = cases.assign(
        group=np.where(seg, "pilot", np.where(ctrl, "control", "")),
        period=period_of(cases["arrival"], record.window.start, record.window.weeks, pre_weeks),
        week=week_of(cases["arrival"], record.window.start),
    )
    frame = frame[(frame["group"] != "") & (frame["period"] != "")]
    counts = frame.groupby(["group", "period"]).size()
    n = {f"{g}_{p}": int(counts.get((g, p), 0)) for g in ("pilot", "control") for p in ("before", "during")}
    fewest = min(n["pilot_during"], n["control_during"])
    if fewest < MIN_CASES:
        rate = fewest / record.window.weeks
        needed = math.ceil(MIN_CASES / rate) if rate > 0 else None
        more = f"{needed - record.window.weeks} more week(s) ({needed} in all)" if needed else "a window with cases"
        raise InputError(
            log_name,
            f"the pilot window holds {n['pilot_during']} pilot and {n['control_during']} control case(s); at least "
            f"{MIN_CASES} per group are needed for any conclusion",
            hint=f"Extend the pilot by {more}, then evaluate again.",
        )
    observed: dict[str, R.Effect] = {}
    trends = []
    for metric, col in _COLUMN.items():
        result = did(frame, col, seed=seed)
        observed[metric] = R.Effect(
            value=None if result.value is None else round(result.value, 4),
            ci95=None if result.ci95 is None else (round(result.ci95[0], 4), round(result.ci95[1], 4)),
        )
        trends.append(pre_trend(frame, col))
    pair = R.EffectPair(**observed)
    parallel_flags = [t.parallel for t in trends if t.parallel is not None]
    parallel = None if not parallel_flags else all(parallel_flags)
    scenario = scenario_from_dict(record.fix.scenario, default_name=record.fix.name)
    pilot_during = frame.index[(frame["group"] == "pilot") & (frame["period"] == "during")]
    pilot_before = frame.index[(frame["group"] == "pilot") & (frame["period"] == "before")]
    checks = check_fix(scenario, events, cases, pilot_during, pilot_before)
    applied = overall(checks)
    decision, reason, too_short = _decide(record, pair, applied, parallel)
    start = pd.Timestamp(record.window.start)
    before = frame["period"] == "before"
    straddling = int((before & ((frame["end"] >= start) | frame["open"])).sum())
    still_open = int(((frame["period"] == "during") & frame["open"]).sum())
    notes = [
        f"{pre_weeks} week(s) before the pilot form the 'before' period; cases belong to the period they arrived in",
        f"{straddling} case(s) arrived before the start and finished during the pilot: counted as before",
        f"{still_open} pilot-window case(s) were still open at extraction: lead time counted to the extraction "
        "(a lower bound), late once past their due date",
    ]
    if parallel is False:
        notes.append(
            "pilot and control did not move in parallel before the pilot: the difference-in-differences may be biased"
        )
    if not record.trust.prediction_is_target:
        notes.append(f"the prediction was an estimate, not a target ({record.trust.reason})")
    evaluation = R.Evaluation(
        log=log_name,
        evaluated_at=today or datetime.date.today(),
        observed_effect=pair,
        vs_prediction={m: _compare(m, observed[m], getattr(record.predicted_effect, m)) for m in _COLUMN},
        fix_applied=applied,
        fix_checks=checks,
        parallel_pre_trends=parallel,
        decision=decision,
        reason=reason,
        cases=n,
        notes=notes,
    )
    weekly = (
        frame.assign(on_time=frame["on_time"].astype(float))
        .groupby(["week", "group"])
        .agg(lead_time_h=("lead_time_h", "mean"), on_time=("on_time", "mean"), cases=("lead_time_h", "size"))
        .reset_index()
    )
    return PilotEvaluation(record.model_copy(update={"evaluation": evaluation}), too_short, weekly)
