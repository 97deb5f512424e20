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

from procopt.viz.style import A4_WIDTH_IN as A4_IN
from procopt.viz.style import PALETTE


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
    """Value-stream map: boxes + ladder (top panel) and the steps to scale in hours (bottom panel).

    Each box holds the step and its department and sits straight above its own processing rung (a thin leader
    line joins them); on long paths the boxes alternate between two rows so neighbours never overlap.
    """
    steps = list(data["steps"])
    n = len(steps)
    ax, ax2 = fig.subplots(2, 1, height_ratios=[3.4, 1])
    stagger = n > 6
    top = 3.75 if stagger else 2.95
    ax.set_xlim(-1.45, n + 0.9)
    ax.set_ylim(0.15, top)
    ax.axis("off")
    width = 8 if stagger else (10 if n > 4 else 14)
    size = 5.8 if stagger else (6.4 if n > 4 else 7.5)
    for i, step in enumerate(steps):
        label = wrap_label(step["label"], 2 * width if stagger else width)
        dept = step.get("department") or ""
        box_y = (3.15 if i % 2 == 0 else 2.35) if stagger else 2.35
        text = f"{label}\n({dept})" if dept else label
        ax.text(
            i,
            box_y,
            text,
            ha="center",
            va="center",
            fontsize=size,
            linespacing=1.15,
            bbox={"boxstyle": "square,pad=0.35", "facecolor": PALETTE["node"], "edgecolor": "#1864ab"},
        )
        ax.plot([i, i], [0.62, box_y - 0.32], color="#adb5bd", linewidth=0.6, zorder=0)
        wait = step.get("waiting_h")
        proc = step.get("processing_h")
        ax.plot([i - 0.65, i - 0.35], [1.15, 1.15], color=PALETTE["waiting"], linewidth=2.2)
        ax.plot([i - 0.35, i - 0.35], [1.15, 0.55], color="#495057", linewidth=0.8)
        ax.plot([i - 0.35, i + 0.35], [0.55, 0.55], color=PALETTE["processing"], linewidth=2.2)
        ax.plot([i + 0.35, i + 0.35], [0.55, 1.15], color="#495057", linewidth=0.8)
        ax.plot([i - 0.5], [1.55], marker="^", markersize=6, color=PALETTE["waiting"])
        ax.text(i - 0.5, 1.22, _fmt_h(wait), ha="center", va="bottom", fontsize=6.5, color=PALETTE["waiting"])
        ax.text(i, 0.38, _fmt_h(proc), ha="center", va="top", fontsize=6.8, color=PALETTE["processing"])
    unit = data.get("unit", "h")
    summary = f"{data['lead_label']}: {_fmt_h(data.get('lead_time_h'))} {unit}"
    if data.get("va_ratio") is not None:
        summary += f"\n{data['processing_label']}: {_fmt_h(data.get('processing_h'))} {unit}"
        summary += f"\n{data['va_label']}: {100 * data['va_ratio']:.1f}%"
    ax.text(
        n + 0.05,
        0.85,
        summary,
        ha="left",
        va="center",
        fontsize=7.2,
        bbox={"boxstyle": "round,pad=0.4", "facecolor": PALETTE["box"], "edgecolor": "#495057"},
    )
    ax.text(
        -0.8, 1.2, f"{data['waiting_label']}\n({unit})", ha="right", va="center", fontsize=6.5, color=PALETTE["waiting"]
    )
    ax.text(
        -0.8,
        0.55,
        f"{data['processing_label']}\n({unit})",
        ha="right",
        va="center",
        fontsize=6.5,
        color=PALETTE["processing"],
    )
    _paint_to_scale(ax2, steps, data)


def _paint_to_scale(ax: Any, steps: list[Mapping[str, Any]], data: Mapping[str, Any]) -> None:
    """One horizontal bar: waiting and processing of each step in sequence, to scale in hours.

    Waits long enough to hold a label are named after the step they precede, so the reader sees where the
    time goes; a legend names the two colours.
    """
    from matplotlib.patches import Patch

    total = sum((s.get("waiting_h") or 0.0) + (s.get("processing_h") or 0.0) for s in steps) or 1e-9
    t = 0.0
    for step in steps:
        wait = step.get("waiting_h") or 0.0
        proc = step.get("processing_h") or 0.0
        ax.barh([0], [wait], left=t, color=PALETTE["waiting"], edgecolor="white", linewidth=0.4, height=0.6)
        if wait >= 0.12 * total:
            ax.text(
                t + wait / 2,
                0,
                wrap_label(str(step["label"]), 16),
                ha="center",
                va="center",
                fontsize=6.2,
                color="white",
                linespacing=1.1,
            )
        t += wait
        ax.barh([0], [proc], left=t, color=PALETTE["processing"], edgecolor="white", linewidth=0.4, height=0.6)
        t += proc
    ax.set_yticks([])
    ax.set_ylim(-0.45, 0.45)
    ax.set_xlim(0, max(t, 1e-9) * 1.01)
    ax.set_xlabel(data["x_label"])
    if data.get("scale_label"):
        ax.set_title(data["scale_label"], fontsize=7.5, loc="left")
    ax.legend(
        handles=[
            Patch(color=PALETTE["waiting"], label=data["waiting_label"]),
            Patch(color=PALETTE["processing"], label=data["processing_label"]),
        ],
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=2,
        fontsize=6.5,
        frameon=False,
    )
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
        ax.annotate(
            "",
            xy=(x2, y2 + off),
            xytext=(x1, y1 - off),
            arrowprops={
                "arrowstyle": "-|>",
                "color": colour,
                "alpha": 0.8,
                "shrinkA": 0,
                "shrinkB": 0,
                "linewidth": 0.6 + 3.0 * e["count"] / top,
                "connectionstyle": f"arc3,rad={rad}",
            },
        )
        dx, dy = x2 - x1, (y2 + off) - (y1 - off)
        # the midpoint of matplotlib's arc3 Bezier is the chord midpoint + rad/2 × the chord turned by 90°
        lx = (x1 + x2) / 2 + 0.5 * rad * dy * sy / sx
        ly = (y1 + y2) / 2 - 0.5 * rad * dx * sx / sy
        ha = "left" if rad == 0.0 and x1 == x2 else "center"
        ax.text(
            lx + (0.06 if ha == "left" else 0.0),
            ly,
            e["label"],
            fontsize=6.3,
            color=colour,
            ha=ha,
            va="center",
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    for name in order:
        x, y = pos[name]
        ax.text(
            x,
            y,
            f"{wrap_label(name, 34)} ({counts.get(name, 0)})",
            ha="center",
            va="center",
            fontsize=6.8,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": PALETTE["node"], "edgecolor": "#1864ab"},
        )
