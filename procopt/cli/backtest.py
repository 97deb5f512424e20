"""``procopt backtest``: would procopt have predicted a change the company already made?"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import click

from procopt.cli.common import emit_json
from procopt.cli.options import json_option, map_option, replications_option, seed_option


@click.command("backtest")
@click.argument("log", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--change-at",
    "change_at",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the change took effect, e.g. 2025-05-06.",
)
@click.option(
    "--scenario",
    "scenario_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The change, written as a scenario.",
)
@replications_option(10, minimum=2, help_text="Replications of each period's simulation.")
@map_option
@seed_option
@json_option
def command(
    log: str,
    change_at: datetime.datetime,
    scenario_path: str,
    replications: int,
    map_: str | None,
    seed: int,
    as_json: bool,
) -> None:
    """Calibrate on LOG before --change-at, apply --scenario, predict the period after and compare with the log.

    \b
    Example:
      procopt backtest orders.csv --change-at 2025-05-06 --scenario scenarios/remove_director_approval.yaml --json
    """
    from procopt.cli.pilot import _read
    from procopt.pilot.backtest import backtest
    from procopt.scenario.load import load_scenario

    scenario = load_scenario(scenario_path)
    elog = _read(log, map_)
    click.echo("Calibrating on the log before the change and simulating the period after ...", err=True)
    result = backtest(
        elog.events,
        change_at=change_at.date(),
        scenario=scenario,
        log_name=Path(log).name,
        replications=replications,
        seed=seed,
    ).to_dict()
    if as_json:
        emit_json(result)
        return
    click.echo(_summary(result))


def _signed(x: Any, unit: str, scale: float = 1.0) -> str:
    return "—" if x is None else f"{scale * x:+.1f}{unit}"


def _summary(r: dict[str, Any]) -> str:
    def h(x: Any) -> str:
        return "—" if x is None else f"{x:.1f} h"

    def pct(x: Any) -> str:
        return "—" if x is None else f"{100 * x:.1f}%"

    def pi(p: Any, f: Any) -> str:
        return "" if p is None else f" (95% prediction interval {f(p[0])} to {f(p[1])})"

    pl, pr = r["predicted"]["lead_time_hours"], r["predicted"]["delivery_rate"]
    ol, orate = r["observed"]["lead_time_hours"]["mean"], r["observed"]["delivery_rate"]["value"]
    cl, cr = r["predicted_change"]["lead_time_hours"], r["predicted_change"]["delivery_rate"]
    lines = [
        f"Back-test of {r['scenario']} on {r['log']}: change on {r['change_at']}, {r['period_days']:.0f} days after it "
        f"({r['observed']['cases']} cases), {r['replications']} replications",
        f"  before the change:  lead time {h(r['before']['lead_time_hours']['mean'])}, on time {pct(r['before']['delivery_rate']['value'])}",
        f"  predicted after:    lead time {h(pl['mean'])}{pi(pl['pi95'], h)}, on time {pct(pr['value'])}{pi(pr['pi95'], pct)}",
        f"  observed after:     lead time {h(ol)}, on time {pct(orate)}",
        f"  predicted effect of the change: lead time {_signed(cl['value'], ' h')}, delivery rate "
        f"{_signed(cr['value'], ' pt', 100)}",
        f"  observed change (after - before, everything that changed): lead time "
        f"{_signed(r['observed_change']['lead_time_hours']['value'], ' h')}, delivery rate "
        f"{_signed(r['observed_change']['delivery_rate']['value'], ' pt', 100)}",
        f"  observed inside the prediction interval: lead time {r['within_interval']['lead_time_hours']}, "
        f"delivery rate {r['within_interval']['delivery_rate']}",
        "  fidelity after the change: " + ", ".join(f"{k} {v:.3f}" for k, v in r["fidelity"].items() if v is not None),
    ]
    return "\n".join(lines)
