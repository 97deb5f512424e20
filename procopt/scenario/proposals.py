"""Improvement options procopt proposes by itself from the mining diagnostics.

Like a consultant's first list after walking the process: drop each approval that passes everything and only
adds waiting; put one more person where the queue is (the top capacity bottleneck — not a batching delay,
where people would not help); and approve automatically below the value above which an approval ever rejects.
Each proposal is an ordinary ``Scenario`` (built with ``scenario_from_dict``), simulated like the user's own.

When mining attributed the waiting to its causes (``mining["waiting"]``), the fix follows the cause of each
large wait: batching -> more releases (``batch``), contention -> one more person (``capacity``),
unavailability -> longer hours for the team (``calendar``), prioritisation -> first come first served
(``priority``), extraneous -> the hand-off or process fix, simulated as half the extra wait (``delay``).
Staff are never proposed for a wait that is not contention. With a model, a change that would leave the
model as it is (nothing to scale, hours already covered) is not proposed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from procopt.report._fmt import get, number, records
from procopt.report.i18n import text

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
    },
}
CAUSES = ("batching", "unavailability", "prioritisation", "contention", "extraneous")


def _cause_text(language: str, key: str, **values: Any) -> tuple[str, str]:
    name, why = _TEXT.get(language, _TEXT["en"])[key]
    return name.format(**values), why.format(**values)


def main_cause(item: Mapping[str, Any]) -> tuple[str, float] | None:
    """(largest cause, its share of the step's waiting) of a ``waiting`` item, or None without causes."""
    causes = item.get("causes")
    total = number(item.get("wait_total_s"))
    if not isinstance(causes, Mapping) or not total:
        return None
    name = max(CAUSES, key=lambda c: (number(causes.get(c)) or 0.0, -CAUSES.index(c)))
    return name, (number(causes.get(name)) or 0.0) / total


def _more_releases(times: list[str]) -> list[str]:
    """The release times plus one between each pair (a single daily release gets a second one 6 h apart)."""
    minutes = sorted({int(t[:2]) * 60 + int(t[3:5]) for t in times})
    extra = [(a + b) // 2 for a, b in zip(minutes, minutes[1:], strict=False)]
    if len(minutes) == 1:
        extra = [minutes[0] - 360 if minutes[0] >= 14 * 60 else minutes[0] + 360]
    return [f"{m // 60:02d}:{m % 60:02d}" for m in sorted(set(minutes) | set(extra))]


def _longer_hours(model: Any, activity: str) -> tuple[str, str] | None:
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


def cause_changes(
    mining: Mapping[str, Any], language: str = "en", model: Any = None
) -> list[tuple[dict[str, Any], str]] | None:
    """Proposals that follow the cause of each large wait; None when mining has no causes (complete-only logs)."""
    waiting = [w for w in records(mining.get("waiting")) if w.get("activity") is not None]
    if not waiting or all(main_cause(w) is None for w in waiting):
        return None
    batches = {str(b.get("activity")): b for b in records(mining.get("batches"))}
    out: list[tuple[dict[str, Any], str]] = []
    for item in waiting:
        if len(out) >= MAX_CAUSE_PROPOSALS or (number(item.get("wait_share")) or 0.0) < MIN_CAUSE_SHARE:
            break
        found = main_cause(item)
        if found is None:
            continue
        cause, share = found
        act = str(item["activity"])
        if model is not None and act not in model.activities:
            continue
        change: dict[str, Any]
        if cause == "contention":
            name, why = _cause_text(language, "capacity", activity=act, share=share)
            change = {"capacity": {"activity": act, "add": 1}}
        elif cause == "batching":
            if model is not None and getattr(model.activities[act], "batch", None) is None:
                # the model does not hold this step for a release: "more releases" would add one (mobis:
                # "More releases for pay expenses" lengthened the simulated lead time by 8.9 h)
                continue
            batch = batches.get(act, {})
            times = [str(t) for t in (batch.get("release_times") or [])]
            pattern = str(batch.get("pattern") or "")
            size = batch.get("batch_size") if batch.get("trigger") == "size" else None
            if isinstance(size, int) and size >= 4:  # size-triggered: half the batch, twice the releases
                name, why = _cause_text(language, "batching_size", activity=act, pattern=pattern, size=size // 2)
                change = {"batch": {"activity": act, "size": size // 2}}
            else:
                name, why = _cause_text(language, "batching", activity=act, pattern=pattern)
                if times:
                    weekdays = [str(d) for d in (batch.get("weekdays") or [])] or ["Mon", "Tue", "Wed", "Thu", "Fri"]
                    change = {"batch": {"activity": act, "times": _more_releases(times), "weekdays": weekdays}}
                else:  # a batch of two or three (or of unknown size): release as work arrives
                    change = {"batch": {"activity": act, "remove": True}}
        elif cause == "unavailability":
            hours = _longer_hours(model, act) if model is not None else None
            if hours is None:
                continue
            name, why = _cause_text(language, "unavailability", activity=act, pool=hours[0], share=share)
            change = {"calendar": {"pool": hours[0], "hours": hours[1]}}
        elif cause == "prioritisation":
            if model is not None and getattr(model.activities[act], "priority", "fifo") == "fifo":
                continue  # the model already serves this step first come, first served: nothing would change
            name, why = _cause_text(language, "prioritisation", activity=act, share=share)
            change = {"priority": {"activity": act, "rule": "fifo"}}
        else:
            if model is not None and getattr(model.activities[act], "extra_delay", None) is None:
                continue  # the model has no extra wait there to shorten: the change would do nothing
            name, why = _cause_text(language, "extraneous", activity=act, share=share)
            change = {"delay": {"activity": act, "scale": 0.5}}
        out.append(({"name": name, "description": why, "changes": [change]}, why))
    return out


def propose_changes(
    mining: Mapping[str, Any], language: str = "en", model: Any = None
) -> list[tuple[dict[str, Any], str]]:
    """Scenario dicts (name, description, changes) with a one-line reason each, most promising first."""
    out: list[tuple[dict[str, Any], str]] = []
    approvals = [a for a in records(mining.get("approvals")) if a.get("activity") is not None]
    for a in approvals:
        if a.get("verdict") == "candidate_for_removal":
            act = str(a["activity"])
            why = text(language, "proposed_remove_why", activity=act)
            out.append(
                (
                    {
                        "name": text(language, "proposed_remove", activity=act),
                        "description": why,
                        "changes": [{"remove_activity": act}],
                    },
                    why,
                )
            )
    by_cause = cause_changes(mining, language, model)
    if by_cause is not None:
        out.extend(by_cause)
    queue = [
        b
        for b in records(mining.get("bottlenecks"))
        if b.get("activity") is not None and str(b.get("kind", "queue")) not in {"batching", "batch", "idle_wait"}
    ]
    if queue and by_cause is None:  # without causes: the top capacity bottleneck, never a batching or idle wait
        act = str(queue[0]["activity"])
        why = text(language, "proposed_capacity_why", activity=act)
        out.append(
            (
                {
                    "name": text(language, "proposed_capacity", activity=act),
                    "description": why,
                    "changes": [{"capacity": {"activity": act, "add": 1}}],
                },
                why,
            )
        )
    for a in approvals:
        attr, value = a.get("threshold_attribute"), number(a.get("threshold_value"))
        if a.get("verdict") != "candidate_for_threshold" or not attr or value is None:
            continue
        act = str(a["activity"])
        shown = f"{value:,.0f}"
        why = text(language, "proposed_threshold_why", activity=act, attribute=attr, value=shown)
        column = f"`{attr}`" if not str(attr).isidentifier() else str(attr)
        out.append(
            (
                {
                    "name": text(language, "proposed_threshold", activity=act, attribute=attr, value=shown),
                    "description": why,
                    "changes": [{"skip_activity": {"activity": act, "when": f"{column} <= {value:g}"}}],
                },
                why,
            )
        )
    return out


def targets_from(given: list[Any], kpis: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """KPI targets for proposals: those of the user's scenarios, else the KPI file's delivery/lead-time targets."""
    for scenario in given:
        if getattr(scenario, "kpi_targets", None):
            return {k: dict(v) for k, v in scenario.kpi_targets.items()}
    targets: dict[str, dict[str, float]] = {}
    for k in records(get(kpis, "kpis")) or records(kpis):
        target = k.get("target")
        bound = str(k.get("target_kind") or "")
        if isinstance(target, Mapping):  # {min: x} / {max: x}
            bound = "min" if number(target.get("min")) is not None else "max"
            target = target.get(bound)
        if k.get("type") == "on_time_delivery" and bound == "min" and number(target) is not None:
            targets["delivery_rate"] = {"min": float(target)}  # the KPI file's on-time target, the simulation's KPI
    return targets


def propose_scenarios(
    model: Any,
    mining: Mapping[str, Any],
    kpis: Mapping[str, Any] | None,
    language: str = "en",
    given: list[Any] | None = None,
) -> list[tuple[Any, str]]:
    """Proposed ``Scenario`` objects with their reasons; ones duplicating a given scenario's changes are left out."""
    from procopt.scenario import scenario_from_dict

    given = given or []
    seen = {tuple(getattr(s, "changes", ())) for s in given}
    targets = targets_from(given, kpis)
    out = []
    for data, why in propose_changes(mining, language, model):
        scenario = scenario_from_dict({**data, "kpi_targets": targets}, default_name=data["name"])
        if tuple(scenario.changes) in seen:
            continue
        seen.add(tuple(scenario.changes))
        out.append((scenario, why))
    return out
