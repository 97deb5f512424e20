"""The causes of waiting through the command line: mine's summary and CSVs, report section 5 in two languages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.generate.waiting_causes import generate_waiting_causes
from procopt.log import columns as C


@pytest.fixture(scope="module")
def dispatch_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dispatch") / "dispatch.csv"
    events = generate_waiting_causes("release_queue", seed=3, days=28).events
    plain = {C.CASE: "order_id", C.ACTIVITY: "activity", C.START: "start_time", C.END: "end_time"}
    plain.update({C.RESOURCE: "user", C.DEPARTMENT: "department"})
    events[list(plain)].rename(columns=plain).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_mine_prints_where_the_waiting_goes_and_writes_readable_csvs(dispatch_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["mine", str(dispatch_csv), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = lines.index("Where the waiting goes (largest first, with its causes):")
    assert "Handle" in lines[first + 1] and "batching" in lines[first + 1]
    assert first < next(i for i, line in enumerate(lines) if line.startswith("Top bottlenecks"))
    with (out / "waiting_by_handoff.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["from_department"] == "Sales" and rows[0]["to_department"] == "Operations"
    assert float(rows[0]["batching_h"]) > float(rows[0]["contention_h"]) > 0
    assert all(len(v.split(".")[1]) <= 2 for v in rows[0].values() if "." in v and v.replace(".", "").isdigit())
    with (out / "waiting_by_resource.csv").open(encoding="utf-8-sig") as fh:
        assert {r["resource"] for r in csv.DictReader(fh)} >= {"Loader 1", "Loader 2"}
    data = json.loads((out / "mining.json").read_text())
    assert data["waiting"][0]["activity"] == "Handle"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_section_5_draws_the_cause_mix(dispatch_csv: Path, tmp_path: Path, lang: str) -> None:
    out = tmp_path / f"report_{lang}"
    args = ["report", str(dispatch_csv), "--no-simulation", "--lang", lang, "--out", str(out)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (out / "figures" / "waiting_causes.png").stat().st_size > 5000
    assert (out / "figures" / "handoff_causes.png").stat().st_size > 5000
    md = (out / "report.md").read_text(encoding="utf-8")
    assert ("Why cases wait" if lang == "en" else "等待原因") in md
