"""``procopt pilot plan`` and ``procopt pilot evaluate``: from a prediction to a pilot and back."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json
from procopt.cli.options import json_option, map_option, replications_option, seed_option
from procopt.errors import InputError


def _read(log: str, map_: str | None) -> Any:
    from procopt.log.mapping import parse_map_option
    from procopt.log.read import read_log

    bar = ProgressCallback("Reading log")
    try:
        return read_log(log, mapping=parse_map_option(map_, path=log) or None, progress=bar)
    finally:
        bar.close()


def _scenario(path: str) -> tuple[Any, dict[str, Any]]:
    """The scenario (checked) and its plain data, to embed in the record."""
    from procopt.config.yaml_io import read_yaml
    from procopt.scenario.load import load_scenario

    scenario = load_scenario(path)  # checks the file; the plain data below is embedded as written
    raw = read_yaml(path)
    data: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
    data.setdefault("name", scenario.name)
    return scenario, data


def _pages_dir(out: Path, suffix: str) -> Path:
    return out.with_name(f"{out.stem}_{suffix}")


def _kpi_metrics(kpis: str, events: Any, seg: Any, ctrl: Any, cases: Any) -> list[Any]:
    """The KPI file's KPIs as record metrics, with their current value in the segment and the control group."""
    from procopt.log import columns as C
    from procopt.mine.kpi import evaluate_kpis
    from procopt.mine.kpi_config import load_kpis
    from procopt.pilot.record import Metric

    config = load_kpis(kpis, sorted(events[C.ACTIVITY].unique()))
    seg_values, _ = evaluate_kpis(events[events[C.CASE].isin(cases.index[seg])], config)
    ctrl_values, _ = evaluate_kpis(events[events[C.CASE].isin(cases.index[ctrl])], config)
    out = []
    for s, c in zip(seg_values, ctrl_values, strict=True):
        out.append(
            Metric(name=s.name, unit=s.unit, source=Path(kpis).name, current_segment=s.value, current_control=c.value)
        )
    return out


@click.group("pilot")
def command() -> None:
    """Plan a pilot of a fix in one segment, then evaluate it against a control group and its prediction."""


@command.command("plan")
@click.argument("log", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--scenario",
    "scenario_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The fix, as a scenario YAML.",
)
@click.option("--segment", required=True, metavar="CONDITION", help="Where to pilot, e.g. \"product == 'B'\".")
@click.option("--control", default=None, metavar="CONDITION", help="The control group (default: every other case).")
@click.option("--weeks", type=click.IntRange(1, 52), default=2, show_default=True, help="Length of the pilot.")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="First day of the pilot (default: the Monday after the log).",
)
@click.option(
    "--kpis",
    default=None,
    type=click.Path(dir_okay=False, path_type=str),
    help="KPI file: its KPIs become pilot metrics too.",
)
@replications_option(10, minimum=2, help_text="Simulated replications for the prediction.")
@click.option(
    "--fidelity-runs",
    type=click.IntRange(0, 50),
    default=10,
    show_default=True,
    help="Simulated logs of the held-out check whose verdict decides whether the prediction is a target "
    "(a verdict needs 10; 0 skips the check and the prediction is an estimate only).",
)
@map_option
@seed_option
@click.option(
    "--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Pilot record to write (YAML)."
)
@json_option
def plan_command(
    log: str,
    scenario_path: str,
    segment: str,
    control: str | None,
    weeks: int,
    start: datetime.datetime | None,
    kpis: str | None,
    replications: int,
    fidelity_runs: int,
    map_: str | None,
    seed: int,
    out: Path,
    as_json: bool,
) -> None:
    """Plan a pilot of the fix in --scenario for the --segment of LOG and write the pilot record to --out.

    \b
    Example:
      procopt pilot plan sample_logs/o2c_orders.csv --scenario scenarios/remove_director_approval.yaml \\
          --segment "product == 'B'" --weeks 2 --out pilot.yaml

    Also writes a one-page plan (HTML and Markdown, English and Chinese) into <out>_plan/.
    """
    from procopt.cli.pilot_page import plan_report, write_pages
    from procopt.fidelity.verdict import validate_and_fit
    from procopt.mine import mine
    from procopt.model.calibrate import calibrate
    from procopt.pilot.cases import Segment, case_table
    from procopt.pilot.plan import PlanOptions, check_scenario, check_window_cases, groups, plan_pilot
    from procopt.pilot.record import save_record

    if not out.name.endswith((".yaml", ".yml")):
        raise InputError(out, "--out must end in .yaml", hint="e.g. --out pilot.yaml")
    elog = _read(log, map_)
    events = elog.events
    scenario, data = _scenario(scenario_path)
    if fidelity_runs:
        # the held-out check chooses the calibration and gives the verdict that decides whether the prediction
        # may be the pilot's target (the same check as `procopt model` and `procopt report`)
        click.echo(f"Calibrating the model and checking it on held-out data ({fidelity_runs} runs) ...", err=True)
        model = validate_and_fit(events, runs=fidelity_runs, seed=seed).model
    else:
        click.echo("Calibrating the model ...", err=True)
        model = calibrate(events)
    check_scenario(model, scenario, Path(log).name)
    cases = case_table(events, model.delivery_activity)
    seg, ctrl = groups(cases, Segment(segment), Segment(control) if control else None, log)
    check_window_cases(cases, seg, ctrl, weeks, Path(log).name)
    mining = mine(events).to_dict()
    metrics = _kpi_metrics(kpis, events, seg, ctrl, cases) if kpis else []
    click.echo(f"Simulating the segment with and without the fix ({replications} replications) ...", err=True)
    options = PlanOptions(
        segment=segment,
        weeks=weeks,
        start=start.date() if start else None,
        control=control,
        replications=replications,
        seed=seed,
        fidelity_runs=fidelity_runs,
    )
    record = plan_pilot(
        events,
        log_name=Path(log).name,
        scenario=scenario,
        scenario_data=data,
        model=model,
        options=options,
        mining=mining,
        kpi_metrics=metrics,
    )
    save_record(record, out)
    pages = write_pages(lambda lang: plan_report(record, lang), _pages_dir(out, "plan"))
    if as_json:
        emit_json(
            {
                "predicted_effect": record.predicted_effect.model_dump(mode="json"),
                "power": record.power.model_dump(mode="json"),
                "trust": record.trust.model_dump(mode="json"),
                "thresholds": record.thresholds.model_dump(mode="json"),
                "spillover": list(record.spillover),
                "window": {"start": record.window.start.isoformat(), "weeks": record.window.weeks},
                "out": str(out),
                "pages": pages,
            },
            "pilot",
        )
        return
    click.echo(_plan_summary(record, out, pages))


def _plan_summary(record: Any, out: Path, pages: dict[str, str]) -> str:
    from procopt.pilot.register import effect_text

    p = record.predicted_effect
    lines = [
        f"Pilot record written to {out}",
        f"  problem:  {record.problem.finding}",
        f"  fix:      {record.fix.name}",
        f"  segment:  {record.groups.segment} (~{record.groups.segment_cases_per_week:.0f} cases/week); "
        f"control: {record.groups.control or 'every other case'} (~{record.groups.control_cases_per_week:.0f}/week)",
        f"  window:   {record.window.weeks} week(s) from {record.window.start} to {record.window.end}",
        f"  predicted for the segment (difference-in-differences, 95% CI): lead time {effect_text(p.lead_time_hours)} h, "
        f"delivery rate {effect_text(p.delivery_rate, pct=True)}",
        ("  TARGET: " if record.trust.prediction_is_target else "  ESTIMATE ONLY, not a target: ")
        + record.trust.reason,
        f"  success:  lead time change <= {record.thresholds.lead_time_hours.max:+.1f} h and delivery rate change "
        f">= {100 * (record.thresholds.delivery_rate.min or 0):+.1f} pt",
        f"  power:    {record.power.note}",
    ]
    lines += [f"  SPILLOVER: {w}" for w in record.spillover]
    lines += [f"  note: {n}" for n in record.notes if not n.startswith("The prediction is an estimate")]
    lines.append(f"One-page plan: {pages['en']} (中文: {pages['zh']})")
    return "\n".join(lines)


@command.command("evaluate")
@click.argument("record_path", metavar="RECORD", type=click.Path(dir_okay=False, path_type=str))
@click.argument("log", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Updated pilot record to write (the input record is never changed).",
)
@map_option
@seed_option
@json_option
def evaluate_command(record_path: str, log: str, out: Path, map_: str | None, seed: int, as_json: bool) -> None:
    """Evaluate the pilot in RECORD with LOG (the weeks before and during the pilot).

    \b
    Example:
      procopt pilot evaluate pilot.yaml orders_after_pilot.csv --out pilot_done.yaml --json

    Writes the updated record to --out and a one-page pilot report (with a before/after chart) into <out>_report/.
    """
    from procopt.cli.pilot_page import evaluation_report, write_pages
    from procopt.pilot.evaluate import evaluate_pilot
    from procopt.pilot.record import load_record, save_record

    if not out.name.endswith((".yaml", ".yml")):
        raise InputError(out, "--out must end in .yaml", hint="e.g. --out pilot_done.yaml")
    if out.resolve() == Path(record_path).resolve():
        raise InputError(
            out,
            "--out is the input record; the input is never overwritten",
            hint="Write to a new file, e.g. pilot_done.yaml.",
        )
    record = load_record(record_path)
    elog = _read(log, map_)
    result = evaluate_pilot(record, elog.events, log_name=Path(log).name, seed=seed)
    save_record(result.record, out)
    pages = write_pages(lambda lang: evaluation_report(result.record, result.weekly, lang), _pages_dir(out, "report"))
    if as_json:
        emit_json({**result.to_dict(), "out": str(out), "pages": pages}, "pilot")
        return
    click.echo(_evaluation_summary(result, out, pages))


def _evaluation_summary(result: Any, out: Path, pages: dict[str, str]) -> str:
    from procopt.pilot.register import effect_text

    record = result.record
    ev = record.evaluation
    lines = [
        f"Pilot {record.fix.name} in {record.groups.segment}, {record.window.start} to {record.window.end}",
        "  cases: " + ", ".join(f"{k} {v}" for k, v in ev.cases.items()),
        f"  lead time change:     observed {effect_text(ev.observed_effect.lead_time_hours)} h, predicted "
        f"{effect_text(record.predicted_effect.lead_time_hours)} h -> {ev.vs_prediction.get('lead_time_hours')}",
        f"  delivery rate change: observed {effect_text(ev.observed_effect.delivery_rate, pct=True)}, predicted "
        f"{effect_text(record.predicted_effect.delivery_rate, pct=True)} -> {ev.vs_prediction.get('delivery_rate')}",
        f"  parallel before the pilot: {ev.parallel_pre_trends}",
        f"  fix applied: {ev.fix_applied}",
    ]
    lines += [f"    {c['status']:<14} {c['change']} {c['target']}: {c['detail']}" for c in ev.fix_checks]
    lines.append(f"Decision: {ev.decision.upper()}: {ev.reason}")
    lines += [f"  note: {n}" for n in ev.notes]
    lines.append(f"Updated record: {out}; pilot report: {pages['en']} (中文: {pages['zh']})")
    return "\n".join(lines)
