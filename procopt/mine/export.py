"""Stage 2 (mine): the result as JSON and as an output folder.

``result_to_dict`` is the JSON shape of ``procopt mine --json`` (top-level keys: summary, activities,
waiting, bottlenecks, bottleneck_resources, handoffs, approvals, batches, rework, variants, resources,
departments, lead_time, value_stream, process_map, notes). ``write_outputs`` writes, atomically:

    mining.json            the same dict
    activities.csv  variants.csv  cases.csv  lead_time.csv  resources.csv  departments.csv
    waiting.csv  waiting_by_resource.csv  waiting_by_handoff.csv  (causes of waiting; hours beside seconds)
    bottlenecks.csv  handoffs.csv  approvals.csv  batches.csv  rework.csv  loops.csv  value_stream.csv
    process_map.svg / .png  (Graphviz via WebAssembly; a note when it cannot run)
    process_map.dot         the DOT source (always)
    model.bpmn / model.pnml (inductive miner on the variants kept by --coverage)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from procopt._io import atomic_dir, atomic_write_bytes, atomic_write_text, to_jsonable, write_csv, write_json
from procopt.mine import approvals as A
from procopt.mine import batching as B
from procopt.mine import waiting as WT

if TYPE_CHECKING:
    from procopt.mine import MiningResult
    from procopt.mine.discovery import ProcessMap


def _records(frame: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    data = frame if limit is None else frame.head(limit)
    return to_jsonable(data)  # type: ignore[no-any-return]


def result_to_dict(result: MiningResult) -> dict[str, Any]:
    """JSON-ready dict of a :class:`~procopt.mine.MiningResult` (see module docstring)."""
    vs = result.value_stream
    pm = result.process_map
    doc: dict[str, Any] = to_jsonable(
        {
            "summary": result.summary,
            "activities": _records(result.activities),
            "waiting": WT.waiting_records(result.waiting, result.causes_note),
            "bottlenecks": [asdict(b) for b in result.bottlenecks],
            "bottleneck_resources": _records(result.bottleneck_resources),
            "handoffs": _records(result.handoffs),
            "approvals": [asdict(a) for a in result.approvals],
            "batches": [{**asdict(b), "pattern": b.pattern} for b in result.batches],
            "rework": {"activities": _records(result.rework), "loops": _records(result.loops, 20)},
            "variants": _records(result.variants, result.options.top_variants),
            "resources": _records(result.resources),
            "departments": _records(result.departments),
            "lead_time": _records(result.lead_time),
            "value_stream": None
            if vs is None
            else {
                "basis": vs.basis,
                "path": list(vs.path),
                "cases": vs.cases,
                "steps": _records(vs.steps),
                "lead_time_mean_s": vs.lead_time_mean_s,
                "processing_mean_s": vs.processing_mean_s,
                "waiting_mean_s": vs.waiting_mean_s,
                "value_added_ratio": vs.value_added_ratio,
            },
            "process_map": {
                "coverage": pm.coverage,
                "cases_kept": pm.cases_kept,
                "cases_total": pm.cases_total,
                "variants_kept": pm.variants_kept,
                "nodes": _records(pm.nodes),
                "edges": _records(pm.edges),
                "start": pm.start,
                "end": pm.end,
            },
            "notes": list(result.notes),
        }
    )
    return doc


def _with_hours(frame: pd.DataFrame) -> pd.DataFrame:
    """Seconds columns kept for machines, an hours column (2 decimals) beside each for people."""
    out = frame.copy()
    for col in [c for c in frame.columns if str(c).endswith("_s") and f"{str(c)[:-2]}_h" not in frame.columns]:
        seconds = pd.to_numeric(frame[col], errors="coerce").astype(float)
        out[col] = seconds.round(1)
        out.insert(out.columns.get_loc(col) + 1, str(col)[:-2] + "_h", (seconds / 3600.0).round(2))
    return out


#: draws a process map: (SVG bytes or None, PNG bytes or None, note or None); see ``procopt.viz.process_map``
DrawMap = Callable[["ProcessMap"], tuple[bytes | None, bytes | None, str | None]]


def write_outputs(result: MiningResult, out_dir: str | Path, draw: DrawMap | None = None) -> list[str]:
    """Write every table, the process map and the models into ``out_dir``; returns sorted file names.

    ``draw`` paints the process map (SVG/PNG); the CLI passes ``procopt.viz.process_map.draw``. Without it
    only the DOT source is written (drawing lives in ``procopt.viz``, outside the mining stage).
    """
    from procopt.mine.graphviz import to_dot

    notes = list(result.notes)
    with atomic_dir(out_dir) as tmp:
        tables = {
            "activities": _with_hours(result.activities),
            "variants": result.variants,
            "cases": result.cases,
            "lead_time": result.lead_time,
            "resources": result.resources,
            "departments": result.departments,
            "bottlenecks": _with_hours(pd.DataFrame([asdict(b) for b in result.bottlenecks])),
            "handoffs": _with_hours(result.handoffs),
            "approvals": A.approval_table(result.approvals),
            "batches": _with_hours(B.batch_table(result.batches)),
            "rework": result.rework,
            "loops": result.loops,
            "value_stream": result.value_stream.steps if result.value_stream is not None else pd.DataFrame(),
            "waiting": _with_hours(result.waiting),
            "waiting_by_resource": result.waiting_resources,
            "waiting_by_handoff": result.waiting_handoffs,
        }
        for name, frame in tables.items():
            write_csv(tmp / f"{name}.csv", frame)
        atomic_write_text(tmp / "process_map.dot", to_dot(result.process_map))
        if draw is not None:
            svg, png, note = draw(result.process_map)
            if svg is not None:
                atomic_write_bytes(tmp / "process_map.svg", svg)
            if png is not None:
                atomic_write_bytes(tmp / "process_map.png", png)
            if note:
                notes.append(note)
        if result.models is not None:
            from procopt.mine.discovery import write_models

            bpmn, net = result.models
            model_note = write_models(bpmn, net, str(tmp / "model.bpmn"), str(tmp / "model.pnml"))
            if model_note:
                notes.append(model_note)
        data = result_to_dict(result)
        data["notes"] = notes
        write_json(tmp / "mining.json", data)
        names = sorted(p.name for p in tmp.iterdir() if p.is_file())
    return names
