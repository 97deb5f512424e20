"""Run a sweep grid through ``run_experiment`` and write its CSV, JSON and chart."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from procopt.errors import ScenarioError, did_you_mean
from procopt.sim.sweep.knee import Knee, find_knee
from procopt.sim.sweep.spec import VARY_EXAMPLE, Vary, _fail, group_label, sweep_grid

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class SweepResult:
    """One row per grid point (``rows``: plain dicts, CSV-ready) and the knee of each capacity setting."""

    varies: tuple[Vary, ...]
    rows: tuple[dict[str, Any], ...]
    knees: tuple[Knee, ...]
    replications: int
    days: float
    seed: int
    #: False when no pool has a capacity limit and none is swept: the curve says nothing about capacity
    capacity_known: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``: the grid, the knees (with their sentence) and the run settings."""
        return {
            "vary": [v.spec for v in self.varies],
            "replications": self.replications,
            "days": self.days,
            "seed": self.seed,
            "capacity_known": self.capacity_known,
            "points": [dict(r) for r in self.rows],
            "knees": [
                {
                    "group": k.group,
                    "criterion": k.criterion,
                    "base_per_week": k.base_per_week,
                    "knee_per_week": k.knee_per_week,
                    "knee_value": k.knee_value,
                    "next_per_week": k.next_per_week,
                    "next_value": k.next_value,
                    "unstable_from_per_week": k.unstable_from_per_week,
                    "text": k.sentence(),
                }
                for k in self.knees
            ],
        }


def _scenario_for(point: Mapping[str, float], varies: Sequence[Vary], model: Any) -> Any:
    from procopt.scenario import ScaleArrivals, Scenario, SetCapacity

    changes: list[Any] = []
    parts: list[str] = []
    for v in varies:
        value = point[v.column]
        if v.target == "arrivals":
            parts.append(f"volume x{value:g}")
            if value != 1.0:
                changes.append(ScaleArrivals(scale=float(value)))
        elif v.mode == "set":
            parts.append(f"{v.key}={int(value)}")
            changes.append(SetCapacity(pool=v.key, set=int(value)))
        else:
            parts.append(f"{v.key}{int(value):+d}")
            if value:
                changes.append(SetCapacity(pool=v.key, add=int(value)))
    return Scenario(name="sweep: " + ", ".join(parts), description="sweep point", changes=tuple(changes))


def check_varies(varies: Sequence[Vary], model: Any) -> None:
    """Reject specs the model cannot take (unknown pool, adding people to an unlimited pool)."""
    for v in varies:
        if v.target != "capacity":
            continue
        if v.key not in model.pools:
            raise _fail(
                v.spec,
                f"unknown pool {v.key!r}.{did_you_mean(v.key, list(model.pools))}",
                hint="The model's pools are: " + ", ".join(sorted(model.pools)) + ".",
            )
        if v.mode == "add" and model.pools[v.key].capacity is None and any(v.values):
            raise _fail(
                v.spec,
                f"pool {v.key!r} has unlimited capacity, so adding people changes nothing",
                hint=f"Set its size instead: capacity.{v.key}.set=1:5:1.",
            )


def run_sweep(
    model: Any,
    varies: Sequence[Vary],
    *,
    replications: int = 5,
    days: float = 90.0,
    warmup_days: float = 14.0,
    seed: int = 1,
    workers: int | None = None,
    tolerance: float = 0.05,
    progress: ProgressFn | None = None,
    executor: Any = None,
    announce: Callable[[str], None] | None = None,
) -> SweepResult:
    """Run every grid point through ``run_experiment`` (same seeds everywhere) and find the knees.

    Args:
        model: a calibrated ``SimulationModel``.
        varies: the grid dimensions (``parse_vary``).
        replications / days / warmup_days / seed / workers: as in ``RunConfig`` (``days`` includes the warm-up).
        tolerance: how far (absolute) the on-time rate may fall below the lowest-volume point and still "hold".
        progress: ``callback(done, total)`` over all replications.
        executor / announce: as in ``run_experiment`` (where replications run; the time estimate).
    """
    from procopt.sim.experiment import RunConfig, run_experiment

    if not varies:
        raise ScenarioError(None, "nothing to sweep", where="--vary", hint=f"Add --vary {VARY_EXAMPLE}.")
    check_varies(varies, model)
    points = sweep_grid(varies)
    scenarios = [_scenario_for(p, varies, model) for p in points]
    from procopt.sim.experiment import run_out_days

    p99 = (model.provenance or {}).get("case_p99_h")
    config = RunConfig(
        replications=replications,
        days=days,
        warmup_days=warmup_days,
        seed=seed,
        workers=workers,
        keep_logs=0,
        drain_days=run_out_days(float(p99) if isinstance(p99, (int, float)) else None),
    )
    result = run_experiment(model, scenarios, config, progress=progress, executor=executor, announce=announce)
    by_name = {r["scenario"]: r for r in result.runs}
    rows = [_row(p, sc, by_name[sc.name], varies, model) for p, sc in zip(points, scenarios, strict=True)]
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["group"], []).append(r)
    today = float(model.arrivals.cases_per_week)
    known = any(p.capacity is not None for p in model.pools.values()) or any(v.target == "capacity" for v in varies)
    knees = tuple(
        dataclasses.replace(find_knee(g, group=name, tolerance=tolerance, today_per_week=today), capacity_known=known)
        for name, g in groups.items()
    )
    return SweepResult(tuple(varies), tuple(rows), knees, replications, days, seed, known)


def _row(
    point: Mapping[str, float], scenario: Any, run: Mapping[str, Any], varies: Sequence[Vary], model: Any
) -> dict[str, Any]:
    from procopt.scenario import apply_scenario

    changed = apply_scenario(model, scenario)
    lead = run.get("lead_time_hours") or {}
    delivery = run.get("delivery_rate") or {}
    util = {k: v for k, v in (run.get("utilisation") or {}).items() if v is not None}
    bottleneck = max(util, key=lambda k: util[k]) if util else None
    p90_ci = lead.get("p90_ci95") or [None, None]
    d_ci = delivery.get("ci95") or [None, None]
    return {
        "scenario": scenario.name,
        "group": group_label(point, varies),
        **dict(point),
        "orders_per_week": float(changed.arrivals.cases_per_week),
        "throughput_per_week": run.get("throughput_per_week"),
        "delivery_rate": delivery.get("value"),
        "delivery_rate_lo": _clip(d_ci[0], 0.0, 1.0),  # a t-interval of a share can leave [0, 1]
        "delivery_rate_hi": _clip(d_ci[1], 0.0, 1.0),
        "lead_time_mean_h": lead.get("mean"),
        "lead_time_p90_h": lead.get("p90"),
        "lead_time_p90_h_lo": _clip(p90_ci[0], 0.0, None),
        "lead_time_p90_h_hi": p90_ci[1],
        "bottleneck_pool": bottleneck,
        "bottleneck_utilisation": util.get(bottleneck) if bottleneck else None,
        "unfinished_share": run.get("unfinished_share"),
        "stable": bool(run.get("stable", True)),
        "unstable_reasons": "; ".join(run.get("unstable_reasons") or []),
    }


def _clip(value: float | None, low: float, high: float | None) -> float | None:
    if value is None:
        return None
    value = max(low, float(value))
    return min(high, value) if high is not None else value


def write_sweep(result: SweepResult, out_dir: Any, *, chart: tuple[bytes, str]) -> dict[str, Any]:
    """Write ``sweep.csv``, ``sweep.json`` and the drawn ``chart`` (``sweep.png``, ``sweep.svg``) into ``out_dir``
    atomically; the chart comes from ``procopt.viz.sweep_chart.render_chart`` (drawing stays out of ``sim``)."""
    from pathlib import Path

    import pandas as pd

    from procopt._io import atomic_dir, atomic_write_bytes, atomic_write_text, write_csv, write_json

    png, svg = chart
    with atomic_dir(out_dir) as tmp:
        write_csv(tmp / "sweep.csv", pd.DataFrame(list(result.rows)))
        write_json(tmp / "sweep.json", result.to_dict())
        atomic_write_bytes(tmp / "sweep.png", png)
        atomic_write_text(tmp / "sweep.svg", svg)
    out = Path(out_dir)
    return {name: out / name for name in ("sweep.csv", "sweep.json", "sweep.png", "sweep.svg")}
