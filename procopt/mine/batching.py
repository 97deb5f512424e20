"""Stage 2 (mine): batches and fixed-schedule releases.

Picture a finance director who signs the day's orders once, at 16:00, or a truck that leaves the
dock at 10:00 and 15:00: work waits for the clock, not for a free person. Such an activity shows its
instances *starting* (complete-only logs: completing) at the same few clock times day after day.

Detection: find up to four one-hour clock windows holding the instances' start times (the
first at least a quarter of them, each further one at least a tenth). The activity is batched when those windows hold at least half of its
instances while the work *became ready* (the previous step's completion) in that hour or the hour
before far less often — a queue released by the clock, not work that simply arrives then. The release time is the
most common first start of the day within the window, and a window counts only when the day's first
start falls within 5 minutes of it on at least 60 % of the days (a busy hour starts at varying times). pm4py's batch detection (``pm4py.discover_batches``) groups by resource and
interval overlap; it misses a fixed release when only one or two items arrive per day, so it is not
used here.

Output: :class:`BatchPattern` per batched activity, with release times ("16:00"), weekdays, share of
instances released in batches, mean batch size and the waiting of batched instances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procopt.mine import instances as I

SLOT_MIN = 10
WINDOW_SLOTS = 6  # one hour
WINDOW_SHARE = 0.25
NEXT_WINDOW_SHARE = 0.10
RELEASE_TOLERANCE_MIN = 5
MIN_CONSISTENT_DAYS = 0.6
MIN_INSTANCES = 20
MIN_BATCHED_SHARE = 0.7
MAX_RELEASES = 4
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class BatchPattern:
    """A batched activity: when it is released and what that costs in waiting."""

    activity: str
    release_times: tuple[str, ...]
    weekdays: tuple[str, ...]
    batched_share: float
    instances: int
    mean_batch_size: float
    release_days_share: float
    wait_median_s: float
    wait_total_s: float
    basis: str  # "start" or "complete"
    trigger: str = "clock"  # "clock": released at fixed times; "size": released when ``batch_size`` have accumulated
    batch_size: int | None = None

    @property
    def pattern(self) -> str:
        """Readable pattern, e.g. 'daily at 16:00 (Mon-Fri)', 'at 14:00 on Tue, Thu' or 'when 10 have accumulated'."""
        if self.trigger == "size":
            return f"when {self.batch_size} have accumulated"
        times = " and ".join(self.release_times)
        if len(self.weekdays) >= 5:
            return f"daily at {times} ({_day_range(self.weekdays)})"
        return f"at {times} on {_day_range(self.weekdays)}"


def detect_batches(inst: pd.DataFrame, has_start: bool) -> tuple[tuple[BatchPattern, ...], tuple[str, ...]]:
    """Return (patterns ordered by waiting caused, notes)."""
    notes: list[str] = []
    if inst.empty:
        return (), ()
    clock = inst[I.START] if has_start else inst[I.END]
    midnight = (clock == clock.dt.normalize()).mean()
    if midnight >= 0.9:
        notes.append(
            f"{midnight:.0%} of timestamps are exactly midnight (dates without times): batch detection skipped."
        )
        return (), tuple(notes)
    patterns = []
    minutes = (clock.dt.hour * 60 + clock.dt.minute).to_numpy()
    # dates without times: exactly midnight, or the end-of-day stamp 23:59 some ERPs (SAP) write instead
    at_midnight = ((clock == clock.dt.normalize()) | ((clock.dt.hour == 23) & (clock.dt.minute == 59))).to_numpy()
    dated = []
    names = dict(zip(inst[I.ACT_CODE], inst[I.ACTIVITY], strict=False))
    groups = inst.groupby(I.ACT_CODE, sort=False).indices
    slim = inst[[I.ENABLED, I.WAIT, I.DEP_CODE]]  # the columns the detectors read: row subsets copy less
    day_starts = _department_day_starts(inst) if has_start else {}
    sized = inst[[I.RES_CODE, I.START, I.END, I.ENABLED, I.WAIT]]
    for activity, idx in sorted(((names[k], v) for k, v in groups.items()), key=lambda kv: kv[0]):
        if len(idx) < MIN_INSTANCES:
            continue
        if at_midnight[idx].mean() >= 0.5:  # a date recorded without a time, not a midnight/23:59 release
            dated.append(str(activity))
            continue
        if has_start:
            found = _timed_release(str(activity), slim.iloc[idx], clock.iloc[idx], day_starts)
            found = found or _size_batch(str(activity), sized.iloc[idx])
        else:
            found = _pattern(str(activity), slim.iloc[idx], clock.iloc[idx], minutes[idx], "complete")
        if found is not None:
            patterns.append(found)
    if dated:
        notes.append(
            f"Not checked for batches (recorded as dates without times, at 00:00 or 23:59): {', '.join(dated)}."
        )
    patterns.sort(key=lambda p: (-p.wait_total_s, p.activity))
    return tuple(patterns), tuple(notes)


BURST_MIN = 90  # a release's burst of starts: this many minutes after the release time
QUIET_MIN = 60  # ...preceded by this many minutes with few starts although work was waiting
QUIET_SHARE = 0.15  # "few": at most this share of the burst's starts
HELD_SHARE = 0.15  # the main release time holds at least this share of the instances (each further one 5 %)...
NEXT_HELD_SHARE = 0.05
HELD_IN_BURST = 0.6  # ...and most of its burst is work that was ready before it
MIN_HELD_SHARE = 0.5  # an activity is batched when releases held at least half of its instances
MIN_BURST_SHARE = 0.6  # the bursts after the release times hold most of the activity's starts
QUEUE_AFTER_H = 3.0  # work started up to this long after a release still waited for it (then queued)
SHIFT_MIN_H = 6.0  # a single burst at the start of a working day at least this long is the shift, not a release
SHIFT_TOLERANCE_MIN = 30
MAX_SCAN = 5_000  # instances per activity used to find release times (a deterministic sample beyond)


def _timed_release(
    activity: str, rows: pd.DataFrame, clock: pd.Series, day_starts: dict[int, tuple[float, float]]
) -> BatchPattern | None:
    """Fixed release times inferred from timing: work ready before T, a quiet hour before T, a burst of starts after T.

    Queueing after the release (two clerks taking turns over the next hour) does not hide it: the burst
    is measured over ``BURST_MIN`` minutes and its first start of the day marks the release instant.
    """
    n_all = len(rows)
    step = max(1, n_all // MAX_SCAN)
    wait_all = rows[I.WAIT].to_numpy(dtype=float)
    ns = clock.to_numpy().astype("datetime64[ns]").astype(np.int64)
    minute_all = (ns // 60_000_000_000) % 1440
    minute, wait = minute_all[::step], wait_all[::step]
    n = len(minute)
    starts_per_min = np.bincount(minute, minlength=1440).astype(float)
    ring = np.concatenate([starts_per_min, starts_per_min])
    csum = np.r_[0.0, np.cumsum(ring)]
    grid = np.arange(0, 1440, 5)
    burst = csum[grid + BURST_MIN] - csum[grid]
    quiet = csum[grid + 1440] - csum[grid + 1440 - QUIET_MIN]
    # held: started d minutes after T (d < BURST_MIN) and ready before the quiet hour before T: work that
    # waited through it (work that became ready just before T follows an upstream release, not a rule)
    delta = (minute[None, :] - grid[:, None]) % 1440
    held = ((delta < BURST_MIN) & (wait[None, :] > (delta + QUIET_MIN) * 60.0)).sum(axis=1).astype(float)
    ok = (
        (held >= NEXT_HELD_SHARE * n)
        & (quiet <= QUIET_SHARE * np.maximum(burst, 1.0))
        & (held >= HELD_IN_BURST * burst)
    )
    chosen: list[int] = []
    score = np.where(ok, held, -1.0)
    while len(chosen) < MAX_RELEASES and score.max() > 0:
        best = int(np.argmax(score))
        if not chosen and held[best] < HELD_SHARE * n:
            break
        chosen.append(int(grid[best]))
        near = np.abs(((grid - grid[best] + 720) % 1440) - 720) < BURST_MIN + QUIET_MIN
        score[near] = -1.0
    if not chosen:
        return None
    days = ns // 86_400_000_000_000
    releases: list[int] = []
    for t in chosen:
        d = (minute_all - t) % 1440
        member = (d < BURST_MIN) & (wait_all > d * 60.0)
        if not member.any():
            continue
        # the release instant: the most common first start of the day within the burst (5-minute grid)
        first = pd.Series(d[member]).groupby(days[member]).min()
        releases.append(int((t + int((first // 5 * 5).mode().min())) % 1440))
    if not releases:
        return None
    in_burst = np.zeros(n_all, dtype=bool)
    for r in releases:
        in_burst |= (minute_all - r) % 1440 < BURST_MIN
    if in_burst.mean() < MIN_BURST_SHARE:
        return None  # starts spread over the working day: a queue worked down, with quiet nights or lunch breaks
    dep = rows[I.DEP_CODE].to_numpy()
    dep_mode = int(pd.Series(dep).mode().iloc[0]) if len(dep) else -1
    if len(releases) == 1 and dep_mode in day_starts:
        day_start, day_len = day_starts[dep_mode]
        if day_len >= SHIFT_MIN_H and abs(releases[0] - day_start) <= SHIFT_TOLERANCE_MIN:
            return None  # the morning's backlog after a night off: unavailability, not a release
    times = tuple(sorted(f"{r // 60:02d}:{r % 60:02d}" for r in releases))
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    provisional = BatchPattern(activity, times, tuple(_DAYS), 0.0, n_all, 0.0, 0.0, 0.0, 0.0, "start")
    rel = _release_instants(ns, provisional)
    start_ns = ns
    ready_ns = start_ns - (wait_all * 1e9).astype(np.int64)
    held_mask = (rel > ready_ns) & (start_ns - rel <= QUEUE_AFTER_H * 3600 * 10**9)
    share = float(held_mask.mean())
    if share < MIN_HELD_SHARE:
        return None
    wd_counts = np.bincount(weekday[held_mask], minlength=7)
    weekdays = tuple(_DAYS[d] for d in range(7) if wd_counts[d] >= 0.05 * held_mask.sum() / 7 and wd_counts[d] > 0)
    release_id = rel[held_mask]
    sizes = np.unique(release_id, return_counts=True)[1]
    active_days = len(np.unique(days))
    return BatchPattern(
        activity=activity,
        release_times=times,
        weekdays=weekdays,
        batched_share=share,
        instances=n_all,
        mean_batch_size=float(sizes.mean()) if len(sizes) else 0.0,
        release_days_share=float(len(np.unique(release_id // 86_400_000_000_000)) / max(active_days, 1)),
        wait_median_s=float(np.median(wait_all[held_mask])),
        wait_total_s=float(wait_all[held_mask].sum()),
        basis="start",
    )


def _department_day_starts(inst: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """Per department code: (usual first start of the day in minutes, usual working-day length in hours)."""
    dep = inst[I.DEP_CODE].to_numpy()
    ok = dep >= 0
    if not ok.any():
        return {}
    s = inst[I.START].to_numpy().astype("datetime64[ns]").astype(np.int64)[ok]
    e = inst[I.END].to_numpy().astype("datetime64[ns]").astype(np.int64)[ok]
    frame = pd.DataFrame({"dep": dep[ok], "day": s // 86_400_000_000_000, "s": s, "e": e})
    per_day = frame.groupby(["dep", "day"]).agg(first=("s", "min"), last=("e", "max"))
    first_min = (per_day["first"] // 60_000_000_000) % 1440
    length_h = (per_day["last"] - per_day["first"]) / 3.6e12
    stats = pd.DataFrame({"first": first_min, "len": length_h}).groupby(level="dep").median()
    return {int(k): (float(r["first"]), float(r["len"])) for k, r in stats.iterrows()}


SIZE_GAP_S = 60.0  # members of one batch are worked back to back (or together)
SIZE_PROMPT_S = 900.0  # ...starting within 15 minutes of the moment the last member became ready
MIN_SIZE_SHARE = 0.6  # share of instances in such batches
MIN_SIZE_CONSISTENCY = 0.5  # share of batches with the most common size


@dataclass(frozen=True, slots=True)
class SizeTrigger:
    """What :func:`size_trigger` found: the usual batch size and how the runs behaved."""

    size: int  # the most common size of the runs that started promptly once full
    share: float  # share of instances in such runs
    mean_size: float
    #: per instance (in the order given): in a run released when full
    triggered: np.ndarray
    #: the longest a run took to fill (its first member ready -> its last member ready), seconds
    max_fill_s: float


def _size_groups(
    res: np.ndarray, s: np.ndarray, e: np.ndarray, r: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, batch id per ordered row, ready instant of the batch's last member per ordered row) in ns.

    A run is one person's back-to-back work; runs of several people that start together (first starts
    within ``SIZE_GAP_S``) are one batch shared out over the team — a batch of 8 taken by two clerks leaves
    two runs of 4 starting at the release.
    """
    order = np.lexsort((s, res))
    res, s, e, r = res[order], s[order], e[order], r[order]
    if not len(s):
        return order, np.zeros(0, np.int64), np.zeros(0, np.int64)
    new = np.r_[True, (res[1:] != res[:-1]) | (s[1:] > e[:-1] + int(SIZE_GAP_S * 1e9))]
    run = np.cumsum(new) - 1
    run_first = s[np.flatnonzero(new)]  # the run's first start (rows are sorted by start within a person)
    by_start = np.argsort(run_first, kind="stable")
    together = np.r_[True, np.diff(run_first[by_start]) > int(SIZE_GAP_S * 1e9)]
    batch_of_run = np.empty(len(run_first), np.int64)
    batch_of_run[by_start] = np.cumsum(together) - 1
    group = batch_of_run[run]
    full = pd.Series(r).groupby(group).transform("max").to_numpy()
    return order, group, full


def _ns(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(values).astype("datetime64[ns]").astype(np.int64)


def size_trigger(
    resource: np.ndarray, start_ns: np.ndarray, end_ns: np.ndarray, ready_ns: np.ndarray
) -> SizeTrigger | None:
    """A batch released when N have accumulated, from one activity's instances (int resource codes, -1 = none).

    Such a batch leaves back-to-back runs by one person (each starting within ``SIZE_GAP_S`` of the previous
    one's end) that start promptly (``SIZE_PROMPT_S``) after their *last* member became ready, and whose
    sizes are mostly the same. Work released at clock times also forms runs, but their start does not follow
    the last member's readiness; a plain queue forms runs of varying size. Shared by the miner and calibration.
    """
    n = len(start_ns)
    if n < MIN_INSTANCES or (resource < 0).all():
        return None
    order, group, full = _size_groups(resource, start_ns, end_ns, ready_ns)
    s = start_ns[order]
    first_start = pd.Series(s).groupby(group).transform("min").to_numpy()
    size = np.bincount(group)[group]
    ordered = (size >= 2) & (first_start >= full) & (first_start - full <= int(SIZE_PROMPT_S * 1e9))
    share = float(ordered.mean())
    if share < MIN_SIZE_SHARE:
        return None
    sizes = np.bincount(group[ordered])
    sizes = sizes[sizes > 0]
    values, counts = np.unique(sizes, return_counts=True)
    if counts.max() < MIN_SIZE_CONSISTENCY * counts.sum():
        return None
    triggered = np.zeros(n, dtype=bool)
    triggered[order] = ordered
    first_ready = pd.Series(ready_ns[order]).groupby(group).transform("min").to_numpy()
    fill = (full - first_ready)[ordered]
    return SizeTrigger(
        size=int(values[np.argmax(counts)]),
        share=share,
        mean_size=float(sizes.mean()),
        triggered=triggered,
        max_fill_s=float(fill.max()) / 1e9 if len(fill) else 0.0,
    )


def _size_batch(activity: str, rows: pd.DataFrame) -> BatchPattern | None:
    """Released when N have accumulated (see :func:`size_trigger`)."""
    found = size_trigger(rows[I.RES_CODE].to_numpy(), _ns(rows[I.START]), _ns(rows[I.END]), _ns(rows[I.ENABLED]))
    if found is None:
        return None
    wait = rows[I.WAIT].to_numpy(dtype=float)[found.triggered]
    return BatchPattern(
        activity=activity,
        release_times=(),
        weekdays=(),
        batched_share=found.share,
        instances=len(rows),
        mean_batch_size=found.mean_size,
        release_days_share=float("nan"),
        wait_median_s=float(np.median(wait)),
        wait_total_s=float(wait.sum()),
        basis="start",
        trigger="size",
        batch_size=found.size,
    )


def _release_windows(minutes: np.ndarray) -> list[tuple[int, int]]:
    """Up to MAX_RELEASES one-hour clock windows, each holding >= WINDOW_SHARE of the instances."""
    remaining = np.ones(len(minutes), dtype=bool)
    windows: list[tuple[int, int]] = []
    for _ in range(MAX_RELEASES):
        counts = np.bincount(minutes[remaining] // SLOT_MIN, minlength=24 * 60 // SLOT_MIN)
        per_window = np.convolve(np.concatenate([counts, counts[: WINDOW_SLOTS - 1]]), np.ones(WINDOW_SLOTS), "valid")
        best = int(np.argmax(per_window))
        if per_window[best] < (WINDOW_SHARE if not windows else NEXT_WINDOW_SHARE) * len(minutes):
            break
        lo, hi = best * SLOT_MIN, best * SLOT_MIN + WINDOW_SLOTS * SLOT_MIN
        windows.append((lo, hi))
        remaining &= ~_in_window(minutes, lo, hi)
    return windows


def _in_window(minutes: np.ndarray, lo: int, hi: int) -> np.ndarray:
    if hi <= 24 * 60:
        return (minutes >= lo) & (minutes < hi)
    return (minutes >= lo) | (minutes < hi - 24 * 60)


def _pattern(
    activity: str, rows: pd.DataFrame, clock: pd.Series, minutes: np.ndarray, basis: str
) -> BatchPattern | None:
    windows = _release_windows(minutes)
    if not windows:
        return None
    enabled = rows[I.ENABLED]
    enabled_min = (enabled.dt.hour * 60 + enabled.dt.minute).to_numpy()
    in_batch = np.zeros(len(minutes), dtype=bool)
    releases = []
    days = clock.dt.normalize().to_numpy()
    for lo, hi in windows:
        member = _in_window(minutes, lo, hi)
        # the release instant: the most common first start of the day within the window (5-minute
        # grid); a real release starts at that instant on most days, a busy hour does not
        first = pd.Series(minutes[member]).groupby(days[member]).min()
        mode = int((first // 5 * 5).mode().min())
        if ((first - mode).abs() <= RELEASE_TOLERANCE_MIN).mean() < MIN_CONSISTENT_DAYS:
            continue
        # work that became ready in (or just before) the window merely follows its arrivals
        arrived = _in_window(enabled_min % (24 * 60), (lo - 60) % (24 * 60), (lo - 60) % (24 * 60) + (hi - lo) + 60)
        if arrived.mean() / 2 > member.mean() / 2:  # per hour: two hours of arrivals vs one of starts
            continue
        in_batch |= member
        releases.append(f"{mode // 60:02d}:{mode % 60:02d}")
    share = float(in_batch.mean())
    if share < MIN_BATCHED_SHARE:
        return None
    batched_clock = clock[in_batch]
    day_slot = pd.DataFrame({"day": batched_clock.dt.normalize().to_numpy(), "slot": minutes[in_batch] // 60})
    sizes = day_slot.groupby(["day", "slot"]).size()
    active_days = clock.dt.normalize().nunique()
    release_days = day_slot["day"].nunique()
    weekday_counts = batched_clock.dt.weekday.value_counts()
    weekdays = tuple(
        _DAYS[d] for d in sorted(weekday_counts.index) if weekday_counts[d] >= 0.05 * len(batched_clock) / 7
    )
    wait = rows[I.WAIT].to_numpy()[in_batch]
    return BatchPattern(
        activity=activity,
        release_times=tuple(sorted(releases)),
        weekdays=weekdays,
        batched_share=share,
        instances=len(minutes),
        mean_batch_size=float(sizes.mean()),
        release_days_share=float(release_days / max(active_days, 1)),
        wait_median_s=float(np.median(wait)) if len(wait) else float("nan"),
        wait_total_s=float(wait.sum()),
        basis=basis,
    )


def _day_range(days: tuple[str, ...]) -> str:
    """'Mon-Fri' for consecutive weekdays, else a comma list."""
    if not days:
        return "no fixed days"
    idx = [_DAYS.index(d) for d in days]
    if len(idx) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"{days[0]}-{days[-1]}"
    return ", ".join(days)


def batch_table(patterns: tuple[BatchPattern, ...]) -> pd.DataFrame:
    """Patterns as a table (one row per batched activity)."""
    rows = [
        {
            "activity": p.activity,
            "pattern": p.pattern,
            "release_times": " ".join(p.release_times),
            "weekdays": " ".join(p.weekdays),
            "batched_share": p.batched_share,
            "instances": p.instances,
            "mean_batch_size": p.mean_batch_size,
            "release_days_share": p.release_days_share,
            "wait_median_s": p.wait_median_s,
            "wait_total_s": p.wait_total_s,
            "basis": p.basis,
        }
        for p in patterns
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "activity",
            "pattern",
            "release_times",
            "weekdays",
            "batched_share",
            "instances",
            "mean_batch_size",
            "release_days_share",
            "wait_median_s",
            "wait_total_s",
            "basis",
        ],
    )


def _release_instants(start_ns: np.ndarray, pattern: BatchPattern) -> np.ndarray:
    """Per start (int64 ns): the latest release instant of a clock pattern at or before it (int64 ns)."""
    days = [_DAYS.index(d) for d in pattern.weekdays] or list(range(7))
    offsets = np.array(
        sorted(d * 86400 + int(t[:2]) * 3600 + int(t[3:5]) * 60 for d in days for t in pattern.release_times),
        dtype=np.int64,
    )
    monday = np.datetime64("2024-01-01", "ns").astype(np.int64)  # a Monday
    rel_s = np.floor_divide(start_ns - monday, 10**9)
    week = np.floor_divide(rel_s, 7 * 86400)
    within = rel_s - week * 7 * 86400
    k = np.searchsorted(offsets, within, side="right") - 1
    instant = np.where(k < 0, (week - 1) * 7 * 86400 + offsets[-1], week * 7 * 86400 + offsets[np.maximum(k, 0)])
    result: np.ndarray = monday + instant * 10**9
    return result


def release_at(inst: pd.DataFrame, patterns: tuple[BatchPattern, ...]) -> np.ndarray:
    """Per instance: the release instant it waited for (datetime64[ns]); NaT when its activity is not batched.

    Clock patterns: the latest release (a release time on one of its weekdays) at or before the
    instance's start — work started at 10:40 after a 10:00 release waited for 10:00, then queued.
    Size patterns: the moment the last member of its back-to-back run became ready.
    """
    out = np.full(len(inst), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not patterns or inst.empty:
        return out
    acts = inst[I.ACTIVITY].to_numpy()
    starts = inst[I.START].to_numpy().astype("datetime64[ns]").astype(np.int64)
    for pattern in patterns:
        if pattern.basis != "start":
            continue
        rows = np.flatnonzero(acts == pattern.activity)
        if not len(rows):
            continue
        if pattern.trigger == "size":
            sub = inst.iloc[rows]
            order, _, full = _size_groups(
                sub[I.RES_CODE].to_numpy(), _ns(sub[I.START]), _ns(sub[I.END]), _ns(sub[I.ENABLED])
            )
            values = np.empty(len(rows), dtype=np.int64)
            values[order] = full
        elif pattern.release_times:
            values = _release_instants(starts[rows], pattern)
        else:
            continue
        out[rows] = values.astype("datetime64[ns]")
    return out
