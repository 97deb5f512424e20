"""A live PostgreSQL database as the source: over TCP, read-only, credentials never printed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from procopt.cli import main
from procopt.extract import extract
from procopt.extract.sources import PostgresSource

from .conftest import Company, Postgres, load_tables
from .roundtrip import assert_round_trip


@pytest.fixture(scope="session")
def loaded(postgres: Postgres, o2c_ecc: Company) -> Postgres:
    """The generated O2C company in schema ``o2c`` of the throw-away database."""
    load_tables(postgres, o2c_ecc.tables, "o2c")
    return postgres


def test_extract_from_postgres_round_trips(loaded: Postgres, o2c_ecc: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGOPTIONS", "-c search_path=o2c")
    result = extract(loaded.url(), "sap-o2c")
    assert result.variant == "ecc"
    assert_round_trip(o2c_ecc.log, result)
    assert loaded.password not in result.source and "***" in result.source


def test_credentials_from_pg_environment(
    loaded: Postgres, o2c_ecc: Company, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    for key, value in {
        "PGHOST": loaded.host,
        "PGPORT": str(loaded.port),
        "PGDATABASE": loaded.database,
        "PGUSER": loaded.user,
        "PGPASSWORD": loaded.password,
        "PGOPTIONS": "-c search_path=o2c",
    }.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "o2c.csv"
    res = CliRunner().invoke(main, ["extract", "--source", "postgresql://", "--recipe", "sap-o2c", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert loaded.password not in res.output
    assert f"postgresql://{loaded.user}@{loaded.host}:{loaded.port}/{loaded.database}" in res.output
    assert out.exists()


def test_connection_is_read_only(loaded: Postgres, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGOPTIONS", "-c search_path=o2c")
    source = PostgresSource.open(loaded.url())
    try:
        before = source.conn.exec_driver_sql("SELECT count(*) FROM vbak").scalar()
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            source.conn.exec_driver_sql("DELETE FROM vbak")
    finally:
        source.close()
    # A new transaction cannot switch read-only off for procopt's session either.
    source = PostgresSource.open(loaded.url())
    try:
        source.conn.rollback()
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            source.conn.exec_driver_sql("CREATE TABLE procopt_was_here (a int)")
    finally:
        source.close()
    check = PostgresSource.open(loaded.url())
    try:
        assert check.conn.exec_driver_sql("SELECT count(*) FROM vbak").scalar() == before
    finally:
        check.close()


def test_wrong_password_is_masked(loaded: Postgres, tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = "Wr0ng-s3cret-pw"
    url = f"postgresql://{loaded.user}:{secret}@{loaded.host}:{loaded.port}/{loaded.database}"
    res = CliRunner().invoke(
        main, ["extract", "--source", url, "--recipe", "sap-o2c", "--out", str(tmp_path / "x.csv")]
    )
    assert res.exit_code == 2
    assert "cannot connect to the database" in res.output and "password authentication failed" in res.output
    assert secret not in res.output and "***" in res.output
    assert not (tmp_path / "x.csv").exists()


def test_unreachable_server_exits_2_with_masked_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = "postgresql://erp_reader:TopSecret99@127.0.0.1:1/erp"
    res = CliRunner().invoke(main, ["extract", "--source", url, "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2
    assert "Error: cannot connect to the database postgresql://erp_reader:***@127.0.0.1:1/erp" in res.output
    assert "TopSecret99" not in res.output and "Traceback" not in res.output
    assert "Hint:" in res.output


@pytest.mark.slow
def test_p2p_from_postgres_round_trips(postgres: Postgres, p2p_s4: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    load_tables(postgres, p2p_s4.tables, "p2p")
    monkeypatch.setenv("PGOPTIONS", "-c search_path=p2p")
    result = extract(postgres.url(), "sap-p2p")
    assert result.variant == "s4hana"
    assert_round_trip(p2p_s4.log, result)
