"""Charts: a CJK font is found without system fonts, Chinese labels are drawn as glyphs, output is stable."""

from __future__ import annotations

import io

import pytest
from matplotlib.ft2font import FT2Font
from PIL import Image

from procopt.report.figures import cjk_font_name, render_figure, setup_style
from procopt.report.painters import wrap_label
from procopt.report.types import FigureSpec
from procopt.viz import fonts


def test_bundled_cjk_font_covers_chinese_process_names() -> None:
    files = fonts.bundled_font_files()
    assert files, "no bundled CJK font: install pylopdf-fonts-zh-cn (OFL Noto Sans SC)"
    font = FT2Font(str(files[0]))
    for ch in "审批信用检查发货财务总监销售部":
        assert font.get_char_index(ord(ch)) != 0, ch
    assert cjk_font_name() == "Noto Sans SC"
    assert "Noto Sans SC" in setup_style()["font.family"]


def _waits(label: str) -> FigureSpec:
    rows = [
        {"label": label, "waiting_h": 5.0, "processing_h": 1.0, "highlight": True},
        {"label": "发货", "waiting_h": 2.0, "processing_h": 0.5},
    ]
    return FigureSpec(
        "w",
        "caption",
        "waits",
        {"rows": rows, "x_label": "小时", "waiting_label": "等待", "processing_label": "加工", "height_in": 2.0},
    )


def test_chinese_labels_are_drawn_not_tofu() -> None:
    """The same chart with two different Chinese labels differs in pixels (tofu boxes would be identical)."""
    a = render_figure(_waits("审批"))
    b = render_figure(_waits("信用"))
    assert a.png != b.png
    assert "<text" not in a.svg  # text stored as paths: the SVG needs no font on the reader's machine
    image = Image.open(io.BytesIO(a.png))
    assert image.width >= 800  # about 6 in at 150 dpi (tight bounding box): sharp at A4 text width


def test_same_spec_same_bytes() -> None:
    assert render_figure(_waits("审批")) == render_figure(_waits("审批"))


def test_unknown_figure_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no painter"):
        render_figure(FigureSpec("x", "c", "pie"))


@pytest.mark.parametrize(
    ("label", "width", "lines"), [("Approve Order (Finance Director)", 14, 3), ("财务总监审批", 8, 2), ("Ship", 14, 1)]
)
def test_wrap_label(label: str, width: int, lines: int) -> None:
    wrapped = wrap_label(label, width)
    assert wrapped.count("\n") + 1 == lines
    assert wrapped.replace("\n", "").replace(" ", "") == label.replace(" ", "")
