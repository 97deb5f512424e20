"""Every event log in ../shared/logs runs through ``mine`` and ``write_outputs`` without error.

Small logs run by default; the rest are marked slow (``make test-slow``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_LOGS = Path(__file__).resolve().parents[3] / "shared" / "logs"

EXTENSIONS = (".csv", ".csv.gz", ".xes", ".xes.gz", ".jsonocel", ".xmlocel", ".sqlite")
FAST = {"general/running-example.csv", "erp/interval_event_log.csv", "approvals/mobis_challenge_log_2019_snippet.csv"}
NOT_EVENT_LOGS = {"erp/northwind.sqlite"}  # ERP tables; read_log rejects it with a clear message


def _logs() -> list[object]:
    if not SHARED_LOGS.is_dir():
        return []
    found = sorted(p for p in SHARED_LOGS.rglob("*") if p.is_file() and p.name.lower().endswith(EXTENSIONS))
    params = []
    for path in found:
        rel = path.relative_to(SHARED_LOGS).as_posix()
        if rel in NOT_EVENT_LOGS:
            continue
        marks = [pytest.mark.shared] + ([] if rel in FAST else [pytest.mark.slow])
        params.append(pytest.param(rel, marks=marks, id=rel))
    return params


@pytest.mark.parametrize("rel", _logs())
def test_mine_runs_on_shared_log(rel: str, shared_logs: Path, tmp_path: Path) -> None:
    from procopt.log.read import read_log
    from procopt.mine import mine, write_outputs

    events = read_log(shared_logs / rel).events
    result = mine(events)
    from procopt.viz.process_map import draw

    files = write_outputs(result, tmp_path / "out", draw)
    assert "mining.json" in files and "activities.csv" in files
    data = result.to_dict()
    assert data["summary"]["cases"] > 0
    for item in data["bottlenecks"]:
        assert item["reason"].startswith(item["activity"])
    for verdict in data["approvals"]:
        assert verdict["verdict"] in {"candidate_for_removal", "candidate_for_threshold", "keep"}
    if not result.summary["has_start"]:
        assert result.activities["processing_median_s"].isna().all()
