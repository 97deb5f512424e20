"""Every model `procopt model` writes loads again, equal to what was calibrated.

PermitLog once produced ``routing[127].previous: unknown activity 'START'``: calibration writes routing rules
for a case's first step after START, and the loader refused them. Checked on the real logs (slow) and on
random small logs (hypothesis).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procopt.log import columns as C
from procopt.model.calibrate import calibrate
from procopt.model.io import load_model, model_to_dict, save_model
from procopt.model.types import START_TOKEN

#: shared logs with start and end times (INVENTORY.md), plus PermitLog where the round trip first failed
ROUND_TRIP_LOGS = (
    "simulation-benchmarks/Production.csv",
    "simulation-benchmarks/Insurance_Claims_train.csv",
    "simulation-benchmarks/LoanApp_simplified_train.csv.gz",
    "simulation-benchmarks/BPI_Challenge_2012_W_Two_TS.xes.gz",
    "erp/interval_event_log.csv",
    "general/02_teleclaims.xes.gz",
    "general/03_repairExample.xes.gz",
    "approvals/mobis_challenge_log_2019_snippet.csv",
    "approvals/PermitLog.xes.gz",
)


def _round_trip(events: pd.DataFrame, path: Path) -> None:
    model = calibrate(events)
    save_model(model, path)
    assert model_to_dict(load_model(path)) == model_to_dict(model)


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("name", ROUND_TRIP_LOGS)
def test_models_of_the_shared_logs_load_again(shared_logs: Path, name: str, tmp_path: Path) -> None:
    from procopt.log.read import read_log

    path = shared_logs / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/logs")
    _round_trip(read_log(path).events, tmp_path / "model.yaml")


def test_a_routing_rule_after_start_loads_again(tmp_path: Path) -> None:
    """The PermitLog case in small: a step whose routing depends on START being the previous step."""
    t0 = pd.Timestamp("2024-03-04 09:00")
    rows = []
    for case in range(60):
        # "B" goes on to "C" when it opens the case (previous: START) and to "D" after "A": a rule per previous
        trace = ["B", "C"] if case % 2 else ["A", "B", "D"]
        for i, act in enumerate(trace):
            start = t0 + pd.Timedelta(hours=5 * case + i)
            rows.append({"case": f"c{case}", "activity": act, "start": start, "end": start + pd.Timedelta(minutes=30)})
    model = calibrate(C.make_events(rows))
    assert any(d.after == "B" and d.previous == START_TOKEN for d in model.routing.decisions)
    _round_trip(C.make_events(rows), tmp_path / "m.yaml")


_ACTS = ("录入", "Check", "Approve", "Ship", "Rework")


@st.composite
def _logs(draw: st.DrawFn) -> pd.DataFrame:
    n_cases = draw(st.integers(min_value=3, max_value=25))
    t0 = pd.Timestamp("2024-03-04 08:00")
    rows: list[dict[str, object]] = []
    for case in range(n_cases):
        trace = draw(st.lists(st.sampled_from(_ACTS), min_size=1, max_size=6))
        at = t0 + pd.Timedelta(minutes=draw(st.integers(0, 60 * 24 * 20)))
        for act in trace:
            work = pd.Timedelta(minutes=draw(st.integers(1, 240)))
            rows.append({"case": f"c{case}", "activity": act, "start": at, "end": at + work})
            at = at + work + pd.Timedelta(minutes=draw(st.integers(0, 600)))
    return C.make_events(rows)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_logs())
def test_any_calibrated_model_loads_again(events: pd.DataFrame) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _round_trip(events, Path(tmp) / "m.yaml")
