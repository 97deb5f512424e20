"""Stage 3 (model): the control flow as next-step decisions, learned from the cases' traces.

Each step ``after`` gets next-step probabilities. Where it matters, the rule becomes more specific:
per visit number (the 2nd "Check Credit" of a case goes to shipping far more often than the 1st, which
keeps rework loops as short as in the log), or per previous step. Where a case attribute explains the
choice (the director approves only orders of 10 000 or more), a one- or two-level decision tree on case
attributes is learned (best information gain; thresholds rounded to a "round" number between the classes).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import chi2

from procopt.model.types import END_TOKEN, START_TOKEN, Branch, Decision, Routing

MAX_VISIT = 4


def transitions(traces: Mapping[str, list[str]]) -> pd.DataFrame:
    """One row per step of every trace: case, after, previous, visit, next (END at the end)."""
    rows: list[tuple[str, str, str | None, int, str]] = []
    for case, trace in traces.items():
        visits: dict[str, int] = {}
        prev, cur = None, START_TOKEN
        visits[cur] = 1
        for act in [*trace, END_TOKEN]:
            rows.append((case, cur, prev, visits[cur], act))
            if act == END_TOKEN:
                break
            visits[act] = visits.get(act, 0) + 1
            prev, cur = cur, act
    return pd.DataFrame(rows, columns=["case", "after", "previous", "visit", "next"])


def learn_routing(
    traces: Mapping[str, list[str]],
    attributes: pd.DataFrame | None,
    *,
    min_samples: int = 20,
    use_attributes: bool = True,
) -> Routing:
    """Learn decisions from traces; ``attributes`` is indexed by case id (one row per case)."""
    tr = transitions(traces)
    if attributes is not None and use_attributes and not attributes.empty:
        tr = tr.join(attributes, on="case")
        attr_cols = list(attributes.columns)
    else:
        attr_cols = []
    decisions: list[Decision] = []
    for after, group in tr.groupby("after", sort=True):
        general = _dist(group["next"])
        decisions.append(Decision(str(after), _branches(group, attr_cols, min_samples)))
        by_visit = group.assign(v=group["visit"].clip(upper=MAX_VISIT)).groupby("v")
        specific = [(int(v), g) for v, g in by_visit if len(g) >= min_samples // 2]
        if len(specific) > 1 and any(_tv(_dist(g["next"]), general) >= 0.1 for _, g in specific):
            for v, g in specific:
                decisions.append(Decision(str(after), _branches(g, attr_cols, min_samples), visit=v))
            continue
        for prev, g in group.groupby("previous", sort=True):
            if len(g) >= min_samples and _tv(_dist(g["next"]), general) >= 0.15:
                decisions.append(Decision(str(after), _branches(g, attr_cols, min_samples), previous=str(prev)))
    return Routing(tuple(decisions))


def _dist(nexts: pd.Series) -> dict[str, float]:
    counts = nexts.value_counts()
    total = float(counts.sum())
    return {str(k): round(float(v) / total, 6) for k, v in sorted(counts.items())}


def _tv(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    keys = set(p) | set(q)
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in keys)


def _entropy(counts: np.ndarray) -> np.ndarray:
    """Entropy (bits) along the last axis of a count array."""
    total = counts.sum(axis=-1, keepdims=True)
    p = np.divide(counts, total, out=np.zeros_like(counts, dtype=float), where=total > 0)
    logs = np.log2(p, out=np.zeros_like(p), where=p > 0)
    return -(p * logs).sum(axis=-1)


def _branches(
    group: pd.DataFrame, attr_cols: list[str], min_samples: int, depth: int = 2, prefix: str = ""
) -> tuple[Branch, ...]:
    base = Branch(_dist(group["next"]), when=prefix or None)
    if depth == 0 or not attr_cols or group["next"].nunique() < 2 or len(group) < 2 * min_samples:
        return (base,)
    split = _best_split(group, attr_cols, min_samples)
    if split is None:
        return (base,)
    cond, mask = split
    joiner = f"{prefix} and " if prefix else ""
    left = _branches(group[mask], attr_cols, min_samples, depth - 1, f"{joiner}{cond}")
    right = _branches(group[~mask], attr_cols, min_samples, depth - 1, prefix)
    return (*left, *right)


def _name(col: str) -> str:
    return col if col.isidentifier() else f"`{col}`"


def _best_split(group: pd.DataFrame, attr_cols: list[str], min_samples: int) -> tuple[str, np.ndarray] | None:
    y, labels = pd.factorize(group["next"])
    k = len(labels)
    h0 = float(_entropy(np.bincount(y, minlength=k)[None, :].astype(float))[0])
    best: tuple[float, str, np.ndarray] | None = None
    n = len(group)
    for col in attr_cols:
        x = group[col]
        if pd.api.types.is_numeric_dtype(x) and x.nunique() > 10:
            if _looks_like_id(col, x):
                continue
            xv = x.to_numpy(dtype=float)
            ok = np.isfinite(xv)
            order = np.argsort(xv[ok], kind="stable")
            xs, ys = xv[ok][order], y[ok][order]
            onehot = np.eye(k)[ys]
            left = np.cumsum(onehot, axis=0)[:-1]
            right = left[-1] + onehot[-1] - left
            nl = np.arange(1, len(xs))
            valid = (xs[1:] > xs[:-1]) & (nl >= min_samples // 2) & (len(xs) - nl >= min_samples // 2)
            if not valid.any():
                continue
            h = (nl * _entropy(left) + (len(xs) - nl) * _entropy(right)) / len(xs)
            h = np.where(valid, h, np.inf)
            i = int(np.argmin(h))
            gain = h0 - float(h[i])
            # cuts almost as good as the best one (within 1 % of the entropy) bound where the true threshold
            # may lie; the roundest number in that range is the likeliest business rule (20 000, not 20 250)
            near = np.flatnonzero(h <= h[i] + 0.01 * h0)
            near = near[np.abs(near - i) <= max(5, len(xs) // 50)]
            thr = _round_between(float(xs[near.min()]), float(xs[near.max() + 1]))
            cond, mask = f"{_name(col)} < {thr:.12g}", (xv < thr)
        elif x.nunique() <= 20:
            gain, cond, mask = -1.0, "", np.zeros(n, dtype=bool)
            for value in sorted(x.dropna().unique(), key=str):
                m = (x == value).to_numpy()
                if min(m.sum(), n - m.sum()) < min_samples // 2:
                    continue
                hl = _entropy(np.bincount(y[m], minlength=k)[None, :].astype(float))[0]
                hr = _entropy(np.bincount(y[~m], minlength=k)[None, :].astype(float))[0]
                g = h0 - (m.sum() * hl + (n - m.sum()) * hr) / n
                if g > gain:
                    lit = repr(value) if isinstance(value, str) else f"{value:g}"
                    gain, cond, mask = float(g), f"{_name(col)} == {lit}", m
        else:
            continue
        if best is None or gain > best[0]:
            best = (gain, cond, mask)
    # keep a split only when it is clearly real: G-test (2 N ln2 * gain bits) far beyond chance, p < 1e-6,
    # even after searching every cut, and worth at least 0.01 bit
    if best is None or best[0] < 0.01 or 2 * n * math.log(2) * best[0] < chi2.ppf(1 - 1e-6, max(1, k - 1)):
        return None
    return best[1], best[2]


def _looks_like_id(col: str, x: pd.Series) -> bool:
    """Document numbers and other ids: whole numbers, (nearly) one per case, with an id-like name."""
    v = x.dropna().to_numpy(dtype=float)
    named = col.startswith("@@") or any(
        w in col.lower() for w in ("id", "_no", "number", "document", "code", "key", "index", "号", "编码")
    )
    return named and len(v) > 0 and bool(np.all(v == np.round(v))) and x.nunique() >= 0.05 * len(v)


def _round_between(lo: float, hi: float) -> float:
    """The 'roundest' number in (lo, hi]: 10 000 rather than 9 993.5."""
    if hi <= lo:
        return hi
    for power in range(int(math.floor(math.log10(max(abs(hi), 1e-9)))) + 1, -4, -1):
        step = 10.0**power
        for mult in (1.0, 0.5, 0.25, 0.2, 0.1):
            s = step * mult
            cand = (math.floor(lo / s) + 1) * s
            if lo < cand <= hi:
                return round(cand, 6)
    return round((lo + hi) / 2, 6)
