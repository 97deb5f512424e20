"""A log split over many files: a partitioned Parquet dataset, a folder, or a glob of CSV/Parquet files.

``list_partitions(source)`` resolves what the user typed into the files to read, in a stable order, and
refuses what cannot be read as one log: a glob or folder with no data file, and Parquet files whose
schemas differ (a column missing or of another type in one export would silently change the figures).
Each file is one partition; out-of-core analysis needs every case whole in one partition, which
``procopt convert --partition-by month`` guarantees and ``check_cases_not_split`` verifies.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from procopt.errors import InputError

DATA_SUFFIXES = (".parquet", ".csv", ".csv.gz", ".tsv")
GLOB_CHARS = set("*?[")


@dataclass(frozen=True, slots=True)
class Partitions:
    """The files of a split log, sorted by path, and what the user named (for messages)."""

    source: str
    files: tuple[Path, ...]


def is_partitioned(source: str) -> bool:
    """True when ``source`` is a folder or a glob (a single file is read the usual, in-memory way)."""
    return bool(GLOB_CHARS & set(source)) or Path(source).is_dir()


def _is_data(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and not name.startswith((".", "_")) and name.endswith(DATA_SUFFIXES)


def list_partitions(source: str) -> Partitions:
    """The data files of a folder (recursively, as hive partitions ``month=2024-01/``) or of a glob."""
    if GLOB_CHARS & set(source):
        files = sorted(p for p in (Path(x) for x in glob.glob(source, recursive=True)) if _is_data(p))
        if not files:
            raise InputError(
                source,
                "the pattern matches no CSV or Parquet file",
                hint="Check the folder and the pattern (quote it so the shell does not expand it), "
                "e.g. 'exports/*.parquet' or 'exports/**/*.csv'.",
            )
    else:
        root = Path(source)
        if not root.is_dir():
            raise InputError(source, "no such folder", hint="Give a folder, a glob such as 'logs/*.csv', or a file.")
        files = sorted(p for p in root.rglob("*") if _is_data(p))
        if not files:
            raise InputError(
                source,
                "the folder holds no CSV or Parquet file",
                hint="Write a partitioned dataset with `procopt convert LOG --to parquet --partition-by month --out DIR`.",
            )
    kinds = {"parquet" if f.name.lower().endswith(".parquet") else "text" for f in files}
    if len(kinds) > 1:
        raise InputError(
            source,
            "mixes Parquet and CSV files",
            hint="Keep one format per dataset (convert the CSV files with `procopt convert`).",
        )
    if kinds == {"parquet"}:
        check_parquet_schemas(files)
    else:
        check_text_headers(files)
    return Partitions(source, tuple(files))


def _header(path: Path) -> tuple[str, ...]:
    """The column names of a CSV/TSV file's first line (its delimiter: the most frequent of , ; tab |)."""
    import codecs

    from procopt.log.sniff import head_bytes

    head = head_bytes(path, 16384)
    utf16 = head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    first = head.decode("utf-16" if utf16 else "utf-8", errors="replace").lstrip("\ufeff").splitlines()
    line = first[0] if first else ""
    delim = max((",", ";", "\t", "|"), key=line.count)
    return tuple(c.strip().strip('"').strip() for c in line.split(delim))


def check_text_headers(files: Iterable[Path]) -> None:
    """Refuse CSV files whose columns differ from the first file's: they are different logs, not partitions.

    A folder of unrelated exports (receipt.csv, sepsis.csv, traffic fines) was otherwise read as one log of
    12,490 cases and 62 activities, its counts and findings added up.
    """
    first: Path | None = None
    reference: tuple[str, ...] = ()
    for path in files:
        columns = _header(path)
        if first is None:
            first, reference = path, columns
            continue
        missing = [c for c in reference if c not in columns]
        extra = [c for c in columns if c not in reference]
        if missing or extra:
            problems = [f"column {c!r} is missing" for c in missing] + [f"extra column {c!r}" for c in extra]
            raise InputError(
                path,
                f"its columns differ from {first}: " + "; ".join(problems[:5]),
                hint="A folder or glob is read as one log split over files with the same columns. To analyse one "
                "of these logs, give its file; to combine exports, write them the same way or use `procopt convert`.",
            )


def check_parquet_schemas(files: Iterable[Path]) -> None:
    """Refuse Parquet files whose column names or types differ from the first file's."""
    import pyarrow.parquet as pq

    first: Path | None = None
    reference: dict[str, str] = {}
    for path in files:
        try:
            schema = pq.read_schema(path)
        except (OSError, ValueError) as exc:
            raise InputError(path, f"cannot read the Parquet schema ({exc})", hint="Is the file complete?") from exc
        fields = {name: str(schema.field(name).type) for name in schema.names}
        if first is None:
            first, reference = path, fields
            continue
        problems = [f"column {c!r} is missing" for c in reference if c not in fields]
        problems += [f"extra column {c!r}" for c in fields if c not in reference]
        problems += [
            f"column {c!r} is {fields[c]}, not {reference[c]}"
            for c in reference
            if c in fields and fields[c] != reference[c]
        ]
        if problems:
            raise InputError(
                path,
                f"its schema differs from {first}: " + "; ".join(problems[:5]),
                hint="All files of a dataset need the same columns and types; export them again the same way, "
                "or write one dataset with `procopt convert`.",
            )


def check_cases_not_split(case_files: dict[str, Path], partition: Path, cases: Iterable[str]) -> None:
    """Record which file holds each case; refuse a case found in two files (its figures would be wrong)."""
    for case in cases:
        other = case_files.setdefault(case, partition)
        if other != partition:
            raise InputError(
                partition,
                f"case {case!r} also appears in {other}: a case split over files cannot be analysed file by file",
                hint="Write the log as a dataset partitioned by case start month: "
                "`procopt convert LOG --to parquet --partition-by month --out DIR`.",
            )
