"""``generate()``: run the true O2C or P2P process and return the log with its answer key.

Stage: generate. Input: kind, seed, days, language and an optional ``Intervention``; output: a
``GeneratedLog`` (raw ERP export, contract event table, ``GroundTruth``). Same arguments, same bytes.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from types import ModuleType
from typing import Any, Literal

import pandas as pd

from procopt.errors import InputError, did_you_mean
from procopt.generate import o2c, p2p
from procopt.generate.names import O2C_COLUMNS, P2P_COLUMNS, term
from procopt.generate.output import START_DATE, build_instance_log, build_lifecycle_log
from procopt.generate.truth import activity_waits, case_kpis, handoff_waits, measured_cases, pool_utilisation
from procopt.generate.types import GeneratedLog, GroundTruth, Intervention, PoolTruth, Switch
from procopt.generate.world import intervention_dict, resolve_intervention, resolve_switches
from procopt.log import columns as C

KINDS: dict[str, ModuleType] = {"o2c": o2c, "p2p": p2p}
LANGUAGES = ("en", "zh")
WARMUP_DAYS = 14
#: public holidays as day numbers after START_DATE (2025-05-01, Labour Day, a holiday in the EU and China)
HOLIDAYS = frozenset({59})


def _check_args(kind: str, seed: int, days: int, language: str) -> None:
    if kind not in KINDS:
        raise InputError(
            None,
            f"unknown log kind {kind!r}.{did_you_mean(kind, list(KINDS))}",
            hint="Choose o2c (order-to-cash) or p2p (purchase-to-pay).",
        )
    if language not in LANGUAGES:
        raise InputError(None, f"unknown language {language!r}", hint="Choose en or zh.")
    if not isinstance(days, int) or days < WARMUP_DAYS + 7 or days > 730:
        raise InputError(
            None,
            f"days must be a whole number between {WARMUP_DAYS + 7} and 730, got {days!r}",
            hint=f"The first {WARMUP_DAYS} days are warm-up; use e.g. --days 120.",
        )
    if not isinstance(seed, int) or seed < 0:
        raise InputError(None, f"seed must be a whole number >= 0, got {seed!r}")


def generate(
    kind: Literal["o2c", "p2p"],
    *,
    seed: int = 1,
    days: int = 120,
    language: Literal["en", "zh"] = "en",
    intervention: Intervention | None = None,
    switches: Sequence[Switch] = (),
) -> GeneratedLog:
    """Run the true process for ``days`` days and return the log and its ground truth.

    ``switches`` change the true process on a date, for everyone or for a segment (a pilot, a past
    change, a drift); the run is the same as without them until the first switch date (same seed).

    Example:
        >>> log = generate("o2c", seed=1, days=60)
        >>> log.truth.bottleneck_activity
        'Check Credit'
    """
    _check_args(kind, seed, days, language)
    module = KINDS[kind]
    iv = intervention or Intervention()
    removed, extra, scale = resolve_intervention(iv, module.ACTIVITIES, module.POOLS)
    resolved = resolve_switches(switches, START_DATE.date(), days, module.ACTIVITIES, module.POOLS, module.ATTRIBUTES)
    process = module.PROCESS(seed, days, HOLIDAYS, removed, extra, scale, iv.arrival_scale, resolved)
    process.run()
    records = process.rec.records
    header = (O2C_COLUMNS if kind == "o2c" else P2P_COLUMNS)[language]
    build = build_instance_log if kind == "o2c" else build_lifecycle_log
    raw, events = build(records, process.case_attributes(), language, header, module.ATTRIBUTES)
    truth = _truth(kind, module, process, events, seed, days, language, iv)
    if switches:
        truth = dataclasses.replace(truth, switches=tuple(sw.to_dict() for sw in switches))
    return GeneratedLog(raw=raw, events=events, truth=truth, encoding="gb18030" if language == "zh" else "utf-8")


def _truth(
    kind: str, module: ModuleType, process: Any, events: Any, seed: int, days: int, language: str, iv: Intervention
) -> GroundTruth:
    static = module.TRUTH

    def t(word: str) -> str:
        return term(word, language)

    cases = measured_cases(events, set(process.rec.finished), START_DATE, WARMUP_DAYS)
    kpis = case_kpis(events, cases, t(static["delivery_activity"]))
    handoffs = handoff_waits(events)
    slowest = max(handoffs, key=lambda pair: handoffs[pair]) if handoffs else ("", "")
    by_pool: dict[str, list[Any]] = {}
    for r in process.rec.records:
        by_pool.setdefault(r.pool, []).append(r)
    pools = {}
    for spec in module.POOLS:
        pool = process.pools[spec.key]
        pools[t(spec.key)] = PoolTruth(
            size=pool.places,
            calendar=spec.calendar.describe(),
            department=t(spec.department),
            activities=tuple(t(a) for a in spec.activities),
            resources=tuple(t(n) for n in pool.names),
            utilisation=pool_utilisation(pool, by_pool.get(spec.key, []), warmup_days=WARMUP_DAYS, days=days),
        )
    decisions = Counter((a, r) for _, a, r in process.rec.decisions)
    approvals = sorted({a for a, _ in decisions})
    measured = {
        "wait_mean_h": activity_waits(events),
        "handoff_wait_mean_h": {f"{a} -> {b}": v for (a, b), v in handoffs.items()},
        "approval_reject_rate": {
            t(a): round(decisions[(a, True)] / (decisions[(a, True)] + decisions[(a, False)]), 4) for a in approvals
        },
        "delivery_rate_delivered_cases": kpis["delivery_rate_delivered_cases"],
        "cases_started": int(events[C.CASE].nunique()),
        "cases_finished": len(process.rec.finished),
    }
    return GroundTruth(
        kind=kind,
        language=language,
        seed=seed,
        days=days,
        start_date=START_DATE.date().isoformat(),
        warmup_days=WARMUP_DAYS,
        intervention=intervention_dict(iv),
        bottleneck_activity=t(static["bottleneck_activity"]),
        bottleneck_pool=t(static["bottleneck_pool"]),
        redundant_approval=t(static["redundant_approval"]),
        necessary_approvals=tuple(t(a) for a in static["necessary_approvals"]),
        threshold_approval=t(static["threshold_approval"]),
        threshold_value=float(static["threshold_value"]),
        batch_activities={t(a): tuple(v) for a, v in static["batch_activities"].items()},
        delivery_activity=t(static["delivery_activity"]),
        handoff_slowest=slowest,
        rework_activities=tuple(t(a) for a in static["rework_activities"]),
        pools=pools,
        lead_time_mean_h=kpis["lead_time_mean_h"],
        delivery_rate=kpis["delivery_rate"],
        cases_measured=int(kpis["cases_measured"]),
        cycle_time_mean_h=kpis["cycle_time_mean_h"],
        measured=measured,
        notes=tuple(static.get("notes", {}).get(language, ())),
        holidays=tuple((START_DATE + pd.Timedelta(days=d)).date().isoformat() for d in sorted(HOLIDAYS)),
    )
