"""Where ERP tables come from: a folder or .zip of CSV/Parquet exports, a SQLite file, a PostgreSQL database.

Stage: extract. Every source answers two questions for the engine: which tables do you have, and
"put table T into this DuckDB connection as a view". Files are read by DuckDB itself (out of core);
SQLite is read through ``sqlite3`` opened read-only, PostgreSQL through SQLAlchemy and psycopg inside a
``READ ONLY`` transaction. DuckDB's own SQLite and PostgreSQL readers are extensions that would have to
be downloaded at run time, so they are never used.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd

from procopt.errors import InputError
from procopt.extract.secrets import is_database_url, mask_url, passwords_in, scrub

#: Seconds to wait for a database server before giving up with a clear message.
CONNECT_TIMEOUT_S = 10
_TABLE_FILE = re.compile(r"^(?P<name>[^.]+)\.(?P<ext>csv|txt|tsv|parquet|csv\.gz)$", re.IGNORECASE)


class Source(Protocol):
    """A set of named tables."""

    label: str

    def tables(self) -> dict[str, str]:
        """Upper-case table name -> name as the source spells it."""
        ...

    def load(self, con: duckdb.DuckDBPyConnection, table: str, view: str, *, as_text: bool) -> None:
        """Create ``view`` in ``con`` holding ``table`` (all columns as text when ``as_text``)."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class FileSource:
    """A folder (or a .zip, unpacked to a temporary folder) of CSV or Parquet table exports."""

    label: str
    files: dict[str, Path]
    _tmp: Path | None = None

    @classmethod
    def open(cls, path: Path) -> FileSource:
        tmp: Path | None = None
        root = path
        if path.is_file():
            tmp = Path(tempfile.mkdtemp(prefix="procopt-extract-"))
            _unpack(path, tmp)
            root = tmp
        files: dict[str, Path] = {}
        for item in sorted(root.rglob("*")):
            m = _TABLE_FILE.match(item.name)
            if item.is_file() and m:
                files.setdefault(m["name"].upper(), item)
        if not files:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            raise InputError(
                path,
                "holds no table exports (.csv, .txt, .tsv or .parquet files named after their table, e.g. VBAK.csv)",
                hint="Export each table to its own file named after the table, e.g. from SE16N: VBFA.csv.",
            )
        return cls(str(path), files, tmp)

    def tables(self) -> dict[str, str]:
        return {name: name for name in self.files}

    def load(self, con: duckdb.DuckDBPyConnection, table: str, view: str, *, as_text: bool) -> None:
        path = self.files[table.upper()]
        if path.suffix.lower() == ".parquet":
            con.execute(
                f"CREATE OR REPLACE VIEW {quote_ident(view)} AS SELECT * FROM read_parquet({_sql_string(str(path))})"
            )
            return
        options = "header = true, all_varchar = true" if as_text else "header = true"
        try:
            con.execute(
                f"CREATE OR REPLACE TABLE {quote_ident(view)} AS "
                f"SELECT * FROM read_csv({_sql_string(str(path))}, {options})"
            )
        except duckdb.Error as exc:
            raise InputError(
                path, f"cannot be read as a CSV table: {exc}", hint="Export the table again as CSV with a header row."
            ) from None

    def close(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _unpack(archive: Path, dest: Path, depth: int = 0) -> None:
    """Unpack a .zip; a member that is itself a zip (even when misnamed) is unpacked too."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise InputError(
            archive, "is not a readable .zip archive", hint="Pass a folder or a .zip of table exports."
        ) from None
    with zf:
        for info in zf.infolist():
            if info.is_dir() or info.filename.startswith("__MACOSX"):
                continue
            name = Path(info.filename).name
            target = dest / f"{depth}_{len(list(dest.iterdir()))}_{name}"
            with zf.open(info) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out)
            with target.open("rb") as fh:
                magic = fh.read(4)
            if magic.startswith(b"PK") and depth < 2:
                _unpack(target, dest, depth + 1)
                target.unlink()
                continue
            stem = name.split(".")[0]
            ext = "parquet" if magic == b"PAR1" else "csv"
            final = dest / f"{stem}.{ext}"
            if final.exists():
                final = dest / f"{stem}_{depth}_{len(list(dest.iterdir()))}.{ext}"
            target.rename(final)


@dataclass
class SqliteSource:
    """A SQLite database, opened read-only through ``sqlite3``."""

    label: str
    path: Path
    conn: sqlite3.Connection = field(repr=False)

    @classmethod
    def open(cls, path: Path) -> SqliteSource:
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            conn.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise InputError(
                path, f"cannot be opened as a SQLite database ({exc})", hint="Check the file is a SQLite database."
            ) from None
        return cls(str(path), path, conn)

    def tables(self) -> dict[str, str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
        return {str(r[0]).upper(): str(r[0]) for r in rows}

    def load(self, con: duckdb.DuckDBPyConnection, table: str, view: str, *, as_text: bool) -> None:
        name = self.tables()[table.upper()]
        frame = pd.read_sql_query(f"SELECT * FROM {quote_ident(name)}", self.conn)
        if as_text:
            frame = frame.astype("string")
        con.register(f"{view}__frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(view)} AS SELECT * FROM {quote_ident(view + '__frame')}")
        con.unregister(f"{view}__frame")

    def close(self) -> None:
        self.conn.close()


@dataclass
class PostgresSource:
    """A live PostgreSQL database through SQLAlchemy and psycopg, in one read-only transaction.

    The session is opened with ``default_transaction_read_only=on`` and the transaction is started
    ``READ ONLY`` (``REPEATABLE READ``, so every table is read from the same snapshot): the server
    refuses any write made through this connection.
    """

    label: str
    url: str
    conn: Any = field(repr=False)
    secrets: list[str] = field(repr=False, default_factory=list)
    rows_read: int = 0

    @classmethod
    def open(cls, url: str) -> PostgresSource:
        import sqlalchemy as sa

        secrets = passwords_in(url)
        driver_url = re.sub(r"^postgres(ql)?(\+psycopg\d?)?://", "postgresql+psycopg://", url.strip(), flags=re.I)
        label = mask_url(url.strip())
        if driver_url.rstrip("/") == "postgresql+psycopg:":
            label = _env_label()
        try:
            parsed = sa.engine.make_url(driver_url)
            # Session options from the URL (?options=...) and PGOPTIONS (e.g. -c search_path=sap) are kept;
            # read-only is added last so nothing can switch it off.
            extra = [str(parsed.query.get("options", "")), os.environ.get("PGOPTIONS", "")]
            options = " ".join([*(o for o in extra if o), "-c default_transaction_read_only=on"])
            parsed = parsed.difference_update_query(["options"])
            engine = sa.create_engine(
                parsed,
                connect_args={
                    "connect_timeout": CONNECT_TIMEOUT_S,
                    "options": options,
                    "application_name": "procopt-extract",
                },
                poolclass=sa.pool.NullPool,
            )
            conn = engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            conn.begin()
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        except (sa.exc.SQLAlchemyError, ValueError) as exc:
            detail = scrub(str(getattr(exc, "orig", None) or exc).strip().splitlines()[0], secrets)
            raise InputError(
                None,
                f"cannot connect to the database {label}: {detail}",
                hint="Check host, port, database name, user and password (in the URL or PGHOST, PGPORT, PGDATABASE, "
                "PGUSER, PGPASSWORD), and that the server accepts network connections.",
            ) from None
        return cls(label, driver_url, conn, secrets)

    def _table_index(self) -> dict[str, tuple[str, str]]:
        rows = self.conn.exec_driver_sql(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            "ORDER BY table_schema = ANY (current_schemas(false)) DESC, table_schema, table_name"
        ).fetchall()
        index: dict[str, tuple[str, str]] = {}
        for schema, name in rows:
            index.setdefault(str(name).upper(), (str(schema), str(name)))
        return index

    def tables(self) -> dict[str, str]:
        return {k: v[1] for k, v in self._table_index().items()}

    def load(self, con: duckdb.DuckDBPyConnection, table: str, view: str, *, as_text: bool) -> None:
        schema, name = self._table_index()[table.upper()]
        cursor = self.conn.exec_driver_sql(f"SELECT * FROM {quote_ident(schema)}.{quote_ident(name)}")
        frame = pd.DataFrame(cursor.fetchall(), columns=list(cursor.keys()))
        self.rows_read += len(frame)
        if as_text:
            frame = frame.astype("string")
        con.register(f"{view}__frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(view)} AS SELECT * FROM {quote_ident(view + '__frame')}")
        con.unregister(f"{view}__frame")

    def close(self) -> None:
        try:
            self.conn.rollback()
        finally:
            self.conn.close()


def _env_label() -> str:
    env = os.environ
    user = env.get("PGUSER", "")
    host = env.get("PGHOST", "localhost")
    port = env.get("PGPORT", "5432")
    db = env.get("PGDATABASE", user)
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{db} (from PG* environment variables)"


def open_source(text: str) -> Source:
    """Open ``--source``: a PostgreSQL URL, a folder or .zip of exports, or a SQLite file."""
    if is_database_url(text):
        return PostgresSource.open(text)
    if re.match(r"^[a-z][\w+.-]*://", text.strip(), re.IGNORECASE):
        raise InputError(
            None,
            f"unsupported database address {mask_url(text)!r}",
            hint="Use postgresql://USER@HOST:PORT/DATABASE, a SQLite file, or a folder/.zip of CSV or Parquet exports.",
        )
    path = Path(text)
    if not path.exists():
        raise InputError(
            path, "does not exist", hint="Give a folder or .zip of table exports, a SQLite file or a postgresql:// URL."
        )
    if path.is_dir():
        return FileSource.open(path)
    with path.open("rb") as fh:
        magic = fh.read(16)
    if magic.startswith(b"SQLite format 3"):
        return SqliteSource.open(path)
    if magic.startswith(b"PK"):
        return FileSource.open(path)
    raise InputError(
        path,
        "is neither a folder, a .zip of table exports nor a SQLite database",
        hint="An event log goes to `procopt validate`; ERP tables go to `procopt extract` as a folder, .zip or database.",
    )
