"""Embed just the Chinese glyphs a report uses, so its HTML shows 审批 on any machine, offline.

The HTML report must open without network and without a CJK font installed (many servers and fresh Linux
machines have none: the browser would draw tofu boxes). The bundled Noto Sans SC (OFL) is cut down with
fontTools (a matplotlib dependency) to the wide characters that occur in the page — a few dozen kilobytes
— and inlined as a ``data:`` @font-face. Timestamps are not recalculated, so the output is reproducible.
"""

from __future__ import annotations

import base64
import functools
import io
import unicodedata

from procopt.viz import fonts

FAMILY = "procopt-cjk"
#: CJK punctuation, kana, ideographs, compatibility forms, full-width forms: the only code points it serves
UNICODE_RANGE = "U+1100-11FF, U+2E80-A4CF, U+AC00-D7AF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF, U+20000-2FFFF"


def wide_characters(text: str) -> str:
    """The distinct East-Asian wide/full-width characters of ``text``, sorted."""
    return "".join(sorted({ch for ch in text if unicodedata.east_asian_width(ch) in "WF"}))


def font_face_css(text: str) -> str:
    """A ``@font-face`` rule with the subset font for ``text``; empty when there is nothing to embed."""
    return _font_face_for(wide_characters(text))


@functools.lru_cache(maxsize=16)
def _font_face_for(chars: str) -> str:
    files = fonts.bundled_font_files()
    if not chars or not files:
        return ""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools ships with matplotlib
        return ""
    font = TTFont(str(files[0]), recalcTimestamp=False)
    options = subset.Options()
    options.recalc_timestamp = False
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    mime, fmt = ("font/otf", "opentype") if files[0].suffix.lower() == ".otf" else ("font/ttf", "truetype")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; font-display: block; unicode-range: {UNICODE_RANGE}; '
        f'src: url(data:{mime};base64,{data}) format("{fmt}"); }}\n'
    )
