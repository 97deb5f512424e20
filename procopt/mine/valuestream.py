"""Stage 2 (mine): the value stream of the main path.

Lean's value-stream map puts the steps of the usual path in a row, with the work time of each step
above the line and the waiting before it below; the value-added ratio (process cycle efficiency) is
work time / lead time. The main path is the most frequent variant of two or more steps when it covers at
least 10 % of the cases; otherwise the most frequent activity sequence, followed greedily along the DFG's most
frequent edges from the most frequent start activity.

Output: :class:`ValueStream` with a ``steps`` table ``step, activity, department, processing_median_s,
processing_mean_s, wait_median_s, wait_mean_s, instances`` and totals (seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procopt.mine import instances as I
from procopt.mine.discovery import VARIANT_SEP, ProcessMap

MIN_VARIANT_SHARE = 0.10


@dataclass(frozen=True, slots=True)
class ValueStream:
    """Main path with per-step work and waiting; ``value_added_ratio`` is NaN for complete-only logs."""

    basis: str  # "variant" or "dfg"
    path: tuple[str, ...]
    cases: int
    steps: pd.DataFrame
    lead_time_mean_s: float
    processing_mean_s: float
    waiting_mean_s: float
    value_added_ratio: float


def build_value_stream(
    inst: pd.DataFrame, cases: pd.DataFrame, variants: pd.DataFrame, variant_of: pd.Series, pmap: ProcessMap
) -> ValueStream | None:
    """The value stream of the main path, or None for an empty log."""
    if inst.empty or variants.empty:
        return None
    # a one-step variant (cases cut to a single event) has no flow to map: the main path has two steps or more
    flows = variants[variants["variant"].astype(str).str.contains(f" {VARIANT_SEP} ", regex=False)]
    top = flows.iloc[0] if len(flows) else variants.iloc[0]
    if len(flows) and float(top["share"]) >= MIN_VARIANT_SHARE:
        path = tuple(str(top["variant"]).split(f" {VARIANT_SEP} "))
        is_member = (variant_of == top["variant"]).to_numpy()  # variant_of is in case-code order
        members = variant_of.index[is_member]
        cols = [I.POS, I.PROC, I.WAIT, I.DEPARTMENT, I.DEP_CODE]
        sub = inst[cols][is_member[inst[I.CODE].to_numpy()]]
        step_key = sub[I.POS].to_numpy()
        basis = "variant"
        lead = cases.set_index("case").loc[members, "lead_s"]
    else:
        path = _greedy_path(pmap)
        sub = inst[inst[I.ACTIVITY].isin(path)]
        step_key = sub[I.ACTIVITY].map({a: i for i, a in enumerate(path)}).to_numpy()
        basis = "dfg"
        lead = cases["lead_s"]
    g = sub.assign(step=step_key).groupby("step", sort=True)
    steps = pd.DataFrame(
        {
            "activity": list(path),
            "department": I.mode_by_codes(
                np.asarray(step_key, dtype=np.int64),
                sub[I.DEP_CODE].to_numpy(),
                np.arange(len(path)),
                I.labels_of(inst, I.DEPARTMENT, I.DEP_CODE),
            )
            .reindex(range(len(path)))
            .to_numpy(),
            "processing_median_s": g[I.PROC].median().reindex(range(len(path))).to_numpy(),
            "processing_mean_s": g[I.PROC].mean().reindex(range(len(path))).to_numpy(),
            "wait_median_s": g[I.WAIT].median().reindex(range(len(path))).to_numpy(),
            "wait_mean_s": g[I.WAIT].mean().reindex(range(len(path))).to_numpy(),
            "instances": g.size().reindex(range(len(path))).fillna(0).astype(int).to_numpy(),
        }
    )
    steps.insert(0, "step", range(1, len(path) + 1))
    proc = float(steps["processing_mean_s"].sum(min_count=1))
    wait = float(steps["wait_mean_s"].sum(min_count=1))
    # no start times: no processing is known, the path's lead time is its time between completions
    lead_mean = float(lead.mean()) if basis == "variant" else (0.0 if np.isnan(proc) else proc) + wait
    ratio = proc / lead_mean if lead_mean > 0 and not np.isnan(proc) else float("nan")
    return ValueStream(basis, path, len(lead), steps, lead_mean, proc, wait, ratio)


def _greedy_path(pmap: ProcessMap) -> tuple[str, ...]:
    """Most frequent start activity, then the most frequent unvisited successor until none is left."""
    if not pmap.start:
        return ()
    current = max(sorted(pmap.start), key=lambda a: pmap.start[a])
    path = [current]
    edges = pmap.edges
    while True:
        out = edges[(edges["source"] == current) & (~edges["target"].isin(path))]
        if out.empty or (current in pmap.end and pmap.end[current] >= int(out["count"].max())):
            return tuple(path)
        current = str(out.iloc[0]["target"])
        path.append(current)
