"""Reading the stages' result dictionaries tolerantly and formatting numbers for readers.

Durations arrive in seconds (``_s``) or hours (``_h``); the report shows hours. The stages' ``to_dict()``
shapes are documented in docs/CONTRACTS.md; these helpers accept the documented spellings and return None
for anything absent, so a section says "not available" instead of crashing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def get(d: Any, *path: str | int, default: Any = None) -> Any:
    """``d[path[0]][path[1]]...`` or ``default`` when any step is missing."""
    cur = d
    for key in path:
        if (
            isinstance(cur, Mapping)
            and key in cur
            or isinstance(cur, Sequence)
            and not isinstance(cur, str)
            and isinstance(key, int)
            and -len(cur) <= key < len(cur)
        ):
            cur = cur[key]
        else:
            return default
    return default if cur is None else cur


def first_of(d: Any, *names: str, default: Any = None) -> Any:
    """The first key of ``names`` present (not None) in mapping ``d``."""
    if not isinstance(d, Mapping):
        return default
    for name in names:
        if d.get(name) is not None:
            return d[name]
    return default


def number(value: Any) -> float | None:
    """A finite float or None."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def hours(d: Any, *stems: str) -> float | None:
    """Hours from the first of ``<stem>_h``, ``<stem>_hours`` or ``<stem>_s`` (seconds) found in ``d``."""
    if not isinstance(d, Mapping):
        return None
    for stem in stems:
        for suffix, factor in (("_h", 1.0), ("_hours", 1.0), ("_s", 1 / 3600.0)):
            value = number(d.get(stem + suffix))
            if value is not None:
                return value * factor
    return None


def records(value: Any) -> list[dict[str, Any]]:
    """A list of dict rows from a list of dicts, or from a {"rows"/"items": [...]} wrapper."""
    if isinstance(value, Mapping):
        for key in ("rows", "items", "list", "top", "ranked"):
            if isinstance(value.get(key), list):
                return [dict(r) for r in value[key] if isinstance(r, Mapping)]
        return []
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
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
