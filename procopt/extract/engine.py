"""DuckDB as the embedded join engine: tables are loaded on demand, cleaned once, joined in SQL.

Stage: extract. A recipe's steps are SQL over the ERP's own table names (``VBFA``, ``Orders``). The
engine loads a table the first time a step needs it: the source puts the raw table in as ``raw_T``,
and for SAP recipes a view ``T`` applies the rules of :mod:`procopt.extract.sapfields` column by column
(keys without leading zeros, ``00000000`` as NULL, trailing minus and decimal comma, SE16N labels
renamed), so the recipe's SQL reads clean values. No DuckDB extension is ever installed or loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from procopt.errors import InputError
from procopt.extract import sapfields as F
from procopt.extract.sources import Source, quote_ident

#: SAP numbers: trailing or leading minus; the separator that comes last is the decimal one when both
#: appear; a single comma alone is a decimal comma (see ``sapfields.parse_number``).
_NUM_MACRO = """CREATE OR REPLACE MACRO sap_num(x) AS CASE
  WHEN replace(sap_text(x), ' ', '') = '' THEN NULL
  ELSE (CASE WHEN sap_text(x) LIKE '%-' OR sap_text(x) LIKE '-%' THEN -1.0 ELSE 1.0 END) * TRY_CAST(
    CASE
      WHEN strpos(sap_num_body(x), ',') > 0 AND strpos(sap_num_body(x), '.') > 0 THEN
        CASE WHEN strpos(reverse(sap_num_body(x)), ',') < strpos(reverse(sap_num_body(x)), '.')
             THEN replace(replace(sap_num_body(x), '.', ''), ',', '.') ELSE replace(sap_num_body(x), ',', '') END
      WHEN length(sap_num_body(x)) - length(replace(sap_num_body(x), ',', '')) = 1 THEN replace(sap_num_body(x), ',', '.')
      ELSE replace(sap_num_body(x), ',', '') END AS DOUBLE) END"""
_NUM_BODY = "CREATE OR REPLACE MACRO sap_num_body(x) AS trim(replace(sap_text(x), ' ', ''), '-')"


@dataclass(frozen=True, slots=True)
class LoadedTable:
    """A table as the recipe sees it: its clean column names, rows, and how headers were renamed."""

    name: str
    columns: tuple[str, ...]
    rows: int
    renamed: tuple[tuple[str, str], ...] = ()
    clients: tuple[str, ...] = ()


@dataclass
class Engine:
    """One DuckDB connection over one source."""

    source: Source
    sap: bool
    con: duckdb.DuckDBPyConnection = field(init=False)
    loaded: dict[str, LoadedTable] = field(init=False, default_factory=dict)
    _available: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.con = duckdb.connect(":memory:")
        # Nothing may be fetched at run time: refuse to install or auto-load any extension.
        self.con.execute("SET autoinstall_known_extensions = false")
        self.con.execute("SET autoload_known_extensions = false")
        for macro in (*F.SQL_MACROS, _NUM_BODY, _NUM_MACRO):
            self.con.execute(macro)
        self._available = self.source.tables()

    def has(self, table: str) -> bool:
        """True when the source holds ``table`` (any letter case)."""
        return table.upper() in self._available

    def table(self, table: str) -> LoadedTable:
        """Load ``table`` (once) and return its description."""
        key = table.upper()
        if key in self.loaded:
            return self.loaded[key]
        raw = f"raw_{key}"
        self.source.load(self.con, key, raw, as_text=self.sap)
        header = [str(c) for c in self.con.execute(f"SELECT * FROM {quote_ident(raw)} LIMIT 0").fetchdf().columns]
        rows = int(self.con.execute(f"SELECT count(*) FROM {quote_ident(raw)}").fetchone()[0])  # type: ignore[index]
        if self.sap:
            info = self._clean_view(key, raw, header, rows)
        else:
            self.con.execute(f"CREATE OR REPLACE VIEW {quote_ident(key)} AS SELECT * FROM {quote_ident(raw)}")
            if self._available[key] != key:
                self.con.execute(
                    f"CREATE OR REPLACE VIEW {quote_ident(self._available[key])} AS SELECT * FROM {quote_ident(raw)}"
                )
            info = LoadedTable(key, tuple(header), rows)
        self.loaded[key] = info
        return info

    def _clean_view(self, key: str, raw: str, header: list[str], rows: int) -> LoadedTable:
        renames = F.technical_names(key, header)
        select: list[str] = []
        names: list[str] = []
        for col in header:
            name = renames.get(col, col).strip().upper()
            src = quote_ident(col)
            if name in F.KEY_FIELDS:
                expr = f"sap_id({src})"
            elif name in F.DATE_FIELDS:
                expr = self._date_expr(key, raw, col, src)
            elif name in F.NUMBER_FIELDS:
                expr = f"sap_num({src})"
            elif name in F.TIME_FIELDS:
                expr = f"nullif(trim(CAST({src} AS VARCHAR)), '')"
            else:
                expr = f"coalesce(trim(CAST({src} AS VARCHAR)), '')"
            select.append(f"{expr} AS {quote_ident(name)}")
            names.append(name)
        self.con.execute(
            # Cleaned once into a table: recipes read a table several times, the parsing should run once.
            f"CREATE OR REPLACE TABLE {quote_ident(key)} AS SELECT {', '.join(select)} FROM {quote_ident(raw)}"
        )
        clients: tuple[str, ...] = ()
        if "MANDT" in names:
            got = self.con.execute(f"SELECT DISTINCT MANDT FROM {quote_ident(key)} ORDER BY 1 LIMIT 10").fetchall()
            clients = tuple(str(r[0]) for r in got)
        return LoadedTable(key, tuple(names), rows, tuple(renames.items()), clients)

    def _date_expr(self, key: str, raw: str, col: str, src: str) -> str:
        values = [
            r[0]
            for r in self.con.execute(
                f"SELECT DISTINCT CAST({src} AS VARCHAR) FROM {quote_ident(raw)} LIMIT 200000"
            ).fetchall()
        ]
        fmt = F.detect_date_format(values)
        if fmt is None:
            return "CAST(NULL AS DATE)"
        if isinstance(fmt, list):
            shown = ", ".join(f"{name} ({example!r})" for name, example in fmt)
            raise InputError(
                None,
                f"table {key}, column {col}: mixes date formats: {shown}",
                where=None,
                hint="Export the table again with one date format for the whole column "
                "(SE16N: the same user date format for every download).",
            )
        empties = ", ".join("'" + e + "'" for e in sorted(F.EMPTY_DATES))
        return (
            f"CASE WHEN coalesce(trim(CAST({src} AS VARCHAR)), '') IN ({empties}) THEN NULL "
            f"ELSE CAST(try_strptime(trim(CAST({src} AS VARCHAR)), '{fmt.strptime}') AS DATE) END"
        )

    def placeholder(self, table: str, columns: Sequence[str]) -> None:
        """An empty text table standing in for a lookup table the export lacks (texts fall back to codes)."""
        cols = ", ".join(f"CAST(NULL AS VARCHAR) AS {quote_ident(c.upper())}" for c in columns)
        self.con.execute(f"CREATE OR REPLACE VIEW {quote_ident(table.upper())} AS SELECT {cols} WHERE false")

    def columns(self, table: str) -> tuple[str, ...]:
        """Clean column names of ``table`` (loads it)."""
        return self.table(table).columns

    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` and return the result as a DataFrame."""
        return self.con.execute(sql).fetchdf()

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run a statement."""
        self.con.execute(sql, list(params))

    def close(self) -> None:
        """Close DuckDB and the source."""
        self.con.close()
        self.source.close()
