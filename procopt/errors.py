"""Errors that are part of procopt's interface.

The library raises these; only ``procopt.cli`` turns them into a message on stderr and exit status 2.
Every error says *what* went wrong, *where* (file, row, column or YAML key) and *what to do* (the hint).
"""

from __future__ import annotations

from pathlib import Path


class ProcoptError(Exception):
    """Base class: a problem the user can fix (bad input, bad option, bad scenario)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(ProcoptError):
    """A problem with an input file: names the file, the place in it and the fix.

    Example: ``orders.csv, row 17, column 'end': cannot parse '2024-13-01' as a date``.
    """

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        *,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.where = where
        self.problem = problem
        parts = [str(self.path)] if self.path is not None else []
        if where:
            parts.append(where)
        prefix = ", ".join(parts)
        super().__init__(f"{prefix}: {problem}" if prefix else problem, hint=hint)


class ScenarioError(InputError):
    """A malformed or inconsistent scenario file (unknown key, unknown activity or pool, bad value)."""


class ModelError(InputError):
    """A malformed simulation model file, or a model that cannot be calibrated from the log."""


def did_you_mean(word: str, options: list[str] | tuple[str, ...]) -> str:
    """Return ' Did you mean X?' for the closest option, or '' when nothing is close."""
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""
