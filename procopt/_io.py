"""Atomic file output and stable JSON.

Outputs are never half-written: every file goes to a temporary name in the same folder and is renamed
into place; a whole output folder is built beside its target and swapped in at the end.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp creates 0600 files; give the result the permissions a plain open() would have.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(obj: Any) -> Any:
    """Convert dataclasses, numpy/pandas scalars, timestamps and NaN into plain JSON values."""
    import numpy as np
    import pandas as pd

    if is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if obj is pd.NaT or (obj is not None and not isinstance(obj, str | int | bool) and pd.isna(obj) is True):
        return None
    if isinstance(obj, pd.Timestamp | datetime | date):
        return obj.isoformat()
    if isinstance(obj, pd.Timedelta | timedelta):
        return obj.total_seconds()
    if isinstance(obj, Path):
        return str(obj)
    return obj


def dumps_json(obj: Any) -> str:
    """Stable JSON: sorted keys, UTF-8 kept readable (activity names such as 审批 stay as they are)."""
    return json.dumps(to_jsonable(obj), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as stable JSON, atomically."""
    return atomic_write_text(path, dumps_json(obj))


def write_csv(path: str | Path, frame: Any) -> Path:
    """Write a DataFrame as UTF-8 CSV (with BOM, so Excel opens Chinese text correctly), atomically."""
    return atomic_write_bytes(path, frame.to_csv(index=False).encode("utf-8-sig"))


@contextlib.contextmanager
def atomic_dir(path: str | Path, replace: Iterable[str] = ()) -> Iterator[Path]:
    """Build an output folder beside ``path`` and move it into place only if the block succeeds.

    Files already in ``path`` that the block does not rewrite are kept (the new folder is merged over
    the old one at the end), so a failed run never leaves a half-written report behind. ``replace`` names
    entries of ``path`` (files or folders) that belong to the writer: they are removed just before the new
    ones move in, so nothing from an earlier run (an old chart, a table of another log) survives beside them.
    """
    owned = tuple(replace)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not target.exists():
        os.replace(staging, target)
        return
    for name in owned:
        old = target / name
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif old.exists() or old.is_symlink():
            old.unlink()
    for item in sorted(staging.rglob("*")):
        if item.is_file():
            dest = target / item.relative_to(staging)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(item, dest)
    shutil.rmtree(staging, ignore_errors=True)
