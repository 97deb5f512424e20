"""Every promised error of ``procopt extract``: exit status 2, a message naming the place, a hint, no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from procopt.cli import main

from .conftest import Company


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["extract", *args])
    assert "Traceback" not in res.output
    return res.exit_code, res.output


def copy_tables(company: Company, dest: Path) -> Path:
    shutil.copytree(company.tables, dest)
    return dest


def test_export_without_vbfa_names_the_step_that_needs_it(o2c_ecc: Company, tmp_path: Path) -> None:
    folder = copy_tables(o2c_ecc, tmp_path / "t")
    (folder / "VBFA.csv").unlink()
    code, out = run("--source", str(folder), "--recipe", "sap-o2c", "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert "recipe sap-o2c, step 'Post Goods Issue (ECC)' needs table VBFA" in out
    assert "Hint: Export VBFA as well" in out
    assert not (tmp_path / "o.csv").exists()


def test_missing_column_names_table_column_and_step(o2c_ecc: Company, tmp_path: Path) -> None:
    folder = copy_tables(o2c_ecc, tmp_path / "t")
    likp = pd.read_csv(folder / "LIKP.csv", dtype=str, encoding="utf-8-sig").drop(columns=["ERZET"])
    likp.to_csv(folder / "LIKP.csv", index=False)
    code, out = run("--source", str(folder), "--recipe", "sap-o2c", "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert "step 'Create Delivery' needs column ERZET of table LIKP" in out


def test_mixed_date_formats(o2c_ecc: Company, tmp_path: Path) -> None:
    folder = copy_tables(o2c_ecc, tmp_path / "t")
    vbak = pd.read_csv(folder / "VBAK.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    d = vbak.loc[0, "ERDAT"]
    vbak.loc[0, "ERDAT"] = f"{d[6:8]}.{d[4:6]}.{d[:4]}"
    vbak.to_csv(folder / "VBAK.csv", index=False)
    code, out = run("--source", str(folder), "--recipe", "sap-o2c", "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert "table VBAK, column ERDAT: mixes date formats: DD.MM.YYYY" in out and "YYYYMMDD" in out
    assert "Hint: Export the table again with one date format" in out


def test_empty_result(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "VBFA.csv").write_text("VBELV,POSNV,VBELN,POSNN,VBTYP_V,VBTYP_N,ERDAT,ERZET\n", encoding="utf-8")
    code, out = run("--source", str(folder), "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert "recipe sap-docflow found no activity instances" in out


def test_not_a_source(tmp_path: Path) -> None:
    f = tmp_path / "log.csv"
    f.write_text("case,activity,time\n1,a,2020-01-01\n", encoding="utf-8")
    code, out = run("--source", str(f), "--out", str(tmp_path / "o.csv"))
    assert code == 2 and "is neither a folder, a .zip of table exports nor a SQLite database" in out
    code, out = run("--source", str(tmp_path / "nope"), "--out", str(tmp_path / "o.csv"))
    assert code == 2 and "does not exist" in out


def test_unsupported_database_url_is_masked(tmp_path: Path) -> None:
    code, out = run("--source", "mysql://root:hunter2@db/erp", "--out", str(tmp_path / "o.csv"))
    assert code == 2 and "mysql://root:***@db/erp" in out and "hunter2" not in out


def test_unknown_recipe_did_you_mean(o2c_ecc: Company, tmp_path: Path) -> None:
    code, out = run("--source", str(o2c_ecc.tables), "--recipe", "sap-o2", "--out", str(tmp_path / "o.csv"))
    assert code == 2 and "unknown recipe 'sap-o2'. Did you mean 'sap-o2c'?" in out


def test_bad_output_extension(o2c_ecc: Company, tmp_path: Path) -> None:
    code, out = run("--source", str(o2c_ecc.tables), "--out", str(tmp_path / "o.xlsx"))
    assert code == 2 and "unsupported output format" in out and ".jsonocel" in out


def test_unknown_time_zone(o2c_ecc: Company, tmp_path: Path) -> None:
    code, out = run("--source", str(o2c_ecc.tables), "--tz", "Europe/Berlinn", "--out", str(tmp_path / "o.csv"))
    assert code == 2 and "unknown time zone 'Europe/Berlinn'. Did you mean 'Europe/Berlin'?" in out


RECIPE = """\
name: mini
objects: {order: Order}
steps:
  - name: Ship
    table: Orders
    objects: {order: OrderID}
    activity: Ship
    time: ShippedDate
"""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("steps:", "stpes:"), "unknown key 'stpes'. Did you mean 'steps'?"),
        (("    table: Orders", "    tabel: Orders"), "key steps[0].tabel: unknown key 'tabel'. Did you mean 'table'?"),
        (
            ("objects: {order: OrderID}", "objects: {ordr: OrderID}"),
            "unknown object type 'ordr'. Did you mean 'order'?",
        ),
        (("    activity: Ship\n", ""), "a table step needs activity"),
        (("name: mini", "name: [mini"), "not valid YAML"),
    ],
)
def test_recipe_errors_name_file_key_and_fix(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    recipe = tmp_path / "mine.yaml"
    recipe.write_text(RECIPE.replace(*change), encoding="utf-8")
    db = tmp_path / "x.sqlite"
    import sqlite3

    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE Orders (OrderID INTEGER, ShippedDate TEXT)")
    code, out = run("--source", str(db), "--recipe", str(recipe), "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert str(recipe) in out and expected in out and "Hint:" in out


def test_generic_recipe_missing_column_did_you_mean(tmp_path: Path) -> None:
    recipe = tmp_path / "mine.yaml"
    recipe.write_text(RECIPE, encoding="utf-8")
    db = tmp_path / "x.sqlite"
    import sqlite3

    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE Orders (OrderID INTEGER, ShipedDate TEXT)")
        c.execute("INSERT INTO Orders VALUES (1, '2020-01-02')")
    code, out = run("--source", str(db), "--recipe", str(recipe), "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert "recipe mini, step 'Ship' needs column ShippedDate of table ORDERS" in out
    assert "Did you mean 'ShipedDate'?" in out


def test_several_clients_and_missing_text_tables_are_reported(o2c_ecc: Company, tmp_path: Path) -> None:
    from procopt.extract import extract

    folder = copy_tables(o2c_ecc, tmp_path / "t")
    (folder / "TVLST.csv").unlink()
    vbak = pd.read_csv(folder / "VBAK.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    vbak.loc[0, "MANDT"] = "200"
    vbak.to_csv(folder / "VBAK.csv", index=False)
    result = extract(str(folder), "sap-o2c")
    found = {f.code: f for f in result.findings}
    assert found["several_clients"].severity == "warning" and found["several_clients"].examples == ("100", "200")
    assert "lookup_missing" in found
    # Without the delivery-block texts the block codes stand in for them.
    assert "Release Delivery Block (Z1)" in set(result.events["concept:name"])
