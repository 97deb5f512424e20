"""``procopt mine`` and ``procopt validate`` on a partitioned dataset, a folder or a glob (out of core)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json


def _h(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "n/a"
    hours = seconds / 3600.0
    return f"{hours / 24:.1f} d" if hours >= 48 else f"{hours:.1f} h"


def mine_dataset(source: str, out_dir: str, coverage: float, mapping: dict[str, str] | None, as_json: bool) -> None:
    """Mine ``source`` partition by partition, write the covered tables to ``out_dir`` and summarise them."""
    from procopt._io import atomic_dir, write_csv, write_json
    from procopt.scale.outofcore import mine_partitioned

    bar = ProgressCallback("Mining partitions")
    try:
        result = mine_partitioned(source, mapping=mapping, coverage=coverage, progress=bar)
    finally:
        bar.close()
    data = result.to_dict()
    tables = {
        "activities.csv": result.activities,
        "variants.csv": result.variants,
        "handoffs.csv": result.handoffs,
        "rework.csv": result.rework,
        "process_map_nodes.csv": result.process_map["nodes"],
        "process_map_edges.csv": result.process_map["edges"],
    }
    with atomic_dir(out_dir) as tmp:
        write_json(tmp / "mining.json", data)
        for name, frame in tables.items():
            write_csv(tmp / name, frame)
    files = ["mining.json", *tables]
    if as_json:
        emit_json({**data, "out_dir": str(out_dir), "files": files})
        return
    s = data["summary"]
    lines = [
        f"{Path(source).name}: {s['cases']:,} cases, {s['events']:,} events, {s['activities']} activities, "
        f"{str(s['first'])[:10]} → {str(s['last'])[:10]} "
        f"({'start + end times' if s['has_start'] else 'completion times only'}), "
        f"{result.partitions} partitions mined out of core",
        "Where the waiting is (activities with the most waiting time):",
    ]
    for a in sorted(data["activities"], key=lambda a: -(a["wait_total_s"] or 0))[:5]:
        lines.append(f"  {a['activity']}: {a['count']:,} times, median wait {_h(a['wait_median_s'])}")
    lines.append("Slowest hand-offs between departments:")
    lines += [
        f"  {h['from_department']} → {h['to_department']}: {h['count']:,}, median delay {_h(h['delay_median_s'])}"
        for h in data["handoffs"][:5]
    ] or ["  none (no department column or no hand-offs)"]
    lines.append(f"Variants: {s['variants']:,}; the most frequent covers {_share(data['variants'])} of cases.")
    lines.append("Not computed out of core: " + ", ".join(data["out_of_core"]["not_covered"]) + ".")
    lines.append(f"Wrote {len(files)} files to {out_dir}/: {', '.join(files)}")
    click.echo("\n".join(lines))


def _share(variants: list[dict[str, Any]]) -> str:
    return f"{variants[0]['share']:.0%}" if variants else "0%"


def validate_dataset(source: str, mapping: dict[str, str] | None, as_json: bool) -> None:
    """Audit every partition of ``source`` and print the totals."""
    from procopt.scale.outofcore import validate_partitioned

    bar = ProgressCallback("Reading partitions")
    try:
        doc = validate_partitioned(source, mapping=mapping, progress=bar)
    finally:
        bar.close()
    if as_json:
        emit_json(doc)
        return
    lines = [
        f"{source}  ({doc['partitions']} partitions, read one by one)",
        "",
        f"  rows read   {doc['rows']:,}",
        f"  cases       {doc['cases']:,}",
        f"  activities  {doc['activities']:,}",
        f"  span        {doc['span_start']} → {doc['span_end']}",
        f"  start times {'yes' if doc['has_start'] else 'no (complete-only log)'}",
        "",
    ]
    lines += [doc["note"], ""]
    if not doc["findings"]:
        lines.append("No data-quality findings.")
    for f in doc["findings"]:
        lines.append(f"  {f['severity'].upper():<7} {f['code']} ({f['count']:,}): {f['message']}")
    click.echo("\n".join(lines))
