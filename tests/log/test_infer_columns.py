"""Column detection without --map: business-object and completion names, the case column by its structure."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.cli import main
from procopt.errors import InputError
from procopt.log.infer import infer_case_column
from procopt.log.mapping import guess_mapping
from procopt.log.read import read_log


@pytest.mark.parametrize(
    ("headers", "case", "end"),
    [
        (["requisition", "activity", "completed"], "requisition", "completed"),
        (["Purchase Order", "Activity", "Complete"], "Purchase Order", "Complete"),
        (["ticket", "step", "completion"], "ticket", "completion"),
        (["ticket_no", "action", "completion_timestamp", "agent"], "ticket_no", "completion_timestamp"),
        (["claim_nr", "activity", "time"], "claim_nr", "time"),
    ],
)
def test_business_object_and_completion_names(headers: list[str], case: str, end: str) -> None:
    found = guess_mapping(headers)
    assert found["case"] == case and found["end"] == end


def test_audit_says_a_business_object_column_was_taken(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("ticket,activity,completion\nT1,open,2024-01-01 10:00\nT1,close,2024-01-02 10:00\n")
    log = read_log(path)
    assert log.mapping["case"] == "ticket" and log.mapping["end"] == "completion"
    assert "names the business object" in log.audit.inferred["case"]
    messages = [f.message for f in log.audit.findings if f.code == "column_inferred"]
    assert any("The case column is 'ticket', found by name" in m for m in messages)


def _log(n_cases: int = 40, *, case_name: str = "Beleg", resource_name: str = "who") -> pd.DataFrame:
    """Cases pass through four different steps; each of two clerks always does the same two steps."""
    rows = []
    steps = ["register", "check", "approve", "pay"]
    for i in range(n_cases):
        t0 = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=7 * i)
        for k, step in enumerate(steps):
            rows.append(
                {
                    case_name: f"{4711 + i:06d}",
                    "activity": step,
                    "timestamp": t0 + pd.Timedelta(hours=k),
                    resource_name: f"clerk{k % 2}",
                }
            )
    return pd.DataFrame(rows)


def test_case_column_by_structure_in_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "beleg.csv"
    _log().to_csv(path, index=False)
    result = CliRunner().invoke(main, ["validate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["mapping"]["case"] == "Beleg"
    assert doc["inferred"]["case"].startswith("by structure: 40 values that repeat across several activities")
    assert "'who' looks alike but repeats the same activities" in doc["inferred"]["case"]
    log = read_log(path)
    assert "004711" in set(log.events["case:concept:name"])  # read as text: leading zeros kept


def test_ambiguous_case_and_resource_is_exit_2_listing_candidates(tmp_path: Path) -> None:
    # each case is handled start to finish by its own clerk: 'ref' and 'handler' have the same shape
    frame = _log(case_name="ref", resource_name="handler")
    frame["handler"] = "h" + frame["ref"]
    path = tmp_path / "ambiguous.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "cannot tell which column is the case id" in result.output
    assert "'ref'" in result.output and "'handler'" in result.output
    assert "--map case=" in result.output and "Traceback" not in result.output


def test_no_case_shaped_column_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    path.write_text("activity,timestamp,amount\nx,2024-01-01 10:00,1.5\ny,2024-01-01 11:00,2.5\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "no column has the shape of a case id" in result.output
    assert "--map case=" in result.output


def test_user_map_wins_over_inference(tmp_path: Path) -> None:
    path = tmp_path / "beleg.csv"
    _log().to_csv(path, index=False)
    log = read_log(path, mapping={"case": "who"})
    assert log.mapping["case"] == "who" and "case" not in log.audit.inferred


@settings(max_examples=40, deadline=None)
@given(
    n_cases=st.integers(min_value=3, max_value=30),
    lengths=st.lists(st.integers(min_value=2, max_value=6), min_size=30, max_size=30),
    n_staff=st.integers(min_value=2, max_value=5),
    order=st.permutations(["ref", "activity", "timestamp", "clerk", "amount"]),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_property_structure_finds_the_case_column(
    n_cases: int, lengths: list[int], n_staff: int, order: list[str], seed: int
) -> None:
    """Whatever the column order, the case column is found: distinct steps per case, clerks repeat theirs."""
    import numpy as np

    rng = np.random.default_rng(seed)
    steps = [f"step{k}" for k in range(8)]
    rows = []
    for i in range(n_cases):
        t = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=int(rng.integers(0, 500)))
        for k in range(lengths[i]):
            t += pd.Timedelta(minutes=int(rng.integers(1, 600)))
            rows.append(
                {
                    "ref": f"R{i}",
                    "activity": steps[k],
                    "timestamp": t,
                    "clerk": f"c{k % n_staff}",
                    "amount": float(i) + 0.5,
                }
            )
    frame = pd.DataFrame(rows)[order].astype({"timestamp": str})
    mapping = {"activity": "activity", "end": "timestamp"}
    try:
        column, how = infer_case_column(frame, mapping)
    except InputError as exc:  # allowed only when the clerks really look like cases
        assert "cannot tell" in str(exc) and n_staff >= 4
        return
    assert column == "ref" and how.startswith("by structure")
