"""Stage 3 (model): waiting that is not queueing — and durations when the log has no start times.

For every activity instance (with start times) the wait before it splits into parts:
``enabled`` (the previous step of the case ended) -> ``release`` (next batch release, if batched) ->
``free`` (the person who did it finished their previous task) -> ``start``. Only the last gap, counted in
the working time of the pool's calendar, is *extra*: the person was idle and the case was ready, yet
nothing happened — typically waiting for the customer or for a document. Queueing (the person was busy)
and night-time are explained by the model itself and must not be counted twice.

When the pool is saturated the two overlap: a case may still be "waiting for papers" while it would
have queued anyway, and its delay is censored. Calibration therefore measures the delay on the instances
that started while somebody else of the pool was idle just before — their whole wait was extra delay —
which is close to unbiased because whether the pool happens to be full at the moment a case becomes ready
hardly depends on the case's own delay. (Checked on the generated O2C log: Check Credit's 2-hour hand-off
is recovered as 1.96 h although the analysts are ~90 % busy; counting every instance gives 0.4 h.)
With fewer than 20 such instances, every instance counts, up to the moment the pool became full.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.log import columns as C
from procopt.model.batches import next_release_times
from procopt.model.calendars import working_seconds
from procopt.model.distributions import empirical
from procopt.model.types import BatchRule, Calendar, Distribution


def enabled_times(events: pd.DataFrame, *, has_start: bool) -> pd.Series:
    """When each instance became ready: the latest end of an earlier instance of its case (NaT if first)."""
    key = C.START if has_start else C.END
    ev = events.sort_values([C.CASE, key, C.END], kind="stable")
    prev = _running_max(ev.groupby(C.CASE, sort=False)[C.END].shift(1), ev[C.CASE])
    if has_start:
        prev = prev.where(prev.isna() | (prev <= ev[C.START]), ev[C.START])
    return prev.reindex(events.index)


def resource_free_times(events: pd.DataFrame, *, has_start: bool) -> pd.Series:
    """When the executing resource finished its previous instance (NaT when unknown)."""
    key = C.START if has_start else C.END
    ev = events[events[C.RESOURCE].notna()].sort_values([C.RESOURCE, key, C.END], kind="stable")
    prev = _running_max(ev.groupby(C.RESOURCE, sort=False)[C.END].shift(1), ev[C.RESOURCE])
    if has_start:
        prev = prev.where(prev.isna() | (prev <= ev[C.START]), ev[C.START])
    return prev.reindex(events.index)


def _running_max(times: pd.Series, groups: pd.Series) -> pd.Series:
    """Per-group running maximum of timestamps (NaT = -inf)."""
    raw = pd.Series(times.to_numpy(dtype="datetime64[ns]").view("int64"), index=times.index)
    out = raw.groupby(groups.to_numpy(), sort=False).cummax().to_numpy()
    return pd.Series(out.view("datetime64[ns]"), index=times.index)


def pool_saturated_since(pool_events: pd.DataFrame, capacity: int | None, starts: pd.Series) -> pd.Series:
    """For each start time: since when every member of the pool had been busy without a break.

    Equal to the start itself when somebody was idle just before it. A case still waiting while somebody
    was idle was not ready yet, so its extra delay lasted at least until then (a lower bound; the rest of
    its wait is queueing).
    """
    ev = pool_events.dropna(subset=[C.START, C.END])
    if capacity is None or ev.empty:
        return starts.copy()
    times = np.concatenate(
        [
            ev[C.START].to_numpy(dtype="datetime64[ns]").view("int64"),
            ev[C.END].to_numpy(dtype="datetime64[ns]").view("int64"),
        ]
    )
    delta = np.concatenate([np.ones(len(ev)), -np.ones(len(ev))])
    order = np.lexsort((-delta, times))  # starts before ends at the same instant: hand-overs are no gap
    times, delta = times[order], delta[order]
    conc = np.cumsum(delta)
    full = conc >= capacity
    idx = np.arange(len(times))
    last_free = np.maximum.accumulate(np.where(full, -1, idx))
    q = starts.to_numpy(dtype="datetime64[ns]").view("int64")
    k = np.searchsorted(times, q, side="left") - 1
    kk = np.clip(k, 0, len(times) - 1)
    busy = (k >= 0) & full[kk]
    lf = last_free[kk]
    since = np.where(busy & (lf + 1 < len(times)), times[np.clip(lf + 1, 0, len(times) - 1)], q)
    since = np.where(busy & (lf < 0), times[0], since)
    return pd.Series(since.view("datetime64[ns]"), index=starts.index)


def extra_delay(
    instances: pd.DataFrame, calendar: Calendar, batch: BatchRule | None, mean_duration_s: float
) -> Distribution | None:
    """The extra-delay distribution of one activity, or None.

    ``instances`` carries ``enabled`` (case ready) and ``saturated`` (since when the pool was fully busy,
    see ``pool_saturated_since``). Kept when at least 5 % of the instances waited more than
    max(60 s, 5 % of the mean duration) while ready and with somebody of the pool idle; the distribution
    keeps the zeros too (empirical quantiles).
    """
    inst = instances.dropna(subset=["enabled", C.START])
    if len(inst) < 20:
        return None
    ready = inst["enabled"]
    if batch is not None:
        ready = next_release_times(batch, ready)
    until = inst["saturated"].where(inst["saturated"].notna(), inst[C.START])
    free = until == inst[C.START]
    if free.sum() >= 20:
        ready, until = ready[free], until[free]
    return _delay_distribution(working_seconds(calendar, ready, until), mean_duration_s)


#: same-person continuation at least this many times chance: the case's work follows its owner
OWNED_RATIO = 2.0
#: or each activity has fewer than this share of the pool as regular performers: specialised members
SPECIALISED_SHARE = 0.5


def performer_bound(pool_events: pd.DataFrame, members: int) -> bool:
    """True when a pool's members are not interchangeable, so the performer's own availability — not the
    pool's — says when a case could start (``extra_delay_resource`` then separates delay from queueing).

    Two signs, both measured on the pool's own events: the case's next step in the pool goes to the person
    who did its previous one far more often than chance (``OWNED_RATIO``: claims handled by their owner),
    or the typical activity is done by fewer than half of the members (effective number of performers,
    the exponential of the entropy of who did it: machines that each do their own operations). With under
    20 consecutive pairs and both signs absent, the pool counts as interchangeable.
    """
    ev = pool_events.dropna(subset=[C.RESOURCE])
    if members < 2 or len(ev) < 20:
        return False
    key = C.START if C.START in ev.columns and ev[C.START].notna().any() else C.END
    ev = ev.sort_values([C.CASE, key], kind="stable")
    who = ev[C.RESOURCE].astype(str)
    prev = who.groupby(ev[C.CASE].to_numpy(), sort=False).shift()
    ok = prev.notna()
    share = who.value_counts(normalize=True).to_numpy()
    chance = float((share**2).sum())
    if ok.sum() >= 20 and chance < 1.0 and float((prev[ok] == who[ok]).mean()) >= OWNED_RATIO * chance:
        return True
    weighted, total = 0.0, 0
    for _, g in ev.groupby(C.ACTIVITY, sort=False):
        p = g[C.RESOURCE].astype(str).value_counts(normalize=True).to_numpy()
        weighted += len(g) * float(np.exp(-(p * np.log(p)).sum()))
        total += len(g)
    return total > 0 and weighted / total < SPECIALISED_SHARE * members


def extra_delay_resource(instances: pd.DataFrame, calendar: Calendar, mean_duration_s: float) -> Distribution | None:
    """The extra delay of one activity measured against its performer's own availability.

    The wait from the later of ``enabled`` (the case was ready) and ``free`` (the person who did the work
    finished their previous task) to the start: the case was ready and its performer idle, yet nothing
    happened (Chapela-Campa & Dumas' extraneous delay, as Simod measures it). Waiting while the performer
    was busy is queueing, which the simulated pool produces itself — counting it here too made cases wait
    twice (on the Production log, 17 h per step on top of the queue). Same thresholds as ``extra_delay``.
    """
    inst = instances.dropna(subset=["enabled", C.START])
    if len(inst) < 20:
        return None
    ready, free = inst["enabled"], inst["free"]
    ready = ready.where(free.isna() | (free <= ready), free)
    return _delay_distribution(working_seconds(calendar, ready, inst[C.START]), mean_duration_s)


def _delay_distribution(gap: np.ndarray, mean_duration_s: float) -> Distribution | None:
    """Zero-inflated empirical delay, or None when (almost) nobody waited."""
    gap = np.clip(np.nan_to_num(gap, nan=0.0), 0.0, None)
    threshold = max(60.0, 0.05 * mean_duration_s)
    if (gap > threshold).mean() < 0.05 or gap.mean() < 60.0:
        return None
    return empirical(np.where(gap > threshold, gap, 0.0))


def estimate_durations(instances: pd.DataFrame, calendar: Calendar) -> np.ndarray:
    """Complete-only logs: working time since the later of the case's previous completion and the
    resource's previous completion (the work could not start before both). An upper bound: it still
    contains any queueing; the median of these gaps per activity is what calibration keeps.

    A case's first step is left out: its completion is the case's arrival, so nothing says when its work
    began (the resource's previous completion may be days earlier). Empty when every instance is first.
    """
    instances = instances[instances["enabled"].notna()]
    ready = instances["enabled"]
    free = instances["free"]
    begin = ready.where(free.isna() | (free <= ready), free)
    gap = working_seconds(calendar, begin, instances[C.END])
    kept: np.ndarray = gap[np.isfinite(gap) & (gap >= 0)]
    return kept


def extra_delay_complete_only(
    instances: pd.DataFrame, calendar: Calendar, batch: BatchRule | None, mean_work_s: float
) -> Distribution | None:
    """Complete-only logs: the non-work part of each gap between the case's previous completion and this one.

    The gap (working time of the pool's calendar from ``enabled`` — or the next batch release — to the
    completion) holds work, queueing and waiting (for the customer, for a 30-day closing rule). Work is
    what calibration estimated (``mean_work_s``); the rest becomes the extra delay: ``gap - mean_work``
    clipped at 0, then shrunk so that work + delay keeps the mean gap exactly (the clipping would otherwise
    add up to one mean work per instance). Queueing behind busy colleagues is counted here too — in a log
    without start times it cannot be told apart — so a saturated pool's wait may be slightly counted twice.
    None when fewer than 20 instances have a predecessor or the delay is negligible (mean < 60 s, or
    fewer than 5 % of instances waiting more than max(60 s, 5 % of the work)).
    """
    inst = instances.dropna(subset=["enabled", C.END])
    if len(inst) < 20:
        return None
    ready = inst["enabled"]
    if batch is not None:
        ready = next_release_times(batch, ready)
    gap = working_seconds(calendar, ready, inst[C.END])
    gap = np.clip(np.nan_to_num(gap, nan=0.0), 0.0, None)
    work = max(0.0, float(mean_work_s))
    extra = np.clip(gap - work, 0.0, None)
    target = float(gap.mean()) - work
    if target < 60.0 or extra.mean() <= 0:
        return None
    extra = extra * (target / float(extra.mean()))
    threshold = max(60.0, 0.05 * work)
    if (extra > threshold).mean() < 0.05:
        return None
    return empirical(np.where(extra > threshold, extra, 0.0))
