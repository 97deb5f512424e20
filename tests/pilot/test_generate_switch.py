"""The generator switches its true process at a date, for a segment or for everyone (same seed otherwise)."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.errors import InputError
from procopt.generate import Intervention, Switch, generate
from procopt.log import columns as C

DIRECTOR = "Approve Order (Finance Director)"
AT = datetime.date(2025, 3, 24)
DAYS = 42


@pytest.fixture(scope="module")
def base():
    return generate("o2c", seed=2, days=DAYS)


@pytest.fixture(scope="module")
def pilot():
    return generate(
        "o2c",
        seed=2,
        days=DAYS,
        switches=(
            Switch(AT, Intervention(remove_activities=(DIRECTOR,)), "product == 'B'"),
            Switch(AT, Intervention(extra_capacity={"Pickers": 1})),
        ),
    )


def _arrivals(log):
    ev = log.events
    return ev.groupby(C.CASE)[C.START].min(), ev.groupby(C.CASE)["product"].first()


def test_before_the_date_the_log_is_the_unchanged_one(base, pilot) -> None:
    cut = str(AT)
    a = base.events[base.events[C.END] < cut].reset_index(drop=True)
    b = pilot.events[pilot.events[C.END] < cut].reset_index(drop=True)
    assert a.equals(b)
    assert len(pilot.events) != len(base.events)


def test_only_the_segments_new_cases_skip_the_removed_step(pilot) -> None:
    first, product = _arrivals(pilot)
    has_director = pilot.events[pilot.events[C.ACTIVITY] == DIRECTOR].groupby(C.CASE).size()
    after = first[first >= str(AT)].index
    seg_after = [c for c in after if product[c] == "B"]
    ctrl_after = [c for c in after if product[c] != "B"]
    assert seg_after and ctrl_after
    assert not has_director.index.isin(seg_after).any()
    before_b = [c for c in first[first < pd.Timestamp(AT) - pd.Timedelta(days=3)].index if product[c] == "B"]
    assert has_director.index.isin(before_b).sum() > 0.9 * len(before_b)
    assert has_director.index.isin(ctrl_after).sum() > 0.5 * len(ctrl_after)


def test_a_company_wide_hire_works_only_from_the_date(base, pilot) -> None:
    pickers_before = set(base.events.loc[base.events[C.ACTIVITY] == "Pick Goods", C.RESOURCE])
    ev = pilot.events[pilot.events[C.ACTIVITY] == "Pick Goods"]
    new = set(ev[C.RESOURCE]) - pickers_before
    assert len(new) == 1
    assert ev.loc[ev[C.RESOURCE].isin(new), C.START].min() >= pd.Timestamp(AT)
    assert [s["at"] for s in pilot.truth.switches] == [AT.isoformat()] * 2
    assert pilot.truth.switches[0]["segment"] == "product == 'B'"
    assert "switches" not in base.truth.to_dict()  # unchanged truth files keep their bytes


@pytest.mark.parametrize(
    ("switch", "message"),
    [
        (
            Switch(datetime.date(2026, 1, 1), Intervention(remove_activities=(DIRECTOR,))),
            "outside the generated period",
        ),
        (Switch(AT, Intervention(remove_activities=(DIRECTOR,)), "colour == 'red'"), "unknown attribute(s) colour"),
        (Switch(AT, Intervention(extra_capacity={"Pickers": 1}), "product == 'B'"), "cannot be limited to the segment"),
    ],
)
def test_bad_switches_are_named(switch: Switch, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        generate("o2c", seed=1, days=30, switches=(switch,))


def test_cli_change_at_with_segment_and_drift(tmp_path) -> None:
    out = tmp_path / "p.csv"
    result = CliRunner().invoke(
        main,
        [
            "generate", "o2c", "--days", "30", "--change-at", "2025-03-17", "--segment", "product == 'B'",
            "--remove-activity", DIRECTOR, "--drift-duration-scale", "Pick Goods=1.5", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "from 2025-03-17 for product == 'B': without Approve Order (Finance Director)" in result.output
    assert "from 2025-03-17 for every case: Pick Goods duration x1.5" in result.output
    bad = CliRunner().invoke(main, ["generate", "o2c", "--segment", "product == 'B'", "--out", str(out)])
    assert bad.exit_code == 2 and "--segment and --drift-* need --change-at" in bad.output
