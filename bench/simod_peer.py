"""Simod 5.2.1 as a same-run peer of ``bench/fidelity.py``: same split, same test period, same scorer.

Simod is never a procopt dependency. It lives in a virtual environment of its own (outside the repository)::

    python3 -m venv ../simod-venv && ../simod-venv/bin/pip install simod==5.2.1

and is found through ``--simod-python PATH`` or ``$PROCOPT_SIMOD_PYTHON`` (default ``../simod-venv/bin/python``
beside the repository). Its Split Miner needs Java on the PATH. For each log:

1. the training side of procopt's hold-out split is written as a CSV in Simod's column names;
2. a Simod configuration with the small optimisation budget of ``Budget`` is written (seeded);
3. ``simod_runner.py discover`` runs Simod in its venv (a subprocess); its best model is a BPMN and a
   Prosimos JSON under ``best_result/``;
4. ``simod_runner.py simulate`` runs Prosimos once per seed from the test period's first start for the test
   period's number of cases (what Simod's own final evaluation does), writing one CSV per run;
5. those CSVs are read into procopt's column layout and scored against the test side exactly as procopt's and
   the naive model's simulated logs are (``score_each``, both readings).

Where Java or Simod is missing, ``availability`` says why and the bench prints that instead of a Simod column.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from procopt.log import columns as C  # noqa: E402

SIMOD_VERSION = "5.2.1"
ENV_VAR = "PROCOPT_SIMOD_PYTHON"
DEFAULT_PYTHON = REPO.parent / "simod-venv" / "bin" / "python"
RUNNER = Path(__file__).resolve().parent / "simod_runner.py"

#: Simod's (Prosimos') column names, used for the training CSV and read back from the simulated logs
SIMOD_IDS: dict[str, str] = {
    "case": "case_id",
    "activity": "activity",
    "resource": "resource",
    "start_time": "start_time",
    "end_time": "end_time",
}
#: the case sample and its seed procopt's own candidates are scored with (``paired.Task``'s defaults)
SCORE_MAX_CASES = 20000
SCORE_SEED = 1
#: a resource Simod can assign when the log names none (Simod needs one per event)
NO_RESOURCE = "unassigned"


@dataclass(frozen=True, slots=True)
class Budget:
    """Simod's optimisation budget: hyperopt iterations x simulations per iteration, per stage.

    Simod 5.2.1's defaults are 10 x 3 (control flow), 5 x 3 (case arrival), 10 x 3 (resources) and 1 x 3
    (extraneous delays): 78 simulations of the validation period. This budget runs 22, so one log takes
    minutes on a small machine; the search explores less, which can only leave Simod's figures worse than
    with its defaults.
    """

    control_flow_iterations: int = 4
    arrival_iterations: int = 2
    resource_iterations: int = 4
    delay_iterations: int = 1
    evaluations_per_iteration: int = 2

    @staticmethod
    def simod_defaults() -> Budget:
        """Simod 5.2.1's own budget (what its configuration falls back to), for checking the reduced one."""
        return Budget(10, 5, 10, 1, 3)

    def simulations(self) -> int:
        """Simulations of the validation period the search runs in all."""
        stages = (self.control_flow_iterations, self.arrival_iterations, self.resource_iterations)
        return (sum(stages) + self.delay_iterations) * self.evaluations_per_iteration

    def describe(self) -> str:
        return (
            f"control flow {self.control_flow_iterations}, case arrival {self.arrival_iterations}, resources "
            f"{self.resource_iterations}, extraneous delays {self.delay_iterations} iterations, "
            f"{self.evaluations_per_iteration} simulations each ({self.simulations()} in all)"
        )


#: --simod-budget choices
BUDGETS: dict[str, Budget] = {"small": Budget(), "simod-defaults": Budget.simod_defaults()}


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether the peer can run: the interpreter and Simod's version, or why not."""

    python: Path | None
    version: str | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class PeerRun:
    """Simod's simulated logs of the test period (procopt's layout) and what producing them took."""

    logs: tuple[pd.DataFrame, ...]
    discover_s: float
    simulate_s: float
    output_dir: Path


class SimodFailed(RuntimeError):
    """Simod or Prosimos exited with an error; the message names the log file holding its output."""


def availability(
    explicit: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    probe: Callable[[Path], str | None] | None = None,
) -> Availability:
    """Find Simod's interpreter (``explicit``, else ``$PROCOPT_SIMOD_PYTHON``, else ``DEFAULT_PYTHON``) and Java.

    ``probe`` returns the installed Simod version for an interpreter (None when Simod does not import); tests
    pass their own so nothing is started.
    """
    env = os.environ if environ is None else environ
    chosen = explicit or env.get(ENV_VAR) or str(DEFAULT_PYTHON)
    python = Path(chosen)
    how = "--simod-python" if explicit else ENV_VAR if env.get(ENV_VAR) else "the default location"
    if which("java") is None:
        return Availability(None, None, "Java is not on the PATH (Simod's Split Miner needs Java 8 or later)")
    if not python.is_file():
        return Availability(
            None,
            None,
            f"no Python interpreter at {python} ({how}); install Simod apart from procopt: "
            f"python3 -m venv ../simod-venv && ../simod-venv/bin/pip install simod=={SIMOD_VERSION}, "
            f"then pass --simod-python or set {ENV_VAR}",
        )
    version = (probe or _probe_version)(python)
    if version is None:
        return Availability(None, None, f"{python} cannot import simod; pip install simod=={SIMOD_VERSION} there")
    return Availability(python, version, None)


def _probe_version(python: Path) -> str | None:
    code = "import importlib.metadata as m, simod; print(m.version('simod'))"
    try:
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def train_csv_frame(train: pd.DataFrame) -> pd.DataFrame:
    """The training events in Simod's columns; a missing start is the end (instant), a missing resource named."""
    start = train[C.START].fillna(train[C.END])
    resource = train[C.RESOURCE].astype("string").fillna(NO_RESOURCE) if C.RESOURCE in train else NO_RESOURCE
    frame = pd.DataFrame(
        {
            SIMOD_IDS["case"]: train[C.CASE].astype(str),
            SIMOD_IDS["activity"]: train[C.ACTIVITY].astype(str),
            SIMOD_IDS["resource"]: resource,
            # wall-clock times written as UTC: Simod reads them as UTC and Prosimos writes UTC back, so the
            # simulated log comes back on the same wall clock (read_simulated_log drops the offset)
            SIMOD_IDS["start_time"]: _iso_utc(start),
            SIMOD_IDS["end_time"]: _iso_utc(train[C.END]),
        }
    )
    return frame.sort_values([SIMOD_IDS["end_time"], SIMOD_IDS["case"]], kind="stable").reset_index(drop=True)


def _iso_utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def simod_config(train_csv: Path, budget: Budget) -> dict[str, Any]:
    """A Simod 5.2 configuration: discovery only (the bench simulates and scores), with ``budget``.

    Everything not set here is Simod's default (Split Miner v1, undifferentiated calendars, no batching or
    prioritisation, eclipse-aware extraneous delays).
    """
    per = budget.evaluations_per_iteration
    return {
        "version": 5.2,
        "common": {
            "train_log_path": str(train_csv),
            "log_ids": dict(SIMOD_IDS),
            "perform_final_evaluation": False,  # the bench runs the final simulations itself, seeded
            "clean_intermediate_files": True,
            "discover_data_attributes": False,
        },
        "control_flow": {"num_iterations": budget.control_flow_iterations, "num_evaluations_per_iteration": per},
        "case_arrival": {"num_iterations": budget.arrival_iterations, "num_evaluations_per_iteration": per},
        "resource_model": {"num_iterations": budget.resource_iterations, "num_evaluations_per_iteration": per},
        "extraneous_activity_delays": {"num_iterations": budget.delay_iterations, "num_evaluations_per_iteration": per},
    }


def write_config(path: Path, train_csv: Path, budget: Budget) -> Path:
    path.write_text(yaml.safe_dump(simod_config(train_csv, budget), sort_keys=False), encoding="utf-8")
    return path


def read_simulated_log(path: Path) -> pd.DataFrame:
    """One Prosimos CSV as a procopt contract table (wall-clock times, as in the training CSV)."""
    raw = pd.read_csv(path)
    missing = [c for c in (SIMOD_IDS[k] for k in ("case", "activity", "start_time", "end_time")) if c not in raw]
    if missing:
        raise SimodFailed(f"{path}: simulated log lacks column(s) {missing} (has {list(raw.columns)})")
    frame = pd.DataFrame(
        {
            C.CASE: raw[SIMOD_IDS["case"]].astype(str),
            C.ACTIVITY: raw[SIMOD_IDS["activity"]].astype(str),
            C.START: _wall_clock(raw[SIMOD_IDS["start_time"]]),
            C.END: _wall_clock(raw[SIMOD_IDS["end_time"]]),
            C.RESOURCE: raw.get(SIMOD_IDS["resource"], pd.NA),
        }
    )
    return C.normalise_frame(frame)


def _wall_clock(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, format="ISO8601").dt.tz_localize(None)


def _best_model(out_dir: Path) -> tuple[Path, Path]:
    """The final BPMN model and the Prosimos parameters of the same name (best_result holds other JSON too)."""
    best = out_dir / "best_result"
    for bpmn in sorted(best.glob("*.bpmn")):
        if bpmn.with_suffix(".json").is_file():
            return bpmn, bpmn.with_suffix(".json")
    raise SimodFailed(f"Simod wrote no BPMN model with its JSON parameters under {best}")


def _run(cmd: Sequence[str], log: Path, seed: int) -> None:
    # a fixed hash seed: Simod and Prosimos iterate over sets of names, whose order follows string hashes
    env = {**os.environ, "PYTHONHASHSEED": str(seed % 2**32)}
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(list(cmd), stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        raise SimodFailed(f"exit {done.returncode}, output in {log}: " + " | ".join(tail))


def run_simod(
    train: pd.DataFrame,
    *,
    start: pd.Timestamp,
    cases: int,
    seeds: Sequence[int],
    seed: int,
    python: Path,
    workdir: Path,
    budget: Budget = Budget(),
    say: Callable[[str], None] = lambda _line: None,
) -> PeerRun:
    """Discover a Simod model on ``train`` and simulate ``cases`` cases from ``start`` once per seed."""
    workdir.mkdir(parents=True, exist_ok=True)
    train_csv = workdir / "train.csv"
    train_csv_frame(train).to_csv(train_csv, index=False)
    config = write_config(workdir / "simod.yaml", train_csv, budget)
    out_dir = workdir / "simod"
    say(f"Simod {budget.describe()}; output in {workdir}")
    t0 = time.perf_counter()
    _run([str(python), str(RUNNER), "discover", str(config), str(out_dir), str(seed)], workdir / "discover.log", seed)
    discover_s = time.perf_counter() - t0
    bpmn, params = _best_model(out_dir)
    say(f"Simod discovery {discover_s:.0f} s; simulating {len(seeds)} runs of {cases} cases from {start}")
    t0 = time.perf_counter()
    sims = workdir / "simulated"
    start_text = pd.Timestamp(start).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    _run(
        [str(python), str(RUNNER), "simulate", str(bpmn), str(params), str(cases), start_text, str(sims)]
        + [str(s) for s in seeds],
        workdir / "simulate.log",
        seed,
    )
    simulate_s = time.perf_counter() - t0
    logs = tuple(read_simulated_log(sims / f"simulated_log_{i}.csv") for i in range(len(seeds)))
    return PeerRun(logs, discover_s, simulate_s, out_dir)


def score_peer(split: Any, logs: Sequence[pd.DataFrame]) -> dict[str, dict[str, float | None]]:
    """Mean scorecard per reading, exactly as ``procopt.fidelity.paired.evaluate`` scores a candidate.

    Lead time counts to each case's last completion (Simod's model names no delivery step).
    """
    from procopt.fidelity.paired import READINGS, Outcome, score_readings

    outcome = Outcome(score_readings(split, list(logs), max_cases=SCORE_MAX_CASES, seed=SCORE_SEED))
    return {reading: outcome.mean(reading) for reading in READINGS}
