"""Runs inside Simod's own virtual environment, never procopt's: discover a model, or simulate it with seeds.

``bench/simod_peer.py`` starts this file with the Simod venv's interpreter (Simod is not a procopt dependency and
its pins clash with procopt's), so it imports only what that venv holds.

    python simod_runner.py discover CONFIG.yaml OUT_DIR SEED
    python simod_runner.py simulate BPMN JSON CASES START OUT_DIR SEED [SEED ...]

``discover`` seeds Python's and NumPy's generators and hyperopt's (``HYPEROPT_FMIN_SEED``, read by every
``fmin`` call Simod makes), then runs Simod's command line unchanged: the candidates tried are the same from run
to run. Simod simulates each candidate in forked process pools, which this does not reach into (Python reseeds a
forked child from the OS), so the losses and hence the chosen model can differ between repeated runs.

``simulate`` runs Prosimos (Simod's simulator) once per seed, one after the other, each from
``random.seed``/``numpy.random.seed`` of that seed, writing ``simulated_log_<i>.csv`` (repeatable: the same model
and seeds give the same logs) -- the same call, start instant and case count Simod's own final evaluation uses
(test period's first start, its number of cases).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path


def _seed_all(seed: int) -> None:
    import numpy as np

    random.seed(seed)
    np.random.seed(seed % 2**32)


def discover(config: Path, out_dir: Path, seed: int) -> int:
    os.environ["HYPEROPT_FMIN_SEED"] = str(seed)
    _seed_all(seed)
    from simod.cli import main

    # click raises SystemExit with the command's exit code; return it instead of unwinding further
    try:
        main.main(["--configuration", str(config), "--output", str(out_dir)], standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def simulate(bpmn: Path, params: Path, cases: int, start: str, out_dir: Path, seeds: list[int]) -> int:
    from prosimos.simulation_engine import run_simulation

    out_dir.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds):
        _seed_all(seed)
        run_simulation(
            bpmn_path=str(bpmn),
            json_path=str(params),
            total_cases=cases,
            stat_out_path=None,
            log_out_path=str(out_dir / f"simulated_log_{i}.csv"),
            starting_at=start,
            is_event_added_to_log=False,  # activities only, as Simod's evaluation records them
        )
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "discover":
        return discover(Path(argv[1]), Path(argv[2]), int(argv[3]))
    if len(argv) >= 7 and argv[0] == "simulate":
        return simulate(Path(argv[1]), Path(argv[2]), int(argv[3]), argv[4], Path(argv[5]), [int(s) for s in argv[6:]])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
