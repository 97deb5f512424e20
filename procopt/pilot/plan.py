"""``plan_pilot``: problem, cause, fix, segment and control, window, prediction and power -> a pilot record.

Stage: pilot. Input: the event table, a scenario (the fix), a segment condition and a window; output: a
``PilotRecord``. The prediction comes from the calibrated model with the fix limited to the segment
(``predict``); whether it is shown as a target depends on the model's held-out check (``trust``).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from procopt.errors import InputError, ScenarioError
from procopt.log import columns as C
from procopt.model.types import SimulationModel
from procopt.pilot import record as R
from procopt.pilot.cases import Segment, case_table
from procopt.pilot.predict import METRICS, Prediction, predict, proposed_weeks
from procopt.pilot.trust import trust_from_validation
from procopt.scenario.changes import RemoveActivity, ScaleArrivals, SetBatch, SetCalendar, SetCapacity, SkipActivity
from procopt.scenario.load import Scenario, apply_scenario

#: weeks before the pilot used as its "before" period (in the prediction and in the evaluation)
PRE_WEEKS = 4
#: fewer cases than this per group in the window cannot support any conclusion
MIN_CASES = 20
#: how much the metric a fix does not aim at may fall back before the pilot counts as failed
GUARD_RATE = 0.02
GUARD_HOURS = 2.0

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """What to plan: segment, optional control, window, replications, seed and the fidelity runs (0 = skip)."""

    segment: str
    weeks: int = 2
    start: datetime.date | None = None
    control: str | None = None
    replications: int = 10
    seed: int = 1
    fidelity_runs: int = 10


def default_start(events: pd.DataFrame) -> datetime.date:
    """The Monday after the log's last event: a pilot starts on the next full week."""
    last = datetime.date.fromisoformat(str(events[C.END].max().date()))
    return last + datetime.timedelta(days=7 - last.weekday())


def groups(
    cases: pd.DataFrame, segment: Segment, control: Segment | None, source: object
) -> tuple[pd.Series, pd.Series]:
    """Boolean masks of the pilot segment and the control group; both must hold cases."""
    seg = segment.mask(cases, source)
    ctrl = control.mask(cases, source) & ~seg if control is not None else ~seg
    if not seg.any():
        raise InputError(
            str(source),
            f"no case matches the segment {segment.text!r}",
            hint="Check the attribute's values in the log (e.g. procopt mine LOG --json | segments).",
        )
    if not ctrl.any():
        raise InputError(
            str(source),
            "no case is left for the control group" + (f" {control.text!r}" if control else ""),
            hint="Choose a smaller segment, or name a control group with --control.",
        )
    return seg, ctrl


def weekly_rate(arrivals: pd.Series) -> float:
    """Cases per week over the span of ``arrivals``."""
    if arrivals.empty:
        return 0.0
    span = max((arrivals.max() - arrivals.min()) / pd.Timedelta(weeks=1), 1.0)
    return float(len(arrivals) / span)


def too_few_cases(rate_pilot: float, rate_control: float, weeks: int, source: object, what: str) -> None:
    """Exit 2 when the window cannot hold MIN_CASES cases per group; say how many more weeks would."""
    rate = min(rate_pilot, rate_control)
    if rate * weeks >= MIN_CASES:
        return
    needed = math.ceil(MIN_CASES / rate) if rate > 0 else None
    more = f"{needed - weeks} more week(s) ({needed} in all)" if needed else "a segment with cases"
    raise InputError(
        str(source),
        f"{what}: about {rate_pilot * weeks:.0f} pilot and {rate_control * weeks:.0f} control case(s) in "
        f"{weeks} week(s); at least {MIN_CASES} per group are needed for any conclusion",
        hint=f"Run the pilot for {more}, or choose a larger segment.",
    )


def check_window_cases(
    cases: pd.DataFrame, seg: pd.Series, ctrl: pd.Series, weeks: int, source: object
) -> tuple[float, float]:
    """Weekly case rates of pilot and control; exit 2 when the window cannot hold enough cases."""
    rate_pilot = weekly_rate(cases.loc[seg, "arrival"])
    rate_control = weekly_rate(cases.loc[ctrl, "arrival"])
    too_few_cases(rate_pilot, rate_control, weeks, source, f"a {weeks}-week window")
    return rate_pilot, rate_control


def fix_activities(scenario: Scenario, model: SimulationModel) -> dict[str, set[str]]:
    """Activities and pools the fix touches: ``{"activities": ..., "pools": ...}``."""
    acts: set[str] = set()
    pools: set[str] = set()
    for ch in scenario.changes:
        act = getattr(ch, "activity", None)
        if isinstance(act, str):
            acts.add(act)
            if act in model.activities:
                pools.add(model.activities[act].pool)
        if isinstance(ch, SetCapacity | SetCalendar) and getattr(ch, "pool", None):
            pools.add(str(ch.pool))
    return {"activities": acts, "pools": pools}


def spillover_warnings(
    scenario: Scenario, model: SimulationModel, events: pd.DataFrame, control_cases: pd.Index
) -> list[str]:
    """A warning per pool the fix touches that the control group's cases also use."""
    touched = fix_activities(scenario, model)["pools"]
    ctrl_events = events[events[C.CASE].isin(control_cases)]
    used_by_control = {model.activities[a].pool for a in ctrl_events[C.ACTIVITY].unique() if a in model.activities}
    out = []
    for pool in sorted(touched & used_by_control):
        out.append(
            f"the fix touches pool {pool!r}, which the control group also uses: freeing or adding its people helps "
            "the control cases too and pulls the measured effect towards zero"
        )
    if any(isinstance(ch, ScaleArrivals) for ch in scenario.changes):
        out.append("the fix changes arrivals, which no segment pilot can confine to its segment")
    return out


def _problem(cases: pd.DataFrame, seg: pd.Series, ctrl: pd.Series, segment: str) -> R.Problem:
    def stats(mask: pd.Series) -> tuple[float | None, float | None, int]:
        sub = cases[mask & ~cases["open"]]
        lead = float(sub["lead_time_h"].mean()) if len(sub) else None
        on = cases.loc[mask, "on_time"].dropna()
        return lead, (float(on.astype(bool).mean()) if len(on) else None), int(mask.sum())

    s_lead, s_rate, s_n = stats(seg)
    c_lead, c_rate, c_n = stats(ctrl)
    parts = [f"{segment}: {s_n} cases"]
    if s_lead is not None:
        parts.append(f"mean lead time {s_lead:.1f} h" + (f" (control {c_lead:.1f} h)" if c_lead is not None else ""))
    if s_rate is not None:
        parts.append(
            f"delivered on time {100 * s_rate:.1f}%" + (f" (control {100 * c_rate:.1f}%)" if c_rate is not None else "")
        )
    return R.Problem(
        finding="; ".join(parts),
        numbers={
            "segment_cases": s_n,
            "control_cases": c_n,
            "segment_lead_time_hours": s_lead,
            "control_lead_time_hours": c_lead,
            "segment_delivery_rate": s_rate,
            "control_delivery_rate": c_rate,
        },
    )


def _cause(mining: Mapping[str, Any], touched: set[str]) -> R.Cause:
    """The diagnostics that concern the activities the fix touches first, then the top bottlenecks."""
    evidence: list[str] = []

    def said(activity: str, reason: str) -> str:
        return reason if reason.startswith(activity) else f"{activity}: {reason}"

    for item in mining.get("approvals") or []:
        if item.get("activity") in touched and item.get("reason"):
            evidence.append(said(item["activity"], item["reason"]))
    for item in mining.get("batches") or []:
        if item.get("activity") in touched:
            times = ", ".join(item.get("release_times") or item.get("times") or [])
            size = item.get("batch_size") if item.get("trigger") == "size" else None
            where = f" at {times}" if times else (f" of {size}" if size else "")
            evidence.append(f"{item['activity']}: released in batches{where}")
    ranked = list(mining.get("bottlenecks") or [])
    for item in sorted(ranked, key=lambda b: b.get("activity") not in touched)[:3]:
        if item.get("reason"):
            evidence.append(said(item["activity"], item["reason"]))
    return R.Cause(evidence=list(dict.fromkeys(evidence)))


def _thresholds(prediction: Prediction) -> R.Thresholds:
    """Success = at least half the predicted gain on the metric the fix improves; the other must not fall back.

    A fix aimed at lead time must cut it by half the predicted hours and may not cost more than 2 points of
    delivery rate; a fix that only helps the delivery rate must lift it by half the predicted points.
    """
    lead, _ = prediction.effect["lead_time_hours"]
    rate, _ = prediction.effect["delivery_rate"]
    if lead is not None and lead < 0:
        return R.Thresholds(
            lead_time_hours=R.Threshold(max=round(0.5 * lead, 2)), delivery_rate=R.Threshold(min=-GUARD_RATE)
        )
    rate_min = round(0.5 * rate, 4) if rate is not None and rate > 0 else -GUARD_RATE
    return R.Thresholds(lead_time_hours=R.Threshold(max=GUARD_HOURS), delivery_rate=R.Threshold(min=rate_min))


def _effect(pair: tuple[float | None, tuple[float, float] | None]) -> R.Effect:
    value, ci = pair
    return R.Effect(
        value=None if value is None else round(value, 4),
        ci95=None if ci is None else (round(ci[0], 4), round(ci[1], 4)),
    )


def _power(prediction: Prediction, weeks: int) -> R.Power:
    lead, _ = prediction.effect["lead_time_hours"]
    mde = prediction.minimum_detectable
    limit = mde.get("lead_time_hours")
    detectable = lead is not None and limit is not None and abs(lead) >= limit
    proposal = None if detectable else proposed_weeks(weeks, lead, limit)
    if detectable:
        note = (
            f"{weeks} week(s) can show the predicted lead-time change ({lead:+.1f} h; detectable from ±{limit:.1f} h)"
        )
    elif lead is None or limit is None:
        note = "the simulation gave too few cases to estimate what the window can detect"
    elif proposal is not None:
        note = (
            f"{weeks} week(s) cannot show the predicted lead-time change ({lead:+.1f} h): the smallest detectable "
            f"change is ±{limit:.1f} h; run the pilot for {proposal} weeks"
        )
    else:
        note = (
            f"{weeks} week(s) cannot show the predicted lead-time change ({lead:+.1f} h; detectable from "
            f"±{limit:.1f} h), and no pilot of up to 26 weeks could: choose a larger segment or a stronger fix"
        )
    return R.Power(
        minimum_detectable={m: None if mde.get(m) is None else round(float(mde[m]), 4) for m in METRICS},  # type: ignore[arg-type]
        detectable=detectable,
        proposed_weeks=proposal,
        note=note,
    )


def company_wide_changes(scenario: Scenario) -> list[str]:
    """Notes for changes that act on a whole pool, so the simulation applies them to every case."""
    out = []
    for ch in scenario.changes:
        if not isinstance(ch, RemoveActivity | SkipActivity):
            kind = type(ch).__name__
            target = getattr(ch, "activity", None) or getattr(ch, "pool", None) or ""
            if isinstance(ch, SetBatch | SetCalendar | SetCapacity):
                out.append(f"{kind} {target}: acts on the whole pool, so the prediction applies it to every case")
            else:
                out.append(
                    f"{kind} {target}: cannot be limited to the segment in the simulation; applied to every case"
                )
    return out


def check_scenario(model: SimulationModel, scenario: Scenario, log_name: str) -> None:
    """Exit 2 when the fix names activities or pools the log does not have."""
    try:
        apply_scenario(model, scenario)
    except ScenarioError as exc:
        raise ScenarioError(
            exc.path,
            f"the scenario does not match the log {log_name}: {exc.problem}",
            where=exc.where,
            hint=exc.hint or "Write the fix with the log's activity and pool names (see procopt model LOG).",
        ) from None


def plan_pilot(
    events: pd.DataFrame,
    *,
    log_name: str,
    scenario: Scenario,
    scenario_data: Mapping[str, Any],
    model: SimulationModel,
    options: PlanOptions,
    mining: Mapping[str, Any],
    kpi_metrics: Sequence[R.Metric] = (),
    today: datetime.date | None = None,
) -> R.PilotRecord:
    """Assemble the pilot record (the expensive inputs — model, mining — come from the caller; the model's own
    held-out verdict, ``model.validation``, decides whether the prediction is a target)."""
    check_scenario(model, scenario, log_name)
    cases = case_table(events, model.delivery_activity)
    segment = Segment(options.segment)
    control = Segment(options.control) if options.control else None
    seg, ctrl = groups(cases, segment, control, log_name)
    start = options.start or default_start(events)
    rate_pilot, rate_control = check_window_cases(cases, seg, ctrl, options.weeks, log_name)
    prediction = predict(
        model,
        scenario,
        segment,
        start=start,
        weeks=options.weeks,
        pre_weeks=PRE_WEEKS,
        replications=options.replications,
        seed=options.seed,
    )
    trust = trust_from_validation(model.validation)
    touched = fix_activities(scenario, model)
    notes = company_wide_changes(scenario)
    if not trust.prediction_is_target:
        notes.append(f"The prediction is an estimate, not a target: {trust.reason}.")
    if control is not None:
        notes.append(f"Control group: {control.text} (cases in the segment are never in the control).")
    metrics = [
        R.Metric(
            name="lead_time_hours",
            unit="h",
            current_segment=_round(cases.loc[seg & ~cases["open"], "lead_time_h"].mean()),
            current_control=_round(cases.loc[ctrl & ~cases["open"], "lead_time_h"].mean()),
        ),
        R.Metric(
            name="delivery_rate",
            unit="share",
            current_segment=_round(cases.loc[seg, "on_time"].dropna().astype(float).mean()),
            current_control=_round(cases.loc[ctrl, "on_time"].dropna().astype(float).mean()),
        ),
        *kpi_metrics,
    ]
    return R.PilotRecord(
        title=f"Pilot {scenario.name} in {options.segment}",
        created_at=today or datetime.date.today(),
        log=log_name,
        delivery_activity=model.delivery_activity,
        problem=_problem(cases, seg, ctrl, options.segment),
        cause=_cause(mining, touched["activities"]),
        fix=R.Fix(name=scenario.name, scenario=dict(scenario_data)),
        groups=R.Groups(
            segment=options.segment,
            control=options.control,
            segment_cases_per_week=round(rate_pilot, 2),
            control_cases_per_week=round(rate_control, 2),
        ),
        window=R.Window(start=start, weeks=options.weeks),
        metrics=metrics,
        thresholds=_thresholds(prediction),
        predicted_effect=R.EffectPair(
            lead_time_hours=_effect(prediction.effect["lead_time_hours"]),
            delivery_rate=_effect(prediction.effect["delivery_rate"]),
        ),
        power=_power(prediction, options.weeks),
        trust=trust,
        spillover=spillover_warnings(scenario, model, events, cases.index[ctrl]),
        notes=notes,
    )


def _round(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else round(v, 4)
