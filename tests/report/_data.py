"""Small hand-made inputs with known answers for the report tests (no other stage needed)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from procopt.log import columns as C

if TYPE_CHECKING:
    from procopt.mine import MiningResult
    from procopt.sim.experiment import ExperimentResult

XSS = "<script>alert(1)</script>"


def toy_events(n_cases: int = 60, *, seed: int = 7, zh: bool = False, xss: bool = False) -> pd.DataFrame:
    """An O2C-like log: Check Credit waits ~20 h (the bottleneck); region South misses its due date.

    Known answers: main path = the four steps in order; South is the worst segment (0 % on time);
    every other region is on time (100 %).
    """
    rng = np.random.default_rng(seed)
    names = (
        ["创建订单", "信用检查", "审批", "发货"]
        if zh
        else ["Create Order", "Check Credit", "Approve Order", "Ship Goods"]
    )
    if xss:
        names[2] = XSS
    depts = ["销售部", "财务部", "财务部", "物流部"] if zh else ["Sales", "Finance", "Finance", "Logistics"]
    waits_h = [0.0, 20.0, 6.0, 3.0]
    proc_h = [0.5, 1.0, 0.25, 0.5]
    regions = ["North", "South", "East", "West"]
    rows = []
    t0 = pd.Timestamp("2024-03-04 08:00")
    for c in range(n_cases):
        t = t0 + pd.Timedelta(hours=4 * c)
        region = regions[c % 4]
        start_case = t
        for name, dept, w, p in zip(names, depts, waits_h, proc_h, strict=True):
            start = t + pd.Timedelta(hours=w * float(rng.uniform(0.8, 1.2)))
            end = start + pd.Timedelta(hours=p * float(rng.uniform(0.8, 1.2)))
            rows.append(
                {
                    "case": f"SO-{c:04d}",
                    "activity": name,
                    "start": start,
                    "end": end,
                    "resource": f"u{c % 3}",
                    "department": dept,
                    "region": region,
                    "order_value": 1000.0 + 100 * c,
                    "due": start_case + pd.Timedelta(hours=10 if region == "South" else 60),
                }
            )
            t = end
    return C.make_events(rows)


def toy_mining(zh: bool = False, xss: bool = False) -> MiningResult:
    """The toy log mined, with hand-made findings of known wording: Check Credit the queueing bottleneck, the
    approval a candidate for removal, shipping released in batches at 10:00 and 15:00."""
    from procopt.mine import MineOptions, mine
    from procopt.mine.approvals import ApprovalVerdict
    from procopt.mine.batching import BatchPattern
    from procopt.mine.bottlenecks import Bottleneck

    a = (
        ["创建订单", "信用检查", "审批", "发货"]
        if zh
        else ["Create Order", "Check Credit", "Approve Order", "Ship Goods"]
    )
    if xss:
        a[2] = XSS
    nan = float("nan")
    mined = mine(toy_events(zh=zh, xss=xss), MineOptions(discover_model=False))
    bottleneck = Bottleneck(
        activity=a[1],
        score=0.71,
        kind="queueing",
        reason=f"{a[1]}: 61% of all waiting time, median wait 20.0 h, Finance analysts 91% busy",
        wait_share=nan,
        wait_median_s=72000.0,
        utilisation=None,
        queue_mean_first_half=nan,
        queue_mean_second_half=nan,
        department="Finance",
    )
    approval = ApprovalVerdict(
        activity=a[2],
        verdict="candidate_for_removal",
        reason="approves 100% of 60 cases; adds a median 6.0 h of waiting",
        decisions=60,
        cases=60,
        rejections=0,
        approval_rate=1.0,
        department="Finance",
        follows_approval_share=0.0,
        follows_same_department_share=1.0,
        follows_activity=None,
        wait_median_s=nan,
        processing_median_s=None,
        estimated_saving_h=6.2,
    )
    batch = BatchPattern(
        activity=a[3],
        release_times=("10:00", "15:00"),
        weekdays=("Mon", "Tue", "Wed", "Thu", "Fri"),
        batched_share=0.9,
        instances=60,
        mean_batch_size=3.0,
        release_days_share=1.0,
        wait_median_s=10800.0,
        wait_total_s=60 * 10800.0,
        basis="start",
    )
    return replace(mined, bottlenecks=(bottleneck,), approvals=(approval,), batches=(batch,))


def approval(
    activity: str, verdict: str = "keep", threshold_attribute: str | None = None, threshold_value: float | None = None
) -> Any:
    """An approval verdict with only the fields the proposals read set meaningfully."""
    from procopt.mine.approvals import ApprovalVerdict

    return ApprovalVerdict(
        activity=activity,
        verdict=verdict,
        reason="",
        decisions=60,
        cases=60,
        rejections=0,
        approval_rate=1.0,
        department=None,
        follows_approval_share=0.0,
        follows_same_department_share=0.0,
        follows_activity=None,
        wait_median_s=0.0,
        processing_median_s=None,
        estimated_saving_h=0.0,
        threshold_attribute=threshold_attribute,
        threshold_value=threshold_value,
    )


def bottleneck(activity: str, kind: str = "queue") -> Any:
    """A ranked bottleneck of this kind ("queue", "batching", "idle_wait")."""
    from procopt.mine.bottlenecks import Bottleneck

    nan = float("nan")
    return Bottleneck(activity, 0.5, kind, "", nan, 0.0, None, nan, nan, None)


def batch(
    activity: str,
    release_times: tuple[str, ...] = (),
    weekdays: tuple[str, ...] = (),
    trigger: str = "clock",
    batch_size: int | None = None,
) -> Any:
    """A batch pattern released at these clock times (or, ``trigger="size"``, when ``batch_size`` wait)."""
    from procopt.mine.batching import BatchPattern

    return BatchPattern(
        activity, release_times, weekdays, 0.9, 60, 3.0, 1.0, 3600.0, 60 * 3600.0, "start", trigger, batch_size
    )


def toy_findings(zh: bool = False) -> Any:
    """What the proposals read of ``toy_mining``: Check Credit the queueing bottleneck, the approval a candidate
    for removal, shipping released at 10:00 and 15:00 (no causes of waiting: the old rules apply)."""
    from procopt.scenario.proposals import Findings

    a = (
        ["创建订单", "信用检查", "审批", "发货"]
        if zh
        else ["Create Order", "Check Credit", "Approve Order", "Ship Goods"]
    )
    return Findings(
        batches=(batch(a[3], ("10:00", "15:00"), ("Mon", "Tue", "Wed", "Thu", "Fri")),),
        approvals=(approval(a[2], "candidate_for_removal"),),
        bottlenecks=(bottleneck(a[1], "queueing"),),
    )


def experiment_of(runs: list[dict]) -> ExperimentResult:
    """An experiment result with these per-scenario summaries (baseline first)."""
    from procopt.sim.experiment import ExperimentResult, RunConfig

    return ExperimentResult(RunConfig(), tuple(runs), pd.DataFrame())


def toy_experiment() -> ExperimentResult:
    """An experiment result whose runs have the documented ``ExperimentResult.runs`` shape."""

    def run(name, lt, dr, vs=None, stable=True, met=True):
        return {
            "scenario": name,
            "cases": 500,
            "lead_time_hours": {"mean": lt, "p50": lt * 0.9, "p90": lt * 1.6, "mean_ci95": [lt - 1, lt + 1]},
            "delivery_rate": {"value": dr, "ci95": [dr - 0.02, dr + 0.02]},
            "kpi_targets": {"delivery_rate": {"met": met}},
            "stable": stable,
            "vs_baseline": vs,
        }

    return experiment_of(
        [
            run("baseline", 40.0, 0.80, met=False),
            run(
                "remove_director_approval",
                33.0,
                0.88,
                {
                    "lead_time_mean_hours": {"diff": -7.0, "ci95": [-8.0, -6.0], "significant": True},
                    "delivery_rate": {"diff": 0.08, "ci95": [0.06, 0.10], "significant": True},
                },
            ),
            run(
                "plus_one_credit_analyst",
                25.0,
                0.95,
                {
                    "lead_time_mean_hours": {"diff": -15.0, "ci95": [-17.0, -13.0], "significant": True},
                    "delivery_rate": {"diff": 0.15, "ci95": [0.12, 0.18], "significant": True},
                },
            ),
        ]
    )
