"""Stage 5 (sim): KPIs of one replication, straight from the engine's trace (no event table needed).

Same definitions as ``procopt.sim.kpi`` for logs: lead time = arrival (calibrated from the log's first event
starts) -> delivery completion
(last completion without a delivery activity); on time = delivered by the due date (end of the due day
for whole-day due dates); only cases arriving in the measured window (after the warm-up) count.
A case still unfinished when the run stops counts as late and is reported in ``unfinished_share``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from procopt.model.calendars import DAY_S, WEEK_S
from procopt.model.types import WEEKDAYS, SimulationModel
from procopt.sim.engine import Trace


def replication_metrics(model: SimulationModel, trace: Trace) -> dict[str, Any]:
    """Lead time, delivery rate, throughput, WIP, utilisation and stability signals of one replication."""
    arr = np.asarray(trace.case_arrival, dtype=float)
    end = np.asarray(trace.case_end, dtype=float)
    deliv = np.asarray(trace.case_delivery_end, dtype=float)
    due = np.asarray(trace.case_due, dtype=float)
    ws, we = trace.window_start_s, trace.window_end_s
    inw = (arr >= ws) & (arr < we)
    n = int(inw.sum())
    done = inw & np.isfinite(end)
    has_delivery = model.delivery_activity is not None and model.delivery_activity in model.activities
    stop = np.where(np.isfinite(deliv), deliv, end) if has_delivery else end
    # a simulated case's lead time starts at its arrival: the model's arrivals are the log's first starts, and
    # a queue in front of the first step (invisible in a log) must count when a scenario creates one
    begin = arr
    lead_h = (stop - begin) / 3600.0
    lt = lead_h[done & np.isfinite(lead_h)]
    # delivery rate: cases with a due date that were delivered, or are still open at the end (late)
    deadline = due + (DAY_S if model.due.date_only else 0.0)
    delivered = deliv if has_delivery else end
    open_case = inw & ~np.isfinite(end)
    judged = inw & np.isfinite(due) & (np.isfinite(delivered) | open_case)
    on_time = judged & np.isfinite(delivered) & (delivered <= deadline)
    weeks = _arrival_weeks(model, trace)
    # WIP by Little's law over the window: time in system of the window's cases / window length
    in_sys = np.where(np.isfinite(stop), stop, trace.end_s) - begin
    out: dict[str, Any] = {
        "cases": n,
        "completed": int(done.sum()),
        "lead_time_mean_h": float(np.mean(lt)) if len(lt) else float("nan"),
        "lead_time_p50_h": float(np.quantile(lt, 0.5)) if len(lt) else float("nan"),
        "lead_time_p90_h": float(np.quantile(lt, 0.9)) if len(lt) else float("nan"),
        "delivery_rate": float(on_time.sum() / judged.sum()) if judged.any() else float("nan"),
        "throughput_per_week": float(done.sum() / weeks) if weeks > 0 else float("nan"),
        "wip": float(np.nansum(in_sys[inw]) / (we - ws)) if we > ws else float("nan"),
        "unfinished_share": float(open_case.sum() / n) if n else 0.0,
    }
    for pool, avail in trace.available_s.items():
        out[f"util:{pool}"] = float(trace.busy_s.get(pool, 0.0) / avail) if avail > 0 else float("nan")
    out["unstable_reasons"] = _instability(out, arr[done], lead_h[done], ws, we)
    return out


def _instability(m: dict[str, Any], arrivals: np.ndarray, lead_h: np.ndarray, ws: float, we: float) -> list[str]:
    reasons = []
    if m["unfinished_share"] > 0.01:
        reasons.append("cases still open when the run stopped")
    busy = {k[5:]: v for k, v in m.items() if k.startswith("util:") and v == v}
    over = sorted(k for k, v in busy.items() if v >= 0.98)
    if over:
        reasons.append("utilisation >= 98 % in " + ", ".join(over))
    third = (we - ws) / 3
    early = lead_h[(arrivals >= ws) & (arrivals < ws + third)]
    late = lead_h[arrivals >= we - third]
    if len(early) >= 20 and len(late) >= 20 and np.mean(late) > 1.5 * np.mean(early) + 24:
        reasons.append("lead times keep rising through the run: queues grow")
    return reasons


def _arrival_weeks(model: SimulationModel, trace: Trace) -> float:
    """The measurement window's length in *weeks of arrivals*, so throughput per week is comparable to the model's
    arrival rate: a 46-day window of a Mon-Fri process holds six weeks plus Mon-Thu (about 6.8 weeks of orders,
    not 6.57); dividing by calendar weeks overstated throughput by up to ~10 %."""
    ws, we = trace.window_start_s, trace.window_end_s
    plain = (we - ws) / WEEK_S
    arr = model.arrivals
    hourly = np.array([float(v) for day in WEEKDAYS for v in (arr.rate_per_hour.get(day) or (0.0,) * 24)])
    if arr.interarrival is not None or we <= ws or len(hourly) != 168 or hourly.sum() <= 0:
        return plain
    origin = trace.origin
    off = (origin - origin.normalize()).total_seconds() + origin.weekday() * DAY_S
    a, b = (ws + off) / 3600.0, (we + off) / 3600.0  # hours since a Monday 00:00
    edges = np.concatenate(([a], np.arange(np.floor(a) + 1, np.ceil(b)), [b]))
    edges = edges[(edges >= a) & (edges <= b)]
    widths = np.diff(edges)
    idx = np.floor(edges[:-1]).astype(np.int64) % 168
    expected = float(np.sum(hourly[idx] * widths))
    return expected / float(hourly.sum()) if expected > 0 else plain
