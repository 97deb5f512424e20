"""Calibration recipes: which choice to make on each structural dimension, and how to build the model from it.

A recipe is ``CalibrationOptions`` (what ``calibrate`` learns) plus the arrival window (all weeks of the log,
or only the most recent ones). Each ``Dimension`` lists its choices, the full one first and the simplest
last; the search (``select``) and the fallback (``verdict``) move along these lists. A dimension whose
options field does not exist in this version of ``CalibrationOptions`` is left out, so new knobs only need a
new entry here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from procopt.log import columns as C
from procopt.model.calibrate import CalibrationOptions, calibrate
from procopt.model.types import Arrivals, SimulationModel

#: weeks of arrivals kept by the "recent" arrivals choice (a quarter: long enough for a weekly profile)
RECENT_WEEKS = 13


@dataclass(frozen=True, slots=True)
class Choice:
    """One setting of a dimension: option fields to set, or (arrivals) the window in weeks."""

    label: str
    fields: Mapping[str, object] = field(default_factory=dict)
    arrival_weeks: int | None = None


@dataclass(frozen=True, slots=True)
class Dimension:
    """A structural choice of the calibration; ``choices[0]`` is the default, ``choices[-1]`` the simplest."""

    name: str
    choices: tuple[Choice, ...]
    #: what the simplest choice means, for "replaced ... by ..." messages
    describes: str = ""


_ALL_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "calendars",
        (Choice("learned shifts", {"calendars": True}), Choice("24/7", {"calendars": False})),
        "working calendars",
    ),
    Dimension(
        "extra_delays",
        (Choice("working-time", {"extra_delays": True}), Choice("none", {"extra_delays": False})),
        "waits that are not queueing",
    ),
    Dimension(
        "durations",
        (
            Choice("per activity x attribute", {"duration_attributes": True}),
            Choice("per activity", {"duration_attributes": False}),
        ),
        "duration model",
    ),
    Dimension(
        "resources",
        (Choice("pooled, limited", {"queueing": True}), Choice("unlimited", {"queueing": False})),
        "capacity (queueing)",
    ),
    Dimension(
        "batches",
        (Choice("clock-time releases", {"batches": True}), Choice("none", {"batches": False})),
        "clock-time batch releases",
    ),
    Dimension(
        "routing",
        (
            Choice("with attributes", {"attribute_routing": True}),
            Choice("control flow only", {"attribute_routing": False}),
        ),
        "attribute-dependent routing",
    ),
    Dimension(
        "arrival_gaps",
        (Choice("observed spacing", {"arrival_gaps": True}), Choice("Poisson", {"arrival_gaps": False})),
        "arrival spacing",
    ),
    Dimension(
        "arrivals",
        (Choice("hour of week, whole window"), Choice(f"hour of week, last {RECENT_WEEKS} weeks", {}, RECENT_WEEKS)),
        "arrival window",
    ),
)

#: dimensions that simplify towards the naive model (arrivals only changes the window: not a simplification)
SIMPLIFYING = ("calendars", "extra_delays", "durations", "resources", "batches", "routing", "arrival_gaps")


def dimensions() -> tuple[Dimension, ...]:
    """The dimensions this version of ``CalibrationOptions`` exposes."""
    known = {f.name for f in dataclasses.fields(CalibrationOptions)}
    return tuple(d for d in _ALL_DIMENSIONS if all(set(c.fields) <= known for c in d.choices))


def dimension(name: str) -> Dimension:
    """The dimension called ``name`` (KeyError when this version does not expose it)."""
    for d in dimensions():
        if d.name == name:
            return d
    raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Recipe:
    """The choice per dimension (dimension name -> choice label); missing dimensions keep their default."""

    picks: Mapping[str, str] = field(default_factory=dict)
    base: CalibrationOptions = field(default_factory=CalibrationOptions)

    def pick(self, name: str) -> str:
        """The label chosen for dimension ``name``."""
        return self.picks.get(name) or dimension(name).choices[0].label

    def with_pick(self, name: str, label: str) -> Recipe:
        """This recipe with ``name`` set to ``label``."""
        return Recipe({**self.picks, name: label}, self.base)

    def settings(self) -> dict[str, str]:
        """Every dimension's label, for display and the model file."""
        return {d.name: self.pick(d.name) for d in dimensions()}

    def changed(self) -> dict[str, str]:
        """Only the dimensions that differ from their default."""
        return {d.name: self.pick(d.name) for d in dimensions() if self.pick(d.name) != d.choices[0].label}

    def options(self) -> CalibrationOptions:
        """The ``CalibrationOptions`` of this recipe."""
        updates: dict[str, object] = {}
        for d in dimensions():
            updates.update(_choice(d, self.pick(d.name)).fields)
        return dataclasses.replace(self.base, **updates)  # type: ignore[arg-type]

    def arrival_weeks(self) -> int | None:
        """Weeks of arrivals to learn from (None: the whole window)."""
        try:
            return _choice(dimension("arrivals"), self.pick("arrivals")).arrival_weeks
        except KeyError:
            return None


def _choice(d: Dimension, label: str) -> Choice:
    for c in d.choices:
        if c.label == label:
            return c
    raise KeyError(f"{d.name}: unknown choice {label!r}")


def build_model(events: pd.DataFrame, recipe: Recipe) -> SimulationModel:
    """Calibrate ``events`` with ``recipe``: its options, then (if asked) arrivals from recent weeks only."""
    model = calibrate(events, recipe.options())
    weeks = recipe.arrival_weeks()
    if weeks is None:
        return model
    return dataclasses.replace(model, arrivals=recent_arrivals(events, weeks, model))


def recent_arrivals(events: pd.DataFrame, weeks: int, model: SimulationModel) -> Arrivals:
    """The model's arrival profile re-learned from the cases that arrived in the last ``weeks`` weeks."""
    from procopt.model.arrivals import fit_arrivals

    key = C.START if C.has_start_times(events) else C.END
    first = events[key].fillna(events[C.END]).groupby(events[C.CASE], sort=False).min()
    recent = first[first >= first.max() - pd.Timedelta(weeks=weeks)]
    if len(recent) < 20 or recent.max() - recent.min() < pd.Timedelta(days=7):
        return model.arrivals  # too little to learn a weekly profile from
    gaps = bool(model.arrivals.gap_quantiles)
    return dataclasses.replace(fit_arrivals(recent, gaps=gaps), scale=model.arrivals.scale)


def in_use(model: SimulationModel, name: str, events: pd.DataFrame | None = None) -> bool:
    """True when changing dimension ``name`` away from its default can change ``model`` (else trying it is waste):
    no learned calendar, extra delay, attribute-dependent duration, capacity, batch or attribute branch means
    nothing to simplify; the arrival window matters only for logs clearly longer than the recent window."""
    acts = model.activities.values()
    if name == "calendars":
        return any(not c.is_always for c in model.calendars.values())
    if name == "extra_delays":
        return any(a.extra_delay is not None for a in acts)
    if name == "durations":
        return any(a.duration_by is not None for a in acts)
    if name == "resources":
        return any(p.capacity is not None for p in model.pools.values())
    if name == "batches":
        return any(a.batch is not None for a in acts)
    if name == "routing":
        return any(b.when for d in model.routing.decisions for b in d.branches)
    if name == "arrival_gaps":
        return bool(model.arrivals.gap_quantiles)
    if name == "arrivals":
        if events is None or events.empty:
            return False
        span = events[C.END].max() - events[C.START].fillna(events[C.END]).min()
        return bool(span > pd.Timedelta(weeks=int(RECENT_WEEKS * 1.5)))
    return True
