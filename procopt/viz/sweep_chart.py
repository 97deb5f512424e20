"""The sweep's trade-off chart (matplotlib, procopt's chart style with the CJK font): PNG + SVG bytes.

Drawing lives in ``procopt.viz`` (used by the CLI and the report only); ``procopt.sim.sweep`` computes the
grid and its knees and writes the tables.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from procopt.sim.sweep.knee import Knee, _num


def sweep_title(source: str, capacity_known: bool) -> str:
    """The chart's title; without staff data it says the capacity is unknown, so no reader takes the lines for
    what the team can handle."""
    title = f"Volume vs delivery: {source}"
    return title if capacity_known else f"{title} (capacity unknown: no staff data)"


def render_chart(rows: Sequence[Mapping[str, Any]], knees: Sequence[Knee], *, title: str) -> tuple[bytes, str]:
    """The trade-off chart: on-time rate and P90 lead time against orders per week, one line per capacity.

    Bands are the replications' 95 % confidence intervals; crosses mark unstable points (queues never drain),
    dotted verticals the knee of each line. Returns (PNG bytes, SVG text); same data => same bytes.
    """
    import matplotlib
    from matplotlib.figure import Figure

    from procopt.viz.style import A4_WIDTH_IN, DPI, style

    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(str(r.get("group", "")), []).append(r)
    has_delivery = any(_num(r.get("delivery_rate")) is not None for r in rows)
    with matplotlib.rc_context(style()):  # type: ignore[arg-type]  # rcParams keys are Literal-typed
        fig = Figure(figsize=(A4_WIDTH_IN, 5.6 if has_delivery else 3.2))
        axes = fig.subplots(2 if has_delivery else 1, 1, sharex=True, squeeze=False)[:, 0]
        panels = ([("delivery_rate", 100.0, "On-time delivery (%)")] if has_delivery else []) + [
            ("lead_time_p90_h", 1 / 24, "P90 lead time (days)")
        ]
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        for gi, (name, pts) in enumerate(groups.items()):
            pts = sorted(pts, key=lambda r: float(r["orders_per_week"]))
            color = colors[gi % len(colors)]
            x = [float(r["orders_per_week"]) for r in pts]
            for ax, (key, factor, _) in zip(axes, panels, strict=True):
                y = [_scaled(r.get(key), factor) for r in pts]
                top = 100.0 if key == "delivery_rate" else float("inf")  # a CI never leaves the possible range
                lo = [min(max(_scaled(r.get(f"{key}_lo"), factor), 0.0), top) for r in pts]
                hi = [min(max(_scaled(r.get(f"{key}_hi"), factor), 0.0), top) for r in pts]
                ax.plot(x, y, "-o", color=color, ms=3, lw=1.4, label=name or "as calibrated")
                ax.fill_between(x, lo, hi, color=color, alpha=0.18, lw=0)
                bad = [(xi, yi) for xi, yi, r in zip(x, y, pts, strict=True) if not bool(r.get("stable", True))]
                if bad:
                    ax.plot(
                        [b[0] for b in bad],
                        [b[1] for b in bad],
                        "x",
                        color="#c92a2a",
                        ms=7,
                        mew=1.8,
                        label="unstable (queues grow)" if gi == 0 and ax is axes[0] else None,
                    )
            knee = next((k for k in knees if k.group == name), None)
            if knee is not None and knee.knee_per_week is not None and knee.next_per_week is not None:
                for ax in axes:
                    ax.axvline(knee.knee_per_week, color=color, ls=":", lw=1.2)
                axes[0].annotate(
                    f"knee ≈ {knee.knee_per_week:.0f}/wk",
                    (knee.knee_per_week, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, -10 - 10 * gi),
                    textcoords="offset points",
                    fontsize=7.5,
                    color=color,
                )
            first_bad = min((float(r["orders_per_week"]) for r in pts if not bool(r.get("stable", True))), default=None)
            if first_bad is not None and len(groups) == 1:
                for ax in axes:
                    ax.axvspan(first_bad, max(x), color="#c92a2a", alpha=0.06, lw=0)
        today = next((k.today_per_week for k in knees if k.today_per_week), None)
        if today is not None:
            for ax in axes:
                ax.axvline(today, color="#495057", ls="--", lw=0.9)
            axes[-1].annotate(
                "today",
                (today, 0.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=7.5,
                color="#495057",
            )
        for ax, (_, _, label) in zip(axes, panels, strict=True):
            ax.set_ylabel(label)
        axes[-1].set_ylim(bottom=0)
        if has_delivery:
            axes[0].set_ylim(bottom=max(0.0, axes[0].get_ylim()[0]), top=min(102.0, axes[0].get_ylim()[1] + 3))
        axes[-1].set_xlabel("Orders per week (offered volume)")
        axes[0].set_title(title)
        axes[0].legend(loc="lower left", frameon=False)
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        svg = io.StringIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return png.getvalue(), svg.getvalue()


def _scaled(value: Any, factor: float) -> float:
    v = _num(value)
    return float("nan") if v is None else v * factor
