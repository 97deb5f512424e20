"""The value stream's main path is a flow of steps, not a case cut to one event."""

from __future__ import annotations

from typing import Any

import pandas as pd

from procopt.log import columns as C
from procopt.mine import MineOptions, mine


def test_single_event_cases_are_not_the_main_path(o2c: Any) -> None:
    # mobis travel expenses: 50 of 118 cases hold one event, so the most frequent variant was 'pay expenses'
    # alone and `mine` printed "Value stream (most frequent variant, 50 cases, 1 steps) ... value-added
    # ratio 100.0%".
    events = o2c.events
    first = events[events[C.CASE].isin(events[C.CASE].unique()[:400])]
    t0 = events[C.END].min()
    lone = pd.DataFrame(
        {
            C.CASE: [f"LONE-{i}" for i in range(600)],
            C.ACTIVITY: "Create Invoice",
            C.START: [t0 + pd.Timedelta(hours=i) for i in range(600)],
            C.END: [t0 + pd.Timedelta(hours=i, minutes=20) for i in range(600)],
        }
    )
    result = mine(C.normalise_frame(pd.concat([first, lone], ignore_index=True)), MineOptions(discover_model=False))
    vs = result.value_stream
    assert vs is not None and len(vs.path) >= 2, vs
    assert vs.value_added_ratio < 1.0
