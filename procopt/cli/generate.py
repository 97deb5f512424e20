"""``procopt generate``: write a sample ERP log from a known true process, with its answer key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procopt.cli.common import emit_json, json_option
from procopt.cli.options import seed_option
from procopt.errors import InputError


def _pairs(values: tuple[str, ...], option: str, kind: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for text in values:
        name, sep, number = text.rpartition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            out[name.strip()] = kind(number)
        except ValueError:
            example = "'Credit Analysts=1'" if kind is int else "'Check Credit=0.8'"
            raise InputError(
                None, f"cannot read {option} {text!r}", hint=f"Write NAME=NUMBER, e.g. {option} {example}."
            ) from None
    return out


def _check_out(path: Path, option: str) -> None:
    name = path.name.lower()
    suffixes = (".csv", ".csv.gz") if option == "--out" else (".json",)
    if not name.endswith(suffixes):
        raise InputError(
            path,
            f"{option} must end in " + " or ".join(suffixes),
            hint="e.g. --out sample_logs/o2c_orders.csv --truth sample_logs/o2c_orders.truth.json",
        )


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def describe_intervention(iv: dict[str, Any]) -> str:
    """One line, e.g. ``without Approve Order (Finance Director); Credit Analysts +1; arrivals x1.15``."""
    parts = [f"without {a}" for a in iv.get("remove_activities", [])]
    parts += [f"{pool} +{n}" for pool, n in iv.get("extra_capacity", {}).items() if n]
    if iv.get("arrival_scale", 1.0) != 1.0:
        parts.append(f"arrivals x{iv['arrival_scale']:g}")
    parts += [f"{a} duration x{f:g}" for a, f in iv.get("duration_scale", {}).items() if f != 1.0]
    return "; ".join(parts)


def summary_lines(log: Any, out: Path, truth_path: Path | None) -> list[str]:
    """The readable summary of a generated log and its ground truth."""
    from procopt.log import columns as C

    t = log.truth
    ev = log.events
    pool = t.pools[t.bottleneck_pool]
    rejects = t.measured["approval_reject_rate"]
    batches = "; ".join(f"{a} at {', '.join(v)}" for a, v in t.batch_activities.items())
    handoff = " -> ".join(t.handoff_slowest)
    handoff_h = t.measured["handoff_wait_mean_h"].get(handoff, float("nan"))
    lines = [
        f"Wrote {out}: {ev[C.CASE].nunique():,} cases, {len(ev):,} activity instances "
        f"({len(log.raw):,} rows), {ev[C.START].min():%Y-%m-%d} to {ev[C.END].max():%Y-%m-%d}",
        f"  {t.kind}, seed {t.seed}, {t.days} days, language {t.language}"
        + (f"; changed: {describe_intervention(t.intervention)}" if t.intervention else ""),
        *(
            f"  from {sw['at']}" + (f" for {sw['segment']}" if sw.get("segment") else " for every case") + ": "
            f"{describe_intervention(sw) or 'no change'}"
            for sw in t.switches
        ),
        "Ground truth:",
        f"  bottleneck:          {t.bottleneck_activity} (pool {t.bottleneck_pool}: "
        f"{pool.size} people, {_pct(pool.utilisation)} busy)",
        f"  redundant approval:  {t.redundant_approval} (rejects {_pct(rejects.get(t.redundant_approval, 0.0))})",
        "  necessary approvals: "
        + ", ".join(f"{a} (rejects {_pct(rejects.get(a, 0.0))})" for a in t.necessary_approvals),
        f"  threshold approval:  {t.threshold_approval} rejects only above {t.threshold_value:,.0f}",
        f"  batches:             {batches}",
        f"  delivery activity:   {t.delivery_activity}",
        f"  slowest hand-off:    {handoff} ({handoff_h:.1f} h mean wait)",
        f"  rework:              {', '.join(t.rework_activities)}",
        f"  true KPIs ({t.cases_measured:,} cases started after day {t.warmup_days} and finished): "
        f"lead time {t.lead_time_mean_h:.1f} h, delivered by due date {_pct(t.delivery_rate)}",
    ]
    if truth_path is not None:
        lines.append(f"Truth written to {truth_path}")
    return lines


@click.command("generate")
@click.argument("kind", type=click.Choice(["o2c", "p2p"]))
@seed_option
@click.option("--days", type=int, default=120, show_default=True, help="Days of ERP operation to simulate.")
@click.option(
    "--lang",
    "language",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of names and columns (zh files are GB18030).",
)
@click.option(
    "--remove-activity",
    "remove",
    multiple=True,
    metavar="ACTIVITY",
    help="Run the true process without this activity (repeatable).",
)
@click.option(
    "--extra-capacity",
    "extra",
    multiple=True,
    metavar="POOL=N",
    help="Add N people to a pool, e.g. 'Credit Analysts=1' (repeatable).",
)
@click.option(
    "--arrival-scale",
    type=float,
    default=1.0,
    show_default=True,
    help="Factor on the arrival rate, e.g. 1.15 for 15 % more cases.",
)
@click.option(
    "--duration-scale",
    "duration",
    multiple=True,
    metavar="ACTIVITY=X",
    help="Factor on an activity's working time, e.g. 'Check Credit=0.8' (repeatable).",
)
@click.option(
    "--change-at",
    "change_at",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run the changes above only for cases arriving from this date on (e.g. 2025-05-06).",
)
@click.option(
    "--segment",
    default=None,
    metavar="CONDITION",
    help="With --change-at: only cases matching this condition change, e.g. \"product == 'B'\" (a pilot).",
)
@click.option(
    "--drift-arrival-scale",
    type=float,
    default=1.0,
    show_default=True,
    help="With --change-at: a company-wide change of the arrival rate from the same date.",
)
@click.option(
    "--drift-duration-scale",
    "drift_duration",
    multiple=True,
    metavar="ACTIVITY=X",
    help="With --change-at: a company-wide factor on an activity's working time from the same date (repeatable).",
)
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Log file to write (.csv or .csv.gz).",
)
@click.option(
    "--truth",
    "truth_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the ground truth as JSON.",
)
@click.option(
    "--tables",
    "tables_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the company as SAP tables (one CSV per table) into this folder, for `procopt extract`.",
)
@click.option(
    "--sap-release",
    type=click.Choice(["ecc", "s4hana"]),
    default="ecc",
    show_default=True,
    help="Table layout for --tables: ECC (MKPF/MSEG, VBUK) or S/4HANA (MATDOC).",
)
@json_option
def command(
    kind: str,
    seed: int,
    days: int,
    language: str,
    remove: tuple[str, ...],
    extra: tuple[str, ...],
    arrival_scale: float,
    duration: tuple[str, ...],
    change_at: Any,
    segment: str | None,
    drift_arrival_scale: float,
    drift_duration: tuple[str, ...],
    out: Path,
    truth_path: Path | None,
    tables_dir: Path | None,
    sap_release: str,
    as_json: bool,
) -> None:
    """Generate a sample ERP event log from a known true process, with its ground truth.

    \b
    Example:
      procopt generate o2c --seed 1 --days 120 --out sample_logs/o2c_orders.csv \\
          --truth sample_logs/o2c_orders.truth.json
      procopt generate o2c --remove-activity "Approve Order (Finance Director)" --out /tmp/to_be.csv
      procopt generate o2c --days 150 --change-at 2025-07-07 --segment "product == 'B'" \\
          --remove-activity "Approve Order (Finance Director)" --drift-duration-scale "Pick Goods=1.5" --out pilot.csv
    """
    from procopt.generate import Intervention, Switch, generate

    _check_out(out, "--out")
    if truth_path is not None:
        _check_out(truth_path, "--truth")
    intervention = Intervention(
        remove_activities=tuple(remove),
        extra_capacity=_pairs(extra, "--extra-capacity", int),
        arrival_scale=arrival_scale,
        duration_scale=_pairs(duration, "--duration-scale", float),
    )
    switches: list[Switch] = []
    drift = Intervention(
        arrival_scale=drift_arrival_scale, duration_scale=_pairs(drift_duration, "--drift-duration-scale", float)
    )
    if change_at is None:
        if segment is not None or not drift.is_baseline():
            raise InputError(
                None,
                "--segment and --drift-* need --change-at",
                hint="Give the date the change starts, e.g. --change-at 2025-05-06.",
            )
    else:
        switches.append(Switch(change_at.date(), intervention, segment))
        if not drift.is_baseline():
            switches.append(Switch(change_at.date(), drift))
        intervention = Intervention()
    log = generate(kind, seed=seed, days=days, language=language, intervention=intervention, switches=switches)  # type: ignore[arg-type]
    log.write(out)
    if truth_path is not None:
        log.truth.write(truth_path)
    tables: dict[str, int] = {}
    if tables_dir is not None:
        from procopt.generate.sap_tables import write_sap_tables

        tables = write_sap_tables(log, tables_dir, sap_release)  # type: ignore[arg-type]
    if as_json:
        from procopt.log import columns as C

        emit_json(
            {
                "out": str(out),
                "truth_path": str(truth_path) if truth_path else None,
                "cases": int(log.events[C.CASE].nunique()),
                "activity_instances": len(log.events),
                "rows": len(log.raw),
                "truth": log.truth.to_dict(),
                "tables": tables,
            }
        )
        return
    for line in summary_lines(log, out, truth_path):
        click.echo(line)
    if tables_dir is not None:
        click.echo(
            f"SAP tables ({sap_release}) written to {tables_dir}: " + ", ".join(f"{t} {n:,}" for t, n in tables.items())
        )
