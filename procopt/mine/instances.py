"""Stage 2 (mine), shared first step: turn the event table into timed activity instances.

Every diagnostic asks the same question of each activity instance: *when could work on it begin,
when did it begin, when did it end?* Picture an order form in an in-tray: it lands when the previous
step of the case is done (``enabled_at``), lies in the tray (``wait_s``), and is worked on
(``processing_s``). For parallel work the tray is filled by the *latest* completion before the
instance started; the first instance of a case is enabled at the case start.

Complete-only logs (no START) cannot separate tray time from work time: ``processing_s`` is NaN and
``wait_s`` is the whole time since the previous completion ("elapsed"); callers say so in a note.

Output columns (one row per instance, sorted by case then start):
``case, activity, resource, department, start, end, enabled_at, wait_s, processing_s, prev_activity,
prev_resource, prev_department, pos, case_code, activity_code``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.log import columns as C

CASE, ACTIVITY, RESOURCE, DEPARTMENT = "case", "activity", "resource", "department"
START, END, ENABLED = "start", "end", "enabled_at"
WAIT, PROC = "wait_s", "processing_s"
PREV_ACTIVITY, PREV_RESOURCE, PREV_DEPARTMENT = "prev_activity", "prev_resource", "prev_department"
POS, CODE = "pos", "case_code"
ACT_CODE = "activity_code"  # integer code of the activity: grouping by it avoids re-hashing strings

_NS = 1e9


def build_instances(events: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Return (instances, has_start) for a contract event table (see the module docstring)."""
    has_start = C.has_start_times(events)
    end = events[C.END]
    start = events[C.START].where(events[C.START].notna() & (events[C.START] <= end), end) if has_start else end
    frame = pd.DataFrame(
        {
            CASE: _strings(events[C.CASE]),
            ACTIVITY: _strings(events[C.ACTIVITY]),
            RESOURCE: _labels(events[C.RESOURCE]),
            DEPARTMENT: _labels(events[C.DEPARTMENT]),
            START: start.to_numpy(),
            END: end.to_numpy(),
        }
    )
    frame = frame[frame[END].notna()].reset_index(drop=True)
    # sort by (case, end, start) on integer keys: case codes in case-id order, then times
    codes, _ = pd.factorize(frame[CASE], sort=True)
    order = np.lexsort((frame[START].to_numpy(), frame[END].to_numpy(), codes))
    frame = frame.take(order).reset_index(drop=True)
    frame[CODE] = codes[order]
    pred = _predecessor_index(frame, has_start)
    _attach_predecessor(frame, pred)
    if not has_start:
        frame[PROC] = np.nan
    order = np.lexsort((frame[END].to_numpy(), frame[START].to_numpy(), frame[CODE].to_numpy()))
    frame = frame.take(order).reset_index(drop=True)
    frame[POS] = frame.groupby(CODE, sort=False).cumcount()
    frame[ACT_CODE] = pd.factorize(frame[ACTIVITY], sort=False)[0]
    return frame, has_start


def _strings(series: pd.Series) -> np.ndarray:
    """Case ids / activity names as an object array of str (the contract already makes them str)."""
    if series.dtype == object:
        return series.to_numpy(dtype=object)
    return series.astype(str).to_numpy(dtype=object)


def _labels(series: pd.Series) -> np.ndarray:
    """Resource/department labels as object strings, missing kept as None."""
    missing = series.isna().to_numpy()
    values = series.to_numpy(dtype=object) if series.dtype == object else series.astype(str).to_numpy(dtype=object)
    if series.dtype == object and not all(isinstance(v, str) for v in pd.unique(values[~missing])):
        values = series.astype(str).to_numpy(dtype=object)
    values = values.copy()
    values[missing] = None
    return values


def _predecessor_index(frame: pd.DataFrame, has_start: bool) -> np.ndarray:
    """Row index (in end-sorted order) of the latest instance of the same case that ended by this start."""
    n = len(frame)
    codes = frame[CODE].to_numpy()
    if not has_start or n == 0:
        prev = np.arange(n) - 1
        same = np.zeros(n, dtype=bool)
        same[1:] = codes[1:] == codes[:-1]
        return np.where(same, prev, -1)
    t0 = frame[START].min()
    end_s = ((frame[END] - t0).dt.total_seconds().to_numpy() * 1000).astype(np.int64)
    start_s = ((frame[START] - t0).dt.total_seconds().to_numpy() * 1000).astype(np.int64)
    span = int(max(end_s.max(), start_s.max())) + 2
    if span * (int(codes.max()) + 1) > 2**62:  # milliseconds would overflow: fall back to seconds
        end_s, start_s, span = end_s // 1000, start_s // 1000, span // 1000 + 2
    key_end = codes.astype(np.int64) * span + end_s
    key_start = codes.astype(np.int64) * span + start_s
    idx = np.searchsorted(key_end, key_start, side="right") - 1
    rows = np.arange(n)
    # the instance itself (zero duration) or later ties are not its own predecessor
    idx = np.where(idx >= rows, rows - 1, idx)
    valid = idx >= 0
    valid[valid] &= codes[idx[valid]] == codes[valid]
    return np.where(valid, idx, -1)


def _attach_predecessor(frame: pd.DataFrame, pred: np.ndarray) -> None:
    """Fill enabled time, waiting, processing and the predecessor's labels in place."""
    has = pred >= 0
    safe = np.where(has, pred, 0)
    case_start = frame.groupby(CODE, sort=False)[START].transform("min")
    prev_end = frame[END].to_numpy()[safe]
    enabled = np.where(has, prev_end, case_start.to_numpy())
    frame[ENABLED] = pd.to_datetime(enabled)
    wait = (frame[START] - frame[ENABLED]).dt.total_seconds().to_numpy()
    frame[WAIT] = np.clip(wait, 0.0, None)
    frame[PROC] = (frame[END] - frame[START]).dt.total_seconds()
    for col, src in ((PREV_ACTIVITY, ACTIVITY), (PREV_RESOURCE, RESOURCE), (PREV_DEPARTMENT, DEPARTMENT)):
        values = frame[src].to_numpy()[safe]
        frame[col] = np.where(has, values, None)


def mode_by(keys: pd.Series, values: pd.Series) -> pd.Series:
    """Most frequent non-missing value per key (ties: the smallest value), indexed by key."""
    frame = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy()}).dropna()
    if frame.empty:
        return pd.Series(dtype=object)
    counts = frame.groupby(["k", "v"], sort=True).size().reset_index(name="n")
    counts = counts.sort_values(["k", "n"], ascending=[True, False], kind="stable")
    return counts.drop_duplicates("k").set_index("k")["v"]


def case_attributes(events: pd.DataFrame) -> pd.DataFrame:
    """One row per case with the non-canonical columns that are constant within the case."""
    extras = [c for c in events.columns if c not in C.CANONICAL]
    case_codes, _ = pd.factorize(events[C.CASE], sort=False)
    ordered = events
    if np.any(np.diff(case_codes) < 0):  # not grouped by case (the contract sorts by case, so rarely)
        ordered = events.sort_values(C.CASE, kind="stable")
        case_codes, _ = pd.factorize(ordered[C.CASE], sort=False)
    bounds = np.flatnonzero(np.r_[True, case_codes[1:] != case_codes[:-1]])
    first = ordered.iloc[bounds][[C.CASE, *extras, C.DUE]].set_index(C.CASE)
    constant = []
    for col in extras:
        codes, _ = pd.factorize(ordered[col], sort=False)  # missing -> -1
        filled = np.where(codes < 0, np.iinfo(np.int64).max, codes)
        lo = np.minimum.reduceat(filled, bounds)
        hi = np.maximum.reduceat(codes, bounds)
        if bool(np.all((hi < 0) | (lo == hi) | ((lo == np.iinfo(np.int64).max) & (hi < 0)))):
            constant.append(col)
    return first[[*constant, C.DUE]]
