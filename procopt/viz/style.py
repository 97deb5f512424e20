"""procopt's chart style for every matplotlib figure (report, sweep, process map): fonts, sizes, palette.

The CJK font is registered once, so names like 审批 render in PNG and SVG alike; SVG text is stored as paths
(no font needed on the reader's machine) and saved with a fixed hash salt: same data, same bytes.
"""

from __future__ import annotations

from typing import Any

import matplotlib
from matplotlib import font_manager

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
        cached: str | None = _STATE["cjk"]
        return cached
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
    matplotlib.rcParams.update(settings)  # type: ignore[arg-type]  # rcParams keys are Literal-typed
    return settings
