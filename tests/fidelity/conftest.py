"""Generated logs with a known answer for the fidelity tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from procopt.log import columns as C


def _sped_up_log(cases: int = 240, seed: int = 0, change_at: float = 0.55) -> pd.DataFrame:
    """Three one-hour steps per case, 24/7, ten people (no queueing). Until ``change_at`` of the arrivals every
    step waits two days for a document before it starts; afterwards the documents come with the order and
    cases flow straight through. The held-out period is all fast: a model that replays the learned waits
    must lose to the naive one (durations only), which is right by construction."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2024-01-01")
    rows = []
    for i in range(cases):
        t = t0 + pd.Timedelta(hours=float(i * 8 + rng.uniform(0, 4)))
        slow = i < change_at * cases
        for step in ("Receive", "Check", "Ship"):
            if slow and step != "Receive":
                t += pd.Timedelta(hours=float(rng.uniform(36, 60)))
            work = pd.Timedelta(minutes=float(rng.uniform(40, 80)))
            rows.append((f"c{i:04d}", step, t, t + work, f"p{rng.integers(10)}"))
            t = t + work
    frame = pd.DataFrame(rows, columns=[C.CASE, C.ACTIVITY, C.START, C.END, C.RESOURCE])
    frame[C.SOURCE_ROW] = np.arange(1, len(frame) + 1)
    return C.normalise_frame(frame)


@pytest.fixture(scope="session")
def sped_up_log() -> Callable[..., pd.DataFrame]:
    """``sped_up_log(cases=240, seed=0, change_at=0.55)``: see ``_sped_up_log``."""
    return _sped_up_log
