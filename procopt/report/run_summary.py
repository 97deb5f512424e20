"""``RunSummary``: the headline numbers of one run, computed once from the stages' typed results.

Every place that states the lead time, the delivery activity, the main path's share or the simulated
baseline (the report's sections, its facts, ``report --json``) reads them from here, so they cannot disagree.
The observed lead time uses the same KPI definition as the simulator (:func:`procopt.sim.kpi.case_kpis`):
first start to completion of the delivery activity, over the cases that reached it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from procopt.log.columns import CASE
from procopt.mine.valuestream import ValueStream
from procopt.sim.kpi import case_kpis

PathBasis = Literal["variant", "dfg"]


@dataclass(frozen=True, slots=True)
class RunSettings:
    """How the options were simulated (one set of defaults: ``procopt.sim.experiment.RunConfig``)."""

    replications: int
    days: float
    warmup_days: float
    seed: int


@dataclass(frozen=True, slots=True)
class LeadTimes:
    """Lead time in hours and on-time rate (0..1) over ``cases``; None where the data cannot say."""

    cases: int
    mean_h: float | None
    median_h: float | None
    p90_h: float | None
    on_time_rate: float | None
    mean_ci95_h: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class MainPath:
    """The main path of the value stream.

    ``basis`` "variant": the most frequent variant, followed exactly by ``share`` of the cases; "dfg": no
    variant is common enough, so the path follows the process map's most frequent edges and ``share`` is None
    (few or no cases follow it exactly; the report must not claim they do).
    """

    activities: tuple[str, ...]
    basis: PathBasis
    share: float | None
    lead_time_h: float | None


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What the report states first: the observed lead time, the simulated baseline beside it, the main path."""

    source: str
    cases: int
    delivery_activity: str | None
    observed: LeadTimes
    simulated_baseline: LeadTimes | None
    main_path: MainPath | None
    run: RunSettings | None


def observed_lead_times(events: pd.DataFrame, delivery_activity: str | None) -> LeadTimes:
    """Lead times of the real cases that reached ``delivery_activity`` (all cases when it is None)."""
    table = case_kpis(events, delivery_activity)
    if delivery_activity is not None and "delivery_end" in table:
        table = table.loc[table["delivery_end"].notna()]
    lead = table["lead_time_h"].dropna().to_numpy(dtype=float)
    on_time = table["on_time"].dropna()
    return LeadTimes(
        cases=len(table),
        mean_h=float(np.mean(lead)) if len(lead) else None,
        median_h=float(np.median(lead)) if len(lead) else None,
        p90_h=float(np.quantile(lead, 0.9)) if len(lead) else None,
        on_time_rate=float(on_time.astype(bool).mean()) if len(on_time) else None,
    )


def simulated_lead_times(run: Mapping[str, Any]) -> LeadTimes:
    """The simulated KPIs of one scenario entry of ``ExperimentResult.runs``."""
    lead = run["lead_time_hours"]
    ci = lead.get("mean_ci95")
    return LeadTimes(
        cases=int(round(float(run.get("cases") or 0))),
        mean_h=_float(lead.get("mean")),
        median_h=_float(lead.get("p50")),
        p90_h=_float(lead.get("p90")),
        on_time_rate=_float(run["delivery_rate"].get("value")),
        mean_ci95_h=(float(ci[0]), float(ci[1])) if ci and None not in ci else None,
    )


def summarise_run(
    *,
    source: str,
    events: pd.DataFrame,
    delivery_activity: str | None,
    value_stream: ValueStream | None = None,
    runs: Sequence[Mapping[str, Any]] = (),
    run: RunSettings | None = None,
) -> RunSummary:
    """Build the summary from the event table, the mining stage's ``ValueStream`` and the experiment's runs."""
    cases = int(events[CASE].nunique()) if len(events) else 0
    baseline = next((r for r in runs if r.get("scenario") == "baseline"), None)
    return RunSummary(
        source=source,
        cases=cases,
        delivery_activity=delivery_activity,
        observed=observed_lead_times(events, delivery_activity),
        simulated_baseline=simulated_lead_times(baseline) if baseline is not None else None,
        main_path=_main_path(value_stream, cases),
        run=run if baseline is not None else None,
    )


def _main_path(value_stream: ValueStream | None, cases: int) -> MainPath | None:
    if value_stream is None:
        return None
    basis: PathBasis = "variant" if value_stream.basis == "variant" else "dfg"
    share = value_stream.cases / cases if basis == "variant" and cases else None
    return MainPath(
        activities=tuple(str(a) for a in value_stream.path),
        basis=basis,
        share=share,
        lead_time_h=_float(value_stream.lead_time_mean_s / 3600.0),
    )


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if np.isfinite(out) else None
