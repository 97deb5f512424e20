"""Reading the stages' results and formatting numbers for readers.

The report reads each field under the one name its stage writes (docs/CONTRACTS.md); these helpers only
turn a missing step or a missing/NaN value into None, so a section says "not available" instead of
crashing. Durations arrive in seconds (``_s``); the report shows hours.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def get(d: Any, *path: str | int, default: Any = None) -> Any:
    """``d[path[0]][path[1]]...`` or ``default`` when any step is missing."""
    cur = d
    for key in path:
        # two branches, not one `or`: each narrows ``cur`` and ``key`` for its own kind of indexing
        if isinstance(cur, Mapping) and key in cur:  # noqa: SIM114
            cur = cur[key]
        elif (
            isinstance(cur, Sequence)
            and not isinstance(cur, str)
            and isinstance(key, int)
            and -len(cur) <= key < len(cur)
        ):
            cur = cur[key]
        else:
            return default
    return default if cur is None else cur


def number(value: Any) -> float | None:
    """A finite float or None."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def name(value: Any) -> str | None:
    """A name from a stage's table (activity, department): None when the cell is empty (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def hours(seconds: Any) -> float | None:
    """Hours from a stage's seconds value (the ``_s`` fields); None when missing or not a finite number."""
    value = number(seconds)
    return None if value is None else value / 3600.0


def records(value: Any) -> list[dict[str, Any]]:
    """The dict rows of a stage's list of records (``[]`` when the stage did not run or wrote none)."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [dict(r) for r in value if isinstance(r, Mapping)]
    return []


def fmt(value: Any, digits: int = 1) -> str:
    """A number for readers: thousands separators, fixed decimals; '–' when missing."""
    x = number(value)
    if x is None:
        return "–"
    if abs(x) >= 1000 or digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def signed(value: Any, digits: int = 1) -> str:
    """A difference with an explicit sign: +3.2 / −1.0."""
    x = number(value)
    if x is None:
        return "–"
    return f"{x:+,.{digits}f}"


def pct(value: Any, digits: int = 1) -> str:
    """A 0..1 share as a percentage number (no % sign)."""
    x = number(value)
    return "–" if x is None else f"{100 * x:.{digits}f}"


def ci(pair: Any, scale: float = 1.0, digits: int = 1) -> str:
    """A confidence interval as "[lo, hi]"."""
    if not isinstance(pair, Sequence) or len(pair) != 2:
        return "–"
    lo, hi = number(pair[0]), number(pair[1])
    if lo is None or hi is None:
        return "–"
    return f"[{lo * scale:+,.{digits}f}, {hi * scale:+,.{digits}f}]"


def ci_pair(pair: Any, scale: float = 1.0) -> tuple[float, float] | None:
    """A confidence interval as two floats (scaled), or None."""
    if not isinstance(pair, Sequence) or len(pair) != 2:
        return None
    lo, hi = number(pair[0]), number(pair[1])
    return None if lo is None or hi is None else (lo * scale, hi * scale)


def without_subject(reason: object, subject: object) -> str:
    """``reason`` without a leading "<subject>:" (the mining sentences name their activity first)."""
    text_, name = str(reason or ""), str(subject or "")
    if name and text_.startswith(name):
        return text_[len(name) :].lstrip(" :：—-")
    return text_
