"""Replications on a Dask cluster: the same ``run`` as ``LocalExecutor``, spread over ``dask worker`` processes.

Picture a call centre that hands each agent the product manual once (``scatter(..., broadcast=True)``: the
simulation models reach every worker once) and then only short tickets (chunks of (scenario, replication)
pairs). Results are collected in task order, so a run on a cluster is byte-identical to a local run with the
same seed. What a cluster adds, and is handled here:

- an address that does not answer: a connect timeout, then a clear error (exit status 2), never a hang;
- workers with other versions of procopt, numpy, pandas, simpy or Python: refused before any work, because
  other versions may draw other random numbers or not unpickle the model at all;
- a worker that dies: the scheduler reruns its tasks elsewhere (``allowed-failures``), and a task that
  raises is retried ``retries`` times;
- an interrupt: queued and running tasks are cancelled before the exception goes on.

``distributed`` is an optional dependency (``pip install 'procopt[dask]'``); it is imported only here.
"""

from __future__ import annotations

import importlib.metadata
import platform
import uuid
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar

from procopt.errors import ProcoptError
from procopt.sim.executor import Progress, chunked

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

#: packages whose versions must match between this machine and every worker
CHECKED_PACKAGES = ("procopt", "numpy", "pandas", "simpy")
DEFAULT_CONNECT_TIMEOUT_S = 10.0
SCHEDULER_ENV = "PROCOPT_DASK_SCHEDULER"
INSTALL_HINT = "Install it with: pip install 'procopt[dask]'"


def _run_chunk(fn: Callable[[Any, Any], Any], shared: Any, chunk: Sequence[Any]) -> list[Any]:
    """One task on a worker: ``shared`` arrives as the scattered payload, resolved by Dask."""
    return [fn(shared, task) for task in chunk]


def _call_plain(fn: Callable[[Any], Any], task: Any) -> Any:
    return fn(task)


def local_versions() -> dict[str, str]:
    """Versions of the checked packages (and Python) on this machine."""
    out = {name: importlib.metadata.version(name) for name in CHECKED_PACKAGES}
    out["python"] = platform.python_version()
    return out


def version_mismatches(local: dict[str, str], workers: dict[str, dict[str, str | None]]) -> list[str]:
    """One line per worker and package whose version differs from ours (``None``: not installed there)."""
    lines = []
    for worker in sorted(workers):
        for name, mine in local.items():
            theirs = workers[worker].get(name)
            if name == "python":  # a pickle crosses patch releases, not minor ones
                same = theirs is not None and theirs.split(".")[:2] == mine.split(".")[:2]
            else:
                same = theirs == mine
            if not same:
                lines.append(f"{worker}: {name} {theirs or 'not installed'} (here: {mine})")
    return lines


class DaskExecutor:
    """Run tasks on the Dask cluster whose scheduler listens at ``address`` (``tcp://host:8786``)."""

    def __init__(
        self,
        address: str,
        *,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
        retries: int = 2,
        check_versions: bool = True,
    ) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ProcoptError(
                "--executor dask needs the Dask extra, which is not installed", hint=INSTALL_HINT
            ) from exc
        self.address = address
        self.retries = retries
        try:
            self.client: Any = Client(  # type: ignore[no-untyped-call]  # distributed ships no types for it
                address, timeout=connect_timeout_s, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise ProcoptError(
                f"no Dask scheduler answered at {address} within {connect_timeout_s:g} s ({type(exc).__name__})",
                hint="Start one with `dask scheduler` (it prints its tcp:// address) and pass it with --scheduler "
                f"or {SCHEDULER_ENV}; check the host, the port (default 8786) and the firewall.",
            ) from exc
        self._scattered: tuple[int, Any, Any] | None = None
        try:
            self._wait_for_workers(connect_timeout_s)
            if check_versions:
                self.check_versions()
        except BaseException:
            self.close()
            raise

    def _wait_for_workers(self, timeout_s: float) -> None:
        try:
            self.client.wait_for_workers(1, timeout=timeout_s)
        except (OSError, TimeoutError) as exc:
            raise ProcoptError(
                f"the Dask scheduler at {self.address} has no workers (none joined within {timeout_s:g} s)",
                hint=f"Start workers with `dask worker {self.address} --nthreads 1`.",
            ) from exc

    @property
    def parallelism(self) -> int:
        """Worker threads in the cluster (one per simulation at a time)."""
        workers = self.client.scheduler_info().get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))

    def worker_versions(self) -> dict[str, dict[str, str | None]]:
        """``{worker address: {package: version or None}}`` asked of every worker."""
        out: dict[str, dict[str, str | None]] = {}
        for name in CHECKED_PACKAGES:
            # importlib.metadata.version is pickled by reference to the standard library, so this works
            # even on a worker where procopt is missing (it answers PackageNotFoundError there)
            answers = self.client.run(importlib.metadata.version, name, on_error="return")
            for worker, value in answers.items():
                out.setdefault(worker, {})[name] = value if isinstance(value, str) else None
        for worker, value in self.client.run(platform.python_version, on_error="return").items():
            out.setdefault(worker, {})["python"] = value if isinstance(value, str) else None
        return out

    def check_versions(self) -> None:
        """Refuse workers whose procopt, numpy, pandas, simpy or Python differ from this machine's."""
        bad = version_mismatches(local_versions(), self.worker_versions())
        if bad:
            shown = bad[:5] + ([f"... and {len(bad) - 5} more"] if len(bad) > 5 else [])
            raise ProcoptError(
                "the Dask workers run other versions than this machine, so their results could differ:\n  "
                + "\n  ".join(shown),
                hint="Install the same versions on every worker, e.g. `pip install 'procopt[dask]==VERSION'` "
                "in the same environment as here (`pip freeze` here and there should agree on these packages).",
            )

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def map(self, fn: Callable[[T], R], tasks: Sequence[T], progress: Progress | None = None) -> list[R]:
        return self.run(_call_plain, fn, tasks, progress)

    def _scatter(self, shared: Any) -> Any:
        """The payload as a future held by every worker (sent once per worker, reused while it is the same)."""
        if self._scattered is not None and self._scattered[0] == id(shared):
            return self._scattered[2]
        # wrapped in a list: scatter splits a top-level list or tuple into one future per element
        future = self.client.scatter([shared], broadcast=True, hash=False)[0]
        self._scattered = (id(shared), shared, future)
        return future

    def run(self, fn: Callable[[S, T], R], shared: S, tasks: Sequence[T], progress: Progress | None = None) -> list[R]:
        from distributed import as_completed

        total = len(tasks)
        if total == 0:
            return []
        payload = self._scatter(shared)
        batch = uuid.uuid4().hex[:12]
        futures: dict[Any, range] = {}
        for k, chunk in enumerate(chunked(total, self.parallelism)):
            fut = self.client.submit(
                _run_chunk,
                fn,
                payload,
                [tasks[i] for i in chunk],
                key=f"procopt-replications-{batch}-{k}",
                pure=False,
                retries=self.retries,
            )
            futures[fut] = chunk
        results: list[Any] = [None] * total
        done = 0
        try:
            for fut in as_completed(list(futures), loop=self.client.loop):  # type: ignore[no-untyped-call]
                for i, value in zip(futures[fut], fut.result(), strict=True):
                    results[i] = value
                done += len(futures[fut])
                if progress is not None:
                    progress(done, total)
        except BaseException:
            self.client.cancel(list(futures), force=True)
            raise
        return results

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            if self._scattered is not None:
                self.client.cancel([self._scattered[2]], force=True)
            self._scattered = None
            client.close()
            self.client = None

    def terminate(self) -> None:
        self.close()
