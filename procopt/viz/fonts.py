"""Find a font that has Chinese glyphs, so charts never show tofu boxes on a fresh machine.

Order of preference: the OFL-licensed Noto Sans SC shipped by the ``pylopdf-fonts-zh-cn`` wheel (a pip
dependency, no system font needed); any ``.otf``/``.ttf`` placed in ``procopt/viz/fonts/``; then common
system CJK fonts (Noto Sans CJK, Source Han Sans, WenQuanYi, Microsoft YaHei, PingFang, SimHei).
"""

from __future__ import annotations

from pathlib import Path

_SYSTEM_NAMES = (
    "Noto Sans SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "SimHei",
    "Noto Sans CJK JP",
)


def bundled_font_files() -> list[Path]:
    """Font files procopt can use without any system font, best first."""
    files: list[Path] = []
    try:
        import pylopdf_fonts_zh_cn  # OFL-1.1 Noto Sans SC

        files.append(Path(pylopdf_fonts_zh_cn.sans_path()))
    except ImportError:
        pass
    here = Path(__file__).parent / "fonts"
    if here.is_dir():
        files.extend(sorted(p for p in here.iterdir() if p.suffix.lower() in {".otf", ".ttf"}))
    return [f for f in files if f.is_file()]


def system_font_names() -> tuple[str, ...]:
    """Family names of CJK fonts that may exist on the system, tried after the bundled ones."""
    return _SYSTEM_NAMES
