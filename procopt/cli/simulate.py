"""``procopt simulate MODEL_OR_LOG --scenario S.yaml``: what-if experiments with confidence intervals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json
from procopt.cli.executor_options import ExecutorChoice, announce, executor_options
from procopt.cli.options import json_option, load_model_or_log, model_source, run_options, seed_option

#: column names of simulated logs written for a model (a log input keeps its own names)
DEFAULT_NAMES = {
    "case": "case_id",
    "activity": "activity",
    "start": "start_time",
    "end": "end_time",
    "resource": "resource",
    "department": "department",
    "due": "due_date",
}


@click.command("simulate")
@model_source
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="Scenario YAML (repeat for several). Without any, only the baseline runs.",
)
@run_options
@click.option(
    "--drain-days",
    type=click.FloatRange(0, 3650),
    default=None,
    help="How long the run continues after the last arrival so open cases can finish "
    "(default: 1.5 x the log's 99th-percentile case duration, at least 7 days; 60 without it).",
)
@seed_option
@executor_options
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(file_okay=False, path_type=str),
    help="Folder for summary.json, per_replication.csv and the simulated logs (logs/<scenario>.csv).",
)
@json_option
def command(
    source: str,
    map_: str | None,
    sla: str | None,
    delivery_activity: str | None,
    scenarios: tuple[str, ...],
    replications: int,
    days: float,
    warmup_days: float,
    drain_days: float | None,
    seed: int,
    run_on: ExecutorChoice,
    out: str | None,
    as_json: bool,
) -> None:
    """Run the baseline and each --scenario on a model (YAML) or on a log (calibrated first).

    \b
    Example:
      procopt simulate model.yaml --scenario scenarios/remove_director_approval.yaml --out runs/
      procopt simulate orders.csv --scenario a.yaml --scenario b.yaml --replications 10 --json

    Every scenario replication uses the same random numbers as the baseline's, so the differences
    ("vs baseline") carry tight 95 % confidence intervals. Overloaded scenarios are flagged unstable.
    """
    from procopt.scenario import apply_scenario, load_scenario
    from procopt.scenario.load import ineffective_changes
    from procopt.sim.experiment import RunConfig, run_experiment, run_out_days

    model, log_names = load_model_or_log(source, map_, sla, delivery_activity)
    names = {**DEFAULT_NAMES, **{k: v for k, v in log_names.items() if k in DEFAULT_NAMES}}
    loaded = [load_scenario(p) for p in scenarios]
    warnings: list[str] = []
    for s in loaded:  # fail on a bad scenario before any long run
        apply_scenario(model, s)
        warnings.extend(ineffective_changes(model, s))
    config = RunConfig(
        replications=replications,
        days=days,
        warmup_days=warmup_days,
        seed=seed,
        workers=run_on.workers,
        drain_days=drain_days if drain_days is not None else run_out_days(_p99(model)),
        keep_logs=1 if out else 0,
    )
    bar = ProgressCallback("Simulating")
    try:
        with run_on.open() as executor:
            result = run_experiment(model, loaded, config, progress=bar, executor=executor, announce=announce)
    finally:
        bar.close()
    doc = result.to_dict()
    for run in doc["runs"]:
        vs = run.get("vs_baseline") or {}
        if (vs.get("lead_time_mean_hours") or {}).get("diff") == 0.0:
            warnings.append(f"{run['scenario']}: exactly the same lead times as the baseline: the change had no effect")
    doc["warnings"] = warnings
    doc["validation"] = _validation_doc(model)
    if out:
        _write(Path(out), result, doc, names)
        doc["out"] = out
    if as_json:
        emit_json(doc)
        return
    click.echo(render_verdict_banner(doc["validation"]))
    click.echo(render_runs(doc))
    for w in warnings:
        click.echo(f"Warning: {w}")
    if out:
        click.echo(f"\nWritten: {out}/summary.json, per_replication.csv, logs/<scenario>.csv")


def _p99(model: Any) -> float | None:
    value = (model.provenance or {}).get("case_p99_h")
    return float(value) if isinstance(value, (int, float)) else None


def _validation_doc(model: Any) -> dict[str, Any]:
    """The model's held-out verdict as plain data (``not_validated`` when it never had one)."""
    from procopt.model.io import validation_to_dict
    from procopt.model.types import Validation

    v = model.validation or Validation(
        verdict="not_validated",
        reason="no held-out check was run for this model; `procopt model LOG --out model.yaml` runs one",
    )
    return validation_to_dict(v)


def render_verdict_banner(v: dict[str, Any]) -> str:
    """One prominent line (two when worse) on how far the model's timing can be trusted."""
    verdict = v.get("verdict")
    if verdict == "better":
        text = (
            f"Model verdict: better than the naive baseline on held-out timing ({v.get('runs')} runs, "
            f"{v.get('reading')} reading)."
        )
    elif verdict == "worse":
        text = (
            f"WARNING: model verdict WORSE than the naive baseline on held-out timing ({v.get('runs')} runs, "
            f"{v.get('reading')} reading): {v.get('reason')}.\n  Compare options with it, but do not plan a "
            "pilot on its lead times."
        )
        if v.get("advice"):
            text += " What would help: " + "; ".join(v["advice"]) + "."
    else:
        text = f"Model verdict: not validated ({v.get('reason') or 'no held-out check'})."
    replaced = v.get("replaced") or []
    if replaced:
        text += "\n  simpler parts chosen by the held-out check: " + ", ".join(
            f"{r['component']} -> {r['replacement']}" for r in replaced
        )
    return text + "\n"


def _write(out: Path, result: Any, doc: dict[str, Any], names: dict[str, str]) -> None:
    from procopt._io import atomic_dir, write_csv, write_json
    from procopt.cli.common import with_schema_version
    from procopt.log import columns as C

    rename = {C.ROLES[role]: col for role, col in names.items()}
    with atomic_dir(out) as tmp:
        write_json(tmp / "summary.json", with_schema_version(doc, "simulate"))
        per = result.per_replication.copy()
        per["unstable_reasons"] = per["unstable_reasons"].map(lambda rs: "; ".join(rs))
        write_csv(tmp / "per_replication.csv", per)
        for scenario, logs in result.logs.items():
            for i, frame in enumerate(logs):
                suffix = "" if i == 0 else f"_rep{i + 1}"
                table = frame.drop(columns=[C.SOURCE_ROW]).rename(columns=rename)
                write_csv(tmp / "logs" / f"{_safe(scenario)}{suffix}.csv", table)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def _pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (Chinese characters take two), shortening it."""
    import unicodedata

    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width - (1 if len(text) > len(out) + 1 else 0):
            out += "…"
            used += 1
            break
        out, used = out + ch, used + w
    return out + " " * max(0, width - used)


def _fmt(v: Any, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def render_runs(doc: dict[str, Any]) -> str:
    """The text table of an experiment: KPIs with 95 % CIs, differences vs baseline, stability, targets."""
    cfg = doc["config"]
    lines = [
        f"{cfg['replications']} replications, cases arriving for {cfg['days']:g} days "
        f"(first {cfg['warmup_days']:g} not measured), seed {cfg['seed']}",
        "",
    ]
    head = (
        f"{'scenario':<28} {'lead time mean h (95% CI)':>27} {'p90 h':>7} {'on time':>8} {'per week':>9}  vs baseline"
    )
    lines += [head, "-" * len(head)]
    for r in doc["runs"]:
        lt = r["lead_time_hours"]
        ci = lt.get("mean_ci95")
        ci_text = f"{_fmt(lt['mean'])} ({_fmt(ci[0])}-{_fmt(ci[1])})" if ci else _fmt(lt["mean"])
        dr = r["delivery_rate"]["value"]
        vs = r["vs_baseline"]
        if vs is None:
            vs_text = ""
        else:
            d = vs["lead_time_mean_hours"]
            mark = "" if d["significant"] else " (not significant)"
            vs_text = f"{d['diff']:+.1f} h{mark}" if d["diff"] is not None else "-"
        name = _pad(r["scenario"], 28)
        lines.append(
            f"{name} {ci_text:>27} {_fmt(lt['p90']):>7} {'-' if dr is None else f'{dr * 100:.1f}%':>8} "
            f"{_fmt(r['throughput_per_week']):>9}  {vs_text}"
        )
    for r in doc["runs"]:
        notes = []
        if not r["stable"]:
            notes.append("UNSTABLE (in at least half of the replications): " + "; ".join(r["unstable_reasons"]))
            if any("still open" in x for x in r["unstable_reasons"]):
                share = r.get("unfinished_share")
                pct = f"{share:.0%} of cases" if isinstance(share, (int, float)) else "some cases"
                notes.append(
                    f"  {pct} outlived --drain-days {cfg.get('drain_days', 60):g}: raise it, or read the "
                    "lead times as lower bounds"
                )
        busy = sorted(((v, k) for k, v in r["utilisation"].items() if v is not None), reverse=True)[:2]
        if not busy and not r["utilisation"]:
            notes.append("no pool has a capacity limit (the log names no resources), so nobody queues")
        if busy:
            notes.append("busiest: " + ", ".join(f"{k} {v:.0%}" if v >= 0.005 else f"{k} <1%" for v, k in busy))
        if r.get("truncated"):
            share = r.get("unfinished_share")
            pct = f"{share:.0%} of cases" if isinstance(share, (int, float)) else "some cases"
            notes.append(
                f"truncated, not overloaded: {pct} were still running when the run-out "
                f"({cfg.get('drain_days', 60):g} days after the last arrival) ended; their lead times are lower "
                "bounds (raise --drain-days to let them finish)"
            )
        for kpi, t in r["kpi_targets"].items():
            bound = ", ".join(f"{k} {v:g}" for k, v in t["target"].items())
            if t.get("value") is None:  # no data is not a miss
                notes.append(f"{kpi} ({bound}): not measured (no data for it in this run)")
            else:
                notes.append(f"{kpi} {_fmt(t['value'], '.3g')} ({bound}): {'met' if t['met'] else 'MISSED'}")
        lines.append(f"\n{r['scenario']}:")
        lines += [f"  {n}" for n in notes]
    return "\n".join(lines)
