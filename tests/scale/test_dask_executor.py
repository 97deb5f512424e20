"""The Dask executor: errors a user can fix (exit 2, no hang), the version check, and a real cluster
(``dask scheduler`` + two ``dask worker`` processes) giving byte-identical results to the local run."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from procopt._io import dumps_json
from procopt.cli import main
from procopt.model.types import SimulationModel
from procopt.scenario import scenario_from_dict
from procopt.sim.executors.dask_executor import version_mismatches
from procopt.sim.experiment import RunConfig, run_experiment

pytest.importorskip("distributed", reason="the Dask extra is not installed (pip install 'procopt[dask]')")

CFG = RunConfig(replications=4, days=20, warmup_days=3, seed=11, workers=1, drain_days=5)
PLUS_ONE = scenario_from_dict({"name": "plus_one", "changes": [{"capacity": {"activity": "Check", "add": 1}}]})


def test_dask_without_an_address_is_refused(model_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROCOPT_DASK_SCHEDULER", raising=False)
    r = CliRunner().invoke(main, ["simulate", str(model_yaml), "--executor", "dask"])
    assert r.exit_code == 2
    assert "--executor dask needs the scheduler's address" in r.output
    assert "PROCOPT_DASK_SCHEDULER" in r.output


def test_an_unreachable_scheduler_is_an_error_not_a_hang(model_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PROCOPT_DASK_SCHEDULER", f"tcp://127.0.0.1:{port}")
    monkeypatch.setenv("PROCOPT_DASK_CONNECT_TIMEOUT", "2")
    started = time.monotonic()
    r = CliRunner().invoke(main, ["simulate", str(model_yaml), "--executor", "dask", "--replications", "2"])
    assert r.exit_code == 2, r.output
    assert f"no Dask scheduler answered at tcp://127.0.0.1:{port} within 2 s" in r.output
    assert "dask scheduler" in r.output  # the hint says how to start one
    assert time.monotonic() - started < 60


def test_a_bad_connect_timeout_is_refused(model_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCOPT_DASK_CONNECT_TIMEOUT", "soon")
    r = CliRunner().invoke(main, ["simulate", str(model_yaml), "--executor", "dask", "--scheduler", "tcp://x:1"])
    assert r.exit_code == 2 and "PROCOPT_DASK_CONNECT_TIMEOUT='soon'" in r.output


def test_version_mismatches_name_the_worker_and_the_package() -> None:
    here = {"procopt": "0.1.0", "numpy": "2.1.0", "pandas": "2.2.3", "simpy": "4.1.1", "python": "3.11.7"}
    same = {"tcp://a:1": dict(here, python="3.11.9")}  # a patch release of Python does not matter
    assert version_mismatches(here, same) == []
    other = {"tcp://a:1": dict(here, numpy="1.26.4"), "tcp://b:2": dict(here, procopt=None, python="3.12.1")}
    assert version_mismatches(here, other) == [
        "tcp://a:1: numpy 1.26.4 (here: 2.1.0)",
        "tcp://b:2: procopt not installed (here: 0.1.0)",
        "tcp://b:2: python 3.12.1 (here: 3.11.7)",
    ]


# --- a real cluster: processes started by the dask_cluster fixture ---------------------------------------


def test_a_real_cluster_gives_byte_identical_results(dask_cluster: str, queue_model: SimulationModel) -> None:
    from procopt.sim.executors.dask_executor import DaskExecutor

    local = run_experiment(queue_model, [PLUS_ONE], CFG)
    with DaskExecutor(dask_cluster) as ex:
        assert ex.parallelism == 2
        seen: list[tuple[int, int]] = []
        remote = run_experiment(queue_model, [PLUS_ONE], CFG, executor=ex, progress=lambda d, t: seen.append((d, t)))
        again = run_experiment(queue_model, [PLUS_ONE], CFG, executor=ex)
    assert dumps_json(remote.to_dict()) == dumps_json(local.to_dict())
    assert remote.per_replication.to_csv() == local.per_replication.to_csv()
    assert again.per_replication.to_csv() == local.per_replication.to_csv()
    assert seen[-1] == (8, 8) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_simulate_on_a_real_cluster_matches_the_local_json(dask_cluster: str, model_yaml: Path) -> None:
    args = ["simulate", str(model_yaml), "--replications", "3", "--days", "20", "--warmup-days", "3", "--json"]
    local = CliRunner().invoke(main, [*args, "--workers", "2"])
    remote = CliRunner().invoke(main, [*args, "--executor", "dask", "--scheduler", dask_cluster])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    a, b = json.loads(local.stdout), json.loads(remote.stdout)
    assert a["config"].pop("workers") == 2 and b["config"].pop("workers") is None  # the only setting that differs
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert b["runs"][0]["replications"] == 3


def test_workers_with_other_versions_are_refused(
    dask_cluster: str, monkeypatch: pytest.MonkeyPatch, model_yaml: Path
) -> None:
    import procopt.sim.executors.dask_executor as dx

    real = dx.local_versions

    def pretend_newer() -> dict[str, str]:
        return dict(real(), procopt="99.0.0")

    monkeypatch.setattr(dx, "local_versions", pretend_newer)
    r = CliRunner().invoke(main, ["simulate", str(model_yaml), "--executor", "dask", "--scheduler", dask_cluster])
    assert r.exit_code == 2, r.output
    assert "the Dask workers run other versions than this machine" in r.output
    assert "procopt 0.1.0 (here: 99.0.0)" in r.output or "(here: 99.0.0)" in r.output
    assert "Hint: Install the same versions on every worker" in r.output


def test_tasks_lost_with_a_dead_worker_run_again(dask_cluster: str) -> None:
    """Kill one worker process while it holds tasks: the run still returns every result, in order."""
    import signal
    import threading

    from procopt.sim.executors.dask_executor import DaskExecutor

    with DaskExecutor(dask_cluster, connect_timeout_s=60) as ex:
        pids = ex.client.run(os.getpid)  # worker address -> process id (the nanny restarts a killed one)
        out: list[object] = []
        # time.sleep is pickled by reference to the standard library, so any worker can run it
        run = threading.Thread(target=lambda: out.extend(ex.map(time.sleep, [1.5] * 8)))
        run.start()
        time.sleep(2.0)  # both workers are busy with their first chunk
        victim = sorted(pids.values())[0]
        os.kill(victim, signal.SIGKILL)
        run.join(timeout=120)
        assert not run.is_alive(), "the run did not finish after a worker died"
        assert out == [None] * 8
        ex.client.wait_for_workers(2, timeout=60)  # the nanny brought a new worker up for the next tests
        assert victim not in ex.client.run(os.getpid).values()


@pytest.mark.slow
def test_model_fidelity_check_on_a_real_cluster_matches_local(
    dask_cluster: str, repo_root: Path, tmp_path: Path
) -> None:
    log = str(repo_root / "sample_logs" / "o2c_orders.csv")
    base = ["model", log, "--runs", "2", "--json"]
    local = CliRunner().invoke(main, [*base, "--out", str(tmp_path / "a.yaml"), "--workers", "1"])
    remote = CliRunner().invoke(
        main, [*base, "--out", str(tmp_path / "b.yaml"), "--executor", "dask", "--scheduler", dask_cluster]
    )
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    a, b = json.loads(local.stdout)["fidelity"], json.loads(remote.stdout)["fidelity"]
    assert a is not None and json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_an_interrupt_cancels_the_dask_tasks(dask_cluster: str) -> None:
    import os
    import signal
    import threading

    from distributed import Client

    from procopt.sim.executors.dask_executor import DaskExecutor

    ex = DaskExecutor(dask_cluster)
    try:
        # a real SIGINT, as Ctrl-C / kill -INT sends it: it wakes the main thread where it blocks on the cluster
        # (_thread.interrupt_main only sets a flag, seen when the main thread next runs Python code -- on a busy
        # machine that was after every task had finished, and the map returned normally); tasks of 8 s leave a
        # late timer thread time to fire
        timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            ex.map(time.sleep, [8.0] * 12)
        timer.cancel()
        # the executor's client is still connected: only a cancel can have removed its replication tasks
        with Client(dask_cluster, timeout=10, set_as_default=False) as watcher:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                keys = watcher.run_on_scheduler(lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks])
                if not any(k.startswith("procopt-replications-") for k in keys):
                    break
                time.sleep(0.3)
        assert not any(k.startswith("procopt-replications-") for k in keys), keys
    finally:
        ex.close()
