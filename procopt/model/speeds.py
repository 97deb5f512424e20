"""Stage 3 (model): differentiated resources — each person's own speed.

Picture two credit analysts: the senior one clears a check in 30 minutes, the trainee needs 90. Pooled, both
take "60 minutes on average", which is right only while each does half the work; when the trainee is off, the
queue clears faster than the pooled model says. So each person gets a multiplier on the activity's standard
duration: the median, over the person's instances, of their duration divided by the activity's median
duration (a ratio, so a person doing long and short activities is compared like with like), shrunk towards
1 for people with few instances. A pool keeps its speeds only when they clearly differ: some person with 20+
instances is at least 25 % faster or slower than standard, and a Kruskal–Wallis test across people on the
ratios gives p < 1e-3. The activity's durations are then refitted on the standardised durations
(duration / the performer's multiplier), so a sampled duration times the performer's multiplier reproduces
what each person takes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from procopt.log import columns as C
from procopt.model.calendars import working_seconds
from procopt.model.distributions import fit_distribution
from procopt.model.types import Activity, Calendar, Pool

#: instances a person needs before their own speed counts in full (fewer: shrunk towards 1)
SHRINK_INSTANCES = 10.0
MIN_PERSON_INSTANCES = 20
CLEAR_FACTOR = 1.25


def fit_resource_speeds(
    events: pd.DataFrame,
    pools: Mapping[str, Pool],
    activities: Mapping[str, Activity],
    calendars: Mapping[str, Calendar],
) -> tuple[dict[str, Pool], dict[str, Activity]]:
    """Pools with their members' speeds (where people clearly differ) and the activities refitted to match."""
    ev = events.dropna(subset=[C.START, C.END, C.RESOURCE])
    new_pools, new_acts = dict(pools), dict(activities)
    for pname, pool in pools.items():
        if len(pool.members) < 2 or pool.capacity is None:
            continue
        acts = [a for a, act in activities.items() if act.pool == pname and act.batch is None]
        sub = ev[ev[C.ACTIVITY].isin(acts) & ev[C.RESOURCE].astype(str).isin(set(pool.members))]
        if len(sub) < 2 * MIN_PERSON_INSTANCES:
            continue
        cal = calendars[pool.calendar]
        dur = pd.Series(working_seconds(cal, sub[C.START], sub[C.END]), index=sub.index)
        med = dur.groupby(sub[C.ACTIVITY]).transform("median")
        ok = (dur > 0) & (med > 0) & np.isfinite(dur)
        if ok.sum() < 2 * MIN_PERSON_INSTANCES:
            continue
        log_ratio = np.log(dur[ok] / med[ok])
        who = sub.loc[ok, C.RESOURCE].astype(str)
        per = log_ratio.groupby(who).agg(["median", "size"])
        big = per[per["size"] >= MIN_PERSON_INSTANCES]
        if len(big) < 2 or not (np.exp(big["median"].abs()) >= CLEAR_FACTOR).any():
            continue
        groups = [log_ratio[who == r].to_numpy() for r in big.index]
        if float(stats.kruskal(*groups).pvalue) >= 1e-3:
            continue
        weight = per["size"] / (per["size"] + SHRINK_INSTANCES)
        speeds = {str(r): round(float(np.exp(w * m)), 4) for r, m, w in zip(per.index, per["median"], weight)}
        new_pools[pname] = dataclasses.replace(pool, speeds=speeds)
        factor = sub[C.RESOURCE].astype(str).map(speeds).fillna(1.0)
        for a in acts:
            mask = (sub[C.ACTIVITY] == a).to_numpy() & np.isfinite(dur.to_numpy())
            if mask.sum() < 2:
                continue
            raw = dur.to_numpy()[mask]
            std = raw / factor.to_numpy()[mask]
            act = activities[a]
            correction = float(std.mean() / raw.mean()) if raw.mean() > 0 else 1.0
            by = act.duration_by
            if by is not None:
                by = (by[0], {k: d.scaled(correction) for k, d in by[1].items()})
            new_acts[a] = dataclasses.replace(act, duration=fit_distribution(std), duration_by=by)
    return new_pools, new_acts
