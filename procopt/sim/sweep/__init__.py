"""Stage 5 (sim): parameter sweeps — how much volume can we promise before delivery collapses?

Sales wants +30 % orders, production says the plant is full. A sweep settles it with one picture: the
calibrated model is run over a grid (order volume x extra capacity in a pool), every point with the same
replications and seeds (common random numbers), and the on-time delivery rate and the P90 lead time are drawn
against orders per week, with confidence bands and the point where the queues stop draining (unstable). The
*knee* is the largest volume at which delivery still holds (within ``tolerance`` of the lowest-volume point)
and the system is stable.

A ``--vary`` spec names one dimension of the grid:
``arrivals.scale=1.0:1.5:0.05`` (start:stop:step, both ends included), ``arrivals.scale=1,1.2,1.5`` (a list),
``capacity.<pool>=0:3:1`` (people added to the pool), ``capacity.<pool>.set=2:6:1`` (pool size set outright).
"""

from procopt.sim.sweep.knee import Knee, find_knee
from procopt.sim.sweep.run import SweepResult, check_varies, run_sweep, write_sweep
from procopt.sim.sweep.spec import MAX_POINTS, Vary, group_label, parse_vary, sweep_grid

__all__ = [
    "MAX_POINTS",
    "Knee",
    "SweepResult",
    "Vary",
    "check_varies",
    "find_knee",
    "group_label",
    "parse_vary",
    "run_sweep",
    "sweep_grid",
    "write_sweep",
]
