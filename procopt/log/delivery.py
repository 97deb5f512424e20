"""The one rule for the step that delivers to the customer, shared by model calibration and the report.

Lead time, on-time rate and the simulated KPIs all end at the delivery activity, so the calibrated model and
the report must pick the same one. Given by the user (``--delivery-activity``) it is used as is; otherwise it
is, among the frequent activities whose names contain a delivery word (at least half as frequent as the most
frequent one), the one that most often comes last of them in its case: delivery is done when its path ends
("make delivery"), not when it is prepared ("prepare delivery"). Ties: frequency, then name, so the choice does
not depend on row order. No match: None, and lead time ends at a case's last step.
"""

from __future__ import annotations

import pandas as pd

from procopt.log.columns import ACTIVITY, CASE, END

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
    """The delivery activity of an event table by name (see the module's rule); None without a match."""
    if events.empty:
        return None
    names = events[ACTIVITY].astype(str)
    counts = names.value_counts()
    hits = [str(a) for a in counts.index if is_delivery_name(str(a))]
    if not hits:
        return None
    top = max(int(counts[a]) for a in hits)
    frequent = [a for a in hits if counts[a] >= 0.5 * top]
    if len(frequent) == 1 or CASE not in events.columns:
        return max(frequent, key=lambda a: (int(counts[a]), a))
    sub = pd.DataFrame({"case": events[CASE], "activity": names, "end": events[END]})[names.isin(frequent)]
    sub = sub.sort_values(["case", "end"], kind="stable")
    last = sub.groupby("case", sort=False)["activity"].last().value_counts()
    return max(frequent, key=lambda a: (int(last.get(a, 0)), int(counts[a]), a))
