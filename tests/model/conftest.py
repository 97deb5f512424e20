"""Generated logs with known answers, calibrated once per test session."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def o2c_generated() -> Any:
    """The true O2C process, 90 days, seed 1 (its ``truth`` is the answer key)."""
    from procopt.generate import generate

    return generate("o2c", seed=1, days=90)


@pytest.fixture(scope="session")
def o2c_model(o2c_generated: Any) -> Any:
    from procopt.model.calibrate import calibrate

    return calibrate(o2c_generated.events)
