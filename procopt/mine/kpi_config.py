"""Stage 2 (mine): the KPI file — which KPIs a company tracks, who owns them, what the targets are.

``kpis.yaml`` (``version: 1``)::

    version: 1
    kpis:
      - name: Order lead time          # any label
        type: lead_time                # see KPI_TYPES
        owner: Sales                   # the department accountable for it
        target: {max: 72}              # {max: x} (lower is better) or {min: x} (higher is better)
        statistic: median              # lead_time / approval_cycle_time: mean | median | p90
        from: Create Sales Order       # lead_time: optional start and end activities
        to: Ship Goods
    conflicts: {min_weeks: 8, min_abs_r: 0.5}

Units: durations in hours, rates as fractions 0..1, throughput in cases (or activity instances) per
week. Every mistake is reported with its place (``kpis[2].type``) and a "did you mean" suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procopt.errors import InputError, did_you_mean

KPI_TYPES: dict[str, tuple[str, ...]] = {
    "lead_time": ("statistic", "from", "to"),
    "on_time_delivery": ("delivery_activity",),
    "first_pass_yield": (),
    "approval_cycle_time": ("statistic", "activities"),
    "throughput_per_week": ("activity",),
    "data_completeness": ("columns",),
}
COMMON_KEYS = ("name", "type", "owner", "target", "description")
STATISTICS = ("mean", "median", "p90")
COLUMN_ROLES = ("start", "resource", "department", "due")
UNITS = {
    "lead_time": "h",
    "on_time_delivery": "share",
    "first_pass_yield": "share",
    "approval_cycle_time": "h",
    "throughput_per_week": "per week",
    "data_completeness": "share",
}


@dataclass(frozen=True, slots=True)
class KpiSpec:
    """One KPI as configured; ``direction`` is +1 when higher is better (a ``min`` target), else -1."""

    name: str
    type: str
    owner: str | None
    target: float
    direction: int
    statistic: str = "median"
    start_activity: str | None = None
    end_activity: str | None = None
    activities: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        return UNITS[self.type]


@dataclass(frozen=True, slots=True)
class KpiConfig:
    """The parsed file: KPIs plus the conflict-detection settings."""

    kpis: tuple[KpiSpec, ...]
    min_weeks: int = 8
    min_abs_r: float = 0.5


def load_kpis(path: str | Path, activities: list[str] | None = None) -> KpiConfig:
    """Read and validate a KPI file; ``activities`` (the log's names) lets unknown activities be caught."""
    from procopt.config.yaml_io import read_yaml

    data = read_yaml(
        path,
        missing="KPI file not found",
        missing_hint="Pass --kpis path/to/kpis.yaml (see sample_logs/kpis.yaml).",
        syntax_hint="Check indentation and that every list item starts with '- '.",
    )
    return parse_kpis(data, Path(path), activities)


def _fail(path: Path, where: str, problem: str, hint: str) -> InputError:
    return InputError(path, problem, where=where, hint=hint)


def _check_keys(path: Path, where: str, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise _fail(
                path,
                f"{where}.{key}" if where else str(key),
                f"unknown key {key!r}.{did_you_mean(str(key), allowed)}",
                f"Allowed keys here: {', '.join(allowed)}.",
            )


def parse_kpis(data: Any, path: Path, activities: list[str] | None = None) -> KpiConfig:
    """Validate the loaded YAML document (see module docstring)."""
    if not isinstance(data, dict):
        raise _fail(
            path,
            "top level",
            "the file must be a mapping with 'version' and 'kpis'",
            "Start the file with 'version: 1' and 'kpis:'.",
        )
    _check_keys(path, "", data, ("version", "kpis", "conflicts"))
    if data.get("version") != 1:
        raise _fail(path, "version", f"unsupported version {data.get('version')!r}", "Write 'version: 1'.")
    items = data.get("kpis")
    if not isinstance(items, list) or not items:
        raise _fail(path, "kpis", "'kpis' must be a non-empty list", "List KPIs as '- name: ...' items under 'kpis:'.")
    specs = tuple(_parse_one(path, f"kpis[{i}]", item, activities) for i, item in enumerate(items))
    names = [s.name for s in specs]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise _fail(path, "kpis", f"KPI name {dup!r} is used twice", "Give every KPI its own name.")
    conflicts = data.get("conflicts") or {}
    if not isinstance(conflicts, dict):
        raise _fail(path, "conflicts", "'conflicts' must be a mapping", "Write e.g. conflicts: {min_weeks: 8}.")
    _check_keys(path, "conflicts", conflicts, ("min_weeks", "min_abs_r"))
    return KpiConfig(specs, int(conflicts.get("min_weeks", 8)), float(conflicts.get("min_abs_r", 0.5)))


def _parse_one(path: Path, where: str, item: Any, activities: list[str] | None) -> KpiSpec:
    if not isinstance(item, dict):
        raise _fail(
            path, where, "each KPI must be a mapping", "Write '- name: ...' then 'type: ...' on the next lines."
        )
    for key in ("name", "type", "target"):
        if key not in item:
            raise _fail(path, where, f"missing key {key!r}", "Every KPI needs name, type and target.")
    kind = str(item["type"])
    if kind not in KPI_TYPES:
        raise _fail(
            path,
            f"{where}.type",
            f"unknown KPI type {kind!r}.{did_you_mean(kind, tuple(KPI_TYPES))}",
            f"Known types: {', '.join(KPI_TYPES)}.",
        )
    _check_keys(path, where, item, COMMON_KEYS + KPI_TYPES[kind])
    target, direction = _target(path, f"{where}.target", item["target"])
    statistic = str(item.get("statistic", "median"))
    if statistic not in STATISTICS:
        raise _fail(
            path,
            f"{where}.statistic",
            f"unknown statistic {statistic!r}.{did_you_mean(statistic, STATISTICS)}",
            f"Use one of: {', '.join(STATISTICS)}.",
        )
    named = [(k, item[k]) for k in ("from", "to", "delivery_activity", "activity") if item.get(k) is not None]
    listed = item.get("activities") or []
    if not isinstance(listed, list):
        raise _fail(path, f"{where}.activities", "'activities' must be a list", "Write activities: [A, B].")
    for key, value in [*named, *(("activities", a) for a in listed)]:
        _check_activity(path, f"{where}.{key}", str(value), activities)
    columns = item.get("columns") or list(COLUMN_ROLES[:3])
    for col in columns:
        if col not in COLUMN_ROLES:
            raise _fail(
                path,
                f"{where}.columns",
                f"unknown column role {col!r}.{did_you_mean(str(col), COLUMN_ROLES)}",
                f"Roles: {', '.join(COLUMN_ROLES)}.",
            )
    end = item.get("to") or item.get("delivery_activity") or item.get("activity")
    return KpiSpec(
        name=str(item["name"]),
        type=kind,
        owner=None if item.get("owner") is None else str(item["owner"]),
        target=target,
        direction=direction,
        statistic=statistic,
        start_activity=item.get("from"),
        end_activity=None if end is None else str(end),
        activities=tuple(str(a) for a in listed),
        columns=tuple(columns),
    )


def _target(path: Path, where: str, value: Any) -> tuple[float, int]:
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("max", "min"):
        raise _fail(
            path,
            where,
            f"target must be {{max: number}} or {{min: number}}, got {value!r}",
            "Use max for lead times (lower is better), min for rates (higher is better).",
        )
    key, number = next(iter(value.items()))
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise _fail(path, f"{where}.{key}", f"target value must be a number, got {number!r}", "Write e.g. {max: 72}.")
    return float(number), (1 if key == "min" else -1)


def _check_activity(path: Path, where: str, name: str, activities: list[str] | None) -> None:
    if activities is not None and name not in activities:
        raise _fail(
            path,
            where,
            f"unknown activity {name!r}.{did_you_mean(name, activities)}",
            "Use an activity name exactly as it appears in the log (procopt mine lists them).",
        )
