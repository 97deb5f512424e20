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


def test_a_pool_keeps_its_plain_name_when_its_twin_owns_no_step() -> None:
    # BPIC 2013: two teams across departments were both named after their main step; the first, 'Queued team',
    # owned no step in the end and was dropped, and the model printed "Queued team': 4324 at once"
    work = {
        ("z1", "d5"): {"Accepted": 100},  # owns Accepted
        ("y1", "d3"): {"Accepted": 30, "Queued": 31},  # 'Queued team' (mixed d3/d4), loses both steps
        ("y2", "d4"): {"Accepted": 30, "Queued": 31},
        ("x1", "d1"): {"Queued": 40},  # a second 'Queued team' (mixed d1/d2) that owns Queued
        ("x2", "d2"): {"Queued": 40},
    }
    t = pd.Timestamp("2024-01-01 09:00")
    rows = [
        (f"c{k}", act, t + pd.Timedelta(minutes=k), res, dept)
        for (res, dept), acts in work.items()
        for act, n in acts.items()
        for k in range(n)
    ]
    frame = pd.DataFrame(rows, columns=[C.CASE, C.ACTIVITY, C.END, C.RESOURCE, C.DEPARTMENT])
    disc = discover_pools(C.normalise_frame(frame))
    assert disc.activity_pool == {"Accepted": "d5", "Queued": "Queued team"}, disc.activity_pool
    assert disc.members["Queued team"] == ("x1", "x2")
