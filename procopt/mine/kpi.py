"""Stage 2 (mine): KPI values against targets, their weekly trend, and conflicts between departments.

After an ERP go-live every department watches its own KPI: Sales the orders signed per week,
Logistics the on-time delivery, Finance the approval cycle time. This module computes each KPI of a
:class:`~procopt.mine.kpi_config.KpiConfig` from the event table, says whether it is ``met``,
``at_risk`` (missed by at most 10 % of the target) or ``missed``, gives its weekly trend and a
per-department breakdown, and finds *conflicts*: pairs of KPIs owned by different departments whose
weekly series move against each other once each KPI's good direction is taken into account.

Breakdowns: case-level KPIs (lead time, on-time delivery, first-pass yield) are split by the
department in which the case waited longest — the department that held the case up. Approval cycle
time is per case (the waiting and work of all its approval steps), split by approving department; throughput and data completeness by the department of the rows.
Weeks start on Monday; weeks with fewer than ``MIN_WEEK_N`` observations are left out of trends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from procopt.errors import InputError
from procopt.log import columns as C
from procopt.mine import instances as I
from procopt.mine.approvals import APPROVAL_PATTERNS
from procopt.mine.kpi_config import KpiConfig, KpiSpec

AT_RISK = 0.10
MIN_WEEK_N = 3
REWORK_RE = re.compile(r"rework|revis|返工|返修|修改|重做", re.IGNORECASE)
_ROLE_COLUMNS = {"start": C.START, "resource": C.RESOURCE, "department": C.DEPARTMENT, "due": C.DUE}


@dataclass(frozen=True, slots=True)
class KpiValue:
    """A computed KPI: value vs target, status, weekly trend and breakdown (``week``/``department`` rows)."""

    name: str
    type: str
    owner: str | None
    unit: str
    value: float | None
    target: float
    target_kind: str  # "max" | "min"
    status: str  # met | at_risk | missed | no_data
    observations: int
    weekly: pd.DataFrame  # week, value, n
    by_department: pd.DataFrame  # department, value, n


@dataclass(frozen=True, slots=True)
class KpiConflict:
    """Two KPIs of different owners whose weekly series pull in opposite directions."""

    kpi_a: str
    kpi_b: str
    owner_a: str | None
    owner_b: str | None
    r: float
    weeks: int
    sentence: str


def _stat(values: pd.Series, statistic: str) -> float:
    if values.empty:
        return float("nan")
    if statistic == "mean":
        return float(values.mean())
    if statistic == "p90":
        return float(values.quantile(0.9))
    return float(values.median())


def _status(value: float, spec: KpiSpec) -> str:
    if value != value:
        return "no_data"
    good = value >= spec.target if spec.direction > 0 else value <= spec.target
    if good:
        return "met"
    slack = abs(spec.target) * AT_RISK
    near = value >= spec.target - slack if spec.direction > 0 else value <= spec.target + slack
    return "at_risk" if near else "missed"


def _week(ts: pd.Series) -> pd.Series:
    return (ts.dt.normalize() - pd.to_timedelta(ts.dt.weekday, unit="D")).dt.strftime("%Y-%m-%d")


def _grouped(values: pd.Series, keys: pd.Series, statistic: str, name: str) -> pd.DataFrame:
    frame = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy()}).dropna()
    g = frame.groupby("k", sort=True)["v"]
    agg = {"mean": g.mean(), "median": g.median(), "p90": g.quantile(0.9), "sum": g.sum()}[statistic]
    out = pd.DataFrame({"value": agg, "n": g.size()}).reset_index().rename(columns={"k": name})
    return out


class _Context:
    """Per-log data shared by all KPIs (computed once)."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.events = events
        self.inst, self.has_start = I.build_instances(events)
        inst = self.inst
        g = inst.groupby(I.CODE, sort=True)
        self.cases = pd.DataFrame({"case": g[I.CASE].first(), "start": g[I.START].min(), "end": g[I.END].max()})
        self.cases["week"] = _week(self.cases["end"])
        waits = inst[[I.CODE, I.WAIT, I.DEPARTMENT]].dropna()
        longest = waits.sort_values([I.CODE, I.WAIT], ascending=[True, False]).drop_duplicates(I.CODE)
        self.cases["held_by"] = longest.set_index(I.CODE)[I.DEPARTMENT].reindex(self.cases.index)
        self.cases = self.cases.set_index("case")


def _case_kpi(
    ctx: _Context, spec: KpiSpec, per_case: pd.Series, statistic: str
) -> tuple[float, pd.DataFrame, pd.DataFrame]:
    per_case = per_case.dropna()
    weeks = ctx.cases["week"].reindex(per_case.index)
    held = ctx.cases["held_by"].reindex(per_case.index)
    weekly = _grouped(per_case, weeks, statistic, "week")
    return _stat(per_case, statistic), weekly, _grouped(per_case, held, statistic, "department")


def _lead_time(ctx: _Context, spec: KpiSpec) -> pd.Series:
    inst = ctx.inst
    if spec.start_activity is None and spec.end_activity is None:
        return (ctx.cases["end"] - ctx.cases["start"]).dt.total_seconds() / 3600.0
    first = inst.groupby(I.CASE)[I.START].min()
    if spec.start_activity is not None:
        first = inst[inst[I.ACTIVITY] == spec.start_activity].groupby(I.CASE)[I.START].min()
    last = inst.groupby(I.CASE)[I.END].max()
    if spec.end_activity is not None:
        last = inst[inst[I.ACTIVITY] == spec.end_activity].groupby(I.CASE)[I.END].max()
    both = first.index.intersection(last.index)
    hours = (last.reindex(both) - first.reindex(both)).dt.total_seconds() / 3600.0
    return hours[hours >= 0]


def _on_time(ctx: _Context, spec: KpiSpec) -> pd.Series:
    due = ctx.events.groupby(C.CASE)[C.DUE].first()
    if due.notna().sum() == 0:
        raise InputError(
            None,
            f"KPI {spec.name!r} needs due dates but the log has none",
            where="on_time_delivery",
            hint="Map the promised-date column with --map due=<column>.",
        )
    inst = ctx.inst
    if spec.end_activity is None:
        done = ctx.cases["end"]
    else:
        done = inst[inst[I.ACTIVITY] == spec.end_activity].groupby(I.CASE)[I.END].max()
    due = due.reindex(done.index)
    ok = done.notna() & due.notna()
    return (done[ok] <= due[ok]).astype(float)


def _first_pass(ctx: _Context) -> pd.Series:
    inst = ctx.inst
    repeated = inst.duplicated([I.CODE, I.ACTIVITY]) | inst[I.ACTIVITY].str.contains(REWORK_RE)
    bad = inst[repeated][I.CASE].unique()
    cases = ctx.cases.index
    return pd.Series(~cases.isin(bad), index=cases).astype(float)


def _approvals(ctx: _Context, spec: KpiSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per case: approval hours and week of the last approval; per case and approving department: hours)."""
    inst = ctx.inst
    if spec.activities:
        mask = inst[I.ACTIVITY].isin(spec.activities)
    else:
        mask = inst[I.ACTIVITY].str.contains("|".join(APPROVAL_PATTERNS), case=False, regex=True)
    rows = inst[mask]
    proc = rows[I.PROC].fillna(0.0) if ctx.has_start else 0.0
    frame = pd.DataFrame(
        {"code": rows[I.CODE], "h": (rows[I.WAIT] + proc) / 3600.0, "end": rows[I.END], "dep": rows[I.DEPARTMENT]}
    )
    # per case: all its approval waiting + work (two approvals of 1 h and 5 h make a 6 h approval cycle)
    g = frame.groupby("code", sort=True)
    per_case = pd.DataFrame({"h": g["h"].sum(), "week": _week(g["end"].max())})
    by_dep = frame.dropna(subset=["dep"]).groupby(["code", "dep"], sort=True)["h"].sum().reset_index()
    return per_case, by_dep


def compute_kpi(ctx: _Context, spec: KpiSpec) -> KpiValue:
    """Value, status, weekly trend and breakdown of one KPI."""
    if spec.type in ("lead_time", "on_time_delivery", "first_pass_yield"):
        per_case = {
            "lead_time": lambda: _lead_time(ctx, spec),
            "on_time_delivery": lambda: _on_time(ctx, spec),
            "first_pass_yield": lambda: _first_pass(ctx),
        }[spec.type]()
        statistic = spec.statistic if spec.type == "lead_time" else "mean"
        value, weekly, by_dep = _case_kpi(ctx, spec, per_case, statistic)
        n = int(per_case.notna().sum())
    elif spec.type == "approval_cycle_time":
        rows, dep_rows = _approvals(ctx, spec)
        value, n = _stat(rows["h"], spec.statistic), len(rows)
        weekly = _grouped(rows["h"], rows["week"], spec.statistic, "week")
        by_dep = _grouped(dep_rows["h"], dep_rows["dep"], spec.statistic, "department")
    elif spec.type == "throughput_per_week":
        inst = ctx.inst
        rows = inst[inst[I.ACTIVITY] == spec.end_activity] if spec.end_activity else inst[inst[I.POS] == 0]
        weeks = _week(rows[I.END])
        weekly = _grouped(pd.Series(1.0, index=rows.index), weeks, "sum", "week")
        weekly["n"] = weekly["value"].astype(int)
        weekly = weekly.iloc[1:-1] if len(weekly) > 2 else weekly  # first and last week are partial
        full = weekly
        value, n = float(full["value"].mean()) if len(full) else float("nan"), len(rows)
        by_dep = _grouped(pd.Series(1.0, index=rows.index), rows[I.DEPARTMENT], "sum", "department")
        by_dep["value"] = by_dep["value"] / max(len(full), 1)
    else:  # data_completeness
        cols = [_ROLE_COLUMNS[c] for c in spec.columns]
        filled = ctx.events[cols].notna().mean(axis=1)
        weeks = _week(ctx.events[C.END])
        value, n = float(filled.mean()), len(filled)
        weekly = _grouped(filled, weeks, "mean", "week")
        by_dep = _grouped(filled, ctx.events[C.DEPARTMENT], "mean", "department")
    weekly = weekly[weekly["n"] >= MIN_WEEK_N].reset_index(drop=True)
    return KpiValue(
        name=spec.name,
        type=spec.type,
        owner=spec.owner,
        unit=spec.unit,
        value=None if value != value else value,
        target=spec.target,
        target_kind="min" if spec.direction > 0 else "max",
        status=_status(value, spec),
        observations=n,
        weekly=weekly,
        by_department=by_dep.sort_values("n", ascending=False).reset_index(drop=True),
    )


def find_conflicts(
    values: tuple[KpiValue, ...], specs: tuple[KpiSpec, ...], min_weeks: int, min_abs_r: float
) -> tuple[KpiConflict, ...]:
    """Pairs of KPIs of different owners whose weekly series move against each other."""
    by_name = {s.name: s for s in specs}
    out = []
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            if a.owner is None or b.owner is None or a.owner == b.owner:
                continue
            joined = a.weekly.merge(b.weekly, on="week", suffixes=("_a", "_b"))
            if len(joined) < min_weeks or joined["value_a"].std() == 0 or joined["value_b"].std() == 0:
                continue
            r = float(np.corrcoef(joined["value_a"], joined["value_b"])[0, 1])
            if r * by_name[a.name].direction * by_name[b.name].direction <= -min_abs_r:
                more = "higher" if r > 0 else "lower"
                sentence = (
                    f"Weeks with higher {a.name} ({a.owner}) had {more} {b.name} ({b.owner}): "
                    f"r = {r:.2f} over {len(joined)} weeks — what is good for one is bad for the other."
                )
                out.append(KpiConflict(a.name, b.name, a.owner, b.owner, r, len(joined), sentence))
    return tuple(sorted(out, key=lambda c: (-abs(c.r), c.kpi_a, c.kpi_b)))


def evaluate_kpis(events: pd.DataFrame, config: KpiConfig) -> tuple[tuple[KpiValue, ...], tuple[KpiConflict, ...]]:
    """Compute every configured KPI and the conflicts between them."""
    ctx = _Context(events)
    values = tuple(compute_kpi(ctx, spec) for spec in config.kpis)
    return values, find_conflicts(values, config.kpis, config.min_weeks, config.min_abs_r)


def kpis_to_dict(values: tuple[KpiValue, ...], conflicts: tuple[KpiConflict, ...]) -> dict[str, Any]:
    """JSON-ready dict: ``kpis`` (with weekly and by_department lists) and ``conflicts``."""
    from dataclasses import asdict

    from procopt._io import to_jsonable

    return to_jsonable({"kpis": [asdict(v) for v in values], "conflicts": [asdict(c) for c in conflicts]})  # type: ignore[no-any-return]
