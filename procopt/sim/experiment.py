"""Stage 5 (sim): experiments — replications of the baseline and each scenario, compared in pairs.

Replication ``r`` of every scenario uses the same seed (common random numbers: the same orders arrive
with the same attributes), so ``scenario - baseline`` is measured per replication and its confidence
interval is far tighter than comparing two independent averages. Cases arrive for ``days`` days; the
first ``warmup_days`` only fill the queues; the run then continues up to ``drain_days`` so the measured
cases can finish. A scenario whose queues keep growing (a pool at >= 98 % utilisation, lead times rising
through the run) is reported as unstable, not averaged away. Cases still unfinished after the run-out are
truncation, reported apart (``truncated``): the run-out follows the log's own case durations (``run_out_days``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from procopt.errors import ScenarioError
from procopt.model.types import SimulationModel
from procopt.scenario import Scenario, apply_scenario
from procopt.sim import defaults
from procopt.sim.engine import DEFAULT_DRAIN_DAYS, Trace, run_replication, trace_to_frame
from procopt.sim.executor import Executor, LocalExecutor
from procopt.sim.metrics import replication_metrics

METRICS = ("lead_time_mean_h", "lead_time_p50_h", "lead_time_p90_h", "delivery_rate", "throughput_per_week", "wip")


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Replications, arrival days (warm-up included), seed, workers (None = all cores, 1 = serial).

    ``keep_logs``: how many replications per scenario keep their simulated event log (``ExperimentResult.logs``);
    ``start``: the simulated calendar start (default: the Monday after the calibration log ends).
    """

    # the one set of run defaults (procopt/sim/defaults.py), shared by every command that simulates
    replications: int = defaults.REPLICATIONS
    days: float = defaults.DAYS
    warmup_days: float = defaults.WARMUP_DAYS
    seed: int = defaults.SEED
    workers: int | None = None
    drain_days: float = DEFAULT_DRAIN_DAYS
    keep_logs: int = 0
    start: str | None = None


@dataclass(frozen=True, slots=True)
class ExperimentResult:
    """Per-replication metrics, per-scenario summaries and the event logs of the first replications."""

    config: RunConfig
    runs: tuple[dict[str, Any], ...]
    per_replication: pd.DataFrame
    logs: dict[str, tuple[pd.DataFrame, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"config": ..., "runs": [...]}`` (the first run is the baseline, with ``vs_baseline: None``)."""
        from dataclasses import asdict

        return {"config": asdict(self.config), "runs": [dict(r) for r in self.runs]}


def run_experiment(
    model: SimulationModel,
    scenarios: Sequence[Scenario],
    config: RunConfig = RunConfig(),
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
    announce: Callable[[str], None] | None = None,
) -> ExperimentResult:
    """Run the baseline and every scenario ``config.replications`` times; summarise and compare.

    ``announce(sentence)``, when given, hears the expected run time before a long run starts.
    """
    if config.replications < 1:
        raise ScenarioError(None, f"replications must be >= 1, got {config.replications}")
    if config.days <= config.warmup_days:
        raise ScenarioError(
            None,
            f"--days ({config.days:g}) must be longer than the warm-up ({config.warmup_days:g})",
            hint="Cases arrive for --days days; the first --warmup-days are not measured.",
        )
    names = [s.name for s in scenarios]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ScenarioError(None, f"two scenarios are named {dup[0]!r}", hint="Give every scenario its own name.")
    variants: list[tuple[str, str, SimulationModel, dict[str, Any]]] = [
        ("baseline", "the model as calibrated", model, {})
    ]
    for s in scenarios:
        variants.append((s.name, s.description, apply_scenario(model, s), dict(s.kpi_targets)))
    if announce is not None:
        from procopt.scale.estimate import announce_estimate

        announce_estimate(
            model,
            [v[2] for v in variants],
            replications=config.replications,
            days=config.days,
            parallelism=executor.parallelism if executor is not None else LocalExecutor(config.workers).parallelism,
            seed=config.seed,
            announce=announce,
        )
    # the models travel to each worker once (``shared``); a task is only (variant, replication)
    shared = (tuple(v[2] for v in variants), config)
    tasks = [(i, r) for i in range(len(variants)) for r in range(config.replications)]
    if executor is not None:
        results = executor.run(_replicate, shared, tasks, progress)
    else:
        with LocalExecutor(config.workers) as ex:
            results = ex.run(_replicate, shared, tasks, progress)
    rows = [
        {"scenario": variants[i][0], "replication": r, **res["metrics"]}
        for (i, r), res in zip(tasks, results, strict=True)
    ]
    per_rep = pd.DataFrame(rows)
    logs: dict[str, list[pd.DataFrame]] = {}
    for (i, _r), res in zip(tasks, results, strict=True):
        if res["log"] is not None:
            logs.setdefault(variants[i][0], []).append(res["log"])
    all_targets: dict[str, Any] = {}
    for v in variants[1:]:
        for k, t in v[3].items():
            all_targets.setdefault(k, t)
    runs = []
    base = per_rep[per_rep["scenario"] == "baseline"].reset_index(drop=True)
    for name, desc, _m, targets in variants:
        sub = per_rep[per_rep["scenario"] == name].reset_index(drop=True)
        summary = _summarise(name, desc, sub, targets if name != "baseline" else all_targets)
        summary["vs_baseline"] = None if name == "baseline" else _compare(base, sub)
        runs.append(summary)
    return ExperimentResult(config, tuple(runs), per_rep, {k: tuple(v) for k, v in logs.items()})


#: the run-out lets a case arriving on the last day last this many times the log's 99th-percentile case
RUN_OUT_FACTOR = 1.5


def run_out_days(case_p99_h: float | None, default: float = DEFAULT_DRAIN_DAYS) -> float:
    """Run-out after the last arrival: long enough for the log's own long cases to finish.

    ``case_p99_h`` is the 99th percentile of the log's case durations (``model.provenance["case_p99_h"]``); a
    fixed 60 days cut BPI 2019's baseline at 1,077 h although its mean case lasts 4,010 h. At least 7 days.
    """
    if case_p99_h is None or not math.isfinite(case_p99_h) or case_p99_h <= 0:
        return default
    return float(min(3650.0, max(7.0, math.ceil(RUN_OUT_FACTOR * case_p99_h / 24.0))))


def case_p99_hours(events: pd.DataFrame) -> float | None:
    """99th percentile of the case durations (first start or completion to last completion), in hours."""
    from procopt.log import columns as C

    if events is None or len(events) == 0:
        return None
    first = events[C.START].fillna(events[C.END]) if C.START in events.columns else events[C.END]
    g = pd.DataFrame({"c": events[C.CASE], "s": first, "e": events[C.END]}).groupby("c", sort=False)
    span = (g["e"].max() - g["s"].min()).dt.total_seconds().dropna() / 3600.0
    return float(np.quantile(span, 0.99)) if len(span) else None


def with_case_p99(model: SimulationModel, events: pd.DataFrame) -> SimulationModel:
    """The model with the log's 99th-percentile case duration in its provenance (sets the run-out)."""
    import dataclasses

    p99 = case_p99_hours(events)
    if p99 is None:
        return model
    return dataclasses.replace(model, provenance={**dict(model.provenance), "case_p99_h": round(p99, 2)})


def _replicate(shared: tuple[tuple[SimulationModel, ...], RunConfig], task: tuple[int, int]) -> dict[str, Any]:
    """One replication of one variant (runs in a worker process, which holds ``shared`` already)."""
    models, cfg = shared
    variant, rep = task
    model = models[variant]
    trace: Trace = run_replication(
        model,
        days=cfg.days - cfg.warmup_days,
        seed=cfg.seed,
        start=cfg.start,
        warmup_days=cfg.warmup_days,
        drain_days=cfg.drain_days,
        replication=rep,
    )
    log = trace_to_frame(model, trace) if rep < cfg.keep_logs else None
    return {"metrics": replication_metrics(model, trace), "log": log}


def _ci(values: np.ndarray, lo: float = -math.inf, hi: float = math.inf) -> list[float] | None:
    """95 % t-interval of the mean, clipped to the KPI's possible range (lead times >= 0, rates <= 1)."""
    v = values[np.isfinite(values)]
    if len(v) < 2:
        return None
    half = float(stats.t.ppf(0.975, len(v) - 1) * np.std(v, ddof=1) / math.sqrt(len(v)))
    m = float(np.mean(v))
    return [max(lo, m - half), min(hi, m + half)]


def _mean(values: pd.Series) -> float | None:
    v = values.to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float(np.mean(v)) if len(v) else None


def _summarise(name: str, desc: str, sub: pd.DataFrame, targets: dict[str, Any]) -> dict[str, Any]:
    util_cols = [c for c in sub.columns if c.startswith("util:")]
    utilisation = {c[5:]: _mean(sub[c]) for c in util_cols if sub[c].notna().any()}
    # a reason counts when it shows in at least half of the replications (one unlucky run is noise)
    votes: dict[str, int] = {}
    for rs in sub["unstable_reasons"].tolist():
        for r in set(rs):
            votes[r] = votes.get(r, 0) + 1
    reasons = sorted(r for r, v in votes.items() if v >= max(1, len(sub)) / 2)
    # cases still running when the run-out ends are truncation, not overload: reported apart, never UNSTABLE
    truncated = [r for r in reasons if r.startswith("cases still open")]
    reasons = [r for r in reasons if r not in truncated]
    out: dict[str, Any] = {
        "scenario": name,
        "description": desc,
        "replications": int(len(sub)),
        "cases": _mean(sub["cases"]),
        "lead_time_hours": {
            "mean": _mean(sub["lead_time_mean_h"]),
            "p50": _mean(sub["lead_time_p50_h"]),
            "p90": _mean(sub["lead_time_p90_h"]),
            "mean_ci95": _ci(sub["lead_time_mean_h"].to_numpy(dtype=float), 0.0),
            "p90_ci95": _ci(sub["lead_time_p90_h"].to_numpy(dtype=float), 0.0),
        },
        "delivery_rate": {
            "value": _mean(sub["delivery_rate"]),
            "ci95": _ci(sub["delivery_rate"].to_numpy(dtype=float), 0.0, 1.0),
        },
        "throughput_per_week": _mean(sub["throughput_per_week"]),
        "utilisation": utilisation,
        "wip": _mean(sub["wip"]),
        "unfinished_share": _mean(sub["unfinished_share"]),
        "stable": not reasons,
        "unstable_reasons": reasons,
        "truncated": bool(truncated),
    }
    values = {
        "lead_time_mean_hours": out["lead_time_hours"]["mean"],
        "lead_time_p50_hours": out["lead_time_hours"]["p50"],
        "lead_time_p90_hours": out["lead_time_hours"]["p90"],
        "delivery_rate": out["delivery_rate"]["value"],
        "throughput_per_week": out["throughput_per_week"],
        "wip": out["wip"],
    }
    checks = {}
    for kpi, bounds in targets.items():
        v = values.get(kpi)
        # no data is "not measured" (met: None), never a miss
        met = None if v is None else all((v <= b) if k == "max" else (v >= b) for k, b in bounds.items())
        checks[kpi] = {"target": dict(bounds), "value": v, "met": None if met is None else bool(met)}
    out["kpi_targets"] = checks
    return out


def _compare(base: pd.DataFrame, sub: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, col in (
        ("lead_time_mean_hours", "lead_time_mean_h"),
        ("lead_time_p90_hours", "lead_time_p90_h"),
        ("delivery_rate", "delivery_rate"),
        ("throughput_per_week", "throughput_per_week"),
    ):
        d = sub[col].to_numpy(dtype=float) - base[col].to_numpy(dtype=float)
        d = d[np.isfinite(d)]
        ci = _ci(d)
        out[key] = {
            "diff": float(np.mean(d)) if len(d) else None,
            "ci95": ci,
            "significant": bool(ci is not None and (ci[0] > 0 or ci[1] < 0)),
        }
    return out
