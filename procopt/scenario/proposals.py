"""Improvement options procopt proposes by itself from the mining diagnostics.

Like a consultant's first list after walking the process: drop each approval that passes everything and only
adds waiting; put one more person where the queue is (the top capacity bottleneck — not a batching delay,
where people would not help); and approve automatically below the value above which an approval ever rejects.
Each proposal is an ordinary ``Scenario`` (built with ``scenario_from_dict``), simulated like the user's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from procopt.report._fmt import first_of, get, number, records
from procopt.report.i18n import text


def propose_changes(mining: Mapping[str, Any], language: str = "en") -> list[tuple[dict[str, Any], str]]:
    """Scenario dicts (name, description, changes) with a one-line reason each, most promising first."""
    out: list[tuple[dict[str, Any], str]] = []
    approvals = [a for a in records(mining.get("approvals")) if a.get("activity") is not None]
    for a in approvals:
        if a.get("verdict") == "candidate_for_removal":
            act = str(a["activity"])
            why = text(language, "proposed_remove_why", activity=act)
            out.append(
                (
                    {
                        "name": text(language, "proposed_remove", activity=act),
                        "description": why,
                        "changes": [{"remove_activity": act}],
                    },
                    why,
                )
            )
    queue = [
        b
        for b in records(mining.get("bottlenecks"))
        if b.get("activity") is not None and str(b.get("kind", "queue")) not in {"batching", "batch"}
    ]
    if queue:
        act = str(queue[0]["activity"])
        why = text(language, "proposed_capacity_why", activity=act)
        out.append(
            (
                {
                    "name": text(language, "proposed_capacity", activity=act),
                    "description": why,
                    "changes": [{"capacity": {"activity": act, "add": 1}}],
                },
                why,
            )
        )
    for a in approvals:
        attr, value = a.get("threshold_attribute"), number(a.get("threshold_value"))
        if a.get("verdict") != "candidate_for_threshold" or not attr or value is None:
            continue
        act = str(a["activity"])
        shown = f"{value:,.0f}"
        why = text(language, "proposed_threshold_why", activity=act, attribute=attr, value=shown)
        column = f"`{attr}`" if not str(attr).isidentifier() else str(attr)
        out.append(
            (
                {
                    "name": text(language, "proposed_threshold", activity=act, attribute=attr, value=shown),
                    "description": why,
                    "changes": [{"skip_activity": {"activity": act, "when": f"{column} <= {value:g}"}}],
                },
                why,
            )
        )
    return out


def targets_from(given: list[Any], kpis: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """KPI targets for proposals: those of the user's scenarios, else the KPI file's delivery/lead-time targets."""
    for scenario in given:
        if getattr(scenario, "kpi_targets", None):
            return {k: dict(v) for k, v in scenario.kpi_targets.items()}
    targets: dict[str, dict[str, float]] = {}
    for k in records(get(kpis, "kpis")) or records(kpis):
        target = k.get("target")
        bound = str(k.get("target_kind") or "")
        if isinstance(target, Mapping):  # {min: x} / {max: x}
            bound = "min" if number(target.get("min")) is not None else "max"
            target = target.get(bound)
        if first_of(k, "type", "kind") == "on_time_delivery" and bound == "min" and number(target) is not None:
            targets["delivery_rate"] = {"min": float(target)}  # the KPI file's on-time target, the simulation's KPI
    return targets


def propose_scenarios(
    model: Any,
    mining: Mapping[str, Any],
    kpis: Mapping[str, Any] | None,
    language: str = "en",
    given: list[Any] | None = None,
) -> list[tuple[Any, str]]:
    """Proposed ``Scenario`` objects with their reasons; ones duplicating a given scenario's changes are left out."""
    from procopt.scenario import scenario_from_dict

    given = given or []
    seen = {tuple(getattr(s, "changes", ())) for s in given}
    targets = targets_from(given, kpis)
    out = []
    for data, why in propose_changes(mining, language):
        scenario = scenario_from_dict({**data, "kpi_targets": targets}, default_name=data["name"])
        if tuple(scenario.changes) in seen:
            continue
        seen.add(tuple(scenario.changes))
        out.append((scenario, why))
    return out
