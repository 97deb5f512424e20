"""``procopt model LOG --out model.yaml``: calibrate a simulation model and check its fidelity."""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json
from procopt.cli.executor_options import ExecutorChoice, executor_options
from procopt.cli.options import (
    calibration_from,
    calibration_options,
    json_option,
    map_option,
    recent_option,
    seed_option,
)


@click.command("model")
@click.argument("log", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="Where to write the model YAML.",
)
@map_option
@calibration_options
@click.option(
    "--train-fraction",
    type=click.FloatRange(0.1, 0.95),
    default=0.8,
    show_default=True,
    help="Share of events used for training in the hold-out fidelity check.",
)
@click.option(
    "--fidelity/--no-fidelity",
    default=True,
    show_default=True,
    help="Score the model on held-out data beside a naive baseline.",
)
@click.option(
    "--runs",
    type=click.IntRange(1, 100),
    default=10,
    show_default=True,
    help="Simulated logs per model in the fidelity check (a verdict needs 10, as the published protocol).",
)
@click.option(
    "--search/--no-search",
    default=True,
    show_default=True,
    help="Choose the calibration settings on a time split inside the training period.",
)
@click.option("--naive", is_flag=True, help="Calibrate the naive model (durations and routing only).")
@recent_option
@seed_option
@executor_options
@json_option
def command(
    log: str,
    out: str,
    map_: str | None,
    sla: str | None,
    delivery_activity: str | None,
    train_fraction: float,
    fidelity: bool,
    runs: int,
    search: bool,
    naive: bool,
    recent: float | None,
    seed: int,
    run_on: ExecutorChoice,
    as_json: bool,
) -> None:
    """Learn a simulation model from LOG and write it to --out as readable YAML.

    \b
    Example:
      procopt model sample_logs/o2c_orders.csv --out model.yaml
      procopt model export.csv --out m.yaml --sla 72h --delivery-activity "Ship Goods" --json

    The model holds arrivals by weekday and hour (and how regular or bursty they are), pools and their
    calendars, durations, clock-time batches (e.g. a 16:00 approval round), waits that are not queueing,
    and the routing with attribute-dependent branches. Edit the YAML freely; `procopt simulate` checks it on load.

    By default the last 20 % of the log is held out: the settings are chosen on the earlier part, the
    model and a naive baseline forecast the held-out period 10 times each, and the verdict (better or worse
    than naive) is written into the model. Parts that make it worse than naive are replaced by simpler ones.
    """
    from procopt.fidelity.verdict import validate_and_fit
    from procopt.log.mapping import parse_map_option
    from procopt.log.read import read_log
    from procopt.model.calibrate import calibrate
    from procopt.model.io import model_to_dict, save_model, validation_to_dict
    from procopt.model.types import Validation

    options = calibration_from(sla, delivery_activity, naive=naive, recent_weeks=recent)
    bar = ProgressCallback("Reading log")
    try:
        elog = read_log(log, mapping=parse_map_option(map_, path=log) or None, progress=bar)
    finally:
        bar.close()
    said: list[str] = []
    checked: Any = None
    if fidelity:
        bar = ProgressCallback("Fidelity check")
        try:
            with run_on.open() as executor:
                checked = validate_and_fit(
                    elog.events,
                    options,
                    runs=runs,
                    seed=seed,
                    train_fraction=train_fraction,
                    search=search,
                    executor=executor,
                    progress=bar,
                    say=said.append,
                )
        finally:
            bar.close()
        model = checked.model
    else:
        model = calibrate(elog.events, options)
        model = dataclasses.replace(
            model, validation=Validation(verdict="not_validated", reason="the hold-out check was switched off")
        )
    from procopt.sim.experiment import with_case_p99

    model = with_case_p99(model, elog.events)
    save_model(model, out)
    validation = model.validation or Validation(verdict="not_validated", reason="no hold-out check was run")
    reports = checked.reports if checked is not None else {}
    if as_json:
        doc: dict[str, Any] = {
            "model": out,
            "summary": summarise_model(model),
            "validation": validation_to_dict(validation),
            # the reading the verdict uses first, as in `report --json`; the published protocol beside it
            "fidelity": {**reports["matched"].to_dict(), "reading": "matched"} if "matched" in reports else None,
            "fidelity_published": reports["published"].to_dict() if "published" in reports else None,
            "search": _search_doc(checked.search if checked is not None else None),
        }
        if fidelity and not reports:
            doc["fidelity_skipped"] = validation.reason
        doc["model_detail"] = {k: v for k, v in model_to_dict(model).items() if k not in ("attributes", "validation")}
        emit_json(doc)
        return
    click.echo(render_model(model, out))
    if said:
        click.echo("")
        click.echo("\n".join(said))
    if reports:
        click.echo(render_fidelity(reports["published"], reports.get("matched")))
    elif fidelity:
        click.echo(
            f"\nFidelity check skipped: {validation.reason}.\n  The model is written and usable; to score it use a "
            "longer log or a lower --train-fraction (e.g. 0.5), or pass --no-fidelity to skip the check."
        )
    click.echo(render_verdict(validation))


def _search_doc(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "skipped": found.skipped or None,
        "trials": [{"changed": dict(t.changed), "objective": t.objective} for t in found.trials],
        "chosen": found.recipe.changed(),
    }


VERDICT_WORDS = {
    "better": "BETTER than the naive baseline",
    "worse": "WORSE than the naive baseline",
    "not_validated": "NOT VALIDATED",
}


def render_verdict(validation: Any) -> str:
    """The verdict block: what it is, which reading, what was replaced, what would help."""
    if validation is None:
        return "\nVerdict: NOT VALIDATED (the model file has no validation section; re-run `procopt model`)."
    lines = [
        "",
        f"Verdict: {VERDICT_WORDS.get(validation.verdict, validation.verdict)}"
        + (
            f" on held-out timing ({validation.runs} runs, {validation.reading} reading: simulated events after "
            "the log's end are dropped as in the log)"
            if validation.verdict != "not_validated"
            else ""
        ),
    ]
    if validation.reason:
        lines.append(f"  {validation.reason}")
    for r in validation.replaced:
        lines.append(f"  replaced {r.component} by '{r.replacement}': {r.reason}")
    if validation.verdict == "worse":
        lines.append("  Use this model to rank options, not to forecast timing; no pilot should rest on its timing.")
    if validation.advice:
        lines.append("  What would help: " + "; ".join(validation.advice) + ".")
    return "\n".join(lines)


def summarise_model(model: Any) -> dict[str, Any]:
    """What was learned, as plain data (pools, batches, delays, routing)."""
    from procopt.model.arrivals import gap_cv
    from procopt.model.types import END_TOKEN

    acts = model.activities
    return {
        "arrivals_per_week": round(model.arrivals.cases_per_week, 2),
        # None: Poisson; else the coefficient of variation of the replayed gaps (0 = a fixed beat)
        "arrival_gap_cv": round(gap_cv(model.arrivals.gap_quantiles), 3) if model.arrivals.gap_quantiles else None,
        "activities": len(acts),
        "pools": {
            n: {
                "capacity": p.capacity,
                "calendar": p.calendar,
                "members": len(p.members),
                "on_duty_by_hour": list(p.on_duty[:24]) if p.on_duty else None,
                "activities": sorted(a for a, x in acts.items() if x.pool == n),
            }
            for n, p in model.pools.items()
        },
        "batches": {
            a: {
                "release_times": list(x.batch.release_times),
                "weekdays": list(x.batch.weekdays),
                "size": x.batch.size,
                "max_wait_hours": x.batch.max_wait_hours,
            }
            for a, x in acts.items()
            if x.batch
        },
        "extra_delays_h": {a: round(x.extra_delay.mean_s / 3600.0, 2) for a, x in acts.items() if x.extra_delay},
        "durations_h": {a: round(x.duration.mean_s / 3600.0, 3) for a, x in acts.items()},
        "attribute_branches": [
            {
                "after": d.after,
                "visit": d.visit,
                "previous": d.previous,
                "when": b.when,
                "to": max(b.next, key=lambda k: (b.next[k], k)) if b.next else None,
                "to_share": round(max(b.next.values()), 3) if b.next else None,
            }
            for d in model.routing.decisions
            for b in d.branches
            if b.when
        ],
        "loops": sorted({d.after for d in model.routing.decisions if d.visit is not None}),
        "end_steps": sorted(
            {d.after for d in model.routing.decisions for b in d.branches if b.next.get(END_TOKEN, 0) > 0}
        ),
        "delivery_activity": model.delivery_activity,
        "due": {"kind": model.due.kind, "sla_h": model.due.sla_s / 3600.0 if model.due.sla_s else None},
        "estimated": list(model.provenance.get("estimated", [])),
    }


def render_model(model: Any, out: str) -> str:
    """The human summary of a calibrated model."""
    from procopt.model.arrivals import describe_spacing
    from procopt.model.types import END_TOKEN

    s = summarise_model(model)
    prov = model.provenance
    lines = [
        f"Model written to {out}",
        f"  learned from {prov.get('cases', '?')} cases, {prov.get('events', '?')} activity instances"
        f" ({prov.get('log_start', '?')} -> {prov.get('log_end', '?')})",
        f"  arrivals: {s['arrivals_per_week']:.1f} cases per week (by weekday and hour), spaced "
        + describe_spacing(model.arrivals),
        "",
        "Pools:",
    ]
    for name, p in s["pools"].items():
        cap = "unlimited" if p["capacity"] is None else f"{p['capacity']} at once"
        people = "1 person" if p["members"] == 1 else f"{p['members']} people"
        lines.append(f"  {name}: {cap}, {people}, {p['calendar']}")
        if p.get("on_duty_by_hour"):
            duty = p["on_duty_by_hour"]
            peak = [h for h, v in enumerate(duty) if v == max(duty)]
            lines.append(
                f"      on duty by hour: {min(duty)}-{max(duty)} people "
                f"(all {max(duty)} from {peak[0]:02d}:00 to {peak[-1] + 1:02d}:00)"
            )
        lines.append(f"      does: {', '.join(p['activities'])}")
    lines += ["", "Waiting that is not queueing:"]
    for a, b in s["batches"].items():
        if b.get("size"):
            limit = f", or after {b['max_wait_hours']:g} h at the latest" if b.get("max_wait_hours") else ""
            lines.append(f"  batch   {a}: released in batches of {b['size']} (when {b['size']} wait{limit})")
        else:
            lines.append(f"  batch   {a}: released at {', '.join(b['release_times'])} ({'/'.join(b['weekdays'])})")
    for a, h in s["extra_delays_h"].items():
        lines.append(f"  delay   {a}: on average {h:.1f} working hours of extra wait (e.g. for documents)")
    if not s["batches"] and not s["extra_delays_h"]:
        lines.append("  none found")
    lines += ["", "Routing:"]
    for br in s["attribute_branches"]:
        visit = f" (visit {br['visit']})" if br["visit"] else ""
        # the step before and where the branch leads: without them two rules of one step read as duplicates
        prev = f" (coming from {br['previous']})" if br["previous"] else ""
        to = "the end" if br["to"] == END_TOKEN else br["to"]
        where = f" -> {to} ({br['to_share']:.0%})" if br["to"] else ""
        lines.append(f"  after {br['after']}{visit}{prev}: when {br['when']}{where}")
    if s["loops"]:
        lines.append(f"  rework loops bounded per visit: {', '.join(s['loops'])}")
    lines.append(f"  cases end after: {', '.join(s['end_steps'])}")
    due = model.due
    if due.kind == "sla":
        due_text = f"arrival + {s['due']['sla_h']:g} h (--sla)"
    elif due.kind == "offset":
        due_text = "learned from the log's due dates" + (" (counted in working days)" if due.working_days else "")
    else:
        due_text = "none (the log has no due dates; use --sla 72h to set one)"
    lines += [
        "",
        f"Delivery activity: {_delivery_text(model)}",
        f"Due dates: {due_text}",
    ]
    for note in s["estimated"]:
        lines.append(f"Estimated: {note}")
    for block, members in getattr(model, "parallel", {}).items():
        lines.append(f"Parallel: {' and '.join(members)} run at the same time ({block})")
    for name, pool in model.pools.items():
        if getattr(pool, "speeds", None):
            fast, slow = min(pool.speeds.values()), max(pool.speeds.values())
            lines.append(f"Speeds: {name}: people differ, from {fast:.2f}x to {slow:.2f}x the standard duration")
    for name, act in model.activities.items():
        if act.priority != "fifo":
            lines.append(f"Priority: {name} serves {act.priority.replace('_', ' ')} first, not first come")
    drift = prov.get("drift")
    if drift:
        lines.append(f"Warning: {drift['message']}")
    return "\n".join(lines)


def _delivery_text(model: Any) -> str:
    """The delivery step and why: the last of the delivery-like steps of a case, the others named."""
    from procopt.log.delivery import is_delivery_name

    chosen = str(model.delivery_activity or "")
    if not chosen:
        return "none (lead time ends at the last step; --delivery-activity names one)"
    others = sorted(a for a in model.activities if a != chosen and is_delivery_name(a))
    if not others:
        return chosen
    return (
        f"{chosen} (the delivery-like step that most often ends a case's delivery path; also found: "
        f"{', '.join(others)}; --delivery-activity chooses another)"
    )


def render_fidelity(report: Any, matched: Any = None) -> str:
    """The fidelity scorecard: procopt vs naive per metric (lower is better), in both readings when given."""
    d = report.to_dict()
    m = matched.to_dict() if matched is not None else None
    lines = [
        "",
        f"Fidelity on held-out data ({d['test_cases']} test cases, {d['runs']} runs; lower is better):",
        f"  {'':<28} {'as published':>21}" + (f" {'matched reading':>21}" if m else ""),
        f"  {'metric':<28} {'procopt':>10} {'naive':>10}" + (f" {'procopt':>10} {'naive':>10}" if m else ""),
    ]

    def fmt(v: Any) -> str:
        return "-" if v is None else f"{v:.3f}"

    for key, val in d["procopt"].items():
        row = f"  {key:<28} {fmt(val):>10} {fmt(d['naive'].get(key)):>10}"
        if m:
            row += f" {fmt(m['procopt'].get(key)):>10} {fmt(m['naive'].get(key)):>10}"
        lines.append(row)
    lines += [f"  note: {n}" for n in d.get("notes", [])]
    if m:
        lines.append(
            "  matched reading: simulated events completed after the log's end are dropped, as the real test "
            "period is cut there; the verdict uses it"
        )
    return "\n".join(lines)
