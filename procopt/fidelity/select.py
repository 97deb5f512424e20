"""Choose the calibration by validation: a small seeded search inside the training period.

Simod's idea, done cheaply. The training period is split again by time (its first 80 % of events train, the
rest is an inner test period); the held-out period is never looked at here. From the default recipe, each
dimension's alternatives are tried one dimension at a time (not a full grid), all in one parallel batch
through the executor seam, each scored over a few simulated logs in the matched reading against the naive
model on the same inner split (dimensions the default model does not use, e.g. batches when none were found,
are not tried). Every alternative that beats the default by a clear margin is kept, the
combination is scored once more, and the better of the combination and the best single change wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from procopt.fidelity.paired import Outcome, Task, evaluate, make_split, objective
from procopt.fidelity.recipe import Recipe, build_model, dimensions, in_use
from procopt.fidelity.split import validation_split
from procopt.log.columns import CASE
from procopt.sim.executor import Executor, LocalExecutor

#: simulated logs per candidate in the search (the held-out confirmation uses the full 10)
SEARCH_RUNS = 3
#: an alternative must cut the objective by this share to replace the default (noise of 3 runs)
MARGIN = 0.05
#: fewer inner-test cases than this: no search (the inner split would only measure noise)
MIN_INNER_CASES = 15


@dataclass(frozen=True, slots=True)
class Trial:
    """One recipe tried: what changed from the default and its objective (1.0 = as good as naive)."""

    changed: tuple[tuple[str, str], ...]
    objective: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The winning recipe, every trial in order, and why the search was skipped when it was."""

    recipe: Recipe
    trials: tuple[Trial, ...]
    skipped: str = ""

    def lines(self) -> list[str]:
        """What was tried and what won, for the terminal."""
        if self.skipped:
            return [f"Calibration search skipped: {self.skipped}."]
        out = [f"Calibration search (time split inside the training period, {SEARCH_RUNS} runs each):"]
        for t in self.trials:
            what = ", ".join(f"{k}: {v}" for k, v in t.changed) or "default"
            out.append(f"  {what:<58} {t.objective:6.3f} x naive")
        won = self.recipe.changed()
        out.append("  chose: " + (", ".join(f"{k}: {v}" for k, v in won.items()) if won else "the default"))
        return out


def search_calibration(
    train: pd.DataFrame,
    base: Recipe,
    seeds: list[int],
    *,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_cases: int | None = None,
) -> SearchResult:
    """Pick a recipe on an inner time split of ``train`` (see the module docstring)."""
    inner_train, inner_test, protocol = validation_split(train, 0.8)
    if inner_train[CASE].nunique() < MIN_INNER_CASES or inner_test[CASE].nunique() < MIN_INNER_CASES:
        return SearchResult(base, (), f"fewer than {MIN_INNER_CASES} cases on a side of the inner split")
    split = make_split(inner_train, inner_test, protocol)
    run_seeds = tuple(seeds[:SEARCH_RUNS])

    def task(recipe: Recipe, naive: bool = False) -> Task:
        if max_cases is None:
            return Task(split, recipe, naive, run_seeds)
        return Task(split, recipe, naive, run_seeds, max_cases=max_cases)

    default_model = build_model(inner_train, base)
    singles = [
        base.with_pick(d.name, c.label)
        for d in dimensions()
        if in_use(default_model, d.name, inner_train)
        for c in d.choices
        if c.label != base.pick(d.name)
    ]
    ex = executor or LocalExecutor()
    first: list[Outcome] = ex.map(evaluate, [task(base, naive=True), task(base), *[task(r) for r in singles]], progress)
    naive, default = first[0], first[1]
    base_obj = objective(default, naive)
    trials = [Trial((), base_obj)]
    scored = []
    for recipe, outcome in zip(singles, first[2:], strict=True):
        obj = objective(outcome, naive)
        trials.append(Trial(tuple(recipe.changed().items()), obj))
        scored.append((obj, recipe))
    good = sorted((s for s in scored if s[0] < base_obj * (1 - MARGIN)), key=lambda s: s[0])
    if not good:
        return SearchResult(base, tuple(trials))
    best_obj, best = good[0]
    if len(good) > 1:
        combined = base
        for _, r in good:
            for name, label in r.changed().items():
                if name not in combined.changed():  # first (best) change per dimension wins
                    combined = combined.with_pick(name, label)
        (outcome,) = ex.map(evaluate, [task(combined)])
        obj = objective(outcome, naive)
        trials.append(Trial(tuple(combined.changed().items()), obj))
        if obj < best_obj:
            best_obj, best = obj, combined
    return SearchResult(best, tuple(trials))
