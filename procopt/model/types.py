"""Stage 3 (model): the simulation model as plain frozen data.

A ``SimulationModel`` is everything the SimPy engine needs to replay an ERP process: when orders arrive,
which department (pool) works on each step and when it is at its desk (calendar), how long the work takes,
which steps wait for a clock time (the Finance Director signs at 16:00, trucks leave at 10:00 and 15:00),
extra waits that are not queueing (waiting for the customer), and where a case goes next.

It is self-contained and round-trips through one ``model.yaml`` (see ``procopt.model.io``).
Durations are float seconds; clock times are ``"HH:MM"`` strings; weekdays are ``Mon``..``Sun``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
END_TOKEN = "END"
START_TOKEN = "START"

#: distribution kind -> required parameter names
DISTRIBUTION_PARAMS: dict[str, tuple[str, ...]] = {
    "fixed": ("value_s",),
    "exponential": ("mean_s",),
    "lognormal": ("mean_s", "cv"),
    "gamma": ("mean_s", "cv"),
    "normal": ("mean_s", "sd_s"),
    "uniform": ("low_s", "high_s"),
    "empirical": ("quantiles_s",),
}

PRIORITY_RULES: tuple[str, ...] = ("fifo", "earliest_due_date", "highest_value")


@dataclass(frozen=True, slots=True)
class Distribution:
    """A non-negative random duration, e.g. ``Distribution("lognormal", {"mean_s": 5400, "cv": 0.8})``.

    ``empirical`` keeps equally spaced quantiles (0 %, ..., 100 %) of the observed values and samples by
    linear interpolation between them, so zero-inflated waits ("most orders never wait") are kept.
    """

    kind: str
    params: Mapping[str, Any]

    @property
    def mean_s(self) -> float:
        """The distribution's mean in seconds."""
        p = self.params
        if self.kind == "fixed":
            return float(p["value_s"])
        if self.kind == "uniform":
            return (float(p["low_s"]) + float(p["high_s"])) / 2
        if self.kind == "empirical":
            q = [float(v) for v in p["quantiles_s"]]
            if len(q) == 1:
                return q[0]
            return sum((a + b) / 2 for a, b in zip(q[:-1], q[1:], strict=True)) / (len(q) - 1)
        return float(p["mean_s"])

    def scaled(self, factor: float) -> Distribution:
        """The same shape with every value multiplied by ``factor`` (faster or slower work)."""
        new: dict[str, Any] = {}
        for key, value in self.params.items():
            if key.endswith("_s"):
                new[key] = [float(v) * factor for v in value] if isinstance(value, list | tuple) else value * factor
            else:
                new[key] = value
        return Distribution(self.kind, new)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Weekly working time: ``hours["Mon"] = (("08:00", "17:00"),)``; a missing day means closed.

    ``Calendar.always()`` is open 24/7 (used for automated steps and for the naive model).
    """

    name: str
    hours: Mapping[str, tuple[tuple[str, str], ...]]

    @staticmethod
    def always(name: str = "24/7") -> Calendar:
        """A calendar open all week round."""
        return Calendar(name, dict.fromkeys(WEEKDAYS, (("00:00", "24:00"),)))

    @property
    def is_always(self) -> bool:
        """True when open all week round."""
        return all(tuple(self.hours.get(d, ())) == (("00:00", "24:00"),) for d in WEEKDAYS)


@dataclass(frozen=True, slots=True)
class Pool:
    """A group of interchangeable people (or machines). ``capacity=None`` means unlimited (no queueing)."""

    name: str
    capacity: int | None
    calendar: str
    members: tuple[str, ...] = ()
    #: people on duty per hour of the week (168 values, Mon 00:00-01:00 first, each in [1, capacity]);
    #: None: all ``capacity`` people whenever the calendar is open (see ``procopt.model.staffing``)
    on_duty: tuple[int, ...] | None = None
    #: each member's duration multiplier (1.0 = the activity's standard duration; 0.5 = twice as fast);
    #: empty: everybody works at the standard speed (see ``procopt.model.speeds``)
    speeds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BatchRule:
    """Work waits for a batch: cases reaching the step are held, then released together.

    Clock-triggered (``release_times``): held until the next release time on one of ``weekdays`` (the
    director signs at 16:00). Size-triggered (``size``): held until ``size`` cases are waiting, then all of
    them go at once (labels printed ten at a time); ``max_wait_hours`` (wall clock, optional) releases an
    incomplete batch once its first case has waited that long, so the last cases of a quiet spell are not
    stuck. A rule is one or the other: ``release_times`` is empty for a size rule.
    """

    release_times: tuple[str, ...]
    weekdays: tuple[str, ...] = WEEKDAYS[:5]
    size: int | None = None
    max_wait_hours: float | None = None

    @property
    def by_size(self) -> bool:
        """Released when ``size`` cases have accumulated (not at clock times)."""
        return self.size is not None


@dataclass(frozen=True, slots=True)
class Activity:
    """One step of the process.

    ``extra_delay`` is waiting that is not queueing (e.g. for the customer), measured in the working time
    of the pool's calendar. ``skip_when`` is a condition on case attributes (``"true"`` removes the step).
    ``priority`` orders the pool's queue for this step: fifo | earliest_due_date | highest_value.
    """

    name: str
    pool: str
    duration: Distribution
    batch: BatchRule | None = None
    extra_delay: Distribution | None = None
    skip_when: str | None = None
    priority: str = "fifo"
    #: ``(attribute, {value: Distribution})``: the duration depends on a case attribute (production of
    #: product C takes longer than of product A); other values use ``duration``
    duration_by: tuple[str, Mapping[str, Distribution]] | None = None
    #: ``wall``: the extra delay runs on the wall clock (a customer answering); ``working``: it counts only
    #: the pool's working hours
    delay_clock: str = "working"


@dataclass(frozen=True, slots=True)
class Branch:
    """Next-step probabilities, used when ``when`` (a condition on case attributes) holds or is None."""

    next: Mapping[str, float]
    when: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """Where a case goes after ``after`` (an activity, or ``START``).

    ``previous`` and ``visit`` make the rule more specific: only when the step before ``after`` was
    ``previous``, or only on the ``visit``-th execution of ``after`` in the case (the last visit number
    listed also covers later visits). This keeps rework loops as short as in the log. Branches are tried in
    order; the first whose ``when`` holds (or which has no ``when``) is used.
    """

    after: str
    branches: tuple[Branch, ...]
    previous: str | None = None
    visit: int | None = None


@dataclass(frozen=True, slots=True)
class Routing:
    """The control flow as decisions; the most specific matching decision wins."""

    decisions: tuple[Decision, ...]


@dataclass(frozen=True, slots=True)
class Arrivals:
    """Cases arriving as a Poisson process whose rate (cases per hour) depends on weekday and hour.

    ``gap_quantiles`` (when not empty) replace the Poisson spacing: the gaps between arrivals, counted in
    arrivals the profile expects over the hours they span (mean 1), as equally spaced quantiles sampled by
    linear interpolation — regular intake (every half hour) or bursts at the same hourly rate
    (``procopt.model.arrivals.fit_gaps``).

    When ``interarrival`` is set, arrivals are instead a renewal process with that gap distribution
    (divided by ``scale``) at any hour — handy for hand-written models and queueing checks.
    """

    rate_per_hour: Mapping[str, tuple[float, ...]]
    scale: float = 1.0
    interarrival: Distribution | None = None
    gap_quantiles: tuple[float, ...] = ()

    @property
    def cases_per_week(self) -> float:
        """Expected arrivals per week."""
        if self.interarrival is not None:
            mean = self.interarrival.mean_s
            return self.scale * 7 * 86_400.0 / mean if mean > 0 else 0.0
        return self.scale * sum(sum(v) for v in self.rate_per_hour.values())


@dataclass(frozen=True, slots=True)
class CaseAttributes:
    """Case attributes resampled as whole rows from real cases (joint distribution kept).

    ``due_offsets_s`` (same length as ``rows`` when present) is each source case's due date minus its
    arrival, so the promised date is resampled together with the order it belongs to.
    """

    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    due_offsets_s: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class DuePolicy:
    """How a simulated case gets its due date.

    kind ``offset``: arrival + the resampled case's offset (learned from the DUE column);
    ``sla``: arrival + ``sla_s``; ``none``: no due date. ``date_only`` means due dates are whole days and a
    case is on time when it is delivered by the end of that day. ``working_days``: the offsets count
    working days (Mon–Fri) from the arrival date plus a clock time on the due day — the usual ERP
    promise "3 working days" — stored as ``days * 86400 + seconds after midnight``.
    """

    kind: str = "none"
    sla_s: float | None = None
    date_only: bool = False
    working_days: bool = False


#: ``Validation.verdict`` values: better (not behind the naive baseline beyond the run-to-run spread on lead-time
#: error or CTD), worse (behind on one of them), not_validated (no held-out check, or too few runs to judge)
VERDICTS: tuple[str, ...] = ("better", "worse", "not_validated")


@dataclass(frozen=True, slots=True)
class ReplacedComponent:
    """A part of the calibration replaced by a simpler one because the held-out check preferred it."""

    component: str  # e.g. "extra_delays"
    replacement: str  # e.g. "none"
    reason: str


@dataclass(frozen=True, slots=True)
class Validation:
    """How the model did on a held-out period beside the naive baseline (written by ``procopt.fidelity``).

    ``reading``: which reading of the test period the verdict uses ("matched": the simulated logs are cut where
    the real log ends, as the real test cases are). ``scores``: per model ("procopt", "naive") the mean lead-time
    error and CTD in that reading; ``spread``: per metric the standard deviation of the paired differences over
    the runs. ``settings``: the calibration choice per dimension (e.g. ``calendars: learned``). ``advice``: what
    would help when the verdict is not "better".
    """

    verdict: str = "not_validated"
    reading: str = "matched"
    runs: int = 0
    replaced: tuple[ReplacedComponent, ...] = ()
    scores: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)
    spread: Mapping[str, float | None] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)
    advice: tuple[str, ...] = ()
    test_cases: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SimulationModel:
    """A calibrated, self-contained simulation model (``version: 1``)."""

    arrivals: Arrivals
    activities: Mapping[str, Activity]
    pools: Mapping[str, Pool]
    calendars: Mapping[str, Calendar]
    routing: Routing
    attributes: CaseAttributes = field(default_factory=CaseAttributes)
    due: DuePolicy = field(default_factory=DuePolicy)
    delivery_activity: str | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)
    version: int = 1
    #: parallel blocks (AND-split and join): block name -> the activities that run at the same time; routing
    #: refers to a block by its name, and the case continues when all of them are done
    parallel: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: the held-out check's verdict (None: the model was never validated)
    validation: Validation | None = None
