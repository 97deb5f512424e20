"""Which case attributes the model carries: rules' columns always, never ids, placeholders or outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.generate import mechanisms as gen
from procopt.log import columns as C
from procopt.model.attributes import unstorable_attributes
from procopt.model.calibrate import calibrate
from tests.model.test_mechanisms import contract


def _attrs(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    sparse_id = ["string"] * n
    for i in range(0, n, 7):  # an id that only some cases have, a placeholder filling the rest
        sparse_id[i] = f"declaration {10000 + i}"
    return pd.DataFrame(
        {
            "order_id": [f"SO-{i:05d}" for i in range(n)],
            "sparse_id": sparse_id,
            "amount_text": [f"{v:,}" for v in rng.integers(500, 5000, n)],  # "1,252": a number with grouping
            "amount": rng.gamma(2.0, 400.0, n),
            "region": rng.choice(["north", "south", "east"], n),
            # most customers have one order, some several: a segment may name one, so it is no identifier
            "customer": [f"C{i // 2 if i % 3 else i}" for i in range(n)],
            "almost_constant": ["string"] * (n - 1) + ["project 503"],
            "empty": [None] * n,
        }
    )


def test_ids_placeholders_and_empty_columns_are_not_stored() -> None:
    found = unstorable_attributes(_attrs(), frozenset())
    assert found == {
        "order_id": "identifies the case",
        "sparse_id": "identifies the case",
        "almost_constant": "one value in 99% of cases",
        "empty": "always empty",
    }


def test_a_column_a_rule_reads_is_always_stored() -> None:
    found = unstorable_attributes(_attrs(), frozenset({"almost_constant", "order_id"}))
    assert "almost_constant" not in found and "order_id" not in found


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=25, max_size=200, unique=True))
def test_numbers_are_never_identifiers_however_unique(values: list[float]) -> None:
    frame = pd.DataFrame({"unique_number": values, "as_text": [f"{v:,.2f}" for v in values]})
    assert unstorable_attributes(frame, frozenset()) == {}


def test_calibrated_model_keeps_rule_columns_and_says_what_it_dropped() -> None:
    frame, _ = gen.parallel_log(seed=4, cases=300)
    events = contract(frame)
    cases = events[C.CASE].unique()
    events["ticket"] = events[C.CASE].map({c: f"T-{i}" for i, c in enumerate(cases)})
    events["region"] = events[C.CASE].map({c: ("north", "south")[i % 2] for i, c in enumerate(cases)})
    model = calibrate(events)
    assert "ticket" not in model.attributes.columns
    assert "region" in model.attributes.columns
    assert all(len(row) == len(model.attributes.columns) for row in model.attributes.rows)
    note = next(n for n in model.provenance["estimated"] if n.startswith("attributes:"))
    assert "'ticket'" in note and "identifies the case" in note
