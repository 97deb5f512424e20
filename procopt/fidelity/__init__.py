"""Stage 6 (fidelity, after sim): how faithful is a calibrated model? Hold-out scorecard vs a naive baseline.

``evaluate_fidelity(events)`` splits the log as the published benchmarks do (``holdout_split``), calibrates on
the past, simulates the test period and scores the simulated logs against the real one (``score_logs``).
"""

from __future__ import annotations

from procopt.fidelity.evaluate import FidelityReport, evaluate_fidelity, run_seeds
from procopt.fidelity.scorecard import METRIC_KEYS, score_logs
from procopt.fidelity.split import holdout_split

__all__ = ["METRIC_KEYS", "FidelityReport", "evaluate_fidelity", "holdout_split", "run_seeds", "score_logs"]
