"""The Simod peer of bench/fidelity.py, without Simod: config, CSV layouts both ways, skipping, scoring, table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import yaml

from procopt.fidelity.paired import make_split
from procopt.fidelity.split import holdout_split
from procopt.log import columns as C

BENCH = Path(__file__).resolve().parents[2] / "bench"
T0 = pd.Timestamp("2024-03-04 08:00")


def _load(name: str) -> ModuleType:
    """A bench script as a module (bench/ is not a package; fidelity.py imports simod_peer by its bare name)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def peer() -> ModuleType:
    return _load("simod_peer")


def _events(cases: int = 20) -> pd.DataFrame:
    """``cases`` cases of A (1 h) then B (2 h, 30 min later), one case every 3 hours; B's resource unknown."""
    rows = []
    for i in range(cases):
        t = T0 + pd.Timedelta(hours=3 * i)
        rows.append({"case": f"c{i}", "activity": "A", "start": t, "end": t + pd.Timedelta(hours=1), "resource": "ann"})
        rows.append(
            {
                "case": f"c{i}",
                "activity": "B",
                "start": t + pd.Timedelta(minutes=90),
                "end": t + pd.Timedelta(minutes=210),
            }
        )
    return C.make_events(rows)


def test_config_is_simod_52_discovery_only_with_the_budget(peer: ModuleType, tmp_path: Path) -> None:
    budget = peer.Budget(control_flow_iterations=3, arrival_iterations=1, resource_iterations=2, delay_iterations=1)
    path = peer.write_config(tmp_path / "simod.yaml", tmp_path / "train.csv", budget)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert config["version"] == 5.2
    common = config["common"]
    assert common["train_log_path"] == str(tmp_path / "train.csv")
    assert common["log_ids"] == {
        "case": "case_id",
        "activity": "activity",
        "resource": "resource",
        "start_time": "start_time",
        "end_time": "end_time",
    }
    # no test log and no final evaluation: the bench simulates the test period itself, seeded
    assert common["perform_final_evaluation"] is False and "test_log_path" not in common
    stages = ("control_flow", "case_arrival", "resource_model", "extraneous_activity_delays")
    assert [config[s]["num_iterations"] for s in stages] == [3, 1, 2, 1]
    assert {config[s]["num_evaluations_per_iteration"] for s in stages} == {2}
    assert budget.simulations() == (3 + 1 + 2 + 1) * 2


def test_default_budget_is_well_below_simods_defaults(peer: ModuleType) -> None:
    budget = peer.Budget()
    simod_defaults = (10 + 5 + 10 + 1) * 3  # control flow, arrival, resources, delays; 3 simulations each
    assert budget.simulations() == 22 < simod_defaults == peer.Budget.simod_defaults().simulations()
    assert "22 in all" in budget.describe()
    assert set(peer.BUDGETS) == {"small", "simod-defaults"}


def test_train_csv_fills_what_simod_needs(peer: ModuleType) -> None:
    events = _events(2)
    events.loc[events[C.ACTIVITY] == "A", C.START] = pd.NaT  # a complete-only event
    frame = peer.train_csv_frame(events)
    assert list(frame.columns) == ["case_id", "activity", "resource", "start_time", "end_time"]
    a = frame[frame["activity"] == "A"]
    assert (a["start_time"] == a["end_time"]).all()  # no start: an instant at the end
    assert set(frame.loc[frame["activity"] == "B", "resource"]) == {peer.NO_RESOURCE}
    assert frame["end_time"].iloc[0] == "2024-03-04T09:00:00.000000+00:00"
    assert frame["end_time"].is_monotonic_increasing


def test_simulated_csv_reads_back_on_the_same_wall_clock(peer: ModuleType, tmp_path: Path) -> None:
    # ground truth: what the bench writes for Simod, read back as if Prosimos had written it, is the same log
    events = _events(3)
    csv = tmp_path / "simulated_log_0.csv"
    peer.train_csv_frame(events).assign(enable_time="").to_csv(csv, index=False)
    back = peer.read_simulated_log(csv)
    assert list(back.columns[: len(C.CANONICAL)]) == list(C.CANONICAL)
    cols = [C.CASE, C.ACTIVITY, C.START, C.END]
    pd.testing.assert_frame_equal(back[cols], events[cols])
    assert back[C.END].dt.tz is None


def test_prosimos_timestamps_with_offsets_become_naive_utc(peer: ModuleType, tmp_path: Path) -> None:
    csv = tmp_path / "sim.csv"
    csv.write_text(
        "case_id,activity,enable_time,start_time,end_time,resource\n"
        "0,A,2024-03-04 08:00:00+00:00,2024-03-04 08:00:00.500000+00:00,2024-03-04 09:15:00+00:00,ann\n",
        encoding="utf-8",
    )
    row = peer.read_simulated_log(csv).iloc[0]
    assert row[C.START] == pd.Timestamp("2024-03-04 08:00:00.5")
    assert row[C.END] == pd.Timestamp("2024-03-04 09:15")
    assert row[C.CASE] == "0" and row[C.RESOURCE] == "ann"


def test_a_simulated_log_without_times_names_the_file(peer: ModuleType, tmp_path: Path) -> None:
    csv = tmp_path / "broken.csv"
    csv.write_text("case_id,activity\n1,A\n", encoding="utf-8")
    with pytest.raises(peer.SimodFailed, match=r"broken\.csv.*start_time"):
        peer.read_simulated_log(csv)


def test_skips_without_java(peer: ModuleType, tmp_path: Path) -> None:
    found = peer.availability(str(tmp_path), which=lambda _name: None, probe=lambda _p: "5.2.1")
    assert not found.ok and "Java" in found.reason


def test_skips_without_the_interpreter_and_says_how_to_install(peer: ModuleType, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "python"
    found = peer.availability(str(missing), which=lambda _name: "/usr/bin/java", probe=lambda _p: "5.2.1")
    assert not found.ok
    assert str(missing) in found.reason and "pip install simod==5.2.1" in found.reason
    assert "--simod-python" in found.reason and peer.ENV_VAR in found.reason


def test_skips_when_simod_does_not_import(peer: ModuleType, tmp_path: Path) -> None:
    python = tmp_path / "python"
    python.write_text("", encoding="utf-8")
    found = peer.availability(str(python), which=lambda _name: "/usr/bin/java", probe=lambda _p: None)
    assert not found.ok and "cannot import simod" in found.reason


def test_finds_simod_through_the_environment_variable(peer: ModuleType, tmp_path: Path) -> None:
    python = tmp_path / "python"
    python.write_text("", encoding="utf-8")
    found = peer.availability(
        None, environ={peer.ENV_VAR: str(python)}, which=lambda _name: "/usr/bin/java", probe=lambda _p: "5.2.1"
    )
    assert found.ok and found.python == python and found.version == "5.2.1"


def test_scored_like_procopts_candidates(peer: ModuleType) -> None:
    from procopt.fidelity.paired import Task
    from procopt.fidelity.recipe import Recipe

    split = make_split(*holdout_split(_events(20)))
    task = Task(split, Recipe(), True, (1,))
    assert (task.max_cases, task.score_seed) == (peer.SCORE_MAX_CASES, peer.SCORE_SEED)


def test_the_test_period_itself_scores_zero(peer: ModuleType) -> None:
    # ground truth: a "simulated" log identical to the held-out period is at distance 0 in both readings
    split = make_split(*holdout_split(_events(20)))
    scores = peer.score_peer(split, [split.test.copy(), split.test.copy()])
    for reading in ("published", "matched"):
        assert scores[reading]["ngd"] == pytest.approx(0.0)
        assert scores[reading]["ctd_hours"] == pytest.approx(0.0)
        assert scores[reading]["lead_time_mean_rel_error"] == pytest.approx(0.0)


def _result(**extra: object) -> dict[str, object]:
    card = {"ngd": 0.5, "ctd_hours": 20.0, "lead_time_mean_rel_error": 0.1}
    return {
        "published": {"procopt": card, "naive": card},
        "matched": {"procopt": card, "naive": card},
        "verdict": "better",
        "fallbacks_text": "0",
        **extra,
    }


def test_table_has_simod_columns_only_when_a_peer_ran() -> None:
    fidelity = _load("fidelity")
    card = {"ngd": 0.958, "ctd_hours": 125.5, "lead_time_mean_rel_error": 1.2}
    plain = fidelity.markdown_table({"Production": _result()})
    with_peer = fidelity.markdown_table(
        {
            "Production": _result(simod={"published": card, "matched": card}),
            "LoanApp": _result(simod_error="failed (SimodFailed)"),
        }
    )
    assert "Simod" not in plain
    lines = with_peer.splitlines()
    assert "Simod same run (as published)" in lines[0]
    assert {line.count("|") for line in lines} == {lines[0].count("|")} == {plain.splitlines()[0].count("|") + 2}
    assert "| 0.958 | 0.958 |" in with_peer and "125.5" in with_peer
    assert "failed (SimodFailed)" in with_peer
