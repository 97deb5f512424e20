"""Atomic output: nothing half-written, ordinary permissions, stable JSON."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from procopt._io import atomic_dir, atomic_write_text, dumps_json


def test_atomic_write_gives_ordinary_permissions(tmp_path: Path) -> None:
    path = atomic_write_text(tmp_path / "a.txt", "审批\n")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode & 0o044 == 0o044  # readable by group and others under a usual umask
    assert path.read_text(encoding="utf-8") == "审批\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_atomic_dir_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "report"
    with pytest.raises(RuntimeError), atomic_dir(target) as staging:
        (staging / "index.html").write_text("half")
        raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_moves_result_into_place(tmp_path: Path) -> None:
    target = tmp_path / "report"
    with atomic_dir(target) as staging:
        (staging / "sub").mkdir()
        (staging / "sub" / "x.csv").write_text("a\n")
    assert (target / "sub" / "x.csv").read_text() == "a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_json_is_stable_and_keeps_chinese() -> None:
    text = dumps_json({"b": 1.0, "a": "审批", "n": float("nan")})
    assert text.index('"a"') < text.index('"b"')
    assert "审批" in text
    assert '"n": null' in text
