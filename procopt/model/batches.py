"""Stage 3 (model): batch releases — "the director signs at 16:00" or "labels are printed ten at a time".

With start times, an instance either starts a *run* (its resource pool was idle: nobody of the activity
finished at that instant) or continues one (it starts the second the previous instance ended). In an
ordinary queue, runs start at random times; in a batch they start at the release times. So: find the
clock minutes at which runs start on at least 20 % of the active days; when runs starting there hold at
least 95 % of the instances (a shift that opens at 06:00 also starts many runs then, but work arriving during
the shift starts at once — a release never lets work through at other times), the activity is batched. Complete-only logs use completion minutes instead.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from procopt.log import columns as C
from procopt.mine.batching import size_trigger
from procopt.model.calendars import DAY_S, WEEK_S, format_clock, parse_clock, working_seconds
from procopt.model.types import WEEKDAYS, BatchRule, Calendar


def detect_batch(instances: pd.DataFrame, *, has_start: bool, calendar: Calendar | None = None) -> BatchRule | None:
    """A ``BatchRule`` for one activity's instances, or None when it is not released at fixed times.

    ``calendar`` (the organisation's overall working hours) tells a release from the morning opening: work
    that arrived overnight and starts at 06:00 waited for the shift, not for a release, so the wait of the
    first instances is measured in working time.
    """
    if len(instances) < 20:
        return None
    if has_start:
        inst = instances.dropna(subset=[C.START]).sort_values([C.START, C.END], kind="stable")
        starts = inst[C.START].to_numpy(dtype="datetime64[s]").astype("int64")
        ends = inst[C.END].to_numpy(dtype="datetime64[s]").astype("int64")
        end_set = set(ends.tolist())
        head = np.array([s not in end_set for s in starts.tolist()], dtype=bool)
        # chain id of every instance: runs continue while an instance starts when another ended
        if len(head):
            head[0] = True  # the first instance always opens a run, even if it starts when another ended
        run_id = np.cumsum(head) - 1
        times = inst[C.START][head]
        weight = np.bincount(run_id, minlength=int(head.sum()))  # instances per run
    else:
        times = instances[C.END].dropna()
        weight = np.ones(len(times), dtype=int)
    if len(times) == 0:
        return None
    minute = ((times - times.dt.normalize()).dt.total_seconds().to_numpy() // 60).astype(int)
    days = times.dt.normalize()
    n_days = days.nunique()
    per_minute = pd.Series(days.to_numpy()).groupby(minute).nunique()
    modes = sorted(int(m) for m, n in per_minute.items() if n >= max(5, 0.2 * n_days))
    if not modes or len(modes) > 6:
        return None
    at_mode = np.isin(minute, modes)
    if weight[at_mode].sum() < 0.95 * weight.sum():
        return None
    if has_start and "enabled" in inst.columns:
        # a release makes ready work wait; work that merely follows another batch was not waiting
        heads = inst[head][at_mode]
        if calendar is not None:
            waited = pd.Series(working_seconds(calendar, heads["enabled"], heads[C.START])).dropna()
        else:
            waited = (heads[C.START] - heads["enabled"]).dt.total_seconds().dropna()
        if len(waited) and float(waited.median()) < 600.0:
            return None
    wd = pd.Series(times.dt.weekday.to_numpy()[at_mode])
    present = pd.Series(times.dt.weekday.to_numpy()).value_counts()
    counts = wd.value_counts()
    weekdays = tuple(WEEKDAYS[d] for d in range(7) if counts.get(d, 0) >= 0.2 * present.get(d, 0) > 0)
    return BatchRule(tuple(format_clock(m * 60.0) for m in modes), weekdays or WEEKDAYS[:5])


def detect_size_batch(instances: pd.DataFrame) -> BatchRule | None:
    """A size-triggered ``BatchRule`` for one activity's instances (start times and ``enabled`` needed), or None.

    The same evidence the miner reports (``procopt.mine.batching.size_trigger``): runs of one person that
    start as soon as their last member is ready, mostly of one size N. ``max_wait_hours`` is the longest any
    such run took to fill (whole hours, rounded up): the log never shows work held longer, so the simulation
    lets an incomplete batch go then instead of holding the last cases of a quiet spell for ever.
    """
    if len(instances) < 20 or "enabled" not in instances.columns:
        return None
    inst = instances.dropna(subset=[C.START, C.END, "enabled"])
    codes = pd.factorize(inst[C.RESOURCE], use_na_sentinel=True)[0]
    ns = [inst[c].to_numpy(dtype="datetime64[ns]").astype("int64") for c in (C.START, C.END, "enabled")]
    found = size_trigger(codes, *ns)
    if found is None:
        return None
    return BatchRule((), (), size=found.size, max_wait_hours=max(1.0, math.ceil(found.max_fill_s / 3600.0)))


def next_release_times(rule: BatchRule, ts: pd.Series) -> pd.Series:
    """For each timestamp, the first release instant of ``rule`` at or after it (unchanged for a size rule)."""
    if rule.size is not None or not rule.release_times:
        return ts
    table = np.array(
        sorted(WEEKDAYS.index(d) * DAY_S + parse_clock(t) for d in rule.weekdays for t in rule.release_times)
    )
    monday = pd.Timestamp("2000-01-03")
    secs = (pd.to_datetime(ts) - monday).dt.total_seconds().to_numpy(dtype=float)
    weeks = np.floor(secs / WEEK_S)
    rem = secs - weeks * WEEK_S
    idx = np.searchsorted(table, rem, side="left")
    wrap = idx >= len(table)
    idx = np.where(wrap, 0, idx)
    out = (weeks + wrap) * WEEK_S + table[idx]
    return pd.Series(monday + pd.to_timedelta(out, unit="s"), index=ts.index)
