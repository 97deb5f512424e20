"""Property tests for the number formatting and the escaping that keeps user data inert."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.report._fmt import ci, hours, pct, signed, without_subject
from procopt.report.render import render_html, render_markdown
from procopt.report.types import Report, Section, Table

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)


@given(finite)
def test_seconds_and_hours_agree(value: float) -> None:
    h = hours(value * 3600)
    assert h is not None and math.isclose(h, value, rel_tol=1e-9, abs_tol=1e-6)
    assert hours(None) is None and hours(float("nan")) is None  # a missing field stays missing


@given(finite)
def test_signed_always_has_a_sign(value: float) -> None:
    text = signed(value)
    assert text[0] in "+-", text  # the sign is always written, also for zero and positive values
    assert text[1:].replace(",", "") == f"{abs(value):.1f}" or float(text[1:].replace(",", "")) == 0.0
    if round(value, 1) != 0:
        assert (text[0] == "-") == (value < 0)


@given(finite, finite)
def test_ci_keeps_its_bounds_in_order(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    text = ci([lo, hi])
    left, right = text.strip("[]").split(", ")
    assert float(left.replace(",", "")) <= float(right.replace(",", ""))


@given(st.floats(min_value=0, max_value=1))
def test_pct_is_a_percentage(value: float) -> None:
    assert 0.0 <= float(pct(value)) <= 100.0


@given(st.text(min_size=1, max_size=20), st.text(max_size=40))
def test_without_subject_only_strips_a_leading_name(subject: str, rest: str) -> None:
    assert without_subject(f"{subject}: {rest}", subject) == f"{rest}".lstrip(" :：—-") or subject == ""
    assert without_subject(rest, subject) == rest or rest.startswith(subject)


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_any_user_text_stays_text(text: str) -> None:
    # between markers the page's own markup never uses, so a raw "<" of the text cannot hide in a tag
    name = f"\u27e6{text}\u27e7"
    table = Table("t", name, ("activity", "n"), ((name, 1),))
    report = Report(name, "en", (name,), (Section("s", name, (name,), tables=(table,), bullets=(name,)),))
    page = render_html(report, {})
    body = page.split("<body>", 1)[1]
    if "<" in name:
        assert name not in body  # never emitted raw
    md = render_markdown(report)
    row = next(line for line in md.splitlines() if line.startswith("| ") and line.rstrip().endswith("| 1 |"))
    assert row.count(" | ") == 2  # exactly two cells: pipes in the data are escaped as \\|
    assert "\n" not in row
