"""Distances between a real (held-out) log and simulated logs: the published fidelity scorecard.

Like a tailor checking a suit against the customer from several angles — the sequence of steps (NGD), when in
the calendar things happen (AED), at which hour of which weekday (CED), how long after the case start (RED), and
how long whole cases take (CTD) — each angle is a distance as defined by the ``log-distance-measures`` package
(1-D Wasserstein over hour bins, its fast default), averaged over the simulated logs. By default the vectorised
twins in ``distances.py`` compute them (same numbers, ~100x faster); ``reference=True`` calls the package. Two business figures
follow: the relative error of the mean lead time and the error of the on-time delivery rate (absolute, as a
share), both with the KPI definitions of ``procopt.sim.kpi``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from statistics import fmean

import numpy as np
import pandas as pd
from log_distance_measures.absolute_event_distribution import absolute_event_distribution_distance
from log_distance_measures.circadian_event_distribution import circadian_event_distribution_distance
from log_distance_measures.config import EventLogIDs
from log_distance_measures.cycle_time_distribution import cycle_time_distribution_distance
from log_distance_measures.n_gram_distribution import n_gram_distribution_distance
from log_distance_measures.relative_event_distribution import relative_event_distribution_distance

from procopt.fidelity import distances
from procopt.log.columns import ACTIVITY, CASE, DUE, END, START

#: The scorecard's keys, in display order.
METRIC_KEYS: tuple[str, ...] = (
    "ngd",
    "aed_hours",
    "ced_hours",
    "red_hours",
    "ctd_hours",
    "lead_time_mean_rel_error",
    "delivery_rate_error",
    # one diagnosis, one model: the causes of waiting (procopt.mine.waiting) of the simulated log against the
    # real one, each the absolute difference of the cause's share of all waiting (None without start times)
    "batching_wait_error",
    "unavailability_wait_error",
    "prioritisation_wait_error",
    "contention_wait_error",
    "extraneous_wait_error",
)
_CAUSES = ("batching", "unavailability", "prioritisation", "contention", "extraneous")

#: Above this many cases a log is scored on a seeded sample of its cases (keeps memory and time bounded).
DEFAULT_MAX_CASES = 20000

_IDS = EventLogIDs(case=CASE, activity=ACTIVITY, start_time=START, end_time=END, resource="_unused")
_HOUR = datetime.timedelta(hours=1)


def prepare_log(
    events: pd.DataFrame, *, use_start: bool = True, max_cases: int | None = None, seed: int = 0
) -> pd.DataFrame:
    """Reduce an event table to what the package reads: case, activity, start (END where missing), end, due.

    With ``use_start=False`` every start is replaced by the end (for comparing against a completion-only log).
    Logs with more than ``max_cases`` cases keep a seeded random sample of whole cases.
    """
    frame = events.loc[events[END].notna(), [CASE, ACTIVITY, START, END]].copy()
    frame[DUE] = events.loc[frame.index, DUE] if DUE in events.columns else pd.NaT
    if max_cases is not None:
        cases = frame[CASE].unique()
        if len(cases) > max_cases:
            keep = np.random.default_rng(seed).choice(cases, size=max_cases, replace=False)
            frame = frame[frame[CASE].isin(set(keep.tolist()))]
    frame[START] = frame[END] if not use_start else frame[START].fillna(frame[END])
    # a start after the end (bad data) would give negative durations: clip to the end
    frame[START] = frame[START].where(frame[START] <= frame[END], frame[END])
    return frame.sort_values([CASE, START, END], kind="stable").reset_index(drop=True)


def _kpi_means(frame: pd.DataFrame, delivery_activity: str | None) -> tuple[float | None, float | None]:
    """(mean lead time in hours, on-time delivery rate) with procopt's one KPI definition (``sim.kpi``)."""
    from procopt.sim.kpi import case_kpis

    cases = case_kpis(frame, delivery_activity)
    lead = cases["lead_time_h"].dropna()
    on_time = cases["on_time"].dropna()
    return (float(lead.mean()) if len(lead) else None, float(on_time.astype(bool).mean()) if len(on_time) else None)


def _package_distances(real: pd.DataFrame, sim: pd.DataFrame) -> dict[str, float]:
    """The five distances computed by ``log-distance-measures`` itself (slow; the reference)."""
    return {
        "ngd": float(n_gram_distribution_distance(real, _IDS, sim, _IDS, n=3)),
        "aed_hours": float(absolute_event_distribution_distance(real, _IDS, sim, _IDS)),
        "ced_hours": float(circadian_event_distribution_distance(real, _IDS, sim, _IDS)),
        "red_hours": float(relative_event_distribution_distance(real, _IDS, sim, _IDS)),
        "ctd_hours": float(cycle_time_distribution_distance(real, _IDS, sim, _IDS, bin_size=_HOUR)),
    }


def _fast_distances(real: pd.DataFrame, sim: pd.DataFrame) -> dict[str, float]:
    """The same five distances, vectorised."""
    return {
        "ngd": distances.ngd(real, sim),
        "aed_hours": distances.aed_hours(real, sim),
        "ced_hours": distances.ced_hours(real, sim),
        "red_hours": distances.red_hours(real, sim),
        "ctd_hours": distances.ctd_hours(real, sim),
    }


def score_pair(
    real: pd.DataFrame,
    sim: pd.DataFrame,
    *,
    due_available: bool,
    reference: bool = False,
    delivery_activity: str | None = None,
) -> dict[str, float | None]:
    """All scorecard metrics for one simulated log against the prepared real log (both from ``prepare_log``)."""
    out: dict[str, float | None] = dict.fromkeys(METRIC_KEYS)
    if real.empty:
        return out
    if sim.empty:
        out["ngd"] = 1.0  # nothing in common: the normalised n-gram distance is at its maximum
        return out
    out.update(_package_distances(real, sim) if reference else _fast_distances(real, sim))
    real_lead, real_rate = _kpi_means(real, delivery_activity)
    sim_lead, sim_rate = _kpi_means(sim, delivery_activity)
    if real_lead is not None and sim_lead is not None and real_lead > 0:
        out["lead_time_mean_rel_error"] = abs(sim_lead - real_lead) / real_lead
    if due_available and real_rate is not None and sim_rate is not None:
        out["delivery_rate_error"] = abs(sim_rate - real_rate)
    return out


def cause_mix(events: pd.DataFrame) -> dict[str, float] | None:
    """Share of all waiting per cause, attributed exactly as ``procopt mine`` does; None without start times."""
    from procopt.mine import batching, instances, waiting

    inst, has_start = instances.build_instances(events)
    if not has_start or inst.empty:
        return None
    patterns, _ = batching.detect_batches(inst, has_start)
    parts = waiting.attribute_waiting(inst, has_start, batching.release_at(inst, patterns)).parts
    total = float(parts.to_numpy().sum()) if parts is not None else 0.0
    if parts is None or total <= 0:
        return None
    return {c: float(parts[f"{c}_s"].sum()) / total for c in _CAUSES}


def _cause_errors(real: dict[str, float] | None, sim: pd.DataFrame) -> dict[str, float | None]:
    mix = cause_mix(sim) if real is not None else None
    return {f"{c}_wait_error": None if real is None or mix is None else abs(mix[c] - real[c]) for c in _CAUSES}


def average_scores(per_log: Sequence[dict[str, float | None]]) -> dict[str, float | None]:
    """Mean of each metric over the logs where it was computable; None where it never was."""
    result: dict[str, float | None] = {}
    for key in METRIC_KEYS:
        values = [d[key] for d in per_log if d.get(key) is not None]
        result[key] = fmean(values) if values else None  # type: ignore[arg-type]
    return result


def score_logs(
    real: pd.DataFrame,
    simulated: list[pd.DataFrame],
    *,
    due_available: bool,
    use_start: bool | None = None,
    max_cases: int | None = DEFAULT_MAX_CASES,
    seed: int = 0,
    reference: bool = False,
    delivery_activity: str | None = None,
) -> dict[str, float | None]:
    """Score simulated logs against a real one; each metric averaged over the simulated logs.

    Args:
        real: the real (held-out) contract event table.
        simulated: simulated contract event tables (one per replication).
        due_available: whether the real log carries due dates (else ``delivery_rate_error`` is None).
        use_start: compare start times too; default: only when the real log has start times, so a
            completion-only real log is compared with the simulated completions only.
        max_cases: score a seeded sample of at most this many cases per log (None: all cases).
        seed: seed of that sample.
        reference: compute the distances with ``log-distance-measures`` itself instead of the vectorised twins.
        delivery_activity: the step whose completion counts as delivery (default: the case's last completion).
            Lead time and on-time rate follow ``procopt.sim.kpi.case_kpis``, the definition used everywhere.

    Returns:
        ``{ngd, aed_hours, ced_hours, red_hours, ctd_hours, lead_time_mean_rel_error, delivery_rate_error,
        <cause>_wait_error per cause}``, None where a metric is not computable.
    """
    if not simulated:
        return dict.fromkeys(METRIC_KEYS)
    return average_scores(
        score_each(
            real,
            simulated,
            due_available=due_available,
            use_start=use_start,
            max_cases=max_cases,
            seed=seed,
            reference=reference,
            delivery_activity=delivery_activity,
        )
    )


def score_each(
    real: pd.DataFrame,
    simulated: Sequence[pd.DataFrame],
    *,
    due_available: bool,
    use_start: bool | None = None,
    max_cases: int | None = DEFAULT_MAX_CASES,
    seed: int = 0,
    reference: bool = False,
    delivery_activity: str | None = None,
) -> list[dict[str, float | None]]:
    """Like ``score_logs`` but one scorecard per simulated log (for paired comparisons between models)."""
    if use_start is None:
        use_start = bool(real[START].notna().mean() >= 0.5) if len(real) else False
    real_p = prepare_log(real, use_start=use_start, max_cases=max_cases, seed=seed)
    real_mix = cause_mix(real) if use_start else None
    return [
        {
            **score_pair(
                real_p,
                prepare_log(sim, use_start=use_start, max_cases=max_cases, seed=seed + i + 1),
                due_available=due_available,
                reference=reference,
                delivery_activity=delivery_activity,
            ),
            **_cause_errors(real_mix, sim),
        }
        for i, sim in enumerate(simulated)
    ]
