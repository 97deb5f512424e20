"""The `validate --json` example in docs/CONTRACTS.md is exactly what the command prints (a golden test)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from procopt.cli import main

REPO = Path(__file__).resolve().parents[2]
MARK = "<!-- golden: validate --json tests/log/data/us_semicolon_mdy.csv -->"


def _documented() -> object:
    text = (REPO / "docs" / "CONTRACTS.md").read_text(encoding="utf-8")
    assert MARK in text, "docs/CONTRACTS.md lost its validate --json example"
    block = re.search(r"```json\n(.*?)\n```", text[text.index(MARK) :], re.S)
    assert block is not None
    return json.loads(block.group(1))


def test_contracts_validate_json_example_is_real_output() -> None:
    result = CliRunner().invoke(main, ["validate", str(REPO / "tests/log/data/us_semicolon_mdy.csv"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == _documented()


def test_documented_keys_are_in_the_schema_table() -> None:
    text = (REPO / "docs" / "CONTRACTS.md").read_text(encoding="utf-8")
    doc = _documented()
    assert isinstance(doc, dict)
    for key in doc:
        assert f"`{key}`" in text, key
    for field in next(iter(doc["timestamps"].values())):
        assert f"`{field}`" in text, field
