"""The one rule for the step that delivers to the customer, shared by model calibration and the report.

Lead time, on-time rate and the simulated KPIs all end at the delivery activity, so the calibrated model and
the report must pick the same one. Given by the user (``--delivery-activity``) it is used as is; otherwise it
is the most frequent activity whose name contains a delivery word (ties broken by name, so the choice does
not depend on row order). No match: None, and lead time ends at a case's last step.
"""

from __future__ import annotations

import pandas as pd

from procopt.log.columns import ACTIVITY

#: Lower-case fragments of delivery step names in English and Chinese ERP logs (order-to-cash shipping and
#: purchase-to-pay goods receipt).
DELIVERY_WORDS: tuple[str, ...] = (
    "deliver",
    "ship",
    "dispatch",
    "goods issue",
    "send goods",
    "receive goods",
    "goods receipt",
    "发货",
    "交货",
    "送货",
    "出库",
    "交付",
    "收货",
    "发运",
)


def is_delivery_name(name: str) -> bool:
    """True when ``name`` contains one of :data:`DELIVERY_WORDS` (case-insensitive)."""
    low = name.lower()
    return any(word in low for word in DELIVERY_WORDS)


def detect_delivery_activity(events: pd.DataFrame) -> str | None:
    """The delivery activity of an event table by name: the most frequent match, ties by name; else None."""
    if events.empty:
        return None
    counts = events[ACTIVITY].astype(str).value_counts()
    hits = [str(a) for a in counts.index if is_delivery_name(str(a))]
    return max(hits, key=lambda a: (int(counts[a]), a)) if hits else None
