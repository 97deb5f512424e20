"""The improvement register: every pilot record of a folder as one row (problem, cause, fix, effect, decision).

Stage: pilot. ``load_records`` reads a folder (other YAML files such as scenarios are skipped, a broken or newer
pilot record is an error); ``register_rows`` flattens the records into plain rows. The CLI renders them as
HTML, Markdown and CSV with ``procopt.report``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from procopt.errors import InputError
from procopt.pilot.record import Effect, PilotRecord, load_record


def load_records(folder: Path) -> tuple[list[tuple[str, PilotRecord]], list[str]]:
    """``(records by file name, names of YAML files that are not pilot records)``, sorted by file name."""
    if not folder.is_dir():
        raise InputError(folder, "not a folder", hint="Give the folder that holds the pilot records (*.yaml).")
    records: list[tuple[str, PilotRecord]] = []
    skipped: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml")):
        try:
            records.append((path.name, load_record(path)))
        except InputError as exc:
            if "not a procopt pilot record" not in exc.message:
                raise  # a broken or newer pilot record is an error, not something to skip silently
            skipped.append(path.name)
    if not records:
        raise InputError(
            folder, "holds no pilot records", hint="Write one with `procopt pilot plan ... --out FOLDER/x.yaml`."
        )
    return records, skipped


def signed_number(value: float | None, digits: int = 1, pct: bool = False) -> str:
    if value is None:
        return "—"
    return f"{100 * value:+.{digits}f} pt" if pct else f"{value:+.{digits}f}"


def effect_text(effect: Effect | None, pct: bool = False) -> str:
    """``-12.3 (-18.0 to -6.1)``; delivery rates in percentage points."""
    if effect is None or effect.value is None:
        return "—"
    text = signed_number(effect.value, pct=pct)
    if effect.ci95 is not None:
        text += f" ({signed_number(effect.ci95[0], pct=pct)} … {signed_number(effect.ci95[1], pct=pct)})"
    return text


def register_rows(records: Sequence[tuple[str, PilotRecord]]) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """Columns (English keys, also the CSV header) and one row per record."""
    columns = (
        "file", "title", "problem", "cause", "fix", "segment", "window_start", "window_weeks",
        "predicted_lead_time_h", "predicted_delivery_rate", "observed_lead_time_h", "observed_delivery_rate",
        "fix_applied", "decision", "reason", "planned", "evaluated",
    )  # fmt: skip
    rows = []
    for name, r in records:
        ev = r.evaluation
        rows.append(
            (
                name,
                r.title,
                r.problem.finding,
                r.cause.evidence[0] if r.cause.evidence else "",
                r.fix.name,
                r.groups.segment,
                r.window.start.isoformat(),
                r.window.weeks,
                effect_text(r.predicted_effect.lead_time_hours),
                effect_text(r.predicted_effect.delivery_rate, pct=True),
                effect_text(ev.observed_effect.lead_time_hours) if ev else "",
                effect_text(ev.observed_effect.delivery_rate, pct=True) if ev else "",
                "" if ev is None or ev.fix_applied is None else str(ev.fix_applied).lower(),
                ev.decision if ev else "planned",
                ev.reason if ev else r.power.note,
                r.created_at.isoformat(),
                ev.evaluated_at.isoformat() if ev else "",
            )
        )
    return columns, rows
