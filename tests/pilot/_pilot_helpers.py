"""A hand-made pilot record (no simulation needed) for evaluation and CLI tests."""

from __future__ import annotations

import datetime
from typing import Any

import pandas as pd

from procopt.pilot import record as R


def make_record(
    *,
    segment: str = "product == 'B'",
    start: datetime.date = datetime.date(2025, 6, 2),
    weeks: int = 2,
    changes: list[dict[str, Any]] | None = None,
    predicted: tuple[float, float, float] = (-14.0, -20.0, -8.0),
    detectable: bool = True,
    minimum_detectable: float = 10.0,
    proposed_weeks: int | None = None,
    version: int = 1,
) -> R.PilotRecord:
    changes = changes if changes is not None else [{"remove_activity": "Approve Order (Finance Director)"}]
    value, low, high = predicted
    return R.PilotRecord(
        version=version,
        title="test pilot",
        created_at=datetime.date(2025, 5, 30),
        log="before.csv",
        delivery_activity="Ship Goods",
        problem=R.Problem(finding="segment B waits for the director", numbers={"segment_cases": 400}),
        cause=R.Cause(evidence=["Approve Order (Finance Director): passes 100% of decisions"]),
        fix=R.Fix(name="no_director", scenario={"name": "no_director", "changes": changes}),
        groups=R.Groups(segment=segment, segment_cases_per_week=33.0, control_cases_per_week=58.0),
        window=R.Window(start=start, weeks=weeks),
        metrics=[R.Metric(name="lead_time_hours", unit="h"), R.Metric(name="delivery_rate", unit="share")],
        thresholds=R.Thresholds(lead_time_hours=R.Threshold(max=value / 2), delivery_rate=R.Threshold(min=-0.02)),
        predicted_effect=R.EffectPair(
            lead_time_hours=R.Effect(value=value, ci95=(low, high)),
            delivery_rate=R.Effect(value=0.01, ci95=(-0.01, 0.03)),
        ),
        power=R.Power(
            minimum_detectable={"lead_time_hours": minimum_detectable, "delivery_rate": 0.08},
            detectable=detectable,
            proposed_weeks=proposed_weeks,
            note="",
        ),
        trust=R.Trust(verdict="better", reason="test", prediction_is_target=True),
    )


def window_means(events: pd.DataFrame, start: datetime.date, weeks: int) -> dict[str, float]:
    """Mean lead time (extraction-censored like the evaluation) of segment B and the rest, arriving in the window."""
    from procopt.pilot.cases import case_table

    cases = case_table(events, "Ship Goods")
    t0 = pd.Timestamp(start)
    during = (cases["arrival"] >= t0) & (cases["arrival"] < t0 + pd.Timedelta(weeks=weeks))
    seg = cases["product"] == "B"
    return {
        "pilot": float(cases.loc[during & seg, "lead_time_h"].mean()),
        "control": float(cases.loc[during & ~seg, "lead_time_h"].mean()),
        "pilot_rate": float(cases.loc[during & seg, "on_time"].dropna().astype(float).mean()),
        "control_rate": float(cases.loc[during & ~seg, "on_time"].dropna().astype(float).mean()),
    }
