"""Stage 3 (model): ``model.yaml`` — save a ``SimulationModel`` readably, load it back with validation.

The file is meant to be read and edited by hand (``version: 1``)::

    version: 1
    arrivals: {scale: 1.0, rate_per_hour: {Mon: [0, 0, ..., 2.1, ...], ...}}
    calendars: {office: {Mon: ["08:00-12:00", "13:00-17:00"], ...}}
    pools: {Credit: {capacity: 2, calendar: office, members: [Zhang Min, Chen Jing]}}
    activities:
      Check Credit:
        pool: Credit
        duration: {kind: lognormal, mean_s: 2880, cv: 1.3}   # fixed|exponential|lognormal|gamma|normal|uniform|empirical
        extra_delay: {kind: empirical, quantiles_s: [0, 0, ..., 25000]}   # optional
        batch: {release_times: ["16:00"], weekdays: [Mon, Tue, Wed, Thu, Fri]}   # optional
        # or, released when 10 cases wait (an incomplete batch after 48 h at the latest):
        # batch: {size: 10, max_wait_hours: 48}
        skip_when: "order_value < 5000"   # optional
        priority: fifo                     # fifo | earliest_due_date | highest_value
    routing:
      - after: START
        next: {Create Sales Order: 1.0}
      - after: Approve Order (Sales Manager)
        visit: 1                           # optional: previous: <activity> as well
        branches:
          - {when: "order_value < 20000", next: {Approve Order (Finance Director): 1.0}}
          - {next: {Approve Order (Finance Director): 0.65, Revise Order: 0.35}}
    attributes: {columns: [order_value, region], rows: [[6651.02, North], ...], due_offsets_s: [...]}
    due: {kind: offset, date_only: false, working_days: true}  # offset | sla (with sla_s) | none
    delivery_activity: Ship Goods
    provenance: {...}                      # what was learned from which log; informative only

Loading checks every key and names the key path of any problem, e.g.
``model.yaml, activities.Check Credit.duration.kind: unknown kind 'lognorml'. Did you mean 'lognormal'?``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from procopt._io import atomic_write_text, to_jsonable
from procopt.errors import ModelError
from procopt.model.types import (
    START_TOKEN,
    WEEKDAYS,
    Activity,
    Arrivals,
    BatchRule,
    Branch,
    Calendar,
    CaseAttributes,
    Decision,
    Distribution,
    DuePolicy,
    Pool,
    ReplacedComponent,
    Routing,
    SimulationModel,
    Validation,
)
from procopt.model.validate import Checker


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no type information
    """Lists of scalars in flow style ([a, b, c]) so long tables stay one line each."""


def _repr_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _repr_list)


def batch_to_dict(rule: BatchRule) -> dict[str, Any]:
    """A batch rule as written to ``model.yaml``: ``{size, max_wait_hours?}`` or ``{release_times, weekdays}``."""
    if rule.size is not None:
        out: dict[str, Any] = {"size": rule.size}
        if rule.max_wait_hours is not None:
            out["max_wait_hours"] = rule.max_wait_hours
        return out
    return {"release_times": list(rule.release_times), "weekdays": list(rule.weekdays)}


def _batch(ck: Checker, value: Any, where: str) -> BatchRule:
    """``{release_times: [...], weekdays: [...]}`` (clock) or ``{size: N, max_wait_hours: H}`` (size)."""
    b = ck.mapping(value, where, optional=("release_times", "weekdays", "size", "max_wait_hours"))
    if "size" in b:
        if "release_times" in b or "weekdays" in b:
            ck.fail(
                where,
                "a batch is released either at clock times or by size, not both",
                "Keep release_times: (and weekdays:) or size: (and max_wait_hours:).",
            )
        size, hours = ck.batch_size(b["size"], b.get("max_wait_hours"), where)
        return BatchRule((), (), size=size, max_wait_hours=hours)
    if "max_wait_hours" in b:
        ck.fail(f"{where}.max_wait_hours", "only a size-triggered batch has a maximum wait", "Add size: N or drop it.")
    if "release_times" not in b:
        ck.fail(where, "missing key 'release_times' or 'size'", 'e.g. release_times: ["16:00"] or size: 10')
    times = tuple(ck.clock(t, f"{where}.release_times") for t in ck.seq(b["release_times"], f"{where}.release_times"))
    if not times:
        ck.fail(f"{where}.release_times", "needs at least one release time", 'e.g. ["16:00"]; or use size: N')
    days = tuple(
        ck.weekday(d, f"{where}.weekdays")
        for d in ck.seq(b.get("weekdays", ["Mon", "Tue", "Wed", "Thu", "Fri"]), f"{where}.weekdays")
    )
    if not days:
        ck.fail(f"{where}.weekdays", "needs at least one weekday", "e.g. [Mon, Tue, Wed, Thu, Fri]")
    return BatchRule(times, days)


def model_to_dict(model: SimulationModel) -> dict[str, Any]:
    """The plain-data form written to YAML (and used by ``--json``)."""

    def dist(d: Distribution | None) -> dict[str, Any] | None:
        return None if d is None else {"kind": d.kind, **{k: to_jsonable(v) for k, v in d.params.items()}}

    acts: dict[str, Any] = {}
    for name, a in model.activities.items():
        entry: dict[str, Any] = {"pool": a.pool, "duration": dist(a.duration)}
        if a.extra_delay is not None:
            entry["extra_delay"] = dist(a.extra_delay)
        if a.batch is not None:
            entry["batch"] = batch_to_dict(a.batch)
        if a.duration_by is not None:
            entry["duration_by"] = {
                "attribute": a.duration_by[0],
                "values": {str(k): dist(d) for k, d in a.duration_by[1].items()},
            }
        if a.skip_when:
            entry["skip_when"] = a.skip_when
        if a.priority != "fifo":
            entry["priority"] = a.priority
        if a.extra_delay is not None and a.delay_clock != "working":
            entry["delay_clock"] = a.delay_clock
        acts[name] = entry
    routing = []
    for d in model.routing.decisions:
        item: dict[str, Any] = {"after": d.after}
        if d.previous is not None:
            item["previous"] = d.previous
        if d.visit is not None:
            item["visit"] = d.visit
        if len(d.branches) == 1 and d.branches[0].when is None:
            item["next"] = dict(d.branches[0].next)
        else:
            item["branches"] = [({"when": b.when} if b.when else {}) | {"next": dict(b.next)} for b in d.branches]
        routing.append(item)
    arrivals: dict[str, Any] = {
        "scale": model.arrivals.scale,
        "rate_per_hour": {k: list(v) for k, v in model.arrivals.rate_per_hour.items()},
    }
    if model.arrivals.interarrival is not None:
        arrivals["interarrival"] = dist(model.arrivals.interarrival)
    if model.arrivals.gap_quantiles:
        arrivals["gap_quantiles"] = list(model.arrivals.gap_quantiles)
    due: dict[str, Any] = {
        "kind": model.due.kind,
        "date_only": model.due.date_only,
        "working_days": model.due.working_days,
    }
    if model.due.sla_s is not None:
        due["sla_s"] = model.due.sla_s
    doc: dict[str, Any] = to_jsonable(
        {
            "version": model.version,
            "arrivals": arrivals,
            "calendars": {
                n: {d: [f"{a}-{b}" for a, b in spans] for d, spans in c.hours.items()}
                for n, c in model.calendars.items()
            },
            "pools": {n: _pool_dict(p) for n, p in model.pools.items()},
            "activities": acts,
            "routing": routing,
            "due": due,
            "delivery_activity": model.delivery_activity,
            "attributes": {
                "columns": list(model.attributes.columns),
                "rows": [list(r) for r in model.attributes.rows],
                "due_offsets_s": list(model.attributes.due_offsets_s),
            },
            "provenance": dict(model.provenance),
            **({"validation": validation_to_dict(model.validation)} if model.validation is not None else {}),
        }
        | ({"parallel": {n: list(m) for n, m in model.parallel.items()}} if model.parallel else {})
    )
    return doc


def validation_to_dict(v: Validation) -> dict[str, Any]:
    """The ``validation`` section of the model file (also ``procopt model --json``'s ``validation``)."""
    doc: dict[str, Any] = to_jsonable(
        {
            "verdict": v.verdict,
            "reading": v.reading,
            "runs": v.runs,
            "replaced": [
                {"component": r.component, "replacement": r.replacement, "reason": r.reason} for r in v.replaced
            ],
            "scores": {k: dict(m) for k, m in v.scores.items()},
            "spread": dict(v.spread),
            "settings": dict(v.settings),
            "advice": list(v.advice),
            "test_cases": v.test_cases,
            "reason": v.reason,
        }
    )
    return doc


def _validation(ck: Checker, raw: Any) -> Validation:
    """Read the ``validation`` section back (written by the held-out check; informative, but checked)."""
    from procopt.model.types import VERDICTS

    keys = ("verdict", "reading", "runs", "replaced", "scores", "spread", "settings", "advice", "test_cases", "reason")
    v = ck.mapping(raw, "validation", required=("verdict",), optional=keys[1:])
    replaced = []
    for i, r in enumerate(ck.seq(v.get("replaced", []), "validation.replaced")):
        m = ck.mapping(r, f"validation.replaced[{i}]", required=("component", "replacement"), optional=("reason",))
        replaced.append(ReplacedComponent(str(m["component"]), str(m["replacement"]), str(m.get("reason", ""))))
    scores = {
        str(k): {
            str(mk): None if mv is None else ck.number(mv, f"validation.scores.{k}.{mk}")
            for mk, mv in ck.mapping(m, f"validation.scores.{k}").items()
        }
        for k, m in ck.mapping(v.get("scores") or {}, "validation.scores").items()
    }
    return Validation(
        verdict=ck.choice(v["verdict"], "validation.verdict", list(VERDICTS), "verdict"),
        reading=str(v.get("reading", "matched")),
        runs=int(ck.number(v.get("runs", 0), "validation.runs", minimum=0.0)),
        replaced=tuple(replaced),
        scores=scores,
        spread={
            str(k): None if x is None else ck.number(x, f"validation.spread.{k}")
            for k, x in ck.mapping(v.get("spread") or {}, "validation.spread").items()
        },
        settings={str(k): str(x) for k, x in ck.mapping(v.get("settings") or {}, "validation.settings").items()},
        advice=tuple(str(a) for a in ck.seq(v.get("advice", []), "validation.advice")),
        test_cases=int(ck.number(v.get("test_cases", 0), "validation.test_cases", minimum=0.0)),
        reason=str(v.get("reason", "")),
    )


def _pool_dict(p: Pool) -> dict[str, Any]:
    out: dict[str, Any] = {"capacity": p.capacity, "calendar": p.calendar, "members": list(p.members)}
    if p.on_duty is not None:
        out["on_duty"] = {d: list(p.on_duty[i * 24 : (i + 1) * 24]) for i, d in enumerate(WEEKDAYS)}
    if p.speeds:
        out["speeds"] = dict(p.speeds)
    return out


def _gap_quantiles(ck: Checker, value: Any) -> tuple[float, ...]:
    """``arrivals.gap_quantiles``: at least 2 non-decreasing numbers >= 0 with a mean of about 1."""
    where = "arrivals.gap_quantiles"
    if value is None:
        return ()
    q = [ck.number(x, f"{where}[{i}]", minimum=0.0) for i, x in enumerate(ck.seq(value, where))]
    if len(q) < 2 or any(b < a for a, b in zip(q, q[1:], strict=False)):
        ck.fail(where, "expected at least 2 non-decreasing quantiles (0 %, ..., 100 %)")
    mean = sum((a + b) / 2 for a, b in zip(q, q[1:], strict=False)) / (len(q) - 1)
    if not 0.95 <= mean <= 1.05:
        ck.fail(
            where,
            f"the gaps average {mean:.3g} expected arrivals; they must average 1",
            "Divide every quantile by their mean (the rate is set by rate_per_hour and scale), or delete the key "
            "for Poisson arrivals.",
        )
    return tuple(q)


def _on_duty(ck: Any, value: Any, where: str, cap: int | None) -> tuple[int, ...] | None:
    """``{Mon: [24 people per hour], ...}`` -> 168 ints (a missing day: nobody on duty -> 1)."""
    if value is None:
        return None
    days = ck.mapping(value, where, optional=WEEKDAYS)
    out: list[int] = []
    for d in WEEKDAYS:
        hours = days.get(d)
        if hours is None:
            out += [1] * 24
            continue
        if (
            not isinstance(hours, list)
            or len(hours) != 24
            or not all(isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in hours)
        ):
            ck.fail(f"{where}.{d}", "expected 24 whole numbers >= 1 (people on duty in each hour)")
        if cap is not None and max(hours) > cap:
            ck.fail(
                f"{where}.{d}",
                f"{max(hours)} people on duty but the pool's capacity is {cap}",
                "Raise capacity or lower the hour.",
            )
        out += [int(h) for h in hours]
    return tuple(out)


def save_model(model: SimulationModel, path: str | Path) -> Path:
    """Write ``model`` as readable YAML, atomically."""
    text = "# procopt simulation model (edit freely; `procopt simulate` validates it on load)\n"
    text += yaml.dump(model_to_dict(model), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return atomic_write_text(path, text)


def load_model(path: str | Path) -> SimulationModel:
    """Read and validate a model YAML file; raises ``ModelError`` naming the key path of any problem."""
    from procopt.config.yaml_io import read_yaml

    path = Path(path)
    data = read_yaml(path, ModelError, missing_hint="Create one with `procopt model LOG --out model.yaml`.")
    return model_from_dict(data, path)


def model_from_dict(data: Any, path: str | Path | None = None) -> SimulationModel:
    """Build and validate a model from plain data (as written by ``model_to_dict``)."""
    ck = Checker(path, ModelError)
    top = ck.mapping(
        data,
        "",
        required=("version", "arrivals", "calendars", "pools", "activities", "routing"),
        optional=("due", "delivery_activity", "attributes", "provenance", "parallel", "validation"),
    )
    if top["version"] != 1:
        ck.fail("version", f"unsupported model version {top['version']!r}", "This procopt reads version: 1.")
    calendars = {
        str(n): Calendar(str(n), ck.hours(v, f"calendars.{n}"))
        for n, v in ck.mapping(top["calendars"], "calendars").items()
    }
    pools: dict[str, Pool] = {}
    for n, v in ck.mapping(top["pools"], "pools").items():
        p = ck.mapping(v, f"pools.{n}", required=("calendar",), optional=("capacity", "members", "on_duty", "speeds"))
        cap = p.get("capacity")
        if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
            ck.fail(f"pools.{n}.capacity", f"capacity must be a whole number >= 1 or null, got {cap!r}")
        cal = ck.choice(p["calendar"], f"pools.{n}.calendar", list(calendars), "calendar")
        pools[str(n)] = Pool(
            str(n),
            cap,
            cal,
            tuple(str(m) for m in ck.seq(p.get("members", []), f"pools.{n}.members")),
            _on_duty(ck, p.get("on_duty"), f"pools.{n}.on_duty", cap),
            {
                str(k): ck.number(x, f"pools.{n}.speeds.{k}", positive=True)
                for k, x in ck.mapping(p.get("speeds") or {}, f"pools.{n}.speeds").items()
            },
        )
    at = ck.mapping(top.get("attributes") or {}, "attributes", optional=("columns", "rows", "due_offsets_s"))
    cols = tuple(str(c) for c in ck.seq(at.get("columns", []), "attributes.columns"))
    activities: dict[str, Activity] = {}
    for n, v in ck.mapping(top["activities"], "activities").items():
        w = f"activities.{n}"
        a = ck.mapping(
            v,
            w,
            required=("pool", "duration"),
            optional=("extra_delay", "batch", "skip_when", "priority", "duration_by", "delay_clock"),
        )
        batch = _batch(ck, a["batch"], f"{w}.batch") if a.get("batch") is not None else None
        duration_by = None
        if a.get("duration_by") is not None:
            db = ck.mapping(a["duration_by"], f"{w}.duration_by", required=("attribute", "values"), optional=())
            attr = ck.choice(db["attribute"], f"{w}.duration_by.attribute", [str(c) for c in cols], "case attribute")
            vals = {
                k: ck.distribution(d, f"{w}.duration_by.values.{k}")
                for k, d in ck.mapping(db["values"], f"{w}.duration_by.values").items()
            }
            duration_by = (attr, vals)
        activities[str(n)] = Activity(
            str(n),
            ck.choice(a["pool"], f"{w}.pool", list(pools), "pool"),
            ck.distribution(a["duration"], f"{w}.duration"),
            batch=batch,
            extra_delay=ck.distribution(a["extra_delay"], f"{w}.extra_delay")
            if a.get("extra_delay") is not None
            else None,
            skip_when=ck.condition(a["skip_when"], f"{w}.skip_when") if a.get("skip_when") else None,
            priority=ck.choice(
                a.get("priority", "fifo"),
                f"{w}.priority",
                ["fifo", "earliest_due_date", "highest_value"],
                "priority rule",
            ),
            duration_by=duration_by,
            delay_clock=ck.choice(
                a.get("delay_clock", "working"), f"{w}.delay_clock", ["working", "wall"], "delay clock"
            ),
        )
    parallel: dict[str, tuple[str, ...]] = {}
    for n, members in ck.mapping(top.get("parallel") or {}, "parallel").items():
        names = tuple(
            ck.choice(m, f"parallel.{n}", list(activities), "activity") for m in ck.seq(members, f"parallel.{n}")
        )
        if len(names) < 2 or len(set(names)) != len(names):
            ck.fail(f"parallel.{n}", "a parallel block needs two or more different activities")
        if str(n) in activities:
            ck.fail(f"parallel.{n}", "a parallel block cannot share its name with an activity")
        parallel[str(n)] = names
    steps = [*activities, *parallel]
    routing = Routing(
        tuple(_decision(ck, d, f"routing[{i}]", steps) for i, d in enumerate(ck.seq(top["routing"], "routing")))
    )
    arr = ck.mapping(top["arrivals"], "arrivals", optional=("scale", "rate_per_hour", "interarrival", "gap_quantiles"))
    hourly: dict[str, tuple[float, ...]] = {}
    for day, values in ck.mapping(arr.get("rate_per_hour", {}), "arrivals.rate_per_hour").items():
        ck.weekday(day, "arrivals.rate_per_hour")
        day_rates = [
            ck.number(x, f"arrivals.rate_per_hour.{day}", minimum=0.0)
            for x in ck.seq(values, f"arrivals.rate_per_hour.{day}")
        ]
        if len(day_rates) != 24:
            ck.fail(f"arrivals.rate_per_hour.{day}", f"needs 24 hourly rates, got {len(day_rates)}")
        hourly[str(day)] = tuple(day_rates)
    inter = arr.get("interarrival")
    arrivals = Arrivals(
        hourly,
        ck.number(arr.get("scale", 1.0), "arrivals.scale", minimum=0.0),
        ck.distribution(inter, "arrivals.interarrival") if inter is not None else None,
        _gap_quantiles(ck, arr.get("gap_quantiles")),
    )
    if not hourly and inter is None:
        ck.fail("arrivals", "needs rate_per_hour or interarrival")
    due_d = ck.mapping(
        top.get("due") or {"kind": "none"}, "due", optional=("kind", "sla_s", "date_only", "working_days")
    )
    due = DuePolicy(
        ck.choice(due_d.get("kind", "none"), "due.kind", ["offset", "sla", "none"], "due kind"),
        ck.number(due_d["sla_s"], "due.sla_s", minimum=0.0) if due_d.get("sla_s") is not None else None,
        bool(due_d.get("date_only", False)),
        bool(due_d.get("working_days", False)),
    )
    if due.kind == "sla" and due.sla_s is None:
        ck.fail("due.sla_s", "due kind 'sla' needs sla_s (seconds)")
    rows = []
    for i, r in enumerate(ck.seq(at.get("rows", []), "attributes.rows")):
        row = ck.seq(r, f"attributes.rows[{i}]")
        if len(row) != len(cols):
            ck.fail(f"attributes.rows[{i}]", f"has {len(row)} values for {len(cols)} columns")
        rows.append(tuple(row))
    offs = tuple(
        ck.number(x, "attributes.due_offsets_s")
        for x in ck.seq(at.get("due_offsets_s", []), "attributes.due_offsets_s")
    )
    if offs and len(offs) != len(rows):
        ck.fail("attributes.due_offsets_s", f"has {len(offs)} values for {len(rows)} rows")
    delivery = top.get("delivery_activity")
    if delivery is not None:
        delivery = ck.choice(delivery, "delivery_activity", list(activities), "activity")
    return SimulationModel(
        arrivals,
        activities,
        pools,
        calendars,
        routing,
        CaseAttributes(cols, tuple(rows), offs),
        due,
        delivery,
        dict(top.get("provenance") or {}),
        1,
        parallel,
        _validation(ck, top["validation"]) if top.get("validation") is not None else None,
    )


def _decision(ck: Checker, raw: Any, where: str, activities: list[str]) -> Decision:
    d = ck.mapping(raw, where, required=("after",), optional=("previous", "visit", "next", "branches"))
    after = ck.choice(d["after"], f"{where}.after", [START_TOKEN, *activities], "activity")
    prev = (
        # previous may be START: the rule for the case's first step after a given entry (calibrate writes these)
        ck.choice(d["previous"], f"{where}.previous", [START_TOKEN, *activities], "activity")
        if d.get("previous") is not None
        else None
    )
    visit = d.get("visit")
    if visit is not None and (not isinstance(visit, int) or visit < 1):
        ck.fail(f"{where}.visit", f"visit must be a whole number >= 1, got {visit!r}")
    if ("next" in d) == ("branches" in d):
        ck.fail(where, "needs exactly one of 'next' or 'branches'")
    raw_branches = [{"next": d["next"]}] if "next" in d else ck.seq(d["branches"], f"{where}.branches")
    branches = []
    for i, rb in enumerate(raw_branches):
        w = f"{where}.branches[{i}]" if "branches" in d else where
        b = ck.mapping(rb, w, required=("next",), optional=("when",))
        nxt = {}
        for k, p in ck.mapping(b["next"], f"{w}.next").items():
            key = ck.choice(k, f"{w}.next", [*activities, "END"], "activity")
            nxt[key] = ck.number(p, f"{w}.next.{k}", minimum=0.0)
        if not nxt or sum(nxt.values()) <= 0:
            ck.fail(f"{w}.next", "needs at least one next step with a probability > 0")
        branches.append(Branch(nxt, ck.condition(b["when"], f"{w}.when") if b.get("when") else None))
    return Decision(after, tuple(branches), prev, visit)
