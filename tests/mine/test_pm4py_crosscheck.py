"""Cross-checks against pm4py on the same log: variants, frequency DFG and performance DFG."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from procopt.log import columns as C
from procopt.mine import discovery as D
from procopt.mine import instances as I
from procopt.mine import performance as P


@pytest.fixture(scope="module")
def complete_only(o2c: Any) -> pd.DataFrame:
    """The generated O2C log without start times (pm4py's DFG orders and measures by completion)."""
    return C.normalise_frame(o2c.events.assign(**{C.START: pd.NaT}))


def test_variant_counts_match_pm4py(complete_only: pd.DataFrame) -> None:
    import pm4py

    inst, has_start = I.build_instances(complete_only)
    cases = P.measure_cases(inst, has_start)
    ours = D.variant_table(D.case_variants(inst), cases.set_index("case")["lead_s"])
    theirs = pm4py.get_variants(complete_only)
    expected = {f" {D.VARIANT_SEP} ".join(k): v for k, v in theirs.items()}
    assert dict(zip(ours["variant"], ours["cases"], strict=True)) == expected
    assert ours["cases"].is_monotonic_decreasing


def test_dfg_frequency_and_waiting_match_pm4py(complete_only: pd.DataFrame) -> None:
    import pm4py

    inst, has_start = I.build_instances(complete_only)
    variant_of = D.case_variants(inst)
    variants = D.variant_table(variant_of, P.measure_cases(inst, has_start).set_index("case")["lead_s"])
    pmap = D.discover_process_map(inst, variant_of, variants, has_start, coverage=1.0)
    dfg, start, end = pm4py.discover_dfg(complete_only)
    ours = {(s, t): c for s, t, c in zip(pmap.edges["source"], pmap.edges["target"], pmap.edges["count"], strict=True)}
    assert ours == dict(dfg)
    assert pmap.start == dict(start)
    assert pmap.end == dict(end)
    perf, _, _ = pm4py.discover_performance_dfg(complete_only.drop(columns=[C.START]))
    for row in pmap.edges.itertuples(index=False):
        assert row.wait_median_s == pytest.approx(perf[(row.source, row.target)]["median"], rel=1e-9, abs=1e-6)


def test_coverage_keeps_the_most_frequent_variants(o2c: Any) -> None:
    inst, has_start = I.build_instances(o2c.events)
    variant_of = D.case_variants(inst)
    variants = D.variant_table(variant_of, P.measure_cases(inst, has_start).set_index("case")["lead_s"])
    kept = D.kept_variants(variants, 0.8)
    assert kept["cumulative_share"].iloc[-1] >= 0.8
    assert len(kept) == 1 or kept["cumulative_share"].iloc[-2] < 0.8
    pmap = D.discover_process_map(inst, variant_of, variants, has_start, coverage=0.8)
    assert pmap.cases_kept == int(kept["cases"].sum())
    assert pmap.variants_kept == len(kept)
    assert np.isclose(variants["share"].sum(), 1.0)


@pytest.mark.parametrize("name", ["o2c_orders.csv", "p2p_requisitions.csv"])
def test_inductive_miner_on_one_case_per_variant_gives_the_same_model(name: str) -> None:
    """mine() hands pm4py one case per kept variant; the inductive miner must find the same tree."""
    from pathlib import Path

    import pm4py

    from procopt.log.read import read_log
    from procopt.mine import discovery as D
    from procopt.mine import instances as I

    events = read_log(Path(__file__).resolve().parents[2] / "sample_logs" / name).events
    inst, has_start = I.build_instances(events)
    variant_of = D.case_variants(inst)
    one_each = variant_of.drop_duplicates().index
    full = pm4py.discover_process_tree_inductive(D._pm4py_frame(inst, has_start))
    reps = pm4py.discover_process_tree_inductive(D._pm4py_frame(inst[inst[I.CASE].isin(one_each)], has_start))
    assert str(full) == str(reps)
