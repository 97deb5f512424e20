"""pilot: from a prediction to a pilot and back (stage after fidelity, before report).

``plan_pilot`` turns a fix (a scenario), a segment and a window into a versioned ``PilotRecord`` with the
predicted effect for the segment and the smallest effect the window can detect; ``evaluate_pilot`` measures a
pilot in its log against a control group (difference-in-differences, week-block bootstrap) and decides;
``backtest`` checks procopt's prediction of a change the company already made. The one-page documents and the
improvement register are rendered by the CLI with ``procopt.report``.
"""

from procopt.pilot.backtest import backtest
from procopt.pilot.evaluate import PilotEvaluation, evaluate_pilot
from procopt.pilot.plan import PlanOptions, plan_pilot
from procopt.pilot.record import PilotRecord, load_record, save_record

__all__ = [
    "PilotEvaluation",
    "PilotRecord",
    "PlanOptions",
    "backtest",
    "evaluate_pilot",
    "load_record",
    "plan_pilot",
    "save_record",
]
