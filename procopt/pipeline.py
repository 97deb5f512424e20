"""The whole pipeline in one call: load → mine → calibrate → scenarios → experiment → report.

``run_all(log, options, progress)`` is what ``procopt report`` and ``procopt demo`` run. It never prints:
progress goes to the optional ``progress(step, total, message)`` callback and everything found comes back in
a ``PipelineResult``; writing the report folder is a separate step (``procopt.report.build.write_report``).
Like a production line: each station takes the previous one's output and adds its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procopt.errors import InputError, ProcoptError
from procopt.report.inputs import ReportInputs, ScenarioInfo
from procopt.report.run_summary import RunSettings, RunSummary, summarise_run
from procopt.report.types import Report
from procopt.sim import defaults

if TYPE_CHECKING:
    from procopt.fidelity.verdict import ValidatedModel
    from procopt.mine import MiningResult
    from procopt.mine.conformance import ConformanceResult
    from procopt.mine.kpi import KpiConflict, KpiValue
    from procopt.model.calibrate import CalibrationOptions
    from procopt.sim.experiment import ExperimentResult

#: ``progress(step, total, message)``: called before each stage starts.
StageProgress = Callable[[int, int, str], None]
#: ``sim_progress(done, total)``: replications finished (passed to run_experiment).
SimProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """What to run. ``scenarios`` are YAML paths; ``propose`` adds procopt's own options from the diagnostics."""

    kpis: Path | None = None
    scenarios: tuple[Path, ...] = ()
    blueprint: Path | None = None
    language: str = "en"
    mapping: Mapping[str, str] | None = None
    #: --sla / --delivery-activity: the same calibration choices as `procopt model` (None = detect)
    calibration: CalibrationOptions | None = None
    replications: int = defaults.REPLICATIONS
    days: float = defaults.DAYS
    warmup_days: float = defaults.WARMUP_DAYS
    seed: int = defaults.SEED
    propose: bool = True
    simulate: bool = True
    fidelity: bool = True
    #: simulated logs of the held-out check; a verdict (better/worse than naive) needs 10, fewer give none
    fidelity_runs: int = 10
    #: choose the calibration settings on a split inside the training period (``fidelity.select``)
    search: bool = True
    skip_unmatched_scenarios: bool = False  # demo: ignore shipped scenarios that name other logs' activities
    workers: int | None = None


@dataclass(frozen=True)
class PipelineResult:
    """Everything the pipeline produced: the report plus each stage's dict form and notes on skipped parts."""

    report: Report
    inputs: ReportInputs
    summary: RunSummary
    notes: tuple[str, ...] = ()
    skipped_scenarios: tuple[str, ...] = ()
    stages: Mapping[str, Any] = field(default_factory=dict)


STAGES = ("load", "mine", "kpis", "conformance", "calibrate", "fidelity", "simulate", "report")


def run_all(
    log: str | Path,
    options: PipelineOptions | None = None,
    progress: StageProgress | None = None,
    sim_progress: SimProgress | None = None,
    executor: Any = None,
    announce: Callable[[str], None] | None = None,
) -> PipelineResult:
    """Run every stage on ``log`` and build the report (not written). Raises ``ProcoptError`` for user errors.

    ``executor`` runs the replications (default: local processes, ``options.workers``); ``announce`` hears
    the expected simulation time before a long run.
    """
    from procopt.report import i18n
    from procopt.report.content import build_report

    opts = options or PipelineOptions()
    i18n.check_language(opts.language)
    say = _stepper(progress)
    notes: list[str] = []

    def t(key: str, **values: object) -> str:
        return i18n.text(opts.language, key, **values)

    say("load", t("stage_load", name=Path(log).name))
    from procopt.log.read import read_log
    from procopt.scenario import load_scenario

    given = [load_scenario(path) for path in opts.scenarios] if opts.simulate else []  # bad files fail fast

    event_log = read_log(log, mapping=dict(opts.mapping) if opts.mapping else None)
    events = event_log.events
    if events.empty:
        raise InputError(log, "no events left after reading the log", hint="run `procopt validate` to see why")

    say("mine", t("stage_mine"))
    from procopt.mine import MineOptions, mine

    mining_result = mine(events, MineOptions(discover_model=False))
    mining = mining_result.to_dict()  # the dict form, for --json only

    say("kpis", t("stage_kpis") if opts.kpis else t("stage_no_kpis"))
    from procopt.mine.kpi import kpis_to_dict

    kpi_values, kpi_conflicts = _kpis(events, opts.kpis) if opts.kpis else ((), ())
    kpis = kpis_to_dict(kpi_values, kpi_conflicts) if opts.kpis else None  # the dict form, for --json only

    say("conformance", t("stage_conformance") if opts.blueprint else t("stage_no_conformance"))
    conformance = _conformance(events, opts.blueprint) if opts.blueprint else None

    experiment: ExperimentResult | None = None
    checked: ValidatedModel | None = None
    scenario_infos: tuple[ScenarioInfo, ...] = ()
    skipped: list[str] = []
    from procopt.log.delivery import detect_delivery_activity

    wanted = opts.calibration.delivery_activity if opts.calibration else None
    if wanted is not None:
        _check_activity(log, events, wanted)  # before the long stages, also when nothing is simulated
    # the calibrated model's choice when there is a model; the same rule (or the user's choice) otherwise
    delivery = wanted or detect_delivery_activity(events)
    if opts.simulate:
        say("calibrate", t("stage_calibrate"))
        if opts.fidelity:  # the held-out check chooses the calibration, so it runs first
            say("fidelity", t("stage_fidelity", runs=opts.fidelity_runs))
        model, checked = _calibrate(events, opts, notes, sim_progress, executor)
        delivery = model.delivery_activity
        scenarios, scenario_infos, skipped = _scenarios(model, given, mining_result, kpi_values, opts)
        say("simulate", t("stage_simulate", n=len(scenarios), replications=opts.replications, days=f"{opts.days:g}"))
        from procopt.sim.experiment import RunConfig, case_p99_hours, run_experiment, run_out_days

        config = RunConfig(
            replications=opts.replications,
            days=opts.days,
            warmup_days=opts.warmup_days,
            seed=opts.seed,
            workers=opts.workers,
            drain_days=run_out_days(case_p99_hours(events)),
        )
        experiment = run_experiment(
            model, scenarios, config, progress=sim_progress, executor=executor, announce=announce
        )
    run = RunSettings(opts.replications, opts.days, opts.warmup_days, opts.seed)
    summary = summarise_run(
        source=Path(log).name,
        events=events,
        delivery_activity=delivery,
        value_stream=mining_result.value_stream,
        runs=experiment.runs if experiment is not None else (),
        run=run,
    )
    for name in skipped:
        notes.append(t("note_skipped", name=name))
    if opts.scenarios and not opts.simulate:
        notes.append(t("note_not_simulated", n=len(opts.scenarios)))

    say("report", t("stage_report"))
    inputs = ReportInputs(
        source=Path(log).name,
        events=events,
        language=opts.language,
        has_start=event_log.has_start,
        audit=event_log.audit,
        mining=mining_result,
        kpis=kpi_values,
        kpi_conflicts=kpi_conflicts,
        conformance=conformance,
        experiment=experiment,
        fidelity=checked.reports.get("matched") if checked is not None else None,
        validation=checked.validation if checked is not None else None,
        scenarios=scenario_infos,
        delivery_activity=delivery,
        run={"replications": opts.replications, "days": f"{opts.days:g}", "seed": opts.seed},
        summary=summary,
    )
    stages = {
        "audit": event_log.audit.to_dict(),
        "mining": mining,
        "kpis": kpis,
        "conformance": conformance.to_dict() if conformance is not None else None,
        "experiment": experiment.to_dict() if experiment is not None else None,
        "fidelity": fidelity_doc(checked) if checked is not None else None,
    }
    return PipelineResult(build_report(inputs), inputs, summary, tuple(notes), tuple(skipped), stages)


def _check_activity(log: str | Path, events: Any, wanted: str) -> None:
    from procopt.errors import did_you_mean
    from procopt.log.columns import ACTIVITY

    acts = sorted(map(str, events[ACTIVITY].unique()))
    if wanted not in acts:
        raise InputError(
            log,
            f"--delivery-activity: unknown activity {wanted!r}.{did_you_mean(wanted, acts)}",
            hint="Activities in the log: " + ", ".join(acts[:30]) + ".",
        )


def _stepper(progress: StageProgress | None) -> Callable[[str, str], None]:
    def say(stage: str, message: str) -> None:
        if progress is not None:
            progress(STAGES.index(stage) + 1, len(STAGES), message)

    return say


def _kpis(events: Any, path: Path) -> tuple[tuple[KpiValue, ...], tuple[KpiConflict, ...]]:
    from procopt.log.columns import ACTIVITY
    from procopt.mine.kpi import evaluate_kpis
    from procopt.mine.kpi_config import load_kpis

    config = load_kpis(path, activities=sorted(map(str, events[ACTIVITY].unique())))
    return evaluate_kpis(events, config)


def _conformance(events: Any, path: Path) -> ConformanceResult:
    from procopt.mine import conformance

    return conformance.check_conformance(events, path)


def _calibrate(
    events: Any, opts: PipelineOptions, notes: list[str], progress: SimProgress | None, executor: Any = None
) -> tuple[Any, ValidatedModel | None]:
    """The model, chosen and checked on a held-out period when ``opts.fidelity`` (see ``fidelity.verdict``).

    The check comes back as it ran (None when it was off); a log too short to hold out a test period has a
    validation without scorecards, and a note says why.
    """
    from procopt.model.calibrate import CalibrationOptions, calibrate

    options = opts.calibration or CalibrationOptions()
    if not opts.fidelity:
        return calibrate(events, options), None
    from procopt.fidelity.verdict import validate_and_fit
    from procopt.report import i18n
    from procopt.sim.executor import LocalExecutor

    checked = validate_and_fit(
        events,
        options,
        runs=opts.fidelity_runs,
        seed=opts.seed,
        search=opts.search,
        executor=executor or LocalExecutor(opts.workers),
        progress=progress,
    )
    if not checked.reports:  # e.g. a log too short to hold out a test period: say so in the report
        notes.append(i18n.text(opts.language, "note_fidelity", code="ModelError", message=checked.validation.reason))
    return checked.model, checked


def fidelity_doc(checked: ValidatedModel) -> dict[str, Any]:
    """The held-out check for ``--json``: the matched-reading scorecard (``procopt``, ``naive``, ...) with
    ``reading``, the protocol as published under ``published`` and the verdict under ``validation``; only
    ``validation`` when no scorecard could be made."""
    from procopt.model.io import validation_to_dict

    validation = validation_to_dict(checked.validation)
    if not checked.reports:
        return {"validation": validation}
    doc: dict[str, Any] = checked.reports["matched"].to_dict()
    doc["reading"] = "matched"
    doc["published"] = checked.reports["published"].to_dict()
    doc["validation"] = validation
    return doc


def _scenarios(
    model: Any, given: list[Any], mining: MiningResult, kpis: tuple[KpiValue, ...], opts: PipelineOptions
) -> tuple[list[Any], tuple[ScenarioInfo, ...], list[str]]:
    """The user's scenarios (checked against the model) plus procopt's proposals, without duplicates."""
    from procopt.scenario import apply_scenario
    from procopt.scenario.proposals import Findings, propose_scenarios

    scenarios: list[Any] = []
    infos: list[ScenarioInfo] = []
    skipped: list[str] = []
    for path, scenario in zip(opts.scenarios, given, strict=True):
        try:
            apply_scenario(model, scenario)
        except ProcoptError:
            if not opts.skip_unmatched_scenarios:
                raise
            skipped.append(Path(path).name)
            continue
        scenarios.append(scenario)
        infos.append(
            ScenarioInfo(
                scenario.name,
                "given",
                getattr(scenario, "description", "") or "",
                arrival_scale=arrival_scale(scenario),
            )
        )
    if opts.propose:
        for scenario, why in propose_scenarios(model, Findings.of(mining), kpis, opts.language, given=scenarios):
            if scenario.name in {s.name for s in scenarios}:
                continue
            try:
                apply_scenario(model, scenario)
            except ProcoptError:
                continue  # a proposal the model cannot express (e.g. unknown pool) is left out
            scenarios.append(scenario)
            infos.append(ScenarioInfo(scenario.name, "proposed", why, arrival_scale=arrival_scale(scenario)))
    return scenarios, tuple(infos), skipped


def arrival_scale(scenario: Any) -> float | None:
    """The combined arrival-rate factor of a scenario's ``arrivals`` changes, or None when it has none."""
    from procopt.scenario.changes import ScaleArrivals

    scales = [c.scale for c in getattr(scenario, "changes", ()) if isinstance(c, ScaleArrivals)]
    if not scales:
        return None
    out = 1.0
    for x in scales:
        out *= float(x)
    return out
