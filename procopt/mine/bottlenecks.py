"""Stage 2 (mine): rank bottlenecks — where cases wait, and why.

A bottleneck is a step where work piles up in front of busy people: a large share of all waiting
time, a queue that grows, staff near full utilisation. A step can also hold large waits with idle
staff — a director who signs once a day at 16:00. That is a *batching delay*: more people would not
help, a different release rule would. Each :class:`Bottleneck` therefore carries a ``kind``
("queue", "batching" or "idle_wait") and one reason sentence with the numbers behind it.

A third kind is a long wait in front of *idle* staff (below 50 % busy) with no clock pattern: the
case waits for something outside the team — a supplier's delivery, a customer's payment — and is
reported as ``idle_wait``.

Score (0..1), see :func:`score_bottleneck`: capacity queues weigh waiting share, utilisation and queue
growth; waits that more staff would not shorten weigh half, so a saturated team outranks an idle
approver or a supplier's lead time with the same waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procopt.mine import instances as I
from procopt.mine.batching import BatchPattern

MIN_WAIT_SHARE = 0.02
TOP = 10
BUSY = 0.7  # a batched step whose staff is busier than this is still a capacity queue
IDLE = 0.5  # staff less busy than this are not why work waits


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """One ranked bottleneck activity with its evidence."""

    activity: str
    score: float
    kind: str  # "queue" | "batching" | "idle_wait"
    reason: str
    wait_share: float
    wait_median_s: float
    utilisation: float | None
    queue_mean_first_half: float
    queue_mean_second_half: float
    department: str | None


def _fmt_h(seconds: float) -> str:
    hours = seconds / 3600.0
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def queue_halves(inst: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Mean number of instances waiting per activity in the first and second half of the log period.

    Little's law per half: total waiting time of the instances enabled in that half / half length.
    """
    if inst.empty:
        return {}
    t0, t1 = inst[I.ENABLED].min(), inst[I.END].max()
    half_s = max((t1 - t0).total_seconds() / 2.0, 1.0)
    late = (inst[I.ENABLED] - t0).dt.total_seconds().to_numpy() >= half_s
    frame = pd.DataFrame({"a": inst[I.ACT_CODE].to_numpy(), "late": late, "w": inst[I.WAIT].to_numpy()})
    sums = frame.groupby(["a", "late"])["w"].sum().unstack(fill_value=0.0)
    sums = I.by_name(
        sums.reindex(columns=[False, True], fill_value=0.0) / half_s, I.labels_of(inst, I.ACTIVITY, I.ACT_CODE)
    )
    return {str(a): (float(r[False]), float(r[True])) for a, r in sums.iterrows()}


def activity_utilisation(inst: pd.DataFrame, resources: pd.DataFrame) -> dict[str, float]:
    """Mean utilisation of the resources doing each activity, weighted by how often they do it."""
    if resources.empty or "utilisation" not in resources or resources["utilisation"].isna().all():
        return {}
    util = resources.set_index("resource")["utilisation"]
    res = inst[I.RES_CODE].to_numpy()
    res_names = I.labels_of(inst, I.RESOURCE, I.RES_CODE)
    u_of_code = util.reindex(pd.Index(res_names, dtype=object)).to_numpy(dtype=float) if len(res_names) else np.zeros(0)
    u = np.where(res >= 0, u_of_code[np.maximum(res, 0)] if len(u_of_code) else np.nan, np.nan)
    ok = ~np.isnan(u)
    means = pd.Series(u[ok]).groupby(inst[I.ACT_CODE].to_numpy()[ok]).mean()
    means = I.by_name(means, I.labels_of(inst, I.ACTIVITY, I.ACT_CODE))
    return {str(k): float(v) for k, v in means.items()}


def rank_bottlenecks(
    inst: pd.DataFrame,
    activities: pd.DataFrame,
    resources: pd.DataFrame,
    batches: tuple[BatchPattern, ...],
    has_start: bool,
    waiting: pd.DataFrame | None = None,
) -> tuple[Bottleneck, ...]:
    """Ranked bottleneck activities, most severe first (see module docstring for the score).

    ``waiting`` (:func:`procopt.mine.waiting.rank_waiting`): with the causes of waiting known, a step whose
    waiting is mostly off shift or for something outside the team is an ``idle_wait`` whatever its staff's
    utilisation, and its reason names the cause — more people would not shorten it.
    """
    if activities.empty or activities["wait_total_s"].sum() <= 0:
        return ()
    halves = queue_halves(inst)
    util = activity_utilisation(inst, resources)
    batched = {b.activity: b for b in batches}
    top_share = float(activities["wait_share"].max())
    items = []
    for row in activities.itertuples(index=False):
        if row.wait_share < MIN_WAIT_SHARE:
            continue
        q1, q2 = halves.get(row.activity, (0.0, 0.0))
        u = util.get(row.activity)
        batch = batched.get(row.activity)
        kind = _kind(batch, u)
        outside = _outside_cause(waiting, row.activity)
        if kind == "queue" and outside is not None:
            kind = "idle_wait"
        growth = float(np.clip((q2 - q1) / max(q1, 1e-9), 0.0, 1.0)) if q2 > q1 else 0.0
        score = score_bottleneck(row.wait_share / top_share, u, growth, kind)
        reason = _reason(row, u, q1, q2, kind, batch, has_start, outside)
        items.append(
            Bottleneck(
                activity=row.activity,
                score=round(float(score), 4),
                kind=kind,
                reason=reason,
                wait_share=float(row.wait_share),
                wait_median_s=float(row.wait_median_s),
                utilisation=u,
                queue_mean_first_half=q1,
                queue_mean_second_half=q2,
                department=row.department if isinstance(row.department, str) else None,
            )
        )
    items.sort(key=lambda b: (-b.score, b.activity))
    return tuple(items[:TOP])


OUTSIDE_SHARE = 0.5  # waiting mostly off shift or outside the team: not a capacity queue


def _outside_cause(waiting: pd.DataFrame | None, activity: str) -> tuple[str, float] | None:
    """("unavailability" | "extraneous", share) when that cause holds most of the step's waiting."""
    if waiting is None or waiting.empty or "unavailability_s" not in waiting.columns:
        return None
    row = waiting[waiting["activity"] == activity]
    if row.empty or not row["wait_total_s"].iloc[0] > 0:
        return None
    total = float(row["wait_total_s"].iloc[0])
    for cause in ("unavailability", "extraneous"):
        share = float(row[f"{cause}_s"].iloc[0]) / total
        if share >= OUTSIDE_SHARE:
            return cause, share
    return None


def _kind(batch: BatchPattern | None, u: float | None) -> str:
    """queue (capacity), batching (clock release with idle staff) or idle_wait (staff idle, wait elsewhere)."""
    if batch is not None and (u is None or u < BUSY):
        return "batching"
    if u is not None and u < IDLE:
        return "idle_wait"
    return "queue"


def score_bottleneck(wait_rel: float, u: float | None, growth: float, kind: str) -> float:
    """0..1 severity: waiting share (relative to the largest), utilisation and queue growth.

    Capacity queues: 0.4 wait + 0.4 utilisation + 0.2 growth (unknown utilisation: 0.8 wait + 0.2 growth).
    Waits more staff would not shorten (batching, idle_wait) weigh half and get no utilisation credit.
    """
    if kind != "queue":
        return 0.5 * (0.4 * wait_rel + 0.2 * growth)
    if u is None:
        return 0.8 * wait_rel + 0.2 * growth
    return 0.4 * wait_rel + 0.4 * u + 0.2 * growth


def _who(department: object) -> str:
    return f"the {department} staff doing it" if isinstance(department, str) else "the staff doing it"


def _reason(
    row: object,
    u: float | None,
    q1: float,
    q2: float,
    kind: str,
    batch: BatchPattern | None,
    has_start: bool,
    outside: tuple[str, float] | None = None,
) -> str:
    """One sentence with the numbers (the activity's waiting share, median wait, utilisation, queue)."""
    what = "waiting time" if has_start else "time between completions (waiting and work cannot be separated)"
    head = f"{row.activity}: {row.wait_share:.0%} of all {what}, median wait {_fmt_h(row.wait_median_s)}"  # type: ignore[attr-defined]
    who = _who(row.department)  # type: ignore[attr-defined]
    if kind == "batching" and batch is not None:
        busy = f"{who} are only {u:.0%} busy" if u is not None else "staff utilisation is unknown"
        return (
            f"{head} — a batching delay, not a capacity shortage: work is released {batch.pattern} "
            f"({batch.batched_share:.0%} of instances) while {busy}."
        )
    if kind == "idle_wait" and outside is not None:
        busy = f"{who} are {u:.0%} busy" if u is not None else "staff utilisation is unknown"
        if outside[0] == "unavailability":
            return (
                f"{head} — not a capacity shortage: {outside[1]:.0%} of this waiting falls outside the team's "
                f"working hours (off shift; {busy}): a shift or calendar change, not more staff, would shorten it."
            )
        return (
            f"{head} — not a capacity shortage: {outside[1]:.0%} of this waiting is with {who[4:] if who.startswith('the ') else who} "
            f"free and on duty ({busy}): the case waits for something outside the team (a customer, a supplier, "
            "another system)."
        )
    if kind == "idle_wait" and u is not None:
        return (
            f"{head}, but {who} are only {u:.0%} busy — not a capacity shortage: the case waits for something "
            "outside the team (a supplier, the customer, another system or a release rule)."
        )
    parts = [head]
    if u is not None:
        parts.append(f"{who} are {u:.0%} busy")
    elif not has_start:
        parts.append("utilisation unknown (no start times)")
    if q2 > q1 * 1.2 and q2 >= 0.5:
        parts.append(f"queue grew from {q1:.1f} to {q2:.1f} cases waiting on average")
    else:
        parts.append(f"on average {(q1 + q2) / 2:.1f} cases waiting")
    return ", ".join(parts) + "."


def rank_resources(resources: pd.DataFrame) -> pd.DataFrame:
    """Bottleneck resources: high utilisation and long waits for their work, most severe first.

    Columns: ``resource, department, utilisation, queue_wait_median_s, instances, score, reason``.
    """
    cols = ["resource", "department", "utilisation", "queue_wait_median_s", "instances", "score", "reason"]
    if resources.empty or "utilisation" not in resources or resources["utilisation"].isna().all():
        return pd.DataFrame(columns=cols)
    r = resources.dropna(subset=["utilisation"]).copy()
    wait = r["queue_wait_median_s"].fillna(0.0)
    r["score"] = (0.6 * r["utilisation"] + 0.4 * wait / max(float(wait.max()), 1e-9)).round(4)
    r = r[(r["utilisation"] >= 0.6) & (r["instances"] >= 10)]
    r = r.sort_values(["score", "resource"], ascending=[False, True]).head(TOP)
    r["reason"] = [
        f"{res}{f' ({dep})' if isinstance(dep, str) else ''}: {u:.0%} busy over learned hours "
        f"{_clock(s)}–{_clock(e)}; work queued for this resource waits a median {_fmt_h(w)}"
        for res, dep, u, s, e, w in zip(
            r["resource"],
            r["department"],
            r["utilisation"],
            r["work_start_h"],
            r["work_end_h"],
            r["queue_wait_median_s"],
            strict=True,
        )
    ]
    return r[cols].reset_index(drop=True)


def _clock(hours: float) -> str:
    h = int(hours)
    return f"{h:02d}:{int(round((hours - h) * 60)) % 60:02d}"
