"""Validate and mine a log larger than memory: one Dask task per partition, then an exact merge.

Each partition (a file of whole cases) is read with the ordinary reader (``read_log``: same column
detection, timestamp parsing and audit as a single file), reduced to compact tables
(``procopt.mine.partitioned``) and dropped; only the compact tables stay. Dask runs the tasks on a few
threads, so at most ``workers`` partitions are in memory at once.

Two facts need the whole log and are settled after the pass: whether the log "has start times" (the
50 % rule is decided over all rows; a partition that alone falls on the other side is summarised again
under the whole log's rule) and that no case is split over files (refused, with the way out).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from procopt.log import columns as C
from procopt.mine.partitioned import PartitionedMining, PartitionSummary, merge_summaries, summarise_partition
from procopt.scale.dataset import Partitions, check_cases_not_split, list_partitions

Progress = Callable[[int, int], None]
DEFAULT_THREADS = 2


@dataclass(frozen=True, slots=True)
class _Pass:
    """One partition after the pass: its summary under its own start-time rule, and what decides the rule."""

    path: Path
    rows: int
    with_start: int
    own_has_start: bool
    summary: PartitionSummary
    audit: Any
    activities: frozenset[str]


def _read(path: Path, mapping: Mapping[str, str] | None) -> Any:
    from procopt.log.read import read_log

    return read_log(path, mapping=dict(mapping) if mapping else None)


def _one_pass(path: Path, mapping: Mapping[str, str] | None, tick: Callable[[], None]) -> _Pass:
    log = _read(path, mapping)
    events = log.events
    own = C.has_start_times(events)
    with_start = int(events[C.START].notna().sum()) if C.START in events.columns else 0
    summary = summarise_partition(events, own)
    acts = frozenset(map(str, events[C.ACTIVITY].dropna().unique()))
    tick()
    return _Pass(path, len(events), with_start, own, summary, log.audit, acts)


def _run_passes(
    parts: Partitions, mapping: Mapping[str, str] | None, progress: Progress | None, workers: int
) -> list[_Pass]:
    from dask.base import compute
    from dask.delayed import delayed

    lock, done = threading.Lock(), [0]
    total = len(parts.files)

    def tick() -> None:
        with lock:
            done[0] += 1
            if progress is not None:
                progress(done[0], total)

    tasks = [delayed(_one_pass)(path, mapping, tick) for path in parts.files]
    # threads: at most ``workers`` partitions are read at once; the summaries are small
    results = compute(*tasks, scheduler="threads", num_workers=max(1, workers))  # type: ignore[no-untyped-call]
    out = list(results)
    case_files: dict[str, Path] = {}
    for p in out:
        if len(p.summary.cases):
            check_cases_not_split(case_files, p.path, map(str, p.summary.cases["case"]))
    return out


def mine_partitioned(
    source: str,
    *,
    mapping: Mapping[str, str] | None = None,
    coverage: float = 0.8,
    workers: int = DEFAULT_THREADS,
    progress: Progress | None = None,
) -> PartitionedMining:
    """Mine the dataset at ``source`` (folder or glob) partition by partition; see ``procopt.mine.partitioned``."""
    parts = list_partitions(source)
    passes = _run_passes(parts, mapping, progress, workers)
    rows = sum(p.rows for p in passes)
    has_start = rows > 0 and sum(p.with_start for p in passes) / rows >= 0.5
    summaries = [
        p.summary if p.own_has_start == has_start else summarise_partition(_read(p.path, mapping).events, has_start)
        for p in passes
    ]
    return merge_summaries(summaries, has_start, coverage)


def validate_partitioned(
    source: str,
    *,
    mapping: Mapping[str, str] | None = None,
    workers: int = DEFAULT_THREADS,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The data-quality audit of every partition, added up (the shape of ``procopt validate --json``)."""
    parts = list_partitions(source)
    passes = _run_passes(parts, mapping, progress, workers)
    findings: dict[str, dict[str, Any]] = {}
    order = {"error": 0, "warning": 1, "info": 2}
    for p in passes:
        for f in p.audit.findings:
            entry = findings.setdefault(
                f.code, {"code": f.code, "severity": f.severity, "count": 0, "message": f.message, "examples": []}
            )
            entry["count"] += int(f.count)
            if order.get(f.severity, 3) < order.get(entry["severity"], 3):
                entry["severity"] = f.severity
            entry["examples"] = (entry["examples"] + [str(e) for e in f.examples])[:5]
    starts = [p.audit.span_start for p in passes if p.audit.span_start is not None and pd.notna(p.audit.span_start)]
    ends = [p.audit.span_end for p in passes if p.audit.span_end is not None and pd.notna(p.audit.span_end)]
    rows = sum(p.rows for p in passes)
    from procopt._io import to_jsonable

    doc = {
        "source": parts.source,
        "partitions": len(parts.files),
        "rows": sum(int(p.audit.rows) for p in passes),
        "instances": rows,
        "cases": sum(int(p.audit.cases) for p in passes),
        "activities": len(frozenset().union(*(p.activities for p in passes))),
        "span_start": min(starts) if starts else None,
        "span_end": max(ends) if ends else None,
        "has_start": rows > 0 and sum(p.with_start for p in passes) / rows >= 0.5,
        "mapping": dict(passes[0].audit.mapping) if passes else {},
        "note": "Counts, span and start times are those of the whole log. Findings are each partition's, added "
        "up: a check against the end of the log (incomplete_cases) used its partition's end, and a severity that "
        "depends on a share is the most severe of any partition.",
        "findings": sorted(findings.values(), key=lambda f: (order.get(f["severity"], 3), -f["count"], f["code"])),
    }
    return to_jsonable(doc)  # type: ignore[no-any-return]
