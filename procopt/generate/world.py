"""Building blocks shared by the O2C and P2P true processes: pool specs, calendars, interventions.

Stage: generate. A ``PoolSpec`` says who does what and when ("2 Credit Analysts in Finance, office
hours, do Check Credit"); ``build_pools`` turns the specs into SimPy pools with named people (plus the
extra people of an intervention); ``resolve_intervention`` checks an intervention against the process
and translates Chinese names to the English keys the process runs on.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import simpy

from procopt.errors import InputError, did_you_mean
from procopt.generate.calendar import DAY_S, Timeline, WeeklyCalendar
from procopt.generate.engine import Pool
from procopt.generate.names import PEOPLE, term
from procopt.generate.types import Intervention, Switch
from procopt.model.expr import ExpressionError, parse_condition

OFFICE = WeeklyCalendar("office", (("08:00", "12:00"), ("13:00", "17:00")))
WAREHOUSE = WeeklyCalendar("warehouse", (("07:00", "11:30"), ("12:00", "16:00")))
EARLY_SHIFT = WeeklyCalendar("early shift", (("06:00", "10:00"), ("10:30", "14:00")))
TWO_SHIFTS = WeeklyCalendar("two shifts", (("06:00", "14:00"), ("14:00", "22:00")))
APPROVAL_WINDOWS = WeeklyCalendar("approval windows", (("09:00", "10:00"), ("14:00", "15:00")))

#: extra people added by interventions come from the end of the name list.
RESERVE = 8


@dataclass(frozen=True, slots=True)
class PoolSpec:
    """One role of the true process."""

    key: str
    department: str
    size: int
    calendar: WeeklyCalendar
    activities: tuple[str, ...]
    shifts: int = 1


def shift_of_two(t: float) -> int:
    """0 for the early shift (before 14:00), 1 for the late shift."""
    return 0 if (t % DAY_S) < 14 * 3600.0 else 1


def build_pools(
    env: simpy.Environment,
    specs: tuple[PoolSpec, ...],
    extra: dict[str, int],
    n_days: int,
    holidays: frozenset[int],
    later: Sequence[tuple[float, dict[str, int]]] = (),
) -> dict[str, Pool]:
    """SimPy pools with named people; extra people come from a reserve at the end of the name list.

    ``later`` holds ``(time_s, {pool: extra people})`` of switches: those people are named from the start
    but take work only from ``time_s`` on.
    """
    people = [en for en, _ in PEOPLE]
    regular, reserve = people[:-RESERVE], people[-RESERVE:]
    timelines: dict[str, Timeline] = {}
    pools: dict[str, Pool] = {}
    next_name = 0
    next_reserve = 0
    for spec in specs:
        timeline = timelines.setdefault(spec.calendar.name, Timeline(spec.calendar, n_days, holidays))
        names: list[str] = []
        joining = [(at, more[spec.key]) for at, more in later if more.get(spec.key, 0)]
        add = extra.get(spec.key, 0) + sum(n for _, n in joining)
        for _shift in range(spec.shifts):
            names += regular[next_name : next_name + spec.size]
            next_name += spec.size
            names += reserve[next_reserve : next_reserve + add]
            next_reserve += add
        if next_name > len(regular) or next_reserve > len(reserve):
            raise InputError(
                None, f"too many people requested for pool {spec.key!r}", hint=f"Add at most {RESERVE} people in total."
            )
        pool = Pool(
            env,
            spec.key,
            spec.department,
            tuple(names),
            timeline,
            shift_of=shift_of_two if spec.shifts == 2 else None,
            shifts=spec.shifts,
            initial_places=spec.size + extra.get(spec.key, 0),
        )
        for at, n in joining:
            pool.grow(at, n)
        pools[spec.key] = pool
    return pools


def resolve_intervention(
    intervention: Intervention, activities: tuple[str, ...], specs: tuple[PoolSpec, ...]
) -> tuple[frozenset[str], dict[str, int], dict[str, float]]:
    """Check the intervention's names (English or Chinese) and return them as English keys."""
    act_by_name = {a: a for a in activities} | {term(a, "zh"): a for a in activities}
    pool_by_name = {s.key: s.key for s in specs} | {term(s.key, "zh"): s.key for s in specs}
    # an activity names the pool that does it ("Check Credit" -> "Credit Analysts"), as scenarios do
    for spec in specs:
        for a in spec.activities:
            pool_by_name.setdefault(a, spec.key)
            pool_by_name.setdefault(term(a, "zh"), spec.key)

    def activity(name: str, option: str) -> str:
        if name not in act_by_name:
            raise InputError(
                None,
                f"unknown activity {name!r} in {option}.{did_you_mean(name, list(act_by_name))}",
                hint="Known activities: " + ", ".join(activities) + ".",
            )
        return act_by_name[name]

    removed = frozenset(activity(a, "remove_activities") for a in intervention.remove_activities)
    extra: dict[str, int] = {}
    for name, n in intervention.extra_capacity.items():
        if name not in pool_by_name:
            close = did_you_mean(name, list(pool_by_name))
            raise InputError(
                None,
                f"unknown pool {name!r} in extra_capacity.{close}",
                hint="Known pools: " + ", ".join(s.key for s in specs) + " (or name an activity).",
            )
        if int(n) != n or n < 0:
            raise InputError(None, f"extra capacity for {name!r} must be a whole number >= 0, got {n!r}")
        extra[pool_by_name[name]] = int(n)
    scale: dict[str, float] = {}
    for name, factor in intervention.duration_scale.items():
        if not factor > 0:
            raise InputError(None, f"duration scale for {name!r} must be > 0, got {factor!r}")
        scale[activity(name, "duration_scale")] = float(factor)
    if not intervention.arrival_scale > 0:
        raise InputError(
            None,
            f"arrival scale must be > 0, got {intervention.arrival_scale!r}",
            hint="Use e.g. 1.15 for 15 % more cases.",
        )
    return removed, extra, scale


def intervention_dict(intervention: Intervention | None) -> dict[str, Any]:
    """The intervention as plain data for the truth file (empty for the baseline)."""
    if intervention is None or intervention.is_baseline():
        return {}
    return {
        "remove_activities": list(intervention.remove_activities),
        "extra_capacity": dict(sorted(intervention.extra_capacity.items())),
        "arrival_scale": intervention.arrival_scale,
        "duration_scale": dict(sorted(intervention.duration_scale.items())),
    }


@dataclass(frozen=True, slots=True)
class CaseRules:
    """What one case runs with: the activities it skips and the factors on its working times."""

    removed: frozenset[str] = frozenset()
    scale: Mapping[str, float] = field(default_factory=dict)

    def merged(self, removed: frozenset[str], scale: Mapping[str, float]) -> CaseRules:
        """These rules plus another intervention's (removals add up, duration factors multiply)."""
        factors = dict(self.scale)
        for activity, factor in scale.items():
            factors[activity] = factors.get(activity, 1.0) * factor
        return CaseRules(self.removed | removed, factors)


@dataclass(frozen=True, slots=True)
class ResolvedSwitch:
    """A ``Switch`` checked against the process: simulation second, English keys, compiled segment."""

    at_s: float
    removed: frozenset[str]
    extra: dict[str, int]
    scale: dict[str, float]
    arrival_scale: float
    applies: Callable[[Mapping[str, Any]], bool]


def resolve_switches(
    switches: Sequence[Switch],
    start: datetime.date,
    days: int,
    activities: tuple[str, ...],
    specs: tuple[PoolSpec, ...],
    attributes: tuple[str, ...],
) -> tuple[ResolvedSwitch, ...]:
    """Check each switch's date, segment and intervention; dates must fall inside the generated period."""
    out = []
    for i, sw in enumerate(switches):
        where = f"switch {i + 1} ({sw.at.isoformat()})"
        if not isinstance(sw.at, datetime.date):
            raise InputError(None, f"{where}: the date must be a date, got {sw.at!r}", hint="e.g. 2025-05-06")
        day = (sw.at - start).days
        last = start + datetime.timedelta(days=days - 1)
        if not 1 <= day < days:
            raise InputError(
                None,
                f"{where}: the change date is outside the generated period {start.isoformat()} to {last.isoformat()}",
                hint="Pick a date after the first day and before the last, or generate more --days.",
            )
        removed, extra, scale = resolve_intervention(sw.intervention, activities, specs)
        applies: Callable[[Mapping[str, Any]], bool] = _everyone
        if sw.segment is not None:
            if any(extra.values()) or sw.intervention.arrival_scale != 1.0:
                raise InputError(
                    None,
                    f"{where}: extra people and arrival rates are shared by all cases and cannot be limited to "
                    f"the segment {sw.segment!r}",
                    hint="Give capacity and arrival changes as a company-wide switch (no segment).",
                )
            try:
                applies, used = parse_condition(sw.segment)
            except ExpressionError as exc:
                raise InputError(None, f"{where}: segment {exc}", hint="e.g. product == 'B'") from None
            unknown = sorted(set(used) - set(attributes))
            if unknown:
                raise InputError(
                    None,
                    f"{where}: segment {sw.segment!r} uses unknown attribute(s) {', '.join(unknown)}",
                    hint="Case attributes: " + ", ".join(attributes) + ".",
                )
        out.append(ResolvedSwitch(day * DAY_S, removed, extra, scale, sw.intervention.arrival_scale, applies))
    return tuple(out)


def _everyone(attributes: Mapping[str, Any]) -> bool:
    return True


def case_rules(
    base: CaseRules, switches: Sequence[ResolvedSwitch], arrival_s: float, attributes: Mapping[str, Any]
) -> CaseRules:
    """The rules of a case arriving at ``arrival_s`` with ``attributes``: the base plus every switch in force."""
    rules = base
    for sw in switches:
        if arrival_s >= sw.at_s and sw.applies(attributes):
            rules = rules.merged(sw.removed, sw.scale)
    return rules
