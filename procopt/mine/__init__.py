"""Stage 2 (mine): analyse the as-is process — one call, one frozen result.

``mine(events, options)`` composes the modules of this package: timed instances
(:mod:`.instances`), the process map and variants (:mod:`.discovery`), where time goes
(:mod:`.performance`), bottlenecks, hand-offs, rework, batches, approvals and the value stream.
``write_outputs(result, out_dir)`` writes every table and figure atomically.

Tables in :class:`MiningResult` are DataFrames whose columns are documented in the module that
builds them; durations are float seconds (``_s``), shares are fractions 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from procopt.log import columns as C
from procopt.mine import approvals as A
from procopt.mine import batching as B
from procopt.mine import bottlenecks as BN
from procopt.mine import discovery as D
from procopt.mine import handoffs as H
from procopt.mine import instances as I
from procopt.mine import performance as P
from procopt.mine import rework as R
from procopt.mine import valuestream as V
from procopt.mine import waiting as WT

__all__ = ["MineOptions", "MiningResult", "mine", "write_outputs"]


@dataclass(frozen=True, slots=True)
class MineOptions:
    """Options of :func:`mine`.

    Args:
        coverage: share of cases whose variants the process map keeps (Disco's path slider).
        top_variants: variants listed in ``to_dict()`` (the CSV has all).
        approval_patterns / rejection_patterns: regular expressions (case-insensitive) naming approval
            steps and rejection steps.
        discover_model: run the inductive miner (BPMN + PNML); off for quick summaries.
    """

    coverage: float = 0.8
    top_variants: int = 20
    approval_patterns: tuple[str, ...] = A.APPROVAL_PATTERNS
    rejection_patterns: tuple[str, ...] = A.REJECTION_PATTERNS
    discover_model: bool = True
    approvals: tuple[str, ...] = ()  # activity names confirmed as approval steps (--approvals)


@dataclass(frozen=True, slots=True)
class MiningResult:
    """Everything :func:`mine` found. See ``to_dict()`` for the JSON shape."""

    summary: dict[str, Any]
    activities: pd.DataFrame
    process_map: D.ProcessMap
    variants: pd.DataFrame
    cases: pd.DataFrame
    lead_time: pd.DataFrame
    resources: pd.DataFrame
    departments: pd.DataFrame
    bottlenecks: tuple[BN.Bottleneck, ...]
    bottleneck_resources: pd.DataFrame
    handoffs: pd.DataFrame
    rework: pd.DataFrame
    loops: pd.DataFrame
    batches: tuple[B.BatchPattern, ...]
    approvals: tuple[A.ApprovalVerdict, ...]
    value_stream: V.ValueStream | None
    notes: tuple[str, ...]
    options: MineOptions = field(default_factory=MineOptions)
    models: Any = None  # (BPMN, (net, im, fm)) from pm4py, or None
    waiting: pd.DataFrame = field(default_factory=pd.DataFrame)  # see waiting.rank_waiting
    waiting_resources: pd.DataFrame = field(default_factory=pd.DataFrame)
    waiting_handoffs: pd.DataFrame = field(default_factory=pd.DataFrame)
    causes_note: str | None = None  # why the causes of waiting were not computed

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; lists are ordered most important first."""
        from procopt.mine.export import result_to_dict

        return result_to_dict(self)


def mine(events: pd.DataFrame, options: MineOptions | None = None) -> MiningResult:
    """Analyse a contract event table (see procopt.log.columns) and return a :class:`MiningResult`."""
    options = options or MineOptions()
    inst, has_start = I.build_instances(events)
    notes: list[str] = []
    if not has_start:
        notes.append(
            "The log has no start times: waiting and processing cannot be separated, so processing times and "
            "utilisation are reported as null and 'waiting' is the time between completions."
        )
    attributes = I.case_attributes(events)
    cases = P.measure_cases(inst, has_start)
    variant_of = D.case_variants(inst)
    variants = D.variant_table(variant_of, cases.set_index("case")["lead_s"])
    pmap = D.discover_process_map(inst, variant_of, variants, has_start, options.coverage)
    activities = P.measure_activities(inst)
    resources = P.measure_resources(inst, has_start, I.RESOURCE)
    departments = P.measure_resources(inst, has_start, I.DEPARTMENT, resources)
    batches, batch_notes = B.detect_batches(inst, has_start)
    notes.extend(batch_notes)
    causes = WT.attribute_waiting(inst, has_start, B.release_at(inst, batches))
    waiting = WT.rank_waiting(inst, causes, activities)
    waiting_handoffs = WT.waiting_by_handoff(inst, causes)
    bottlenecks = BN.rank_bottlenecks(inst, activities, resources, batches, has_start, waiting)
    approvals = A.assess_approvals(
        inst, attributes, has_start, options.approval_patterns, options.rejection_patterns, options.approvals
    )
    rework, loops = R.measure_rework(inst)
    if (inst[I.DEP_CODE].to_numpy() < 0).all():
        notes.append("The log has no department column: hand-offs and department workloads are empty.")
    models = None
    if options.discover_model and not inst.empty:
        kept = D.kept_variants(variants, options.coverage)
        # one case per kept variant: the inductive miner (noise threshold 0) sees only which traces
        # occur, not how often, so the model is the same and pm4py need not re-derive the variants
        keep_cases = variant_of[variant_of.isin(set(kept["variant"]))].drop_duplicates().index
        bpmn, net, model_note = D.discover_models(inst, keep_cases, has_start, pmap)
        models = (bpmn, net)
        if model_note:
            notes.append(model_note)
    summary = {
        "cases": int(inst[I.CODE].nunique()),
        "events": len(events),
        "activities": int(inst[I.ACTIVITY].nunique()),
        "has_start": has_start,
        "first": inst[I.START].min() if len(inst) else None,
        "last": inst[I.END].max() if len(inst) else None,
        "variants": len(variants),
    }
    return MiningResult(
        summary=summary,
        activities=activities,
        process_map=pmap,
        variants=variants,
        cases=cases,
        lead_time=P.lead_time_table(
            cases, attributes.drop(columns=[C.DUE], errors="ignore"), _top_ids(variant_of, variants)
        ),
        resources=resources,
        departments=departments,
        bottlenecks=bottlenecks,
        bottleneck_resources=BN.rank_resources(resources),
        handoffs=WT.with_handoff_causes(H.measure_handoffs(inst), waiting_handoffs),
        rework=rework,
        loops=loops,
        batches=batches,
        approvals=approvals,
        value_stream=V.build_value_stream(inst, cases, variants, variant_of, pmap),
        notes=tuple(notes),
        options=options,
        models=models,
        waiting=waiting,
        waiting_resources=WT.waiting_by_resource(inst, causes),
        waiting_handoffs=waiting_handoffs,
        causes_note=causes.note,
    )


def _top_ids(variant_of: pd.Series, variants: pd.DataFrame, top: int = 10) -> pd.Series:
    """Variant id per case, for the ``top`` most frequent variants only."""
    ids = variant_of.map(variants.head(top).set_index("variant")["variant_id"])
    return ids.dropna()


def write_outputs(result: MiningResult, out_dir: Any, draw: Any = None) -> list[str]:
    """Write CSV/JSON/BPMN/PNML (and SVG/PNG when ``draw`` is given) into ``out_dir`` atomically; returns the
    file names written. ``draw``: ``procopt.viz.process_map.draw`` (see ``procopt.mine.export.write_outputs``)."""
    from procopt.mine.export import write_outputs as _write

    return _write(result, out_dir, draw)
