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

    @property
    def pattern(self) -> str:
        """Readable pattern, e.g. 'daily at 16:00 (Mon-Fri)' or 'at 14:00 on Tue, Thu'."""
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
    slim = inst[[I.ENABLED, I.WAIT]]  # the columns _pattern reads: row subsets copy less
    for activity, idx in sorted(((names[k], v) for k, v in groups.items()), key=lambda kv: kv[0]):
        if len(idx) < MIN_INSTANCES:
            continue
        if at_midnight[idx].mean() >= 0.5:  # a date recorded without a time, not a midnight/23:59 release
            dated.append(str(activity))
            continue
        found = _pattern(
            str(activity), slim.iloc[idx], clock.iloc[idx], minutes[idx], "start" if has_start else "complete"
        )
        if found is not None:
            patterns.append(found)
    if dated:
        notes.append(
            f"Not checked for batches (recorded as dates without times, at 00:00 or 23:59): {', '.join(dated)}."
        )
    patterns.sort(key=lambda p: (-p.wait_total_s, p.activity))
    return tuple(patterns), tuple(notes)


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
