"""Generated logs shared by the generator's tests (each true-process run takes a second or two)."""

from __future__ import annotations

import pytest

from procopt.generate import GeneratedLog, Intervention, generate

DIRECTOR = "Approve Order (Finance Director)"


@pytest.fixture(scope="session")
def o2c_en() -> GeneratedLog:
    """The shipped sample: O2C, seed 1, 120 days, English."""
    return generate("o2c", seed=1, days=120)


@pytest.fixture(scope="session")
def o2c_zh() -> GeneratedLog:
    """The shipped Chinese sample: same run, Chinese names."""
    return generate("o2c", seed=1, days=120, language="zh")


@pytest.fixture(scope="session")
def p2p_en() -> GeneratedLog:
    """The shipped P2P sample."""
    return generate("p2p", seed=1, days=120)


@pytest.fixture(scope="session")
def o2c_no_director() -> GeneratedLog:
    """The true O2C process without the finance director's approval."""
    return generate("o2c", seed=1, days=120, intervention=Intervention(remove_activities=(DIRECTOR,)))


@pytest.fixture(scope="session")
def o2c_extra_analyst() -> GeneratedLog:
    """The true O2C process with a third credit analyst."""
    return generate("o2c", seed=1, days=120, intervention=Intervention(extra_capacity={"Credit Analysts": 1}))
