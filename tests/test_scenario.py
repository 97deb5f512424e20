"""Scenario files: every change kind applies as documented; every malformed file gets a precise message."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

from procopt.errors import ScenarioError
from procopt.model.calendars import WorkClock
from procopt.scenario import apply_scenario, load_scenario, scenario_from_dict

_spec = importlib.util.spec_from_file_location("sim_helpers", Path(__file__).parent / "sim" / "helpers.py")
helpers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["sim_helpers"] = helpers
_spec.loader.exec_module(helpers)  # type: ignore[union-attr]

REPO = Path(__file__).resolve().parents[1]


def model():
    return helpers.two_step_model(calendar=helpers.OFFICE)


def write(tmp_path: Path, data: object, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def apply(tmp_path: Path, changes: list[object], **top: object):
    return apply_scenario(model(), load_scenario(write(tmp_path, {"name": "t", "changes": changes, **top})))


# --- every change kind does what it says ---------------------------------------------------------------


def test_remove_activity_marks_the_step_as_always_skipped(tmp_path: Path) -> None:
    m = apply(tmp_path, [{"remove_activity": "Check"}])
    assert m.activities["Check"].skip_when == "true"
    assert model().activities["Check"].skip_when is None  # the input model is untouched


def test_skip_activity_keeps_the_condition(tmp_path: Path) -> None:
    m = apply(tmp_path, [{"skip_activity": {"activity": "Check", "when": "order_value < 5000"}}])
    assert m.activities["Check"].skip_when == "order_value < 5000"


def test_capacity_add_and_set_by_activity_or_pool(tmp_path: Path) -> None:
    assert apply(tmp_path, [{"capacity": {"activity": "Enter", "add": 2}}]).pools["clerks"].capacity == 3
    assert apply(tmp_path, [{"capacity": {"pool": "checkers", "set": 5}}]).pools["checkers"].capacity == 5


def test_duration_scale_and_arrival_scale(tmp_path: Path) -> None:
    m = apply(tmp_path, [{"duration": {"activity": "Enter", "scale": 0.5}}, {"arrivals": {"scale": 1.15}}])
    assert m.activities["Enter"].duration.mean_s == 450.0
    assert m.arrivals.scale == pytest.approx(1.15)


def test_priority_batch_and_calendar_changes(tmp_path: Path) -> None:
    m = apply(
        tmp_path,
        [
            {"priority": {"activity": "Check", "rule": "earliest_due_date"}},
            {"batch": {"activity": "Check", "times": ["10:00", "15:00"]}},
            {"calendar": {"pool": "clerks", "hours": "Mon-Sat 08:00-20:00"}},
        ],
    )
    assert m.activities["Check"].priority == "earliest_due_date"
    assert m.activities["Check"].batch.release_times == ("10:00", "15:00")
    cal = m.calendars[m.pools["clerks"].calendar]
    assert WorkClock(cal).week_work_s == 6 * 12 * 3600
    m2 = apply_scenario(m, scenario_from_dict({"changes": [{"batch": {"activity": "Check", "remove": True}}]}))
    assert m2.activities["Check"].batch is None


def test_batch_change_by_size(tmp_path: Path) -> None:
    m = apply(tmp_path, [{"batch": {"activity": "Check", "size": 10, "max_wait_hours": 24}}])
    rule = m.activities["Check"].batch
    assert (rule.size, rule.max_wait_hours, rule.release_times) == (10, 24.0, ())
    # a size rule replaces a clock rule (and back): one rule per step
    m2 = apply_scenario(m, scenario_from_dict({"changes": [{"batch": {"activity": "Check", "times": ["16:00"]}}]}))
    assert (m2.activities["Check"].batch.release_times, m2.activities["Check"].batch.size) == (("16:00",), None)
    m3 = apply(tmp_path, [{"batch": {"activity": "Check", "size": 4}}])
    assert m3.activities["Check"].batch.max_wait_hours is None


def test_kpi_targets_and_description_are_kept(tmp_path: Path) -> None:
    s = load_scenario(
        write(
            tmp_path,
            {
                "name": "fast",
                "description": "quicker",
                "changes": [],
                "kpi_targets": {"lead_time_p90_hours": {"max": 96}, "delivery_rate": {"min": 0.95}},
            },
        )
    )
    assert s.name == "fast" and s.description == "quicker"
    assert s.kpi_targets == {"lead_time_p90_hours": {"max": 96.0}, "delivery_rate": {"min": 0.95}}


def test_name_defaults_to_file_stem_and_chinese_names_survive(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, {"changes": [{"remove_activity": "审批"}]}, name="去掉审批.yaml"))
    assert s.name == "去掉审批"
    assert s.changes[0].activity == "审批"


def test_shipped_o2c_scenarios_load() -> None:
    names = {load_scenario(p).name for p in sorted((REPO / "scenarios").glob("*.yaml"))}
    assert {
        "remove_director_approval",
        "plus_one_credit_analyst",
        "automate_invoicing",
        "sales_push_115",
        "combined_fix",
    } <= names


# --- every malformed file has its message ---------------------------------------------------------------

ERRORS = [
    ({"chnages": []}, "unknown key 'chnages'. Did you mean 'changes'?"),
    (
        {"changes": [{"capcity": {"activity": "Enter", "add": 1}}]},
        "changes[0].capcity: unknown change 'capcity'. Did you mean 'capacity'?",
    ),
    (
        {"changes": [{"capacity": {"activity": "Enter", "add": 1}, "arrivals": {"scale": 2}}]},
        "changes[0]: each change is a mapping with one key",
    ),
    ({"changes": [{"capacity": {"activity": "Enter"}}]}, "changes[0].capacity: give exactly one of add: N or set: N"),
    ({"changes": [{"capacity": {"add": 1}}]}, "changes[0].capacity: name exactly one of activity: or pool:"),
    (
        {"changes": [{"capacity": {"pool": "clerks", "add": 1.5}}]},
        "changes[0].capacity.add: expected a whole number of people, got 1.5",
    ),
    ({"changes": [{"duration": {"activity": "Enter", "scale": -1}}]}, "changes[0].duration.scale: must be > 0, got -1"),
    (
        {"changes": [{"duration": {"activity": "Enter", "factor": 2}}]},
        "changes[0].duration.factor: unknown key 'factor'",
    ),
    ({"changes": [{"arrivals": {"scale": "lots"}}]}, "changes[0].arrivals.scale: expected a number, got 'lots'"),
    (
        {"changes": [{"priority": {"activity": "Enter", "rule": "edd"}}]},
        "changes[0].priority.rule: unknown priority rule 'edd'",
    ),
    (
        {"changes": [{"batch": {"activity": "Enter", "times": ["25:00"]}}]},
        "changes[0].batch.times: '25:00' is not a clock time",
    ),
    ({"changes": [{"batch": {"activity": "Enter"}}]}, "changes[0].batch: missing key 'times'"),
    (
        {"changes": [{"batch": {"activity": "Enter", "size": 1}}]},
        "changes[0].batch.size: expected a whole number of cases >= 2, got 1",
    ),
    (
        {"changes": [{"batch": {"activity": "Enter", "size": 10, "times": ["10:00"]}}]},
        "changes[0].batch: give one of times:, size: or remove: true, not times and size",
    ),
    (
        {"changes": [{"batch": {"activity": "Enter", "times": ["10:00"], "max_wait_hours": 4}}]},
        "changes[0].batch.max_wait_hours: only a size-triggered batch has a maximum wait",
    ),
    (
        {"changes": [{"batch": {"activity": "Enter", "size": 8, "max_wait_hours": -1}}]},
        "changes[0].batch.max_wait_hours: must be > 0, got -1",
    ),
    (
        {"changes": [{"batch": {"activity": "Enter", "size": 8, "weekdays": ["Mon"]}}]},
        "changes[0].batch.weekdays: weekdays go with release times",
    ),
    (
        {"changes": [{"calendar": {"pool": "clerks", "hours": "Mon-Xyz 08:00-20:00"}}]},
        "changes[0].calendar.hours: unknown weekday in 'Mon-Xyz'",
    ),
    (
        {"changes": [{"calendar": {"pool": "clerks", "hours": "Mon-Fri 18:00-08:00"}}]},
        "changes[0].calendar.hours: time span '18:00-08:00' ends before it starts",
    ),
    (
        {"changes": [{"skip_activity": {"activity": "Enter", "when": "order_value <"}}]},
        "changes[0].skip_activity.when: cannot parse condition 'order_value <'",
    ),
    (
        {"changes": [{"skip_activity": {"activity": "Enter", "when": "__import__('os').system('x')"}}]},
        "changes[0].skip_activity.when: unsupported element Call",
    ),
    (
        {"kpi_targets": {"lead_time_p95_hours": {"max": 3}}},
        "kpi_targets.lead_time_p95_hours: unknown key 'lead_time_p95_hours'. Did you mean 'lead_time_p90_hours'?",
    ),
    ({"kpi_targets": {"delivery_rate": {"above": 0.9}}}, "kpi_targets.delivery_rate.above: unknown key 'above'"),
    ({"name": "baseline"}, "name: 'baseline' is reserved"),
    ("changes: [unclosed", "not valid YAML"),
]


@pytest.mark.parametrize(("data", "message"), ERRORS)
def test_malformed_scenarios_are_explained(tmp_path: Path, data: object, message: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert str(exc.value).startswith(f"{path}")
    assert message in str(exc.value)


NAME_ERRORS = [
    (
        [{"capacity": {"pool": "clerk", "add": 1}}],
        "changes[0].capacity.pool: unknown pool 'clerk'. Did you mean 'clerks'?",
        "Valid pools: 'checkers', 'clerks'.",
    ),
    (
        [{"remove_activity": "Chek"}],
        "changes[0].remove_activity.activity: unknown activity 'Chek'. Did you mean 'Check'?",
        "Valid activities: 'Check', 'Enter'.",
    ),
    (
        [{"arrivals": {"scale": 1.1}}, {"duration": {"activity": "Entre", "scale": 2}}],
        "changes[1].duration.activity: unknown activity 'Entre'. Did you mean 'Enter'?",
        None,
    ),
    (
        [{"skip_activity": {"activity": "Enter", "when": "ordr_value < 5"}}],
        "changes[0].skip_activity.when: unknown case attribute 'ordr_value'. Did you mean 'order_value'?",
        None,
    ),
    ([{"capacity": {"pool": "clerks", "set": 0}}], "pool 'clerks' would have 0 people", None),
]


@pytest.mark.parametrize(("changes", "message", "hint"), NAME_ERRORS)
def test_unknown_names_are_reported_with_the_valid_ones(
    tmp_path: Path, changes: list[object], message: str, hint: str | None
) -> None:
    path = write(tmp_path, {"name": "t", "changes": changes})
    with pytest.raises(ScenarioError) as exc:
        apply_scenario(model(), load_scenario(path))
    assert str(exc.value).startswith(str(path))
    assert message in str(exc.value)
    if hint:
        assert hint in (exc.value.hint or "")


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_adding_people_to_an_unlimited_pool_is_refused(tmp_path: Path) -> None:
    m = helpers.two_step_model(capacity=None)
    with pytest.raises(ScenarioError, match="has unlimited capacity"):
        apply_scenario(m, load_scenario(write(tmp_path, {"changes": [{"capacity": {"pool": "clerks", "add": 1}}]})))


def test_every_shipped_scenario_applies_to_a_model_of_its_sample_log() -> None:
    """Each scenarios/*.yaml names activities of the sample log it is written for."""
    from procopt.log.read import read_log
    from procopt.model.calibrate import calibrate

    logs = {"p2p_": "p2p_requisitions.csv", "o2c_zh_": "o2c_orders_zh.csv"}
    models: dict[str, object] = {}
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        log = next((v for k, v in logs.items() if path.name.startswith(k)), "o2c_orders.csv")
        if not (REPO / "sample_logs" / log).exists():
            pytest.fail(
                "committed sample logs are missing: regenerate them with `procopt generate` (see sample_logs/README.md)"
            )
        if log not in models:
            models[log] = calibrate(read_log(REPO / "sample_logs" / log).events.head(6000))
        apply_scenario(models[log], load_scenario(path))  # raises on any unknown name


def test_scenario_files_are_versioned_and_an_unversioned_file_is_version_1(tmp_path: Path) -> None:
    from procopt.scenario import load_scenario

    old = tmp_path / "old.yaml"
    old.write_text("name: old\nchanges:\n  - arrivals: {scale: 1.1}\n", encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text("version: 1\nname: new\nchanges:\n  - arrivals: {scale: 1.1}\n", encoding="utf-8")
    assert load_scenario(old).changes == load_scenario(new).changes
    future = tmp_path / "future.yaml"
    future.write_text("version: 2\nname: future\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="version: unsupported scenario version 2") as info:
        load_scenario(future)
    assert info.value.hint == "This procopt reads version: 1."


def test_change_kinds_come_from_the_change_classes() -> None:
    from procopt.scenario import CHANGE_KINDS
    from procopt.scenario.changes import CHANGE_TYPES
    from procopt.scenario.load import _kind

    assert tuple(c.kind for c in CHANGE_TYPES) == CHANGE_KINDS
    assert len(set(CHANGE_KINDS)) == len(CHANGE_KINDS) == 9
    assert _kind(CHANGE_TYPES[0]("Check")) == "remove_activity"  # type: ignore[call-arg]


def test_every_shipped_scenario_declares_its_version(repo_root: Path) -> None:
    import yaml

    for path in sorted((repo_root / "scenarios").glob("*.yaml")):
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["version"] == 1, path.name
