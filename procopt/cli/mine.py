"""``procopt mine``, ``procopt bottlenecks``, ``procopt approvals``: diagnostics of the as-is process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procopt.cli.common import emit_json, json_option
from procopt.cli.options import map_option

_DEFAULT_OUT = "procopt-mine"


def load_events(log: str, map_: str | None) -> Any:
    """Read LOG through procopt.log.read.read_log (imported here so ``--help`` stays fast)."""
    from procopt.log.mapping import parse_map_option
    from procopt.log.read import read_log

    mapping = parse_map_option(map_, path=log) or None
    return read_log(log, mapping=mapping).events


def _h(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "n/a"
    hours = seconds / 3600.0
    return f"{hours / 24:.1f} d" if hours >= 48 else f"{hours:.1f} h"


approvals_option = click.option(
    "--approvals",
    "approval_names",
    default=None,
    metavar='"A,B"',
    help="Activity names that are approval steps (comma-separated), judged whatever their names.",
)
pattern_option = click.option(
    "--approval-pattern",
    "approval_patterns",
    multiple=True,
    metavar="REGEX",
    help="Regular expression naming approval steps (repeatable; replaces the built-in list).",
)


def _options(coverage: float, approval_patterns: tuple[str, ...], discover_model: bool) -> Any:
    from procopt.errors import InputError
    from procopt.mine import MineOptions

    if not 0.0 < coverage <= 1.0:
        raise InputError(None, f"--coverage must be in (0, 1], got {coverage}", hint="Use e.g. --coverage 0.8.")
    kwargs: dict[str, Any] = {"coverage": coverage, "discover_model": discover_model}
    if approval_patterns:
        import re

        for pattern in approval_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InputError(
                    None,
                    f"--approval-pattern {pattern!r} is not a valid regular expression: {exc}",
                    hint="Escape special characters, e.g. 'sign\\.off'.",
                ) from exc
        kwargs["approval_patterns"] = tuple(approval_patterns)
    return MineOptions(**kwargs)


def _with_approvals(options: Any, names: str | None, events: Any, log: str) -> Any:
    """``options`` with the confirmed approval steps of ``--approvals "A,B"``; an unknown name is an error."""
    import dataclasses

    from procopt.errors import InputError
    from procopt.log import columns as C

    if not names:
        return options
    wanted = tuple(n.strip() for n in names.split(",") if n.strip())
    known = set(events[C.ACTIVITY].astype(str).unique())
    missing = [n for n in wanted if n not in known]
    if missing:
        raise InputError(
            log,
            f"--approvals names {', '.join(repr(m) for m in missing)}, which is not an activity of the log",
            hint=f"Activities: {', '.join(sorted(known)[:30])}.",
        )
    return dataclasses.replace(options, approvals=wanted)


def _header(log: str, summary: dict[str, Any]) -> str:
    first, last = summary.get("first"), summary.get("last")
    period = f", {str(first)[:10]} → {str(last)[:10]}" if first is not None else ""
    times = "start + end times" if summary["has_start"] else "completion times only"
    return (
        f"{Path(log).name}: {summary['cases']:,} cases, {summary['events']:,} events, "
        f"{summary['activities']} activities{period} ({times})"
    )


def _bottleneck_lines(data: dict[str, Any], top: int = 5) -> list[str]:
    lines = ["Top bottlenecks (most severe first):"]
    if not data["bottlenecks"]:
        lines.append("  none found (no activity holds 2 % or more of the waiting time)")
    for i, b in enumerate(data["bottlenecks"][:top], 1):
        kind = " [batching delay]" if b["kind"] == "batching" else ""
        lines.append(f"  {i}. {b['reason']} (score {b['score']:.2f}){kind}")
    return lines


def _waiting_lines(data: dict[str, Any], top: int = 5, most: int = 10) -> list[str]:
    """Where the waiting goes, largest first, with its causes.

    Lists the ``top`` largest and every further step holding more waiting than a bottleneck shown
    below it (a step the capacity-focused bottleneck list ranks low must not go unseen).
    """
    waiting = [w for w in data.get("waiting", []) if w["wait_total_s"] > 0]
    if not waiting:
        return []
    shown = {b["activity"] for b in data["bottlenecks"][:5]}
    floor = min((w["wait_total_s"] for w in waiting if w["activity"] in shown), default=float("inf"))
    keep = [w for i, w in enumerate(waiting) if i < top or w["wait_total_s"] > floor][:most]
    lines = ["Where the waiting goes (largest first, with its causes):"]
    for i, w in enumerate(keep, 1):
        dep = f" ({w['department']})" if w.get("department") else ""
        causes = w.get("causes")
        if causes:
            total = max(sum(causes.values()), 1e-9)
            mix = ", ".join(
                f"{name} {value / total:.0%}"
                for name, value in sorted(causes.items(), key=lambda kv: -kv[1])
                if value / total >= 0.05
            )
        else:
            mix = "causes not computed (no start times)"
        lines.append(
            f"  {i}. {w['activity']}{dep}: {w['wait_share']:.0%} of all waiting, {_h(w['wait_total_s'])} — {mix}"
        )
    return lines


def _summary_lines(data: dict[str, Any]) -> list[str]:
    lines = _waiting_lines(data) + _bottleneck_lines(data)
    lines.append("Slowest hand-offs between departments:")
    if not data["handoffs"]:
        lines.append("  none (the log has no department column or no hand-offs)")
    for h in data["handoffs"][:5]:
        lines.append(
            f"  {h['from_department']} → {h['to_department']}: {h['count']:,} hand-offs, "
            f"median delay {_h(h['delay_median_s'])} (P90 {_h(h['delay_p90_s'])})"
        )
    lines.append("Approval steps:")
    if not data["approvals"]:
        lines.append("  none recognised by name (use --approval-pattern to name them)")
    for a in data["approvals"]:
        lines.append(f"  {a['verdict']:<24} {a['reason']}")
    lines.append("Batches and fixed release times:")
    if not data["batches"]:
        lines.append("  none found")
    for b in data["batches"]:
        lines.append(
            f"  {b['activity']}: {b['pattern']}, {b['batched_share']:.0%} of {b['instances']:,} instances, "
            f"median wait {_h(b['wait_median_s'])}"
        )
    lines.append("Rework:")
    loops = data["rework"]["loops"]
    if not loops:
        lines.append("  no activity is repeated within a case")
    for loop in loops[:5]:
        same = loop["loop"].count("→") == 1  # A → A: done again straight away
        caveat = " (done twice in a row: a split or multi-part step as often as rework)" if same else ""
        lines.append(
            f"  {loop['loop']}: {loop['count']:,} times in {loop['cases']:,} cases, "
            f"median {_h(loop['time_lost_median_s'])} lost each{caveat}"
        )
    vs = data["value_stream"]
    if vs:
        ratio = vs["value_added_ratio"]
        ratio_text = "n/a (no start times)" if ratio is None else f"{ratio:.1%}"
        basis = (
            f"most frequent variant, {vs['cases']:,} cases"
            if vs["basis"] == "variant"
            else "main path of the process map"
        )
        lines.append(
            f"Value stream ({basis}, {len(vs['path'])} steps): mean lead time {_h(vs['lead_time_mean_s'])}, "
            f"value-added ratio (work / lead time) {ratio_text}"
        )
    return lines


@click.command("mine")
@click.argument("log", type=click.Path(dir_okay=True))
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False),
    default=_DEFAULT_OUT,
    show_default=True,
    help="Folder for the CSV/JSON tables, process map (SVG/PNG) and BPMN/PNML models.",
)
@click.option(
    "--coverage",
    type=float,
    default=0.8,
    show_default=True,
    help="Keep the most frequent variants covering this share of cases in the map and model.",
)
@map_option
@pattern_option
@approvals_option
@json_option
def command(
    log: str,
    out_dir: str,
    coverage: float,
    map_: str | None,
    approval_patterns: tuple[str, ...],
    approval_names: str | None,
    as_json: bool,
) -> None:
    """Mine LOG: process map, where time goes, bottlenecks, hand-offs, approvals, batches, rework.

    LOG may also be a folder, a partitioned Parquet dataset (`procopt convert`) or a quoted glob of
    CSV/Parquet files: it is then mined out of core, partition by partition (a subset of the analyses).

    \b
    Example:
      procopt mine sample_logs/o2c_orders.csv --out out/o2c
      procopt mine 'exports/2024-*.parquet' --out out/2024
    """
    from procopt.mine import mine, write_outputs
    from procopt.scale.dataset import is_partitioned

    if is_partitioned(log):  # a dataset, folder or glob: out of core, partition by partition
        from procopt.cli.dataset import mine_dataset
        from procopt.log.mapping import parse_map_option

        if approval_patterns or approval_names:
            raise click.UsageError(
                "--approval-pattern/--approvals: approvals are not analysed out of core (a single file is)"
            )
        mine_dataset(log, out_dir, coverage, parse_map_option(map_, path=log) or None, as_json)
        return
    events = load_events(log, map_)
    options = _with_approvals(_options(coverage, approval_patterns, discover_model=True), approval_names, events, log)
    result = mine(events, options)
    from procopt.viz.process_map import draw

    files = write_outputs(result, out_dir, draw)
    data = result.to_dict()
    if as_json:
        emit_json({**data, "out_dir": str(out_dir), "files": files})
        return
    lines = [_header(log, data["summary"]), *_summary_lines(data)]
    for note in data["notes"]:
        lines.append(f"Note: {note}")
    lines.append(f"Wrote {len(files)} files to {out_dir}/: {', '.join(files)}")
    click.echo("\n".join(lines))


@click.command("bottlenecks")
@click.argument("log", type=click.Path(dir_okay=False))
@map_option
@json_option
def bottlenecks_command(log: str, map_: str | None, as_json: bool) -> None:
    """Rank the bottleneck activities and resources of LOG, each with a reason.

    \b
    Example:
      procopt bottlenecks sample_logs/o2c_orders.csv
    """
    from procopt.mine import mine

    result = mine(load_events(log, map_), _options(0.8, (), discover_model=False))
    data = result.to_dict()
    if as_json:
        emit_json(
            {
                "summary": data["summary"],
                "bottlenecks": data["bottlenecks"],
                "bottleneck_resources": data["bottleneck_resources"],
                "notes": data["notes"],
            }
        )
        return
    lines = [_header(log, data["summary"]), *_bottleneck_lines(data, top=10), "Bottleneck resources:"]
    if not data["bottleneck_resources"]:
        lines.append("  none (no resource is 60 % busy or more, or the log has no start times / resources)")
    lines += [f"  {r['reason']}" for r in data["bottleneck_resources"]]
    lines += [f"Note: {n}" for n in data["notes"]]
    click.echo("\n".join(lines))


@click.command("approvals")
@click.argument("log", type=click.Path(dir_okay=False))
@map_option
@pattern_option
@approvals_option
@json_option
def approvals_command(
    log: str, map_: str | None, approval_patterns: tuple[str, ...], approval_names: str | None, as_json: bool
) -> None:
    """Judge each approval step of LOG: candidate for removal, for a threshold, or keep.

    \b
    Example:
      procopt approvals sample_logs/o2c_orders.csv --approval-pattern 'approv|审批'
    """
    from procopt.mine import mine

    events = load_events(log, map_)
    result = mine(events, _with_approvals(_options(0.8, approval_patterns, False), approval_names, events, log))
    data = result.to_dict()
    if as_json:
        emit_json({"summary": data["summary"], "approvals": data["approvals"], "notes": data["notes"]})
        return
    lines = [_header(log, data["summary"]), "Approval steps (largest estimated saving first):"]
    if not data["approvals"]:
        lines.append("  none recognised by name (use --approval-pattern to name them)")
    for a in data["approvals"]:
        rate = "n/a" if a["approval_rate"] is None else f"{a['approval_rate']:.1%}"
        effect = {"keep": "the step costs", "candidate_for_threshold": "saving below the threshold"}.get(
            a["verdict"], "saving"
        )
        lines.append(
            f"  {a['verdict']:<24} {a['activity']}: pass rate {rate} of {a['decisions']:,} decisions, "
            f"{effect} ~{a['estimated_saving_h']:.1f} h per case"
        )
        lines.append(f"  {'':<24} {a['reason']}")
    lines += [f"Note: {n}" for n in data["notes"]]
    click.echo("\n".join(lines))
