"""Stage 2 (mine): why cases wait — every second of waiting attributed to one of five causes.

An activity instance waits from the moment it became ready (``enabled_at`` of
:mod:`procopt.mine.instances`) to its start. Following the waiting-time analysis of Lashkevich et
al. ("Why am I waiting?", 2023), that interval is split, in this order, into:

1. **batching**: held until a release (a fixed dispatch or committee time) or until a batch had
   filled: from ``enabled_at`` to the release instant given by :func:`procopt.mine.batching.release_at`;
2. **unavailability**: in the rest of the interval, the time the performing resource was off its
   learned working calendar (:func:`learn_calendars`) — see the rule for nights inside a queue below;
3. **prioritisation**: the time the resource was busy with cases that became ready *later* than
   this one (they overtook it);
4. **contention**: the time the resource was busy with cases that became ready earlier (a queue);
5. **extraneous**: the rest — the resource was free and on duty, yet the case did not start: a
   customer, a supplier, another system.

Why this order: a release rule dominates everything behind it (more staff or longer hours do not
move a 16:00 signature), off-duty time is not a queue, and a resource busy with *later* work says
more about the rule it follows than about its capacity. Overlaps are resolved by subtracting each
cause from what is left of the interval, so the five parts always sum to the wait.

One departure from a strict order, because it tells a truer story: off-duty time *when the case
became ready* (an order entered at 20:00 waits for the morning) is unavailability, but later off-duty
stretches inside a multi-day wait (the nights of a case queued for three days behind others) are
shared between unavailability and the busy causes in proportion to how busy the resource was during
the on-duty part of the wait. With a strict order, every night of a capacity queue would read as
"off shift" and point at calendars when more capacity is the fix.

Busy time is the union of the resource's processing intervals (multitasking is not double
counted); the split of that busy time between prioritisation and contention is taken from the
resource's instances that started before this one (up to ``SCAN_MAX`` of them). Instances without a
resource have no unavailability from a resource calendar (their department's calendar is used when
known) and no contention or prioritisation: their wait is batching or extraneous.

Complete-only logs have no start times: the interval between completions mixes waiting and work,
so the causes are not computed (``parts`` is None) and a note says so.

Everything is vectorised over the instance table (one pass per cause, a bounded number of passes
for the overtaking split), so a million instances take seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from procopt.mine import instances as I

CAUSES = ("batching", "unavailability", "prioritisation", "contention", "extraneous")
CAUSE_COLUMNS = tuple(f"{c}_s" for c in CAUSES)
COMPLETE_ONLY_NOTE = (
    "The log has no start times: the time between completions mixes waiting and work, so the causes of "
    "waiting (batching, unavailability, prioritisation, contention, extraneous) cannot be separated and are "
    "not computed."
)
MIN_CALENDAR_INSTANCES = 30  # fewer: the department's calendar (or none) stands in
MIN_HOUR_DAYS = 2  # an hour of the day counts as working time when work was seen in it on this many days...
HOUR_DAYS_SHARE = 0.05  # ...and on at least this share of the active days
WEEKDAY_SHARE = 0.3  # a weekday is a working day when work was seen on this share of its dates
SCAN_MAX = 200
_HOUR = 3600.0
_DAY = 86400.0
_WEEK = 7 * _DAY


@dataclass(frozen=True, slots=True)
class WaitingCauses:
    """Per-instance attribution (index aligned with the instance table) or None, and a note."""

    parts: pd.DataFrame | None  # columns CAUSE_COLUMNS, float seconds; rows sum to ``wait_s``
    note: str | None


@dataclass(frozen=True, slots=True)
class Calendars:
    """Hour-of-week working grids: ``grid[g, h]`` is True when group g works in hour h (0 = Mon 00:00)."""

    grid: np.ndarray  # (groups, 168) bool
    group_of: np.ndarray  # per instance: grid row, or -1 (no calendar known: always available)


def attribute_waiting(inst: pd.DataFrame, has_start: bool, release: np.ndarray | None = None) -> WaitingCauses:
    """Split every instance's ``wait_s`` into the five causes (see the module docstring).

    ``release``: per instance the release instant it waited for (datetime64[ns], NaT when not batched).
    """
    if not has_start:
        return WaitingCauses(None, COMPLETE_ONLY_NOTE)
    n = len(inst)
    if n == 0:
        return WaitingCauses(pd.DataFrame({c: np.zeros(0) for c in CAUSE_COLUMNS}), None)
    epoch = _monday_before(inst[I.ENABLED].min())
    start = _seconds(inst[I.START].to_numpy(), epoch)
    end = _seconds(inst[I.END].to_numpy(), epoch)
    wait = inst[I.WAIT].to_numpy(dtype=float)
    ready = start - wait
    batching = np.zeros(n)
    if release is not None:
        rel = _seconds(np.asarray(release, dtype="datetime64[ns]"), epoch)
        batching = np.where(np.isnan(rel), 0.0, np.clip(np.minimum(rel, start) - ready, 0.0, None))
        batching = np.minimum(batching, wait)
    after = ready + batching  # the rest of the wait is [after, start]
    rest = wait - batching
    cal = learn_calendars(inst, epoch)
    off = np.minimum(_off_seconds(cal, after, start), rest)
    # off duty when the case became ready (it arrived after hours): unavailability. Later off-duty
    # stretches (nights inside a multi-day queue) are shared by how the on-duty part of the wait was
    # used: a case queued behind others all day would have waited through the night for the queue too.
    arrived_off = np.minimum(np.clip(_first_on(cal, after) - after, 0.0, None), off)
    later_off = off - arrived_off
    on_duty = rest - off
    res = inst[I.RES_CODE].to_numpy()
    busy, overtaken = _busy_split(res, start, end, ready, after)
    busy_on = np.minimum(busy, on_duty)
    busy_share = np.where(on_duty > 0, busy_on / np.where(on_duty > 0, on_duty, 1.0), 0.0)
    unavailable = arrived_off + later_off * (1.0 - busy_share)
    busy = busy_on + later_off * busy_share
    prioritisation = np.minimum(busy * overtaken, rest - unavailable)
    contention = np.minimum(busy - busy * overtaken, rest - unavailable - prioritisation)
    extraneous = np.maximum(wait - batching - unavailable - prioritisation - contention, 0.0)
    parts = pd.DataFrame(
        dict(zip(CAUSE_COLUMNS, (batching, unavailable, prioritisation, contention, extraneous), strict=True)),
        index=inst.index,
    )
    return WaitingCauses(parts, None)


def _monday_before(ts: pd.Timestamp) -> np.datetime64:
    day = pd.Timestamp(ts).normalize()
    return np.datetime64(day - pd.Timedelta(days=day.weekday()), "ns")


def _seconds(values: np.ndarray, epoch: np.datetime64) -> np.ndarray:
    """Float seconds since ``epoch``; NaT -> NaN."""
    v = values.astype("datetime64[ns]")
    out = (v - epoch).astype("timedelta64[ns]").astype(np.int64) / 1e9
    return np.where(np.isnat(v), np.nan, out)


def learn_calendars(inst: pd.DataFrame, epoch: np.datetime64) -> Calendars:
    """Working hours per resource (per department for resources seen fewer than ``MIN_CALENDAR_INSTANCES`` times).

    A weekday is a working day when work was seen on at least ``WEEKDAY_SHARE`` of its dates in the
    group's active span; an hour of the day is working time when work (a start or a completion) was
    seen in it on ``MIN_HOUR_DAYS`` days and ``HOUR_DAYS_SHARE`` of the active days; the hours between
    the first and the last working hour count too (a lunch break is not off duty).
    """
    res = inst[I.RES_CODE].to_numpy()
    dep = inst[I.DEP_CODE].to_numpy()
    n_res = int(res.max()) + 1 if len(res) and res.max() >= 0 else 0
    res_count = np.bincount(res[res >= 0], minlength=n_res) if n_res else np.zeros(0, dtype=np.int64)
    own = (res >= 0) & (res_count[np.maximum(res, 0)] >= MIN_CALENDAR_INSTANCES) if n_res else np.zeros(len(res), bool)
    dep_ok = dep >= 0
    group = np.where(own, res, np.where(dep_ok, n_res + dep, -1))
    used, group_of = np.unique(group, return_inverse=True)
    group_of = np.where(group >= 0, group_of - int((used < 0).any()), -1)
    n_groups = int((used >= 0).sum())
    if n_groups == 0:
        return Calendars(np.ones((0, 168), dtype=bool), group_of)
    times = np.concatenate([_seconds(inst[I.START].to_numpy(), epoch), _seconds(inst[I.END].to_numpy(), epoch)])
    groups = np.concatenate([group_of, group_of])
    ok = (groups >= 0) & ~np.isnan(times)
    day = np.floor(times[ok] / _DAY).astype(np.int64)
    hour = np.floor((times[ok] - day * _DAY) / _HOUR).astype(np.int64)
    g = groups[ok]
    # distinct (group, day) and (group, day, hour)
    days_seen = _distinct(g * (day.max() + 1) + day)
    dg, dd = days_seen // (day.max() + 1), days_seen % (day.max() + 1)
    active_days = np.bincount(dg, minlength=n_groups)
    first_day = np.full(n_groups, np.iinfo(np.int64).max)
    np.minimum.at(first_day, dg, dd)
    last_day = np.zeros(n_groups, dtype=np.int64)
    np.maximum.at(last_day, dg, dd)
    weekday_dates = np.zeros((n_groups, 7))
    np.add.at(weekday_dates, (dg, dd % 7), 1.0)
    span_weeks = np.maximum((last_day - first_day + 1) / 7.0, 1.0)
    weekday_on: np.ndarray = np.asarray(weekday_dates >= WEEKDAY_SHARE * span_weeks[:, None])
    hours_seen = _distinct((g * (day.max() + 1) + day) * 24 + hour)
    hg = hours_seen // 24 // (day.max() + 1)
    hh = hours_seen % 24
    hour_days = np.zeros((n_groups, 24))
    np.add.at(hour_days, (hg, hh), 1.0)
    hour_on: np.ndarray = np.asarray(
        (hour_days >= MIN_HOUR_DAYS) & (hour_days >= HOUR_DAYS_SHARE * active_days[:, None])
    )
    any_on: np.ndarray = np.asarray(hour_on.any(axis=1))
    first_h = np.where(any_on, hour_on.argmax(axis=1), 0)
    last_h = np.where(any_on, 23 - hour_on[:, ::-1].argmax(axis=1), 23)
    hrs = np.arange(24)[None, :]
    hour_on = np.where(any_on[:, None], (hrs >= first_h[:, None]) & (hrs <= last_h[:, None]), True)
    has_days: np.ndarray = np.asarray(weekday_on.any(axis=1))
    weekday_on = np.where(has_days[:, None], weekday_on, True)
    grid = (weekday_on[:, :, None] & hour_on[:, None, :]).reshape(n_groups, 168)
    return Calendars(grid, group_of)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct non-negative integer keys; a bitmap when the key range is small (much faster than hashing)."""
    if not len(keys):
        return keys
    top = int(keys.max()) + 1
    if top <= 200_000_000:
        seen = np.zeros(top, dtype=bool)
        seen[keys] = True
        out: np.ndarray = np.flatnonzero(seen)
        return out
    return np.unique(keys)


def _off_seconds(cal: Calendars, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Seconds of [a, b] outside each instance's calendar (0 where it has none)."""
    out = np.zeros(len(a))
    has = cal.group_of >= 0
    if not has.any() or not len(cal.grid):
        return out
    g = cal.group_of[has]
    on_s = cal.grid.astype(float) * _HOUR
    cum = np.concatenate([np.zeros((len(on_s), 1)), np.cumsum(on_s, axis=1)], axis=1)  # (G, 169)

    def available_until(t: np.ndarray) -> np.ndarray:
        week = np.floor(t / _WEEK)
        within = t - week * _WEEK
        h = np.minimum((within // _HOUR).astype(np.int64), 167)
        value: np.ndarray = week * cum[g, 168] + cum[g, h] + cal.grid[g, h] * (within - h * _HOUR)
        return value

    aa, bb = a[has], b[has]
    span = np.maximum(bb - aa, 0.0)
    out[has] = np.clip(span - (available_until(bb) - available_until(aa)), 0.0, span)
    return out


def _first_on(cal: Calendars, t: np.ndarray) -> np.ndarray:
    """The first on-duty moment at or after t (t itself when on duty or without a calendar; +inf: never)."""
    out = t.copy()
    has = cal.group_of >= 0
    if not has.any() or not len(cal.grid):
        return out
    g = cal.group_of[has]
    tt = t[has]
    # next working hour at or after each hour of the week, over two weeks (wrap-around)
    twice = np.concatenate([cal.grid, cal.grid], axis=1)
    idx = np.where(twice, np.arange(336)[None, :], 10**6)
    nxt = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1][:, :168]  # (G, 168)
    week = np.floor(tt / _WEEK)
    within = tt - week * _WEEK
    h = np.minimum((within // _HOUR).astype(np.int64), 167)
    n_h = nxt[g, h]
    first = np.where(n_h >= 10**6, np.inf, week * _WEEK + n_h * _HOUR)
    out[has] = np.where(cal.grid[g, h], tt, first)
    return out


def _busy_split(
    res: np.ndarray, start: np.ndarray, end: np.ndarray, ready: np.ndarray, after: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(busy seconds of the own resource in [after, start], share of it spent on cases ready later)."""
    n = len(res)
    busy = np.zeros(n)
    share = np.zeros(n)
    rows = np.flatnonzero(res >= 0)
    if not len(rows):
        return busy, share
    order = rows[np.lexsort((start[rows], res[rows]))]
    r, s, e = res[order].astype(float), start[order], end[order]
    span = float(np.nanmax(end) - min(np.nanmin(ready), np.nanmin(start))) + 10.0
    base = np.nanmin(np.r_[ready, start])
    key_s, key_e = r * span + (s - base), r * span + (e - base)
    # merged busy blocks per resource: a new block where a start lies beyond every earlier end
    reach = np.maximum.accumulate(key_e)
    new = np.r_[True, key_s[1:] > reach[:-1]]
    block = np.cumsum(new) - 1
    b_start = key_s[new]
    b_end = np.maximum.reduceat(key_e, np.flatnonzero(new))
    b_len = b_end - b_start
    cum_before = np.r_[0.0, np.cumsum(b_len)[:-1]]
    del block

    def busy_until(t_key: np.ndarray) -> np.ndarray:
        k = np.searchsorted(b_start, t_key, side="right") - 1
        kk = np.maximum(k, 0)
        val = cum_before[kk] + np.clip(t_key - b_start[kk], 0.0, b_len[kk])
        return np.where(k >= 0, val, 0.0)

    q_a = r * span + (after[order] - base)
    q_b = key_s
    busy[order] = np.maximum(busy_until(q_b) - busy_until(q_a), 0.0)
    # overtaking split: scan back over the resource's starts inside the wait, then the one instance
    # that was already running when the wait began (longer-running multitasking only shifts the split)
    rdy = ready[order]
    lo = after[order]
    idx = np.flatnonzero(busy[order] > 0)
    ri, si, loi, rdi = r[idx], s[idx], lo[idx], rdy[idx]
    tot = np.zeros(len(idx))
    lat = np.zeros(len(idx))
    alive = np.arange(len(idx))
    k = 1
    while len(alive) and k <= SCAN_MAX:
        j = idx[alive] - k
        ok = j >= 0
        j = np.where(ok, j, 0)
        ok &= r[j] == ri[alive]
        alive, j = alive[ok], j[ok]
        overlap = np.clip(np.minimum(e[j], si[alive]) - np.maximum(s[j], loi[alive]), 0.0, None)
        tot[alive] += overlap
        lat[alive] += overlap * (rdy[j] > rdi[alive])
        alive = alive[s[j] >= loi[alive]]  # stop after the first instance started before the wait
        k += 1
    total = np.zeros(len(order))
    later = np.zeros(len(order))
    total[idx], later[idx] = tot, lat
    share[order] = np.where(total > 0, later / np.where(total > 0, total, 1.0), 0.0)
    return busy, share


def _per_group_quantile(groups: np.ndarray, values: np.ndarray, q: float) -> np.ndarray:
    """Per row: the q-quantile of ``values`` within its group."""
    codes, _ = pd.factorize(groups)
    per_group = pd.Series(values).groupby(codes).quantile(q).to_numpy(dtype=float)
    out: np.ndarray = per_group[codes]
    return out


WAITING_COLUMNS = ("activity", "department", "count", "wait_total_s", "wait_share", *CAUSE_COLUMNS)


def rank_waiting(inst: pd.DataFrame, causes: WaitingCauses, activities: pd.DataFrame) -> pd.DataFrame:
    """Activities by total waiting, largest first (ties: activity name), with the seconds per cause.

    ``wait_total_s`` and ``department`` are those of the activities table; the cause columns are NaN
    when causes were not computed (complete-only logs).
    """
    if activities.empty:
        return pd.DataFrame(columns=list(WAITING_COLUMNS))
    out = activities[["activity", "department", "count", "wait_total_s", "wait_share"]].copy()
    sums = _sum_by(inst[I.ACTIVITY], causes)
    for col in CAUSE_COLUMNS:
        out[col] = out["activity"].map(sums[col]).astype(float) if sums is not None else np.nan
    out = out.sort_values(["wait_total_s", "activity"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[list(WAITING_COLUMNS)]


def _sum_by(keys: pd.Series, causes: WaitingCauses) -> pd.DataFrame | None:
    if causes.parts is None:
        return None
    return causes.parts.groupby(keys.to_numpy(), sort=True).sum()


def waiting_by_resource(inst: pd.DataFrame, causes: WaitingCauses) -> pd.DataFrame:
    """Per resource: instances, total waiting of its work and the causes, in hours (rounded) — for CSV."""
    frame = pd.DataFrame({"resource": inst[I.RESOURCE].fillna("(none)").to_numpy(), "wait_s": inst[I.WAIT].to_numpy()})
    if causes.parts is not None:
        frame = pd.concat([frame, causes.parts.reset_index(drop=True)], axis=1)
    out = frame.groupby("resource", sort=True).agg(instances=("wait_s", "size"), **_hour_aggs(causes))
    return out.reset_index().sort_values(["wait_total_h", "resource"], ascending=[False, True]).reset_index(drop=True)


def waiting_by_handoff(inst: pd.DataFrame, causes: WaitingCauses) -> pd.DataFrame:
    """Per department hand-off (the previous step's department differs): count, total waiting, causes in hours."""
    prev, cur = inst[I.PREV_DEP_CODE].to_numpy(), inst[I.DEP_CODE].to_numpy()
    moved = (prev >= 0) & (cur >= 0) & (prev != cur)
    names = I.labels_of(inst, I.DEPARTMENT, I.DEP_CODE)
    n_dep = len(names)
    columns = ["from_department", "to_department", "count", "wait_total_h"]
    if causes.parts is not None:
        columns += [f"{c}_h" for c in CAUSES]
    if not moved.any() or not n_dep:
        return pd.DataFrame(columns=columns)
    key = prev[moved] * n_dep + cur[moved]
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    out = pd.DataFrame(
        {
            "from_department": np.asarray(names, dtype=object)[uniq // n_dep],
            "to_department": np.asarray(names, dtype=object)[uniq % n_dep],
            "count": counts,
            "wait_total_h": np.round(np.bincount(inverse, weights=inst[I.WAIT].to_numpy()[moved]) / _HOUR, 2),
        }
    )
    if causes.parts is not None:
        for c in CAUSES:
            values = causes.parts[f"{c}_s"].to_numpy()[moved]
            out[f"{c}_h"] = np.round(np.bincount(inverse, weights=values) / _HOUR, 2)
    out = out.sort_values(["wait_total_h", "from_department", "to_department"], ascending=[False, True, True])
    return out.reset_index(drop=True)[columns]


def with_handoff_causes(handoffs: pd.DataFrame, by_handoff: pd.DataFrame) -> pd.DataFrame:
    """The hand-off table with ``<cause>_s`` columns (seconds per cause; absent on complete-only logs)."""
    cause_h = [f"{c}_h" for c in CAUSES if f"{c}_h" in by_handoff.columns]
    if handoffs.empty or not cause_h:
        return handoffs
    keys = ["from_department", "to_department"]
    extra = by_handoff[keys + cause_h].copy()
    for col in cause_h:
        extra[col[:-2] + "_s"] = extra.pop(col) * _HOUR
    return handoffs.merge(extra, on=keys, how="left")


def _hour_aggs(causes: WaitingCauses) -> dict[str, tuple[str, object]]:
    aggs: dict[str, tuple[str, object]] = {"wait_total_h": ("wait_s", _hours)}
    if causes.parts is not None:
        aggs.update({f"{c}_h": (f"{c}_s", _hours) for c in CAUSES})
    return aggs


def _hours(values: pd.Series) -> float:
    return round(float(values.sum()) / _HOUR, 2)


@dataclass(frozen=True, slots=True)
class WaitingItem:
    """One activity's waiting: its total, its share of all waiting and the seconds per cause (``CAUSES``).

    ``causes`` is None when the causes were not computed (complete-only logs; ``MiningResult.causes_note``
    says why).
    """

    activity: str
    department: str | None
    wait_total_s: float
    wait_share: float
    causes: Mapping[str, float] | None

    def main_cause(self) -> tuple[str, float] | None:
        """(largest cause, its share of this step's waiting); ties go to the cause listed first in ``CAUSES``."""
        if self.causes is None or not self.wait_total_s:
            return None
        causes = self.causes
        name = max(CAUSES, key=lambda c: (causes.get(c, 0.0), -CAUSES.index(c)))
        return name, causes.get(name, 0.0) / self.wait_total_s


def waiting_items(table: pd.DataFrame, note: str | None) -> tuple[WaitingItem, ...]:
    """The rows of ``rank_waiting``'s table as typed items, largest waiting first."""
    return tuple(
        WaitingItem(
            activity=str(row.activity),
            department=row.department if isinstance(row.department, str) else None,
            wait_total_s=float(row.wait_total_s),
            wait_share=float(row.wait_share),
            causes={c: float(getattr(row, f"{c}_s")) for c in CAUSES} if note is None else None,
        )
        for row in table.itertuples(index=False)
    )


def waiting_records(table: pd.DataFrame, note: str | None) -> list[dict[str, object]]:
    """The ``waiting`` list of ``mine --json`` (see docs/CONTRACTS.md)."""
    items: list[dict[str, object]] = []
    for w in waiting_items(table, note):
        item: dict[str, object] = {
            "activity": w.activity,
            "department": w.department,
            "wait_total_s": w.wait_total_s,
            "wait_share": w.wait_share,
            "causes": dict(w.causes) if w.causes is not None else None,
        }
        if note is not None:
            item["causes_note"] = note
        items.append(item)
    return items
