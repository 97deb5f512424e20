"""Stage 4 (scenario): the changes a scenario can make to a model, each a small frozen dataclass.

Picture the operations meeting: "drop the director's signature", "give credit one more analyst", "let
the warehouse work Saturdays". Each sentence is one ``Change``; ``apply(model)`` returns a new model and
never edits the old one. ``check(model, ck, where)`` verifies the names against the model first, so an
unknown activity is reported with its key path and the valid names.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from procopt.model.calendars import describe
from procopt.model.staffing import scale_profile
from procopt.model.types import BatchRule, Calendar, Distribution, SimulationModel
from procopt.model.validate import Checker


def _acts(model: SimulationModel) -> list[str]:
    return sorted(model.activities)


def _set_activity(model: SimulationModel, name: str, **fields: object) -> SimulationModel:
    acts = dict(model.activities)
    acts[name] = dataclasses.replace(acts[name], **fields)  # type: ignore[arg-type]
    return dataclasses.replace(model, activities=acts)


@dataclass(frozen=True, slots=True)
class RemoveActivity:
    """Drop a step: cases pass straight on to whatever followed it."""

    kind: ClassVar[str] = "remove_activity"  # its key in a scenario file

    activity: str

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        ck.choice(self.activity, f"{where}.activity", _acts(model), "activity")

    def apply(self, model: SimulationModel) -> SimulationModel:
        return _set_activity(model, self.activity, skip_when="true")


@dataclass(frozen=True, slots=True)
class SkipActivity:
    """Skip a step for the cases matching ``when`` (e.g. ``order_value < 5000``)."""

    kind: ClassVar[str] = "skip_activity"  # its key in a scenario file

    activity: str
    when: str

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        ck.choice(self.activity, f"{where}.activity", _acts(model), "activity")
        ck.condition(self.when, f"{where}.when", list(model.attributes.columns))

    def apply(self, model: SimulationModel) -> SimulationModel:
        old = model.activities[self.activity].skip_when
        when = f"({old}) or ({self.when})" if old else self.when
        return _set_activity(model, self.activity, skip_when=when)


@dataclass(frozen=True, slots=True)
class SetCapacity:
    """``add`` people to a pool (or ``set`` its size); the pool is named or found through an activity."""

    kind: ClassVar[str] = "capacity"  # its key in a scenario file

    pool: str | None = None
    activity: str | None = None
    add: int | None = None
    set: int | None = None

    def target(self, model: SimulationModel) -> str:
        return self.pool if self.pool is not None else model.activities[str(self.activity)].pool

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        if self.pool is not None:
            ck.choice(self.pool, f"{where}.pool", sorted(model.pools), "pool")
        else:
            ck.choice(self.activity, f"{where}.activity", _acts(model), "activity")
        pool = model.pools[self.target(model)]
        if self.add is not None and pool.capacity is None:
            ck.fail(
                f"{where}.add",
                f"pool {pool.name!r} has unlimited capacity; adding people changes nothing",
                "Use set: N to give it a fixed size.",
            )
        new = self.set if self.set is not None else (pool.capacity or 0) + int(self.add or 0)
        if new < 1:
            ck.fail(
                where,
                f"pool {pool.name!r} would have {new} people; it needs at least 1",
                "Use remove_activity to drop the steps it does instead.",
            )

    def apply(self, model: SimulationModel) -> SimulationModel:
        pools = dict(model.pools)
        pool = pools[self.target(model)]
        new = self.set if self.set is not None else int(pool.capacity or 0) + int(self.add or 0)
        duty = scale_profile(pool.on_duty, pool.capacity, new, add=self.add if self.set is None else None)
        pools[pool.name] = dataclasses.replace(pool, capacity=new, on_duty=duty)
        return dataclasses.replace(model, pools=pools)


@dataclass(frozen=True, slots=True)
class ScaleDuration:
    """Multiply a step's working time by ``scale`` (0.5 = twice as fast, e.g. automated invoicing)."""

    kind: ClassVar[str] = "duration"  # its key in a scenario file

    activity: str
    scale: float

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        ck.choice(self.activity, f"{where}.activity", _acts(model), "activity")

    def apply(self, model: SimulationModel) -> SimulationModel:
        act = model.activities[self.activity]
        by = None
        if act.duration_by is not None:
            by = (act.duration_by[0], {k: d.scaled(self.scale) for k, d in act.duration_by[1].items()})
        return _set_activity(model, self.activity, duration=act.duration.scaled(self.scale), duration_by=by)


@dataclass(frozen=True, slots=True)
class ScaleArrivals:
    """Multiply the arrival rate (1.15 = a sales push with 15 % more orders)."""

    kind: ClassVar[str] = "arrivals"  # its key in a scenario file

    scale: float

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        return None

    def apply(self, model: SimulationModel) -> SimulationModel:
        arr = dataclasses.replace(model.arrivals, scale=model.arrivals.scale * self.scale)
        return dataclasses.replace(model, arrivals=arr)


@dataclass(frozen=True, slots=True)
class SetPriority:
    """Order a step's queue: fifo | earliest_due_date | highest_value."""

    kind: ClassVar[str] = "priority"  # its key in a scenario file

    activity: str
    rule: str

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        ck.choice(self.activity, f"{where}.activity", _acts(model), "activity")
        if self.rule == "highest_value" and not (model.provenance or {}).get("value_attribute"):
            ck.fail(
                f"{where}.rule",
                "highest_value needs a numeric value attribute (such as order_value) and this model has none",
            )

    def apply(self, model: SimulationModel) -> SimulationModel:
        return _set_activity(model, self.activity, priority=self.rule)


@dataclass(frozen=True, slots=True)
class SetBatch:
    """Release a step only at ``times`` (on ``weekdays``), or once ``size`` cases wait (an incomplete batch
    after ``max_wait_hours`` at the latest), or ``remove`` its batch so work flows at once."""

    kind: ClassVar[str] = "batch"  # its key in a scenario file

    activity: str
    times: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    remove: bool = False
    size: int | None = None
    max_wait_hours: float | None = None

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        ck.choice(self.activity, f"{where}.activity", _acts(model), "activity")

    def apply(self, model: SimulationModel) -> SimulationModel:
        if self.remove:
            return _set_activity(model, self.activity, batch=None)
        if self.size is not None:
            # released by the work itself, not the clock: the pool's hours stay as they are
            return _set_activity(
                model, self.activity, batch=BatchRule((), (), size=self.size, max_wait_hours=self.max_wait_hours)
            )
        model = _set_activity(model, self.activity, batch=BatchRule(self.times, self.weekdays))
        return _open_for_releases(model, self.activity, self.times, self.weekdays)


def _minutes(clock: str) -> int:
    hh, mm = clock.split(":")
    return int(hh) * 60 + int(mm)


def _open_for_releases(
    model: SimulationModel, activity: str, times: tuple[str, ...], weekdays: tuple[str, ...]
) -> SimulationModel:
    """Availability is not the release schedule: make the step's pool available at each new release.

    A committee seen at work only on Thursdays at 10:00 has a calendar learned from those sittings;
    "meets daily" must then take effect instead of waiting for Thursday. Each release gets a window as
    long as the pool's longest learned one (at least an hour) on the release's weekdays; the rest of the
    calendar is kept, and the hour-by-hour staffing (learned from the old sittings) is dropped.
    """
    pool_name = model.activities[activity].pool
    pool = model.pools.get(pool_name)
    cal = model.calendars.get(pool.calendar) if pool is not None else None
    if pool is None or cal is None or cal.is_always:
        return model
    spans = [(_minutes(a), _minutes(b)) for day in cal.hours.values() for a, b in day]
    length = max([60, *(b - a for a, b in spans)])
    hours = {day: list(cal.hours.get(day, ())) for day in set(cal.hours) | set(weekdays)}
    changed = False
    for day in weekdays:
        for t in times:
            lo = _minutes(t)
            if any(_minutes(a) <= lo < _minutes(b) for a, b in hours[day]):
                continue
            hi = min(lo + length, 24 * 60)
            hours[day].append((t, "24:00" if hi >= 24 * 60 else f"{hi // 60:02d}:{hi % 60:02d}"))
            changed = True
    if not changed:
        return model
    merged = {day: tuple(sorted(spans_of_day)) for day, spans_of_day in hours.items() if spans_of_day}
    name = describe(Calendar("", merged))
    calendars = dict(model.calendars)
    calendars[name] = Calendar(name, merged)
    pools = dict(model.pools)
    pools[pool_name] = dataclasses.replace(pool, calendar=name, on_duty=None)
    return dataclasses.replace(model, calendars=calendars, pools=pools)


@dataclass(frozen=True, slots=True)
class SetCalendar:
    """New working hours for a pool, e.g. ``Mon-Sat 08:00-20:00``: the whole team works them (any learned
    hour-by-hour staffing, ``Pool.on_duty``, is dropped)."""

    kind: ClassVar[str] = "calendar"  # its key in a scenario file

    pool: str
    hours: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        ck.choice(self.pool, f"{where}.pool", sorted(model.pools), "pool")

    def apply(self, model: SimulationModel) -> SimulationModel:
        cal = Calendar("", dict(self.hours))
        name = describe(cal)
        calendars = dict(model.calendars)
        calendars[name] = Calendar(name, dict(self.hours))
        pools = dict(model.pools)
        pools[self.pool] = dataclasses.replace(pools[self.pool], calendar=name, on_duty=None)
        return dataclasses.replace(model, calendars=calendars, pools=pools)


@dataclass(frozen=True, slots=True)
class SetDelay:
    """Scale (``scale``) or set (``hours``, the new mean) the extra wait before a step that is not queueing.

    The fix for *extraneous* waiting — a customer's papers, a supplier's confirmation, another system — is a
    hand-off or process change, simulated as a shorter delay: ``{activity: "Check Credit", scale: 0.5}``
    halves it, ``hours: 0`` removes it.
    """

    activity: str
    scale: float | None = None
    hours: float | None = None
    kind: ClassVar[str] = "delay"  # its key in a scenario file

    def check(self, model: SimulationModel, ck: Checker, where: str) -> None:
        ck.choice(self.activity, f"{where}.activity", _acts(model), "activity")

    def apply(self, model: SimulationModel) -> SimulationModel:
        act = model.activities[self.activity]
        delay = act.extra_delay
        if self.scale is not None:
            new = delay.scaled(self.scale) if delay is not None else None
        elif self.hours is not None and self.hours <= 0:
            new = None
        elif delay is not None and delay.mean_s > 0:
            new = delay.scaled(float(self.hours or 0.0) * 3600.0 / delay.mean_s)
        else:
            new = Distribution("fixed", {"value_s": float(self.hours or 0.0) * 3600.0})
        return _set_activity(model, self.activity, extra_delay=new)

    def changes_nothing(self, model: SimulationModel) -> bool:
        """True when the step has no extra wait to scale (a warning, not an error: the scenario stays valid)."""
        delay = model.activities[self.activity].extra_delay
        return self.scale is not None and (delay is None or delay.mean_s <= 0 or self.scale == 1.0)


Change = (
    RemoveActivity
    | SkipActivity
    | SetCapacity
    | ScaleDuration
    | ScaleArrivals
    | SetPriority
    | SetBatch
    | SetCalendar
    | SetDelay
)
#: every change class, in the order the docs list them; the scenario file's change kinds come from their ``kind``
CHANGE_TYPES: tuple[type[Change], ...] = (
    RemoveActivity,
    SkipActivity,
    SetCapacity,
    ScaleDuration,
    ScaleArrivals,
    SetPriority,
    SetBatch,
    SetCalendar,
    SetDelay,
)
