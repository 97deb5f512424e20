"""A model with many case attributes (PermitLog has over a hundred) simulates without fragmenting frames."""

from __future__ import annotations

import dataclasses
import warnings

from pandas.errors import PerformanceWarning

from procopt.model.types import CaseAttributes, SimulationModel
from procopt.sim.engine import simulate


def test_simulated_log_with_150_attributes_raises_no_performance_warning(queue_model: SimulationModel) -> None:
    columns = tuple(f"attr_{i}" for i in range(150))
    rows = tuple(tuple(f"v{r}_{i}" for i in range(150)) for r in range(3))
    wide = dataclasses.replace(queue_model, attributes=CaseAttributes(columns, rows))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerformanceWarning)
        log = simulate(wide, days=5, seed=1)
    assert len(log) > 0 and all(c in log.columns for c in columns)
    first_case = log[log["case:concept:name"] == log["case:concept:name"].iloc[0]]
    assert first_case["attr_7"].nunique() == 1 and str(first_case["attr_7"].iloc[0]).endswith("_7")
