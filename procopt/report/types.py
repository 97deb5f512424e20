"""The report as pure data: what the renderers (HTML, Markdown) and the figure painter consume.

A report is like a printed management pack: numbered sections, each opening with a plain-language finding,
then figures and tables. Nothing here renders or computes; ``content.py`` fills these, ``figures.py`` paints
the ``FigureSpec`` s and ``render.py`` lays everything out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Table:
    """A small table: ``name`` is its file stem (``tables/<name>.csv``), cells are plain strings or numbers."""

    name: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    #: optional per-row CSS status class ("met", "at_risk", "missed", "") for KPI-style colouring
    row_status: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """A chart to paint: ``kind`` names a painter in ``figures.py``; ``data`` holds only plain values."""

    name: str
    caption: str
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Section:
    """One numbered section: the finding paragraph comes first, then figures and tables."""

    key: str
    heading: str
    paragraphs: tuple[str, ...]
    figures: tuple[FigureSpec, ...] = ()
    tables: tuple[Table, ...] = ()
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """The whole report: title, language ("en" or "zh"), subtitle lines and the sections in order."""

    title: str
    language: str
    subtitle: tuple[str, ...]
    sections: tuple[Section, ...]
    #: the three most important findings (also the first section's bullets), for the CLI summary
    top_findings: tuple[str, ...] = ()
    #: plain summary numbers for --json output and tests
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RenderedFigure:
    """A painted figure: PNG bytes (embedded in the HTML as base64) and SVG text (written beside it)."""

    name: str
    caption: str
    png: bytes
    svg: str
