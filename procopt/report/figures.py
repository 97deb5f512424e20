"""Report charts with matplotlib: one consistent style, labelled axes with units, readable at A4 width.

This is procopt's door to matplotlib (besides the sweep chart, which calls ``setup_style()`` from here). The
CJK font is registered once, so names like 审批 render in PNG and SVG alike (SVG text is stored as paths,
so the reader's machine needs no Chinese font either). Figures are built on ``matplotlib.figure.Figure``
directly, never through pyplot's global state, and saved without timestamps: same data, same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from procopt.report.types import FigureSpec, RenderedFigure
from procopt.viz import fonts

#: A4 text width in inches (210 mm minus 2 × 20 mm margins) and the PNG resolution.
A4_WIDTH_IN = 6.7
DPI = 150

PALETTE = {
    "processing": "#2b8a3e",
    "waiting": "#e8590c",
    "neutral": "#868e96",
    "highlight": "#c92a2a",
    "edge": "#1c7ed6",
    "node": "#e7f5ff",
    "met": "#2f9e44",
    "at_risk": "#f08c00",
    "missed": "#e03131",
    "unknown": "#adb5bd",
    "box": "#f1f3f5",
}

_STATE: dict[str, Any] = {}


def cjk_font_name() -> str | None:
    """Register the bundled CJK font (once) and return its family name, or None when none is found."""
    if "cjk" in _STATE:
        return _STATE["cjk"]
    name: str | None = None
    for path in fonts.bundled_font_files():
        try:
            font_manager.fontManager.addfont(str(path))
            name = font_manager.FontProperties(fname=str(path)).get_name()
            break
        except (OSError, RuntimeError, ValueError):
            continue
    if name is None:
        available = {f.name for f in font_manager.fontManager.ttflist}
        name = next((n for n in fonts.system_font_names() if n in available), None)
    _STATE["cjk"] = name
    return name


def style() -> dict[str, Any]:
    """procopt's rcParams: DejaVu Sans for Latin text with the CJK font as per-glyph fallback."""
    cjk = cjk_font_name()
    family = ["DejaVu Sans", cjk] if cjk else ["DejaVu Sans"]
    return {
        "font.family": family,
        "font.size": 8.5,
        "axes.titlesize": 9.5,
        "axes.labelsize": 8.5,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.6,
        "axes.axisbelow": True,
        "svg.fonttype": "path",
        "svg.hashsalt": "procopt",
        "figure.dpi": DPI,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.08,
        "axes.unicode_minus": False,
    }


def setup_style() -> dict[str, Any]:
    """Apply procopt's chart style globally (for other modules' charts) and return the settings."""
    settings = style()
    matplotlib.rcParams.update(settings)
    return settings


def render_figure(spec: FigureSpec) -> RenderedFigure:
    """Paint ``spec`` with the painter named by ``spec.kind``; returns PNG bytes and SVG text."""
    from procopt.report import painters

    painter: Callable[[Figure, Mapping[str, Any]], None] | None = PAINTERS.get(spec.kind) or getattr(
        painters, f"paint_{spec.kind}", None
    )
    if painter is None:
        raise ValueError(f"no painter for figure kind {spec.kind!r}")
    with matplotlib.rc_context(style()):
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
    from procopt.report.painters import wrap_label

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


PAINTERS: dict[str, Callable[[Figure, Mapping[str, Any]], None]] = {
    "waits": paint_waits,
    "heatmap": paint_heatmap,
    "options": paint_options,
    "segments": paint_segments,
    "kpi": paint_kpi,
}
