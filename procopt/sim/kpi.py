"""Stage 5 (sim): case KPIs of an event table — the same definitions for real and simulated logs.

lead time = first event start (completion in complete-only logs) -> completion of the delivery activity
(the case's last completion when there is no delivery activity or the case never reached it);
on time = the delivery completed by the due date (by the end of the due day when due dates are whole
days). Cases that never reach the delivery activity are left out of the delivery rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.log import columns as C

DAY_NS = 86_400 * 10**9


def case_kpis(events: pd.DataFrame, delivery_activity: str | None = None) -> pd.DataFrame:
    """One row per case: arrival, end, delivery_end, due, lead_time_h, on_time (bool or NA)."""
    if events.empty:
        return pd.DataFrame(columns=["arrival", "end", "delivery_end", "due", "lead_time_h", "on_time"])
    first = events[C.START].where(events[C.START].notna(), events[C.END])
    g = events.assign(_first=first).groupby(C.CASE, sort=True)
    out = pd.DataFrame({"arrival": g["_first"].min(), "end": g[C.END].max(), "due": g[C.DUE].first()})
    if delivery_activity is not None:
        deliv = events[events[C.ACTIVITY] == delivery_activity].groupby(C.CASE)[C.END].max()
        out["delivery_end"] = deliv.reindex(out.index)
    else:
        out["delivery_end"] = pd.NaT
    stop = out["delivery_end"].where(out["delivery_end"].notna(), out["end"])
    out["lead_time_h"] = (stop - out["arrival"]).dt.total_seconds() / 3600.0
    deadline = out["due"]
    if deadline.notna().any() and (deadline.dropna() == deadline.dropna().dt.normalize()).all():
        deadline = deadline + pd.Timedelta(days=1)
    reached = out["delivery_end"].notna() if delivery_activity is not None else out["end"].notna()
    delivered = out["delivery_end"] if delivery_activity is not None else out["end"]
    on_time = pd.Series(pd.NA, index=out.index, dtype="boolean")
    known = reached & deadline.notna()
    on_time[known] = (delivered[known] <= deadline[known]).to_numpy()
    out["on_time"] = on_time
    return out


def summarise(cases: pd.DataFrame) -> dict[str, float | int | None]:
    """Mean / p50 / p90 lead time (hours) and delivery rate of a ``case_kpis`` table."""
    lt = cases["lead_time_h"].dropna().to_numpy(dtype=float)
    ot = cases["on_time"].dropna()
    return {
        "cases": int(len(cases)),
        "lead_time_mean_h": float(np.mean(lt)) if len(lt) else None,
        "lead_time_p50_h": float(np.quantile(lt, 0.5)) if len(lt) else None,
        "lead_time_p90_h": float(np.quantile(lt, 0.9)) if len(lt) else None,
        "delivery_rate": float(ot.astype(bool).mean()) if len(ot) else None,
    }
