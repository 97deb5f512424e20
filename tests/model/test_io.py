"""model.yaml: readable round trip, and every malformed key reported with its path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.errors import ModelError
from procopt.model.io import load_model, model_to_dict, save_model
from procopt.sim.engine import simulate

_spec = importlib.util.spec_from_file_location("sim_helpers", Path(__file__).parents[1] / "sim" / "helpers.py")
helpers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["sim_helpers"] = helpers
_spec.loader.exec_module(helpers)  # type: ignore[union-attr]


def _model():
    import dataclasses

    from procopt.model.types import BatchRule, Distribution

    m = helpers.two_step_model(calendar=helpers.OFFICE, batch=BatchRule(("16:00",), ("Mon", "Fri")))
    acts = dict(m.activities)
    acts["审批"] = dataclasses.replace(
        acts["Check"], name="审批", extra_delay=Distribution("empirical", {"quantiles_s": [0.0, 0.0, 600.0, 7200.0]})
    )
    return dataclasses.replace(m, activities=acts)


def test_round_trip_keeps_everything_and_simulates_identically(tmp_path: Path) -> None:
    m = _model()
    path = save_model(m, tmp_path / "m.yaml")
    text = path.read_text(encoding="utf-8")
    assert "version: 1" in text and "审批" in text  # readable UTF-8, not escaped
    back = load_model(path)
    assert model_to_dict(back) == model_to_dict(m)
    pd.testing.assert_frame_equal(simulate(m, days=3, seed=4), simulate(back, days=3, seed=4))


def test_size_batch_round_trips_and_simulates_identically(tmp_path: Path) -> None:
    import dataclasses

    from procopt.model.types import BatchRule

    m = _model()
    rule = BatchRule((), (), size=6, max_wait_hours=36.5)
    m = dataclasses.replace(
        m, activities={**m.activities, "Check": dataclasses.replace(m.activities["Check"], batch=rule)}
    )
    path = save_model(m, tmp_path / "m.yaml")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["activities"]["Check"]["batch"] == {
        "size": 6,
        "max_wait_hours": 36.5,
    }
    back = load_model(path)
    assert back.activities["Check"].batch == rule
    pd.testing.assert_frame_equal(simulate(m, days=3, seed=4), simulate(back, days=3, seed=4))


@settings(max_examples=40, deadline=None)
@given(size=st.integers(2, 10_000), wait=st.none() | st.floats(0.01, 1e4, allow_nan=False))
def test_any_size_rule_round_trips_through_the_file_form(size: int, wait: float | None) -> None:
    import dataclasses

    from procopt.model.io import model_from_dict
    from procopt.model.types import BatchRule

    m = _model()
    rule = BatchRule((), (), size=size, max_wait_hours=wait)
    m = dataclasses.replace(
        m, activities={**m.activities, "Check": dataclasses.replace(m.activities["Check"], batch=rule)}
    )
    text = yaml.safe_dump(model_to_dict(m), allow_unicode=True)
    assert model_from_dict(yaml.safe_load(text)).activities["Check"].batch == rule


def _broken(tmp_path: Path, edit) -> Path:
    data = model_to_dict(_model())
    edit(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


CASES = [
    (
        lambda d: d["activities"]["Check"]["duration"].update(kind="lognorml"),
        "activities.Check.duration.kind: unknown kind 'lognorml'. Did you mean 'lognormal'?",
    ),
    (
        lambda d: d["activities"]["Enter"].update(pool="clerk"),
        "activities.Enter.pool: unknown pool 'clerk'. Did you mean 'clerks'?",
    ),
    (lambda d: d["activities"]["Enter"]["duration"].pop("value_s"), "activities.Enter.duration: missing key 'value_s'"),
    (
        lambda d: d["activities"]["Enter"]["duration"].update(value_s=-3),
        "activities.Enter.duration.value_s: must be >= 0, got -3",
    ),
    (
        lambda d: d["activities"]["Enter"].update(durration=1),
        "activities.Enter.durration: unknown key 'durration'. Did you mean 'duration'?",
    ),
    (
        lambda d: d["pools"]["clerks"].update(capacity=0),
        "pools.clerks.capacity: capacity must be a whole number >= 1 or null, got 0",
    ),
    (
        lambda d: d["pools"]["clerks"].update(calendar="offfice"),
        "pools.clerks.calendar: unknown calendar 'offfice'. Did you mean 'office'?",
    ),
    (
        lambda d: d["calendars"]["office"].update(Mon=["8-17"]),
        "calendars.office.Mon: expected a time span like 08:00-17:00, got '8-17'",
    ),
    (
        lambda d: d["routing"][1]["next"].update(Chek=0.5),
        "routing[1].next: unknown activity 'Chek'. Did you mean 'Check'?",
    ),
    (
        lambda d: d["routing"][1].update(branches=[{"when": "order_value >", "next": {"Check": 1}}]),
        "routing[1]: needs exactly one of 'next' or 'branches'",
    ),
    (
        lambda d: d["activities"]["Check"]["batch"].update(release_times=["4pm"]),
        "activities.Check.batch.release_times: '4pm' is not a clock time",
    ),
    (
        lambda d: d["activities"]["Check"].update(batch={"size": 1}),
        "activities.Check.batch.size: expected a whole number of cases >= 2, got 1",
    ),
    (
        lambda d: d["activities"]["Check"].update(batch={"size": "ten"}),
        "activities.Check.batch.size: expected a whole number of cases >= 2, got 'ten'",
    ),
    (
        lambda d: d["activities"]["Check"].update(batch={"size": 10, "max_wait_hours": 0}),
        "activities.Check.batch.max_wait_hours: must be > 0, got 0",
    ),
    (
        lambda d: d["activities"]["Check"]["batch"].update(size=10),
        "activities.Check.batch: a batch is released either at clock times or by size, not both",
    ),
    (
        lambda d: d["activities"]["Check"]["batch"].update(max_wait_hours=4),
        "activities.Check.batch.max_wait_hours: only a size-triggered batch has a maximum wait",
    ),
    (
        lambda d: d["activities"]["Check"].update(batch={"sise": 10}),
        "activities.Check.batch.sise: unknown key 'sise'. Did you mean 'size'?",
    ),
    (
        lambda d: d["activities"]["Check"].update(batch={"weekdays": ["Mon"]}),
        "activities.Check.batch: missing key 'release_times' or 'size'",
    ),
    (lambda d: d.update(version=2), "version: unsupported model version 2"),
    (lambda d: d.pop("routing"), "missing key 'routing'"),
    (lambda d: d["attributes"]["rows"].append([1, 2]), "attributes.rows[2]: has 2 values for 1 columns"),
    (lambda d: d["due"].update(kind="sla"), "due.sla_s: due kind 'sla' needs sla_s"),
]


@pytest.mark.parametrize(("edit", "message"), CASES)
def test_malformed_model_names_the_key_path(tmp_path: Path, edit, message: str) -> None:
    path = _broken(tmp_path, edit)
    with pytest.raises(ModelError) as exc:
        load_model(path)
    assert str(exc.value).startswith((f"{path}, {message}", f"{path}: {message}"))


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("version: 1\nactivities: [\n", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid YAML"):
        load_model(bad)
    with pytest.raises(ModelError, match="file not found"):
        load_model(tmp_path / "none.yaml")
