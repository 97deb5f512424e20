"""Stage 3 (model): which case attributes may steer the simulation, and which merely record its outcome.

An export often carries columns computed *after* the case ended: the variant (``case:variant``), the lead
time, the end state, the number of events. They explain the path perfectly — because they were derived
from it — so a routing rule learned on them ("cases of variant 7 go to Rework") is a forecast of the past:
a new case has no variant yet. Such columns must never steer routing or durations.

Two tests, both structural (no list of names is needed, though telling names are also caught):

* a **text** attribute with 3+ values that is a function of the case's path *and* the path a function of it
  (each value belongs to one variant and each variant to one value, for 95 % of cases) labels the variant;
* a **numeric** attribute whose rank correlation with the case's duration or its number of events is 0.95
  or more is the duration or a count.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from procopt.log import columns as C

#: names that say "this was measured on the finished case"
OUTCOME_NAME = re.compile(
    r"(^|[^a-z])(variant|duration|lead[ _-]?time|cycle[ _-]?time|throughput[ _-]?time|end[ _-]?state|"
    r"final[ _-]?state|outcome|num[ _-]?events|event[ _-]?count|n[ _-]?events|trace[ _-]?length)([^a-z]|$)"
)
#: the share of cases for which a text attribute and the variant determine each other
LABEL_SHARE = 0.95
#: rank correlation with duration or event count above which a number is an outcome
OUTCOME_CORRELATION = 0.95


def outcome_attributes(events: pd.DataFrame, attributes: pd.DataFrame) -> dict[str, str]:
    """Attribute columns of ``attributes`` (one row per case) that record the outcome -> the reason why."""
    if attributes.empty or not len(attributes.columns):
        return {}
    ev = events.sort_values([C.CASE, C.END], kind="stable")
    grouped = ev.groupby(C.CASE, sort=False)
    variant = grouped[C.ACTIVITY].agg(lambda s: "\x1f".join(map(str, s))).reindex(attributes.index)
    begin = ev[C.START].fillna(ev[C.END]) if C.START in ev.columns else ev[C.END]
    span = (grouped[C.END].max() - begin.groupby(ev[C.CASE], sort=False).min()).dt.total_seconds()
    size = grouped.size()
    span, size = span.reindex(attributes.index), size.reindex(attributes.index)
    out: dict[str, str] = {}
    for col in attributes.columns:
        x = attributes[col]
        name = str(col).lower()
        if OUTCOME_NAME.search(name):
            out[str(col)] = "its name says it was measured on the finished case"
            continue
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            for what, ref in (("duration", span), ("number of events", size)):
                ok = x.notna() & ref.notna()
                if ok.sum() >= 20 and x[ok].nunique() > 2 and ref[ok].nunique() > 2:
                    rho = float(pd.Series(x[ok].to_numpy(dtype=float)).corr(pd.Series(ref[ok].to_numpy()), "spearman"))
                    if np.isfinite(rho) and abs(rho) >= OUTCOME_CORRELATION:
                        out[str(col)] = f"it follows the case's {what} (rank correlation {rho:.2f})"
                        break
            continue
        if x.nunique(dropna=True) >= 3 and _labels_variant(x, variant):
            out[str(col)] = "each value stands for one path through the process (a variant label)"
    return out


def _labels_variant(x: pd.Series, variant: pd.Series) -> bool:
    ok = x.notna() & variant.notna()
    if ok.sum() < 20:
        return False
    frame = pd.DataFrame({"x": x[ok].astype(str).to_numpy(), "v": variant[ok].to_numpy()})
    n = len(frame)

    pairs = frame.groupby(["x", "v"], sort=False).size()

    def determined(a: str, b: str) -> float:
        # for each value of ``a``, the cases sharing its most common ``b``
        return float(pairs.groupby(level=a, sort=False).max().sum()) / n

    return determined("x", "v") >= LABEL_SHARE and determined("v", "x") >= LABEL_SHARE


#: a text attribute with at least this share of distinct values (besides its most common one) names the case itself
#: (an order number, a permit id): no rule can use it and resampling it only copies the past. A customer column
#: repeats (many cases per customer) and stays, so a pilot segment like ``customer == 'ACME'`` keeps working.
IDENTIFIER_SHARE = 0.9
#: an attribute whose most common value covers this share of cases or more carries almost nothing
NEAR_CONSTANT_SHARE = 0.99
#: digit grouping in numbers written as text ("1,252", "1 252", "1'252")
_GROUPING = r"(?<=\d)[,\s'\u00a0](?=\d{3})"


def unstorable_attributes(attributes: pd.DataFrame, referenced: frozenset[str]) -> dict[str, str]:
    """Attribute columns the model need not carry -> why: identifiers and near-constant columns.

    The model resamples whole attribute rows, so every column it stores costs one value per stored case.
    Exports with a hundred sparse ``(case)_X_7`` columns otherwise write a model of several megabytes
    whose bulk no rule reads. A column named in ``referenced`` (a routing condition, a duration rule, the
    value used for priorities) is always kept. Numbers are never identifiers: amounts may be unique yet
    meaningful for a threshold.
    """
    out: dict[str, str] = {}
    for col in attributes.columns:
        name = str(col)
        if name in referenced:
            continue
        x = attributes[col].dropna()
        if x.empty:
            out[name] = "always empty"
            continue
        counts = x.astype(str).value_counts()
        # numbers read as text (XES and CSV exports often give amounts as strings) are numbers too
        # ... judged on the distinct values, so a placeholder filling most rows ('string') does not hide them
        numeric = (pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)) or bool(
            pd.to_numeric(counts.index.to_series().str.replace(_GROUPING, "", regex=True), errors="coerce")
            .notna()
            .mean()
            >= 0.95
        )
        # the values besides the most common one: sparse exports fill the gaps with a placeholder ('string',
        # 'UNKNOWN'), and an id column stays an id column however many cases lack it
        rest = len(x) - int(counts.iloc[0])
        if not numeric and len(counts) >= 20 and len(counts) - 1 >= IDENTIFIER_SHARE * max(rest, 1):
            out[name] = "identifies the case"
        elif counts.iloc[0] >= NEAR_CONSTANT_SHARE * len(attributes):
            out[name] = f"one value in {NEAR_CONSTANT_SHARE:.0%} of cases"
    return out
