"""Case KPIs of an event log: lead time to delivery and on-time delivery, with known answers."""

from __future__ import annotations

import pytest

from procopt.log import columns as C
from procopt.sim.kpi import case_kpis, summarise


def test_lead_time_ends_at_delivery_and_on_time_uses_due() -> None:
    ev = C.make_events(
        [
            {
                "case": "1",
                "activity": "Create",
                "start": "2024-01-01 08:00",
                "end": "2024-01-01 09:00",
                "due": "2024-01-02 08:00",
            },
            {
                "case": "1",
                "activity": "Ship",
                "start": "2024-01-02 07:00",
                "end": "2024-01-02 08:00",
                "due": "2024-01-02 08:00",
            },
            {
                "case": "1",
                "activity": "Invoice",
                "start": "2024-01-03 08:00",
                "end": "2024-01-03 09:00",
                "due": "2024-01-02 08:00",
            },
            {
                "case": "2",
                "activity": "Create",
                "start": "2024-01-01 10:00",
                "end": "2024-01-01 11:00",
                "due": "2024-01-01 12:00",
            },
            {
                "case": "2",
                "activity": "Ship",
                "start": "2024-01-01 12:00",
                "end": "2024-01-01 14:00",
                "due": "2024-01-01 12:00",
            },
            {
                "case": "3",
                "activity": "Create",
                "start": "2024-01-01 10:00",
                "end": "2024-01-01 11:00",
                "due": "2024-01-05 00:00",
            },
        ]
    )
    k = case_kpis(ev, "Ship")
    assert k.loc["1", "lead_time_h"] == 24.0 and bool(k.loc["1", "on_time"]) is True
    assert k.loc["2", "lead_time_h"] == 4.0 and bool(k.loc["2", "on_time"]) is False
    assert k.loc["3", "lead_time_h"] == 1.0  # never delivered: lead time to its last event, not judged
    s = summarise(k)
    assert s["delivery_rate"] == 0.5 and s["cases"] == 3
    assert s["lead_time_mean_h"] == pytest.approx((24 + 4 + 1) / 3)


def test_whole_day_due_dates_mean_end_of_that_day() -> None:
    ev = C.make_events(
        [
            {
                "case": "1",
                "activity": "Ship",
                "start": "2024-01-02 16:00",
                "end": "2024-01-02 17:00",
                "due": "2024-01-02",
            },
            {
                "case": "2",
                "activity": "Ship",
                "start": "2024-01-03 08:00",
                "end": "2024-01-03 09:00",
                "due": "2024-01-02",
            },
        ]
    )
    k = case_kpis(ev, "Ship")
    assert k["on_time"].tolist() == [True, False]
