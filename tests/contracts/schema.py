"""The shape of a JSON document: every key path with its JSON type, volatile numbers left out.

A schema is a list of lines ``path: type`` such as ``summary.cases: int`` or ``bottlenecks[].activity: str``.
``[]`` stands for "every element of the list"; ``<name>`` for the keys of a mapping whose keys are data
(activity, pool, scenario or KPI names). docs/CONTRACTS.md holds one such block per command, and the golden
tests compare a fresh run's shape with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

#: JSON types; int and float are one "number" kind in comparisons (JSON does not tell them apart reliably).
NUMBER = {"int", "float"}


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


def _is_map(path: str, maps: Iterable[str]) -> bool:
    return any(re.fullmatch(pattern, path) for pattern in maps)


def shape(doc: Any, maps: Iterable[str] = ()) -> dict[str, set[str]]:
    """``{path: {types seen}}`` for every key path of ``doc``.

    ``maps`` are regular expressions over paths (e.g. ``r"summary\\.pools"``) whose objects are keyed by
    data, not by field names: their keys all become ``<name>``.
    """
    maps = tuple(maps)
    out: dict[str, set[str]] = {}

    def walk(value: Any, path: str) -> None:
        kind = type_name(value)
        if path:
            out.setdefault(path, set()).add(kind)
        if isinstance(value, dict):
            keyed_by_data = bool(path) and _is_map(path, maps)
            for key, item in value.items():
                name = "<name>" if keyed_by_data else str(key)
                walk(item, f"{path}.{name}" if path else name)
        elif isinstance(value, list):
            for item in value:
                walk(item, f"{path}[]")

    walk(doc, "")
    return out


def render(schema: Mapping[str, set[str]]) -> list[str]:
    """Schema lines ``path: type|type`` in path order (the format of docs/CONTRACTS.md)."""
    return [f"{path}: {'|'.join(sorted(kinds))}" for path, kinds in sorted(schema.items())]


def parse(lines: Iterable[str]) -> dict[str, set[str]]:
    """The inverse of :func:`render`; text after ``#`` on a line is a comment."""
    out: dict[str, set[str]] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        path, _, kinds = line.rpartition(":")
        out[path.strip()] = {k.strip() for k in kinds.split("|") if k.strip()}
    return out


def _compatible(seen: set[str], documented: set[str]) -> bool:
    """A run's types fit the documented ones: null fits anything (no data this time), int and float are numbers."""
    seen = seen - {"null"}
    documented = documented - {"absent"}

    def norm(kinds: set[str]) -> set[str]:
        return {"number" if k in NUMBER else k for k in kinds}

    documented_norm = norm(documented - {"null"})
    return not seen or not documented_norm or norm(seen) <= documented_norm


def differences(seen: Mapping[str, set[str]], documented: Mapping[str, set[str]]) -> list[str]:
    """Why a fresh run does not match the documented schema (empty when it does).

    Every documented path must be present unless it lies under a list or mapping that was empty (or null) in
    this run, or is documented as ``absent`` (a key written only sometimes); every path seen must be
    documented; types must be compatible.
    """
    problems: list[str] = []
    for path in sorted(set(seen) - set(documented)):
        problems.append(f"undocumented key {path} ({'|'.join(sorted(seen[path]))})")
    for path in sorted(set(documented) - set(seen)):
        if not _under_optional(path, seen, documented) and "absent" not in documented[path]:
            problems.append(f"documented key {path} missing from the output")
    for path in sorted(set(seen) & set(documented)):
        if not _compatible(seen[path], documented[path]):
            problems.append(
                f"{path}: type {'|'.join(sorted(seen[path]))}, documented {'|'.join(sorted(documented[path]))}"
            )
    return problems


def _parents(path: str) -> list[str]:
    parents: list[str] = []
    for i, ch in enumerate(path):
        if ch in ".[" and i:
            parents.append(path[:i])
    return parents


def _under_optional(path: str, seen: Mapping[str, set[str]], documented: Mapping[str, set[str]]) -> bool:
    """True when ``path`` may be absent: a parent list/map was empty, or a parent was null, in this run."""
    for parent in reversed(_parents(path)):
        if parent in seen:
            # optional only when the parent was an empty list / empty mapping / null this time
            return not any(p.startswith(parent + ".") or p.startswith(parent + "[") for p in seen)
    return "absent" in documented.get(path, set())
