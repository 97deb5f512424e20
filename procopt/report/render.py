"""Render a ``Report`` as one self-contained HTML file and as Markdown (jinja2, autoescape on).

The HTML opens offline: CSS is inlined, figures are inlined as base64 PNG, a Content-Security-Policy
forbids scripts and any network fetch. Every piece of user data (activity names, departments, case ids)
goes through jinja2's escaping — an activity called ``<script>`` shows as text. The Markdown version
escapes HTML too and keeps table cells on one line.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from importlib import resources

import jinja2
from markupsafe import Markup

from procopt import __version__
from procopt.report import webfont
from procopt.report.i18n import text
from procopt.report.types import RenderedFigure, Report

_STATUS = {"met", "at_risk", "missed", "error", "warning", "info"}


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("procopt.report", "templates"),
        autoescape=True,  # every template, including Markdown: user data never becomes markup
        trim_blocks=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = _md_text
    env.filters["cell"] = _md_cell
    return env


def _md_text(value: object) -> Markup:
    """Escape HTML and the Markdown characters that would change meaning inside running text."""
    # HTML special characters become entities (no raw markup in any Markdown viewer); quotes stay readable
    raw = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = " ".join(raw.splitlines())  # data never starts a new Markdown block
    for ch in ("\\", "*", "_", "`", "[", "]"):
        escaped = escaped.replace(ch, "\\" + ch)
    return Markup(escaped)


def _md_cell(value: object) -> Markup:
    """A Markdown table cell: escaped, pipes escaped, on one line (every line-break character becomes a space)."""
    return Markup(str(_md_text(value)).replace("|", "\\|"))


def _labels(language: str) -> dict[str, str]:
    return {k: text(language, k) for k in ("figure", "table", "contents")}


def _css() -> Markup:
    """Our own stylesheet (trusted, not user data) inlined verbatim."""
    return Markup(resources.files("procopt.report").joinpath("templates/report.css").read_text(encoding="utf-8"))


def render_html(report: Report, figures: Mapping[str, RenderedFigure]) -> str:
    """The report as one HTML document with inline CSS and base64 PNG figures."""
    encoded = {name: base64.b64encode(fig.png).decode("ascii") for name, fig in figures.items()}
    template = _environment().get_template("report.html.j2")
    values = {
        "report": report,
        "figures": encoded,
        "labels": _labels(report.language),
        "footer": text(report.language, "report_footer", version=__version__),
        "status_class": lambda s: s if s in _STATUS else "",
    }
    page = template.render(css=_css(), **values)
    font = webfont.font_face_css(page)  # Chinese glyphs used on the page, so no tofu without a CJK font
    return template.render(css=Markup(font) + _css(), **values) if font else page


def render_markdown(report: Report) -> str:
    """The report as Markdown; figures are referenced as ``figures/<name>.png`` beside it."""
    template = _environment().get_template("report.md.j2")
    return template.render(
        report=report,
        labels=_labels(report.language),
        footer=text(report.language, "report_footer", version=__version__),
    )
