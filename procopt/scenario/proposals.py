"""Improvement options procopt proposes by itself from the mining diagnostics.

Like a consultant's first list after walking the process: drop each approval that passes everything and only
adds waiting; put one more person where the queue is (the top capacity bottleneck — not a batching delay,
where people would not help); and approve automatically below the value above which an approval ever rejects.
Each proposal is an ordinary ``Scenario`` (built with ``scenario_from_dict``), simulated like the user's own.

When mining attributed the waiting to its causes (``Findings.waiting``), the fix follows the cause of each
large wait: batching -> more releases (``batch``), contention -> one more person (``capacity``),
unavailability -> longer hours for the team (``calendar``), prioritisation -> first come first served
(``priority``), extraneous -> the hand-off or process fix, simulated as half the extra wait (``delay``).
Staff are never proposed for a wait that is not contention. With a model, a change that would leave the
model as it is (nothing to scale, hours already covered) is not proposed.

The proposals read the mining stage's typed results (``Findings.of(mining_result)``) and the KPI stage's
``KpiValue``s, and phrase their own reasons in English or Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procopt.mine.waiting import WaitingItem, waiting_items

if TYPE_CHECKING:
    from procopt.mine import MiningResult
    from procopt.mine.approvals import ApprovalVerdict
    from procopt.mine.batching import BatchPattern
    from procopt.mine.bottlenecks import Bottleneck
    from procopt.mine.kpi import KpiValue
    from procopt.model.types import SimulationModel
    from procopt.scenario.load import Scenario


@dataclass(frozen=True, slots=True)
class Findings:
    """What the proposals read from mining: waiting by step and cause, batches, approval verdicts, bottlenecks."""

    waiting: tuple[WaitingItem, ...] = ()
    batches: tuple[BatchPattern, ...] = ()
    approvals: tuple[ApprovalVerdict, ...] = ()
    bottlenecks: tuple[Bottleneck, ...] = ()

    @staticmethod
    def of(result: MiningResult) -> Findings:
        """The findings of a mining run."""
        return Findings(
            waiting_items(result.waiting, result.causes_note), result.batches, result.approvals, result.bottlenecks
        )


MIN_CAUSE_SHARE = 0.05  # a step holding less of all waiting gets no proposal of its own
MAX_CAUSE_PROPOSALS = 4
_TEXT = {
    "en": {
        "batching": (
            "More releases for {activity}",
            "{activity} waits for its releases ({pattern}): release more often.",
        ),
        "batching_size": (
            "Smaller batches for {activity}",
            "{activity} waits for its batch to fill ({pattern}): release every {size} cases.",
        ),
        "capacity": (
            "+1 person for {activity}",
            "{activity}: {share:.0%} of its waiting is queueing behind other cases.",
        ),
        "unavailability": (
            "Longer hours for {pool}",
            "{activity}: {share:.0%} of its waiting is outside the team's working hours.",
        ),
        "prioritisation": (
            "First come, first served at {activity}",
            "{activity}: {share:.0%} of its waiting is cases that arrived later being served first.",
        ),
        "extraneous": (
            "Halve the outside wait before {activity}",
            "{activity}: {share:.0%} of its waiting is for something outside the team (a customer, a supplier, "
            "another system): fix the hand-off.",
        ),
        "remove": ("Remove approval {activity}", "{activity} passes practically every case and only adds waiting."),
        "top_bottleneck": ("+1 person for {activity}", "{activity} is the top bottleneck."),
        "threshold": (
            "Auto-approve {activity} up to {attribute} {value}",
            "{activity} rejects only cases with {attribute} above {value}.",
        ),
    },
    "zh": {
        "batching": ("{activity} 增加放行次数", "{activity} 等待固定放行（{pattern}）：更频繁地放行。"),
        "batching_size": ("{activity} 减小批量", "{activity} 等待凑满一批（{pattern}）：改为每 {size} 件放行。"),
        "capacity": ("{activity} 增加 1 人", "{activity}：{share:.0%} 的等待是排在其他案例之后。"),
        "unavailability": ("延长 {pool} 的工作时间", "{activity}：{share:.0%} 的等待发生在团队工作时间之外。"),
        "prioritisation": ("{activity} 先到先办", "{activity}：{share:.0%} 的等待是后到的案例被优先处理。"),
        "extraneous": (
            "{activity} 之前的外部等待减半",
            "{activity}：{share:.0%} 的等待是在等团队以外的人或系统（客户、供应商）：改进交接。",
        ),
        "remove": ("取消审批 {activity}", "{activity} 几乎全部通过，只增加等待。"),
        "top_bottleneck": ("{activity} 增加 1 人", "{activity} 是首要瓶颈。"),
        "threshold": (
            "{attribute} 不超过 {value} 时自动通过 {activity}",
            "{activity} 只驳回 {attribute} 高于 {value} 的案例。",
        ),
    },
}
CAUSES = ("batching", "unavailability", "prioritisation", "contention", "extraneous")


def _cause_text(language: str, key: str, **values: Any) -> tuple[str, str]:
    name, why = _TEXT.get(language, _TEXT["en"])[key]
    return name.format(**values), why.format(**values)


def _more_releases(times: list[str]) -> list[str]:
    """The release times plus one between each pair (a single daily release gets a second one 6 h apart)."""
    minutes = sorted({int(t[:2]) * 60 + int(t[3:5]) for t in times})
    extra = [(a + b) // 2 for a, b in zip(minutes, minutes[1:], strict=False)]
    if len(minutes) == 1:
        extra = [minutes[0] - 360 if minutes[0] >= 14 * 60 else minutes[0] + 360]
    return [f"{m // 60:02d}:{m % 60:02d}" for m in sorted(set(minutes) | set(extra))]


def _longer_hours(model: SimulationModel, activity: str) -> tuple[str, str] | None:
    """(pool, hours text) two hours longer each working day, or None when that changes nothing."""
    pool = model.pools.get(model.activities[activity].pool) if activity in model.activities else None
    cal = model.calendars.get(pool.calendar) if pool is not None else None
    if pool is None or cal is None or cal.is_always:
        return None
    parts = []
    for day, spans in cal.hours.items():
        if not spans:
            continue
        lo = min(int(a[:2]) * 60 + int(a[3:5]) for a, _ in spans)
        hi = max(int(b[:2]) * 60 + int(b[3:5]) for _, b in spans)
        lo, hi = max(lo - 60, 0), min(hi + 60, 24 * 60)
        end = "24:00" if hi >= 24 * 60 else f"{hi // 60:02d}:{hi % 60:02d}"
        parts.append(f"{day} {lo // 60:02d}:{lo % 60:02d}-{end}")
    return (pool.name, "; ".join(parts)) if parts else None  # one group per day (spans within a day: ",")


#: a proposal: its scenario as a dict (name, description, changes) and the one-line reason shown beside it
Proposal = tuple[dict[str, Any], str]


def _proposal(language: str, key: str, change: dict[str, Any], **values: Any) -> Proposal:
    name, why = _cause_text(language, key, **values)
    return {"name": name, "description": why, "changes": [change]}, why


def _batch_fix(act: str, batch: BatchPattern | None, language: str) -> Proposal:
    """Half the batch when it fills by size, more release times when it goes by the clock, else no batch."""
    pattern = batch.pattern if batch is not None else ""
    if batch is not None and batch.trigger == "size" and batch.batch_size is not None and batch.batch_size >= 4:
        size = batch.batch_size // 2  # half the batch, twice the releases
        return _proposal(
            language,
            "batching_size",
            {"batch": {"activity": act, "size": size}},
            activity=act,
            pattern=pattern,
            size=size,
        )
    change: dict[str, Any]
    if batch is not None and batch.release_times:
        weekdays = list(batch.weekdays) or ["Mon", "Tue", "Wed", "Thu", "Fri"]
        change = {"batch": {"activity": act, "times": _more_releases(list(batch.release_times)), "weekdays": weekdays}}
    else:  # a batch of two or three (or of unknown size): release as work arrives
        change = {"batch": {"activity": act, "remove": True}}
    return _proposal(language, "batching", change, activity=act, pattern=pattern)


def cause_changes(
    findings: Findings, language: str = "en", model: SimulationModel | None = None
) -> list[Proposal] | None:
    """Proposals that follow the cause of each large wait; None when mining has no causes (complete-only logs)."""
    if not findings.waiting or all(w.main_cause() is None for w in findings.waiting):
        return None
    batches = {b.activity: b for b in findings.batches}
    out: list[Proposal] = []
    for item in findings.waiting:
        if len(out) >= MAX_CAUSE_PROPOSALS or item.wait_share < MIN_CAUSE_SHARE:
            break
        found = item.main_cause()
        if found is None:
            continue
        cause, share = found
        act = item.activity
        if model is not None and act not in model.activities:
            continue
        change: dict[str, Any]
        if cause == "contention":
            out.append(
                _proposal(language, "capacity", {"capacity": {"activity": act, "add": 1}}, activity=act, share=share)
            )
        elif cause == "batching":
            if model is not None and model.activities[act].batch is None:
                # the model does not hold this step for a release: "more releases" would add one (mobis:
                # "More releases for pay expenses" lengthened the simulated lead time by 8.9 h)
                continue
            out.append(_batch_fix(act, batches.get(act), language))
        elif cause == "unavailability":
            hours = _longer_hours(model, act) if model is not None else None
            if hours is None:
                continue
            change = {"calendar": {"pool": hours[0], "hours": hours[1]}}
            out.append(_proposal(language, "unavailability", change, activity=act, pool=hours[0], share=share))
        elif cause == "prioritisation":
            if model is not None and model.activities[act].priority == "fifo":
                continue  # the model already serves this step first come, first served: nothing would change
            change = {"priority": {"activity": act, "rule": "fifo"}}
            out.append(_proposal(language, "prioritisation", change, activity=act, share=share))
        else:
            if model is not None and model.activities[act].extra_delay is None:
                continue  # the model has no extra wait there to shorten: the change would do nothing
            change = {"delay": {"activity": act, "scale": 0.5}}
            out.append(_proposal(language, "extraneous", change, activity=act, share=share))
    return out


def propose_changes(findings: Findings, language: str = "en", model: SimulationModel | None = None) -> list[Proposal]:
    """Scenario dicts (name, description, changes) with a one-line reason each, most promising first."""
    out = [
        _proposal(language, "remove", {"remove_activity": a.activity}, activity=a.activity)
        for a in findings.approvals
        if a.verdict == "candidate_for_removal"
    ]
    by_cause = cause_changes(findings, language, model)
    if by_cause is not None:
        out.extend(by_cause)
    # without causes: the top capacity bottleneck, never a batching or idle wait
    queue = [b for b in findings.bottlenecks if b.kind not in {"batching", "batch", "idle_wait"}]
    if queue and by_cause is None:
        act = queue[0].activity
        out.append(_proposal(language, "top_bottleneck", {"capacity": {"activity": act, "add": 1}}, activity=act))
    for a in findings.approvals:
        attr, value = a.threshold_attribute, a.threshold_value
        if a.verdict != "candidate_for_threshold" or not attr or value is None:
            continue
        column = f"`{attr}`" if not attr.isidentifier() else attr
        change = {"skip_activity": {"activity": a.activity, "when": f"{column} <= {value:g}"}}
        out.append(_proposal(language, "threshold", change, activity=a.activity, attribute=attr, value=f"{value:,.0f}"))
    return out


def targets_from(given: Sequence[Scenario], kpis: Sequence[KpiValue]) -> dict[str, dict[str, float]]:
    """KPI targets for proposals: those of the user's scenarios, else the KPI file's on-time delivery target."""
    for scenario in given:
        if scenario.kpi_targets:
            return {k: dict(v) for k, v in scenario.kpi_targets.items()}
    for k in kpis:
        if k.type == "on_time_delivery" and k.target_kind == "min":
            return {"delivery_rate": {"min": float(k.target)}}  # the KPI file's on-time target, the simulation's KPI
    return {}


def propose_scenarios(
    model: SimulationModel | None,
    findings: Findings,
    kpis: Sequence[KpiValue] = (),
    language: str = "en",
    given: Sequence[Scenario] = (),
) -> list[tuple[Scenario, str]]:
    """Proposed ``Scenario`` objects with their reasons; ones duplicating a given scenario's changes are left out."""
    from procopt.scenario import scenario_from_dict

    seen = {tuple(s.changes) for s in given}
    targets = targets_from(given, kpis)
    out = []
    for data, why in propose_changes(findings, language, model):
        scenario = scenario_from_dict({**data, "kpi_targets": targets}, default_name=data["name"])
        if tuple(scenario.changes) in seen:
            continue
        seen.add(tuple(scenario.changes))
        out.append((scenario, why))
    return out
