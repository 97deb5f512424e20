"""Stage 2 (mine): conformance — how far the real process is from the designed one.

Input: the event table and a blueprint BPMN 2.0 file (the process as designed before go-live).
Output: :class:`ConformanceResult` with fitness (how much of the log the model can replay), precision
(how little the model allows that never happens) and the most common deviations:

* ``skipped``: a step of the blueprint the case did not do (a model move in the alignment);
* ``unexpected``: a step the blueprint has no place for at that point (a log move);
* ``wrong_order``: a step done, but at another point than designed (the same activity is both skipped
  and unexpected in one case).

Cases still running when the log was extracted (the audit's incomplete-case rule, see
:func:`still_running`) are left out of fitness, precision and deviations and reported as
``running_cases``: the steps they have not reached yet are not "skipped".

Token replay (fast) is the default for fitness and precision; ``method="alignments"`` computes both
with optimal alignments. Deviations always come from alignments, computed once per variant (the most
frequent ``max_variants``), so their cost does not grow with the number of cases.

This module and :mod:`procopt.mine.discovery` are the only ones that import pm4py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from procopt.errors import InputError
from procopt.mine import discovery as D
from procopt.mine import instances as I

MAX_VARIANTS = 200
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class ConformanceResult:
    """Fitness, precision and deviations of a log against a blueprint.

    ``deviations``: ``kind, activity, cases, share_of_cases, example_cases`` (most cases first).
    """

    model: str
    method: str
    fitness: float
    precision: float
    fitting_cases_share: float
    cases: int
    variants_aligned: int
    cases_aligned: int
    deviations: pd.DataFrame
    activities_not_in_model: tuple[str, ...]
    model_activities_never_seen: tuple[str, ...]
    notes: tuple[str, ...]
    running_cases: int = 0
    running_examples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (deviations as a list of records)."""
        from procopt._io import to_jsonable

        out = {
            "model": self.model,
            "method": self.method,
            "fitness": self.fitness,
            "precision": self.precision,
            "fitting_cases_share": self.fitting_cases_share,
            "cases": self.cases,
            "variants_aligned": self.variants_aligned,
            "cases_aligned": self.cases_aligned,
            "deviations": self.deviations,
            "activities_not_in_model": list(self.activities_not_in_model),
            "model_activities_never_seen": list(self.model_activities_never_seen),
            "notes": list(self.notes),
            "running_cases": self.running_cases,
            "running_examples": list(self.running_examples),
        }
        return to_jsonable(out)  # type: ignore[no-any-return]


def load_blueprint(path: str | Path) -> tuple[Any, Any, Any, tuple[str, ...]]:
    """Read a BPMN 2.0 file into a Petri net (net, initial marking, final marking, activity labels).

    Raises:
        InputError: the file is missing, is not BPMN 2.0 XML, or holds no tasks.
    """
    import xml.etree.ElementTree as ET

    import pm4py

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "BPMN file not found", hint="Pass the blueprint with --model path/to/process.bpmn.")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise InputError(
            path,
            f"not valid XML: {exc}",
            where=f"line {exc.position[0]}",
            hint="Export the model again as BPMN 2.0 XML from your modelling tool.",
        ) from exc
    if not root.tag.endswith("definitions") or ("BPMN" not in root.tag.upper() and "bpmn" not in root.tag):
        raise InputError(
            path,
            f"not a BPMN 2.0 file (root element {root.tag!r})",
            hint="The file must start with <bpmn:definitions ...> (BPMN 2.0 XML).",
        )
    try:
        bpmn = pm4py.read_bpmn(str(path))
        net, im, fm = pm4py.convert_to_petri_net(bpmn)
    except Exception as exc:  # pm4py raises bare exceptions for malformed models
        raise InputError(
            path,
            f"cannot turn the BPMN model into a process model: {exc}",
            hint="Check that every task and gateway is connected by sequence flows.",
        ) from exc
    labels = tuple(sorted({t.label for t in net.transitions if t.label is not None}))
    if not labels:
        raise InputError(path, "the BPMN model has no tasks", hint="Model the activities as BPMN tasks.")
    return net, im, fm, labels


def _pm4py_frame(inst: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case:concept:name": inst[I.CASE].to_numpy(),
            "concept:name": inst[I.ACTIVITY].to_numpy(),
            "time:timestamp": inst[I.START].to_numpy(),
        }
    )


def check_conformance(
    events: pd.DataFrame, model_path: str | Path, *, method: str = "token_replay", max_variants: int = MAX_VARIANTS
) -> ConformanceResult:
    """Fitness, precision and deviations of ``events`` against the BPMN blueprint at ``model_path``."""
    import pm4py
    from pm4py.util import constants

    constants.SHOW_PROGRESS_BAR = False  # the library never prints; the CLI shows its own progress
    if method not in ("token_replay", "alignments"):
        raise ValueError(f"unknown conformance method {method!r}")
    net, im, fm, labels = load_blueprint(model_path)
    inst, _ = I.build_instances(events)
    matched = float(inst[I.ACTIVITY].isin(labels).mean()) if len(inst) else 0.0
    if matched == 0.0:
        log_names = ", ".join(sorted(inst[I.ACTIVITY].unique())[:4])
        raise InputError(
            model_path,
            "none of the log's activities is a task of this BPMN model",
            hint=f"Task names must match activity names exactly. Model: {', '.join(labels[:4])}; log: {log_names}.",
        )
    running = still_running(events)
    finished = inst[~inst[I.CASE].isin(running)] if len(running) else inst
    if finished.empty:  # every case may still be running: judge them all rather than nothing
        finished, running = inst, pd.Index([])
    frame = _pm4py_frame(finished)
    variant_of = D.case_variants(finished)
    notes: list[str] = []
    if len(running):
        notes.append(
            f"{len(running):,} case(s) are probably still running at the end of the log (their last step is not a "
            "usual end and they stop within the usual case duration of the log's end, as the audit's "
            "incomplete-case check says); they are left out of fitness, precision and deviations, so steps they "
            "have not reached yet are not counted as skipped."
        )
    if method == "alignments":
        fit = pm4py.fitness_alignments(frame, net, im, fm)
        precision = float(pm4py.precision_alignments(frame, net, im, fm))
        fitness, fitting = float(fit["log_fitness"]), float(fit["percFitTraces"]) / 100.0
    else:
        fit = pm4py.fitness_token_based_replay(frame, net, im, fm)
        precision = float(pm4py.precision_token_based_replay(frame, net, im, fm))
        fitness, fitting = float(fit["log_fitness"]), float(fit["perc_fit_traces"]) / 100.0
    deviations, aligned_variants, aligned_cases = _deviations(variant_of, net, im, fm, max_variants)
    if aligned_variants < variant_of.nunique():
        notes.append(
            f"Deviations come from the {aligned_variants} most frequent variants ({aligned_cases:,} of "
            f"{len(variant_of):,} finished cases); rarer variants were not aligned."
        )
    if matched < 0.5:
        notes.append(
            f"Only {matched:.0%} of the log's events are tasks of the blueprint: check that it models this process."
        )
    seen = set(inst[I.ACTIVITY].unique())
    return ConformanceResult(
        model=str(model_path),
        method=method,
        fitness=fitness,
        precision=precision,
        fitting_cases_share=fitting,
        cases=len(variant_of),
        variants_aligned=aligned_variants,
        cases_aligned=aligned_cases,
        deviations=deviations,
        activities_not_in_model=tuple(sorted(seen - set(labels))),
        model_activities_never_seen=tuple(sorted(set(labels) - seen)),
        notes=tuple(notes),
        running_cases=len(running),
        running_examples=tuple(str(c) for c in sorted(running)[:EXAMPLES]),
    )


def still_running(events: pd.DataFrame) -> pd.Index:
    """Case ids probably still running at the end of the log (the audit's incomplete-case rule)."""
    from procopt.log.audit import still_running_cases

    return still_running_cases(events)


def _deviations(variant_of: pd.Series, net: Any, im: Any, fm: Any, max_variants: int) -> tuple[pd.DataFrame, int, int]:
    """Align one representative case per frequent variant; weight its deviations by the variant's cases."""
    import pm4py

    cols = ["kind", "activity", "cases", "share_of_cases", "example_cases"]
    if variant_of.empty:
        return pd.DataFrame(columns=cols), 0, 0
    members = variant_of.groupby(variant_of, sort=False).groups
    ranked = sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:max_variants]
    rows = []
    for i, (variant, _) in enumerate(ranked):
        for j, act in enumerate(variant.split(f" {D.VARIANT_SEP} ")):
            rows.append(
                {
                    "case:concept:name": f"v{i}",
                    "concept:name": act,
                    "time:timestamp": pd.Timestamp(0) + pd.Timedelta(seconds=j),
                }
            )
    log = pm4py.convert_to_event_log(pd.DataFrame(rows))
    aligned = pm4py.conformance_diagnostics_alignments(log, net, im, fm)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for trace, result in zip(log, aligned, strict=True):
        idx = int(str(trace.attributes["concept:name"])[1:])
        cases = list(members[ranked[idx][0]])
        for key in _classify(result["alignment"] if result else []):
            counts[key] += len(cases)
            examples[key].extend(str(c) for c in sorted(cases)[: EXAMPLES - len(examples[key])])
    total = len(variant_of)
    out = pd.DataFrame(
        [
            {
                "kind": k,
                "activity": a,
                "cases": n,
                "share_of_cases": n / total,
                "example_cases": " ".join(examples[(k, a)]),
            }
            for (k, a), n in counts.items()
        ],
        columns=cols,
    )
    out = out.sort_values(["cases", "kind", "activity"], ascending=[False, True, True]).reset_index(drop=True)
    return out, len(ranked), int(sum(len(m) for _, m in ranked))


def _classify(alignment: list[tuple[Any, Any]]) -> set[tuple[str, str]]:
    """Deviation kinds in one alignment: skipped / unexpected / wrong_order per activity (once per case)."""
    log_moves = {log for log, model in alignment if model == ">>" and log not in (">>", None)}
    model_moves = {model for log, model in alignment if log == ">>" and model not in (">>", None)}
    found = {("wrong_order", a) for a in log_moves & model_moves}
    found |= {("unexpected", a) for a in log_moves - model_moves}
    found |= {("skipped", a) for a in model_moves - log_moves}
    return found
