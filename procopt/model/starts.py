"""Stage 3 (model): how good is start-time estimation? Checked on logs whose starts are known.

A complete-only log (most ERP change logs) says when each step was *finished*, not when work began, so
calibration estimates processing times (``delays.estimate_durations``: the working time since the later of
the case's and the performer's previous completion, lower half kept to leave queueing out). Whether that
estimate can be trusted is measured here on a log that has start times: drop them, calibrate on the rest,
and compare each activity's estimated mean duration with the measured one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from procopt.errors import ModelError
from procopt.log import columns as C


@dataclass(frozen=True, slots=True)
class StartEstimationCheck:
    """Per activity: (instances, measured mean duration h, estimated mean duration h); overall errors."""

    activities: dict[str, tuple[int, float, float]]
    #: instance-weighted mean of |estimated - measured| / measured over activities with a measured duration
    mean_relative_error: float
    #: instance-weighted mean of (estimated - measured) / measured: below 0 when estimates run short
    mean_relative_bias: float


def check_start_estimation(events: pd.DataFrame, options: object = None) -> StartEstimationCheck:
    """Calibrate ``events`` with and without their start times and compare the activities' mean durations.

    Raises ``ModelError`` when the log has no start times to compare with.
    """
    from procopt.model.calibrate import CalibrationOptions, calibrate

    if not C.has_start_times(events):
        raise ModelError(None, "the log has no start times to check the estimate against")
    opts = options if isinstance(options, CalibrationOptions) else CalibrationOptions()
    measured = calibrate(events, opts)
    without = events.copy()
    without[C.START] = pd.NaT
    estimated = calibrate(without, opts)
    counts = events[C.ACTIVITY].astype(str).value_counts()
    rows: dict[str, tuple[int, float, float]] = {}
    errors, biases, weights = [], [], []
    for name, act in measured.activities.items():
        real_h = act.duration.mean_s / 3600.0
        est_act = estimated.activities.get(name)
        if est_act is None:
            continue
        est_h = est_act.duration.mean_s / 3600.0
        n = int(counts.get(name, 0))
        rows[name] = (n, round(real_h, 4), round(est_h, 4))
        if real_h > 0:
            errors.append(abs(est_h - real_h) / real_h)
            biases.append((est_h - real_h) / real_h)
            weights.append(n)
    if not weights or sum(weights) == 0:
        return StartEstimationCheck(rows, float("nan"), float("nan"))
    w = np.asarray(weights, dtype=float)
    return StartEstimationCheck(rows, float(np.average(errors, weights=w)), float(np.average(biases, weights=w)))
