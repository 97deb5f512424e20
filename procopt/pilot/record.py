"""The pilot record: one YAML file per pilot, problem -> cause -> fix -> predicted -> observed -> decision.

Stage: pilot. ``pilot plan`` writes it, ``pilot evaluate`` writes an updated copy with the observed effect,
``register`` reads a folder of them. The file is versioned (``version: 1``) and validated with pydantic
models, so a bad key is reported with its path (``window.weeks: Input should be greater than 0``). A record
written by a newer procopt is refused with the version it needs instead of being half-read.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from procopt._io import atomic_write_text, to_jsonable
from procopt.config.yaml_io import read_yaml
from procopt.errors import InputError

RECORD_VERSION = 1
Comparison = Literal["inside", "better", "worse"]
Decision = Literal["roll_out", "extend", "stop"]
Verdict = Literal["better", "worse", "not_validated"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Effect(_Strict):
    """A change with its 95 % interval: ``value`` and ``ci95`` = ``[low, high]`` (or null)."""

    value: float | None
    ci95: tuple[float, float] | None = None


class EffectPair(_Strict):
    """The two headline metrics: mean lead time per case (hours) and delivery rate (a fraction)."""

    lead_time_hours: Effect
    delivery_rate: Effect


class Problem(_Strict):
    """The finding the pilot addresses, with its numbers."""

    finding: str
    numbers: dict[str, float | int | None] = Field(default_factory=dict)


class Cause(_Strict):
    """Evidence from ``procopt mine``: the diagnostics that point at the fix."""

    evidence: list[str] = Field(default_factory=list)


class Fix(_Strict):
    """The scenario, embedded as written (so the record stands on its own)."""

    name: str
    scenario: dict[str, Any]


class Window(_Strict):
    """Start date and length; the pilot runs from ``start`` for ``weeks`` weeks."""

    start: datetime.date
    weeks: int = Field(gt=0, le=52)

    @property
    def end(self) -> datetime.date:
        """The first day after the pilot."""
        return self.start + datetime.timedelta(weeks=self.weeks)


class Groups(_Strict):
    """Who gets the fix (``segment``) and who is compared with (``control``; null = every other case)."""

    segment: str
    control: str | None = None
    segment_cases_per_week: float | None = None
    control_cases_per_week: float | None = None


class Metric(_Strict):
    """One measured metric; ``source`` is procopt's own definition or the KPI file it came from."""

    name: str
    unit: str
    source: str = "procopt"
    current_segment: float | None = None
    current_control: float | None = None


class Threshold(_Strict):
    """Success means the observed difference-in-differences is at most ``max`` / at least ``min``."""

    max: float | None = None
    min: float | None = None


class Thresholds(_Strict):
    lead_time_hours: Threshold
    delivery_rate: Threshold


class Power(_Strict):
    """The smallest effect the window can detect (80 % power, 5 % two-sided) and a length that can."""

    minimum_detectable: dict[str, float | None]
    detectable: bool
    proposed_weeks: int | None = None
    note: str = ""


class Trust(_Strict):
    """Whether the model validated on held-out data; only a validated model's prediction is a target."""

    verdict: Verdict
    reason: str
    prediction_is_target: bool


class Evaluation(_Strict):
    """What ``pilot evaluate`` found in the pilot's log."""

    log: str
    evaluated_at: datetime.date
    observed_effect: EffectPair
    vs_prediction: dict[str, Comparison | None]
    fix_applied: bool | None
    fix_checks: list[dict[str, Any]] = Field(default_factory=list)
    parallel_pre_trends: bool | None = None
    decision: Decision
    reason: str
    cases: dict[str, int] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class PilotRecord(_Strict):
    """A whole pilot record (``version: 1``)."""

    version: int = RECORD_VERSION
    kind: Literal["procopt_pilot"] = "procopt_pilot"
    title: str
    created_at: datetime.date
    log: str
    delivery_activity: str | None = None
    problem: Problem
    cause: Cause
    fix: Fix
    groups: Groups
    window: Window
    metrics: list[Metric]
    thresholds: Thresholds
    predicted_effect: EffectPair
    power: Power
    trust: Trust
    spillover: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    evaluation: Evaluation | None = None

    def to_data(self) -> dict[str, Any]:
        """Plain YAML/JSON-ready data (dates as ISO text)."""
        data: dict[str, Any] = to_jsonable(self.model_dump(mode="python"))
        return data


def record_yaml(record: PilotRecord) -> str:
    """The record as YAML text, keys in the order of the model (problem before cause before fix ...)."""
    return str(yaml.safe_dump(record.to_data(), sort_keys=False, allow_unicode=True, width=110))


def save_record(record: PilotRecord, path: str | Path) -> Path:
    """Write the record atomically."""
    return atomic_write_text(path, record_yaml(record))


def load_record(path: str | Path) -> PilotRecord:
    """Read and validate a pilot record; bad files raise ``InputError`` naming the key."""
    path = Path(path)
    data = read_yaml(
        path,
        missing_hint="Write a record with `procopt pilot plan ... --out FILE`.",
        syntax_hint="Fix the YAML syntax, or write the record again with `procopt pilot plan`.",
    )
    return record_from_data(data, path)


def record_from_data(data: Any, path: str | Path | None = None) -> PilotRecord:
    """Validate plain data as a record (the version is checked first)."""
    if not isinstance(data, dict) or data.get("kind") != "procopt_pilot":
        raise InputError(
            path, "not a procopt pilot record (no 'kind: procopt_pilot')", hint="Write one with `procopt pilot plan`."
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputError(path, f"version must be a whole number, got {version!r}", where="version")
    if version > RECORD_VERSION:
        raise InputError(
            path,
            f"the record has version {version}; this procopt reads versions up to {RECORD_VERSION}",
            where="version",
            hint="Upgrade procopt (pip install -U procopt) to read it.",
        )
    try:
        return PilotRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise InputError(
            path, f"{first['msg']}{more}", where=where, hint="Compare with a record written by `procopt pilot plan`."
        ) from None
