"""The generator's public types: what to change in the true process, what is true, what was written.

Stage: generate. ``Intervention`` is a change run on the *true* process (e.g. remove the director's
approval, one more credit analyst); ``GroundTruth`` is the answer key of a generated log (the injected
bottleneck, the redundant approval, the batches, the true KPIs); ``GeneratedLog`` bundles the raw ERP
export, the same data as a contract event table, and the truth.
"""

from __future__ import annotations

import datetime
import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from procopt._io import atomic_write_bytes, dumps_json, write_json
from procopt.errors import InputError


@dataclass(frozen=True, slots=True)
class Intervention:
    """A change to the true process, run with the same seed (common random numbers).

    Args:
        remove_activities: activities skipped entirely (names in English or Chinese).
        extra_capacity: pool name -> extra people (e.g. ``{"Credit Analysts": 1}``); an activity name
            stands for the pool doing it (``{"Check Credit": 1}``).
        arrival_scale: factor on the arrival rate (1.15 = 15 % more orders; the baseline's cases are
            a subset of the scaled run's cases).
        duration_scale: activity -> factor on its working time.
    """

    remove_activities: tuple[str, ...] = ()
    extra_capacity: Mapping[str, int] = field(default_factory=dict)
    arrival_scale: float = 1.0
    duration_scale: Mapping[str, float] = field(default_factory=dict)

    def is_baseline(self) -> bool:
        """True when nothing changes."""
        return (
            not self.remove_activities
            and not any(self.extra_capacity.values())
            and self.arrival_scale == 1.0
            and all(v == 1.0 for v in self.duration_scale.values())
        )


@dataclass(frozen=True, slots=True)
class Switch:
    """The true process changes on a date: cases arriving from ``at`` on run with ``intervention``.

    With ``segment`` (a condition on case attributes such as ``product == 'B'``) only the matching cases
    change, as in a pilot; without it the whole company does (a past change, or a drift). Removed
    activities and duration factors follow the case (decided at its arrival); extra people join their
    pool and a new arrival rate starts at midnight of ``at``, so both are company-wide only.

    Example:
        >>> Switch(datetime.date(2025, 5, 6), Intervention(remove_activities=("Check Credit",)), "product == 'B'")
        Switch(at=datetime.date(2025, 5, 6), ...)  # doctest: +SKIP
    """

    at: datetime.date
    intervention: Intervention
    segment: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the truth file."""
        iv = self.intervention
        return {
            "at": self.at.isoformat(),
            "segment": self.segment,
            "remove_activities": list(iv.remove_activities),
            "extra_capacity": dict(sorted(iv.extra_capacity.items())),
            "arrival_scale": iv.arrival_scale,
            "duration_scale": dict(sorted(iv.duration_scale.items())),
        }


@dataclass(frozen=True, slots=True)
class PoolTruth:
    """One resource pool of the true process."""

    size: int
    calendar: str
    department: str
    activities: tuple[str, ...]
    resources: tuple[str, ...]
    utilisation: float


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """The answer key of a generated log, in the log's language. Serialisable with ``to_dict``.

    KPIs cover the cases that started after the warm-up and finished before the end of the log:
    lead time = first event start -> completion of the delivery activity (last event if none);
    delivery rate = share of those cases whose delivery activity completes by the due date.
    """

    kind: str
    language: str
    seed: int
    days: int
    start_date: str
    warmup_days: int
    intervention: dict[str, Any]
    bottleneck_activity: str
    bottleneck_pool: str
    redundant_approval: str
    necessary_approvals: tuple[str, ...]
    threshold_approval: str
    threshold_value: float
    batch_activities: dict[str, tuple[str, ...]]
    delivery_activity: str
    handoff_slowest: tuple[str, str]
    rework_activities: tuple[str, ...]
    pools: dict[str, PoolTruth]
    lead_time_mean_h: float
    delivery_rate: float
    cases_measured: int
    cycle_time_mean_h: float
    measured: dict[str, Any]
    holidays: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: changes of the true process at a date (``Switch.to_dict``), empty for a run without one
    switches: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (``switches`` only when the run has any, so old files keep their bytes)."""
        out: dict[str, Any] = json.loads(dumps_json(self))
        if not out.get("switches"):
            out.pop("switches", None)
        return out

    def write(self, path: str | Path) -> Path:
        """Write the truth as stable JSON, atomically."""
        return write_json(path, self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroundTruth:
        """Rebuild a truth read back from JSON."""
        values = dict(data)
        values["pools"] = {
            k: PoolTruth(**{**v, "activities": tuple(v["activities"]), "resources": tuple(v["resources"])})
            for k, v in values["pools"].items()
        }
        values["batch_activities"] = {k: tuple(v) for k, v in values["batch_activities"].items()}
        for name in ("necessary_approvals", "rework_activities", "handoff_slowest", "holidays", "notes", "switches"):
            values[name] = tuple(values.get(name, ()))
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


def load_truth(path: str | Path) -> GroundTruth:
    """Read a ``*.truth.json`` file written by ``procopt generate``."""
    path = Path(path)
    try:
        return GroundTruth.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            path, f"not a procopt truth file ({exc})", hint="Write one with `procopt generate ... --truth FILE.json`."
        ) from exc


@dataclass(frozen=True, slots=True)
class GeneratedLog:
    """A generated ERP export: ``raw`` as written to file, ``events`` as a contract table, and ``truth``."""

    raw: pd.DataFrame
    events: pd.DataFrame
    truth: GroundTruth
    encoding: str = "utf-8"

    def to_csv_bytes(self) -> bytes:
        """The file content: CSV in the log's encoding (GB18030 for Chinese logs)."""
        return str(self.raw.to_csv(index=False, lineterminator="\n")).encode(self.encoding)

    def write(self, path: str | Path) -> Path:
        """Write the log atomically: ``.csv`` or ``.csv.gz`` (gzip without a time stamp, so bytes repeat)."""
        path = Path(path)
        name = path.name.lower()
        if name.endswith(".csv.gz"):
            data = gzip.compress(self.to_csv_bytes(), compresslevel=9, mtime=0)
        elif name.endswith(".csv"):
            data = self.to_csv_bytes()
        else:
            raise InputError(path, "unsupported output format", hint="Name the output file *.csv or *.csv.gz.")
        return atomic_write_bytes(path, data)
