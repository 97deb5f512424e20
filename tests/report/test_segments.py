"""Pilot segments of the report: large enough to show a before/after difference."""

from __future__ import annotations

import pandas as pd

from procopt.log.columns import make_events
from procopt.report.derive import compare_segments


def test_a_sliver_of_the_cases_is_no_pilot_segment() -> None:
    # traffic fines: "The problem shows most in expense = 24.2 ... (10 cases)" out of 10,000
    t0 = pd.Timestamp("2024-01-01")
    rows = []
    for i in range(1000):
        slow = i < 12  # a rare fee value on a dozen very slow cases
        lead = pd.Timedelta(days=90 if slow else (8 if i % 2 else 4))
        attrs = {"region": "north" if i % 2 else "south", "fee": "24.2" if slow else "11.0"}
        rows.append({"case": f"c{i}", "activity": "Open", "end": t0 + pd.Timedelta(hours=i), **attrs})
        rows.append({"case": f"c{i}", "activity": "Close", "end": t0 + pd.Timedelta(hours=i) + lead, **attrs})
    segments = compare_segments(make_events(rows))
    assert segments and (segments[0].attribute, segments[0].value) == ("region", "north")
    assert all(s.cases >= 20 for s in segments)
