"""Print the back-test and pilot-evaluation accuracy on generated logs whose true effects are known.

Run: ``.venv/bin/python tests/pilot/ground_truth_accuracy.py`` (several minutes). The README quotes its output.
Back-test: the finance director's approval is removed company-wide on 2025-06-02; the true change is the
same-seed run with vs without it. Pilot: product B skips that approval from 2025-06-02 for four weeks while
picking slows down for everyone (x1.4); the true effect is the same-seed run with vs without the pilot.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from _pilot_helpers import make_record, window_means

from procopt.generate import Intervention, Switch, generate
from procopt.log import columns as C
from procopt.pilot.backtest import _observed, backtest
from procopt.pilot.evaluate import evaluate_pilot
from procopt.scenario.load import scenario_from_dict

START = datetime.date(2025, 6, 2)
DIRECTOR = "Approve Order (Finance Director)"
NO_DIRECTOR = {"name": "no_director", "changes": [{"remove_activity": DIRECTOR}]}


def backtests(seeds: tuple[int, ...]) -> None:
    print(
        "back-test: seed, true lead-time change h, predicted (95% CI), within max(3 h, 25%); true vs predicted delivery-rate change"
    )
    for seed in seeds:
        with_change = generate(
            "o2c", seed=seed, days=126, switches=(Switch(START, Intervention(remove_activities=(DIRECTOR,))),)
        )
        without = generate("o2c", seed=seed, days=126)
        last, t = with_change.events[C.END].max(), pd.Timestamp(START)
        la, ra, _ = _observed(with_change.events, "Ship Goods", t, last)
        lb, rb, _ = _observed(without.events, "Ship Goods", t, last)
        r = backtest(
            with_change.events, change_at=START, scenario=scenario_from_dict(NO_DIRECTOR), log_name="x", replications=10
        ).to_dict()
        p = r["predicted_change"]
        true_lead, true_rate = la - lb, ra - rb
        ok = abs(p["lead_time_hours"]["value"] - true_lead) <= max(3.0, 0.25 * abs(true_lead))
        print(
            f"  {seed}: {true_lead:+.1f} h vs {p['lead_time_hours']['value']:+.1f} h {p['lead_time_hours']['ci95']} {ok}; "
            f"{true_rate:+.3f} vs {p['delivery_rate']['value']:+.3f}; observed in pi95: {r['within_interval']}"
        )


def pilots(seeds: tuple[int, ...], weeks: int = 4) -> None:
    print(f"pilot ({weeks} weeks): seed, true DiD effect h, observed (95% CI), truth inside CI")
    drift = Switch(START, Intervention(duration_scale={"Pick Goods": 1.4}))
    pilot = Switch(START, Intervention(remove_activities=(DIRECTOR,)), "product == 'B'")
    days = 91 + 7 * weeks + 7
    for seed in seeds:
        a = window_means(generate("o2c", seed=seed, days=days, switches=(pilot, drift)).events, START, weeks)
        cf = generate("o2c", seed=seed, days=days, switches=(drift,))
        b = window_means(cf.events, START, weeks)
        log = generate("o2c", seed=seed, days=days, switches=(pilot, drift))
        true = (a["pilot"] - b["pilot"]) - (a["control"] - b["control"])
        ev = evaluate_pilot(make_record(weeks=weeks), log.events, log_name="x").record.evaluation
        obs = ev.observed_effect.lead_time_hours
        inside = obs.ci95[0] <= true <= obs.ci95[1]
        print(f"  {seed}: {true:+.1f} h vs {obs.value:+.1f} h {list(obs.ci95)} {inside}")


if __name__ == "__main__":
    backtests((2, 5, 7))
    pilots((3, 4, 5, 6))
