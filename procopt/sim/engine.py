"""Stage 5 (sim): the SimPy engine — one replication of a ``SimulationModel`` -> an event table.

Picture the order desk: orders arrive (``arrivals``), each walks its route step by step; before a step it
may wait for the customer (``extra_delay``), for the next clock-time release (the 16:00 director batch,
the 10:00/15:00 trucks) or for its batch to fill (labels printed once ten orders wait), then for a free person of the step's pool (a SimPy resource), who works only
within the pool's calendar — work left at 17:00 continues at 08:00 the next working day.

Only this module and ``resources`` import ``simpy``. Per-event work is plain Python; the pandas frame is built
once at the end. Clock: float seconds since the origin = ``start - warmup_days``.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import simpy
from simpy.events import NORMAL

from procopt.log import columns as C
from procopt.model.calendars import DAY_S, WEEK_S, WorkClock
from procopt.model.types import SimulationModel
from procopt.sim.compiled import (
    CActivity,
    CompiledModel,
    bound_draw,
    compile_model,
    next_release,
    release_table,
    work_span,
)
from procopt.sim.resources import Places
from procopt.sim.rng import stream

DEFAULT_START = pd.Timestamp("2024-01-01")  # a Monday
NAN = float("nan")
MISSING = object()
OFF_DUTY = -float("inf")  # priority of the requests holding off-duty people (ahead of every case)
DEFAULT_DRAIN_DAYS = 60.0


@dataclass(slots=True)
class Trace:
    """Raw output of one replication (lists, no pandas): events, per-case facts and pool usage."""

    origin: pd.Timestamp
    window_start_s: float
    window_end_s: float
    end_s: float
    #: (case index, activity, start_s, end_s, resource, pool) per finished activity instance
    events: list[tuple[int, str, float, float, str, str]] = field(default_factory=list)
    case_arrival: list[float] = field(default_factory=list)
    case_due: list[float] = field(default_factory=list)
    case_attr: list[int] = field(default_factory=list)
    case_delivery_end: list[float] = field(default_factory=list)
    case_end: list[float] = field(default_factory=list)
    case_first: list[float] = field(default_factory=list)
    busy_s: dict[str, float] = field(default_factory=dict)
    available_s: dict[str, float] = field(default_factory=dict)


def simulate(
    model: SimulationModel,
    *,
    days: float,
    seed: int,
    start: pd.Timestamp | str | None = None,
    max_cases: int | None = None,
    warmup_days: float = 0.0,
    drain_days: float = DEFAULT_DRAIN_DAYS,
    replication: int = 0,
) -> pd.DataFrame:
    """Simulate one replication and return its event table (contract columns + case attributes + DUE).

    Cases arrive during ``warmup_days`` before ``start`` (only to fill queues; they are not returned) and
    during ``days`` after it; the run then continues at most ``drain_days`` for them to finish. Unfinished
    activity instances are not in the table. Same model + same seed => identical table.
    """
    trace = run_replication(
        model,
        days=days,
        seed=seed,
        start=start,
        max_cases=max_cases,
        warmup_days=warmup_days,
        drain_days=drain_days,
        replication=replication,
    )
    return trace_to_frame(model, trace)


def default_start(model: SimulationModel) -> pd.Timestamp:
    """The Monday after the calibration log ended (or 2024-01-01 for hand-written models)."""
    end = model.provenance.get("log_end") if model.provenance else None
    if not end:
        return DEFAULT_START
    day = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    return day + pd.Timedelta(days=(7 - day.weekday()) % 7)


def run_replication(
    model: SimulationModel,
    *,
    days: float,
    seed: int,
    start: pd.Timestamp | str | None = None,
    max_cases: int | None = None,
    warmup_days: float = 0.0,
    drain_days: float = DEFAULT_DRAIN_DAYS,
    replication: int = 0,
) -> Trace:
    """Run one replication and return the raw ``Trace`` (the experiment computes KPIs from it)."""
    from procopt.sim.rng import replication_seed

    start_ts = pd.Timestamp(start) if start is not None else default_start(model)
    origin = start_ts - pd.Timedelta(days=warmup_days)
    offset_s = (origin - origin.normalize()).total_seconds() + origin.weekday() * DAY_S
    cm = compile_model(model, offset_s)
    seq = replication_seed(seed, replication)
    window_start = warmup_days * DAY_S
    window_end = window_start + days * DAY_S
    trace = Trace(origin, window_start, window_end, window_end + drain_days * DAY_S)
    _Run(cm, trace, seq, max_cases, offset_s).run()
    for name, pool in cm.pools.items():
        if pool.capacity is not None:
            trace.available_s[name] = _available_s(pool, window_start, window_end, offset_s)
    return trace


def _available_s(pool: Any, t0: float, t1: float, offset_s: float) -> float:
    """People x working seconds the pool offers between ``t0`` and ``t1`` (hour by hour when staffing varies)."""
    clock = pool.clock
    if pool.on_duty is None:
        return pool.capacity * (clock.worked(t1) - clock.worked(t0))
    total, t = 0.0, t0
    while t < t1:
        nxt = min(t1, t + 3600.0 - ((t + offset_s) % 3600.0))
        if nxt <= t:
            nxt = min(t1, t + 3600.0)
        how = int(((t + offset_s) % WEEK_S) // 3600.0)
        total += pool.on_duty[how] * (clock.worked(nxt) - clock.worked(t))
        t = nxt
    return total


class _Run:
    """One replication: SimPy processes over a compiled model."""

    def __init__(
        self, cm: CompiledModel, trace: Trace, seq: np.random.SeedSequence, max_cases: int | None, offset_s: float
    ) -> None:
        self.cm, self.trace, self.max_cases = cm, trace, max_cases
        self.env = simpy.Environment()
        self.rng_arr = stream(seq, "arrivals")
        self.rng_attr = stream(seq, "attributes")
        self.rng_route = stream(seq, "routing")
        self.choose = cm.chooser(self.rng_route)
        self.rng_dur = {a: stream(seq, "durations", key=a) for a in cm.activities}
        self.rng_delay = {a: stream(seq, "delays", key=a) for a in cm.activities}
        self.offset_s = offset_s
        self.resources: dict[str, Any] = {}
        self.free: dict[str, list[str]] = {}
        #: activity -> the cases held for its size-triggered batch (one SimPy event each, in arrival order)
        self.filling: dict[str, list[Any]] = {}
        for name, pool in cm.pools.items():
            if pool.capacity is None:
                continue
            self.resources[name] = Places(self.env, pool.capacity, prioritised=pool.prioritised)
            self.free[name] = list(reversed(pool.members))
            trace.busy_s[name] = 0.0
            if pool.on_duty is not None:
                self.env.process(self._staffing(pool, self.resources[name]))
        # everything a step needs, unpacked in one go per activity instance instead of attribute by attribute
        self.steps = {a: self._plan(act) for a, act in cm.activities.items()}

    def _plan(self, act: CActivity) -> tuple[Any, ...]:
        pool = act.pool
        res = self.resources.get(pool.name)
        return (
            act.skip,
            act.extra,
            act.extra_wall,
            act.next_release if act.releases is not None else None,
            (act.batch_size, act.batch_wait_s) if act.batch_size is not None else None,
            res,
            act.priority_key if res is not None and pool.prioritised else None,
            self.free.get(pool.name),
            pool.speeds if res is not None else None,
            pool.clock,
            work_span(pool.clock),
            bound_draw(act.duration_dist, self.rng_dur[act.name]),
            act.dur_attr,
            act.dur_map,
            act.duration,
            self.rng_dur[act.name],
            self.rng_delay[act.name],
            pool.name,
            act.name == self.cm.delivery,
        )

    def _staffing(self, pool: Any, res: Any) -> Any:
        """Hold the pool's off-duty people: each hour, as many top-priority requests as people are absent.

        A request takes the next free place (nobody's work is interrupted: a person leaves when done);
        surplus requests are withdrawn (still waiting) or released (holding a place) when people return.
        """
        env, duty, cap, off = self.env, pool.on_duty, pool.capacity, self.offset_s
        held: list[Any] = []
        while True:
            how = int(((env.now + off) % WEEK_S) // 3600.0)
            want = cap - duty[how]
            while len(held) > want:
                req = held.pop()  # the newest first: still-waiting requests before granted ones
                if req.triggered:
                    res.release(req)
                else:
                    res.cancel(req)
            while len(held) < want:
                held.append(res.request(priority=OFF_DUTY))
            step = 3600.0 - ((env.now + off) % 3600.0)
            yield env.timeout(step if step > 1e-6 else step + 3600.0)

    def run(self) -> None:
        self.env.process(self._arrivals())
        # The trace holds up to millions of small tuples; Python's cyclic GC would rescan them over and over
        # (runs got ~2x slower per event at 100k cases). Collect rarely during the run, as SimPy models do.
        old = gc.get_threshold()
        gc.set_threshold(200_000, 50, 1000)
        try:
            self.env.run(until=self.trace.end_s)
        finally:
            gc.set_threshold(*old)

    def _arrivals(self) -> Any:
        env, tr, cm = self.env, self.trace, self.cm
        counted = 0
        t = 0.0
        while True:
            t = cm.next_arrival(t, self.rng_arr)
            if t >= tr.window_end_s:
                return
            if self.max_cases is not None and t >= tr.window_start_s:
                if counted >= self.max_cases:
                    return
                counted += 1
            yield env.timeout(t - env.now)
            self.env.process(self._case(len(tr.case_arrival)))

    def _case(self, cid: int, branch: tuple[str, dict[str, Any], float] | None = None) -> Any:
        """Case ``cid`` from arrival to end, activity instance after activity instance; or, with ``branch``
        (activity, attributes, due), that one activity of a parallel block of the case.

        An instance: extra delay, batch release, queue for a person, work within the pool's calendar. It is
        written out in this loop (not a generator per instance): a step generator and its ``yield from``
        cost as much as the calendar arithmetic of the step.
        """
        env, cm, tr, steps = self.env, self.cm, self.trace, self.steps
        choose, fast, blocks = self.choose, cm.fast, cm.blocks
        window_start, window_end, busy = tr.window_start_s, tr.window_end_s, tr.busy_s
        events, first = tr.events, tr.case_first
        if branch is None:
            now = env.now
            row, attrs, due_off = cm.sample_attributes(self.rng_attr)
            due = cm.due_time(now, due_off, self.offset_s)
            tr.case_arrival.append(now)
            tr.case_due.append(due)
            tr.case_attr.append(row)
            tr.case_delivery_end.append(NAN)
            tr.case_end.append(NAN)
            first.append(NAN)
            cur = choose(cm.START, None, 1, attrs, row)
        else:
            cur, attrs, due = branch
            row = -1  # not routed
        visits: dict[str, int] = {}
        prev = None
        visit = 0
        while cur is not None:
            if branch is None:
                visits[cur] = visit = visits.get(cur, 0) + 1
                if cur in blocks:  # AND-split: every branch at once, continue when all are done (the join)
                    yield env.all_of([env.process(self._case(cid, (a, attrs, due))) for a in blocks[cur]])
                    nxt = fast.get(cur, MISSING)
                    if nxt is MISSING:
                        nxt = choose(cur, prev, visit, attrs, row)
                    prev, cur = cur, nxt
                    continue
            (
                skip,
                extra,
                extra_wall,
                release_at,
                batch,
                res,
                priority_key,
                free,
                speeds,
                clock,
                span,
                draw,
                dur_attr,
                dur_map,
                dur_default,
                rng_dur,
                rng_delay,
                pname,
                delivers,
            ) = steps[cur]
            if skip is None or not skip(attrs):
                if extra is not None:
                    d = extra(rng_delay)
                    if d > 0:
                        yield env.timeout(d if extra_wall else clock.end_after(env.now, d) - env.now)
                if release_at is not None:
                    yield env.timeout(release_at(env.now) - env.now)
                elif batch is not None:
                    yield self._join_batch(cur, *batch)
                if res is not None:
                    req = res.request() if priority_key is None else res.request(priority_key(env.now, due, attrs))
                    yield req
                    # with people of different speeds, who takes the case matters: the one idle longest (work
                    # spreads over the team as in the log), not the one who just finished (the first would do it all)
                    member = free.pop() if speeds is None else free.pop(0)
                else:
                    member = pname
                now = env.now
                # by attribute: the attribute's own distribution, or the activity's (its sampler) for other values
                work = draw() if dur_attr is None else dur_map.get(attrs.get(dur_attr), dur_default)(rng_dur)
                if speeds is not None:
                    work *= speeds.get(member, 1.0)
                begin, end = span(now, work)
                if res is None:
                    yield env.timeout(end - now)
                else:  # the request event is spent (processed): it times the work, then carries the release
                    if end < now:
                        raise ValueError(f"negative work time {end - now} at {cur!r}")
                    req.callbacks = []
                    env.schedule(req, NORMAL, end - now)
                    yield req
                    free.append(member)
                    res.release(req)
                    if window_start <= begin < window_end:
                        busy[pname] += work
                if first[cid] != first[cid]:
                    first[cid] = begin
                events.append((cid, cur, begin, end, member, pname))
                if delivers:
                    tr.case_delivery_end[cid] = end
            if branch is not None:
                return
            nxt = fast.get(cur, MISSING)
            if nxt is MISSING:
                nxt = choose(cur, prev, visit, attrs, row)
            prev, cur = cur, nxt
        tr.case_end[cid] = env.now

    def _join_batch(self, cur: str, size: int, wait_s: float | None) -> Any:
        """Hold the case until ``size`` wait at ``cur`` (or the first of them has waited ``wait_s``): one event.

        The events of a batch succeed together, in the order the cases joined, so they queue for a person
        in that order (FIFO within the batch) and a seeded run stays identical.
        """
        held = self.env.event()
        batch = self.filling.setdefault(cur, [])
        batch.append(held)
        if len(batch) >= size:
            self._release_batch(cur)
        elif len(batch) == 1 and wait_s is not None:
            self.env.process(self._batch_deadline(cur, batch, wait_s))
        return held

    def _release_batch(self, cur: str) -> None:
        for held in self.filling.pop(cur):
            held.succeed()

    def _batch_deadline(self, cur: str, batch: list[Any], wait_s: float) -> Any:
        yield self.env.timeout(wait_s)
        if self.filling.get(cur) is batch:  # still filling: release what is there
            self._release_batch(cur)


def trace_to_frame(model: SimulationModel, trace: Trace) -> pd.DataFrame:
    """The replication's event table for cases arriving in the reported window (built once, vectorised)."""
    if trace.events:
        cases, acts, starts, ends, res, pools = (list(col) for col in zip(*trace.events, strict=True))
    else:
        cases, acts, starts, ends, res, pools = [], [], [], [], [], []
    ev_case = np.asarray(cases, dtype=np.int64)
    arrival = np.asarray(trace.case_arrival, dtype=float)
    keep = (
        (arrival[ev_case] >= trace.window_start_s) & (arrival[ev_case] < trace.window_end_s)
        if len(ev_case)
        else np.zeros(0, dtype=bool)
    )
    idx = ev_case[keep]
    origin = trace.origin

    def stamps(values: np.ndarray) -> pd.Series:
        secs = np.round(values).astype("int64")
        return pd.Series(origin + pd.to_timedelta(secs, unit="s"))

    frame = pd.DataFrame(
        {
            C.CASE: pd.Series([f"SIM-{i + 1:06d}" for i in idx], dtype=object),
            C.ACTIVITY: np.asarray(acts, dtype=object)[keep],
            C.START: stamps(np.asarray(starts, dtype=float)[keep]),
            C.END: stamps(np.asarray(ends, dtype=float)[keep]),
            C.RESOURCE: np.asarray(res, dtype=object)[keep],
            C.DEPARTMENT: np.asarray(pools, dtype=object)[keep],
        }
    )
    due = np.asarray(trace.case_due, dtype=float)
    due_case = due[idx] if len(idx) else np.zeros(0)
    frame[C.DUE] = pd.Series(
        [origin + pd.Timedelta(seconds=round(float(d))) if np.isfinite(d) else pd.NaT for d in due_case],
        dtype="datetime64[ns]",
    )
    frame[C.SOURCE_ROW] = np.arange(1, len(frame) + 1)
    attrs = model.attributes
    if attrs.columns and len(idx):
        rows = np.asarray(trace.case_attr, dtype=np.int64)[idx]
        table = pd.DataFrame(list(attrs.rows), columns=list(attrs.columns))
        # all attribute columns in one block: inserting them one by one fragments the frame (PermitLog
        # has over a hundred case attributes and pandas warned on every simulated log)
        extra = {col: table[col].to_numpy()[rows] for col in attrs.columns if col not in frame.columns}
        if extra:
            frame = pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)
    return C.normalise_frame(frame)


__all__ = [
    "Trace",
    "WorkClock",
    "default_start",
    "next_release",
    "release_table",
    "run_replication",
    "simulate",
    "trace_to_frame",
]
