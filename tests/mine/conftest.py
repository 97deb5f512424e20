"""Fixtures for the mining tests: generated logs with known answers, mined once per session."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest


def _generate(kind: str, language: str = "en") -> Any:
    if importlib.util.find_spec("procopt.generate") is None:
        pytest.skip("procopt.generate (the ground-truth generator) is not available yet")
    from procopt.generate import generate

    return generate(kind, seed=1, days=120, language=language)


@pytest.fixture(scope="session")
def o2c() -> Any:
    """Generated order-to-cash log (English) with its ground truth."""
    return _generate("o2c")


@pytest.fixture(scope="session")
def o2c_zh() -> Any:
    """The same process with Chinese activity and department names."""
    return _generate("o2c", "zh")


@pytest.fixture(scope="session")
def p2p() -> Any:
    """Generated purchase-to-pay log with its ground truth."""
    return _generate("p2p")


@pytest.fixture(scope="session")
def o2c_mined(o2c: Any) -> Any:
    from procopt.mine import MineOptions, mine

    return mine(o2c.events, MineOptions(discover_model=False))


@pytest.fixture(scope="session")
def p2p_mined(p2p: Any) -> Any:
    from procopt.mine import MineOptions, mine

    return mine(p2p.events, MineOptions(discover_model=False))
