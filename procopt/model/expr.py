"""Stage 3/4 (model, scenario): safe conditions on case attributes, e.g. ``order_value < 5000``.

Used by routing branches (``when:``) and by scenario ``skip_activity`` changes. The text is parsed with
Python's ``ast`` and only a whitelist of nodes is accepted — comparisons, ``and``/``or``/``not``, ``in``,
numbers, strings and attribute names (any name, including Chinese ones such as ``订单金额``; names that are
not identifiers can be written in backticks: ```order value` > 10``). Nothing is ever evaluated with
``eval``: the tree is compiled into plain closures.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

Condition = Callable[[Mapping[str, Any]], bool]

_CMP: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_CONST = {"true": True, "false": False, "True": True, "False": False, "none": None, "None": None}


class ExpressionError(ValueError):
    """A condition that cannot be parsed; the message says what is wrong."""


def parse_condition(text: str) -> tuple[Condition, frozenset[str]]:
    """Compile ``text`` into ``(condition(attrs) -> bool, names used)``. Raises ExpressionError."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty condition")
    names: dict[str, str] = {}

    def _quote(match: re.Match[str]) -> str:
        key = f"_q{len(names)}"
        names[key] = match.group(1)
        return key

    source = re.sub(r"`([^`]+)`", _quote, text.strip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse condition {text!r}: {exc.msg}") from None
    used: set[str] = set()
    fn = _compile(tree.body, names, used, text)
    return (lambda attrs: bool(fn(attrs))), frozenset(used)


def _compile(node: ast.AST, quoted: dict[str, str], used: set[str], text: str) -> Callable[[Mapping[str, Any]], Any]:
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, quoted, used, text) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda a: all(p(a) for p in parts)
        return lambda a: any(p(a) for p in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _compile(node.operand, quoted, used, text)
        return lambda a: not inner(a)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        operand = node.operand.value
        if not isinstance(operand, int | float):
            raise ExpressionError(f"'-' before {operand!r}, which is not a number, in {text!r}")
        negative = -operand
        return lambda a: negative
    if isinstance(node, ast.Compare):
        left = _compile(node.left, quoted, used, text)
        ops = [_CMP.get(type(op)) for op in node.ops]
        if any(op is None for op in ops):
            raise ExpressionError(f"unsupported comparison in {text!r}")
        rights = [_compile(c, quoted, used, text) for c in node.comparators]

        def compare(a: Mapping[str, Any]) -> bool:
            x = left(a)
            for op, right in zip(ops, rights, strict=True):
                y = right(a)
                try:
                    if not op(x, y):  # type: ignore[misc]
                        return False
                except TypeError:
                    return False
                x = y
            return True

        return compare
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
        constant = node.value
        return lambda a: constant
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = []
        for elt in node.elts:
            if not isinstance(elt, ast.Constant):
                raise ExpressionError(f"lists may hold only constants in {text!r}")
            items.append(elt.value)
        frozen = frozenset(items)
        return lambda a: frozen
    if isinstance(node, ast.Name):
        if node.id in _CONST:
            keyword = _CONST[node.id]
            return lambda a: keyword
        name = quoted.get(node.id, node.id)
        used.add(name)
        return lambda a: a.get(name)
    raise ExpressionError(
        f"unsupported element {type(node).__name__} in condition {text!r}; use comparisons such as "
        'order_value < 5000, region == "North", and/or/not, in [...]'
    )
