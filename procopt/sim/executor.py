"""Stage 5 (sim): the one seam through which replications run in parallel.

``Executor.run(fn, shared, tasks, progress)`` returns ``[fn(shared, t) for t in tasks]`` in task order,
however the work is spread. ``shared`` is what every task needs and is too big to send with each one (the
simulation models of an experiment): it travels to each worker once. ``tasks`` are small (a scenario index
and a replication number), handed out in chunks so a worker asks for work a few times, not once per
replication. Results never depend on the executor or on the number of workers: every task carries its own
seed.

``LocalExecutor`` keeps one process pool alive for as long as it is used (``with LocalExecutor(2) as ex``),
so an experiment's baseline and scenarios, or a sweep's grid points, share the same warm workers. On an
interrupt (Ctrl-C, ``kill -INT``) it cancels what is queued and terminates its workers before re-raising,
so the command exits at once instead of waiting for running replications. A cluster engine
(``procopt.sim.executors.dask_executor``) only needs another class with the same ``run``.
"""

from __future__ import annotations

import math
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")
Progress = Callable[[int, int], None]

#: chunks per worker: enough to even out replications of different length, few enough to keep IPC cheap
CHUNKS_PER_WORKER = 4


class Executor(Protocol):
    """Anything that can run a function over tasks with one shared payload, keeping task order."""

    def run(
        self, fn: Callable[[Any, Any], Any], shared: Any, tasks: Sequence[Any], progress: Progress | None = None
    ) -> list[Any]:
        """``[fn(shared, t) for t in tasks]``, reporting ``progress(done, total)`` as tasks finish."""
        ...

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], progress: Progress | None = None) -> list[Any]:
        """``[fn(t) for t in tasks]`` (``run`` without a shared payload)."""
        ...

    def close(self) -> None:
        """Release workers and connections; the executor may not be used afterwards."""
        ...

    def __enter__(self) -> Executor:
        """``with`` gives the executor itself and closes it on the way out."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close (see ``close``)."""
        ...

    @property
    def parallelism(self) -> int:
        """How many tasks run at once (for time estimates)."""
        ...


def chunked(n: int, workers: int, per_worker: int = CHUNKS_PER_WORKER) -> list[range]:
    """Split task indices ``0..n-1`` into contiguous chunks, about ``per_worker`` per worker."""
    if n <= 0:
        return []
    size = max(1, math.ceil(n / max(1, workers * per_worker)))
    return [range(i, min(n, i + size)) for i in range(0, n, size)]


def _call_plain(fn: Callable[[Any], Any], task: Any) -> Any:
    return fn(task)


# --- worker side of the local pool -------------------------------------------------------------------

#: the payload installed by the pool initializer, once per worker process
_WORKER_SHARED: dict[str, Any] = {}


def _install(fn: Callable[[Any, Any], Any], shared: Any) -> None:
    """Pool initializer: keep ``fn`` and ``shared`` for the life of this worker.

    Workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group, and the main process alone
    decides what happens (it terminates the workers), so workers never print tracebacks of their own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_SHARED["fn"] = fn
    _WORKER_SHARED["shared"] = shared


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    fn = _WORKER_SHARED["fn"]
    shared = _WORKER_SHARED["shared"]
    return [fn(shared, task) for task in chunk]


class LocalExecutor:
    """Processes on this machine: ``workers=None`` uses every core, ``workers=1`` runs in-process.

    The pool starts at the first ``run`` and stays up for later runs with the same function and payload
    (the same objects); another payload restarts it, since a worker holds exactly one.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self._pool: ProcessPoolExecutor | None = None
        self._key: tuple[int, int] | None = None
        self._payload: tuple[Any, Any] | None = None  # kept alive so its id() stays unique

    @property
    def parallelism(self) -> int:
        return self.workers

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None:
            self.terminate()
        else:
            self.close()

    def map(self, fn: Callable[[T], R], tasks: Sequence[T], progress: Progress | None = None) -> list[R]:
        return self.run(_call_plain, fn, tasks, progress)

    def run(self, fn: Callable[[S, T], R], shared: S, tasks: Sequence[T], progress: Progress | None = None) -> list[R]:
        total = len(tasks)
        if self.workers == 1 or total <= 1:
            out: list[R] = []
            for i, task in enumerate(tasks):
                out.append(fn(shared, task))
                if progress is not None:
                    progress(i + 1, total)
            return out
        pool = self._pool_for(fn, shared)
        results: list[Any] = [None] * total
        futures: dict[Future[list[R]], range] = {}
        try:
            for chunk in chunked(total, self.workers):
                futures[pool.submit(_run_chunk, [tasks[i] for i in chunk])] = chunk
            pending = set(futures)
            done_count = 0
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                # task order, not completion order: results land in their own slots
                for fut in sorted(finished, key=lambda f: futures[f].start):
                    for i, value in zip(futures[fut], fut.result(), strict=True):
                        results[i] = value
                    done_count += len(futures[fut])
                    if progress is not None:
                        progress(done_count, total)
        except BaseException:
            self.terminate()
            raise
        return results

    def _pool_for(self, fn: Callable[[Any, Any], Any], shared: Any) -> ProcessPoolExecutor:
        key = (id(fn), id(shared))
        if self._pool is not None and self._key == key:
            return self._pool
        self.close()
        # the payload goes to each worker once, through the initializer (inherited memory with fork,
        # one pickle per worker with spawn), never with the tasks
        self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_install, initargs=(fn, shared))
        self._key = key
        self._payload = (fn, shared)
        return self._pool

    def close(self) -> None:
        """Let the workers finish and stop them."""
        pool, self._pool, self._key, self._payload = self._pool, None, None, None
        if pool is not None:
            pool.shutdown(wait=True)

    def terminate(self) -> None:
        """Stop at once: drop queued chunks and kill the workers (used on errors and interrupts)."""
        pool, self._pool, self._key, self._payload = self._pool, None, None, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())  # no public handle before Python 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        for proc in processes:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=1)
