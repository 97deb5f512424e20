"""``procopt extract`` as a user runs it: outputs other commands read unchanged, --json, --lang, --tz."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.extract import extract
from procopt.log import columns as C
from procopt.log.read import read_log

from .conftest import Company

GOLDEN = Path(__file__).parent / "data" / "extract_summary.golden.json"


def test_json_summary_matches_golden(o2c_ecc: Company, tmp_path: Path) -> None:
    """The documented --json shape (docs/CONTRACTS.md); PROCOPT_UPDATE_GOLDEN=1 rewrites it on purpose."""
    out = tmp_path / "o2c.csv"
    res = CliRunner().invoke(main, ["extract", "--source", str(o2c_ecc.tables), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["source"] == str(o2c_ecc.tables) and doc["out"] == str(out)
    doc["source"], doc["out"] = "<source>", "<out>"
    if os.environ.get("PROCOPT_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    assert doc == json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "ext",
    [
        ".csv",
        ".jsonocel",
        pytest.param(".parquet", marks=pytest.mark.slow),
        pytest.param(".xes", marks=pytest.mark.slow),
        pytest.param(".sqlite", marks=pytest.mark.slow),
    ],
)
def test_every_output_format_reads_back_the_same_log(o2c_ecc: Company, tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"o2c{ext}"
    res = CliRunner().invoke(main, ["extract", "--source", str(o2c_ecc.tables), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    log = read_log(out)
    assert log.events[C.CASE].nunique() == summary["cases"]
    assert len(log.events) == summary["events"]
    assert log.audit.ok
    if ext in (".jsonocel", ".sqlite"):
        assert log.details["object_type"] == "order"
    else:
        assert log.events[C.DUE].notna().all()


@pytest.mark.slow
def test_validate_and_mine_run_on_the_output(o2c_ecc: Company, tmp_path: Path) -> None:
    out = tmp_path / "o2c.csv"
    runner = CliRunner()
    assert runner.invoke(main, ["extract", "--source", str(o2c_ecc.tables), "--out", str(out)]).exit_code == 0
    res = runner.invoke(main, ["validate", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["mapping"]["due"] == C.DUE
    res = runner.invoke(main, ["mine", str(out), "--out", str(tmp_path / "mined"), "--json"])
    assert res.exit_code == 0, res.output


def test_text_summary_shows_variant_tables_and_audit(o2c_ecc: Company, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["extract", "--source", str(o2c_ecc.tables), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    assert "with recipe sap-o2c, ECC (MKPF/MSEG" in res.output
    assert "Create Billing Document" in res.output and "Extraction audit:" in res.output


@pytest.mark.slow
def test_chinese_activity_names(o2c_ecc: Company) -> None:
    en = extract(str(o2c_ecc.tables), "sap-o2c")
    zh = extract(str(o2c_ecc.tables), "sap-o2c", language="zh")
    names = set(zh.events[C.ACTIVITY])
    assert {"创建销售订单", "过账发货", "创建开票凭证", "解除交货冻结（销售经理审批）"} <= names
    assert len(names) == en.events[C.ACTIVITY].nunique()
    assert (zh.events[C.END] == en.events[C.END]).all()


@pytest.mark.slow
def test_time_zone_keeps_local_wall_clock_across_dst(o2c_ecc: Company) -> None:
    plain = extract(str(o2c_ecc.tables), "sap-o2c")
    local = extract(str(o2c_ecc.tables), "sap-o2c", tz="UTC=America/New_York")
    shift = (local.events[C.END] - plain.events[C.END]).dt.total_seconds() / 3600
    # The generated company runs from 3 March 2025; New York moves to summer time on 9 March (07:00 UTC).
    before = plain.events[C.END] < pd.Timestamp("2025-03-09 07:00")
    assert (shift[before] == -5).all() and (shift[~before] == -4).all()
    assert before.any() and (~before).any()


def test_se16n_export_with_labels_decimal_commas_and_mixed_zero_padding(tmp_path: Path) -> None:
    """A hand-made SE16N download: labels as headers, semicolons, dd.mm.yyyy, 1.234,50-, keys with and without zeros."""
    folder = tmp_path / "se16n"
    folder.mkdir()
    (folder / "VBFA.txt").write_text(
        "Client;Preceding Document;Preceding Item;Subsequent Document;Subsequent Item;"
        "Preceding Doc. Category;Subsequent Doc. Category;Reference value;Created on;Time\n"
        "100;0000012345;000010;0080000001;000010;C;J;1.234,50;26.03.2020;08:12:57\n"
        "100;12345;10;90000001;10;C;M;1.234,50-;27.03.2020;10:00:00\n"
        "100;0080000001;000010;0090000001;000010;J;M;1.234,50;27.03.2020;10:00:00\n"
        "100;0000012346;000010;0080000002;000010;C;J;10,00;00.00.0000;000000\n",
        encoding="utf-8",
    )
    result = extract(str(folder), "sap-docflow")
    ev = result.events
    assert set(ev[C.CASE]) == {"12345"}  # 12346's delivery has no date: left out and reported
    assert list(ev[C.ACTIVITY]) == ["Create Delivery", "Create Invoice"]
    assert list(ev[C.END].astype(str)) == ["2020-03-26 08:12:57", "2020-03-27 10:00:00"]
    codes = {f.code for f in result.findings}
    assert {"field_labels_renamed", "missing_timestamps", "documents_without_date"} <= codes


@pytest.mark.slow
def test_parquet_zip_source_equals_csv_folder(o2c_ecc: Company, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for csv in o2c_ecc.tables.glob("*.csv"):
            frame = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            target = tmp_path / f"{csv.stem}.parquet"
            frame.to_parquet(target, index=False)
            zf.write(target, f"export/{csv.stem}.parquet")
    a = extract(str(o2c_ecc.tables), "sap-o2c").events
    b = extract(str(archive), "sap-o2c").events
    pd.testing.assert_frame_equal(a[[C.CASE, C.ACTIVITY, C.END]], b[[C.CASE, C.ACTIVITY, C.END]])
