"""Pools from who does what: a resource seen in several departments."""

from __future__ import annotations

import pandas as pd

from procopt.log import columns as C
from procopt.model.pools import discover_pools


def test_a_shared_account_in_several_departments_leaves_each_department_its_steps() -> None:
    # BPIC 2020 (PermitLog, InternationalDeclarations): every human step is done by 'STAFF MEMBER' and the
    # department column says who (EMPLOYEE, SUPERVISOR, DIRECTOR). All 46 steps went to one pool named after
    # whichever department came last ('MISSING').
    steps = [("Submit", "EMPLOYEE", 60), ("Approve", "SUPERVISOR", 40), ("Final approve", "DIRECTOR", 20)]
    rows = []
    t = pd.Timestamp("2024-01-01 09:00")
    for i in range(60):
        for act, dept, n in steps:
            if i < n:
                rows.append((f"c{i}", act, t + pd.Timedelta(hours=i), "STAFF MEMBER", dept))
    rows += [(f"c{i}", "Pay", t + pd.Timedelta(hours=i, minutes=30), "SYSTEM", "UNDEFINED") for i in range(60)]
    frame = pd.DataFrame(rows, columns=[C.CASE, C.ACTIVITY, C.END, C.RESOURCE, C.DEPARTMENT])
    disc = discover_pools(C.normalise_frame(frame))
    assert disc.activity_pool == {
        "Submit": "EMPLOYEE",
        "Approve": "SUPERVISOR",
        "Final approve": "DIRECTOR",
        "Pay": "UNDEFINED",
    }
    assert disc.members["SUPERVISOR"] == ("STAFF MEMBER",)
