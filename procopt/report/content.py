"""Stage 6 (report): assemble the pure-data ``Report`` from the stages' results — no drawing, no HTML.

Like an analyst writing a management pack: the details first (sections 2–10), then the summary on top,
which picks the three findings that matter most (with their numbers) and the one next step.
"""

from __future__ import annotations

from procopt import __version__
from procopt.report import sections_decisions as dec
from procopt.report import sections_process as proc
from procopt.report import stage_text as st
from procopt.report._fmt import ci, fmt, number, pct, signed
from procopt.report.inputs import ReportInputs
from procopt.report.types import Report, Section


def build_report(inputs: ReportInputs) -> Report:
    """Build the ten-section report from ``inputs``; pure function of its inputs (no clock, no randomness)."""
    body = [
        proc.quality_section(inputs),
        proc.map_section(inputs),
        proc.vsm_section(inputs),
        proc.bottleneck_section(inputs),
        dec.approvals_section(inputs),
        dec.kpi_section(inputs),
        dec.conformance_section(inputs),
        dec.options_section(inputs),
        dec.pilot_section(inputs),
    ]
    findings = top_findings(inputs)
    verdict = dec.verdict_sentence(inputs)
    summary = Section(
        "summary",
        inputs.t("h_summary"),
        (inputs.t("summary_intro"),),
        bullets=findings + ((verdict,) if verdict else ()) + (next_step(inputs),),
    )
    subtitle = [
        inputs.t(
            "subtitle_log",
            source=inputs.source,
            cases=fmt(inputs.facts["cases"], 0),
            events=fmt(inputs.facts["events"], 0),
            start=inputs.facts["start"],
            end=inputs.facts["end"],
        )
    ]
    if inputs.experiment is not None and inputs.run:
        subtitle.append(
            inputs.t(
                "subtitle_sim",
                replications=inputs.run.get("replications", "–"),
                days=inputs.run.get("days", "–"),
                seed=inputs.run.get("seed", "–"),
            )
        )
    return Report(
        title=inputs.t("title", source=inputs.source),
        language=inputs.language,
        subtitle=tuple(subtitle),
        sections=(summary, *body),
        top_findings=findings,
        facts=report_facts(inputs),
    )


def top_findings(inp: ReportInputs) -> tuple[str, ...]:
    """The three findings that matter most, each with numbers."""
    t = inp.t
    out: list[str] = []
    bottlenecks = inp.mined.bottlenecks
    if bottlenecks:
        out.append(
            t(
                "finding_bottleneck",
                activity=bottlenecks[0].activity,
                reason=st.bottleneck_reason(inp.language, bottlenecks[0], inp.mined, inp.has_start),
            )
        )
    for a in dec.approvals(inp):
        if a.verdict == "candidate_for_removal":
            out.append(t("finding_approval", activity=a.activity, reason=st.approval_reason(inp.language, a)))
            break
    options = dec.action_rows(inp)
    chosen = recommended_option(inp) if options else None
    # the action the next step recommends, else the best-ranked one that improved something: an option that
    # only made things worse is no "best option" (mobis: "Best simulated option ...: mean lead time +5.6 h")
    moved = [o for o in options if (number(o["lt_diff"]) or 0.0) < 0.0 or (number(o["dr_diff"]) or 0.0) > 0.0]
    if chosen is not None or moved:
        b = next((o for o in options if o["name"] == chosen), moved[0] if moved else options[0])
        key = "finding_best_option" if b["dr_diff"] is not None else "finding_best_option_lt"
        out.append(
            t(
                key,
                option=b["name"],
                lt_delta=signed(b["lt_diff"]),
                lt_ci=ci(b["lt_ci"]),
                dr_delta=signed(b["dr_diff"]),
                dr_ci=ci(b["dr_ci"]),
            )
        )
    vs = inp.value_stream
    # "only X % is processing" is a finding when X is small, not when work fills most of the lead time
    if len(out) < 3 and vs["va_ratio"] is not None and vs["va_ratio"] < 0.5:
        out.append(t("finding_vsm", var=pct(vs["va_ratio"]), lead=fmt(vs["lead_time_h"])))
    if len(out) < 3 and "on_time" in inp.cases_table:
        on_time = inp.cases_table["on_time"].dropna()
        if len(on_time):
            out.append(t("finding_delivery", rate=pct(float(on_time.astype(float).mean())), cases=len(on_time)))
    for a in dec.approvals(inp):
        if len(out) < 3 and a.verdict == "candidate_for_threshold":
            out.append(t("finding_threshold", activity=a.activity, reason=st.approval_reason(inp.language, a)))
    return tuple(out[:3])


def _effect(inp: ReportInputs, option: dict[str, object]) -> str:
    if option["dr_diff"] is None:
        return inp.t("effect_lt", lt=signed(option["lt_diff"]))
    return inp.t("effect_dr_lt", dr=signed(option["dr_diff"]), lt=signed(option["lt_diff"]))


def next_step(inp: ReportInputs) -> str:
    """One recommended next step: pilot the best ACTION whose effect is beyond the simulation's noise.

    Scenarios that change the arrivals (a sales push) are stress tests, never recommended for a pilot. An action
    is "clearly beyond noise" when the 95 % CI of its delivery-rate gain lies above zero or that of its lead-time
    change lies below zero (``significant``); stable actions only.
    """
    t = inp.t
    options = dec.action_rows(inp)
    if not options:
        simulated = inp.experiment is not None and bool(inp.experiment.runs)
        key = (
            "next_step_only_stress"
            if dec.stress_rows(inp)
            else "next_step_no_options"
            if simulated
            else "next_step_none"
        )
        return t("summary_next", step=t(key))
    if dec.model_verdict(inp) == "worse":  # ranked, but no pilot rests on timing the model gets wrong
        return t("summary_next", step=t("next_step_model_worse", advice=dec.advice_text(inp)))
    stable = [o for o in options if o["stable"]]
    gains = [o for o in stable if (number(o["dr_diff"]) or 0) > 0 or (number(o["lt_diff"]) or 0) < 0]
    sure = [o for o in gains if o["significant"]]
    if not sure:
        if gains:
            return t(
                "summary_next", step=t("next_step_uncertain", option=gains[0]["name"], effect=_effect(inp, gains[0]))
            )
        return t("summary_next", step=t("next_step_no_gain"))
    best = sure[0]
    if inp.segments:
        seg = inp.segments[0]
        step = t(
            "next_step_option", option=best["name"], effect=_effect(inp, best), segment=f"{seg.attribute} = {seg.value}"
        )
    else:
        step = t("next_step_option_nosegment", option=best["name"], effect=_effect(inp, best))
    return t("summary_next", step=step)


def recommended_option(inp: ReportInputs) -> str | None:
    """The action the next step recommends piloting (None when no action is clearly beyond noise, or when
    the model's timing is worse than the naive baseline's)."""
    if dec.model_verdict(inp) == "worse":
        return None
    sure = [
        o
        for o in dec.action_rows(inp)
        if o["stable"] and o["significant"] and ((number(o["dr_diff"]) or 0) > 0 or (number(o["lt_diff"]) or 0) < 0)
    ]
    return str(sure[0]["name"]) if sure else None


def report_facts(inp: ReportInputs) -> dict[str, object]:
    """Key numbers of the report for --json and tests."""
    vs = inp.value_stream
    options = dec.action_rows(inp)
    return {
        **inp.facts,
        "version": __version__,
        "top_bottleneck": inp.top_bottleneck,
        "main_path": list(inp.main_path),
        "lead_time_main_path_h": vs["lead_time_h"],
        "value_added_ratio": vs["va_ratio"],
        "approvals": {a.activity: a.verdict for a in dec.approvals(inp)},
        "options_ranked": [o["name"] for o in options],
        "recommended_option": recommended_option(inp),
        "model_verdict": dec.model_verdict(inp),
        "stress_tests": [
            {
                "name": o["name"],
                "arrival_scale": o["arrival_scale"],
                "lead_time_diff_h": o["lt_diff"],
                "lead_time_diff_ci95_h": o["lt_ci"],
                "delivery_rate_diff_points": o["dr_diff"],
                "delivery_rate_diff_ci95_points": o["dr_ci"],
                "stable": o["stable"],
                "sentence": dec.stress_sentence(inp, o),
            }
            for o in dec.stress_rows(inp)
        ],
        "delivery_activity": inp.delivered["activity"],
        "delivered_cases": inp.delivered["cases"],
        "lead_time_mean_h": inp.delivered["lead_time_mean_h"],
        "lead_time_simulated_baseline_h": (
            inp.run_summary.simulated_baseline.mean_h if inp.run_summary.simulated_baseline is not None else None
        ),
        "on_time_rate": inp.delivered["on_time_rate"],
        "pilot_segment": (f"{inp.segments[0].attribute} = {inp.segments[0].value}" if inp.segments else None),
    }
