"""Benchmark: batch and release detection of procopt against pix-framework and pm4py on logs with known batches.

Logs (generated, so the batched steps are known): the order-to-cash sample process (seed 1, 120 days:
the director's 16:00 sign-off and trucks at 10:00 and 15:00 are batched, nothing else) and the small
processes of ``procopt.generate.waiting_causes`` (``Handle`` is batched in ``batching``, ``release_queue``,
``size_batch`` and ``weekly_committee``; in the other four it is not).

Tools, on the same event table:
- procopt: ``procopt.mine.batching.detect_batches`` (release times from timing, size-triggered batches);
- pix-framework (Simod's batch-processing discovery, Apache-2.0):
  ``discover_batch_processing_and_characteristics`` with the enablement times procopt computed; an
  activity counts as reported when pix returns it (its ``batch_frequency`` is printed too);
- pm4py: ``discover_batches`` (grouped by activity and resource, default merge distance 15 min).

pix-framework is used here only; it is not a procopt dependency (``pip install pix-framework`` into the
environment that runs this script). Times are wall-clock seconds of one run on the shared machine.

    .venv/bin/python bench/batches.py [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import time
from typing import Any

import pandas as pd

from procopt.generate import generate
from procopt.generate.waiting_causes import generate_waiting_causes
from procopt.log import columns as C
from procopt.mine import batching as B
from procopt.mine import instances as I

BATCHED_SCENARIOS = {"batching", "release_queue", "size_batch", "weekly_committee"}
OTHER_SCENARIOS = ("contention", "prioritisation", "unavailability", "extraneous")


def _logs() -> list[tuple[str, pd.DataFrame, set[str]]]:
    o2c = generate("o2c", seed=1, days=120)
    logs = [("o2c (120 days)", o2c.events, set(o2c.truth.batch_activities))]
    for name in (*sorted(BATCHED_SCENARIOS), *OTHER_SCENARIOS):
        log = generate_waiting_causes(name, seed=1)
        logs.append((name, log.events, {"Handle"} if name in BATCHED_SCENARIOS else set()))
    return logs


def _procopt(events: pd.DataFrame) -> tuple[dict[str, str], float]:
    t0 = time.perf_counter()
    inst, has_start = I.build_instances(events)
    patterns, _ = B.detect_batches(inst, has_start)
    return {p.activity: p.pattern for p in patterns}, time.perf_counter() - t0


def _pix(events: pd.DataFrame) -> tuple[dict[str, str], float]:
    from pix_framework.discovery.batch_processing.batch_characteristics import (
        discover_batch_processing_and_characteristics,
    )
    from pix_framework.io.event_log import EventLogIDs

    inst, _ = I.build_instances(events)
    frame = pd.DataFrame(
        {
            "case": inst[I.CASE],
            "activity": inst[I.ACTIVITY],
            "resource": inst[I.RESOURCE].fillna("none"),
            "start_time": inst[I.START],
            "end_time": inst[I.END],
            "enabled_time": inst[I.ENABLED],
        }
    )
    ids = EventLogIDs()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # pix prints warnings on stdout
        found = discover_batch_processing_and_characteristics(frame, ids)
    elapsed = time.perf_counter() - t0
    out = {}
    for b in found:
        rules = b.get("firing_rules", {}).get("rules", [])
        out[str(b["activity"])] = f"frequency {b['batch_frequency']:.0%}, {len(rules)} rule set(s)"
    return out, elapsed


def _pm4py(events: pd.DataFrame) -> tuple[dict[str, str], float]:
    import pm4py

    frame = events.rename(
        columns={C.CASE: "case:concept:name", C.ACTIVITY: "concept:name", C.END: "time:timestamp"}
    ).copy()
    frame["org:resource"] = events[C.RESOURCE].fillna("none").to_numpy()
    frame["start_timestamp"] = events[C.START].to_numpy()
    t0 = time.perf_counter()
    found = pm4py.discover_batches(frame, timestamp_key="time:timestamp")
    elapsed = time.perf_counter() - t0
    out: dict[str, int] = {}
    for (activity, _resource), n_batches, _detail in found:
        out[str(activity)] = out.get(str(activity), 0) + int(n_batches)
    return {a: f"{n} batches" for a, n in out.items()}, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for name, events, truth in _logs():
        row: dict[str, Any] = {"log": name, "events": len(events), "truth": sorted(truth)}
        for tool, fn in (("procopt", _procopt), ("pix", _pix), ("pm4py", _pm4py)):
            found, elapsed = fn(events)
            row[tool] = {
                "found": found,
                "seconds": round(elapsed, 2),
                "true_positives": len(truth & set(found)),
                "false_batches": sorted(set(found) - truth),
                "missed": sorted(truth - set(found)),
            }
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print("| log | events | batched (truth) | tool | found | false batches | missed | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        for tool in ("procopt", "pix", "pm4py"):
            r = row[tool]
            print(
                f"| {row['log']} | {row['events']:,} | {', '.join(row['truth']) or '—'} | {tool} | "
                f"{r['true_positives']}/{len(row['truth'])} | {len(r['false_batches'])} | {len(r['missed'])} | "
                f"{r['seconds']:.2f} |"
            )


if __name__ == "__main__":
    main()
