"""Stage 4 (scenario): read a scenario YAML file and apply it to a model.

A scenario file (``version`` may be left out: such a file is version 1)::

    version: 1
    name: remove_director_approval
    description: The finance director no longer signs every order.
    changes:
      - remove_activity: "Approve Order (Finance Director)"
      - skip_activity: {activity: "Approve Order (Sales Manager)", when: "order_value < 5000"}
      - capacity: {activity: "Check Credit", add: 1}        # or {pool: ..., set: 3}
      - duration: {activity: "Create Invoice", scale: 0.2}
      - arrivals: {scale: 1.15}
      - priority: {activity: "Check Credit", rule: earliest_due_date}   # fifo | earliest_due_date | highest_value
      - batch: {activity: "Ship Goods", times: ["10:00", "13:00", "15:00"]}   # or {activity: ..., remove: true}
      - batch: {activity: "Print Labels", size: 10, max_wait_hours: 24}   # released when 10 wait (24 h at most)
      - calendar: {pool: "Warehouse", hours: "Mon-Sat 08:00-20:00"}
      - delay: {activity: "Check Credit", scale: 0.5}   # or hours: 1.0 — the extra wait that is not queueing
    kpi_targets:
      lead_time_p90_hours: {max: 96}
      delivery_rate: {min: 0.95}

``load_scenario`` checks the file's shape; ``apply_scenario`` checks the names against the model (the
activity or pool must exist — the error lists the valid ones) and returns the changed model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procopt.config.yaml_io import read_yaml
from procopt.errors import ScenarioError
from procopt.model.types import PRIORITY_RULES, SimulationModel
from procopt.model.validate import Checker
from procopt.scenario.changes import (
    CHANGE_TYPES,
    Change,
    RemoveActivity,
    ScaleArrivals,
    ScaleDuration,
    SetBatch,
    SetCalendar,
    SetCapacity,
    SetDelay,
    SetPriority,
    SkipActivity,
)

#: KPI name -> meaning (all computed over the cases that arrive after the warm-up)
KPI_NAMES: dict[str, str] = {
    "lead_time_mean_hours": "mean lead time (hours)",
    "lead_time_p50_hours": "median lead time (hours)",
    "lead_time_p90_hours": "90th percentile lead time (hours)",
    "delivery_rate": "share of cases delivered by their due date (0-1)",
    "throughput_per_week": "cases completed per week",
    "wip": "average cases in progress",
}
#: the change kinds a scenario file may use, derived from the change classes (each declares its ``kind``)
CHANGE_KINDS: tuple[str, ...] = tuple(change.kind for change in CHANGE_TYPES)
#: the scenario file format this procopt reads; a file without ``version`` is version 1
SCENARIO_VERSION = 1


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named set of changes plus the KPI targets it should meet (``{kpi: {"max"|"min": value}}``)."""

    name: str
    description: str = ""
    changes: tuple[Change, ...] = ()
    kpi_targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    path: str | None = None


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; raises ``ScenarioError`` naming the file and key path."""
    path = Path(path)
    data = read_yaml(path, ScenarioError, missing_hint="See scenarios/*.yaml for examples.")
    return scenario_from_dict(data, path, default_name=path.stem)


def scenario_from_dict(data: Any, path: str | Path | None = None, *, default_name: str = "scenario") -> Scenario:
    """Build a ``Scenario`` from plain data, checking its shape."""
    ck = Checker(path, ScenarioError)
    top = ck.mapping(
        data if data is not None else {}, "", optional=("version", "name", "description", "changes", "kpi_targets")
    )
    version = top.get("version", 1)  # files written before scenarios were versioned are version 1
    if isinstance(version, bool) or version != SCENARIO_VERSION:
        ck.fail(
            "version", f"unsupported scenario version {version!r}", f"This procopt reads version: {SCENARIO_VERSION}."
        )
    changes = tuple(
        _change(ck, raw, f"changes[{i}]") for i, raw in enumerate(ck.seq(top.get("changes") or [], "changes"))
    )
    targets: dict[str, dict[str, float]] = {}
    for kpi, spec in ck.mapping(top.get("kpi_targets") or {}, "kpi_targets", optional=tuple(KPI_NAMES)).items():
        bounds = ck.mapping(spec, f"kpi_targets.{kpi}", optional=("min", "max"))
        if not bounds:
            ck.fail(f"kpi_targets.{kpi}", "needs min: or max:")
        targets[kpi] = {k: ck.number(v, f"kpi_targets.{kpi}.{k}") for k, v in bounds.items()}
    name = top.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        ck.fail("name", f"expected a non-empty name, got {name!r}")
    if name == "baseline":
        ck.fail("name", "'baseline' is reserved for the unchanged model", "Pick another name.")
    return Scenario(
        name, str(top.get("description", "") or ""), changes, targets, str(path) if path is not None else None
    )


def _change(ck: Checker, raw: Any, where: str) -> Change:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        ck.fail(
            where,
            'each change is a mapping with one key, e.g. `- capacity: {activity: "Check Credit", add: 1}`',
            f"Change kinds: {', '.join(CHANGE_KINDS)}.",
        )
    kind, body = next(iter(raw.items()))
    if kind not in CHANGE_KINDS:
        from procopt.model.validate import suggest

        ck.fail(
            f"{where}.{kind}",
            f"unknown change {kind!r}{suggest(str(kind), CHANGE_KINDS)}",
            f"Change kinds: {', '.join(CHANGE_KINDS)}.",
        )
    w = f"{where}.{kind}"
    if kind == "remove_activity":
        if isinstance(body, str):
            return RemoveActivity(body)
        return RemoveActivity(
            _text(ck, ck.mapping(body, w, required=("activity",), optional=())["activity"], f"{w}.activity")
        )
    if kind == "arrivals":
        b = ck.mapping(body, w, required=("scale",), optional=())
        return ScaleArrivals(ck.number(b["scale"], f"{w}.scale", positive=True))
    if kind == "calendar":
        b = ck.mapping(body, w, required=("pool", "hours"), optional=())
        hours = ck.hours(b["hours"], f"{w}.hours")
        return SetCalendar(_text(ck, b["pool"], f"{w}.pool"), tuple(sorted(hours.items())))
    if kind == "capacity":
        b = ck.mapping(body, w, optional=("activity", "pool", "add", "set"))
        if ("activity" in b) == ("pool" in b):
            ck.fail(w, "name exactly one of activity: or pool:")
        if ("add" in b) == ("set" in b):
            ck.fail(w, "give exactly one of add: N or set: N")
        n = b.get("add", b.get("set"))
        key = "add" if "add" in b else "set"
        if isinstance(n, bool) or not isinstance(n, int):
            ck.fail(f"{w}.{key}", f"expected a whole number of people, got {n!r}")
        return SetCapacity(
            pool=_text(ck, b["pool"], f"{w}.pool") if "pool" in b else None,
            activity=_text(ck, b["activity"], f"{w}.activity") if "activity" in b else None,
            add=n if key == "add" else None,
            set=n if key == "set" else None,
        )
    b = ck.mapping(
        body,
        w,
        required=("activity",),
        optional={
            "skip_activity": ("when",),
            "duration": ("scale",),
            "priority": ("rule",),
            "batch": ("times", "weekdays", "remove", "size", "max_wait_hours"),
            "delay": ("scale", "hours"),
        }[kind],
    )
    act = _text(ck, b["activity"], f"{w}.activity")
    if kind == "skip_activity":
        if "when" not in b:
            ck.fail(w, "missing key 'when' (a condition such as \"order_value < 5000\")")
        return SkipActivity(act, ck.condition(b["when"], f"{w}.when"))
    if kind == "duration":
        if "scale" not in b:
            ck.fail(w, "missing key 'scale' (e.g. 0.5 for twice as fast)")
        return ScaleDuration(act, ck.number(b["scale"], f"{w}.scale", positive=True))
    if kind == "delay":
        if ("scale" in b) == ("hours" in b):
            ck.fail(w, "give exactly one of scale: (e.g. 0.5 halves the wait) or hours: (the new mean wait)")
        if "scale" in b:
            return SetDelay(act, scale=ck.number(b["scale"], f"{w}.scale", minimum=0.0))
        return SetDelay(act, hours=ck.number(b["hours"], f"{w}.hours", minimum=0.0))
    if kind == "priority":
        return SetPriority(act, ck.choice(b.get("rule"), f"{w}.rule", list(PRIORITY_RULES), "priority rule"))
    forms = [k for k in ("times", "size") if k in b] + (["remove"] if b.get("remove") is True else [])
    if len(forms) > 1:
        ck.fail(w, f"give one of times:, size: or remove: true, not {' and '.join(forms)}")
    if "max_wait_hours" in b and "size" not in b:
        ck.fail(f"{w}.max_wait_hours", "only a size-triggered batch has a maximum wait", "Add size: N or drop it.")
    if "weekdays" in b and "times" not in b:
        ck.fail(f"{w}.weekdays", "weekdays go with release times", 'Add times: ["10:00"] or drop weekdays:.')
    if b.get("remove") is True:
        return SetBatch(act, remove=True)
    if "size" in b:
        size, wait_h = ck.batch_size(b["size"], b.get("max_wait_hours"), w)
        return SetBatch(act, size=size, max_wait_hours=wait_h)
    if "times" not in b:
        ck.fail(w, 'missing key \'times\' (e.g. ["10:00", "15:00"]), size: N or remove: true')
    times = tuple(ck.clock(t, f"{w}.times") for t in ck.seq(b["times"], f"{w}.times"))
    if not times:
        ck.fail(f"{w}.times", "needs at least one release time")
    days = tuple(
        ck.weekday(d, f"{w}.weekdays")
        for d in ck.seq(b.get("weekdays", ["Mon", "Tue", "Wed", "Thu", "Fri"]), f"{w}.weekdays")
    )
    return SetBatch(act, times, days)


def _text(ck: Checker, value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        ck.fail(where, f"expected a name, got {value!r}")
    return value


def apply_scenario(model: SimulationModel, scenario: Scenario) -> SimulationModel:
    """Check ``scenario``'s names against ``model`` and return the changed model (``model`` is unchanged)."""
    ck = Checker(scenario.path, ScenarioError)
    for i, change in enumerate(scenario.changes):
        where = f"changes[{i}].{_kind(change)}"
        change.check(model, ck, where)
        model = change.apply(model)
    return model


def ineffective_changes(model: SimulationModel, scenario: Scenario) -> list[str]:
    """One warning per change that leaves the model exactly as it was (e.g. scaling a delay the step does not
    have, or a release time it already has): such a change cannot move any result, and a 0.0 difference
    must not pass without comment."""
    warnings: list[str] = []
    for i, change in enumerate(scenario.changes):
        changed = change.apply(model)
        same = all(getattr(changed, f) == getattr(model, f) for f in ("activities", "pools", "calendars", "arrivals"))
        if same:
            target = getattr(change, "activity", None) or getattr(change, "pool", None) or "the model"
            warnings.append(
                f"{scenario.name}: changes[{i}].{_kind(change)} has no effect on {target} "
                "(the model already has it, or there is nothing to change)"
            )
        model = changed
    return warnings


def _kind(change: Change) -> str:
    return change.kind
