"""Regression: a log spanning a few hours of one Monday must not teach a weekly calendar.

Insurance_Claims_train.csv (simulation benchmarks) covers 2023-01-02 09:00-13:28 only. Calibration learned
"Mon 09:00-13:30" for every pool, so in the held-out period (from 13:29) any task still running at 13:30
was parked until the next Monday: simulated first-step work 0.83 h instead of 0.02 h, lead-time error
1.12 vs 0.28 for the naive model. With less than a week observed the calendar is 24/7.
"""

from __future__ import annotations

import pandas as pd

from procopt.log import columns as C
from procopt.model.calendars import describe, fit_calendar
from procopt.model.calibrate import calibrate
from procopt.sim.engine import simulate

MONDAY = pd.Timestamp("2024-01-01 09:00")  # a Monday


def _one_morning(cases: int = 60) -> pd.DataFrame:
    rows = []
    for i in range(cases):  # one case every 4.5 minutes, 09:00-13:25
        t0 = MONDAY + pd.Timedelta(seconds=270 * i)
        rows.append(
            {
                "case": f"c{i}",
                "activity": "登记",
                "start": t0,
                "end": t0 + pd.Timedelta(minutes=2),
                "resource": f"r{i % 2}",
            }
        )
        b0 = t0 + pd.Timedelta(minutes=3)
        rows.append(
            {
                "case": f"c{i}",
                "activity": "审批",
                "start": b0,
                "end": b0 + pd.Timedelta(minutes=3),
                "resource": f"r{2 + i % 2}",
            }
        )
    return C.make_events(rows)


def test_fit_calendar_needs_a_week_of_observation() -> None:
    ev = _one_morning()
    assert fit_calendar("x", ev[C.START], ev[C.END]).is_always
    # the same data with the guard off is what used to be learned: this test can fail
    assert describe(fit_calendar("x", ev[C.START], ev[C.END], min_span_s=0.0)) == "Mon 09:00-13:30"


def test_short_log_model_does_not_park_work_until_next_week() -> None:
    model = calibrate(_one_morning())
    assert all(cal.is_always for cal in model.calendars.values())
    sim = simulate(model, days=1, seed=3, start=MONDAY + pd.Timedelta(hours=4), max_cases=30)
    assert sim[C.CASE].nunique() >= 10
    g = sim.groupby(C.CASE)
    lead_h = (g[C.END].max() - g[C.START].min()).dt.total_seconds() / 3600
    work_h = (sim[C.END] - sim[C.START]).dt.total_seconds() / 3600
    assert set(sim[C.ACTIVITY]) == {"登记", "审批"}
    assert float(work_h.max()) < 0.2  # 2- and 3-minute tasks stay short
    assert float(lead_h.max()) < 2.0  # real lead time: 8 minutes; not a week


def test_short_log_arrivals_are_its_mean_rate_every_hour() -> None:
    from procopt.model.arrivals import fit_arrivals

    ev = _one_morning()
    arrivals = fit_arrivals(ev.groupby(C.CASE)[C.START].min())
    span_h = 59 * 270 / 3600
    rates = {v for hours in arrivals.rate_per_hour.values() for v in hours}
    assert len(arrivals.rate_per_hour) == 7
    assert rates == {round(60 / span_h, 5)}
