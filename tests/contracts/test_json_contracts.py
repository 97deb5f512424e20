"""Golden tests: each command's ``--json`` document has exactly the keys and types docs/CONTRACTS.md lists.

The expected structure is the schema block of the command in docs/CONTRACTS.md; the actual one comes from a
fresh run on a small generated log. Numbers are not compared (they are volatile), key sets and types are.
A deliberate change: bump the command's ``SCHEMA_VERSIONS`` entry when a key is renamed or removed, then run
``python tests/contracts/regen.py COMMAND`` and review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import commands
import schema

from procopt.cli.common import SCHEMA_VERSIONS


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contracts")


def _params() -> list[Any]:
    return [pytest.param(run, id=run.name, marks=[pytest.mark.slow] if run.slow else []) for run in commands.RUNS]


@pytest.mark.parametrize("run", _params())
def test_json_output_matches_documented_schema(run: commands.Run, folder: Path) -> None:
    blocks = commands.documented_blocks()
    assert run.name in blocks, f"docs/CONTRACTS.md has no schema block for `procopt {run.name} --json`"
    doc = commands.invoke(run, folder)
    assert doc["schema_version"] == SCHEMA_VERSIONS[run.name]
    problems = schema.differences(schema.shape(doc, run.maps), schema.parse(blocks[run.name].splitlines()))
    assert not problems, "\n".join(problems)


def test_every_json_command_is_documented_and_versioned() -> None:
    """Every command with --json has a schema version and a schema block (demo shares report's document;
    extract's document has its own section and golden test, tests/extract/test_cli_extract.py)."""
    from procopt.cli import COMMANDS

    blocks = commands.documented_blocks()
    assert set(SCHEMA_VERSIONS) == set(COMMANDS)
    # extract, pilot, backtest and register are documented as golden shapes checked by their own tests
    assert set(blocks) | {"demo", "extract", "pilot", "backtest", "register"} == set(SCHEMA_VERSIONS)
    assert {run.name for run in commands.RUNS} == set(blocks)
    text = commands.CONTRACTS.read_text(encoding="utf-8")
    for name, version in SCHEMA_VERSIONS.items():
        assert f"`procopt {name} --json`" in text, f"docs/CONTRACTS.md does not name `procopt {name} --json`"
        assert f"schema_version {version}" in text or name == "demo"


def test_schema_comparison_catches_a_renamed_key() -> None:
    """The comparison itself can fail: a renamed, an extra and a retyped key are all reported."""
    documented = schema.parse(["a: object", "a.wait_mean_s: float", "b: list", "b[]: str", "c: int"])
    seen = schema.shape({"a": {"waiting_mean_s": 1.0}, "b": [], "c": "x"})
    problems = schema.differences(seen, documented)
    assert "undocumented key a.waiting_mean_s (float)" in problems
    assert "documented key a.wait_mean_s missing from the output" in problems
    assert any(p.startswith("c: type str") for p in problems)
    assert not any("b[]" in p for p in problems)  # an empty list this time is not a missing key


def test_schema_null_and_absent_are_optional() -> None:
    documented = schema.parse(["x: float|null", "y: str|absent", "z: object|null", "z.k: int"])
    assert schema.differences(schema.shape({"x": None, "z": None}), documented) == []
    assert schema.differences(schema.shape({"x": 2, "y": "s", "z": {"k": 1}}), documented) == []
