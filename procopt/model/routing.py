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
from dataclasses import dataclass
from typing import Any

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
    tr = tr.assign(_row=np.arange(len(tr)))
    # each column is coded once for the whole log; the splits below only index into the codes
    coded = {col: _Coded.of(tr[col]) for col in attr_cols}
    decisions: list[Decision] = []
    for after, group in tr.groupby("after", sort=True):
        general = _dist(group["next"])
        decisions.append(Decision(str(after), _branches(group, attr_cols, coded, min_samples)))
        by_visit = group.assign(v=group["visit"].clip(upper=MAX_VISIT)).groupby("v")
        specific = [(int(v), g) for v, g in by_visit if len(g) >= min_samples // 2]
        if len(specific) > 1 and any(_tv(_dist(g["next"]), general) >= 0.1 for _, g in specific):
            for v, g in specific:
                decisions.append(Decision(str(after), _branches(g, attr_cols, coded, min_samples), visit=v))
            continue
        for prev, g in group.groupby("previous", sort=True):
            if len(g) >= min_samples and _tv(_dist(g["next"]), general) >= 0.15:
                decisions.append(Decision(str(after), _branches(g, attr_cols, coded, min_samples), previous=str(prev)))
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
    entropy: np.ndarray = -(p * logs).sum(axis=-1)
    return entropy


@dataclass(frozen=True, slots=True)
class _Coded:
    """One attribute column as integer codes (-1: missing), its values, and each value's rank as text."""

    codes: np.ndarray
    values: np.ndarray
    text_rank: np.ndarray
    numeric: bool

    @staticmethod
    def of(x: pd.Series) -> _Coded:
        codes, values = pd.factorize(x)
        values = np.asarray(values, dtype=object)
        rank = np.empty(len(values), dtype=np.int64)
        rank[sorted(range(len(values)), key=lambda i: str(values[i]))] = np.arange(len(values))
        return _Coded(codes, values, rank, bool(pd.api.types.is_numeric_dtype(x)))


def _branches(
    group: pd.DataFrame,
    attr_cols: list[str],
    coded: Mapping[str, _Coded],
    min_samples: int,
    depth: int = 2,
    prefix: str = "",
) -> tuple[Branch, ...]:
    base = Branch(_dist(group["next"]), when=prefix or None)
    if depth == 0 or not attr_cols or group["next"].nunique() < 2 or len(group) < 2 * min_samples:
        return (base,)
    split = _best_split(group, attr_cols, coded, min_samples)
    if split is None:
        return (base,)
    cond, mask = split
    joiner = f"{prefix} and " if prefix else ""
    left = _branches(group[mask], attr_cols, coded, min_samples, depth - 1, f"{joiner}{cond}")
    right = _branches(group[~mask], attr_cols, coded, min_samples, depth - 1, prefix)
    return (*left, *right)


def _name(col: str) -> str:
    return col if col.isidentifier() else f"`{col}`"


def _best_split(
    group: pd.DataFrame, attr_cols: list[str], coded: Mapping[str, _Coded], min_samples: int
) -> tuple[str, np.ndarray] | None:
    y, labels = pd.factorize(group["next"])
    k = len(labels)
    h0 = float(_entropy(np.bincount(y, minlength=k)[None, :].astype(float))[0])
    best: tuple[float, str, np.ndarray] | None = None
    n = len(group)
    rows = group["_row"].to_numpy()
    for col in attr_cols:
        column = coded[col]
        sub = column.codes[rows]
        present = np.unique(sub[sub >= 0])
        if column.numeric and len(present) > 10:
            x = group[col]
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
        elif len(present) <= 20:
            found = _best_value(sub, present, column, y, k, h0, min_samples)
            if found is None:
                gain, cond, mask = -1.0, "", np.zeros(n, dtype=bool)
            else:
                gain, value, mask = found
                lit = repr(value) if isinstance(value, str) else f"{value:g}"
                cond = f"{_name(col)} == {lit}"
        else:
            continue
        # equal gains (two columns splitting the cases alike) go to the earlier column, whatever the rounding
        if best is None or gain > best[0] + _TIE:
            best = (gain, cond, mask)
    # keep a split only when it is clearly real: G-test (2 N ln2 * gain bits) far beyond chance, p < 1e-6,
    # even after searching every cut, and worth at least 0.01 bit
    if best is None or best[0] < 0.01 or 2 * n * math.log(2) * best[0] < chi2.ppf(1 - 1e-6, max(1, k - 1)):
        return None
    return best[1], best[2]


#: information gains closer than this are a tie
_TIE = 1e-12


def _best_value(
    codes: np.ndarray, present: np.ndarray, column: _Coded, y: np.ndarray, k: int, h0: float, min_samples: int
) -> tuple[float, Any, np.ndarray] | None:
    """The ``x == value`` split with the largest information gain: one contingency table, not a scan per value.

    ``codes`` are the group's codes of the column and ``present`` the distinct ones (sorted). Values are
    tried in the order of their text and the first best one wins, so the rule does not depend on the order
    cases appear in.
    """
    if not len(present):
        return None
    known = codes >= 0  # missing values are never on the ``==`` side
    local = np.searchsorted(present, codes[known])
    m = len(present)
    table = np.bincount(local * k + y[known], minlength=m * k).reshape(m, k)
    order = np.argsort(column.text_rank[present], kind="stable")
    table = table[order].astype(float)
    n = len(y)
    inside = table.sum(axis=1)
    outside = np.bincount(y, minlength=k)[None, :].astype(float) - table
    gains = h0 - (inside * _entropy(table) + (n - inside) * _entropy(outside)) / n
    gains = np.where(np.minimum(inside, n - inside) < min_samples // 2, -np.inf, gains)
    if not np.isfinite(gains.max()):
        return None
    best = int(np.flatnonzero(gains >= gains.max() - _TIE)[0])
    code = int(present[order[best]])
    return float(gains[best]), column.values[code], codes == code


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
