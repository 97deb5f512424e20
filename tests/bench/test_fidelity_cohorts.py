"""bench/fidelity.py --cohorts: how long cases last in the test period, in fully observed cohorts, in the model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

from procopt.log import columns as C
from procopt.model.calibrate import calibrate

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_cohort_lengths_names_each_median() -> None:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("fidelity_bench", BENCH / "fidelity.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    t0 = pd.Timestamp("2024-01-01 00:00")
    rows = []
    for i in range(300):  # a case every 2 h, each lasting exactly 10 h (two steps of 5 h, back to back)
        start = t0 + pd.Timedelta(hours=2 * i)
        for k, step in enumerate(("受理", "审批")):
            s = start + pd.Timedelta(hours=5 * k)
            rows.append({"case": f"c{i}", "activity": step, "start": s, "end": s + pd.Timedelta(hours=5)})
    events = C.make_events(rows)
    line = bench.cohort_lengths("toy", events, calibrate(events))
    assert line.startswith("toy: median cycle time — test period 10 h")
    assert "first third of arrivals 10 h" in line and "2024-01 10" in line
    assert "shipped model, run to the end" in line
