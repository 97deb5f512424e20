"""Stage 4 (scenario): what-if changes to a simulation model, written as YAML.

``load_scenario(path) -> Scenario``; ``apply_scenario(model, scenario) -> SimulationModel``. The changes
live in ``changes`` (one dataclass each), the file format and checks in ``load``.
"""

from procopt.scenario.changes import (
    Change,
    RemoveActivity,
    ScaleArrivals,
    ScaleDuration,
    SetBatch,
    SetCalendar,
    SetCapacity,
    SetPriority,
    SkipActivity,
)
from procopt.scenario.load import CHANGE_KINDS, KPI_NAMES, Scenario, apply_scenario, load_scenario, scenario_from_dict

__all__ = [
    "CHANGE_KINDS",
    "KPI_NAMES",
    "Change",
    "RemoveActivity",
    "ScaleArrivals",
    "ScaleDuration",
    "Scenario",
    "SetBatch",
    "SetCalendar",
    "SetCapacity",
    "SetPriority",
    "SkipActivity",
    "apply_scenario",
    "load_scenario",
    "scenario_from_dict",
]
