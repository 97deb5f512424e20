"""Stage 5 (sim): a ``SimulationModel`` compiled for speed — closures and lookup tables, no dataclasses.

The engine asks four questions millions of times: when does the next order arrive, which attributes does
it carry, where does it go next, how long does this step take. Everything is prepared here once per
replication so each answer is a dictionary lookup and one random draw.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from random import NV_MAGICCONST  # type: ignore[attr-defined]
from typing import Any

from procopt.model.calendars import DAY_S, WEEK_S, WorkClock, parse_clock
from procopt.model.distributions import Sampler, sampler
from procopt.model.expr import Condition, parse_condition
from procopt.model.types import START_TOKEN, WEEKDAYS, Distribution, SimulationModel

Branches = list[tuple[Condition | None, list[str | None], list[float]]]


@dataclass(slots=True)
class CPool:
    name: str
    capacity: int | None
    members: list[str]
    clock: WorkClock
    prioritised: bool
    #: people on duty per hour of the week (168, Monday 00:00 first) or None: all of ``capacity``
    on_duty: list[int] | None = None
    #: member -> duration multiplier (empty: everybody at the standard speed)
    speeds: dict[str, float] | None = None


@dataclass(slots=True)
class CActivity:
    name: str
    pool: CPool
    duration: Sampler
    #: the distribution ``duration`` samples (the engine binds it to the activity's stream: ``bound_draw``)
    duration_dist: Distribution
    dur_attr: str | None
    dur_map: dict[Any, Sampler]
    extra: Sampler | None
    #: the extra delay runs on the wall clock (True) or in the pool's working time (False)
    extra_wall: bool
    skip: Condition | None
    releases: list[float] | None
    next_release: Callable[[float], float]
    #: size-triggered batch: cases are held until this many wait (None: no size rule)
    batch_size: int | None
    #: ...or until the first of them has waited this many seconds (wall clock; None: no limit)
    batch_wait_s: float | None
    priority_key: Callable[[float, float, Mapping[str, Any]], float]


@dataclass(slots=True)
class CompiledModel:
    pools: dict[str, CPool]
    activities: dict[str, CActivity]
    routes: dict[tuple[str, str | None], tuple[int, dict[int | None, Branches]]]
    rates_s: list[float]
    gap: Sampler | None
    #: gaps between arrivals in expected arrivals (quantiles, mean 1); empty: Poisson (exponential gaps)
    unit_gaps: tuple[float, ...]
    offset_s: float
    attr_columns: tuple[str, ...]
    attr_rows: tuple[tuple[Any, ...], ...]
    due_offsets: tuple[float, ...]
    due_kind: str
    sla_s: float | None
    date_only: bool
    working_days: bool
    delivery: str | None
    #: activity -> next activity when the route after it is certain (no condition, one target)
    fast: dict[str, str | None]
    #: parallel block name -> its member activities (run at the same time, joined when all are done)
    blocks: dict[str, tuple[str, ...]]
    START: str = START_TOKEN

    def next_arrival(self, t: float, rng: random.Random) -> float:
        """Next arrival after ``t``: a gap counted in expected arrivals, walked along the rate of each hour of the
        week (exponential gaps make it the non-homogeneous Poisson process; ``unit_gaps`` the observed spacing)."""
        if self.gap is not None:
            return t + self.gap(rng)
        rates = self.rates_s
        if not any(rates):
            return math.inf
        need = _interpolate(self.unit_gaps, rng.random()) if self.unit_gaps else rng.expovariate(1.0)
        off = self.offset_s
        while True:
            r = (t + off) % WEEK_S
            h = int(r // 3600.0)
            # float rounding at an hour boundary can give seg_end == t; always move the clock forward
            seg_end = max(t + (h + 1) * 3600.0 - r, math.nextafter(t, math.inf))
            rate = rates[h]
            if rate > 0 and rate * (seg_end - t) >= need:
                return t + need / rate
            need -= rate * (seg_end - t)
            t = seg_end

    def sample_attributes(self, rng: random.Random) -> tuple[int, dict[str, Any], float]:
        """A real case's attribute row (index, dict, due offset) drawn uniformly."""
        n = len(self.attr_rows)
        if n == 0:
            return -1, {}, math.nan
        i = int(rng.random() * n)
        due = self.due_offsets[i] if self.due_offsets else math.nan
        return i, dict(zip(self.attr_columns, self.attr_rows[i], strict=True)), due

    def due_time(self, now: float, due_off: float, offset_s: float) -> float:
        """The case's due instant in seconds since the origin (NaN when none)."""
        if self.due_kind == "sla" and self.sla_s is not None:
            return now + self.sla_s
        if self.due_kind == "offset" and not math.isnan(due_off):
            if self.working_days:
                days, tod = divmod(due_off, DAY_S)
                day0 = now - ((now + offset_s) % DAY_S)
                weekday = int(((day0 + offset_s) // DAY_S) % 7)
                if weekday >= 5:  # a weekend arrival counts from Monday
                    day0 += (7 - weekday) * DAY_S
                    weekday = 0
                for _ in range(int(days)):
                    day0 += DAY_S * (3 if weekday == 4 else 1)
                    weekday = 0 if weekday == 4 else weekday + 1
                return day0 + tod
            if self.date_only:
                return now - ((now + offset_s) % DAY_S) + due_off
            return now + due_off
        return math.nan

    def choose(
        self, after: str, prev: str | None, visit: int, attrs: Mapping[str, Any], rng: random.Random
    ) -> str | None:
        """The next activity (None = the case ends)."""
        branches = self.branch_list(after, prev, visit)
        if branches is None:
            return None
        for cond, targets, cum in branches:
            if cond is None or cond(attrs):
                u = rng.random() * cum[-1]
                return targets[min(bisect_right(cum, u), len(targets) - 1)]
        return None

    def branch_list(self, after: str, prev: str | None, visit: int) -> Branches | None:
        """The branches of the decision after ``after``: the one for the previous step when there is one, else the
        general one; within it the numbered visit (the largest numbered one beyond), else the visit-free list."""
        for key in ((after, prev), (after, None)):
            entry = self.routes.get(key)
            if entry is not None:
                maxv, by_visit = entry
                branches = by_visit.get(min(visit, maxv)) if maxv else None
                if branches is None:
                    branches = by_visit.get(None)
                if branches is not None:
                    return branches
        return None

    def chooser(self, rng: random.Random) -> Callable[[str, str | None, int, Mapping[str, Any], int], str | None]:
        """``choose`` bound to ``rng`` for the engine: ``(after, prev, visit, attrs, row) -> next``, ``row`` being
        the case's attribute row (``sample_attributes``' index). The same answers and the same draws as
        ``choose``, at a fraction of the cost: the branch list of an (after, previous, visit) is looked up once
        per run, and a condition is evaluated once per attribute row — it reads only the case's attributes,
        which the row fixes. (Visits beyond the largest numbered visit of any decision share one branch list.)
        """
        routes = self.routes
        top = max((maxv for maxv, _ in routes.values()), default=0)
        lists: dict[tuple[str, str | None, int], Branches | None] = {}
        truth: dict[tuple[Condition, int], bool] = {}
        rand = rng.random

        def choose(after: str, prev: str | None, visit: int, attrs: Mapping[str, Any], row: int) -> str | None:
            key = (after, prev, visit if visit <= top else top + 1)
            try:
                branches = lists[key]
            except KeyError:
                branches = lists[key] = self.branch_list(*key)
            if branches is None:
                return None
            for cond, targets, cum in branches:
                if cond is not None:
                    known = truth.get((cond, row))
                    if known is None:
                        known = truth[cond, row] = bool(cond(attrs))
                    if not known:
                        continue
                u = rand() * cum[-1]
                return targets[min(bisect_right(cum, u), len(targets) - 1)]
            return None

        return choose


def compile_model(model: SimulationModel, offset_s: float) -> CompiledModel:
    """Compile ``model`` for a run whose origin is ``offset_s`` seconds after a Monday 00:00."""
    from procopt.model.types import END_TOKEN

    clocks = {name: WorkClock(cal, offset_s) for name, cal in model.calendars.items()}
    prioritised = {a.pool for a in model.activities.values() if a.priority != "fifo"}
    pools: dict[str, CPool] = {}
    for name, pool in model.pools.items():
        members = list(pool.members)
        if pool.capacity is not None:
            members = members[: pool.capacity]
            members += [f"{name} #{i + 1}" for i in range(len(members), pool.capacity)]
        duty = list(pool.on_duty) if pool.on_duty is not None and pool.capacity is not None else None
        # a pool whose staffing varies by hour holds its absent people with top-priority requests
        pools[name] = CPool(
            name,
            pool.capacity,
            members,
            clocks[pool.calendar],
            name in prioritised or duty is not None,
            duty,
            {m: float(pool.speeds.get(m, 1.0)) for m in members} if pool.speeds else None,
        )
    value_attr = model.provenance.get("value_attribute") if model.provenance else None
    acts: dict[str, CActivity] = {}
    for name, a in model.activities.items():
        clocked = a.batch is not None and a.batch.size is None
        table = release_table(a.batch.release_times, a.batch.weekdays) if a.batch is not None and clocked else None
        wait_h = a.batch.max_wait_hours if a.batch is not None else None
        acts[name] = CActivity(
            name=name,
            pool=pools[a.pool],
            duration=sampler(a.duration),
            duration_dist=a.duration,
            dur_attr=a.duration_by[0] if a.duration_by else None,
            dur_map={k: sampler(d) for k, d in a.duration_by[1].items()} if a.duration_by else {},
            extra=sampler(a.extra_delay) if a.extra_delay is not None else None,
            extra_wall=a.delay_clock == "wall",
            skip=parse_condition(a.skip_when)[0] if a.skip_when else None,
            releases=table,
            next_release=(lambda t, tb=table: next_release(tb, offset_s, t)) if table else (lambda t: t),
            priority_key=_priority(a.priority, value_attr),
            batch_size=a.batch.size if a.batch is not None else None,
            batch_wait_s=wait_h * 3600.0 if wait_h is not None else None,
        )
    routes: dict[tuple[str, str | None], tuple[int, dict[int | None, Branches]]] = {}
    for d in model.routing.decisions:
        key = (d.after, d.previous)
        maxv, by_visit = routes.get(key, (0, {}))
        branches: Branches = []
        for b in d.branches:
            items = [(k, v) for k, v in b.next.items() if v > 0]
            targets: list[str | None] = [None if k == END_TOKEN else k for k, _ in items]
            cum, total = [], 0.0
            for _, v in items:
                total += float(v)
                cum.append(total)
            if not cum:
                targets, cum = [None], [1.0]
            branches.append((parse_condition(b.when)[0] if b.when else None, targets, cum))
        by_visit[d.visit] = branches
        routes[key] = (max(maxv, d.visit or 0), by_visit)
    fast: dict[str, str | None] = {}
    with_previous = {a for a, q in routes if q is not None}
    for (after, prev), (maxv, by_visit) in routes.items():
        if prev is None and maxv == 0 and after not in with_previous:
            branches = by_visit.get(None) or []
            if len(branches) == 1 and branches[0][0] is None and len(branches[0][1]) == 1:
                fast[after] = branches[0][1][0]
    rates = [
        model.arrivals.scale * float(v) / 3600.0
        for day in WEEKDAYS
        for v in (model.arrivals.rate_per_hour.get(day) or (0.0,) * 24)
    ]
    attrs = model.attributes
    return CompiledModel(
        pools=pools,
        activities=acts,
        routes=routes,
        rates_s=rates,
        offset_s=offset_s,
        gap=sampler(model.arrivals.interarrival.scaled(1.0 / model.arrivals.scale))
        if model.arrivals.interarrival is not None
        else None,
        unit_gaps=tuple(model.arrivals.gap_quantiles),
        attr_columns=attrs.columns,
        attr_rows=attrs.rows,
        due_offsets=attrs.due_offsets_s,
        due_kind=model.due.kind,
        sla_s=model.due.sla_s,
        date_only=model.due.date_only,
        working_days=model.due.working_days,
        delivery=model.delivery_activity,
        fast=fast,
        blocks={name: tuple(members) for name, members in model.parallel.items()},
    )


def _priority(rule: str, value_attr: str | None) -> Callable[[float, float, Mapping[str, Any]], float]:
    if rule == "earliest_due_date":
        return lambda now, due, attrs: due if due == due else now + 1e12
    if rule == "highest_value" and value_attr:

        def by_value(now: float, due: float, attrs: Mapping[str, Any]) -> float:
            v = attrs.get(value_attr)
            return -float(v) if isinstance(v, int | float) and v == v else 0.0

        return by_value
    return lambda now, due, attrs: now


def bound_draw(dist: Distribution, rng: random.Random) -> Callable[[], float]:
    """``sampler(dist)`` with ``rng`` bound: ``draw()`` returns what ``sampler(dist)(rng)`` would, same stream.

    Most calibrated durations are lognormal, drawn once per activity instance through three Python calls
    (the sampler, ``lognormvariate``, ``normalvariate``). ``lognormvariate(mu, sigma)`` is
    ``exp(normalvariate(mu, sigma))``, Kinderman-Monahan on pairs of uniforms; it is inlined here on the
    stream's ``random`` (a test checks equality with the sampler draw for draw). Exponential likewise;
    gamma calls ``gammavariate`` directly; the other kinds go through the sampler.
    """
    p, kind = dist.params, dist.kind
    rand = rng.random
    if kind in ("lognormal", "gamma") and float(p["mean_s"]) > 0 and float(p["cv"]) > 0:
        mean, cv = float(p["mean_s"]), float(p["cv"])
        if kind == "gamma":
            shape = 1.0 / (cv * cv)
            scale = mean / shape
            gamma = rng.gammavariate
            return lambda: gamma(shape, scale)
        sigma = math.sqrt(math.log1p(cv * cv))
        mu = math.log(mean) - sigma * sigma / 2
        log, exp = math.log, math.exp

        def lognormal() -> float:
            while True:
                u1 = rand()
                u2 = 1.0 - rand()
                z = NV_MAGICCONST * (u1 - 0.5) / u2
                if z * z / 4.0 <= -log(u2):
                    return exp(mu + z * sigma)

        return lognormal
    if kind == "exponential" and float(p["mean_s"]) > 0:
        rate = 1.0 / float(p["mean_s"])
        log = math.log
        return lambda: -log(1.0 - rand()) / rate
    draw = sampler(dist)
    return lambda: draw(rng)


def work_span(clock: WorkClock) -> Callable[[float, float], tuple[float, float]]:
    """``(t, work_s) -> (begin, end)``: ``begin = clock.next_open(t)``, ``end = clock.end_after(begin, work_s)``.

    The same float operations as the two ``WorkClock`` calls (a seeded run stays identical; a test checks the
    equality bit for bit), fused into one call with the calendar's tables bound once: every activity instance
    asks this, and four method calls with attribute lookups were a tenth of the engine's time. When work
    starts inside open hours (``begin == t``), the working time reached at ``t`` is computed once, not twice.
    """
    if clock.always:
        return lambda t, work_s: (t, t + work_s)
    off, week_work = clock.offset_s, clock.week_work_s
    starts, ends, cum = clock.starts, clock.ends, clock.cum

    def span(t: float, work_s: float) -> tuple[float, float]:
        # worked(t): working seconds from the origin's week start to t
        w, r = divmod(t + off, WEEK_S)
        i = bisect_right(starts, r) - 1
        done = w * week_work + (0.0 if i < 0 else cum[i] + min(r, ends[i]) - starts[i])
        # next_open(t) = max(t, _at(worked(t), open_side=True))
        w, r = divmod(done, week_work)
        i = bisect_right(cum, r) - 1
        begin = w * WEEK_S + starts[i] + (r - cum[i]) - off
        if begin <= t:
            begin = t  # open at t: the usual case, worked(begin) is done already
        else:
            w, r = divmod(begin + off, WEEK_S)
            i = bisect_right(starts, r) - 1
            done = w * week_work + (0.0 if i < 0 else cum[i] + min(r, ends[i]) - starts[i])
            if work_s <= 0:  # end_after(begin, 0) = next_open(begin)
                w, r = divmod(done, week_work)
                i = bisect_right(cum, r) - 1
                return begin, max(begin, w * WEEK_S + starts[i] + (r - cum[i]) - off)
        if work_s <= 0:  # next_open(begin) with begin == t is begin again
            return begin, begin
        # end_after(begin, work_s) = _at(worked(begin) + work_s, open_side=False)
        w, r = divmod(done + work_s, week_work)
        i = bisect_left(cum, r) - 1
        if i < 0:
            w, i = w - 1, len(cum) - 1
            r = week_work
        return begin, w * WEEK_S + starts[i] + (r - cum[i]) - off

    return span


def release_table(times: tuple[str, ...], weekdays: tuple[str, ...]) -> list[float]:
    """Sorted release instants in seconds since Monday 00:00 for a batch rule."""
    out = sorted(WEEKDAYS.index(d) * DAY_S + parse_clock(t) for d in weekdays for t in times)
    return out or [0.0]


def next_release(table: list[float], offset_s: float, t: float) -> float:
    """The first release instant at or after ``t`` (seconds since origin)."""
    w, r = divmod(t + offset_s, WEEK_S)
    i = bisect_left(table, r)
    if i == len(table):
        w, i = w + 1, 0
    return w * WEEK_S + table[i] - offset_s


def _interpolate(quantiles: tuple[float, ...], u: float) -> float:
    """The value at probability ``u`` of equally spaced ``quantiles``, linear in between."""
    pos = u * (len(quantiles) - 1)
    i = min(int(pos), len(quantiles) - 2)
    return quantiles[i] + (pos - i) * (quantiles[i + 1] - quantiles[i])
