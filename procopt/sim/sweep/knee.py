"""The knee of a sweep curve: the largest volume at which delivery still holds, said in plain words."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Knee:
    """Where delivery collapses along the volume axis for one capacity setting (``group``).

    ``knee_*`` describe the largest volume that still holds; ``next_*`` the first grid point beyond it
    (None when the whole range holds); ``unstable_from_per_week`` the first volume whose queues never drain.
    """

    group: str
    criterion: str
    base_per_week: float
    base_value: float | None
    knee_per_week: float | None
    knee_value: float | None
    next_per_week: float | None
    next_value: float | None
    unstable_from_per_week: float | None
    today_per_week: float | None = None
    #: False when no pool has a capacity limit (the log names no staff): no claim on how much volume holds
    capacity_known: bool = True

    def sentence(self) -> str:
        """The knee in plain language, e.g. for a sales-vs-production meeting."""
        metric = "on-time delivery" if self.criterion == "delivery_rate" else "P90 lead time"
        fmt = _pct if self.criterion == "delivery_rate" else _hours
        lead = f"With {self.group}: " if self.group else ""
        if not self.capacity_known:
            return _cap(
                f"{lead}capacity is unknown: the log names no staff, so the model has no capacity limit and cannot "
                f"say how much volume the team can absorb ({metric} at the lowest volume swept: "
                f"{fmt(self.base_value)}). Add a resource column, or sweep capacity.* with a known team size."
            )
        if self.knee_per_week is None:
            why = (
                "the queues grow without bound there"
                if self.unstable_from_per_week == self.base_per_week
                else "its own level is the reference, yet it is unstable or has no value"
            )
            return _cap(
                f"{lead}even the lowest volume swept ({self.base_per_week:.0f} orders/week) does not hold: {why}."
            )
        ref = self.today_per_week or self.base_per_week
        ref_name = "today's" if self.today_per_week else "the lowest swept,"
        change = f"{self.knee_per_week / ref - 1:+.0%} vs {ref_name} {ref:.0f}/week" if ref else ""
        text = (
            f"{lead}up to about {self.knee_per_week:.0f} orders/week ({change}) {metric} holds at "
            f"{fmt(self.knee_value)}"
        )
        if self.knee_per_week == self.base_per_week and self.next_per_week is not None:
            text = (
                f"{lead}only the lowest volume swept, {self.knee_per_week:.0f} orders/week ({change}), holds "
                f"({metric} {fmt(self.knee_value)})"
            )
        text = _cap(text)
        if self.next_per_week is None:
            return text + " — the whole range swept holds."
        verb = "drops" if self.criterion == "delivery_rate" else "rises"
        text += f"; at {self.next_per_week:.0f}/week it {verb} to {fmt(self.next_value)}"
        if self.unstable_from_per_week is not None and self.unstable_from_per_week == self.next_per_week:
            text += " and the queues grow without bound"
        elif self.unstable_from_per_week is not None:
            text += f", and from {self.unstable_from_per_week:.0f}/week the queues grow without bound"
        return text + "."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _hours(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 24:.1f} days" if value >= 48 else f"{value:.1f} h"


def find_knee(
    rows: Sequence[Mapping[str, Any]],
    *,
    group: str = "",
    tolerance: float = 0.05,
    lead_time_growth: float = 0.25,
    today_per_week: float | None = None,
) -> Knee:
    """The knee of one curve (rows of one capacity setting, any order).

    With delivery rates: the largest volume such that every point up to it is stable and delivers within
    ``tolerance`` (absolute, 0.05 = 5 points) of the lowest-volume point. Without due dates: the same with the
    P90 lead time allowed to grow by ``lead_time_growth`` (relative).
    """
    pts = sorted(rows, key=lambda r: float(r["orders_per_week"]))
    use_delivery = all(r.get("delivery_rate") is not None and not _isnan(r["delivery_rate"]) for r in pts)
    key = "delivery_rate" if use_delivery else "lead_time_p90_h"
    base = pts[0]
    base_value = _num(base.get(key))

    def holds(r: Mapping[str, Any]) -> bool:
        value = _num(r.get(key))
        if not bool(r.get("stable", True)) or value is None or base_value is None:
            return False
        if use_delivery:
            return value >= base_value - tolerance
        return value <= base_value * (1 + lead_time_growth)

    knee_idx = -1
    for i, r in enumerate(pts):
        if not holds(r):
            break
        knee_idx = i
    unstable = next((float(r["orders_per_week"]) for r in pts if not bool(r.get("stable", True))), None)
    knee = pts[knee_idx] if knee_idx >= 0 else None
    nxt = pts[knee_idx + 1] if knee_idx + 1 < len(pts) else None
    return Knee(
        group=group,
        criterion=key,
        base_per_week=float(base["orders_per_week"]),
        base_value=base_value,
        knee_per_week=float(knee["orders_per_week"]) if knee else None,
        knee_value=_num(knee.get(key)) if knee else None,
        next_per_week=float(nxt["orders_per_week"]) if nxt else None,
        next_value=_num(nxt.get(key)) if nxt else None,
        unstable_from_per_week=unstable,
        today_per_week=today_per_week,
    )


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _num(value: Any) -> float | None:
    return None if value is None or _isnan(value) else float(value)
