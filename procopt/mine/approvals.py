"""Stage 2 (mine): approval steps — which ones protect the business and which only add waiting.

An approval step is found by its name (approve, release, sign-off, 审批, 批准 ...). Its *decisions*
are its instances plus the rejection events that name the same role ("Declaration REJECTED by
SUPERVISOR" is a negative decision of "Declaration APPROVED by SUPERVISOR"). An approval instance
also counts as rejected when the next step of the case is a rejection/revision with no role twin,
when the case goes back to a step done earlier, or when it is the case's last event and the case
stopped long before the log ends (a rejected requisition that never becomes a purchase order).
"Long before" means more than the usual case duration (90th percentile of case lead time, the
audit's incomplete-case window): a case that stops within that window of the extraction date may
simply still be running, so it is not counted and the verdict says how many such cases there were.

Verdicts, as an auditor would argue them:

* ``candidate_for_removal``: passes (almost) every case (>= 99 %) — it only adds waiting;
* ``candidate_for_threshold``: it rejects only cases above a value of a numeric case attribute
  (e.g. ``order_value`` 20000): keep it for those, skip it below;
* ``keep``: it rejects cases across the range, so it catches real problems.

``estimated_saving_h`` is the mean waiting + processing of the step per case that passes through it
(for a threshold verdict: per case below the threshold), in hours.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from procopt.mine import instances as I

APPROVAL_PATTERNS = (r"approv", r"\brelease", r"sign[- ]?off", r"authori[sz]", "审批", "审核", "批准", "签核")
#: names matched only by these patterns ("Release B" may be a patient's discharge) need evidence of a decision
WEAK_APPROVAL_PATTERNS = (r"\brelease",)
REJECTION_PATTERNS = (r"reject", r"declin", r"revis", r"\breturn", "驳回", "拒绝", "退回", "修改")
REMOVAL_PASS_RATE = 0.99
MIN_THRESHOLD_REJECTIONS = 5
#: numeric case attributes that are identifiers or counters, never business thresholds
_ID_LIKE = re.compile(r"(^|[^a-z])(id|index|idx|nr|no|number|variant|count|seq)([^a-z]|$)|编号|序号", re.IGNORECASE)
MIN_DECISIONS = 20
#: when at least this share of an approval's instances end their case, it is the process's usual last
#: step (e.g. a final release): ending there is completion, not a silent rejection
USUAL_END_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class ApprovalVerdict:
    """Evidence and verdict for one approval step."""

    activity: str
    verdict: str  # candidate_for_removal | candidate_for_threshold | keep
    reason: str
    decisions: int
    cases: int
    rejections: int
    approval_rate: float
    department: str | None
    follows_approval_share: float
    follows_same_department_share: float
    follows_activity: str | None
    wait_median_s: float
    processing_median_s: float | None
    estimated_saving_h: float
    stopped_cases: int = 0  # cases ending right after it long before the log end (counted as rejections)
    open_cases: int = 0  # cases ending right after it near the log end (maybe still running; not counted)
    threshold_attribute: str | None = None
    threshold_value: float | None = None
    share_below_threshold: float | None = None


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_STOPWORDS = frozenset({"by", "for", "of", "the", "a", "an", "to", "de", "van", "door", "der", "het", "en"})


def _tokens(name: str, strip: re.Pattern[str]) -> frozenset[str]:
    words = re.split(r"[^\w]+|_", name.lower())
    return frozenset(t for t in words if t and t not in _STOPWORDS and not strip.search(t))


def _twins(approvals: list[str], rejections: list[str], strip: re.Pattern[str]) -> dict[str, str]:
    """Rejection activity -> the approval activity of the same role.

    "Declaration REJECTED by SUPERVISOR" twins "Declaration APPROVED by SUPERVISOR": the rejection's
    words (approval/rejection verbs and stop words removed, at least two left) are all in the
    approval's, and exactly one approval fits best. A generic "Revise Order" twins nothing.
    """
    keys = {a: _tokens(a, strip) for a in approvals}
    out = {}
    for r in rejections:
        rk = _tokens(r, strip)
        if len(rk) < 2:
            continue
        fits = sorted((len(keys[a] - rk), a) for a in approvals if rk <= keys[a])
        if fits and (len(fits) == 1 or fits[0][0] < fits[1][0]):
            out[r] = fits[0][1]
    return out


def assess_approvals(
    inst: pd.DataFrame,
    attributes: pd.DataFrame,
    has_start: bool,
    approval_patterns: tuple[str, ...] = APPROVAL_PATTERNS,
    rejection_patterns: tuple[str, ...] = REJECTION_PATTERNS,
    confirmed: tuple[str, ...] = (),
) -> tuple[ApprovalVerdict, ...]:
    """One verdict per approval activity, ordered by estimated saving (largest first).

    ``confirmed``: activity names the user says are approvals (``--approvals``); they are judged whatever
    their names. A step recognised only by a weak name pattern ("release") that never rejects anything
    shows no sign of deciding anything, so it is kept with a reason instead of being called removable.
    """
    approve_re, reject_re = _compile(approval_patterns), _compile(rejection_patterns)
    strong = tuple(p for p in approval_patterns if p not in WEAK_APPROVAL_PATTERNS)
    strong_re = _compile(strong) if strong else re.compile(r"(?!)")
    names = sorted(inst[I.ACTIVITY].unique())
    rejections = [a for a in names if reject_re.search(a) and a not in confirmed]
    approvals = [a for a in names if (approve_re.search(a) or a in confirmed) and a not in rejections]
    unproven = {a for a in approvals if a not in confirmed and not strong_re.search(a)}
    if not approvals:
        return ()
    twins = _twins(approvals, rejections, _compile(approval_patterns + rejection_patterns))
    acts = inst[I.ACTIVITY].to_numpy()
    codes = inst[I.CODE].to_numpy()
    same_next = np.append(codes[1:] == codes[:-1], False)
    sent_back = _goes_back(inst)
    is_approval = np.isin(acts, np.asarray(approvals, dtype=object))
    prev_approval = _previous_approval(inst, is_approval)
    numeric = [c for c in attributes.columns if pd.api.types.is_numeric_dtype(attributes[c]) and not _ID_LIKE.search(c)]
    verdicts = []
    generic_reject = {a: bool(reject_re.search(a)) and a not in twins for a in names}
    act_names = I.labels_of(inst, I.ACTIVITY, I.ACT_CODE)
    generic_code = np.array([generic_reject.get(a, False) for a in act_names] + [False], dtype=bool)  # [-1]: none
    next_code = np.append(inst[I.ACT_CODE].to_numpy()[1:], -1)
    rej_next_all = same_next & generic_code[np.where(same_next, next_code, -1)]
    window_s = _usual_case_duration_s(inst)
    for activity in approvals:
        mask = acts == activity
        stopped, still_open = _stopped_after(inst, mask, same_next, window_s)
        usual_end = (stopped | still_open).mean() >= USUAL_END_SHARE  # ending here is the normal outcome
        rejected = rej_next_all[mask] | sent_back[mask] | (stopped & ~usual_end)
        stops = (int(stopped.sum()), int(still_open.sum()), bool(usual_end))
        # where the negative decisions come from (a decision may show more than one sign)
        sources = (int(rej_next_all[mask].sum()), int((sent_back[mask] & ~rej_next_all[mask]).sum()))
        twin_count = int(sum(int((acts == r).sum()) for r, a in twins.items() if a == activity))
        rows = inst[mask]
        verdict = _verdict(
            activity,
            rows,
            rejected,
            twin_count,
            inst,
            prev_approval[mask],
            attributes[numeric],
            has_start,
            stops,
            sources,
        )
        if activity in unproven and verdict.verdict == "candidate_for_removal":
            verdict = dataclasses.replace(
                verdict,
                verdict="keep",
                estimated_saving_h=0.0,
                reason=(
                    f"{activity}: named like an approval but shows no sign of deciding anything (it never rejects, "
                    "sends back or stops a case), so it may not be an approval at all; confirm it with "
                    f'--approvals "{activity}" to judge it as one.'
                ),
            )
        verdicts.append(verdict)
    verdicts.sort(key=lambda v: (-v.estimated_saving_h, v.activity))
    return tuple(verdicts)


def _usual_case_duration_s(inst: pd.DataFrame) -> float:
    """90th percentile of case lead time in seconds (the audit's window for cases cut by the extraction)."""
    if inst.empty:
        return 0.0
    codes = inst[I.CODE].to_numpy()
    bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    first = np.minimum.reduceat(inst[I.START].to_numpy().astype("datetime64[ns]").astype(np.int64), bounds)
    last = np.maximum.reduceat(inst[I.END].to_numpy().astype("datetime64[ns]").astype(np.int64), bounds)
    return float(np.quantile((last - first) / 1e9, 0.9))


def _stopped_after(
    inst: pd.DataFrame, mask: np.ndarray, same_next: np.ndarray, window_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """For the rows in ``mask``: (stopped for good, maybe still running) after this approval.

    Both need the approval to be the case's last event. The case stopped for good (a rejection no
    event records) when it ended more than ``window_s`` (the usual case duration, at least a day)
    before the log ends; otherwise it may be cut by the extraction window and is not counted.
    """
    end = inst[I.END].to_numpy()
    last = ~same_next[mask]
    left = (end.max() - end[mask]).astype("timedelta64[ns]").astype(np.int64) / 1e9
    far = left > max(window_s, 86400.0)
    return last & far, last & ~far


def _goes_back(inst: pd.DataFrame) -> np.ndarray:
    """True where the case's next instance repeats an activity already done before this instance."""
    codes = inst[I.CODE].to_numpy()
    occurrence = inst.groupby([I.CODE, I.ACT_CODE], sort=False).cumcount().to_numpy()
    nxt_repeat = np.append(occurrence[1:] > 0, False) & np.append(codes[1:] == codes[:-1], False)
    act = inst[I.ACT_CODE].to_numpy()
    nxt_same = np.append(act[1:] == act[:-1], False)
    back: np.ndarray = nxt_repeat & ~nxt_same
    return back


def _previous_approval(inst: pd.DataFrame, is_approval: np.ndarray) -> pd.DataFrame:
    """For each instance, the activity and department of the latest earlier approval in the case."""
    frame = pd.DataFrame(
        {
            "code": inst[I.CODE].to_numpy(),
            "act": np.where(is_approval, inst[I.ACTIVITY].to_numpy(), None),
            "dep": np.where(is_approval, inst[I.DEPARTMENT].to_numpy(), None),
        }
    )
    shifted = frame.groupby("code", sort=False)[["act", "dep"]].shift(1)
    return shifted.groupby(frame["code"], sort=False).ffill()


def _verdict(
    activity: str,
    rows: pd.DataFrame,
    rejected: np.ndarray,
    twin_rejections: int,
    inst: pd.DataFrame,
    prev: pd.DataFrame,
    numeric: pd.DataFrame,
    has_start: bool,
    stops: tuple[int, int, bool] = (0, 0, False),
    sources: tuple[int, int] = (0, 0),
) -> ApprovalVerdict:
    decisions = len(rows) + twin_rejections
    n_rejected = int(rejected.sum()) + twin_rejections
    rate = 1.0 - n_rejected / decisions if decisions else float("nan")
    dep = rows[I.DEPARTMENT].dropna().mode()
    department = str(dep.iloc[0]) if len(dep) else None
    follows = prev["act"].notna().to_numpy()
    same_dep = (
        follows & (prev["dep"].to_numpy() == rows[I.DEPARTMENT].to_numpy()) & rows[I.DEPARTMENT].notna().to_numpy()
    )
    prev_mode = prev["act"].dropna().mode()
    proc = rows[I.PROC]
    per_instance = rows[I.WAIT].fillna(0.0) + (proc.fillna(0.0) if has_start else 0.0)
    # the evidence; the verdict, its reason and the saving are filled in below
    base = ApprovalVerdict(
        verdict="keep",
        reason="",
        estimated_saving_h=0.0,
        activity=activity,
        decisions=decisions,
        cases=int(rows[I.CODE].nunique()),
        rejections=n_rejected,
        approval_rate=rate,
        department=department,
        follows_approval_share=float(follows.mean()) if len(rows) else 0.0,
        follows_same_department_share=float(same_dep.mean()) if len(rows) else 0.0,
        follows_activity=str(prev_mode.iloc[0]) if len(prev_mode) else None,
        wait_median_s=float(rows[I.WAIT].median()),
        processing_median_s=float(proc.median()) if has_start and proc.notna().any() else None,
        stopped_cases=0 if stops[2] else stops[0],
        open_cases=stops[1],
    )
    stop_note = _stop_note(stops)
    per_case = per_instance.groupby(rows[I.CODE].to_numpy()).sum()
    saving_h = float(per_case.mean()) / 3600.0 if len(per_case) else 0.0
    threshold = None
    if twin_rejections == 0 and n_rejected >= MIN_THRESHOLD_REJECTIONS and rate < REMOVAL_PASS_RATE:
        threshold = _find_threshold(rows, rejected, numeric)
    if threshold is not None:
        attr, value, below_share, below_rate = threshold
        values = numeric[attr].reindex(rows[I.CASE].to_numpy()).to_numpy()
        below_cases = per_instance[values <= value].groupby(rows[I.CODE].to_numpy()[values <= value]).sum()
        saving = float(below_cases.mean()) / 3600.0 if len(below_cases) else 0.0
        reason = (
            f"{activity}: rejects only cases with {attr} above {value:,.0f} ({n_rejected} of {n_rejected} "
            f"rejections); below it {below_rate:.0%} of {int(below_share * len(rows)):,} decisions passed — "
            f"approve automatically below {value:,.0f} to save ~{saving:.1f} h on {below_share:.0%} of cases."
        ) + stop_note
        return replace(
            base,
            verdict="candidate_for_threshold",
            reason=reason,
            estimated_saving_h=saving,
            threshold_attribute=attr,
            threshold_value=value,
            share_below_threshold=below_share,
        )
    if decisions >= MIN_DECISIONS and rate >= REMOVAL_PASS_RATE:
        chain = ""
        if base.follows_approval_share >= 0.5 and base.follows_activity:
            chain = f"; it follows {base.follows_activity} in {base.follows_approval_share:.0%} of cases"
        reason = (
            f"{activity}: passes {rate:.1%} of {decisions:,} decisions and only adds waiting "
            f"(median {base.wait_median_s / 3600:.1f} h, ~{saving_h:.1f} h per case){chain}."
        ) + stop_note
        return replace(base, verdict="candidate_for_removal", reason=reason, estimated_saving_h=saving_h)
    spread = " across the range of case values" if len(numeric.columns) else ""
    why = (
        f"too few decisions ({decisions}) to judge"
        if decisions < MIN_DECISIONS
        else f"rejects {1 - rate:.1%} of {decisions:,} decisions{spread} — it catches real problems"
    )
    if decisions >= MIN_DECISIONS and n_rejected:
        why += f" ({_sources_text(twin_rejections, sources)})"
    return replace(base, verdict="keep", reason=f"{activity}: {why}.{stop_note}", estimated_saving_h=saving_h)


def _sources_text(twins: int, sources: tuple[int, int]) -> str:
    """How the rejections were recognised, e.g. '12 rejection events, 30 sent back to an earlier step'."""
    parts = []
    if twins:
        parts.append(f"{twins:,} rejection events of the same role")
    if sources[0]:
        parts.append(f"{sources[0]:,} followed by a rejection or revision step")
    if sources[1]:
        parts.append(f"{sources[1]:,} sent back to an earlier step")
    return ", ".join(parts) if parts else "only cases that stopped after it"


def _stop_note(stops: tuple[int, int, bool]) -> str:
    """Evidence sentence on cases that end right after the approval (empty when there are none)."""
    stopped, still_open, usual_end = stops
    if usual_end:
        return (
            f" {stopped + still_open:,} case(s) end right after it: it is the usual last step of the process, "
            "so ending there is not counted as a rejection."
        )
    parts = []
    if stopped:
        parts.append(f"{stopped:,} case(s) end right after it long before the log ends and count as rejections")
    if still_open:
        parts.append(
            f"{still_open:,} case(s) end right after it near the end of the log and may still be running "
            "(not counted as rejections)"
        )
    return (" " + "; ".join(parts) + ".") if parts else ""


def _find_threshold(
    rows: pd.DataFrame, rejected: np.ndarray, numeric: pd.DataFrame
) -> tuple[str, float, float, float] | None:
    """(attribute, threshold, share of decisions at or below it, pass rate below) when rejections sit above it.

    All rejections lie at or above the smallest rejected value ``hi``; the threshold is the roundest
    number below ``hi`` such that seeing no rejection between it and ``hi`` is unsurprising given the
    rejection rate above ``hi`` (probability >= 5 %).
    """
    best = None
    for col in numeric.columns:
        values = numeric[col].reindex(rows[I.CASE].to_numpy()).to_numpy(dtype=float)
        ok = ~np.isnan(values)
        if ok.sum() < MIN_DECISIONS or rejected[ok].sum() < MIN_THRESHOLD_REJECTIONS:
            continue
        v, r = values[ok], rejected[ok]
        hi = float(np.min(v[r]))
        below = v < hi
        if below.mean() < 0.2:
            continue
        above_rate = float(r[~below].mean())
        if above_rate < 0.05:
            continue
        value = plausible_threshold(v, hi, above_rate)
        share = float((v <= value).mean())
        if share >= 0.2 and (best is None or above_rate > best[0]):
            best = (above_rate, col, value, share)
    if best is None:
        return None
    return best[1], best[2], best[3], 1.0


def plausible_threshold(values: np.ndarray, hi: float, rate: float) -> float:
    """Roundest t < hi such that P(no rejection among the values in (t, hi)) >= 5 % at ``rate``.

    Falls back to the largest value below ``hi`` when no round number qualifies.
    """
    fallback = float(np.max(values[values < hi]))
    max_between = np.log(0.05) / np.log(1.0 - min(rate, 0.999))
    top = int(np.floor(np.log10(max(abs(hi), 1e-9))))
    for exp in range(top, top - 7, -1):
        for mult in (5, 2, 1):
            step = mult * 10.0**exp
            t = float(np.ceil(hi / step) * step - step)
            if t <= 0:
                continue
            between = int(((values > t) & (values < hi)).sum())
            if between <= max_between:
                return t
    return fallback


def approval_table(verdicts: tuple[ApprovalVerdict, ...]) -> pd.DataFrame:
    """Verdicts as a table, one row per approval step."""
    from dataclasses import asdict

    return pd.DataFrame([asdict(v) for v in verdicts])
