"""Stage 3 (model): ``calibrate(events) -> SimulationModel`` — learn a simulation model from an event log.

Input: a contract event table (``procopt.log.columns``). Output: a self-contained ``SimulationModel``.
The pieces come from small modules: arrivals (``arrivals``), pools and capacities (``pools``), working
calendars (``calendars``), durations (``distributions``), clock-time and size-triggered batches (``batches``), waits
that are not queueing (``delays``), control flow and attribute-dependent branches (``routing``). Whatever
is estimated rather than measured (e.g. durations of a complete-only log) is listed in ``provenance``.

``CalibrationOptions(naive=True)`` gives the naive baseline the fidelity scorecard compares against:
durations and routing only — no calendars, no queueing (unlimited capacity), no batches, no extra delays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procopt.errors import ModelError
from procopt.log import columns as C
from procopt.log.delivery import detect_delivery_activity
from procopt.model.arrivals import fit_arrivals
from procopt.model.attributes import outcome_attributes, unstorable_attributes
from procopt.model.batches import detect_batch, detect_size_batch
from procopt.model.calendars import describe, fit_calendar, working_seconds
from procopt.model.delays import (
    enabled_times,
    estimate_durations,
    extra_delay,
    extra_delay_complete_only,
    extra_delay_resource,
    performer_bound,
    pool_saturated_since,
    resource_free_times,
)
from procopt.model.distributions import fit_distribution
from procopt.model.drift import detect_drift
from procopt.model.parallel import discover_parallel, rewrite_traces
from procopt.model.pools import PoolDiscovery, discover_pools, resources_name_cases
from procopt.model.priority import learn_priority
from procopt.model.routing import learn_routing
from procopt.model.speeds import fit_resource_speeds
from procopt.model.staffing import capacity_profile, limits_open_hours
from procopt.model.types import (
    Activity,
    Arrivals,
    BatchRule,
    Calendar,
    CaseAttributes,
    Distribution,
    DuePolicy,
    Pool,
    Routing,
    SimulationModel,
)

#: a pool with fewer events keeps its department's hours (24/7 without a department): fragmented hours
#: learned from a handful of events stretch every task across their gaps
MIN_CALENDAR_EVENTS = 50
VALUE_WORDS = ("value", "amount", "price", "total", "cost", "金额", "价值", "总价")


@dataclass(frozen=True, slots=True)
class CalibrationOptions:
    """What to learn. Keep the defaults for the full model; ``naive=True`` for the naive baseline.

    Args:
        naive: durations + routing only (overrides the four switches below).
        calendars / queueing / batches / extra_delays: learn each kind of waiting.
        attribute_routing: learn attribute-dependent branches.
        sla_s: due date = arrival + this many seconds (overrides the log's DUE column).
        delivery_activity: the step that delivers to the customer (detected by name when None).
        max_attribute_rows: real cases kept for attribute resampling.
        duration_attributes: durations per value of the attribute that clearly explains them.
        seed: for subsampling attribute rows only (calibration is otherwise deterministic).
        resource_column: ``auto`` pools the resource column unless it names customers (one person per
            case, see ``pools.resources_name_cases``); ``use`` always pools it; ``ignore`` never does.
        delay_clock: ``wall`` measures and replays extra delays on the wall clock (a customer does not keep
            the team's hours); ``working`` counts them in the pool's working time.
        delay_rule: how the wait that is not queueing is told apart: ``resource`` (the performer was idle
            and the case ready, as Simod measures extraneous delays), ``pool`` (somebody of the pool idle)
            or ``auto``: ``resource`` for pools whose members are not interchangeable (work follows the
            case's owner, or members specialise; see ``delays.performer_bound``), else ``pool``. ``pool`` is
            the default: the simulated pool serves a case with whoever is free, so a wait for one busy owner
            is only reproduced when it is counted as delay (the resource rule shortens cases on logs whose
            work follows an owner: insurance, mobis).
        parallel: learn AND-splits (activities of a case running at the same time) and simulate them so.
        resource_speeds: give each person their own speed when people differ clearly.
        recent_weeks: learn arrivals and durations from the cases arriving in the log's last N weeks only.
        priorities: learn which cases jump a queue (earliest due date, highest value) from who was served
            first (see ``procopt.model.priority``); FIFO otherwise.
        arrival_gaps: replay how regular or bursty the arrivals are when they are clearly not Poisson
            (``procopt.model.arrivals.fit_gaps``); Poisson otherwise.
    """

    naive: bool = False
    calendars: bool = True
    queueing: bool = True
    batches: bool = True
    extra_delays: bool = True
    attribute_routing: bool = True
    sla_s: float | None = None
    delivery_activity: str | None = None
    max_attribute_rows: int = 5000
    seed: int = 0
    resource_column: str = "auto"
    delay_clock: str = "working"
    delay_rule: str = "pool"
    parallel: bool = True
    resource_speeds: bool = True
    recent_weeks: float | None = None
    priorities: bool = True
    #: durations per value of a case attribute where one clearly explains them (False: per activity only)
    duration_attributes: bool = True
    arrival_gaps: bool = True


@dataclass(slots=True)
class _Log:
    """The prepared event table and what calibration knows about it (shared by the fitting steps)."""

    ev: pd.DataFrame
    has_start: bool
    key: str
    arrival: pd.Series
    #: case attributes allowed to steer routing and durations (outcome-derived ones removed)
    attrs: pd.DataFrame
    #: every case attribute, resampled into simulated cases
    all_attrs: pd.DataFrame
    #: the events learned from for arrivals and durations (``recent_weeks`` cuts them)
    recent: pd.DataFrame
    estimated: list[str]


def calibrate(events: pd.DataFrame, options: CalibrationOptions = CalibrationOptions()) -> SimulationModel:
    """Learn a ``SimulationModel`` from ``events`` (see the module docstring).

    The steps, in order: prepare the log, find the pools, learn their calendars and capacities, the
    parallel blocks, each activity's duration, batch and extra delay, then routing, due dates and arrivals.
    """
    log = _prepare(events, options)
    disc = _fit_pool_discovery(log, options)
    calendars, pool_cal = _fit_calendars(log, disc, options)
    pools = _fit_pools(log, disc, calendars, pool_cal, options)
    blocks = _fit_parallel(log, options)
    activities = _fit_activities(log, disc, calendars, pool_cal, pools, options)
    if options.resource_speeds and not options.naive and log.has_start:
        pools, activities = _fit_speeds(log, disc, calendars, pools, activities)
    routing = learn_routing(
        rewrite_traces(_traces(log.ev, log.arrival), blocks) if blocks else _traces(log.ev, log.arrival),
        log.attrs,
        use_attributes=options.attribute_routing,
    )
    stored = _storable(log, routing, activities)
    due, attributes = _due_and_attributes(log.ev, log.arrival, stored, options)
    provenance: dict[str, Any] = {
        "cases": int(log.ev[C.CASE].nunique()),
        "events": int(len(log.ev)),
        "log_start": str(log.ev[log.key].min()),
        "log_end": str(log.ev[C.END].max()),
        "has_start_times": log.has_start,
        "naive": options.naive,
        "estimated": log.estimated,
        "value_attribute": _value_attribute(log.all_attrs),
    }
    drift = detect_drift(log.ev, log.arrival)
    if drift is not None:
        provenance["drift"] = drift
    if options.recent_weeks is not None:
        provenance["recent_weeks"] = float(options.recent_weeks)
    return SimulationModel(
        arrivals=_fit_arrivals(log, options),
        activities=activities,
        pools=pools,
        calendars=calendars,
        routing=routing,
        attributes=attributes,
        due=due,
        delivery_activity=_delivery_activity(log.ev, options.delivery_activity),
        provenance=provenance,
        parallel=blocks,
    )


def _prepare(events: pd.DataFrame, options: CalibrationOptions) -> _Log:
    """Normalise and sort the event table; arrivals, case attributes and the recent window."""
    if events is None or len(events) == 0:
        raise ModelError(
            None, "the log has no events to calibrate from", hint="Check the file and the column mapping (--map)."
        )
    missing = [c for c in C.REQUIRED if c not in events.columns]
    if missing:
        raise ModelError(None, f"the event table lacks columns {missing}")
    for name, value, allowed in (
        ("resource_column", options.resource_column, ("auto", "use", "ignore")),
        ("delay_clock", options.delay_clock, ("wall", "working")),
        ("delay_rule", options.delay_rule, ("auto", "resource", "pool")),
    ):
        if value not in allowed:
            raise ModelError(None, f"calibration option {name}={value!r}", hint=f"Use one of {', '.join(allowed)}.")
    ev = C.normalise_frame(events) if any(c not in events.columns for c in C.CANONICAL) else events.copy()
    ev = ev.dropna(subset=[C.END]).reset_index(drop=True)
    if ev.empty:
        raise ModelError(None, "no event has a completion time", hint="Map the 'end' column with --map end=...")
    has_start = C.has_start_times(ev)
    if has_start:
        ev[C.START] = ev[C.START].fillna(ev[C.END])
    key = C.START if has_start else C.END
    ev = ev.sort_values([C.CASE, key, C.END, C.SOURCE_ROW], kind="stable").reset_index(drop=True)
    arrival = ev.groupby(C.CASE, sort=False)[key].min()
    all_attrs = _case_attributes(ev)
    outcome = outcome_attributes(ev, all_attrs)
    estimated: list[str] = []
    if outcome:
        estimated.append(
            "routing: ignores "
            + "; ".join(f"{col!r} ({why})" for col, why in sorted(outcome.items()))
            + ": a new case does not know them yet"
        )
    attrs = all_attrs.drop(columns=list(outcome))
    recent = ev
    if options.recent_weeks is not None:
        if options.recent_weeks <= 0:
            raise ModelError(None, f"recent_weeks must be positive, got {options.recent_weeks}")
        since = ev[C.END].max() - pd.Timedelta(weeks=float(options.recent_weeks))
        cases = set(arrival.index[arrival >= since])
        recent = ev[ev[C.CASE].isin(cases)]
        estimated.append(
            f"arrivals and durations: learned from the {len(cases)} cases arriving since {since:%Y-%m-%d} "
            f"(--recent {options.recent_weeks:g} weeks); routing and calendars from the whole log"
        )
    return _Log(ev, has_start, key, arrival, attrs, all_attrs, recent, estimated)


def _fit_pool_discovery(log: _Log, options: CalibrationOptions) -> PoolDiscovery:
    """Who works together: pools from the resource column, unless it names customers (or is switched off)."""
    use = options.resource_column != "ignore"
    if options.resource_column == "auto" and resources_name_cases(log.ev):
        use = False
        n = int(log.ev[C.RESOURCE].nunique())
        log.estimated.append(
            f"capacity: the resource column names {n} different people, most of them in one case only: it "
            "names customers or applicants, not staff, so it is not pooled (pools have unlimited capacity)"
        )
    disc = discover_pools(log.ev, use_resources=use)
    if options.queueing and not options.naive and not all(disc.members.values()) and use:
        log.estimated.append(_capacity_note(log.ev, disc))
    return disc


def _capacity_note(ev: pd.DataFrame, disc: PoolDiscovery) -> str:
    """Why some pools have unlimited capacity: no resource column, a mostly empty one, or steps without one."""
    empty = float(ev[C.RESOURCE].isna().mean())
    if empty >= 1.0:
        return "capacity: no resource column, pools have unlimited capacity"
    if not any(disc.members.values()):  # discover_pools ignores a column that is empty in most rows
        return (
            f"capacity: the resource column is empty in {empty:.0%} of the events, too few to tell who works "
            "together: pools have unlimited capacity"
        )
    lacking = sorted(a for a, p in disc.activity_pool.items() if not disc.members.get(p))
    return (
        f"capacity: no resource recorded for {len(lacking)} step(s) ("
        + ", ".join(lacking[:5])
        + (", ..." if len(lacking) > 5 else "")
        + "): their pools have unlimited capacity"
    )


def _fit_calendars(
    log: _Log, disc: PoolDiscovery, options: CalibrationOptions
) -> tuple[dict[str, Calendar], dict[str, str]]:
    """Each pool's working hours (24/7 when calendars are off or the data is too thin)."""
    ev, has_start = log.ev, log.has_start
    use_cal = options.calendars and not options.naive
    if not use_cal:
        return {"24/7": Calendar.always()}, dict.fromkeys(disc.members, "24/7")
    calendars: dict[str, Calendar] = {}
    pool_cal: dict[str, str] = {}
    pool_of_event = ev[C.ACTIVITY].map(disc.activity_pool)
    ev["enabled"] = enabled_times(ev, has_start=has_start)
    for pname in disc.members:
        own = ev[pool_of_event == pname]
        dept = disc.department.get(pname, "")
        # A team whose first task of the day starts the moment the work arrives is not telling us when its
        # day starts (its work may only come after a 16:00 release): it keeps its department's hours then.
        sub = ev[ev[C.DEPARTMENT] == dept] if dept and _arrival_driven(own, has_start) else own
        if len(sub) < MIN_CALENDAR_EVENTS and dept:  # too little to learn a team's own hours
            sub = ev[ev[C.DEPARTMENT] == dept]
        cal = fit_calendar(pname, sub[C.START], sub[C.END], min_instances=MIN_CALENDAR_EVENTS)
        name = describe(cal)
        calendars.setdefault(name, Calendar(name, cal.hours))
        pool_cal[pname] = name
    return calendars, pool_cal


def _fit_pools(
    log: _Log,
    disc: PoolDiscovery,
    calendars: dict[str, Calendar],
    pool_cal: dict[str, str],
    options: CalibrationOptions,
) -> dict[str, Pool]:
    """Capacities (the most members seen busy at once) and hour-by-hour staffing."""
    ev, has_start = log.ev, log.has_start
    use_cal = options.calendars and not options.naive
    pool_of_event = ev[C.ACTIVITY].map(disc.activity_pool)
    pools: dict[str, Pool] = {}
    for pname, members in disc.members.items():
        cap: int | None = None
        if options.queueing and not options.naive and members:
            conc = disc.max_concurrency.get(pname)
            # people work one task at a time, but a role or shared account named as the resource does not
            seats = disc.seats.get(pname, len(members))
            cap = max(1, min(seats, conc)) if conc else seats
        duty = None
        if cap is not None and use_cal:
            duty = capacity_profile(ev[pool_of_event == pname], cap, has_start=has_start)
            if not limits_open_hours(duty, calendars[pool_cal[pname]], cap):
                duty = None
        pools[pname] = Pool(pname, cap, pool_cal[pname], members, duty)
    return pools


def _fit_parallel(log: _Log, options: CalibrationOptions) -> dict[str, tuple[str, ...]]:
    """AND-split blocks: activities of a case that run at the same time (needs start times)."""
    if not options.parallel or not log.has_start:
        return {}
    return discover_parallel(log.ev)


def _fit_activities(
    log: _Log,
    disc: PoolDiscovery,
    calendars: dict[str, Calendar],
    pool_cal: dict[str, str],
    pools: dict[str, Pool],
    options: CalibrationOptions,
) -> dict[str, Activity]:
    """Per activity: duration, clock-time batch, extra delay and attribute-dependent duration."""
    ev, has_start, naive = log.ev, log.has_start, options.naive
    use_cal = options.calendars and not naive
    if "enabled" not in ev.columns:
        ev["enabled"] = enabled_times(ev, has_start=has_start)
    ev["free"] = resource_free_times(ev, has_start=has_start)
    recent_cases = set(log.recent[C.CASE].unique()) if log.recent is not ev else None
    overall = fit_calendar("overall", ev[C.START], ev[C.END]) if use_cal else Calendar.always()
    wall = Calendar.always()
    activities: dict[str, Activity] = {}
    first_only: list[str] = []
    dated: list[str] = []
    bound: dict[str, bool] = {}  # pool -> its members are not interchangeable (delay_rule auto)
    value_col = _value_attribute(log.attrs)
    value = log.attrs[value_col] if value_col is not None else None
    due = ev.groupby(C.CASE, sort=False)[C.DUE].first() if ev[C.DUE].notna().any() else None
    for act, inst in ev.groupby(C.ACTIVITY, sort=True):
        act = str(act)
        if recent_cases is not None:
            fresh = inst[inst[C.CASE].isin(recent_cases)]
            if len(fresh) >= 20:  # too few recent instances: the whole log is the better estimate
                inst = fresh
        pname = disc.activity_pool[act]
        cal = calendars[pool_cal[pname]]
        delay_cal = wall if options.delay_clock == "wall" else cal
        batch: BatchRule | None = None
        if options.batches and not naive and _recorded_as_dates(inst, has_start=has_start):
            dated.append(act)
        elif options.batches and not naive:
            batch = detect_batch(inst, has_start=has_start, calendar=overall)
            if batch is None and has_start:
                batch = detect_size_batch(inst)
        if has_start:
            dur = working_seconds(cal, inst[C.START], inst[C.END])
        else:
            dur = estimate_durations(inst, cal)
            if len(dur):
                dur = dur[dur <= np.quantile(dur, 0.5)]  # the lower half: least queueing inside
        duration = fit_distribution(dur) if len(dur) else Distribution("fixed", {"value_s": 0.0})
        if not has_start and not len(dur):
            first_only.append(act)
        extra = None
        if options.extra_delays and not naive and has_start and batch is None:
            pool_ev = ev[ev[C.ACTIVITY].map(disc.activity_pool) == pname]
            if pname not in bound:
                bound[pname] = bool(pools[pname].members) and (
                    options.delay_rule == "resource"
                    or (options.delay_rule == "auto" and performer_bound(pool_ev, len(pools[pname].members)))
                )
            if bound[pname]:
                # the performer's own availability: waiting while *they* were busy is queueing
                extra = extra_delay_resource(inst, delay_cal, duration.mean_s)
            else:
                inst = inst.assign(saturated=pool_saturated_since(pool_ev, pools[pname].capacity, inst[C.START]))
                extra = extra_delay(inst, delay_cal, batch, duration.mean_s)
        elif options.extra_delays and not naive and not has_start:
            extra = extra_delay_complete_only(inst, cal, batch, duration.mean_s)
        by = _duration_by(inst, dur, log.attrs) if has_start and not naive and options.duration_attributes else None
        priority = "fifo"
        if options.priorities and options.queueing and not naive and has_start and pools[pname].capacity is not None:
            priority = learn_priority(inst, value, due)
        activities[act] = Activity(
            act,
            pname,
            duration,
            batch=batch,
            extra_delay=extra,
            duration_by=by,
            priority=priority,
            delay_clock="working" if extra is not None and delay_cal is cal and not cal.is_always else "wall",
        )
    if dated:
        log.estimated.append(
            f"batches: not looked for in {len(dated)} step(s) recorded as dates without a time of day (at 00:00 "
            "or 23:59), where a release at a fixed hour cannot be told from the date's resolution: "
            + ", ".join(dated[:5])
            + (", ..." if len(dated) > 5 else "")
        )
    if not has_start:
        log.estimated.append(
            "durations: no start times; estimated as the lower half of the working time "
            "since the case's and the resource's previous completion"
        )
        if first_only:
            log.estimated.append(
                "durations: 0 for steps that only ever open a case ("
                + ", ".join(first_only[:5])
                + "): their completion is the case's arrival and nothing shows when work began"
            )
        if options.extra_delays and not naive:
            log.estimated.append(
                "extra delays: no start times; each gap since the case's previous completion minus "
                "the estimated work (queueing behind busy colleagues cannot be told apart and is "
                "included)"
            )
    return activities


def _recorded_as_dates(inst: pd.DataFrame, *, has_start: bool) -> bool:
    """True when most of a step's times are dates without a time (00:00, or the 23:59 some ERPs write).

    The same test as the miner's batch detection (``procopt.mine.batching``), so ``mine`` and ``model`` agree.
    """
    clock = inst[C.START].fillna(inst[C.END]) if has_start else inst[C.END]
    clock = clock.dropna()
    if clock.empty:
        return False
    dated = (clock == clock.dt.normalize()) | ((clock.dt.hour == 23) & (clock.dt.minute == 59))
    return bool(dated.mean() >= 0.5)


def _fit_speeds(
    log: _Log,
    disc: PoolDiscovery,
    calendars: dict[str, Calendar],
    pools: dict[str, Pool],
    activities: dict[str, Activity],
) -> tuple[dict[str, Pool], dict[str, Activity]]:
    """Differentiated resources: each person's own speed, the durations rescaled to a standard person."""
    return fit_resource_speeds(log.ev, pools, activities, calendars)


def _fit_arrivals(log: _Log, options: CalibrationOptions) -> Arrivals:
    """Arrival rate by hour of the week (from the recent weeks with ``recent_weeks``), and their spacing."""
    gaps = options.arrival_gaps and not options.naive
    if options.recent_weeks is None:
        return fit_arrivals(log.arrival, gaps=gaps)
    recent = log.arrival[log.arrival.index.isin(set(log.recent[C.CASE].unique()))]
    if len(recent) < 2:
        return fit_arrivals(log.arrival, gaps=gaps)
    since = log.ev[C.END].max() - pd.Timedelta(weeks=float(options.recent_weeks))
    # the window, not the first recent arrival, sets the span: the rate is cases over the weeks asked for
    return fit_arrivals(recent, span_start=max(since, log.arrival.min()), span_end=log.ev[C.END].max(), gaps=gaps)


def _duration_by(
    inst: pd.DataFrame, dur: np.ndarray, attrs: pd.DataFrame
) -> tuple[str, dict[str, Distribution]] | None:
    """The text attribute (2-10 values) that best explains an activity's duration, when it clearly does:
    Kruskal-Wallis p < 1e-6 and the slowest value's mean at least 1.25 x the fastest's (20+ instances each)."""
    from scipy import stats

    if attrs.empty or len(dur) != len(inst):
        return None
    best: tuple[float, str, dict[Any, np.ndarray]] | None = None
    for col in attrs.columns:
        x = attrs[col]
        if x.dtype != object or not 2 <= x.nunique() <= 10 or not all(isinstance(v, str) for v in x.dropna()):
            continue
        vals = inst[C.CASE].map(x).to_numpy()
        groups = {k: dur[(vals == k) & np.isfinite(dur)] for k in x.dropna().unique()}
        groups = {k: g for k, g in groups.items() if len(g) >= 20}
        if len(groups) < 2:
            continue
        means = [float(np.mean(g)) for g in groups.values()]
        if min(means) <= 0 or max(means) < 1.25 * min(means):
            continue
        p = float(stats.kruskal(*groups.values()).pvalue)
        if p < 1e-6 and (best is None or p < best[0]):
            best = (p, str(col), groups)
    if best is None:
        return None
    return best[1], {str(k): fit_distribution(g) for k, g in sorted(best[2].items(), key=lambda kv: str(kv[0]))}


def _arrival_driven(own: pd.DataFrame, has_start: bool) -> bool:
    """True when, on most days, the pool's first task started within 5 minutes of becoming ready."""
    if not has_start:
        return False
    inst = own.dropna(subset=[C.START, "enabled"])
    if len(inst) < 20:
        return False
    first = inst.loc[inst.groupby(inst[C.START].dt.normalize())[C.START].idxmin()]
    waited = (first[C.START] - first["enabled"]).dt.total_seconds()
    return bool((waited < 300).mean() >= 0.5)


def _traces(ev: pd.DataFrame, arrival: pd.Series) -> dict[str, list[str]]:
    """Activity sequences of the cases that had time to finish (late arrivals are cut by the log end)."""
    last = ev.groupby(C.CASE, sort=False)[C.END].max()
    span = (last - arrival).dt.total_seconds()
    log_end = last.max()
    early = arrival <= arrival.min() + (log_end - arrival.min()) / 2
    cut = float(np.quantile(span[early], 0.98)) if early.any() else 0.0
    keep = set(arrival.index[arrival <= log_end - pd.Timedelta(seconds=cut)])
    if len(keep) < 0.5 * len(arrival):
        keep = set(arrival.index)
    cases = ev[C.CASE].to_numpy()
    acts = ev[C.ACTIVITY].to_numpy()
    traces: dict[str, list[str]] = {}
    for c, a in zip(cases, acts, strict=True):
        if c in keep:
            traces.setdefault(c, []).append(a)
    return traces


def _case_attributes(ev: pd.DataFrame) -> pd.DataFrame:
    """Columns that are constant within (almost) every case, one row per case."""
    extras = [c for c in ev.columns if c not in C.CANONICAL and c not in ("enabled", "free")]
    if not extras:
        return pd.DataFrame(index=pd.Index(ev[C.CASE].unique(), name=C.CASE))
    g = ev.groupby(C.CASE, sort=False)
    keep = [c for c in extras if (g[c].nunique(dropna=True) <= 1).mean() >= 0.99]
    return g[keep].first()


def _storable(log: _Log, routing: Routing, activities: Mapping[str, Activity]) -> pd.DataFrame:
    """The case attributes the model carries: every column a rule reads, minus identifiers and near-constants."""
    texts = [b.when for d in routing.decisions for b in d.branches if b.when]
    texts += [a.skip_when for a in activities.values() if a.skip_when]
    named = {a.duration_by[0] for a in activities.values() if a.duration_by is not None}
    value = _value_attribute(log.all_attrs)
    if value is not None:
        named.add(value)
    # a name inside a condition's text is enough: keeping a column too many costs bytes, one too few breaks a rule
    referenced = frozenset(str(c) for c in log.all_attrs.columns if str(c) in named or any(str(c) in t for t in texts))
    dropped = unstorable_attributes(log.all_attrs, referenced)
    for col in log.all_attrs.columns.difference(log.attrs.columns):
        if str(col) not in referenced:  # a new case cannot know its variant or duration yet
            dropped.setdefault(str(col), "records the outcome")
    if dropped:
        by_reason: dict[str, list[str]] = {}
        for col, why in sorted(dropped.items()):
            by_reason.setdefault(why, []).append(col)
        log.estimated.append(
            f"attributes: {len(dropped)} of {len(log.all_attrs.columns)} case attribute(s) not carried by the model "
            "(no rule reads them): " + "; ".join(f"{why}: {_names(cols)}" for why, cols in by_reason.items())
        )
    return log.all_attrs.drop(columns=list(dropped))


def _names(cols: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(c) for c in cols[:limit])
    return shown + (f" and {len(cols) - limit} more" if len(cols) > limit else "")


def _value_attribute(attrs: pd.DataFrame) -> str | None:
    numeric = [c for c in attrs.columns if pd.api.types.is_numeric_dtype(attrs[c])]
    for col in numeric:
        if any(w in str(col).lower() for w in VALUE_WORDS):
            return str(col)
    return str(numeric[0]) if numeric else None


def _due_and_attributes(
    ev: pd.DataFrame, arrival: pd.Series, attrs: pd.DataFrame, options: CalibrationOptions
) -> tuple[DuePolicy, CaseAttributes]:
    due = ev.groupby(C.CASE, sort=False)[C.DUE].first().reindex(attrs.index)
    arr = arrival.reindex(attrs.index)
    policy, offsets = DuePolicy(), pd.Series(np.nan, index=attrs.index)
    if options.sla_s is not None:
        policy = DuePolicy("sla", sla_s=float(options.sla_s))
    elif due.notna().mean() >= 0.5:
        known = due.dropna()
        date_only = bool((known == known.dt.normalize()).all())
        working = bool((known.dt.weekday >= 5).mean() < 0.02) and len(known) >= 20
        if working:  # "N working days" promises: keep N and the clock time, not the calendar offset
            ok = due.notna() & arr.notna()
            days = np.full(len(due), np.nan)
            days[ok.to_numpy()] = np.busday_count(
                arr[ok].dt.date.to_numpy().astype("datetime64[D]"), due[ok].dt.date.to_numpy().astype("datetime64[D]")
            )
            tod = (due - due.dt.normalize()).dt.total_seconds()
            offsets = pd.Series(days, index=due.index) * 86400.0 + tod
        elif date_only:
            offsets = (due - arr.dt.normalize()).dt.total_seconds()
        else:
            offsets = (due - arr).dt.total_seconds()
        policy = DuePolicy("offset", date_only=date_only, working_days=working)
        if offsets.isna().any():
            offsets = offsets.fillna(float(offsets.median()))
    n = len(attrs)
    take = np.arange(n)
    if n > options.max_attribute_rows:
        rng = np.random.default_rng(options.seed)
        take = np.sort(rng.choice(n, size=options.max_attribute_rows, replace=False))
    rows = tuple(tuple(_plain(v) for v in row) for row in attrs.iloc[take].itertuples(index=False, name=None))
    offs = tuple(float(v) for v in offsets.iloc[take]) if policy.kind == "offset" else ()
    return policy, CaseAttributes(tuple(str(c) for c in attrs.columns), rows, offs)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return str(value)
    return value


def _delivery_activity(ev: pd.DataFrame, wanted: str | None) -> str | None:
    acts = sorted(ev[C.ACTIVITY].unique())
    if wanted is not None:
        if wanted not in acts:
            from procopt.errors import did_you_mean

            raise ModelError(
                None,
                f"--delivery-activity: unknown activity {wanted!r}.{did_you_mean(wanted, acts)}",
                hint="Activities in the log: " + ", ".join(acts[:30]) + ".",
            )
        return wanted
    return detect_delivery_activity(ev)
