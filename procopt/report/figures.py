"""Report charts with matplotlib: one consistent style, labelled axes with units, readable at A4 width.

The chart style (fonts, sizes, palette) lives in ``procopt.viz.style``, shared with the sweep chart. The
CJK font is registered once, so names like 审批 render in PNG and SVG alike (SVG text is stored as paths,
so the reader's machine needs no Chinese font either). Figures are built on ``matplotlib.figure.Figure``
directly, never through pyplot's global state, and saved without timestamps: same data, same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from procopt.report import painters
from procopt.report.painters import wrap_label
from procopt.report.types import FigureSpec, RenderedFigure
from procopt.viz.style import A4_WIDTH_IN, DPI, PALETTE, cjk_font_name, setup_style, style

__all__ = ["A4_WIDTH_IN", "DPI", "PALETTE", "cjk_font_name", "render_figure", "setup_style", "style"]


def render_figure(spec: FigureSpec) -> RenderedFigure:
    """Paint ``spec`` with the painter named by ``spec.kind``; returns PNG bytes and SVG text."""

    painter: Callable[[Figure, Mapping[str, Any]], None] | None = PAINTERS.get(spec.kind) or getattr(
        painters, f"paint_{spec.kind}", None
    )
    if painter is None:
        raise ValueError(f"no painter for figure kind {spec.kind!r}")
    with matplotlib.rc_context(style()):  # type: ignore[arg-type]  # rcParams keys are Literal-typed
        fig = Figure(figsize=(A4_WIDTH_IN, float(spec.data.get("height_in", 3.2))))
        painter(fig, spec.data)
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        svg = io.StringIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return RenderedFigure(name=spec.name, caption=spec.caption, png=png.getvalue(), svg=svg.getvalue())


def paint_waits(fig: Figure, data: Mapping[str, Any]) -> None:
    """Horizontal stacked bars: median processing and waiting per activity, top bottleneck highlighted."""
    rows = list(data["rows"])[::-1]
    ax = fig.add_subplot()
    names = [r["label"] for r in rows]
    proc = [r.get("processing_h") or 0.0 for r in rows]
    wait = [r.get("waiting_h") or 0.0 for r in rows]
    ax.barh(names, wait, color=PALETTE["waiting"], label=data["waiting_label"])
    ax.barh(names, proc, left=wait, color=PALETTE["processing"], label=data["processing_label"])
    for tick, r in zip(ax.get_yticklabels(), rows, strict=True):
        if r.get("highlight"):
            tick.set_color(PALETTE["highlight"])
    ax.set_xlabel(data["x_label"])
    ax.legend(loc="lower right", frameon=False)
    ax.grid(axis="y", visible=False)


def paint_heatmap(fig: Figure, data: Mapping[str, Any]) -> None:
    """Department × department matrix of median hand-off delay (colour) with counts."""
    labels = list(data["labels"])
    delay = data["delay_h"]
    counts = data["counts"]
    ax = fig.add_subplot()
    import numpy as np

    matrix = np.array([[np.nan if v is None else float(v) for v in row] for row in delay])
    image = ax.imshow(matrix, cmap="OrRd", aspect="auto", vmin=0.0)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(data["x_label"])
    ax.set_ylabel(data["y_label"])
    ax.grid(visible=False)
    top = np.nanmax(matrix) if np.isfinite(matrix).any() else 1.0
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if np.isfinite(value):
                colour = "white" if value > 0.6 * top else "black"
                ax.text(j, i, f"{value:.1f}\n({counts[i][j]})", ha="center", va="center", fontsize=7, color=colour)
    fig.colorbar(image, ax=ax, label=data["colour_label"], shrink=0.8)


def paint_options(fig: Figure, data: Mapping[str, Any]) -> None:
    """Two forest plots side by side: Δ mean lead time and Δ delivery rate with 95 % CIs per option."""

    rows = list(data["rows"])[::-1]
    names = [wrap_label(r["label"], 30) for r in rows]
    axes = fig.subplots(1, 2, sharey=True)
    for ax, key, colour, label in (
        (axes[0], "lt", PALETTE["edge"], data["lt_label"]),
        (axes[1], "dr", PALETTE["processing"], data["dr_label"]),
    ):
        for y, r in enumerate(rows):
            value, ci = r.get(f"{key}_diff"), r.get(f"{key}_ci")
            if value is None:
                continue
            if ci and ci[0] is not None and ci[1] is not None:
                ax.plot([ci[0], ci[1]], [y, y], color=colour, linewidth=2.2, alpha=0.55)
            ax.plot([value], [y], "o", color=colour if r.get("stable", True) else PALETTE["missed"])
        ax.axvline(0.0, color=PALETTE["neutral"], linewidth=0.9)
        ax.set_xlabel(label)
        ax.set_yticks(range(len(rows)), names)
        ax.grid(axis="y", visible=False)


def paint_segments(fig: Figure, data: Mapping[str, Any]) -> None:
    """Lollipops per segment value (on-time % or median lead time) from the overall value, worst highlighted.

    A dot plot rather than bars, so the axis can zoom in on a few points of difference without bars whose
    length would exaggerate it.
    """
    rows = list(data["rows"])[::-1]
    ax = fig.add_subplot()
    labels = [f"{r['label']} (n={r['cases']})" for r in rows]
    values = [float(r["value"]) for r in rows]
    overall = float(data["overall"])
    colours = [PALETTE["highlight"] if r.get("highlight") else PALETTE["neutral"] for r in rows]
    ax.hlines(range(len(rows)), [overall] * len(rows), values, colors=colours, linewidth=2.0)
    ax.scatter(values, range(len(rows)), color=colours, s=36, zorder=3)
    ax.axvline(overall, color="black", linestyle="--", linewidth=1, label=data["overall_label"])
    ax.set_yticks(range(len(rows)), labels)
    span = max(max(values + [overall]) - min(values + [overall]), 1.0)
    ax.set_xlim(min(values + [overall]) - 0.15 * span, max(values + [overall]) + 0.15 * span)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(data["x_label"])
    if data.get("y_label"):  # the attribute compared, as a heading (a rotated CJK label reads badly)
        ax.set_title(str(data["y_label"]), loc="left", fontsize=8.5)
    ax.legend(loc="best", frameon=False)
    ax.grid(axis="y", visible=False)


def paint_kpi(fig: Figure, data: Mapping[str, Any]) -> None:
    """KPI dashboard: one small panel per KPI with its weekly trend, target line and status colour."""
    kpis = list(data["kpis"])
    cols = min(3, max(1, len(kpis)))
    nrows = (len(kpis) + cols - 1) // cols
    axes = fig.subplots(nrows, cols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(kpis):
            ax.set_visible(False)
            continue
        item = kpis[k]
        colour = PALETTE.get(item.get("status") or "unknown", PALETTE["unknown"])
        trend = [v for v in item.get("trend", []) if v is not None]
        if trend:
            ax.plot(range(1, len(trend) + 1), trend, color=colour, marker="o", markersize=2.5, linewidth=1.3)
        if item.get("target") is not None:
            ax.axhline(float(item["target"]), color="black", linestyle="--", linewidth=0.9)
        target = f"{data['target_label']} {item['target_text']}" if data.get("target_label") else item["target_text"]
        ax.set_title(f"{item['name']}\n{item['value_text']} ({target})", color=colour, fontsize=8)
        ax.set_xlabel(data["x_label"], fontsize=7)
        ax.set_ylabel(item.get("unit", ""), fontsize=7)
        ax.tick_params(labelsize=7)
    fig.tight_layout()


CAUSE_COLOURS = {
    "batching": "#1c7ed6",
    "unavailability": "#868e96",
    "prioritisation": "#ae3ec9",
    "contention": "#e8590c",
    "extraneous": "#f2c94c",
}


def paint_causes(fig: Figure, data: Mapping[str, Any]) -> None:
    """Horizontal stacked bars: total waiting hours per row split by cause (legend in the report's language)."""
    rows = list(data["rows"])[::-1]
    ax = fig.add_subplot()
    names = [r["label"] for r in rows]
    left = [0.0] * len(rows)
    for cause, label in data["cause_labels"].items():
        values = [float(r["hours"].get(cause) or 0.0) for r in rows]
        ax.barh(names, values, left=left, color=CAUSE_COLOURS.get(cause, PALETTE["neutral"]), label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel(data["x_label"])
    ax.legend(loc="lower right", frameon=False, fontsize=7)
    ax.grid(axis="y", visible=False)


PAINTERS: dict[str, Callable[[Figure, Mapping[str, Any]], None]] = {
    "causes": paint_causes,
    "waits": paint_waits,
    "heatmap": paint_heatmap,
    "options": paint_options,
    "segments": paint_segments,
    "kpi": paint_kpi,
}
