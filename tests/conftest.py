"""Shared fixtures. Tests that read the real logs in ../shared/logs skip cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

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
