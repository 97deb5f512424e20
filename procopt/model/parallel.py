"""Stage 3 (model): parallel branches (AND-split and join) discovered from activities that overlap in time.

Picture an order: the warehouse picks the goods while finance checks the credit, and shipping waits for both.
Replayed one after the other the two checks add up (2 h + 3 h = 5 h); in reality the order waits only for the
slower one (3 h). A log with start times shows it directly: the two instances of one case *overlap*.

Two activities are concurrent when, in the cases that have both, their instances overlap in at least half of
the cases (and in at least ``min_cases`` cases): an occasional overlap is a person multitasking, a regular one
is the process. Concurrent activities form a block when every pair of them is concurrent (2 to 4
activities). In each case's trace a run of consecutive steps holding every member of a block exactly once is
replaced by the block's name, so routing learns "after Create Order comes the block", and the engine runs
the members at the same time and continues when all are done.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

import numpy as np
import pandas as pd

from procopt.log import columns as C

#: joins the member names into the block's name
SEPARATOR = " ∥ "
#: share of the cases holding both activities in which they overlap
MIN_OVERLAP_SHARE = 0.5
#: parallel branches are neighbours in start order; look this many instances ahead within a case
MAX_LAG = 4
MAX_BLOCK = 4


def block_name(members: tuple[str, ...]) -> str:
    """The block's name: its members in alphabetical order joined by `` ∥ ``."""
    return SEPARATOR.join(sorted(members))


def discover_parallel(events: pd.DataFrame, *, min_cases: int = 20) -> dict[str, tuple[str, ...]]:
    """Blocks of concurrent activities (block name -> members) from a log with start times."""
    ev = events.dropna(subset=[C.START, C.END])
    ev = ev[ev[C.END] > ev[C.START]].sort_values([C.CASE, C.START, C.END], kind="stable")
    if ev.empty:
        return {}
    case = ev[C.CASE].to_numpy()
    act = ev[C.ACTIVITY].astype(str).to_numpy()
    start = ev[C.START].to_numpy(dtype="datetime64[ns]").view("int64")
    end = ev[C.END].to_numpy(dtype="datetime64[ns]").view("int64")
    pairs: list[pd.DataFrame] = []
    for lag in range(1, MAX_LAG + 1):
        if lag >= len(ev):
            break
        same = case[lag:] == case[:-lag]
        # sorted by start: the later instance starts before the earlier one ends
        overlap = same & (start[lag:] < end[:-lag]) & (act[lag:] != act[:-lag])
        if overlap.any():
            a, b = act[:-lag][overlap], act[lag:][overlap]
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            pairs.append(pd.DataFrame({"case": case[lag:][overlap], "a": lo, "b": hi}))
    if not pairs:
        return {}
    overlapping = pd.concat(pairs).drop_duplicates().groupby(["a", "b"]).size()
    has = ev.groupby(C.CASE, sort=False)[C.ACTIVITY].agg(lambda s: frozenset(map(str, s)))
    concurrent: set[tuple[str, str]] = set()
    for (a, b), n in overlapping.items():
        if n < min_cases:
            continue
        both = int(sum(1 for acts in has if a in acts and b in acts))
        if both and n / both >= MIN_OVERLAP_SHARE:
            concurrent.add((str(a), str(b)))
    return {block_name(m): m for m in _cliques(concurrent)}


def _cliques(edges: set[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Connected groups in which every pair is concurrent (groups that are not cliques are left out)."""
    neighbours: dict[str, set[str]] = {}
    for a, b in edges:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    seen: set[str] = set()
    out: list[tuple[str, ...]] = []
    for node in sorted(neighbours):
        if node in seen:
            continue
        group, todo = set(), [node]
        while todo:
            n = todo.pop()
            if n not in group:
                group.add(n)
                todo.extend(neighbours[n] - group)
        seen |= group
        members = tuple(sorted(group))
        if 2 <= len(members) <= MAX_BLOCK and all((x, y) in edges for x, y in combinations(members, 2)):
            out.append(members)
    return out


def rewrite_traces(traces: Mapping[str, list[str]], blocks: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Each trace with every run of consecutive steps that holds a block's members exactly once replaced by
    the block's name (a case where the members ran apart, or only some of them ran, keeps its steps)."""
    member_of = {m: name for name, members in blocks.items() for m in members}
    out: dict[str, list[str]] = {}
    for case, trace in traces.items():
        new: list[str] = []
        i = 0
        while i < len(trace):
            name = member_of.get(trace[i])
            if name is not None:
                k = len(blocks[name])
                run = trace[i : i + k]
                if len(run) == k and set(run) == set(blocks[name]):
                    new.append(name)
                    i += k
                    continue
            new.append(trace[i])
            i += 1
        out[case] = new
    return out
