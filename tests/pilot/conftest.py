"""Generated logs with a known pilot effect, shared by the pilot tests.

The true process switches on START: product B skips the finance director's approval (the pilot) while the
whole company's picking slows down (a drift the control group must absorb). The counterfactual run has only
the drift; with the same seed the difference between the two is the pilot's true effect.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest

from procopt.generate import GeneratedLog, Intervention, Switch, generate

sys.path.insert(0, str(Path(__file__).parent))

START = datetime.date(2025, 6, 2)
DIRECTOR = "Approve Order (Finance Director)"
SEGMENT = "product == 'B'"
DAYS = 126  # 2025-03-03 .. 2025-07-06: 13 weeks before the pilot, 4 weeks of pilot, a week for open cases
WEEKS = 4
SEED = 3
PILOT = Switch(START, Intervention(remove_activities=(DIRECTOR,)), SEGMENT)
DRIFT = Switch(START, Intervention(duration_scale={"Pick Goods": 1.4}))


@pytest.fixture(scope="session")
def pilot_log() -> GeneratedLog:
    return generate("o2c", seed=SEED, days=DAYS, switches=(PILOT, DRIFT))


@pytest.fixture(scope="session")
def drift_only_log() -> GeneratedLog:
    return generate("o2c", seed=SEED, days=DAYS, switches=(DRIFT,))


@pytest.fixture(scope="session")
def log_files(
    tmp_path_factory: pytest.TempPathFactory, pilot_log: GeneratedLog, drift_only_log: GeneratedLog
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pilot_logs")
    return {"pilot": pilot_log.write(folder / "pilot.csv"), "drift": drift_only_log.write(folder / "drift.csv")}
