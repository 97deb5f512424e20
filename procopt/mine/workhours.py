"""Stage 2 (mine): learn each resource's working hours and measure busy time within them.

ERP logs record work, not rosters. A clerk whose first start is usually around 08:00 and whose last
completion is usually around 17:00 works roughly 08:00-17:00; the window is taken from the 2nd
percentile of start clock times to the 98th percentile of completion clock times, rounded outward
to whole hours and widened to at least ``MIN_DAY_H`` hours (work that only appears after a 16:00
batch does not mean a one-hour working day). Weekends count only for resources that work on them.

Busy time is measured on a *working clock* that runs only inside that window on working days, so a
production order open overnight is not counted as 26 hours of work.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.mine.intervals import union_length

MIN_DAY_H = 8.0
_DAY = 86400.0


def learn_windows(
    resource: pd.Series, start: pd.Series, end: pd.Series, codes: tuple[np.ndarray, pd.Index] | None = None
) -> pd.DataFrame:
    """Per resource: ``work_start_h``, ``work_end_h``, ``weekends`` (bool).

    ``codes``: (code per row, names in code order) when the caller has them (saves factorising names).
    """
    # clock hours as hour + minute / 60 (what .dt.hour + .dt.minute / 60 gives), from integer nanoseconds
    hours_s, day_s = _clock_hours(start)
    hours_e, day_e = _clock_hours(end)
    same_day = day_e == day_s
    code, names = codes if codes is not None else pd.factorize(resource, sort=True)
    lo = hours_s.groupby(code).quantile(0.02)
    # completions on a later day say nothing about the end of a working day
    hi = hours_e[same_day].groupby(code[same_day]).quantile(0.98).reindex(lo.index)
    hi = hi.fillna(hours_s.groupby(code).quantile(0.98))
    ws, we = np.floor(lo.to_numpy()), np.minimum(np.ceil(hi.to_numpy()), 24.0)
    we = np.maximum(we, ws + 1.0)
    short = we - ws < MIN_DAY_H
    extra = np.where(short, MIN_DAY_H - (we - ws), 0.0)
    ws, we = ws - np.floor(extra / 2), we + np.ceil(extra / 2)
    shift = np.clip(-ws, 0, None) - np.clip(we - 24.0, 0, None)
    ws, we = ws + shift, we + shift
    weekend = (start.dt.weekday >= 5).groupby(code).mean().reindex(lo.index) >= 0.05
    index = pd.Index(np.asarray(names)[lo.index.to_numpy()])
    return pd.DataFrame({"work_start_h": ws, "work_end_h": we, "weekends": weekend.to_numpy()}, index=index)


def _clock_hours(ts: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(hour + minute / 60 of each timestamp as a Series on ts's index, day number since 1970)."""
    if ts.isna().any():  # NaT: let pandas propagate missing values
        return ts.dt.hour + ts.dt.minute / 60.0, ts.dt.normalize().to_numpy()
    ns = ts.to_numpy().astype("datetime64[ns]").astype(np.int64)
    day = np.floor_divide(ns, 86_400 * 10**9)
    tod = ns - day * 86_400 * 10**9
    hour = tod // (3600 * 10**9)
    minute = (tod // (60 * 10**9)) % 60
    return pd.Series(hour + minute / 60.0, index=ts.index), day


def working_clock(ts: pd.Series, ws_h: np.ndarray, we_h: np.ndarray, weekends: np.ndarray) -> np.ndarray:
    """Working seconds elapsed from 1970-01-01 to each timestamp, inside each row's daily window."""
    secs = (ts - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy()
    day = np.floor(secs / _DAY)
    tod = secs - day * _DAY
    width = (we_h - ws_h) * 3600.0
    days = day.astype("int64").astype("datetime64[D]")
    workdays_before = np.where(weekends, day, np.busday_count(np.datetime64("1970-01-01"), days))
    is_work = weekends | np.is_busday(days)
    within = np.clip(tod - ws_h * 3600.0, 0.0, width)
    worked: np.ndarray = workdays_before * width + np.where(is_work, within, 0.0)
    return worked


def active_days(codes: np.ndarray, start: pd.Series, end: pd.Series, weekends: np.ndarray, n_groups: int) -> np.ndarray:
    """Distinct working days (all days for weekend workers) on which each group had work in progress."""

    sd = start.dt.normalize().to_numpy().astype("datetime64[D]")
    ed = end.dt.normalize().to_numpy().astype("datetime64[D]")
    epoch = np.datetime64("1970-01-01")
    s_idx = np.where(weekends, (sd - epoch).astype(np.int64), np.busday_count(epoch, sd))
    e_idx = np.where(weekends, (ed - epoch).astype(np.int64) + 1, np.busday_count(epoch, ed) + np.is_busday(ed))
    out = union_length(codes, s_idx.astype(float), np.maximum(e_idx, s_idx).astype(float))
    return np.pad(out, (0, max(0, n_groups - len(out))))
