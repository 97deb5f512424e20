"""Stage 1 — ingest: find the case column by its structure when no header names it.

An export may call the case id ``Nr``, ``Beleg`` or ``ref``. A case column has a shape of its own: each value
repeats over several rows, those rows are different activities, and their times increase from row to row
or the rows are listed together (an export lists a case's events together, usually in time order). Case
attributes (a start date, a variant) have that shape too, but each of their values groups whole cases:
a finer candidate determines them, and they are dropped. A resource column repeats too, so the shape
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
#: Share of consecutive rows of one value (file order) whose time does not go backwards. Exports sort by
#: start or by end time, and parallel steps break either order now and then (Production: 94 % by end).
MIN_INCREASING = 0.9
#: ... or share of values whose rows form one block in the file (an export lists a case's events together,
#: even when it does not sort them by time).
MIN_GROUPED = 0.9
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
        grouped: share of values whose rows form one block in the file.
        variety: mean share of different activities among a value's rows (1.0: never the same step twice).
    """

    column: str
    values: int
    multi_activity: float
    increasing: float
    grouped: float
    variety: float

    def describe(self) -> str:
        """The evidence in one phrase."""
        return (
            f"{self.values:,} values that repeat across several activities ({self.multi_activity:.0%} of them), "
            f"times increasing within each value ({self.increasing:.0%} of steps), "
            f"rows of a value listed together ({self.grouped:.0%} of values), "
            f"{self.variety:.0%} different activities per value"
        )


def case_candidates(raw: pd.DataFrame, mapping: Mapping[str, str]) -> list[CaseCandidate]:
    """Columns not mapped to another role whose values behave like case ids, best (most varied) first.

    Times are the end times, or the start times where the file is ordered by those (whichever order holds
    better for the candidate).
    """
    times = [parse_timestamps(raw[mapping[role]]).values.to_numpy() for role in ("end", "start") if role in mapping]
    activity = raw[mapping["activity"]].astype(str).to_numpy()
    used = set(mapping.values())
    out: list[CaseCandidate] = []
    for col in raw.columns:
        if col in used or col == "source_row":
            continue
        cand = _evaluate(str(col), raw[col], activity, times)
        if cand is not None:
            out.append(cand)
    out = _drop_case_attributes(raw, out)
    return sorted(out, key=lambda c: (-c.variety, -c.increasing, c.column))


def _drop_case_attributes(raw: pd.DataFrame, found: list[CaseCandidate]) -> list[CaseCandidate]:
    """Drop candidates that another, finer candidate determines: a value constant within each case (a start
    date, a variant, a responsible department) groups whole cases, so it is an attribute of the case."""
    keep = []
    for coarse in found:
        finer = [c for c in found if c.values > coarse.values]
        if not any(_determines(raw[f.column], raw[coarse.column]) for f in finer):
            keep.append(coarse)
    return keep


def _determines(fine: pd.Series, coarse: pd.Series) -> bool:
    """True when each value of ``fine`` goes with one value of ``coarse`` (in at least 99 % of them)."""
    pairs = pd.DataFrame({"f": fine.to_numpy(), "c": coarse.to_numpy()}).dropna()
    return bool((pairs.groupby("f")["c"].nunique() <= 1).mean() >= 0.99)


def _evaluate(name: str, values: pd.Series, activity: np.ndarray, times: list[np.ndarray]) -> CaseCandidate | None:
    if values.isna().mean() > 0.05 or pd.api.types.is_float_dtype(values) and (values.dropna() % 1 != 0).any():
        return None
    codes, uniques = pd.factorize(values)
    n = len(uniques)
    if n < 2 or n > 0.5 * len(values):
        return None
    frame = pd.DataFrame({"v": codes, "a": activity})
    frame = frame[frame["v"] >= 0]
    sizes = frame.groupby("v").size()
    distinct = frame.groupby("v")["a"].nunique()
    repeating = sizes >= 2
    multi = float((distinct[repeating] >= 2).mean()) if repeating.any() else 0.0
    variety = float((distinct[repeating] / sizes[repeating]).mean()) if repeating.any() else 0.0
    keep = frame.index.to_numpy()
    codes_kept = frame["v"].to_numpy()
    starts_of_block = np.r_[True, codes_kept[1:] != codes_kept[:-1]]
    blocks = np.bincount(codes_kept[starts_of_block], minlength=n)
    grouped = float((blocks[blocks > 0] == 1).mean())
    order = np.argsort(frame["v"].to_numpy(), kind="stable")
    v = frame["v"].to_numpy()[order]
    same = v[1:] == v[:-1]
    increasing = 0.0
    for column in times:
        t = column[keep][order]
        known = same & ~pd.isna(t[1:]) & ~pd.isna(t[:-1])
        if known.any():
            increasing = max(increasing, float((t[1:][known] >= t[:-1][known]).mean()))
    if multi < MIN_MULTI_ACTIVITY or (increasing < MIN_INCREASING and grouped < MIN_GROUPED):
        return None
    return CaseCandidate(name, n, multi, increasing, grouped, variety)


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
