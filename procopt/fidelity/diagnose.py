"""Why is a scorecard bad? Side-by-side summaries of the real test period and the simulated logs.

The distances say *that* two logs differ; these tables say *where*: per activity (how often per case, how
long the work, how long the wait before it), per hour of day (when work happens), and the cycle-time
quantiles. Used by ``bench/fidelity.py`` and handy in a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from procopt.log.columns import ACTIVITY, CASE, END, START


def _instances(frame: pd.DataFrame) -> pd.DataFrame:
    f = frame[[CASE, ACTIVITY, START, END]].copy()
    f[START] = f[START].fillna(f[END])
    f = f.sort_values([CASE, START, END], kind="stable")
    prev_end = f.groupby(CASE, sort=False)[END].shift()
    f["work_h"] = (f[END] - f[START]).dt.total_seconds() / 3600
    # wait before the step: since the previous completion in the case (negative = overlapping steps -> 0)
    f["wait_h"] = ((f[START] - prev_end).dt.total_seconds() / 3600).clip(lower=0)
    return f


def activity_table(real: pd.DataFrame, simulated: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Per activity: executions per case, mean work and mean wait (hours), real vs simulated (pooled)."""
    sim = (
        pd.concat(
            [s.assign(**{CASE: s[CASE].astype(str) + f"#{i}"}) for i, s in enumerate(simulated)], ignore_index=True
        )
        if simulated
        else real.iloc[0:0]
    )
    out = {}
    for label, frame in (("real", real), ("sim", sim)):
        inst = _instances(frame)
        n_cases = max(1, frame[CASE].nunique())
        g = inst.groupby(ACTIVITY)
        out[f"{label}_per_case"] = g.size() / n_cases
        out[f"{label}_work_h"] = g["work_h"].mean()
        out[f"{label}_wait_h"] = g["wait_h"].mean()
    table = pd.DataFrame(out).fillna(0.0)
    return table.sort_values("real_per_case", ascending=False)


def hour_table(real: pd.DataFrame, simulated: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Share of activity starts per hour of day and per weekday, real vs simulated."""
    rows = {}
    for label, frames in (("real", [real]), ("sim", list(simulated))):
        starts = pd.concat([f[START].fillna(f[END]) for f in frames], ignore_index=True)
        rows[f"{label}_hour"] = starts.dt.hour.value_counts(normalize=True).reindex(range(24), fill_value=0.0)
        rows[f"{label}_weekday"] = starts.dt.dayofweek.value_counts(normalize=True).reindex(range(24), fill_value=0.0)
    return pd.DataFrame(rows)


def cycle_time_table(real: pd.DataFrame, simulated: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Cycle-time quantiles (hours), case counts and arrival rate per week, real vs each simulated log."""

    def summary(frame: pd.DataFrame) -> dict[str, float]:
        g = frame.assign(_s=frame[START].fillna(frame[END])).groupby(CASE)
        ct = (g[END].max() - g["_s"].min()).dt.total_seconds() / 3600
        first = g["_s"].min()
        weeks = max((first.max() - first.min()).total_seconds() / (7 * 86400), 1e-9)
        q = np.quantile(ct, [0.1, 0.5, 0.9]) if len(ct) else [np.nan] * 3
        return {
            "cases": float(len(ct)),
            "arrivals_per_week": len(ct) / weeks,
            "ct_mean_h": float(ct.mean()),
            "ct_p10_h": q[0],
            "ct_p50_h": q[1],
            "ct_p90_h": q[2],
            "events_per_case": len(frame) / max(1, len(ct)),
        }

    rows = {"real": summary(real)}
    for i, s in enumerate(simulated):
        rows[f"sim{i}"] = summary(s)
    return pd.DataFrame(rows).T
