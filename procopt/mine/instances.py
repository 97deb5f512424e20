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
prev_resource, prev_department, pos, case_code, activity_code, resource_code, department_code``.
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
RES_CODE, DEP_CODE = "resource_code", "department_code"  # sorted label codes, -1 = missing
PREV_DEP_CODE = "prev_department_code"
_LABELS = "procopt_labels"

_NS = 1e9


def build_instances(events: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Return (instances, has_start) for a contract event table (see the module docstring).

    Labels are factorised once into integer codes (``case_code``, ``activity_code``, ``resource_code``,
    ``department_code``; -1 = missing) so that later grouping, sorting and missing-value tests run on
    integers; the string columns are rebuilt from the codes at the end.
    """
    has_start = C.has_start_times(events)
    end = events[C.END]
    start = events[C.START].where(events[C.START].notna() & (events[C.START] <= end), end) if has_start else end
    keep = end.notna().to_numpy()
    end_v = end.to_numpy()[keep]
    start_v = start.to_numpy()[keep]
    case_c, case_u = _codes(events[C.CASE], keep, labels=False)
    act_c, act_u = _codes(events[C.ACTIVITY], keep, labels=False)
    res_c, res_u = _codes(events[C.RESOURCE], keep, labels=True)
    dep_c, dep_u = _codes(events[C.DEPARTMENT], keep, labels=True)
    # sort by (case, end, start) on integer keys: case codes in case-id order, then times
    order = np.lexsort((start_v, end_v, case_c))
    case_c, act_c, res_c, dep_c = case_c[order], act_c[order], res_c[order], dep_c[order]
    start_v, end_v = start_v[order], end_v[order]
    pred = _predecessor_index(case_c, start_v, end_v, has_start)
    if has_start and len(case_c):
        pred = _skip_concurrent(pred, case_c, act_c, start_v, end_v)
    has = pred >= 0
    safe = np.where(has, pred, 0)
    case_start = _group_min(case_c, start_v)
    enabled = np.where(has, end_v[safe], case_start)
    prev = {c: np.where(has, codes[safe], -1) for c, codes in (("a", act_c), ("r", res_c), ("d", dep_c))}
    # final order: by case, then start, then end
    order = np.lexsort((end_v, start_v, case_c))
    case_c, act_c, res_c, dep_c = case_c[order], act_c[order], res_c[order], dep_c[order]
    start_v, end_v, enabled = start_v[order], end_v[order], enabled[order]
    prev = {k: v[order] for k, v in prev.items()}
    wait = (start_v - enabled).astype("timedelta64[ns]").astype(np.int64) / _NS
    proc = (
        (end_v - start_v).astype("timedelta64[ns]").astype(np.int64) / _NS if has_start else np.full(len(end_v), np.nan)
    )
    columns = {
        CASE: case_u[case_c] if len(case_u) else np.array([], dtype=object),
        ACTIVITY: act_u[act_c] if len(act_u) else np.array([], dtype=object),
        RESOURCE: _decode(res_u, res_c),
        DEPARTMENT: _decode(dep_u, dep_c),
        START: start_v,
        END: end_v,
        CODE: case_c,
        ENABLED: enabled,
        WAIT: np.clip(wait, 0.0, None),
        PROC: proc,
        PREV_ACTIVITY: _decode(act_u, prev["a"]),
        PREV_RESOURCE: _decode(res_u, prev["r"]),
        PREV_DEPARTMENT: _decode(dep_u, prev["d"]),
    }
    # column by column: one block per column, no costly consolidation of the object columns
    frame = pd.DataFrame(index=pd.RangeIndex(len(case_c)))
    for col, values in columns.items():
        frame[col] = values
    for col in (START, END, ENABLED):
        frame[col] = frame[col].astype("datetime64[ns]")
    bounds = np.r_[True, case_c[1:] != case_c[:-1]] if len(case_c) else np.zeros(0, dtype=bool)
    first_row = np.maximum.accumulate(np.where(bounds, np.arange(len(case_c)), 0)) if len(case_c) else np.zeros(0, int)
    frame[POS] = np.arange(len(case_c)) - first_row
    # activity codes numbered in order of first appearance (as pd.factorize(sort=False) numbers them)
    _, first_idx = np.unique(act_c, return_index=True)
    rank = np.empty(len(first_idx), dtype=np.int64)
    rank[np.argsort(first_idx, kind="stable")] = np.arange(len(first_idx))
    present = np.zeros(len(act_u), dtype=np.int64)
    present[np.unique(act_c)] = rank
    frame[ACT_CODE] = present[act_c] if len(act_c) else np.zeros(0, dtype=np.int64)
    act_names = np.empty(len(rank), dtype=object)
    act_names[rank] = act_u[np.unique(act_c)] if len(act_c) else act_names
    # names per code travel with the table (and its row/column subsets) so labels_of need not scan rows
    frame.attrs[_LABELS] = {ACT_CODE: act_names, RES_CODE: res_u, DEP_CODE: dep_u}
    frame[RES_CODE] = res_c
    frame[DEP_CODE] = dep_c
    frame[PREV_DEP_CODE] = prev["d"]
    return frame, has_start


def _codes(series: pd.Series, keep: np.ndarray, *, labels: bool) -> tuple[np.ndarray, np.ndarray]:
    """(codes, sorted unique str labels) of the kept rows; missing -> -1 (``labels``) or the string of it."""
    values = series.to_numpy(dtype=object)[keep] if series.dtype == object else series[keep]
    codes, uniques = pd.factorize(values, sort=True)
    uniques = np.asarray(uniques, dtype=object)
    if any(not isinstance(u, str) for u in uniques) or (not labels and (codes < 0).any()):  # non-str labels
        as_str = pd.Series(values, dtype=object).where(pd.notna(values), None)
        as_str = as_str.map(lambda v: None if v is None else str(v)) if labels else as_str.astype(str)
        codes, uniques = pd.factorize(as_str.to_numpy(dtype=object), sort=True)
        uniques = np.asarray(uniques, dtype=object)
    return codes.astype(np.int64), uniques


def _decode(uniques: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Labels of the codes as an object array, None where the code is -1."""
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = uniques  # the extra last slot stays None: code -1 indexes it
    labels: np.ndarray = table[codes]
    return labels


def _group_min(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per row: the minimum of ``values`` over its group (codes grouped, i.e. contiguous)."""
    if not len(codes):
        return values
    bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    mins = np.minimum.reduceat(values.astype("datetime64[ns]").astype(np.int64), bounds)
    sizes = np.diff(np.r_[bounds, len(codes)])
    return np.repeat(mins, sizes).astype("datetime64[ns]")


def _predecessor_index(codes: np.ndarray, start: np.ndarray, end: np.ndarray, has_start: bool) -> np.ndarray:
    """Row index (in end-sorted order) of the latest instance of the same case that ended by this start."""
    n = len(codes)
    if not has_start or n == 0:
        prev = np.arange(n) - 1
        same = np.zeros(n, dtype=bool)
        same[1:] = codes[1:] == codes[:-1]
        return np.where(same, prev, -1)
    t0 = start.min()
    end_s = (((end - t0).astype("timedelta64[ns]").astype(np.int64) / _NS) * 1000).astype(np.int64)
    start_s = (((start - t0).astype("timedelta64[ns]").astype(np.int64) / _NS) * 1000).astype(np.int64)
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


CONCURRENT_OVERLAP_SHARE = 0.2  # two activities overlap in time in this share of the cases where they meet...
CONCURRENT_ORDER_SHARE = 0.3  # ...or occur in both orders, the rarer at least this share of the commoner
MIN_CONCURRENT_EVIDENCE = 3
LOOP_SHARE = 0.1  # X Y X this often: a loop (rework), not parallel branches
MAX_CONCURRENT_SKIPS = 4


def concurrent_activities(case: np.ndarray, act: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Square bool matrix over activity codes: True where two activities run in parallel branches.

    Evidence, from neighbours in start order within each case: the two overlap in time often, or they
    follow each other in both orders often — unless they form a short loop (X Y X), as rework does.
    """
    n_act = int(act.max()) + 1 if len(act) else 0
    conc = np.zeros((n_act, n_act), dtype=bool)
    if n_act < 2:
        return conc
    order = np.lexsort((end, start, case))
    c, a, s, e = case[order], act[order], start[order], end[order]
    meet = np.zeros(n_act * n_act)
    overlap = np.zeros(n_act * n_act)
    for k in (1, 2, 3):
        same = c[k:] == c[:-k]
        x, y = a[:-k][same], a[k:][same]
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        key = lo * n_act + hi
        meet += np.bincount(key, minlength=n_act * n_act)
        over = (s[k:][same] < e[:-k][same]) & (x != y)
        overlap += np.bincount(key[over], minlength=n_act * n_act)
    same = c[1:] == c[:-1]
    follows = np.bincount((a[:-1] * n_act + a[1:])[same], minlength=n_act * n_act).reshape(n_act, n_act).astype(float)
    same2 = (c[2:] == c[:-2]) & (c[1:-1] == c[:-2]) & (a[2:] == a[:-2])
    loops = np.bincount((a[:-2] * n_act + a[1:-1])[same2], minlength=n_act * n_act).reshape(n_act, n_act)
    meet_m, over_m = meet.reshape(n_act, n_act), overlap.reshape(n_act, n_act)
    meet_m, over_m = meet_m + meet_m.T, over_m + over_m.T
    by_overlap = (over_m >= MIN_CONCURRENT_EVIDENCE) & (over_m >= CONCURRENT_OVERLAP_SHARE * meet_m)
    rare, common = np.minimum(follows, follows.T), np.maximum(follows, follows.T)
    loop = (loops + loops.T) >= LOOP_SHARE * (follows + follows.T)
    by_order = (rare >= MIN_CONCURRENT_EVIDENCE) & (rare >= CONCURRENT_ORDER_SHARE * common) & ~loop
    conc = by_overlap | by_order
    np.fill_diagonal(conc, False)
    concurrent: np.ndarray = conc
    return concurrent


def _skip_concurrent(
    pred: np.ndarray, case: np.ndarray, act: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Predecessors (end-sorted rows) that are not in a parallel branch of the instance.

    Picture A, then B and C in parallel: C became ready when A ended, not when B (which happened to end
    first) did. An instance's predecessor is the latest instance ended by its start whose activity is
    not concurrent with its own; -1 (the case start) when every earlier one is.
    """
    conc = concurrent_activities(case, act, start, end)
    if not conc.any():
        return pred
    out = pred.copy()
    for _ in range(MAX_CONCURRENT_SKIPS):
        has = out >= 0
        rows = np.flatnonzero(has)
        bad = conc[act[rows], act[out[rows]]]
        if not bad.any():
            break
        rows = rows[bad]
        prev = out[rows] - 1
        ok = prev >= 0
        ok[ok] &= case[prev[ok]] == case[rows[ok]]
        out[rows] = np.where(ok, prev, -1)
    return out


def mode_by(keys: pd.Series, values: pd.Series) -> pd.Series:
    """Most frequent non-missing value per key (ties: the smallest value), indexed by key."""
    frame = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy()}).dropna()
    if frame.empty:
        return pd.Series(dtype=object)
    counts = frame.groupby(["k", "v"], sort=True).size().reset_index(name="n")
    counts = counts.sort_values(["k", "n"], ascending=[True, False], kind="stable")
    return counts.drop_duplicates("k").set_index("k")["v"]


def mode_by_codes(keys: np.ndarray, values: np.ndarray, key_names: np.ndarray, value_names: np.ndarray) -> pd.Series:
    """:func:`mode_by` on integer codes (-1 = missing); ``value_names`` must be sorted so ties pick the smallest."""
    ok = (keys >= 0) & (values >= 0)
    if not ok.any():
        return pd.Series(dtype=object)
    n_values = int(values.max()) + 1
    pairs, counts = np.unique(keys[ok].astype(np.int64) * n_values + values[ok], return_counts=True)
    k, v = pairs // n_values, pairs % n_values
    order = np.lexsort((v, -counts, k))
    k, v = k[order], v[order]
    first = np.r_[True, k[1:] != k[:-1]]
    out = pd.Series(
        np.asarray(value_names, dtype=object)[v[first]],
        index=pd.Index(np.asarray(key_names)[k[first]], name="k"),
        name="v",
    )
    return out.sort_index(kind="stable")


def by_name(table: pd.DataFrame | pd.Series, names: np.ndarray) -> pd.DataFrame | pd.Series:
    """A result indexed by integer codes, re-indexed by the names and sorted by them (as grouping by name sorts)."""
    out = table.copy()
    out.index = pd.Index(np.asarray(names, dtype=object)[out.index.to_numpy().astype(np.int64)], dtype=object)
    return out.sort_index(kind="stable")


def labels_of(inst: pd.DataFrame, label: str, code: str) -> np.ndarray:
    """Label per code (index = code) for a (label column, code column) pair of the instance table."""
    known = inst.attrs.get(_LABELS, {}).get(code)
    if known is not None:
        return np.asarray(known)
    codes = inst[code].to_numpy()
    if not len(codes) or codes.max() < 0:
        return np.array([], dtype=object)
    names = np.empty(int(codes.max()) + 1, dtype=object)
    ok = codes >= 0
    names[codes[ok]] = inst[label].to_numpy()[ok]
    return names


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
