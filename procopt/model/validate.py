"""Stage 3/4 (model, scenario): checking hand-written YAML with errors that name the key path.

``Checker`` is the one validation path for ``model.yaml`` and scenario files: every check names the
file and the key (``activities.Check Credit.duration.kind``, ``changes[2].capacity.pool``), says what is
wrong, suggests the closest valid name ("did you mean ...?") and lists the valid ones in the hint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from procopt.errors import InputError, did_you_mean
from procopt.model.calendars import parse_clock, parse_hours
from procopt.model.expr import ExpressionError, parse_condition
from procopt.model.types import DISTRIBUTION_PARAMS, WEEKDAYS, Distribution


def suggest(word: str, options: Sequence[str]) -> str:
    """``. Did you mean 'X'?`` for the closest option, or '' (the one wording: ``procopt.errors.did_you_mean``)."""
    hint = did_you_mean(str(word), [str(o) for o in options])
    return f".{hint}" if hint else ""


def listing(options: Sequence[str], limit: int = 25) -> str:
    """``'a', 'b', 'c'`` (shortened after ``limit`` names)."""
    shown = ", ".join(repr(str(o)) for o in list(options)[:limit])
    return shown + (f" and {len(options) - limit} more" if len(options) > limit else "")


class Checker:
    """Validation helpers raising ``error_cls(path, problem, where=key path, hint=...)``."""

    def __init__(self, path: str | Path | None, error_cls: type[InputError]) -> None:
        self.path = path
        self.error_cls = error_cls

    def fail(self, where: str, problem: str, hint: str | None = None) -> NoReturn:
        raise self.error_cls(self.path, problem, where=where or None, hint=hint)

    def mapping(
        self, value: Any, where: str, *, required: Sequence[str] = (), optional: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """A mapping with the given keys (any keys when ``optional`` is None)."""
        if not isinstance(value, Mapping):
            self.fail(where, f"expected a mapping (key: value), got {type(value).__name__}")
        if optional is not None:
            allowed = [*required, *optional]
            for key in value:
                if key not in allowed:
                    self.fail(
                        _join(where, str(key)),
                        f"unknown key {key!r}{suggest(str(key), allowed)}",
                        f"Allowed keys here: {listing(allowed)}.",
                    )
        for key in required:
            if key not in value:
                self.fail(where, f"missing key {key!r}")
        return dict(value)

    def seq(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list | tuple):
            self.fail(where, f"expected a list, got {type(value).__name__}")
        return list(value)

    def number(self, value: Any, where: str, *, minimum: float | None = None, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"expected a number, got {value!r}")
        x = float(value)
        if x != x:
            self.fail(where, "expected a number, got NaN")
        if positive and x <= 0:
            self.fail(where, f"must be > 0, got {value!r}")
        if minimum is not None and x < minimum:
            self.fail(where, f"must be >= {minimum:g}, got {value!r}")
        return x

    def choice(self, value: Any, where: str, options: Sequence[str], what: str) -> str:
        if not isinstance(value, str) or value not in options:
            self.fail(
                where,
                f"unknown {what} {value!r}{suggest(str(value), options)}",
                f"Valid {_plural(what)}: {listing(options)}.",
            )
        return value

    def clock(self, value: Any, where: str) -> str:
        try:
            parse_clock(str(value))
        except ValueError:
            self.fail(where, f"{value!r} is not a clock time", 'Write times as "HH:MM" in quotes, e.g. "16:00".')
        return str(value)

    def batch_size(self, size: Any, max_wait: Any, where: str) -> tuple[int, float | None]:
        """A size-triggered batch: ``size`` (a whole number >= 2) and optional ``max_wait_hours`` (> 0)."""
        if isinstance(size, bool) or not isinstance(size, int) or size < 2:
            self.fail(
                _join(where, "size"),
                f"expected a whole number of cases >= 2, got {size!r}",
                "size: 10 releases the step's work when 10 cases are waiting (1 would be no batch at all).",
            )
        hours = None if max_wait is None else self.number(max_wait, _join(where, "max_wait_hours"), positive=True)
        return size, hours

    def weekday(self, value: Any, where: str) -> str:
        return self.choice(value, where, list(WEEKDAYS), "weekday")

    def hours(self, value: Any, where: str) -> dict[str, tuple[tuple[str, str], ...]]:
        """Calendar hours: ``{Mon: ["08:00-12:00", ...], ...}`` or a string ``"Mon-Fri 08:00-17:00"``."""
        if isinstance(value, str):
            try:
                return parse_hours(value)
            except ValueError as exc:
                self.fail(where, str(exc), 'Example: "Mon-Fri 08:00-12:00,13:00-17:00; Sat 09:00-13:00".')
        out: dict[str, tuple[tuple[str, str], ...]] = {}
        for day, spans in self.mapping(value, where).items():
            self.weekday(day, where)
            parsed = []
            for span in self.seq(spans, f"{where}.{day}"):
                try:
                    parsed += list(parse_hours(f"{day} {span}")[day])
                except ValueError as exc:
                    self.fail(f"{where}.{day}", str(exc), 'Write spans as "08:00-17:00".')
            out[str(day)] = tuple(parsed)
        if not any(out.values()):
            self.fail(where, "a calendar needs some working hours")
        return out

    def distribution(self, value: Any, where: str) -> Distribution:
        kinds = list(DISTRIBUTION_PARAMS)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Distribution("fixed", {"value_s": self.number(value, where, minimum=0.0)})
        raw = self.mapping(value, where, required=("kind",))
        kind = raw["kind"]
        if kind not in kinds:
            self.fail(
                f"{where}.kind", f"unknown kind {kind!r}{suggest(str(kind), kinds)}", f"Valid kinds: {listing(kinds)}."
            )
        names = DISTRIBUTION_PARAMS[kind]
        self.mapping(raw, where, required=("kind", *names), optional=())
        params: dict[str, Any] = {}
        for name in names:
            if name == "quantiles_s":
                values = [
                    self.number(v, f"{where}.{name}", minimum=0.0) for v in self.seq(raw[name], f"{where}.{name}")
                ]
                if not values or values != sorted(values):
                    self.fail(f"{where}.{name}", "needs at least one value, in increasing order")
                params[name] = values
            else:
                params[name] = self.number(raw[name], f"{where}.{name}", minimum=0.0)
        if kind == "uniform" and params["high_s"] < params["low_s"]:
            self.fail(where, "uniform needs low_s <= high_s")
        return Distribution(str(kind), params)

    def condition(self, value: Any, where: str, names: Sequence[str] | None = None) -> str:
        """A condition such as ``order_value < 5000``; with ``names``, unknown attributes are errors."""
        if not isinstance(value, str | bool):
            self.fail(where, f'expected a condition such as "order_value < 5000", got {value!r}')
        text = str(value).lower() if isinstance(value, bool) else value
        try:
            _, used = parse_condition(text)
        except ExpressionError as exc:
            self.fail(where, str(exc))
        if names is not None:
            for name in sorted(used):
                if name not in names:
                    self.fail(
                        where,
                        f"unknown case attribute {name!r}{suggest(name, names)}",
                        f"Case attributes of this model: {listing(names) or 'none'}.",
                    )
        return text


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") and not word.endswith(("ay", "ey")) else word + "s"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
