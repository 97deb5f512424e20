"""``procopt kpi``: KPI values against targets, weekly trends and cross-department KPI conflicts."""

from __future__ import annotations

from pathlib import Path

import click

from procopt.cli.common import emit_json, json_option
from procopt.cli.mine import load_events
from procopt.cli.options import map_option

_MARK = {"met": "met     ", "at_risk": "AT RISK ", "missed": "MISSED  ", "no_data": "no data "}


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "h":
        return f"{value:.1f} h"
    return f"{value:,.1f} {unit}"


@click.command("kpi")
@click.argument("log", type=click.Path(dir_okay=False))
@click.option(
    "--kpis",
    "kpi_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="KPI file (YAML, version: 1), e.g. sample_logs/kpis.yaml.",
)
@map_option
@json_option
def command(log: str, kpi_path: str, map_: str | None, as_json: bool) -> None:
    """Compute the KPIs of LOG against their targets and find KPIs that pull against each other.

    \b
    Example:
      procopt kpi sample_logs/o2c_orders.csv --kpis sample_logs/kpis.yaml
    """
    from procopt.mine.kpi import evaluate_kpis, kpis_to_dict
    from procopt.mine.kpi_config import load_kpis

    load_kpis(kpi_path)  # syntax and keys first, before reading a large log
    events = load_events(log, map_)
    config = load_kpis(kpi_path, activities=sorted(events["concept:name"].astype(str).unique()))
    values, conflicts = evaluate_kpis(events, config)
    if as_json:
        emit_json(kpis_to_dict(values, conflicts))
        return
    lines = [f"{Path(log).name}: {len(values)} KPIs from {Path(kpi_path).name}"]
    for v in values:
        target = f"{'≥' if v.target_kind == 'min' else '≤'} {_fmt(v.target, v.unit)}"
        trend = ""
        if len(v.weekly) >= 4:
            # mean of the first vs the last quarter of the weeks: single edge weeks are noisy and partial
            values = v.weekly["value"].to_numpy(dtype=float)
            k = max(1, len(values) // 4)
            first, last = values[:k].mean(), values[-k:].mean()
            span = f"first {k} vs last {k} weeks" if k > 1 else "first vs last week"
            trend = f"; trend {_fmt(float(first), v.unit)} → {_fmt(float(last), v.unit)} ({span} of {len(values)})"
        owner = f" [{v.owner}]" if v.owner else ""
        lines.append(f"  {_MARK[v.status]} {v.name}{owner}: {_fmt(v.value, v.unit)} (target {target}){trend}")
        worst = v.by_department.dropna()
        if len(worst) > 1 and worst["value"].nunique() > 1:  # a "worst" among equals says nothing
            pick = worst.sort_values("value", ascending=v.target_kind == "min").iloc[0]
            lines.append(f"           worst department: {pick['department']} {_fmt(float(pick['value']), v.unit)}")
    lines.append("KPI conflicts between departments:")
    if not conflicts:
        lines.append("  none found (no pair of department KPIs moves against each other week by week)")
    lines += [f"  {c.sentence}" for c in conflicts]
    click.echo("\n".join(lines))
