"""Shared fixtures. Tests that read the real logs in ../shared/logs skip cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_LOGS = REPO.parent / "shared" / "logs"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (sample_logs/, scenarios/ live here)."""
    return REPO


@pytest.fixture(scope="session")
def shared_logs() -> Path:
    """Path to ../shared/logs; skips the test when the folder is absent (e.g. outside this workplace)."""
    if not SHARED_LOGS.is_dir():
        pytest.skip("../shared/logs is not present")
    return SHARED_LOGS


# Generated logs with known answers, calibrated once per test session (used by model and fidelity tests).


@pytest.fixture(scope="session")
def o2c_generated() -> Any:
    """The true O2C process, 90 days, seed 1 (its ``truth`` is the answer key)."""
    from procopt.generate import generate

    return generate("o2c", seed=1, days=90)


@pytest.fixture(scope="session")
def o2c_model(o2c_generated: Any) -> Any:
    from procopt.model.calibrate import calibrate

    return calibrate(o2c_generated.events)
