"""The extraction audit: what the tables say about the log before anyone trusts it.

Stage: extract. Findings use :class:`procopt.log.audit.Finding`, the type ``procopt validate`` reports,
so the two audits read alike and the JSON shape is the same. Recipe checks are SQL queries (documents
without a link, links to missing documents, change documents without a user, duplicate flow rows);
the rest is computed here from the extracted instances and cases.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from procopt.extract.engine import Engine
from procopt.extract.recipe import Recipe
from procopt.log import columns as C
from procopt.log.audit import MAX_EXAMPLES, Finding


def instance_findings(instances: pd.DataFrame, date_only: Mapping[int, str]) -> list[Finding]:
    """Instances without a time (dropped) and times that come from a date alone."""
    found: list[Finding] = []
    no_time = instances["time"].isna()
    if no_time.any():
        by_step = instances.loc[no_time, "activity"].value_counts()
        found.append(
            Finding(
                "missing_timestamps",
                "warning",
                int(no_time.sum()),
                f"{int(no_time.sum())} document(s) have no date or time (empty or 00000000) and were left out; "
                "check the export of their date fields.",
                tuple(f"{a}: {n}" for a, n in by_step.head(MAX_EXAMPLES).items()),
            )
        )
    for step_no, name in date_only.items():
        n = int(((instances["step_no"] == step_no) & instances["time"].notna()).sum())
        if n:
            found.append(
                Finding(
                    "date_only_times",
                    "info",
                    n,
                    f"Step {name!r} has a date but no time of day: its {n} instance(s) carry the day only, so "
                    "waiting and lead times shorter than a day are not measured from them.",
                )
            )
    return found


def run_checks(
    engine: Engine, spec: Recipe, variant: str | None, events: pd.DataFrame, finals: set[str]
) -> list[Finding]:
    """The recipe's SQL checks plus cases that never reach a final activity."""
    found: list[Finding] = []
    for check in spec.checks:
        if check.variant and variant not in check.variant:
            continue
        if not all(engine.has(t) and set(c) <= set(engine.columns(t)) for t, c in check.needs.items()):
            continue
        try:
            rows = engine.query(check.sql)
        except duckdb.Error:
            continue  # a check that cannot run on this export is not a finding about the data
        if rows.empty:
            continue
        examples = tuple(str(v) for v in rows.iloc[:MAX_EXAMPLES, 0])
        found.append(Finding(check.code, check.severity, len(rows), check.message.format(n=len(rows)), examples))
    if finals and not events.empty:
        reached = events[C.ACTIVITY].isin(finals).groupby(events[C.CASE]).any()
        never = reached[~reached]
        if len(never):
            found.append(
                Finding(
                    "cases_without_final_activity",
                    "info" if len(never) < 0.5 * len(reached) else "warning",
                    len(never),
                    f"{len(never)} of {len(reached)} case(s) never reach {' or '.join(sorted(finals))}: still open at "
                    "extraction, or their documents are missing from the export.",
                    tuple(str(c) for c in never.index[:MAX_EXAMPLES]),
                )
            )
    return found
