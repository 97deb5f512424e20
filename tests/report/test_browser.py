"""A real browser opens the report from disk: no console errors, no network, a non-blank page.

Uses headless Chromium (``/usr/bin/chromium`` or ``chromium``/``chromium-browser`` on PATH); skips cleanly
when none is installed. Console messages are read from Chromium's own log (``--enable-logging=stderr``),
where every ``console.*`` call, uncaught exception and Content-Security-Policy violation appears as a
``CONSOLE`` line.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--hide-scrollbars",
]


def _chromium() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _open(page: Path, shot: Path, profile: Path, size: str = "1200,2400") -> str:
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    proc = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.is_file(), proc.stderr[-2000:]
    return proc.stderr


def _console_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _non_blank(shot: Path) -> tuple[int, float]:
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int64)
    packed = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    colours = len(np.unique(packed))
    inked = float((pixels.sum(axis=2) < 600).mean())
    return colours, inked


@pytest.mark.parametrize("key", ["en", "zh", "xss"])
def test_report_opens_in_chromium_without_errors(tmp_path: Path, key: str, toy_written) -> None:
    _, files = toy_written[key]
    shot = tmp_path / "shot.png"
    log = _open(files.html, shot, tmp_path / "profile")
    assert _console_lines(log) == []
    colours, inked = _non_blank(shot)
    assert colours > 50  # text, figures and tables, not a blank or single-colour page
    assert 0.03 < inked < 0.6


def test_console_errors_are_detected(tmp_path: Path) -> None:
    """The detector itself works: a page that logs an error and throws is caught."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom'); notDefined();</script>", encoding="utf-8")
    log = _open(page, tmp_path / "bad.png", tmp_path / "profile", size="400,300")
    lines = _console_lines(log)
    assert any("boom" in line for line in lines) and any("notDefined" in line for line in lines)
