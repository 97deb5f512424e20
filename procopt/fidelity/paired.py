"""Score a calibration recipe on a train/test split, run by run, in both readings of the test period.

The two readings:

- **published**: the protocol as published (AgentSimulator, arXiv 2408.08571) — simulated cases run to their
  end, however long after the log's last event. Kept for comparability with published figures.
- **matched**: the same selection applied to the simulated cases as to the real ones — the real test period
  is cut at the log's last completion (its long cases lack their tails), so simulated events completed after
  that instant are dropped too. Verdicts use this reading: it treats procopt and the naive model alike and
  measures the model, not the cut.

Each simulated log keeps its own scorecard so two models run with the same seeds can be compared in pairs
(``compare``). ``evaluate`` is a module-level function of one picklable ``Task`` so the executor seam
(``procopt.sim.executor``) can spread candidates over processes; the result depends only on the task.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, stdev

import pandas as pd

from procopt.fidelity.recipe import Recipe, build_model
from procopt.fidelity.scorecard import DEFAULT_MAX_CASES, METRIC_KEYS, score_each
from procopt.log.columns import CASE, DUE, END, START, has_start_times

READINGS: tuple[str, ...] = ("matched", "published")
#: the metrics a verdict is judged on: timing of whole cases, as a manager reads it and as the benchmarks do
JUDGED: tuple[str, ...] = ("lead_time_mean_rel_error", "ctd_hours")
#: below these the naive model's error counts as this much when normalising (avoid dividing by ~0)
_FLOORS: Mapping[str, float] = {"lead_time_mean_rel_error": 0.02, "ctd_hours": 1.0}

Scores = tuple[dict[str, float | None], ...]


@dataclass(frozen=True, slots=True)
class Split:
    """A train/test split and what the simulation needs to forecast the test period."""

    train: pd.DataFrame
    test: pd.DataFrame
    start: pd.Timestamp
    test_end: pd.Timestamp
    cases: int
    days: int
    due_available: bool
    use_start: bool
    #: "events": the published end-time split; "cases": the last cases by arrival (``split.case_split``)
    protocol: str = "events"


def make_split(train: pd.DataFrame, test: pd.DataFrame, protocol: str = "events") -> Split:
    """The ``Split`` of a (train, test) pair from ``holdout_split`` (or ``case_split``: ``protocol="cases"``)."""
    start = test[START].fillna(test[END]).min() if len(test) else train[END].max()
    test_end = test[END].max()
    span_days = (test_end - start).total_seconds() / 86400.0
    return Split(
        train=train,
        test=test,
        start=start,
        test_end=test_end,
        cases=int(test[CASE].nunique()),
        days=max(7, int(math.ceil(span_days * 1.5)) + 7),
        due_available=DUE in test.columns and bool(test[DUE].notna().any()),
        use_start=has_start_times(pd.concat([train, test], ignore_index=True)),
        protocol=protocol,
    )


@dataclass(frozen=True, slots=True)
class Task:
    """One candidate to score: a recipe (or the naive model) on a split, with the runs' seeds."""

    split: Split
    recipe: Recipe
    naive: bool
    seeds: tuple[int, ...]
    max_cases: int | None = DEFAULT_MAX_CASES
    score_seed: int = 1


@dataclass(frozen=True, slots=True)
class Outcome:
    """Per-run scorecards of one candidate in each reading, and notes (e.g. runs cut by the horizon)."""

    scores: Mapping[str, Scores]
    notes: tuple[str, ...] = ()
    delivery_activity: str | None = None

    def mean(self, reading: str) -> dict[str, float | None]:
        """Each metric's mean over the runs in ``reading`` (None where never computable)."""
        out: dict[str, float | None] = {}
        for key in METRIC_KEYS:
            vals = [s[key] for s in self.scores[reading] if s.get(key) is not None]
            out[key] = fmean(v for v in vals if v is not None) if vals else None
        return out


def evaluate(task: Task) -> Outcome:
    """Calibrate on the split's training part, simulate the test period once per seed, score both readings."""
    import dataclasses

    from procopt.sim.engine import simulate

    s = task.split
    options = task.recipe.options()
    model = (
        build_model(s.train, task.recipe)
        if not task.naive
        else build_model(s.train, Recipe(base=dataclasses.replace(options, naive=True)))
    )
    logs = [simulate(model, days=s.days, seed=seed, start=s.start, max_cases=s.cases) for seed in task.seeds]
    notes: list[str] = []
    produced = [int(log[CASE].nunique()) if len(log) else 0 for log in logs]
    if produced and min(produced) < s.cases:
        notes.append(
            f"{'naive' if task.naive else 'procopt'}: simulated logs hold {min(produced)}-{max(produced)} cases "
            f"(test period: {s.cases}); "
            f"the horizon of {s.days} days cut some runs short"
        )
    scores = score_readings(
        s, logs, max_cases=task.max_cases, seed=task.score_seed, delivery_activity=model.delivery_activity
    )
    return Outcome(scores, tuple(notes), model.delivery_activity)


def score_readings(
    split: Split,
    logs: Sequence[pd.DataFrame],
    *,
    max_cases: int | None,
    seed: int,
    delivery_activity: str | None = None,
) -> dict[str, Scores]:
    """Per-run scorecards of simulated ``logs`` against the split's test period, in both readings."""
    scores: dict[str, Scores] = {}
    for reading in READINGS:
        kept = (
            list(logs)
            if reading == "published"
            else [log[log[END] <= split.test_end].reset_index(drop=True) for log in logs]
        )
        scores[reading] = tuple(
            score_each(
                split.test,
                kept,
                due_available=split.due_available,
                use_start=split.use_start,
                max_cases=max_cases,
                seed=seed,
                delivery_activity=delivery_activity,
            )
        )
    return scores


@dataclass(frozen=True, slots=True)
class Comparison:
    """One metric, candidate vs naive over paired runs: means, mean difference and its run-to-run spread.

    ``outcome``: "behind" when the candidate is worse by more than the spread (the standard deviation of the
    paired differences), "ahead" when better by more than it, "level" otherwise, "n/a" when not computable.
    """

    metric: str
    candidate: float | None
    naive: float | None
    diff: float | None
    spread: float | None
    outcome: str


def compare(candidate: Scores, naive: Scores, metric: str) -> Comparison:
    """Paired comparison of ``metric`` over the runs both models scored."""
    pairs = [
        (a[metric], b[metric])
        for a, b in zip(candidate, naive, strict=False)
        if a.get(metric) is not None and b.get(metric) is not None
    ]
    ca = [a for a, _ in pairs if a is not None]
    nb = [b for _, b in pairs if b is not None]
    if len(pairs) < 2:
        mean_a = fmean(ca) if ca else None
        mean_b = fmean(nb) if nb else None
        return Comparison(metric, mean_a, mean_b, None, None, "n/a")
    diffs = [a - b for a, b in zip(ca, nb, strict=True)]
    d, sd = fmean(diffs), stdev(diffs)
    outcome = "behind" if d > sd and d > 0 else "ahead" if d < -sd and d < 0 else "level"
    return Comparison(metric, fmean(ca), fmean(nb), d, sd, outcome)


def objective(candidate: Outcome, naive: Outcome, reading: str = "matched") -> float:
    """Lower is better: the candidate's judged errors relative to the naive model's, averaged.

    1.0 means as good as naive; a metric not computable is left out (inf when none is).
    """
    mine, base = candidate.mean(reading), naive.mean(reading)
    ratios = []
    for key in JUDGED:
        a, b = mine.get(key), base.get(key)
        if a is None or b is None:
            continue
        ratios.append(a / max(b, _FLOORS[key]))
    return fmean(ratios) if ratios else math.inf


def behind(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """The comparisons the candidate loses beyond the spread."""
    return [c for c in comparisons if c.outcome == "behind"]
