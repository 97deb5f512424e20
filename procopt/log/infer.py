"""Stage 1 — ingest: find the case column by its structure when no header names it.

An export may call the case id ``Nr``, ``Beleg`` or ``ref``. A case column has a shape of its own: each value
repeats over several rows, those rows are different activities, and their times increase from row to row
(an export lists a case's events together and in time order). A resource column repeats too, so the shape
alone may not decide: a person does the *same* few activities again and again, while a case passes through
mostly *different* ones. When two columns still look alike, procopt refuses to guess (exit 2) and lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from procopt.errors import InputError
from procopt.log.timestamps import parse_timestamps

#: Share of repeating values whose rows hold at least two different activities.
MIN_MULTI_ACTIVITY = 0.8
#: Share of consecutive rows of one value (file order) whose time does not go backwards.
MIN_INCREASING = 0.95
#: A candidate wins outright when the share of different activities among its rows is at least this many
#: times the runner-up's (a case visits different steps; a clerk repeats the same few).
CLEAR_MARGIN = 2.0


@dataclass(frozen=True, slots=True)
class CaseCandidate:
    """A column that looks like a case id, with the evidence.

    Attributes:
        column: its name.
        values: distinct values.
        multi_activity: share of repeating values whose rows hold two or more different activities.
        increasing: share of consecutive rows of one value whose time does not decrease.
        variety: mean share of different activities among a value's rows (1.0: never the same step twice).
    """

    column: str
    values: int
    multi_activity: float
    increasing: float
    variety: float

    def describe(self) -> str:
        """The evidence in one phrase."""
        return (
            f"{self.values:,} values that repeat across several activities ({self.multi_activity:.0%} of them), "
            f"times increasing within each value ({self.increasing:.0%} of steps), "
            f"{self.variety:.0%} different activities per value"
        )


def case_candidates(raw: pd.DataFrame, mapping: Mapping[str, str]) -> list[CaseCandidate]:
    """Columns not mapped to another role whose values behave like case ids, best (most varied) first."""
    end = parse_timestamps(raw[mapping["end"]]).values.to_numpy()
    activity = raw[mapping["activity"]].astype(str).to_numpy()
    used = set(mapping.values())
    out: list[CaseCandidate] = []
    for col in raw.columns:
        if col in used or col == "source_row":
            continue
        cand = _evaluate(str(col), raw[col], activity, end)
        if cand is not None:
            out.append(cand)
    return sorted(out, key=lambda c: (-c.variety, -c.increasing, c.column))


def _evaluate(name: str, values: pd.Series, activity: np.ndarray, end: np.ndarray) -> CaseCandidate | None:
    if values.isna().mean() > 0.05 or pd.api.types.is_float_dtype(values) and (values.dropna() % 1 != 0).any():
        return None
    codes, uniques = pd.factorize(values)
    n = len(uniques)
    if n < 2 or n > 0.5 * len(values):
        return None
    frame = pd.DataFrame({"v": codes, "a": activity, "t": end})
    frame = frame[frame["v"] >= 0]
    sizes = frame.groupby("v").size()
    distinct = frame.groupby("v")["a"].nunique()
    repeating = sizes >= 2
    multi = float((distinct[repeating] >= 2).mean()) if repeating.any() else 0.0
    variety = float((distinct[repeating] / sizes[repeating]).mean()) if repeating.any() else 0.0
    order = np.argsort(frame["v"].to_numpy(), kind="stable")
    v = frame["v"].to_numpy()[order]
    t = frame["t"].to_numpy()[order]
    same = v[1:] == v[:-1]
    known = same & ~pd.isna(t[1:]) & ~pd.isna(t[:-1])
    increasing = float((t[1:][known] >= t[:-1][known]).mean()) if known.any() else 0.0
    if multi < MIN_MULTI_ACTIVITY or increasing < MIN_INCREASING:
        return None
    return CaseCandidate(name, n, multi, increasing, variety)


def infer_case_column(
    raw: pd.DataFrame, mapping: Mapping[str, str], *, path: str | Path | None = None
) -> tuple[str, str]:
    """The case column of a log whose headers name none, and a sentence saying how it was found.

    Raises:
        InputError: no column looks like a case id, or several do and the evidence does not separate them
            (the message lists the candidates and how to name the right one with ``--map``).
    """
    found = case_candidates(raw, mapping)
    columns = ", ".join(repr(str(c)) for c in raw.columns)
    if not found:
        raise InputError(
            path,
            "cannot find the 'case' column of the event log: no header names one, and no column has the shape "
            "of a case id (values repeating across several activities with times increasing within each value)",
            hint=f"Columns found: {columns}. Name it with --map, e.g. --map case=order_id.",
        )
    best = found[0]
    if len(found) > 1 and best.variety < CLEAR_MARGIN * found[1].variety:
        listed = "; ".join(f"{c.column!r}: {c.describe()}" for c in found[:4])
        raise InputError(
            path,
            "cannot tell which column is the case id: no header names one and several columns have its shape "
            f"(a resource column looks alike): {listed}",
            hint=f"Name the case column with --map, e.g. --map case={found[0].column} (or case={found[1].column}).",
        )
    how = f"by structure: {best.describe()}"
    if len(found) > 1:
        how += f"; {found[1].column!r} looks alike but repeats the same activities (a resource, not a case)"
    return best.column, how
