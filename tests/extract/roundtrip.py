"""Compare an extraction with the generated log it was written from (shared by the round-trip tests)."""

from __future__ import annotations

import pandas as pd

from procopt.extract.result import Extraction
from procopt.generate.sap_tables import O2C_ACTIVITY, P2P_ACTIVITY, case_number, user_id
from procopt.generate.types import GeneratedLog
from procopt.log import columns as C

KEYS = ["case", "activity", "end", "resource"]


def truth_table(log: GeneratedLog) -> pd.DataFrame:
    """The generated log in the terms SAP records it: case number, SAP activity, completion, user ID."""
    names = O2C_ACTIVITY if log.truth.kind == "o2c" else P2P_ACTIVITY
    ev = log.events
    return (
        pd.DataFrame(
            {
                "case": ev[C.CASE].map(lambda c: str(case_number(c))),
                "activity": ev[C.ACTIVITY].map(names),
                "end": ev[C.END],
                "resource": ev[C.RESOURCE].map(user_id),
            }
        )
        .sort_values(KEYS)
        .reset_index(drop=True)
    )


def extracted_table(result: Extraction) -> pd.DataFrame:
    ev = result.events
    return (
        pd.DataFrame(
            {
                "case": ev[C.CASE].astype(str),
                "activity": ev[C.ACTIVITY].astype(str),
                "end": ev[C.END],
                "resource": ev[C.RESOURCE].astype(str),
            }
        )
        .sort_values(KEYS)
        .reset_index(drop=True)
    )


def assert_round_trip(log: GeneratedLog, result: Extraction) -> None:
    """Every generated instance comes back exactly once, with its case, activity, time and user."""
    want, got = truth_table(log), extracted_table(result)
    assert want["activity"].notna().all()
    diff = want.merge(got, how="outer", on=KEYS, indicator=True)
    missing = diff[diff["_merge"] == "left_only"]
    extra = diff[diff["_merge"] == "right_only"]
    assert missing.empty and extra.empty, f"missing:\n{missing.head(10)}\nextra:\n{extra.head(10)}"
    pd.testing.assert_frame_equal(want, got)
