"""Stage 2 (mine): where time goes — per activity, per resource, per department, per case.

Input: the instance table of :mod:`procopt.mine.instances`. Output: DataFrames with documented
columns. A case's lead time splits into *processing* (some instance in progress), *waiting* (nothing
in progress but an instance is enabled and lies in a tray) and *idle* (neither), so
``processing_s + waiting_s + idle_s == lead_s`` for every case.

Utilisation needs working hours, which ERP logs do not state: they are learned per resource
(:mod:`procopt.mine.workhours`) and busy time is counted only inside them, on the days it was active. Complete-only logs have no processing times, so utilisation is reported as NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from procopt.mine import instances as I
from procopt.mine import workhours as W
from procopt.mine.intervals import union_length

ACTIVITY_COLUMNS = (
    "activity",
    "count",
    "cases",
    "department",
    "processing_median_s",
    "processing_mean_s",
    "processing_p90_s",
    "wait_median_s",
    "wait_mean_s",
    "wait_p90_s",
    "wait_total_s",
    "wait_share",
)


def _p90(values: pd.Series) -> float:
    return float(values.quantile(0.9)) if values.notna().any() else float("nan")


def measure_activities(inst: pd.DataFrame) -> pd.DataFrame:
    """Per activity: count, cases, owning department, processing and waiting statistics (seconds)."""
    g = inst.groupby(I.ACT_CODE, sort=True)  # integer codes: no re-hashing of the names
    act_names = I.labels_of(inst, I.ACTIVITY, I.ACT_CODE)
    department = I.mode_by_codes(
        inst[I.ACT_CODE].to_numpy(),
        inst[I.DEP_CODE].to_numpy(),
        np.arange(len(act_names)),
        I.labels_of(inst, I.DEPARTMENT, I.DEP_CODE),
    )
    out = pd.DataFrame(
        {
            "count": g.size(),
            "cases": g[I.CODE].nunique(),
            "department": department.rename_axis(I.ACT_CODE),
            "processing_median_s": g[I.PROC].median(),
            "processing_mean_s": g[I.PROC].mean(),
            "processing_p90_s": g[I.PROC].quantile(0.9),
            "wait_median_s": g[I.WAIT].median(),
            "wait_mean_s": g[I.WAIT].mean(),
            "wait_p90_s": g[I.WAIT].quantile(0.9),
            "wait_total_s": g[I.WAIT].sum(),
        }
    )
    out.index = (
        pd.Index(act_names[out.index.to_numpy().astype(np.int64)], dtype=object)
        if len(out)
        else pd.Index([], dtype=object)
    )
    out = out.sort_index(kind="stable")
    total = float(inst[I.WAIT].sum())
    out["wait_share"] = out["wait_total_s"] / total if total > 0 else 0.0
    out.index.name = "activity"
    out = out.reset_index()
    return out.sort_values(["count", "activity"], ascending=[False, True], kind="stable").reset_index(drop=True)[
        list(ACTIVITY_COLUMNS)
    ]


def _seconds(ts: pd.Series, t0: pd.Timestamp) -> np.ndarray:
    seconds: np.ndarray = (ts - t0).dt.total_seconds().to_numpy()
    return seconds


def measure_cases(inst: pd.DataFrame, has_start: bool) -> pd.DataFrame:
    """Per case: start, end, lead_s, processing_s, waiting_s, idle_s (see module docstring)."""
    if inst.empty:
        return pd.DataFrame(columns=["case", "start", "end", "lead_s", "processing_s", "waiting_s", "idle_s"])
    t0 = inst[I.START].min()
    codes = inst[I.CODE].to_numpy()
    s, e, en = _seconds(inst[I.START], t0), _seconds(inst[I.END], t0), _seconds(inst[I.ENABLED], t0)
    g = inst.groupby(I.CODE, sort=True)
    cases = pd.DataFrame({"case": g[I.CASE].first(), "start": g[I.START].min(), "end": g[I.END].max()})
    cases["lead_s"] = (cases["end"] - cases["start"]).dt.total_seconds()
    busy = union_length(codes, s, e)
    # tray time: union of [enabled, start] and [start, end] (adjacent, so one interval) minus the busy part
    both = union_length(codes, np.minimum(en, s), e)
    if has_start:
        cases["processing_s"] = busy
        cases["waiting_s"] = both - busy
    else:
        cases["processing_s"] = np.nan
        cases["waiting_s"] = both  # elapsed time between completions; processing cannot be separated
    cases["idle_s"] = np.clip(cases["lead_s"] - both, 0.0, None)
    return cases.reset_index(drop=True)


def _hour(ts: pd.Series) -> pd.Series:
    return ts.dt.hour + ts.dt.minute / 60.0


def measure_resources(
    inst: pd.DataFrame, has_start: bool, key: str = I.RESOURCE, resources: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per resource (or department, ``key=I.DEPARTMENT``): workload, learned hours, utilisation, queue wait.

    Columns: ``<key>, instances, cases, busy_s, active_days, work_start_h, work_end_h, available_s,
    utilisation, queue_wait_median_s`` (plus ``department`` for resources, ``resources`` for departments).
    """
    name = "resource" if key == I.RESOURCE else "department"
    cols = [I.CODE, I.RESOURCE, I.RES_CODE, I.DEPARTMENT, I.DEP_CODE, I.START, I.END, I.WAIT]
    data = inst[cols][
        inst[I.RES_CODE if key == I.RESOURCE else I.DEP_CODE].to_numpy() >= 0
    ]  # columns first: less to copy
    if data.empty:
        return pd.DataFrame(columns=[name, "instances", "busy_s", "utilisation", "queue_wait_median_s"])
    if key == I.RESOURCE:
        res_rows = _per_resource(data, has_start)
        dep = _department_of(data)
        res_rows.insert(1, "department", dep.reindex(res_rows["resource"]).to_numpy())
        return res_rows.sort_values(["instances", "resource"], ascending=[False, True]).reset_index(drop=True)
    return _per_department(data, has_start, resources)


def _per_resource(data: pd.DataFrame, has_start: bool) -> pd.DataFrame:
    """Resource-level rows; resources missing are grouped under their department only."""
    has_res = data[I.RES_CODE].to_numpy() >= 0
    d = data if has_res.all() else data[has_res]
    if d.empty:
        return pd.DataFrame(columns=["resource", "instances", "busy_s", "utilisation", "queue_wait_median_s"])
    present, codes = np.unique(d[I.RES_CODE].to_numpy(), return_inverse=True)  # dense codes in name order
    names = pd.Index(I.labels_of(d, I.RESOURCE, I.RES_CODE)[present], dtype=object)
    g = d.groupby(codes, sort=True)
    out = pd.DataFrame({"instances": g.size(), "cases": g[I.CODE].nunique()})
    out.index = names
    windows = W.learn_windows(d[I.RESOURCE], d[I.START], d[I.END], codes=(codes, names)).reindex(names)
    out = out.join(windows[["work_start_h", "work_end_h"]])
    ws, we = windows["work_start_h"].to_numpy()[codes], windows["work_end_h"].to_numpy()[codes]
    weekends = windows["weekends"].to_numpy(dtype=bool)[codes]
    days = pd.Series(W.active_days(codes, d[I.START], d[I.END], weekends, len(names)), index=names)
    out["active_days"] = days.reindex(out.index).to_numpy()
    out["available_s"] = out["active_days"] * (out["work_end_h"] - out["work_start_h"]) * 3600.0
    if has_start:
        s = W.working_clock(d[I.START], ws, we, weekends)
        e = W.working_clock(d[I.END], ws, we, weekends)
        busy = union_length(codes, s, e)
        out["busy_s"] = pd.Series(busy, index=names).reindex(out.index).to_numpy()
        out["utilisation"] = (out["busy_s"] / out["available_s"]).clip(upper=1.0)
    else:
        out["busy_s"] = np.nan
        out["utilisation"] = np.nan
    out["queue_wait_median_s"] = g[I.WAIT].median().to_numpy()
    out.index.name = I.RESOURCE
    return out.reset_index().rename(columns={I.RESOURCE: "resource"})


def _department_of(data: pd.DataFrame) -> pd.Series:
    """Most frequent department of each resource (index: resource name)."""
    return I.mode_by_codes(
        data[I.RES_CODE].to_numpy(),
        data[I.DEP_CODE].to_numpy(),
        I.labels_of(data, I.RESOURCE, I.RES_CODE),
        I.labels_of(data, I.DEPARTMENT, I.DEP_CODE),
    )


def _per_department(data: pd.DataFrame, has_start: bool, res: pd.DataFrame | None = None) -> pd.DataFrame:
    """Department rows: sums over its resources; queue wait over all its instances."""
    if res is None:
        res = _per_resource(data, has_start)
    g = data.groupby(I.DEPARTMENT, sort=True)
    out = pd.DataFrame({"instances": g.size(), "cases": g[I.CODE].nunique(), "resources": g[I.RESOURCE].nunique()})
    if not res.empty and "resource" in res:
        dep_of = _department_of(data)
        res = res.assign(department=dep_of.reindex(res["resource"]).to_numpy())
        sums = res.groupby("department")[["busy_s", "available_s"]].sum(min_count=1)
        out = out.join(sums)
    else:
        out["busy_s"], out["available_s"] = np.nan, np.nan
    out["utilisation"] = (out["busy_s"] / out["available_s"]).clip(upper=1.0) if has_start else np.nan
    out["queue_wait_median_s"] = g[I.WAIT].median()
    out = out.reset_index().rename(columns={I.DEPARTMENT: "department"})
    return out.sort_values(["instances", "department"], ascending=[False, True]).reset_index(drop=True)


def lead_time_table(cases: pd.DataFrame, attributes: pd.DataFrame, variant_of: pd.Series) -> pd.DataFrame:
    """Lead-time distribution overall, by variant and by case attribute (numeric ones in quartile bands).

    Columns: ``group_by, group, cases, mean_s, median_s, p90_s, max_s``.
    """
    lead = cases.set_index("case")["lead_s"]
    parts = [_stats(lead, "all", "all cases")]
    if len(variant_of):
        parts.append(_grouped(lead, variant_of.reindex(lead.index), "variant"))
    for col in attributes.columns:
        values = attributes[col].reindex(lead.index)
        if values.notna().sum() < 2 or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values) and values.nunique() > 8:
            values = _bands(values)
        elif values.nunique() > 20:
            continue
        parts.append(_grouped(lead, values.astype(str).where(values.notna(), None), col))
    return pd.concat(parts, ignore_index=True)


def _bands(values: pd.Series) -> pd.Series:
    """Quartile bands of a numeric attribute, labelled with their bounds (e.g. '5000-20000')."""
    edges = np.unique(values.quantile([0, 0.25, 0.5, 0.75, 1.0]).to_numpy())
    if len(edges) < 2:
        return values.astype(str)
    labels = [f"{_num(a)}-{_num(b)}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return pd.cut(values, bins=edges, labels=labels, include_lowest=True).astype(object)


def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.2g}"


def _stats(lead: pd.Series, group_by: str, group: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "group_by": group_by,
                "group": group,
                "cases": int(lead.count()),
                "mean_s": lead.mean(),
                "median_s": lead.median(),
                "p90_s": _p90(lead),
                "max_s": lead.max(),
            }
        ]
    )


def _grouped(lead: pd.Series, keys: pd.Series, group_by: str) -> pd.DataFrame:
    g = lead.groupby(keys.to_numpy(), sort=True, dropna=True)
    out = pd.DataFrame(
        {"cases": g.count(), "mean_s": g.mean(), "median_s": g.median(), "p90_s": g.quantile(0.9), "max_s": g.max()}
    )
    out = out.reset_index(names="group")
    out.insert(0, "group_by", group_by)
    return out.sort_values(["cases", "group"], ascending=[False, True], kind="stable")
