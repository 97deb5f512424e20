"""The CLI's front door: help, version, and the error contract (exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

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


def _commands(group: click.Group, ctx: click.Context) -> list[click.Command]:
    found: list[click.Command] = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            found += _commands(cmd, click.Context(cmd, parent=ctx))
        elif cmd is not None:
            found.append(cmd)
    return found


def test_every_out_option_has_the_short_form() -> None:
    # `-o` is what people type first (gcc, curl, pandoc): a missing short form stops them with "No such option"
    ctx = click.Context(main)
    lacking = [
        cmd.name
        for cmd in _commands(LazyGroup(), ctx)
        for p in cmd.params
        if isinstance(p, click.Option) and "--out" in p.opts and "-o" not in p.opts
    ]
    assert lacking == []


def test_model_accepts_short_out(tmp_path: Path) -> None:
    log = tmp_path / "orders.csv"
    gen = CliRunner().invoke(main, ["generate", "o2c", "--seed", "1", "--days", "30", "-o", str(log)])
    assert gen.exit_code == 0, gen.output
    out = tmp_path / "m.yaml"
    result = CliRunner().invoke(main, ["model", str(log), "-o", str(out), "--no-fidelity", "--no-search"])
    assert result.exit_code == 0, result.output
    assert out.exists()
