"""What an extraction returns: the event log, the object-centric view, and what was found on the way.

Stage: extract. ``Extraction`` flows from :func:`procopt.extract.run.extract` to the writers and the CLI.
Findings use the :class:`procopt.log.audit.Finding` type of ``procopt validate`` so both audits read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from procopt.log import columns as C
from procopt.log.audit import Finding

#: Bumped when the ``--json`` summary changes shape (docs/CONTRACTS.md, "procopt extract --json").
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True, eq=False)
class Extraction:
    """One extraction.

    Attributes:
        events: contract event table (one row per activity instance and case; complete times only).
        instances: one row per activity instance before flattening, with one column per object type
            (the OCEL 2.0 view: an instance can touch several orders, items, deliveries).
        object_types: object type -> readable name, in recipe order.
        recipe: recipe name; ``variant``: the ERP release detected (e.g. ``ecc``, ``s4hana``).
        source: the source as shown to the user (passwords masked).
        case_notion: the object type whose ids are the case ids.
        tables: table -> rows read.
        findings: extraction audit, errors first.
    """

    events: pd.DataFrame
    instances: pd.DataFrame
    object_types: dict[str, str]
    recipe: str
    variant: str | None
    variant_label: str | None
    source: str
    case_notion: str
    language: str
    tables: dict[str, int]
    findings: tuple[Finding, ...]

    def summary(self) -> dict[str, Any]:
        """The ``--json`` document (without the output path)."""
        ev = self.events
        counts = ev[C.ACTIVITY].value_counts()
        return {
            "schema_version": SCHEMA_VERSION,
            "recipe": self.recipe,
            "variant": self.variant,
            "variant_label": self.variant_label,
            "source": self.source,
            "case_notion": self.case_notion,
            "language": self.language,
            "tables": dict(sorted(self.tables.items())),
            "cases": int(ev[C.CASE].nunique()),
            "events": len(ev),
            "activity_instances": len(self.instances),
            "activities": {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))},
            "objects": {
                t: int(self.instances[t].nunique()) if t in self.instances.columns else 0 for t in self.object_types
            },
            "span": {
                "start": None if ev.empty else ev[C.END].min().isoformat(),
                "end": None if ev.empty else ev[C.END].max().isoformat(),
            },
            "timestamps": "complete only",
            "findings": [f.to_dict() for f in self.findings],
        }
