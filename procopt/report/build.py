"""Build and write a report folder: ``report.html`` (self-contained), ``report.md``, ``figures/``, ``tables/``.

``build_report(inputs)`` gives the pure-data ``Report``; ``paint_figures`` draws its figure specs;
``write_report`` writes everything atomically (the folder is built beside the target and moved in place).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from procopt._io import atomic_dir, write_csv, write_json
from procopt.report.content import build_report
from procopt.report.figures import render_figure
from procopt.report.render import render_html, render_markdown
from procopt.report.types import RenderedFigure, Report

#: ``schema_version`` of the ``report.json`` file written beside the report (docs/CONTRACTS.md).
REPORT_JSON_VERSION = 1

#: What a report folder holds that procopt wrote: replaced as a whole on every run (other files are left alone).
OWNED = ("report.html", "report.md", "report.json", "figures", "tables")

__all__ = [
    "OWNED",
    "REPORT_JSON_VERSION",
    "ReportFiles",
    "foreign_entries",
    "build_report",
    "paint_figures",
    "write_report",
]


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """Where a written report lives."""

    folder: Path
    html: Path
    markdown: Path
    figures: tuple[Path, ...]
    tables: tuple[Path, ...]


def paint_figures(report: Report) -> dict[str, RenderedFigure]:
    """Paint every figure spec of the report, in section order."""
    return {spec.name: render_figure(spec) for section in report.sections for spec in section.figures}


def foreign_entries(out_dir: str | Path) -> list[str]:
    """Names in ``out_dir`` that a report does not own (hidden files aside); empty for a new folder."""
    folder = Path(out_dir)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name not in OWNED and not p.name.startswith("."))


def write_report(report: Report, out_dir: str | Path) -> ReportFiles:
    """Write HTML, Markdown, figures (PNG + SVG), tables (CSV) and ``report.json`` into ``out_dir`` atomically."""
    out = Path(out_dir)
    figures = paint_figures(report)
    fig_paths: list[Path] = []
    table_paths: list[Path] = []
    with atomic_dir(out, replace=OWNED) as tmp:
        (tmp / "figures").mkdir()
        (tmp / "tables").mkdir()
        for name, fig in figures.items():
            (tmp / "figures" / f"{name}.png").write_bytes(fig.png)
            (tmp / "figures" / f"{name}.svg").write_text(fig.svg, encoding="utf-8")
            fig_paths += [out / "figures" / f"{name}.png", out / "figures" / f"{name}.svg"]
        for section in report.sections:
            for table in section.tables:
                frame = pd.DataFrame(list(table.rows), columns=list(table.columns))
                write_csv(tmp / "tables" / f"{table.name}.csv", frame)
                table_paths.append(out / "tables" / f"{table.name}.csv")
        (tmp / "report.html").write_text(render_html(report, figures), encoding="utf-8")
        (tmp / "report.md").write_text(render_markdown(report), encoding="utf-8")
        write_json(
            tmp / "report.json",
            {
                "schema_version": REPORT_JSON_VERSION,
                "title": report.title,
                "language": report.language,
                "top_findings": list(report.top_findings),
                "facts": dict(report.facts),
                "sections": [s.heading for s in report.sections],
            },
        )
    return ReportFiles(out, out / "report.html", out / "report.md", tuple(fig_paths), tuple(table_paths))
