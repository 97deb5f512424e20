"""Sweep specs: ``--vary`` text -> a ``Vary`` dimension, and the grid of all their combinations.

``arrivals.scale=1.0:1.5:0.05`` (start:stop:step, both ends included), ``arrivals.scale=1,1.2,1.5`` (a list),
``capacity.<pool>=0:3:1`` (people added to the pool), ``capacity.<pool>.set=2:6:1`` (pool size set outright).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from procopt.errors import ScenarioError, did_you_mean

#: Most grid points a sweep accepts (each runs every replication).
MAX_POINTS = 400
VARY_EXAMPLE = "arrivals.scale=1.0:1.5:0.05 or capacity.<pool>=0:3:1"
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*:\s*({_NUMBER})\s*$")


@dataclass(frozen=True, slots=True)
class Vary:
    """One dimension of a sweep: ``target`` "arrivals" (``key`` "scale") or "capacity" (``key`` a pool).

    ``mode`` is "scale" for arrivals, "add" or "set" for capacity; ``values`` are the grid values in order.
    """

    target: str
    key: str
    mode: str
    values: tuple[float, ...]
    spec: str

    @property
    def column(self) -> str:
        """Column name of this dimension in the sweep table."""
        if self.target == "arrivals":
            return "arrival_scale"
        return f"capacity_{self.mode}:{self.key}"


def _fail(spec: str, problem: str, hint: str | None = None) -> ScenarioError:
    return ScenarioError(None, problem, where=f"--vary {spec!r}", hint=hint or f"Write it as {VARY_EXAMPLE}.")


def _parse_values(spec: str, text: str) -> tuple[float, ...]:
    match = _RANGE.match(text)
    if match:
        start, stop, step = (float(g) for g in match.groups())
        if step <= 0:
            raise _fail(spec, f"the step must be positive, got {match.group(3)}")
        if stop < start:
            raise _fail(
                spec,
                f"the range runs backwards ({match.group(1)} to {match.group(2)})",
                hint="Write start:stop:step with start <= stop, e.g. 1.0:1.5:0.05.",
            )
        count = int(math.floor((stop - start) / step + 1e-9)) + 1
        if count > MAX_POINTS:
            raise _fail(spec, f"the range has {count} values (at most {MAX_POINTS})", hint="Use a larger step.")
        # rounding keeps 1.0 + 3 * 0.05 == 1.15 exactly, so table values and scenario names are clean
        digits = max(_decimals(match.group(1)), _decimals(match.group(3)))
        return tuple(round(start + i * step, digits + 6) for i in range(count))
    parts = [p.strip() for p in text.split(",")]
    if not parts or any(not re.fullmatch(_NUMBER, p) for p in parts):
        raise _fail(spec, f"cannot read {text!r} as start:stop:step or as a comma-separated list of numbers")
    values = tuple(float(p) for p in parts)
    if len(set(values)) != len(values):
        raise _fail(spec, "a value is listed twice", hint="List each value once.")
    return values


def _decimals(number: str) -> int:
    mantissa = number.lower().split("e")[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def parse_vary(spec: str, *, pools: Sequence[str] | None = None) -> Vary:
    """Parse one ``--vary`` spec; ``pools`` (the model's pool names) enables the unknown-pool check.

    Raises:
        ScenarioError: with the spec, the problem and an example of the right form.
    """
    if "=" not in spec:
        raise _fail(spec, "missing '=' between the parameter and its values")
    name, _, text = spec.partition("=")
    name = name.strip()
    if not text.strip():
        raise _fail(spec, f"no values given for {name!r}")
    values = _parse_values(spec, text)
    if name == "arrivals.scale":
        if any(v <= 0 for v in values):
            raise _fail(spec, "arrival scale factors must be positive (1.0 = today's volume)")
        return Vary("arrivals", "scale", "scale", values, spec)
    if name.startswith("capacity."):
        pool, mode = name[len("capacity.") :], "add"
        for suffix in (".add", ".set"):
            if pool.endswith(suffix) and (pools is None or pool not in pools):
                pool, mode = pool[: -len(suffix)], suffix[1:]
        if not pool:
            raise _fail(spec, "no pool named after 'capacity.'", hint="Write capacity.<pool>=0:3:1.")
        if pools is not None and pool not in pools:
            known = ", ".join(sorted(pools)) or "none"
            raise _fail(
                spec,
                f"unknown pool {pool!r}.{did_you_mean(pool, list(pools))}",
                hint=f"The model's pools are: {known}.",
            )
        if any(v != int(v) for v in values):
            raise _fail(spec, "capacity values must be whole numbers of people")
        if mode == "set" and any(v < 1 for v in values):
            raise _fail(spec, "a pool needs at least 1 person (capacity.<pool>.set=1:...)")
        if mode == "add" and any(v < 0 for v in values):
            raise _fail(
                spec,
                "capacity.<pool> adds people: values must be 0 or more",
                hint="To shrink a pool, set its size: capacity.<pool>.set=1:3:1.",
            )
        return Vary("capacity", pool, mode, tuple(float(int(v)) for v in values), spec)
    options = ["arrivals.scale", "capacity.<pool>", "capacity.<pool>.set"]
    raise _fail(spec, f"unknown sweep parameter {name!r}.{did_you_mean(name, options)}")


def sweep_grid(varies: Sequence[Vary]) -> list[dict[str, float]]:
    """Every combination of the dimensions' values (first dimension slowest), as {column: value}."""
    columns = [v.column for v in varies]
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise ScenarioError(
            None, f"the same parameter is varied twice ({dup})", where="--vary", hint="Give each parameter one --vary."
        )
    points = [dict(zip(columns, combo, strict=True)) for combo in itertools.product(*(v.values for v in varies))]
    if len(points) > MAX_POINTS:
        raise ScenarioError(
            None,
            f"the grid has {len(points)} points (at most {MAX_POINTS})",
            where="--vary",
            hint="Use larger steps or fewer --vary options.",
        )
    return points


def group_label(point: Mapping[str, Any], varies: Sequence[Vary]) -> str:
    """Readable name of a point's capacity setting, e.g. "+1 in 审批, 3 in Warehouse" ("" when none varied)."""
    parts = []
    for v in varies:
        if v.target != "capacity":
            continue
        n = int(point[v.column])
        parts.append(f"{n:+d} in {v.key}" if v.mode == "add" else f"{n} in {v.key}")
    return ", ".join(parts)
