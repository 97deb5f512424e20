"""Write a contract event table as a Parquet dataset with one folder per case start month.

``case_month=2024-03/part-0.parquet`` holds every event of the cases that started in March 2024, so each
file is a set of whole cases and can be analysed on its own (``procopt.scale.outofcore``). The month
comes from the case's first timestamp (start, else completion); cases without any timestamp go to
``case_month=unknown``. The files keep procopt's column names and types, so they read back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from procopt.log import columns as C

PARTITION_COLUMN = "case_month"


@dataclass(frozen=True, slots=True)
class WrittenDataset:
    events: int
    cases: int
    months: tuple[str, ...]
    files: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"events": self.events, "cases": self.cases, "months": list(self.months), "files": list(self.files)}


def case_months(events: pd.DataFrame) -> pd.Series:
    """``YYYY-MM`` of each event's case start (the same value on every row of a case)."""
    first = events[C.START].fillna(events[C.END]) if C.START in events.columns else events[C.END]
    start = first.groupby(events[C.CASE], sort=False).transform("min")
    return start.dt.strftime("%Y-%m").fillna("unknown")


def write_month_dataset(events: pd.DataFrame, out: str | Path) -> WrittenDataset:
    """Write ``events`` under ``out`` (atomically), one Parquet file per case start month."""
    from procopt._io import atomic_dir
    from procopt.errors import InputError

    target = Path(out)
    if target.exists() and any(target.iterdir()):
        raise InputError(
            target,
            "the folder exists and is not empty; months of an older dataset would mix with the new ones",
            hint="Choose a new --out folder or delete this one first.",
        )
    months = case_months(events)
    # row numbers belong to the original file; the reader numbers the rows of each partition itself
    table = events.drop(columns=[C.SOURCE_ROW], errors="ignore")
    files = []
    with atomic_dir(out) as tmp:
        for month, idx in sorted(months.groupby(months, sort=True).groups.items()):
            part = table.loc[idx]
            folder = Path(tmp) / f"{PARTITION_COLUMN}={month}"
            folder.mkdir(parents=True, exist_ok=True)
            part.to_parquet(folder / "part-0.parquet", index=False)
            files.append(f"{PARTITION_COLUMN}={month}/part-0.parquet")
    return WrittenDataset(len(events), int(events[C.CASE].nunique()), tuple(sorted(set(months))), tuple(files))
