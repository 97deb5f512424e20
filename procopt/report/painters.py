"""The two diagram-like charts: the value-stream map and the process map (DFG).

They draw on a matplotlib ``Figure`` handed in by ``figures.render_figure`` (which owns the matplotlib import
and the style). The value-stream map is the classic lean picture: process boxes with their department on
top, the timeline "ladder" under them (waiting on the upper rungs, processing on the lower ones) and the
totals at the end; under it the same steps drawn to scale, so the reader sees how little of the time is work.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from procopt.report.figures import A4_WIDTH_IN as A4_IN
from procopt.report.figures import PALETTE


def wrap_label(label: str, width: int = 14) -> str:
    """Wrap a label for a box; CJK characters count double so Chinese names wrap at a similar width."""
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in label):
        step = max(2, width // 2)
        return "\n".join(label[i : i + step] for i in range(0, len(label), step))
    return "\n".join(textwrap.wrap(label, width=width, break_long_words=True)) or label


def _fmt_h(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def paint_vsm(fig: Figure, data: Mapping[str, Any]) -> None:
    """Value-stream map: boxes + ladder (top panel) and the steps to scale in hours (bottom panel)."""
    steps = list(data["steps"])
    n = len(steps)
    ax, ax2 = fig.subplots(2, 1, height_ratios=[3.2, 1])
    stagger = n > 8  # long paths: boxes and departments alternate between two rows so neighbours never overlap
    ax.set_xlim(-1.25, n + 0.9)
    ax.set_ylim(0.15, 3.55 if stagger else 2.95)
    ax.axis("off")
    width = 9 if n > 6 else 14
    for i, step in enumerate(steps):
        label = wrap_label(step["label"], width + (4 if stagger else 0))
        dept = step.get("department") or ""
        box_y = (3.05 if i % 2 == 0 else 2.4) if stagger else 2.6
        ax.text(i, box_y, label, ha="center", va="center", fontsize=5.8 if stagger else (6.2 if n > 6 else 7.5),
                bbox={"boxstyle": "square,pad=0.35", "facecolor": PALETTE["node"], "edgecolor": "#1864ab"})
        if dept:
            dept_y = (1.98 if i % 2 == 0 else 1.8) if stagger else 1.95
            ax.text(i, dept_y, dept, ha="center", va="center", fontsize=5.6 if stagger else 6.0, color="#495057")
        wait = step.get("waiting_h")
        proc = step.get("processing_h")
        ax.plot([i - 0.65, i - 0.35], [1.15, 1.15], color=PALETTE["waiting"], linewidth=2.2)
        ax.plot([i - 0.35, i - 0.35], [1.15, 0.55], color="#495057", linewidth=0.8)
        ax.plot([i - 0.35, i + 0.35], [0.55, 0.55], color=PALETTE["processing"], linewidth=2.2)
        ax.plot([i + 0.35, i + 0.35], [0.55, 1.15], color="#495057", linewidth=0.8)
        ax.plot([i - 0.5], [1.62], marker="^", markersize=6, color=PALETTE["waiting"])
        ax.text(i - 0.5, 1.22, _fmt_h(wait), ha="center", va="bottom", fontsize=6.5, color=PALETTE["waiting"])
        ax.text(i, 0.38, _fmt_h(proc), ha="center", va="top", fontsize=6.8, color=PALETTE["processing"])
    unit = data.get("unit", "h")
    summary = f"{data['lead_label']}: {_fmt_h(data.get('lead_time_h'))} {unit}"
    if data.get("va_ratio") is not None:
        summary += f"\n{data['processing_label']}: {_fmt_h(data.get('processing_h'))} {unit}"
        summary += f"\n{data['va_label']}: {100 * data['va_ratio']:.1f}%"
    ax.text(n + 0.05, 0.85, summary, ha="left", va="center", fontsize=7.2,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": PALETTE["box"], "edgecolor": "#495057"})
    ax.text(-0.7, 1.15, data["waiting_label"], ha="right", va="center", fontsize=6.5, color=PALETTE["waiting"])
    ax.text(-0.7, 0.55, data["processing_label"], ha="right", va="center", fontsize=6.5, color=PALETTE["processing"])
    _paint_to_scale(ax2, steps, data)


def _paint_to_scale(ax: Any, steps: list[Mapping[str, Any]], data: Mapping[str, Any]) -> None:
    """One horizontal bar: waiting and processing of each step in sequence, to scale in hours."""
    t = 0.0
    for step in steps:
        wait = step.get("waiting_h") or 0.0
        proc = step.get("processing_h") or 0.0
        ax.barh([0], [wait], left=t, color=PALETTE["waiting"], edgecolor="white", linewidth=0.4, height=0.6)
        t += wait
        ax.barh([0], [proc], left=t, color=PALETTE["processing"], edgecolor="white", linewidth=0.4, height=0.6)
        t += proc
    ax.set_yticks([])
    ax.set_xlim(0, max(t, 1e-9) * 1.01)
    ax.set_xlabel(data["x_label"])
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)


def _layout(order: list[str], main: set[str]) -> dict[str, tuple[float, float]]:
    """Top-down positions: main-path nodes in the centre column, others alternating left and right."""
    pos: dict[str, tuple[float, float]] = {}
    side = 1
    for rank, name in enumerate(order):
        if name in main:
            pos[name] = (0.0, -float(rank))
        else:
            pos[name] = (1.9 * side, -float(rank))
            side = -side
    return pos


def paint_dfg(fig: Figure, data: Mapping[str, Any]) -> None:
    """Directly-follows graph: boxes with counts, arrows with width by frequency and a label per edge.

    Main-path steps stand in the centre column; other activities alternate right and left. Edges between
    columns are straight, skips within the centre column bow left, backward edges (loops) bow right.
    """
    order = list(data["order"])
    counts = dict(data["node_counts"])
    edges = list(data["edges"])
    pos = _layout(order, set(data.get("main_path", order)))
    ax = fig.add_subplot()
    ax.axis("off")
    ax.set_xlim(-3.4, 3.4)
    ax.set_ylim(-len(order) + 0.5, 0.5)
    top = max((e["count"] for e in edges), default=1)
    # inches per data unit, to place labels on the curves matplotlib draws in display space
    sx = A4_IN / 6.8
    sy = float(data.get("height_in", 3.0)) / max(len(order), 1)
    for e in edges:
        if e["source"] not in pos or e["target"] not in pos or e["source"] == e["target"]:
            continue
        (x1, y1), (x2, y2) = pos[e["source"]], pos[e["target"]]
        backward = y2 > y1
        if x1 != x2:
            rad = 0.0
        elif backward:
            rad = -0.5
        else:
            rad = 0.0 if abs(y1 - y2) == 1 else 0.5
        colour = PALETTE["waiting"] if backward else PALETTE["edge"]
        off = 0.2 if y2 < y1 else -0.2  # leave and enter the boxes at their bottom/top edges
        ax.annotate("", xy=(x2, y2 + off), xytext=(x1, y1 - off),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "alpha": 0.8, "shrinkA": 0, "shrinkB": 0,
                                "linewidth": 0.6 + 3.0 * e["count"] / top, "connectionstyle": f"arc3,rad={rad}"})
        dx, dy = x2 - x1, (y2 + off) - (y1 - off)
        # the midpoint of matplotlib's arc3 Bezier is the chord midpoint + rad/2 × the chord turned by 90°
        lx = (x1 + x2) / 2 + 0.5 * rad * dy * sy / sx
        ly = (y1 + y2) / 2 - 0.5 * rad * dx * sx / sy
        ha = "left" if rad == 0.0 and x1 == x2 else "center"
        ax.text(lx + (0.06 if ha == "left" else 0.0), ly, e["label"], fontsize=6.3, color=colour, ha=ha, va="center",
                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    for name in order:
        x, y = pos[name]
        ax.text(x, y, f"{wrap_label(name, 34)} ({counts.get(name, 0)})", ha="center", va="center", fontsize=6.8,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": PALETTE["node"], "edgecolor": "#1864ab"})
