"""May a prediction be presented as the pilot's target? Only when the model beat the naive baseline.

Stage: pilot. The held-out fidelity check (``procopt.fidelity``) calibrates on the first 80 % of the log,
predicts the rest and scores procopt's model beside a naive one. A pilot predicts lead time and delivery
rate, so those two are what count here: a model that forecasts held-out lead time or delivery rate worse
than the naive model has not earned the right to set a target. ``verdict_from_fidelity`` is the one place
that turns the scorecard into a verdict; when models carry their own typed validation verdict, it is read
here instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from procopt.pilot.record import Trust

#: the pilot's main metric: a model that forecasts held-out lead time worse than naive sets no target
MAIN_METRIC = "lead_time_mean_rel_error"


def verdict_from_fidelity(fidelity: Mapping[str, object] | None) -> Trust:
    """``better`` when procopt beats the naive model on held-out lead time and on at least half the scorecard.

    ``fidelity`` is ``FidelityReport.to_dict()`` (``{"procopt": {...}, "naive": {...}}``, lower is better).
    """
    if not fidelity:
        return Trust(
            verdict="not_validated", reason="the model was not checked on held-out data", prediction_is_target=False
        )
    ours, naive = fidelity.get("procopt"), fidelity.get("naive")
    if not isinstance(ours, Mapping) or not isinstance(naive, Mapping):
        return Trust(verdict="not_validated", reason="the held-out check gave no scores", prediction_is_target=False)
    wins: dict[str, bool] = {}
    for key, a in ours.items():
        b = naive.get(key)
        if isinstance(a, int | float) and isinstance(b, int | float):
            wins[str(key)] = a <= b
    if MAIN_METRIC not in wins:
        return Trust(
            verdict="not_validated",
            reason="the held-out period was too short to score lead time",
            prediction_is_target=False,
        )
    won = sum(wins.values())
    score = f"beats the naive baseline on {won} of {len(wins)} held-out metrics"
    if not wins[MAIN_METRIC] or 2 * won < len(wins):
        lead = "" if wins[MAIN_METRIC] else ", and forecasts lead time worse than it"
        return Trust(
            verdict="worse",
            reason=f"the calibrated model only {score}{lead}",
            prediction_is_target=False,
        )
    return Trust(
        verdict="better", reason=f"the calibrated model {score}, lead time included", prediction_is_target=True
    )
