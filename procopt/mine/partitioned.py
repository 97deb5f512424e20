"""Stage 2 (mine), out of core: mine a log partition by partition, then merge to the in-memory figures.

A partition holds whole cases (``procopt convert --partition-by month`` writes one folder per month in
which cases started). ``summarise_partition`` turns one partition's events into a compact table per
concern — one row per activity instance with only the numbers later statistics need (names as pandas
categories, durations as floats), one row per case (variant, lead time, first and last step), and
the rework table, whose figures are sums. ``merge_summaries`` concatenates them and computes the same
statistics as ``procopt.mine.mine`` with the same pandas calls: counts and sums add up, medians and
90th percentiles are exact (computed on all values, never approximated), means agree to float rounding.

Covered: summary counts, activity statistics, the process map (nodes, edges with waits, start and end
counts at the same variant coverage), variants, department hand-offs and rework by activity. Not covered
(need cross-case state or the whole log at once): batch/release detection, approvals, bottleneck and
resource rankings, loops, the value stream and process-model discovery.

The raw log — strings, attributes, resources — is never in memory whole. The compact tables still grow
with the log (exact quantiles need every value): measured peak memory is about 240 MB per million activity
instances (``bench/scale.py --part ooc``), against about 850 MB per million for in-memory mining.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procopt.log import columns as C
from procopt.mine import discovery as D
from procopt.mine import instances as I
from procopt.mine import performance as P
from procopt.mine import rework as R
from procopt.mine.handoffs import COLUMNS as HANDOFF_COLUMNS

COVERED = ("summary", "activities", "process_map", "variants", "handoffs", "rework")
NOT_COVERED = (
    "batches (release detection)",
    "approvals",
    "bottlenecks",
    "resources",
    "departments",
    "loops",
    "value_stream",
    "process model discovery",
    "waiting-cause attribution (needs each resource's timeline across cases)",
)


@dataclass(frozen=True, slots=True)
class PartitionSummary:
    """The compact tables of one partition (see the module docstring)."""

    events: int
    instances: pd.DataFrame  # activity, department, prev_department, processing_s, wait_s, case, variant
    edges: pd.DataFrame  # source, target, wait_s, variant
    cases: pd.DataFrame  # case, variant, lead_s, first_activity, last_activity
    rework: pd.DataFrame  # activity, cases_with_repeat, repeats, time_lost_s
    first: pd.Timestamp | None
    last: pd.Timestamp | None


def align_start_times(events: pd.DataFrame, has_start: bool) -> pd.DataFrame:
    """Make a partition follow the whole log's start-time rule (``has_start`` is decided over all partitions).

    A partition that alone would cross the 50 % threshold the other way is rewritten so that
    ``build_instances`` reads it as it reads the whole log: starts dropped, or missing starts set to the
    completion time (which is what the whole-log rule does with them).
    """
    if C.has_start_times(events) == has_start:
        return events
    out = events.copy()
    out[C.START] = out[C.START].fillna(out[C.END]) if has_start else pd.NaT
    return out


def summarise_partition(events: pd.DataFrame, has_start: bool) -> PartitionSummary:
    """The compact tables of one partition of whole cases."""
    inst, _ = I.build_instances(align_start_times(events, has_start))
    if inst.empty:
        empty = pd.DataFrame()
        return PartitionSummary(len(events), empty, empty, empty, empty, None, None)
    cases = P.measure_cases(inst, has_start)
    variant_of = D.case_variants(inst)
    case_ids = inst[I.CASE].to_numpy()
    variant = variant_of.reindex(case_ids).to_numpy()
    codes = inst[I.CODE].to_numpy()
    same = codes[1:] == codes[:-1]
    acts = inst[I.ACTIVITY].to_numpy()
    src_end = inst[I.END].to_numpy()[:-1][same]
    tgt_time = (inst[I.START] if has_start else inst[I.END]).to_numpy()[1:][same]
    edge_wait = np.clip((tgt_time - src_end).astype("timedelta64[ns]").astype(np.int64) / 1e9, 0.0, None)
    last_pos = inst.groupby(I.CODE)[I.POS].transform("max").to_numpy()
    pos = inst[I.POS].to_numpy()
    firsts = pd.Series(acts[pos == 0], index=case_ids[pos == 0])
    lasts = pd.Series(acts[pos == last_pos], index=case_ids[pos == last_pos])
    lead = cases.set_index("case")["lead_s"]
    rework, _loops = R.measure_rework(inst)
    return PartitionSummary(
        events=len(events),
        instances=pd.DataFrame(
            {
                "activity": pd.Categorical(acts),
                "department": pd.Categorical(inst[I.DEPARTMENT]),
                "prev_department": pd.Categorical(inst[I.PREV_DEPARTMENT]),
                "processing_s": inst[I.PROC].to_numpy(),
                "wait_s": inst[I.WAIT].to_numpy(),
                "case": pd.Categorical(case_ids),
                "variant": pd.Categorical(variant),
            }
        ),
        edges=pd.DataFrame(
            {
                "source": pd.Categorical(acts[:-1][same]),
                "target": pd.Categorical(acts[1:][same]),
                "wait_s": edge_wait,
                "variant": pd.Categorical(variant[1:][same]),
            }
        ),
        cases=pd.DataFrame(
            {
                "case": variant_of.index.to_numpy(),
                "variant": variant_of.to_numpy(),
                "lead_s": lead.reindex(variant_of.index).to_numpy(),
                "first_activity": firsts.reindex(variant_of.index).to_numpy(),
                "last_activity": lasts.reindex(variant_of.index).to_numpy(),
            }
        ),
        rework=rework[["activity", "cases_with_repeat", "repeats", "time_lost_s"]],
        first=inst[I.START].min(),
        last=inst[I.END].max(),
    )


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate partition tables, unifying their categories (so codes stay small ints)."""
    from pandas.api.types import union_categoricals

    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    out: dict[str, Any] = {}
    for col in frames[0].columns:
        parts = [f[col] for f in frames]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            out[col] = union_categoricals([pd.Categorical(p) for p in parts], ignore_order=True)
        else:
            out[col] = np.concatenate([p.to_numpy() for p in parts])
    return pd.DataFrame(out)


def _activities(rows: pd.DataFrame) -> pd.DataFrame:
    """The same table as ``performance.measure_activities`` (grouped by name, which orders as its codes)."""
    frame = rows.assign(activity=rows["activity"].astype(object))
    g = frame.groupby("activity", sort=True)
    with_dep = frame[frame["department"].notna()]
    counts = with_dep.groupby(["activity", "department"], observed=True).size().reset_index(name="n")
    counts["department"] = counts["department"].astype(object)
    # the most frequent department; a tie goes to the first name, as ``mode_by_codes`` decides it
    counts = counts.sort_values(["activity", "n", "department"], ascending=[True, False, True], kind="stable")
    department = counts.drop_duplicates("activity").set_index("activity")["department"]
    out = pd.DataFrame(
        {
            "count": g.size(),
            "cases": g["case"].nunique(),
            "department": department.reindex(g.size().index),
            "processing_median_s": g["processing_s"].median(),
            "processing_mean_s": g["processing_s"].mean(),
            "processing_p90_s": g["processing_s"].quantile(0.9),
            "wait_median_s": g["wait_s"].median(),
            "wait_mean_s": g["wait_s"].mean(),
            "wait_p90_s": g["wait_s"].quantile(0.9),
            "wait_total_s": g["wait_s"].sum(),
        }
    )
    total = float(frame["wait_s"].sum())
    out["wait_share"] = out["wait_total_s"] / total if total > 0 else 0.0
    out.index.name = "activity"
    out = out.reset_index()
    return out.sort_values(["count", "activity"], ascending=[False, True], kind="stable").reset_index(drop=True)[
        list(P.ACTIVITY_COLUMNS)
    ]


def _process_map(
    rows: pd.DataFrame, edges: pd.DataFrame, cases: pd.DataFrame, variants: pd.DataFrame, coverage: float
) -> dict[str, Any]:
    kept = set(D.kept_variants(variants, coverage)["variant"])
    sub = rows[rows["variant"].astype(object).isin(kept).to_numpy()]
    sub = sub.assign(activity=sub["activity"].astype(object))
    nodes = (
        sub.groupby("activity", sort=True)
        .agg(count=("case", "size"), cases=("case", "nunique"), processing_median_s=("processing_s", "median"))
        .reset_index()
    )
    e = edges[edges["variant"].astype(object).isin(kept).to_numpy()]
    e = e.assign(source=e["source"].astype(object), target=e["target"].astype(object))
    g = e.groupby(["source", "target"], sort=True)["wait_s"]
    edge_table = pd.DataFrame({"count": g.size(), "wait_median_s": g.median(), "wait_p90_s": g.quantile(0.9)})
    edge_table = edge_table.reset_index().sort_values(["count", "source", "target"], ascending=[False, True, True])
    kept_cases = cases[cases["variant"].isin(kept)]
    first = kept_cases["first_activity"].value_counts().sort_index()
    last = kept_cases["last_activity"].value_counts().sort_index()
    return {
        "nodes": nodes,
        "edges": edge_table.reset_index(drop=True),
        "start": {str(k): int(v) for k, v in first.items()},
        "end": {str(k): int(v) for k, v in last.items()},
        "coverage": coverage,
    }


def _handoffs(rows: pd.DataFrame, min_count: int = 5) -> pd.DataFrame:
    """The same table as ``handoffs.measure_handoffs``."""
    prev, dep = rows["prev_department"].astype(object), rows["department"].astype(object)
    ok = prev.notna() & dep.notna() & (prev != dep)
    data = pd.DataFrame({"from_department": prev[ok], "to_department": dep[ok], "wait": rows["wait_s"][ok]})
    if data.empty:
        return pd.DataFrame(columns=HANDOFF_COLUMNS)
    g = data.groupby(["from_department", "to_department"], sort=True)["wait"]
    out = pd.DataFrame(
        {"count": g.size(), "delay_median_s": g.median(), "delay_p90_s": g.quantile(0.9), "delay_total_s": g.sum()}
    ).reset_index()
    out = out[out["count"] >= min(min_count, int(out["count"].max()))]
    return out.sort_values(["delay_median_s", "count"], ascending=[False, False], kind="stable").reset_index(drop=True)[
        HANDOFF_COLUMNS
    ]


def _rework(parts: Sequence[pd.DataFrame], n_cases: int) -> pd.DataFrame:
    cols = ["activity", "cases_with_repeat", "repeats", "share_of_cases", "time_lost_s"]
    frames = [p for p in parts if len(p)]
    if not frames:
        return pd.DataFrame(columns=cols)
    # cases are whole within a partition, so per-partition case counts add up
    g = pd.concat(frames, ignore_index=True).groupby("activity", sort=True)
    out = pd.DataFrame(
        {
            "cases_with_repeat": g["cases_with_repeat"].sum(),
            "repeats": g["repeats"].sum(),
            "time_lost_s": g["time_lost_s"].sum(),
        }
    )
    out["share_of_cases"] = out["cases_with_repeat"] / n_cases
    out = out.reset_index()[cols].sort_values(["repeats", "activity"], ascending=[False, True])
    return out.reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class PartitionedMining:
    """What out-of-core mining found: the covered tables of ``MiningResult`` with the same columns."""

    summary: dict[str, Any]
    activities: pd.DataFrame
    process_map: dict[str, Any]
    variants: pd.DataFrame
    handoffs: pd.DataFrame
    rework: pd.DataFrame
    partitions: int

    def to_dict(self, top_variants: int = 20) -> dict[str, Any]:
        """JSON-ready, in the shape of ``procopt mine --json`` for the covered parts."""
        from procopt._io import to_jsonable

        pm = self.process_map
        doc = {
            "summary": dict(self.summary),
            "activities": self.activities,
            "process_map": {
                "nodes": pm["nodes"],
                "edges": pm["edges"],
                "start": pm["start"],
                "end": pm["end"],
                "coverage": pm["coverage"],
            },
            "variants": self.variants.head(top_variants),
            "handoffs": self.handoffs,
            "rework": {"activities": self.rework},
            "out_of_core": {"partitions": self.partitions, "covered": list(COVERED), "not_covered": list(NOT_COVERED)},
        }
        return to_jsonable(doc)  # type: ignore[no-any-return]


def merge_summaries(parts: Sequence[PartitionSummary], has_start: bool, coverage: float = 0.8) -> PartitionedMining:
    """Merge partition summaries into the figures ``procopt.mine.mine`` gives on the whole log."""
    rows = _concat([p.instances for p in parts])
    edges = _concat([p.edges for p in parts])
    cases = (
        pd.concat([p.cases for p in parts if len(p.cases)], ignore_index=True)
        if any(len(p.cases) for p in parts)
        else pd.DataFrame(columns=["case", "variant", "lead_s", "first_activity", "last_activity"])
    )
    cases = cases.sort_values("case", kind="stable").reset_index(drop=True)
    variant_of = pd.Series(cases["variant"].to_numpy(), index=cases["case"].to_numpy(), dtype=object)
    variants = D.variant_table(
        variant_of, pd.Series(cases["lead_s"].to_numpy(dtype=float), index=cases["case"].to_numpy())
    )
    firsts = [p.first for p in parts if p.first is not None and pd.notna(p.first)]
    lasts = [p.last for p in parts if p.last is not None and pd.notna(p.last)]
    n_cases = len(cases)
    summary = {
        "cases": n_cases,
        "events": sum(p.events for p in parts),
        "activities": int(rows["activity"].nunique()) if len(rows) else 0,
        "has_start": has_start,
        "first": min(firsts) if firsts else None,
        "last": max(lasts) if lasts else None,
        "variants": len(variants),
    }
    if rows.empty:
        return PartitionedMining(
            summary,
            pd.DataFrame(columns=list(P.ACTIVITY_COLUMNS)),
            {"nodes": pd.DataFrame(), "edges": pd.DataFrame(), "start": {}, "end": {}, "coverage": coverage},
            variants,
            pd.DataFrame(columns=HANDOFF_COLUMNS),
            pd.DataFrame(),
            len(parts),
        )
    return PartitionedMining(
        summary=summary,
        activities=_activities(rows),
        process_map=_process_map(rows, edges, cases, variants, coverage),
        variants=variants,
        handoffs=_handoffs(rows),
        rework=_rework([p.rework for p in parts], n_cases),
        partitions=len(parts),
    )
