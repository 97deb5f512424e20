"""Stage 5 (sim): the one seam through which replications run in parallel.

``Executor.map(fn, tasks, progress)`` returns ``[fn(t) for t in tasks]`` in task order, however the work
is spread. ``LocalExecutor`` uses a process pool (serial when ``workers=1``); a cluster engine such as
Dask only needs another class with the same ``map``. Results never depend on the executor: every task
carries its own seed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], None]


class Executor(Protocol):
    """Anything that can map a picklable function over tasks, keeping task order."""

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], progress: Progress | None = None) -> list[Any]:
        """``[fn(t) for t in tasks]``, reporting ``progress(done, total)`` as tasks finish."""
        ...


class LocalExecutor:
    """Processes on this machine: ``workers=None`` uses every core, ``workers=1`` runs in-process."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))

    def map(self, fn: Callable[[T], R], tasks: Sequence[T], progress: Progress | None = None) -> list[R]:
        total = len(tasks)
        if self.workers == 1 or total <= 1:
            out: list[R] = []
            for i, task in enumerate(tasks):
                out.append(fn(task))
                if progress is not None:
                    progress(i + 1, total)
            return out
        results: list[Any] = [None] * total
        with ProcessPoolExecutor(max_workers=min(self.workers, total)) as pool:
            futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
            for done, fut in enumerate(as_completed(futures), start=1):
                results[futures[fut]] = fut.result()
                if progress is not None:
                    progress(done, total)
        return results
