"""Notes of a scored candidate say which model they are about (procopt's or the naive baseline)."""

from __future__ import annotations

import dataclasses

from procopt.fidelity.paired import Task, evaluate, make_split
from procopt.fidelity.recipe import Recipe
from procopt.fidelity.split import holdout_split
from procopt.generate import mechanisms as gen
from procopt.log import columns as C


def test_cut_short_note_names_the_model() -> None:
    # `procopt model` on BPIC 2013 printed two "simulated logs hold ... cases" notes with different numbers
    # and no word on which model each was about.
    frame, _ = gen.parallel_log(seed=1, cases=300)
    events = C.normalise_frame(
        frame.rename(
            columns={"case": C.CASE, "activity": C.ACTIVITY, "start": C.START, "end": C.END, "resource": C.RESOURCE}
        )
    )
    split = dataclasses.replace(make_split(*holdout_split(events)), days=1)  # too short a horizon: runs are cut
    for naive, label in ((True, "naive"), (False, "procopt")):
        notes = evaluate(Task(split, Recipe(), naive, (1,))).notes
        assert notes and all(n.startswith(f"{label}: simulated logs hold ") for n in notes), notes
