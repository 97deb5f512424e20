"""``--executor / --scheduler / --workers``: where replications run, declared once for every command that simulates.

``@executor_options`` adds the three options to a click command and hands the command one ``ExecutorChoice``
(keyword ``run_on``) instead of three loose values. ``with run_on.open() as executor:`` gives a ready
executor: a local process pool, or a connection to a Dask cluster whose versions have been checked.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from procopt.errors import ProcoptError
from procopt.sim.executor import Executor, LocalExecutor

F = TypeVar("F", bound=Callable[..., Any])

SCHEDULER_ENV = "PROCOPT_DASK_SCHEDULER"
#: seconds to wait for the scheduler to answer (and for a first worker) before giving up
TIMEOUT_ENV = "PROCOPT_DASK_CONNECT_TIMEOUT"


@dataclass(frozen=True, slots=True)
class ExecutorChoice:
    """What the user asked for: ``kind`` is ``local`` or ``dask``; ``workers`` only for ``local``."""

    kind: str = "local"
    scheduler: str | None = None
    workers: int | None = None

    def scheduler_address(self) -> str:
        """``--scheduler``, else ``$PROCOPT_DASK_SCHEDULER``; an error when neither is set."""
        address = self.scheduler or os.environ.get(SCHEDULER_ENV, "").strip()
        if not address:
            raise ProcoptError(
                "--executor dask needs the scheduler's address",
                hint=f"Pass --scheduler tcp://HOST:8786 or set {SCHEDULER_ENV}=tcp://HOST:8786 "
                "(`dask scheduler` prints the address when it starts).",
            )
        return address

    def open(self) -> Executor:
        """A ready executor; use it in a ``with`` block so workers and connections are released."""
        if self.kind == "local":
            return LocalExecutor(self.workers)
        from procopt.sim.executors.dask_executor import DEFAULT_CONNECT_TIMEOUT_S, DaskExecutor

        address = self.scheduler_address()
        return DaskExecutor(address, connect_timeout_s=_timeout(DEFAULT_CONNECT_TIMEOUT_S))


def _timeout(default: float) -> float:
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ProcoptError(
            f"{TIMEOUT_ENV}={text!r} is not a number of seconds between 0 and 3600",
            hint=f"Set it to e.g. 10, or unset it for the default of {default:g} s.",
        )
    return value


def _check(ctx: click.Context, choice: ExecutorChoice) -> ExecutorChoice:
    if choice.kind == "dask" and choice.workers is not None:
        raise click.BadParameter(
            "applies to --executor local only; a Dask cluster has the workers started with `dask worker`",
            ctx=ctx,
            param_hint="--workers",
        )
    if choice.kind == "local" and choice.scheduler:
        raise click.BadParameter("needs --executor dask", ctx=ctx, param_hint="--scheduler")
    return choice


def executor_options(func: F) -> F:
    """Add ``--executor``, ``--scheduler`` and ``--workers``; the command receives ``run_on: ExecutorChoice``."""

    @functools.wraps(func)
    def wrapper(*args: Any, executor: str, scheduler: str | None, workers: int | None, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        return func(*args, run_on=_check(ctx, ExecutorChoice(executor, scheduler, workers)), **kwargs)

    options = [
        click.option(
            "--executor",
            type=click.Choice(["local", "dask"]),
            default="local",
            show_default=True,
            help="Where replications run: processes on this machine, or a Dask cluster (pip install 'procopt[dask]').",
        ),
        click.option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            default=None,
            help=f"Dask scheduler address for --executor dask (default: ${SCHEDULER_ENV}).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(1, 256),
            default=None,
            help="Local processes (default: all cores; 1 = no parallelism). Results do not depend on it.",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def announce(sentence: str) -> None:
    """Tell the user on stderr (never in ``--json`` output) what a long run will cost before it starts."""
    click.echo(sentence, err=True)
