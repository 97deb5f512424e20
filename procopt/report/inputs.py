"""What the report is built from: the event table plus each stage's result, as the typed result the pipeline has.

``MiningResult``, ``FidelityReport`` and ``Validation``, ``AuditReport``, ``KpiValue``/``KpiConflict``,
``ConformanceResult`` and ``ExperimentResult``; their dict forms are made once, by the pipeline, for
``--json``. Any stage may be absent (no ``--kpis``, no ``--blueprint``, no simulation) and its section then
says so; a report made without a mining result mines the events itself (the same stage, not a second
implementation). Derived views that several sections share (the main path's value stream, the top
bottleneck) are computed once here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from procopt.log.columns import ACTIVITY, CASE, END, START
from procopt.log.delivery import detect_delivery_activity
from procopt.report import derive
from procopt.report._fmt import hours, name, number
from procopt.report.i18n import text
from procopt.report.run_summary import RunSummary, summarise_run

if TYPE_CHECKING:
    from procopt.fidelity.evaluate import FidelityReport
    from procopt.log.audit import AuditReport
    from procopt.mine import MiningResult
    from procopt.mine.conformance import ConformanceResult
    from procopt.mine.kpi import KpiConflict, KpiValue
    from procopt.model.types import Validation
    from procopt.sim.experiment import ExperimentResult


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """A simulated option: its name, whether the user gave it or procopt proposed it, and why.

    ``arrival_scale`` is set when the scenario changes the arrivals (1.15 = 15 % more cases): such a scenario is
    a stress test of the process, not an action a manager can pilot, and the report ranks it separately.
    """

    name: str
    origin: str  # "given" | "proposed"
    description: str = ""
    arrival_scale: float | None = None

    @property
    def stress_test(self) -> bool:
        """True when the scenario changes the demand (arrivals) rather than the process."""
        return self.arrival_scale is not None


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report needs (None = the stage did not run).

    Every stage arrives as the typed result the pipeline has; the experiment's per-scenario summaries
    (``ExperimentResult.runs``) are the simulator's own dicts.
    """

    source: str
    events: pd.DataFrame
    language: str = "en"
    has_start: bool = True
    audit: AuditReport | None = None
    mining: MiningResult | None = None
    kpis: tuple[KpiValue, ...] = ()
    kpi_conflicts: tuple[KpiConflict, ...] = ()
    conformance: ConformanceResult | None = None
    experiment: ExperimentResult | None = None
    #: the held-out check: the scorecards in the matched reading the verdict uses, and the verdict itself
    #: (a verdict without scorecards when the log was too short to hold out a test period)
    fidelity: FidelityReport | None = None
    validation: Validation | None = None
    scenarios: tuple[ScenarioInfo, ...] = ()
    delivery_activity: str | None = None
    run: Mapping[str, Any] = field(default_factory=dict)  # replications, days, seed
    #: the headline numbers, computed once by the pipeline from the typed stage results (see run_summary.py)
    summary: RunSummary | None = None

    def t(self, key: str, **values: object) -> str:
        """Report text in this report's language."""
        return text(self.language, key, **values)

    @cached_property
    def facts(self) -> dict[str, Any]:
        """Size and span of the log."""
        ev = self.events
        first = ev[START].fillna(ev[END]).min() if len(ev) else None
        return {
            "rows": (self.audit.rows if self.audit is not None else 0) or len(ev),
            "events": len(ev),
            "cases": int(ev[CASE].nunique()),
            "activities": int(ev[ACTIVITY].nunique()),
            "start": str(first.date()) if first is not None and pd.notna(first) else "–",
            "end": str(ev[END].max().date()) if len(ev) and pd.notna(ev[END].max()) else "–",
        }

    @cached_property
    def mined(self) -> MiningResult:
        """The pipeline's mining result; mined here from the events only when the report is made without one."""
        if self.mining is not None:
            return self.mining
        from procopt.mine import MineOptions, mine

        return mine(self.events, MineOptions(discover_model=False))

    @cached_property
    def value_stream(self) -> dict[str, Any]:
        """The main path as steps {label, department, processing_h, waiting_h} plus totals."""
        vs = self.mined.value_stream
        steps: list[dict[str, Any]] = (
            []
            if vs is None
            else [
                {
                    "label": str(s.activity),
                    "department": name(s.department),
                    "processing_h": hours(s.processing_mean_s),
                    "waiting_h": hours(s.wait_mean_s),
                }
                for s in vs.steps.itertuples(index=False)
            ]
        )
        share = None
        # a path stitched from the map's busiest edges ("dfg"): no share of cases follows it exactly
        if vs is not None and vs.basis != "dfg" and vs.cases and self.facts["cases"]:
            share = vs.cases / self.facts["cases"]
        main = self.summary.main_path if self.summary is not None else None
        if main is not None:
            share = main.share
        proc = hours(vs.processing_mean_s) if vs is not None else None
        if proc is None and self.has_start:
            proc = sum(s["processing_h"] or 0.0 for s in steps)
        lead = hours(vs.lead_time_mean_s) if vs is not None else None
        if lead is None:
            lead = sum((s["processing_h"] or 0.0) + (s["waiting_h"] or 0.0) for s in steps)
        ratio = number(vs.value_added_ratio) if vs is not None else None
        if ratio is None and proc is not None and lead:
            ratio = proc / lead
        return {
            "steps": steps,
            "share": share,
            "lead_time_h": lead,
            "processing_h": proc,
            "va_ratio": ratio if self.has_start else None,
        }

    @cached_property
    def main_path(self) -> tuple[str, ...]:
        """Activity names of the main path."""
        return tuple(s["label"] for s in self.value_stream["steps"])

    @cached_property
    def top_bottleneck(self) -> str | None:
        """The activity ranked first among the bottlenecks (None when none was found)."""
        found = self.mined.bottlenecks
        return found[0].activity if found else None

    @cached_property
    def delivery(self) -> str | None:
        """The delivery activity: as given (from the model), else detected by name."""
        if self.summary is not None:
            return self.summary.delivery_activity
        return self.delivery_activity or detect_delivery_activity(self.events)

    @cached_property
    def cases_table(self) -> pd.DataFrame:
        """One row per case: lead time and on-time flag (see ``derive.case_table``)."""
        return derive.case_table(self.events, self.delivery)

    @cached_property
    def run_summary(self) -> RunSummary:
        """The pipeline's summary; built here from the events only when the report is made without one."""
        if self.summary is not None:
            return self.summary
        return summarise_run(
            source=self.source,
            events=self.events,
            delivery_activity=self.delivery,
            runs=self.experiment.runs if self.experiment is not None else (),
        )

    @cached_property
    def delivered(self) -> dict[str, Any]:
        """Over the cases that reached the delivery activity: count, mean lead time (h), on-time rate."""
        observed = self.run_summary.observed
        return {
            "cases": observed.cases,
            "lead_time_mean_h": observed.mean_h,
            "on_time_rate": observed.on_time_rate,
            "activity": self.run_summary.delivery_activity,
        }

    @cached_property
    def segments(self) -> list[derive.Segment]:
        """Pilot segments, worst first."""
        return derive.compare_segments(self.events, self.delivery)
