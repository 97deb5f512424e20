"""May a prediction be presented as the pilot's target? Only when the model validated better than naive.

Stage: pilot. The held-out check (``procopt.fidelity.verdict``) chooses and validates the model on the last
20 % of the log beside a naive baseline, paired over 10 simulated logs, and writes its verdict into the model
(``SimulationModel.validation``). The pilot reads that verdict, so a pilot plan, ``procopt model`` and the
report can never judge the same model differently: only ``better`` lets the prediction set the pilot's target.
"""

from __future__ import annotations

from procopt.model.types import Validation
from procopt.pilot.record import Trust, Verdict


def trust_from_validation(validation: Validation | None) -> Trust:
    """The pilot's ``Trust`` from the model's held-out verdict (``not_validated`` without one)."""
    if validation is None:
        return Trust(
            verdict="not_validated", reason="the model was not checked on held-out data", prediction_is_target=False
        )
    verdict: Verdict = "not_validated"
    if validation.verdict in ("better", "worse"):
        verdict = "better" if validation.verdict == "better" else "worse"
    reason = validation.reason or {
        "better": "the calibrated model beats the naive baseline on held-out lead time and cycle times",
        "worse": "the calibrated model is behind the naive baseline on held-out timing",
    }.get(verdict, "the held-out check gave no verdict")
    if verdict == "better":
        reason = f"the calibrated model is ahead of the naive baseline on held-out timing: {reason}"
    return Trust(verdict=verdict, reason=reason, prediction_is_target=verdict == "better")
