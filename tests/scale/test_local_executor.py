"""The local executor: chunks cover every task once, warm workers are reused, results never depend on
the number of workers, and an interrupt stops the run and its workers at once."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from procopt._io import dumps_json
from procopt.cli import main
from procopt.model.types import SimulationModel
from procopt.scenario import scenario_from_dict
from procopt.sim.executor import LocalExecutor, chunked
from procopt.sim.experiment import RunConfig, run_experiment

CFG = RunConfig(replications=6, days=20, warmup_days=3, seed=7, workers=1, drain_days=5)
PLUS_ONE = scenario_from_dict({"name": "plus_one", "changes": [{"capacity": {"activity": "Check", "add": 1}}]})
PROCOPT = [sys.executable, "-m", "procopt"]


@given(st.integers(0, 500), st.integers(1, 64))
def test_chunks_cover_every_task_once_in_order(n: int, workers: int) -> None:
    chunks = chunked(n, workers)
    assert [i for c in chunks for i in c] == list(range(n))
    assert all(len(c) > 0 for c in chunks)
    assert len(chunks) <= max(1, n) and (n == 0 or len(chunks) <= workers * 4 + 1)


def _pid_and_square(shared: int, task: int) -> tuple[int, int]:
    return os.getpid(), shared * task * task


def test_workers_stay_alive_across_runs_with_the_same_payload() -> None:
    with LocalExecutor(2) as ex:
        first = ex.run(_pid_and_square, 3, list(range(12)))
        pool = ex._pool
        second = ex.run(_pid_and_square, 3, list(range(12)))
        assert ex._pool is pool  # one pool for both runs
        # the pool starts its processes on demand (on a busy machine the first run may need only one), so the
        # test is that no process of the first run was replaced: all are still the pool's
        alive = set(pool._processes) if pool is not None else set()
    assert [v for _, v in first] == [3 * i * i for i in range(12)]
    pids_first, pids_second = {p for p, _ in first}, {p for p, _ in second}
    assert os.getpid() not in pids_first and len(alive) <= 2
    assert pids_first <= alive and pids_second <= alive


def test_a_new_payload_reaches_the_workers() -> None:
    with LocalExecutor(2) as ex:
        assert [v for _, v in ex.run(_pid_and_square, 1, [1, 2, 3])] == [1, 4, 9]
        assert [v for _, v in ex.run(_pid_and_square, 10, [1, 2, 3])] == [10, 40, 90]


def _fail_on_three(shared: int, task: int) -> int:
    if task == 3:
        raise ValueError("task 3 failed")
    return task


def test_an_error_in_a_task_reaches_the_caller_and_stops_the_pool() -> None:
    ex = LocalExecutor(2)
    with pytest.raises(ValueError, match="task 3 failed"):
        ex.run(_fail_on_three, 0, list(range(8)))
    assert ex._pool is None  # terminated, not left running


@pytest.mark.parametrize("workers", [2, 3])
def test_results_byte_identical_for_any_worker_count(queue_model: SimulationModel, workers: int) -> None:
    serial = dumps_json(run_experiment(queue_model, [PLUS_ONE], CFG).to_dict()["runs"])
    parallel = dumps_json(
        run_experiment(queue_model, [PLUS_ONE], dataclasses.replace(CFG, workers=workers)).to_dict()["runs"]
    )
    assert serial == parallel


def test_one_executor_serves_several_experiments_identically(queue_model: SimulationModel) -> None:
    with LocalExecutor(2) as ex:
        a = run_experiment(queue_model, [PLUS_ONE], CFG, executor=ex).per_replication
        b = run_experiment(queue_model, [], CFG, executor=ex).per_replication
    serial = run_experiment(queue_model, [PLUS_ONE], CFG).per_replication
    assert a.to_csv() == serial.to_csv()
    assert b.to_csv() == serial[serial["scenario"] == "baseline"].to_csv()


def test_the_time_estimate_is_announced_before_a_long_run(
    queue_model: SimulationModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    import procopt.scale.estimate as estimate

    heard: list[str] = []
    monkeypatch.setattr(estimate, "ANNOUNCE_FROM_S", 0.0)
    run_experiment(queue_model, [PLUS_ONE], CFG, announce=heard.append)
    assert len(heard) == 1 and heard[0].startswith("About ") and "12 replications" in heard[0]
    est = estimate.estimate_run(queue_model, [queue_model], replications=10, days=70, parallelism=2)
    assert est is not None
    # one arrival per hour for 70 days, two steps each: about 3360 instances per replication
    assert est.instances == pytest.approx(10 * 70 * 24 * 2, rel=0.15)
    assert est.parallelism == 2 and est.seconds > 0


def test_a_short_run_is_not_announced(queue_model: SimulationModel) -> None:
    heard: list[str] = []
    run_experiment(queue_model, [], dataclasses.replace(CFG, replications=1), announce=heard.append)
    assert heard == []


@pytest.mark.parametrize(
    "command",
    [
        ["simulate", "{model}"],
        ["sweep", "{model}", "--vary", "arrivals.scale=1,1.2", "--out", "{tmp}/sweep"],
        ["report", "{log}", "--out", "{tmp}/report"],
    ],
)
def test_every_command_refuses_replications_outside_1_to_1000(
    command: list[str], model_yaml: Path, repo_root: Path, tmp_path: Path
) -> None:
    args = [a.format(model=model_yaml, tmp=tmp_path, log=repo_root / "sample_logs" / "o2c_orders.csv") for a in command]
    for bad in ("0", "100000"):
        result = CliRunner().invoke(main, [*args, "--replications", bad])
        assert result.exit_code == 2, result.output
        assert "--replications" in result.output and "1<=x<=1000" in result.output


def test_workers_and_scheduler_belong_to_their_own_executor(model_yaml: Path) -> None:
    r = CliRunner().invoke(main, ["simulate", str(model_yaml), "--executor", "dask", "--workers", "2"])
    assert r.exit_code == 2 and "--workers" in r.output and "--executor local only" in r.output
    r = CliRunner().invoke(main, ["simulate", str(model_yaml), "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code == 2 and "needs --executor dask" in r.output


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _interrupt_while_workers_run(args: list[str], timeout_s: float) -> tuple[int, str, list[int], float]:
    """Start procopt, wait until its worker processes exist, send SIGINT to the main process alone."""
    proc = subprocess.Popen(
        [*PROCOPT, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # a fresh session: the signal reaches only the main process, as `kill -INT PID` does
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + timeout_s
    kids: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        kids = _children(proc.pid)
        if len(kids) >= 2:
            break
        time.sleep(0.1)
    if len(kids) < 2:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the workers never started: {err.decode()[-800:]}")
    time.sleep(0.5)  # let them pick up work
    sent = time.monotonic()
    os.kill(proc.pid, signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("procopt did not exit within 30 s of SIGINT")
    took = time.monotonic() - sent
    time.sleep(0.3)
    alive = [k for k in kids if Path(f"/proc/{k}").exists() and "zombie" not in _state(k)]
    return proc.returncode, err.decode(), alive, took


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "gone"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads worker processes from /proc")
def test_sigint_to_simulate_exits_130_and_stops_its_workers(model_yaml: Path) -> None:
    args = ["simulate", str(model_yaml), "--replications", "400", "--days", "300", "--workers", "2"]
    code, err, alive, took = _interrupt_while_workers_run(args, timeout_s=60)
    assert code == 130, err
    assert "Interrupted; no output was written." in err
    assert alive == []
    assert took < 20  # generous for a loaded machine; the hang this guards against never ends


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads worker processes from /proc")
def test_sigint_to_report_exits_130_and_stops_its_workers(repo_root: Path, tmp_path: Path) -> None:
    log = repo_root / "sample_logs" / "o2c_orders.csv"
    args = ["report", str(log), "--out", str(tmp_path / "r"), "--replications", "300", "--workers", "2"]
    code, err, alive, took = _interrupt_while_workers_run(args, timeout_s=240)
    assert code == 130, err
    assert "Interrupted; no output was written." in err
    assert alive == [] and took < 20
    assert not (tmp_path / "r").exists()


def test_estimate_is_printed_on_stderr_not_in_json(model_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import procopt.scale.estimate as estimate

    monkeypatch.setattr(estimate, "ANNOUNCE_FROM_S", 0.0)
    r = CliRunner().invoke(
        main,
        [
            "simulate",
            str(model_yaml),
            "--replications",
            "2",
            "--days",
            "20",
            "--warmup-days",
            "3",
            "--workers",
            "1",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert r.stderr.startswith("About ")
    assert json.loads(r.stdout)["config"]["replications"] == 2


@pytest.mark.slow
def test_model_fidelity_check_is_identical_on_two_workers(repo_root: Path, tmp_path: Path) -> None:
    log = str(repo_root / "sample_logs" / "o2c_orders.csv")
    docs = []
    for workers in ("1", "2"):
        r = CliRunner().invoke(
            main,
            ["model", log, "--out", str(tmp_path / f"m{workers}.yaml"), "--runs", "2", "--workers", workers, "--json"],
        )
        assert r.exit_code == 0, r.output
        docs.append(json.loads(r.stdout)["fidelity"])
    assert docs[0] is not None and json.dumps(docs[0], sort_keys=True) == json.dumps(docs[1], sort_keys=True)
