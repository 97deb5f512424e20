"""Conditions on case attributes: a whitelist parser, never eval."""

from __future__ import annotations

import pytest

from procopt.model.expr import ExpressionError, parse_condition


@pytest.mark.parametrize(
    ("text", "attrs", "expected"),
    [
        ("order_value < 5000", {"order_value": 4999.0}, True),
        ("order_value < 5000", {"order_value": 5000}, False),
        ("region == 'North' and order_value >= 10", {"region": "North", "order_value": 10}, True),
        ("not (region in ['North', 'South'])", {"region": "East"}, True),
        ("订单金额 > 100", {"订单金额": 200}, True),
        ("`order value` <= -1", {"order value": -2}, True),
        ("order_value < 5000", {}, False),  # missing attribute: the condition does not hold
        ("order_value < 5000", {"order_value": "n/a"}, False),
        ("true", {}, True),
        ("1 < order_value < 3", {"order_value": 2}, True),
    ],
)
def test_conditions(text: str, attrs: dict, expected: bool) -> None:
    fn, _ = parse_condition(text)
    assert fn(attrs) is expected


def test_names_used_are_reported() -> None:
    assert parse_condition("a < 1 or `b c` == 'x'")[1] == frozenset({"a", "b c"})


@pytest.mark.parametrize(
    "text", ["__import__('os').system('echo hi')", "a.b < 1", "a[0] == 1", "lambda: 1", "a + 1 < 2", "", "a <"]
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_condition(text)
