"""Out-of-core mining: a month-partitioned dataset of a generated log gives the in-memory figures
(counts and sums identical, medians and P90 exact, means within 1e-9), and the errors a user can fix."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.log import columns as C
from procopt.mine import MineOptions, mine
from procopt.scale.convert import write_month_dataset
from procopt.scale.outofcore import mine_partitioned, validate_partitioned

pytest.importorskip("dask", reason="the Dask extra is not installed (pip install 'procopt[dask]')")

EXACT = ("count", "cases", "repeats", "cases_with_repeat", "wait_total_s", "delay_total_s", "time_lost_s")
QUANTILES = ("median", "p90")


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    """A generated O2C log over five months (departments, rework, start and end times)."""
    from procopt.generate import generate

    return generate("o2c", seed=3, days=150).events


@pytest.fixture(scope="module")
def dataset(generated: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ds") / "o2c"
    write_month_dataset(generated, out)
    return out


@pytest.fixture(scope="module")
def in_memory(dataset: Path) -> object:
    """In-memory mining of the same events as the dataset holds (read back from one file, same reader)."""
    from procopt.log.read import read_log

    files = sorted(dataset.rglob("*.parquet"))
    whole = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    single = dataset.parent / "whole.parquet"
    whole.to_parquet(single, index=False)
    return mine(read_log(single).events, MineOptions(discover_model=False))


def assert_same_table(got: pd.DataFrame, want: pd.DataFrame, keys: list[str]) -> None:
    """Same rows in the same order; exact for counts, sums and quantiles, 1e-9 relative for other floats."""
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want) and len(got) > 0
    assert got[keys].astype(str).values.tolist() == want[keys].astype(str).values.tolist()
    for col in want.columns:
        if col in keys:
            continue
        a, b = got[col].to_numpy(), want[col].to_numpy()
        if want[col].dtype == object:
            assert [str(x) for x in a] == [str(x) for x in b], col
            continue
        a, b = a.astype(float), b.astype(float)
        if col in EXACT or any(q in col for q in QUANTILES):
            assert np.array_equal(a, b, equal_nan=True), col
        else:
            assert np.allclose(a, b, rtol=1e-9, atol=0.0, equal_nan=True), col


def test_the_dataset_has_one_folder_per_start_month_and_no_case_is_split(
    generated: pd.DataFrame, dataset: Path
) -> None:
    folders = sorted(p.name for p in dataset.iterdir())
    assert len(folders) >= 5 and all(f.startswith("case_month=20") for f in folders)
    seen: dict[str, str] = {}
    for f in dataset.rglob("*.parquet"):
        part = pd.read_parquet(f)
        month = f.parent.name.split("=")[1]
        first = part[C.START].fillna(part[C.END]).groupby(part[C.CASE]).min()
        assert (first.dt.strftime("%Y-%m") == month).all()
        for case in part[C.CASE].unique():
            assert seen.setdefault(case, f.parent.name) == f.parent.name
    assert len(seen) == generated[C.CASE].nunique()


def test_out_of_core_mining_matches_in_memory(dataset: Path, in_memory: object) -> None:
    got = mine_partitioned(str(dataset))
    want = in_memory
    assert got.partitions >= 5
    for key in ("cases", "events", "activities", "has_start", "first", "last", "variants"):
        assert got.summary[key] == want.summary[key], key  # type: ignore[attr-defined]
    assert_same_table(got.activities, want.activities, ["activity"])  # type: ignore[attr-defined]
    assert_same_table(got.variants, want.variants, ["variant_id", "variant"])  # type: ignore[attr-defined]
    # hand-off waits split by cause need each resource's timeline across cases: not out of core, and said so
    from procopt.mine.waiting import CAUSE_COLUMNS

    whole = want.handoffs  # type: ignore[attr-defined]
    assert set(whole.columns) - set(got.handoffs.columns) <= set(CAUSE_COLUMNS)
    assert any("waiting-cause" in n for n in got.to_dict()["out_of_core"]["not_covered"])
    shared = whole[[c for c in whole.columns if c not in CAUSE_COLUMNS]]
    assert_same_table(got.handoffs, shared, ["from_department", "to_department"])
    assert_same_table(got.rework, want.rework, ["activity"])  # type: ignore[attr-defined]
    pm = want.process_map  # type: ignore[attr-defined]
    assert_same_table(got.process_map["edges"], pm.edges, ["source", "target"])
    assert_same_table(got.process_map["nodes"], pm.nodes, ["activity"])
    assert got.process_map["start"] == pm.start and got.process_map["end"] == pm.end


def test_a_glob_of_partitions_and_one_thread_give_the_same_figures(dataset: Path) -> None:
    a = mine_partitioned(str(dataset), workers=2).to_dict()
    b = mine_partitioned(str(dataset / "*" / "*.parquet"), workers=1).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.slow
def test_csv_partitions_are_read_with_the_ordinary_reader(dataset: Path, tmp_path: Path) -> None:
    for f in sorted(dataset.rglob("*.parquet")):
        pd.read_parquet(f).rename(columns={C.CASE: "order", C.ACTIVITY: "step"}).to_csv(
            tmp_path / f"{f.parent.name}.csv", index=False
        )
    csv = mine_partitioned(str(tmp_path / "*.csv"), mapping={"case": "order", "activity": "step"})
    parquet = mine_partitioned(str(dataset))
    assert csv.summary == parquet.summary
    assert_same_table(csv.activities, parquet.activities, ["activity"])


def test_validate_adds_up_the_partitions(dataset: Path, generated: pd.DataFrame) -> None:
    doc = validate_partitioned(str(dataset))
    assert doc["partitions"] >= 5
    assert doc["rows"] == doc["instances"] == len(generated)
    assert doc["cases"] == generated[C.CASE].nunique()
    assert doc["activities"] == generated[C.ACTIVITY].nunique()
    assert doc["has_start"] is True


def test_mine_and_validate_commands_on_a_dataset(dataset: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["mine", str(dataset), "--out", str(tmp_path / "m"), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["out_of_core"]["partitions"] >= 5 and "approvals" in doc["out_of_core"]["not_covered"]
    assert (tmp_path / "m" / "process_map_edges.csv").exists()
    text = CliRunner().invoke(main, ["mine", str(dataset), "--out", str(tmp_path / "m2")])
    assert text.exit_code == 0 and "Not computed out of core:" in text.output
    v = CliRunner().invoke(main, ["validate", str(dataset), "--json"])
    assert v.exit_code == 0 and json.loads(v.stdout)["partitions"] >= 5


def test_convert_command_writes_a_dataset(repo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    r = CliRunner().invoke(
        main, ["convert", str(repo_root / "sample_logs" / "o2c_orders.csv"), "--to", "parquet", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "month partitions" in r.output and any(out.glob("case_month=*/part-0.parquet"))
    again = CliRunner().invoke(main, ["convert", str(repo_root / "sample_logs" / "o2c_orders.csv"), "--out", str(out)])
    assert again.exit_code == 2 and "exists and is not empty" in again.output


def test_a_glob_matching_nothing_is_refused(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["mine", str(tmp_path / "nothing-*.parquet"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "the pattern matches no CSV or Parquet file" in r.output
    assert str(tmp_path / "nothing-*.parquet") in r.output


def test_parquet_files_with_different_schemas_are_refused(dataset: Path, tmp_path: Path) -> None:
    copy = tmp_path / "mixed"
    shutil.copytree(dataset, copy)
    victim = sorted(copy.rglob("*.parquet"))[-1]
    part = pd.read_parquet(victim)
    part[C.RESOURCE] = part[C.RESOURCE].astype("category").cat.codes  # an export with numbers for names
    part.to_parquet(victim, index=False)
    r = CliRunner().invoke(main, ["validate", str(copy)])
    assert r.exit_code == 2
    assert f"{victim}: its schema differs from" in r.output
    assert "column 'org:resource' is int" in r.output


def test_a_case_split_over_files_is_refused(dataset: Path, tmp_path: Path) -> None:
    files = sorted(dataset.rglob("*.parquet"))
    a, b = pd.read_parquet(files[0]), pd.read_parquet(files[1])
    moved = a[a[C.CASE] == a[C.CASE].iloc[-1]]
    (tmp_path / "split").mkdir()
    a.iloc[: -len(moved) // 2 or -1].to_parquet(tmp_path / "split" / "a.parquet", index=False)
    pd.concat([b, moved.iloc[-len(moved) // 2 :]]).to_parquet(tmp_path / "split" / "b.parquet", index=False)
    r = CliRunner().invoke(main, ["mine", str(tmp_path / "split"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "a case split over files cannot be analysed file by file" in r.output
    assert "procopt convert" in r.output


def test_means_differ_from_in_memory_only_by_rounding(dataset: Path, in_memory: object) -> None:
    got = mine_partitioned(str(dataset)).activities.set_index("activity")
    want = in_memory.activities.set_index("activity")  # type: ignore[attr-defined]
    for col in ("processing_mean_s", "wait_mean_s"):
        for act in want.index:
            assert math.isclose(got.loc[act, col], want.loc[act, col], rel_tol=1e-9)


def test_a_folder_of_different_logs_is_refused(dataset: Path, tmp_path: Path) -> None:
    # `procopt validate ../shared/logs/general` read receipt, sepsis, traffic fines and the running example as
    # one log of 12,490 cases and 62 activities
    files = sorted(dataset.rglob("*.parquet"))
    folder = tmp_path / "exports"
    folder.mkdir()
    pd.read_parquet(files[0]).to_csv(folder / "a_orders.csv", index=False)
    other = pd.read_parquet(files[1]).rename(columns={C.ACTIVITY: "step"}).drop(columns=[C.RESOURCE])
    other.to_csv(folder / "b_tickets.csv", index=False, sep=";")
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert r.exit_code == 2, r.output
    assert f"{folder / 'b_tickets.csv'}: its columns differ from {folder / 'a_orders.csv'}" in r.output
    assert f"column {C.ACTIVITY!r} is missing" in r.output and "extra column 'step'" in r.output
    assert "Traceback" not in r.output
