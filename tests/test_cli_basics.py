"""The CLI's front door: help, version, and the error contract (exit 2, no traceback)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

import procopt
from procopt.cli import COMMANDS, LazyGroup, main
from procopt.errors import InputError


def test_version_matches_package() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert procopt.__version__ in result.output


def test_help_lists_every_available_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in LazyGroup().list_commands(click.Context(main)):
        assert name in result.output
        assert name in COMMANDS


def test_procopt_error_becomes_exit_2_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command("boom")
    def boom() -> None:
        raise InputError(
            "orders.csv",
            "cannot parse '2024-13-01' as a date",
            where="row 17, column 'end'",
            hint="Pass --date-format or fix the row.",
        )

    main.add_command(boom)
    try:
        result = CliRunner().invoke(main, ["boom"])
    finally:
        main.commands.pop("boom", None)
    assert result.exit_code == 2
    assert "Error: orders.csv, row 17, column 'end': cannot parse '2024-13-01' as a date" in result.output
    assert "Hint: Pass --date-format" in result.output
    assert "Traceback" not in result.output
