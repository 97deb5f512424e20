"""Fixtures for extract tests: generated companies as SAP tables, and a real PostgreSQL server.

The PostgreSQL fixture uses the machine's Debian cluster (``pg_lsclusters``/``pg_ctlcluster``), starts it
when it is down, creates a throw-away role and database as the ``postgres`` system user, loads the
generated tables over a TCP connection to 127.0.0.1 as that role, and drops both afterwards. Tests skip
with the reason only when no server can be started or administered here.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from procopt.generate import generate
from procopt.generate.sap_tables import write_sap_tables
from procopt.generate.types import GeneratedLog

DAYS = 21


@dataclass(frozen=True)
class Company:
    """A generated log and the folder of SAP tables written from it."""

    log: GeneratedLog
    tables: Path
    release: str


def _company(tmp: Path, kind: str, release: str, seed: int = 5) -> Company:
    log = generate(kind, seed=seed, days=DAYS)  # type: ignore[arg-type]
    out = tmp / f"{kind}_{release}"
    write_sap_tables(log, out, release)  # type: ignore[arg-type]
    return Company(log, out, release)


@pytest.fixture(scope="session")
def o2c_ecc(tmp_path_factory: pytest.TempPathFactory) -> Company:
    return _company(tmp_path_factory.mktemp("sap"), "o2c", "ecc")


@pytest.fixture(scope="session")
def o2c_s4(tmp_path_factory: pytest.TempPathFactory) -> Company:
    return _company(tmp_path_factory.mktemp("sap"), "o2c", "s4hana")


@pytest.fixture(scope="session")
def p2p_ecc(tmp_path_factory: pytest.TempPathFactory) -> Company:
    return _company(tmp_path_factory.mktemp("sap"), "p2p", "ecc")


@pytest.fixture(scope="session")
def p2p_s4(tmp_path_factory: pytest.TempPathFactory) -> Company:
    return _company(tmp_path_factory.mktemp("sap"), "p2p", "s4hana")


# --- PostgreSQL -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    """A throw-away database on a running server: URL without and with the password."""

    host: str
    port: int
    database: str
    user: str
    password: str

    def url(self, *, with_password: bool = True) -> str:
        auth = f"{self.user}:{self.password}" if with_password else self.user
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.database}"


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False, **kw)  # type: ignore[call-overload,no-any-return]


def _cluster() -> tuple[str, str, int] | None:
    """(version, name, port) of a running Debian cluster, starting one if needed; None when impossible."""
    if shutil.which("pg_lsclusters") is None:
        return None
    rows = [line.split() for line in _run(["pg_lsclusters", "--no-header"]).stdout.splitlines() if line.strip()]
    if not rows:
        return None
    version, name, port, status = rows[0][:4]
    if status != "online":
        _run(["pg_ctlcluster", version, name, "start"])
        for _ in range(30):
            if "online" in _run(["pg_lsclusters", "--no-header", version, name]).stdout:
                break
            time.sleep(0.5)
        else:
            return None
    return version, name, int(port)


def _as_postgres(sql: str) -> subprocess.CompletedProcess[str]:
    """Run SQL as the cluster's superuser over the local socket (peer authentication as `postgres`)."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-qAtc", sql]
    else:
        cmd = ["psql", "-v", "ON_ERROR_STOP=1", "-qAtc", sql, "-U", "postgres"]
    return _run(cmd, cwd="/")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A fresh role and database on the local PostgreSQL server, dropped at the end of the session."""
    found = _cluster()
    if found is None:
        pytest.skip("no PostgreSQL server can be started here (Debian's postgresql package is not installed)")
    _, _, port = found
    tag = secrets.token_hex(4)
    db = Postgres("127.0.0.1", port, f"procopt_test_{tag}", f"procopt_test_{tag}", secrets.token_urlsafe(12))
    made = _as_postgres(f"CREATE ROLE {db.user} LOGIN PASSWORD '{db.password}'")
    if made.returncode != 0:
        pytest.skip(f"cannot administer the PostgreSQL server as user postgres: {made.stderr.strip()[:200]}")
    try:
        created = _as_postgres(f"CREATE DATABASE {db.database} OWNER {db.user}")
        if created.returncode != 0:
            pytest.skip(f"cannot create a test database: {created.stderr.strip()[:200]}")
        yield db
    finally:
        _as_postgres(f"DROP DATABASE IF EXISTS {db.database} WITH (FORCE)")
        _as_postgres(f"DROP ROLE IF EXISTS {db.user}")


def load_tables(db: Postgres, folder: Path, schema: str) -> None:
    """Load every CSV of ``folder`` into ``schema`` as text columns (lower-case names, like replicated SAP data)."""
    import psycopg

    with psycopg.connect(
        host=db.host, port=db.port, dbname=db.database, user=db.user, password=db.password, connect_timeout=10
    ) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        conn.execute(f'SET search_path TO "{schema}"')
        for csv in sorted(folder.glob("*.csv")):
            text = csv.read_text(encoding="utf-8-sig")
            header = text.splitlines()[0].split(",")
            cols = ", ".join(f'"{c.lower()}" text' for c in header)
            table = csv.stem.lower()
            conn.execute(f'CREATE TABLE "{table}" ({cols})')
            with conn.cursor().copy(f'COPY "{table}" FROM STDIN WITH (FORMAT csv, HEADER true)') as copy:
                copy.write(text)
        conn.commit()
