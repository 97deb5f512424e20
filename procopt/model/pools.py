"""Stage 3 (model): resource pools from who does what.

Picture the finance department: two credit analysts do every credit check, the director signs the large
orders. People of one department who share a notable part of their work (cosine similarity of their
activity counts >= 0.3) form one pool, and so do people of different departments doing nearly the same
work (>= 0.8) — so an early-shift clerk who only picks goods and a late-shift
clerk who mostly checks stock (because that work arrives in the afternoon) stay one team; each activity goes to the pool that did most of it. A pool's capacity is the
most members ever seen busy at the same time (people work one task at a time), which also handles
shift work where early and late shift share the same desks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from procopt.log import columns as C

#: people of different departments doing (nearly) the same work are one pool, e.g. the requesters of
#: Engineering, IT and Marketing who all raise purchase requisitions
CROSS_DEPARTMENT = 0.8
MIXED = "\x00mixed"


@dataclass(slots=True)
class _Cluster:
    """A group of resources being formed (mutable while resources join it): department, members, summed
    activity counts and their direction (the centroid a newcomer is compared with)."""

    dept: str
    members: list[str]
    total: np.ndarray
    centroid: np.ndarray


@dataclass(frozen=True, slots=True)
class PoolDiscovery:
    """Pools (name -> members), the pool of each activity and each pool's busy-at-once maximum."""

    members: dict[str, tuple[str, ...]]
    activity_pool: dict[str, str]
    max_concurrency: dict[str, int]
    department: dict[str, str]
    #: pool -> how many instances its members can run at once: the member count, unless a "member" is a role
    #: or a shared account ('Claims handler') whose own instances overlap, which then counts as its own peak
    seats: dict[str, int] = field(default_factory=dict)


def resources_name_cases(events: pd.DataFrame) -> bool:
    """True when the resource column names customers or applicants rather than staff.

    The audit's own test (``procopt.log.audit.classify_resource``: most rows belong to values seen in one or
    two cases, and there are many of them), so ``validate`` and calibration always agree. Pooling such a
    column would make a "team" of hundreds that never queues.
    """
    from procopt.log.audit import classify_resource

    return classify_resource(events)[0] == "case_party"


def discover_pools(events: pd.DataFrame, *, similarity: float = 0.3, use_resources: bool = True) -> PoolDiscovery:
    """Cluster resources into pools and assign every activity to one pool.

    Without a resource column (or with ``use_resources=False``) every activity gets its own pool (named
    after it) with unknown capacity.
    """
    acts = sorted(events[C.ACTIVITY].unique())
    res = events[C.RESOURCE]
    if not use_resources or res.isna().mean() > 0.5:
        alone: dict[str, tuple[str, ...]] = {f"{a}": () for a in acts}
        return PoolDiscovery(alone, {a: a for a in acts}, {}, dict.fromkeys(acts, ""))
    frame = events[res.notna()]
    dept = frame[C.DEPARTMENT].astype(object).where(frame[C.DEPARTMENT].notna(), "")
    counts = pd.crosstab([frame[C.RESOURCE].astype(str), dept.astype(str)], frame[C.ACTIVITY].astype(str))
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    clusters: list[_Cluster] = []
    # a resource seen in several departments (a shared account such as BPIC 2020's 'STAFF MEMBER', or a
    # person moving between teams) is placed once per department, so its events are assigned by the pair
    cluster_of: dict[str, int] = {}
    for (resource, department), row in counts.iterrows():
        vec = row.to_numpy(dtype=float)
        vec = vec / (np.linalg.norm(vec) or 1.0)
        for i, cl in enumerate(clusters):
            sim = float(np.dot(cl.centroid, vec))
            if sim >= (similarity if cl.dept == department else CROSS_DEPARTMENT):
                cl.members.append(str(resource))
                if cl.dept != department:
                    cl.dept = MIXED
                cl.total = cl.total + row.to_numpy(dtype=float)
                cl.centroid = cl.total / (np.linalg.norm(cl.total) or 1.0)
                cluster_of[f"{resource}\x1f{department}"] = i
                break
        else:
            clusters.append(_Cluster(str(department), [str(resource)], row.to_numpy(dtype=float), vec))
            cluster_of[f"{resource}\x1f{department}"] = len(clusters) - 1
    names = _name_clusters(clusters, list(counts.columns))
    members: dict[str, tuple[str, ...]] = {names[i]: tuple(sorted(set(cl.members))) for i, cl in enumerate(clusters)}
    pair = frame[C.RESOURCE].astype(str) + "\x1f" + dept.astype(str)
    pool_of_row = pair.map({k: names[i] for k, i in cluster_of.items()})
    activity_pool: dict[str, str] = {}
    by_act = pd.crosstab(frame[C.ACTIVITY].astype(str), pool_of_row)
    for act in acts:
        if act in by_act.index:
            activity_pool[act] = str(by_act.loc[act].idxmax())
        else:
            activity_pool[act] = f"{act}"
            members.setdefault(act, ())
    used = set(activity_pool.values())
    # a name made unique with a prime ("Queued team'") whose plain twin owns no step takes the plain name back
    rename: dict[str, str] = {}
    for n in sorted(used, key=lambda x: (len(x), x)):
        plain = n.rstrip("'")
        if plain != n and plain not in used and plain not in rename.values():
            rename[n] = plain
    activity_pool = {a: rename.get(p, p) for a, p in activity_pool.items()}
    members = {rename.get(k, k): v for k, v in members.items() if k in used}
    names = [rename.get(n, n) for n in names]
    conc = {p: _max_concurrency(events[events[C.ACTIVITY].map(activity_pool) == p]) for p in members}
    department = {names[i]: ("" if cl.dept == MIXED else cl.dept) for i, cl in enumerate(clusters)}
    # one seat per member, or as many as a member (a role, a shared account) is seen running at once
    own = {str(r): _busy_level(g) for r, g in frame.groupby(frame[C.RESOURCE].astype(str), sort=False)}
    seats = {p: sum(own.get(m, 1) for m in ms) for p, ms in members.items() if ms}
    return PoolDiscovery(
        members,
        activity_pool,
        {k: v for k, v in conc.items() if v > 0},
        {p: department.get(p, "") for p in members},
        seats,
    )


def _name_clusters(clusters: list[_Cluster], activities: list[str]) -> list[str]:
    per_dept: dict[str, int] = {}
    for cl in clusters:
        per_dept[cl.dept] = per_dept.get(cl.dept, 0) + 1
    names: list[str] = []
    for cl in clusters:
        top = activities[int(np.argmax(cl.total))]
        dept = cl.dept
        if dept == MIXED:
            name = f"{top} team"
        else:
            name = dept if dept and per_dept[dept] == 1 else (f"{dept} ({top})" if dept else f"{top} team")
        while name in names:
            name += "'"
        names.append(name)
    return names


def _max_concurrency(events: pd.DataFrame) -> int:
    """Most instances in progress at once, when that limit is reached often (else 0: unknown)."""
    ev = events.dropna(subset=[C.START, C.END])
    if ev.empty:
        return 0
    times = np.concatenate([ev[C.START].to_numpy(dtype="int64"), ev[C.END].to_numpy(dtype="int64")])
    delta = np.concatenate([np.ones(len(ev)), -np.ones(len(ev))])
    order = np.lexsort((delta, times))  # ends before starts at the same instant
    times, running = times[order], np.cumsum(delta[order])
    peak = int(running.max())
    # time spent at the peak vs time with anybody busy: a peak reached only once or twice (20 requesters,
    # never more than 4 busy) is no capacity limit; one held often (2 of 4 inspectors: two shifts) is
    span = np.diff(times).astype(float)
    level = running[:-1]
    busy = span[level >= 1].sum()
    at_peak = span[level >= peak].sum()
    return peak if busy > 0 and at_peak / busy >= 0.05 else 0


def _busy_level(events: pd.DataFrame, share: float = 0.05) -> int:
    """How many instances of ``events`` run at once for at least ``share`` of the time any runs (>= 1).

    A person's own instances rarely overlap (a forgotten completion, a quick call during a long task): 1. A
    role or a shared account ('Claims handler', 'BATCH') stands for many people, and its level shows how many.
    """
    ev = events.dropna(subset=[C.START, C.END])
    if ev.empty:
        return 1
    times = np.concatenate([ev[C.START].to_numpy(dtype="int64"), ev[C.END].to_numpy(dtype="int64")])
    delta = np.concatenate([np.ones(len(ev)), -np.ones(len(ev))])
    order = np.lexsort((delta, times))
    times, running = times[order], np.cumsum(delta[order])
    span, level = np.diff(times).astype(float), running[:-1].astype(int)
    busy = span[level >= 1].sum()
    if busy <= 0:
        return 1
    # time spent at each level or above, highest level first: the highest reached for `share` of busy time
    at_least = np.bincount(np.maximum(level, 0), weights=span)[::-1].cumsum()[::-1]
    held = np.nonzero(at_least[1:] >= share * busy)[0]
    return int(held[-1]) + 1 if len(held) else 1
