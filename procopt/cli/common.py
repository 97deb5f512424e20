"""Shared CLI pieces: --json output, --map parsing, progress bars that stay quiet in pipes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import click

from procopt._io import dumps_json

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    """Add ``--json``: print one JSON document on stdout instead of the human summary."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of the text summary."
    )(func)


#: The ``schema_version`` of each command's ``--json`` document (docs/CONTRACTS.md). Bump a command's number
#: whenever a key of its document is renamed, removed or changes type; adding a key needs no bump.
SCHEMA_VERSIONS: dict[str, int] = {
    "extract": 1,
    "generate": 1,
    "validate": 1,
    "mine": 1,
    "bottlenecks": 1,
    "approvals": 1,
    "conformance": 1,
    "kpi": 1,
    "model": 1,
    "simulate": 1,
    "sweep": 1,
    "report": 1,
    "demo": 1,
    "convert": 1,
    "pilot": 1,
    "backtest": 1,
    "register": 1,
}


def with_schema_version(obj: Any, command: str) -> Any:
    """``obj`` with ``schema_version`` first when it is a JSON object (other documents are left as they are)."""
    if not isinstance(obj, dict):
        return obj
    version = obj.get("schema_version", SCHEMA_VERSIONS[command])  # a stage that versions its own document wins
    return {"schema_version": version, **{k: v for k, v in obj.items() if k != "schema_version"}}


def emit_json(obj: Any, command: str | None = None) -> None:
    """Print ``obj`` as stable JSON (sorted keys, Chinese text kept readable) with its ``schema_version``.

    ``command`` defaults to the name of the click command being run, so each command's document carries the
    version listed in ``SCHEMA_VERSIONS``.
    """
    if command is None:
        ctx = click.get_current_context(silent=True)
        command = ctx.info_name if ctx is not None else None
    if command in SCHEMA_VERSIONS:
        obj = with_schema_version(obj, command)
    click.echo(dumps_json(obj), nl=False)


def interactive() -> bool:
    """True when stderr is a terminal: progress bars only then, never in pipes or CI logs."""
    return sys.stderr.isatty()


def progress(items: Iterable[T], *, length: int | None = None, label: str = "") -> Iterator[T]:
    """Iterate ``items`` with a progress bar on a terminal, silently otherwise."""
    if not interactive():
        yield from items
        return
    with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
        yield from bar


class ProgressCallback:
    """A ``callback(done, total)`` for library functions that report progress (terminal only)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, total: int) -> None:
        if not interactive():
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
