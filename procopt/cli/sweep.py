"""``procopt sweep MODEL_OR_LOG --vary ...``: how much volume can we promise before delivery collapses?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procopt.cli.common import ProgressCallback, emit_json
from procopt.cli.executor_options import ExecutorChoice, announce, executor_options
from procopt.cli.options import json_option, load_model_or_log, model_source, run_options, seed_option


@click.command("sweep")
@model_source
@click.option(
    "--vary",
    "vary",
    multiple=True,
    required=True,
    metavar="PARAM=START:STOP:STEP",
    help="A grid dimension (repeat for a grid): arrivals.scale=1.0:1.5:0.05, capacity.<pool>=0:3:1 "
    "(people added), capacity.<pool>.set=2:6:1 (pool size); or a list: arrivals.scale=1,1.2,1.5.",
)
@run_options
@seed_option
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="How far the on-time rate may fall below the lowest volume's and still count as holding.",
)
@executor_options
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(file_okay=False, path_type=str),
    required=True,
    help="Folder for sweep.csv, sweep.json and the chart (sweep.png, sweep.svg).",
)
@json_option
def command(
    source: str,
    vary: tuple[str, ...],
    replications: int,
    days: float,
    warmup_days: float,
    seed: int,
    tolerance: float,
    run_on: ExecutorChoice,
    out: str,
    map_: str | None,
    sla: str | None,
    delivery_activity: str | None,
    as_json: bool,
) -> None:
    """Run the model over a grid of order volumes (and capacities) and find where delivery collapses.

    \b
    Example:
      procopt sweep model.yaml --vary arrivals.scale=1.0:1.5:0.05 --out sweeps/volume
      procopt sweep orders.csv --vary arrivals.scale=1.0:1.5:0.1 --vary "capacity.Finance (Check Credit)=0:2:1" \\
          --replications 5 --days 90 --out sweeps/credit --json

    Every grid point uses the same random numbers (common random numbers), so curves are smooth and
    differences between points are real. Points whose queues never drain are marked unstable.
    """
    from procopt.sim.sweep import parse_vary, run_sweep, write_sweep

    if days <= warmup_days:
        from procopt.errors import ScenarioError

        raise ScenarioError(
            None,
            f"--days ({days:g}) must be longer than --warmup-days ({warmup_days:g})",
            hint="Cases arrive for --days days; the first --warmup-days are not measured.",
        )
    specs = [parse_vary(v) for v in vary]  # syntax errors before the (slow) model is built
    model, _ = load_model_or_log(source, map_, sla, delivery_activity)
    varies = [parse_vary(v, pools=list(model.pools)) for v in vary]
    del specs
    bar = ProgressCallback("Sweeping")
    try:
        with run_on.open() as executor:
            result = run_sweep(
                model,
                varies,
                replications=replications,
                days=days,
                warmup_days=warmup_days,
                seed=seed,
                workers=run_on.workers,
                tolerance=tolerance,
                progress=bar,
                executor=executor,
                announce=announce,
            )
    finally:
        bar.close()
    from procopt.viz.sweep_chart import render_chart, sweep_title

    title = sweep_title(Path(source).name, result.capacity_known)
    files = write_sweep(result, out, chart=render_chart(result.rows, result.knees, title=title))
    doc = result.to_dict()
    doc["files"] = {name: str(path) for name, path in files.items()}
    if as_json:
        emit_json(doc)
        return
    click.echo(render_summary(doc))


def render_summary(doc: dict[str, Any]) -> str:
    """The human summary: one line per grid point, then the knee of each curve in plain language."""
    points = doc["points"]
    lines = [
        f"Sweep over {len(points)} grid points ({', '.join(doc['vary'])}), {doc['replications']} replications "
        f"x {doc['days']:g} days each, seed {doc['seed']}.",
        "",
    ]
    head = f"  {'scenario':<40} {'orders/wk':>9} {'on-time':>8} {'P90 lead':>10} {'busiest pool':>26}  stable"
    lines.append(head)
    for p in points:
        rate = "—" if p["delivery_rate"] is None else f"{p['delivery_rate']:.0%}"
        p90 = "—" if p["lead_time_p90_h"] is None else f"{p['lead_time_p90_h']:.1f} h"
        busy = (
            "—"
            if p["bottleneck_pool"] is None
            else f"{_short(p['bottleneck_pool'], 19)} {p['bottleneck_utilisation']:.0%}"
        )
        label = _middle(str(p["scenario"]).removeprefix("sweep: "), 40)  # the grid values sit at both ends
        lines.append(
            f"  {_pad(label, 40)} {p['orders_per_week']:>9.1f} {rate:>8} {p90:>10} "
            f"{_pad(busy, 26, right=True)}  {'yes' if p['stable'] else 'NO'}"
        )
    lines.append("")
    lines += [k["text"] for k in doc["knees"]]
    lines += ["", "Written: " + ", ".join(doc["files"][n] for n in sorted(doc["files"]))]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Terminal columns of ``text``: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _short(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    while _width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _middle(text: str, width: int) -> str:
    """Shorten ``text`` to ``width`` columns by cutting its middle, so both ends (the grid values) stay readable."""
    if _width(text) <= width:
        return text
    head, tail = "", ""
    i, j = 0, len(text) - 1
    while i <= j:
        if _width(head) <= _width(tail):
            if _width(head + text[i] + tail) > width - 1:
                break
            head, i = head + text[i], i + 1
        else:
            if _width(head + text[j] + tail) > width - 1:
                break
            tail, j = text[j] + tail, j - 1
    return head + "…" + tail


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill
