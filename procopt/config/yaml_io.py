"""The one YAML reader for procopt's hand-written files (model, scenario and KPI files).

Every reader reports the same way: a missing file, an unreadable one, or a YAML syntax error names the file
and the line (``orders.yaml, line 4: not valid YAML (...)``) and raises the caller's error class, so the CLI
prints it with exit status 2. Shape checks of the loaded data are the caller's (``procopt.model.validate``).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from procopt.errors import InputError

#: YAML's own data: mappings, lists, strings, numbers, booleans, dates and null.
YamlData = object


def read_yaml(
    path: str | Path,
    error_cls: type[InputError] = InputError,
    *,
    missing: str = "file not found",
    missing_hint: str | None = None,
    syntax_hint: str | None = None,
) -> YamlData:
    """Parse the YAML file at ``path``; raise ``error_cls`` naming the file (and line) when it cannot."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error_cls(path, missing, hint=missing_hint) from None
    except IsADirectoryError:
        raise error_cls(path, "is a folder, not a file", hint=missing_hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error_cls(path, f"cannot read the file ({exc})") from None
    try:
        # the C parser when PyYAML was built with it (recipes and models can be long), the same safe subset
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise error_cls(
            path, f"not valid YAML ({getattr(exc, 'problem', None) or exc})", where=where, hint=syntax_hint
        ) from None
