"""Size-triggered batches ("labels are printed when 8 orders wait") told apart from clock releases.

Ground truth: a model with one step of each kind — no batch, released when N wait, released daily at
16:00 — is simulated and the log mined; the miner must name N for the size step, keep 16:00 for the clock
step and leave the plain step alone. A batch shared out over two people (two runs of N/2 starting at the
release) is still one batch of N.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procopt.log import columns as C
from procopt.mine import batching as B
from procopt.mine import instances as I
from procopt.sim.engine import simulate

_spec = importlib.util.spec_from_file_location("sim_helpers", Path(__file__).parents[1] / "sim" / "helpers.py")
helpers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["sim_helpers"] = helpers
_spec.loader.exec_module(helpers)  # type: ignore[union-attr]


def _mine(events: pd.DataFrame) -> dict[str, B.BatchPattern]:
    inst, has_start = I.build_instances(events)
    patterns, _ = B.detect_batches(inst, has_start)
    return {p.activity: p for p in patterns}


def test_simulated_size_step_shows_groups_of_n() -> None:
    events = simulate(helpers.batch_mix_model(size=8), days=42, seed=3)
    receive = events[events[C.ACTIVITY] == "Receive"].set_index(C.CASE)[C.END]
    printed = events[events[C.ACTIVITY] == "Print"].sort_values(C.START)
    # every case of a batch became ready by its release; the release is the moment the 8th was ready
    release = np.maximum.accumulate(printed[C.START].to_numpy())
    ready = receive[printed[C.CASE]].to_numpy()
    assert (ready <= release).all()
    runs = (printed[C.START].diff().dt.total_seconds() > 600).cumsum()
    sizes = printed.groupby(runs.to_numpy()).size()
    assert (sizes == 8).all(), sizes.value_counts()


def test_one_log_with_a_size_step_a_clock_step_and_a_plain_step() -> None:
    found = _mine(simulate(helpers.batch_mix_model(size=8), days=42, seed=3))
    assert set(found) == {"Print", "Sign"}  # Receive: no rule
    printed, signed = found["Print"], found["Sign"]
    assert (printed.trigger, printed.batch_size, printed.release_times) == ("size", 8, ())
    assert printed.pattern == "when 8 have accumulated"
    assert printed.batched_share > 0.9
    assert (signed.trigger, signed.release_times) == ("clock", ("16:00",))
    assert signed.weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri")


def test_a_batch_shared_out_over_two_people_is_one_batch() -> None:
    found = _mine(simulate(helpers.batch_mix_model(size=8, printers=2), days=42, seed=5))
    assert (found["Print"].trigger, found["Print"].batch_size) == ("size", 8)
    assert found["Sign"].trigger == "clock" and "Receive" not in found


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(2, 15),
    printers=st.integers(1, 2),
    gap_min=st.sampled_from([20.0, 30.0, 90.0]),  # up to ~70 orders a day: the 16:00 burst stays under 90 min
    seed=st.integers(0, 10_000),
)
def test_any_batch_size_is_recovered(size: int, printers: int, gap_min: float, seed: int) -> None:
    model = helpers.batch_mix_model(size=size, printers=printers, gap_s=gap_min * 60.0)
    days = 42 if gap_min < 60 else 84  # at least a few hundred cases
    found = _mine(simulate(model, days=days, seed=seed))
    assert "Receive" not in found
    assert (found["Print"].trigger, found["Print"].batch_size) == ("size", size)
    assert (found["Sign"].trigger, found["Sign"].release_times) == ("clock", ("16:00",))
