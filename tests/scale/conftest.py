"""Fixtures for the scale tests: a small queueing model with a known answer, saved as YAML for CLI runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from procopt.model.types import (
    Activity,
    Arrivals,
    Branch,
    Calendar,
    CaseAttributes,
    Decision,
    Distribution,
    DuePolicy,
    Pool,
    Routing,
    SimulationModel,
)


def make_queue_model(rho: float = 0.75) -> SimulationModel:
    """Orders (exponential gaps of 1 h) -> Check (2 people, utilisation ``rho``) -> Ship (unlimited)."""
    gap = 3600.0
    return SimulationModel(
        arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": gap})),
        activities={
            "Check": Activity("Check", "credit", Distribution("exponential", {"mean_s": 2 * gap * rho})),
            "Ship": Activity("Ship", "dispatch", Distribution("fixed", {"value_s": 600.0})),
        },
        pools={"credit": Pool("credit", 2, "24/7", ("ann", "bob")), "dispatch": Pool("dispatch", None, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=Routing(
            (
                Decision("START", (Branch({"Check": 1.0}),)),
                Decision("Check", (Branch({"Ship": 1.0}),)),
                Decision("Ship", (Branch({"END": 1.0}),)),
            )
        ),
        attributes=CaseAttributes(("order_value",), ((100.0,), (900.0,))),
        due=DuePolicy("sla", sla_s=8 * 3600.0),
        delivery_activity="Ship",
    )


@pytest.fixture()
def queue_model() -> SimulationModel:
    return make_queue_model()


@pytest.fixture(scope="session")
def model_yaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The queue model as a YAML file, as ``procopt simulate`` reads it."""
    from procopt.model.io import save_model

    path = tmp_path_factory.mktemp("model") / "queue.yaml"
    save_model(make_queue_model(), path)
    return path


@pytest.fixture(scope="session")
def plus_one_yaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenario adding one person to the Check pool."""
    path = tmp_path_factory.mktemp("scenario") / "plus_one.yaml"
    path.write_text("name: plus_one\nchanges:\n  - capacity: {activity: Check, add: 1}\n", encoding="utf-8")
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real cluster: one ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (random free ports).

    Yields the scheduler address; stops every process it started (their whole process groups, as a worker
    runs under a nanny) on teardown. Skips, saying why, only when the processes cannot start here.
    """
    import contextlib
    import os
    import signal
    import subprocess
    import sys
    import time

    pytest.importorskip("distributed", reason="the Dask extra is not installed (pip install 'procopt[dask]')")
    dask_cli = Path(sys.executable).with_name("dask")
    if not dask_cli.exists():
        pytest.skip(f"no `dask` command beside {sys.executable}")
    logs = tmp_path_factory.mktemp("dask-cluster")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = {"start_new_session": True, "cwd": str(logs)}
    procs: list[subprocess.Popen[bytes]] = []
    files: list[Any] = []  # the processes' log files, closed with them

    def start(name: str, args: list[str]) -> None:
        out = (logs / f"{name}.log").open("wb")
        files.append(out)
        procs.append(subprocess.Popen([str(dask_cli), *args], stdout=out, stderr=subprocess.STDOUT, **common))  # type: ignore[call-overload]

    try:
        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"])
        for i in range(2):
            start(
                f"worker{i}",
                [
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--dashboard-address",
                    ":0",
                    "--local-directory",
                    str(logs / f"w{i}"),
                ],
            )
        from distributed import Client

        deadline = time.monotonic() + 120
        ready = False
        while time.monotonic() < deadline and not ready:
            if any(p.poll() is not None for p in procs):
                break
            try:
                with Client(address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                    ready = True
            except (OSError, TimeoutError):
                time.sleep(0.5)
        if not ready:
            tails = "\n".join(f"{f.name}: {f.read_text(errors='replace')[-400:]}" for f in sorted(logs.glob("*.log")))
            pytest.skip(f"a local Dask scheduler and two workers could not start on 127.0.0.1:\n{tails}")
        yield address
    finally:
        for p in procs:  # the group too: a worker's nanny has a child process
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
        for f in files:
            f.close()
