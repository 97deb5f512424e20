"""Report sections 6–10: approvals, KPI dashboard, conformance, improvement options and the pilot plan.

The options section ranks every simulated scenario (given and proposed) by its effect on the delivery rate,
then on lead time, with confidence intervals and the KPI targets it meets, and shows the fidelity scorecard
so readers know how far to trust the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from procopt.report import stage_text as st
from procopt.report._fmt import ci, ci_pair, fmt, get, name, number, pct, signed
from procopt.report.inputs import ReportInputs
from procopt.report.types import FigureSpec, Section, Table

if TYPE_CHECKING:
    from procopt.fidelity.evaluate import FidelityReport
    from procopt.mine.approvals import ApprovalVerdict

FIDELITY_KEYS = (
    "ngd",
    "aed_hours",
    "ced_hours",
    "red_hours",
    "ctd_hours",
    "lead_time_mean_rel_error",
    "delivery_rate_error",
)


def approvals(inp: ReportInputs) -> tuple[ApprovalVerdict, ...]:
    """The approval verdicts of the mining result."""
    return inp.mined.approvals


def approvals_section(inp: ReportInputs) -> Section:
    """6 Approvals with verdicts and evidence."""
    t = inp.t
    rows = approvals(inp)
    if not rows:
        return Section("approvals", t("h_approvals"), (t("approvals_none"),))
    removal = [a.activity for a in rows if a.verdict == "candidate_for_removal"]
    threshold = [a.activity for a in rows if a.verdict == "candidate_for_threshold"]
    para = t(
        "approvals_para",
        n=len(rows),
        removal=t("approvals_removal", names=", ".join(removal)) + " " if removal else "",
        threshold=t("approvals_threshold", names=", ".join(threshold)) if threshold else "",
    )
    table_rows = []
    for a in rows:
        verdict = a.verdict
        table_rows.append(
            (
                a.activity,
                t(f"verdict_{verdict}")
                if verdict in {"candidate_for_removal", "candidate_for_threshold", "keep"}
                else verdict,
                pct(a.approval_rate),
                fmt(a.estimated_saving_h),
                st.approval_sentence(inp.language, a),
            )
        )
    table = Table(
        "approvals",
        t("h_approvals"),
        (t("col_activity"), t("col_verdict"), t("col_approval_rate"), t("col_saving_h"), t("col_evidence")),
        tuple(table_rows),
    )
    return Section("approvals", t("h_approvals"), (para,), tables=(table,))


def _target_text(target: float, kind: str) -> tuple[str, float | None]:
    """ "≥ 0.95" for a minimum, "≤ 72.00" for a maximum, with the target as a number."""
    value = number(target)
    if value is None:
        return "–", None
    if kind in ("max", "min"):
        return f"{'≤' if kind == 'max' else '≥'} {fmt(value, 2)}", value
    return fmt(value, 2), value


def kpi_section(inp: ReportInputs) -> Section:
    """7 KPI dashboard: value vs target with status colours, weekly trends and KPI conflicts."""
    t = inp.t
    rows = inp.kpis
    if not rows:
        return Section("kpi", t("h_kpi"), (t("kpi_none"),))
    statuses = [k.status if k.status in ("met", "at_risk", "missed") else "unknown" for k in rows]
    conflicts = inp.kpi_conflicts
    conflict = t("kpi_conflict", sentence=st.conflict_sentence(inp.language, conflicts[0])) if conflicts else ""
    para = t(
        "kpi_para",
        total=len(rows),
        met=statuses.count("met"),
        at_risk=statuses.count("at_risk"),
        missed=statuses.count("missed"),
        conflict=conflict,
    )
    panels, table_rows = [], []
    for k, status in zip(rows, statuses, strict=True):
        target_text, target = _target_text(k.target, k.target_kind)
        trend = [number(v) for v in k.weekly["value"]] if "value" in k.weekly.columns else []
        unit = k.unit or ""
        if unit == "share":  # rates read better as percentages
            value_text = f"{pct(k.value)}%"
            target_text = target_text.split(" ")[0] + f" {pct(target)}%" if target is not None else target_text
        else:
            value_text = f"{fmt(k.value, 2)} {unit}".strip()
        if unit == "share":  # the panel shows percentages, like its title
            trend = [None if v is None else 100 * v for v in trend]
        panels.append(
            {
                "name": k.name,
                "status": status,
                "value_text": value_text,
                "target_text": target_text,
                "target": None if target is None else (100 * target if unit == "share" else target),
                "trend": trend,
                "unit": "%" if unit == "share" else unit,
            }
        )
        table_rows.append(
            (
                k.name,
                value_text,
                target_text,
                t(f"status_{status}") if status in {"met", "at_risk", "missed"} else t("status_unknown"),
                k.owner or "",
            )
        )
    nrows = (len(panels) + 2) // 3
    fig = FigureSpec(
        "kpi_dashboard",
        t("fig_kpi"),
        "kpi",
        {"kpis": panels, "x_label": t("ax_week"), "target_label": t("ax_target"), "height_in": 2.2 * nrows},
    )
    table = Table(
        "kpis",
        t("h_kpi"),
        (t("col_kpi"), t("col_value"), t("col_target"), t("col_status"), t("col_owner")),
        tuple(table_rows),
        tuple(statuses),
    )
    bullets = tuple(t("kpi_conflict", sentence=st.conflict_sentence(inp.language, c)) for c in conflicts[1:5])
    return Section("kpi", t("h_kpi"), (para,), figures=(fig,), tables=(table,), bullets=bullets)


def conformance_section(inp: ReportInputs) -> Section:
    """8 Conformance against the blueprint, when one was given."""
    t = inp.t
    conf = inp.conformance
    if conf is None:
        return Section("conformance", t("h_conformance"), (t("conf_skipped"),))
    devs = list(conf.deviations.itertuples(index=False))
    deviation = ""
    if devs:
        what = st.deviation_text(inp.language, devs[0].kind, name(devs[0].activity))
        deviation = t("conf_deviation", what=what, cases=fmt(devs[0].cases, 0))
    para = t("conf_para", fitness=fmt(conf.fitness, 2), precision=fmt(conf.precision, 2), deviation=deviation)
    rows = tuple(
        (
            st.deviation_text(inp.language, d.kind, name(d.activity)),
            fmt(d.cases, 0),
            _examples(d.example_cases),
        )
        for d in devs[:10]
    )
    table = Table("deviations", t("h_conformance"), (t("col_deviation"), t("col_cases"), t("col_example_cases")), rows)
    return Section("conformance", t("h_conformance"), (para,), tables=(table,) if rows else ())


def _examples(value: Any) -> str:
    """Example case ids as "a, b, c" from the deviation's space-separated ``example_cases``."""
    return ", ".join(str(value or "").split()[:5])


def _targets_text(inp: ReportInputs, targets: Any) -> str:
    """Which KPI targets a run meets and misses, e.g. "met: delivery_rate ≥ 0.95 · missed: lead_time_p90_hours ≤ 96"."""
    if not isinstance(targets, dict) or not targets:
        return "–"
    parts: dict[bool, list[str]] = {True: [], False: []}
    for kpi, check in sorted(targets.items()):
        if not isinstance(check, dict) or check.get("met") is None:
            continue
        bounds = check.get("target") or {}
        bound = " ".join(f"{'≤' if k == 'max' else '≥'} {fmt(v, 2)}" for k, v in sorted(bounds.items()))
        parts[bool(check["met"])].append(f"{st.label(inp.language, 'kpi', kpi)} {bound}".strip())
    out = []
    if parts[True]:
        out.append(st.with_subject(inp.language, inp.t("status_met"), inp.t("item_sep").join(parts[True])))
    if parts[False]:
        out.append(st.with_subject(inp.language, inp.t("status_missed"), inp.t("item_sep").join(parts[False])))
    return " · ".join(out) or "–"


def _runs(inp: ReportInputs) -> tuple[Mapping[str, Any], ...]:
    """The experiment's per-scenario summaries (baseline first); none when nothing was simulated."""
    return inp.experiment.runs if inp.experiment is not None else ()


def option_rows(inp: ReportInputs) -> list[dict[str, Any]]:
    """Simulated options (not the baseline) with effects, ranked best first."""
    origin = {s.name: s.origin for s in inp.scenarios}
    scale = {s.name: s.arrival_scale for s in inp.scenarios}
    out: list[dict[str, Any]] = []
    for run in _runs(inp):
        name = str(run.get("scenario"))
        vs = run.get("vs_baseline")
        if name == "baseline" or not isinstance(vs, dict):
            continue
        lt, dr = vs.get("lead_time_mean_hours") or {}, vs.get("delivery_rate") or {}
        targets = run.get("kpi_targets") or {}
        targets_text = _targets_text(inp, targets)
        dr_diff = number(dr.get("diff"))
        out.append(
            {
                "name": name,
                "origin": origin.get(name, "given"),
                "lt_diff": number(lt.get("diff")),
                "lt_ci": ci_pair(lt.get("ci95")),
                "dr_diff": None if dr_diff is None else 100 * dr_diff,
                "dr_ci": ci_pair(dr.get("ci95"), 100.0),
                "lt_mean": number(get(run, "lead_time_hours", "mean")),
                "dr": number(get(run, "delivery_rate", "value")),
                "stable": run.get("stable", True) is not False,
                "targets": targets_text,
                "arrival_scale": scale.get(name),
                "stress": scale.get(name) is not None,
            }
        )
        dr_ci, lt_ci = out[-1]["dr_ci"], out[-1]["lt_ci"]
        out[-1]["significant"] = bool((dr_ci and dr_ci[0] > 0) or (lt_ci and lt_ci[1] < 0))
    out.sort(key=lambda r: (not r["stable"], -round(r["dr_diff"] or 0.0, 1), round(r["lt_diff"] or 0.0, 1), r["name"]))
    return out


def action_rows(inp: ReportInputs) -> list[dict[str, Any]]:
    """Options that change the process (actions a manager can pilot), best first."""
    return [r for r in option_rows(inp) if not r["stress"]]


def stress_rows(inp: ReportInputs) -> list[dict[str, Any]]:
    """Options that change the demand (arrivals): stress tests of the process, not actions."""
    return [r for r in option_rows(inp) if r["stress"]]


def stress_sentence(inp: ReportInputs, r: dict[str, Any]) -> str:
    """ "under +15% volume, "sales_push" gives lead time +3.0 h [..] and delivery rate −4.0 points [..]"."""
    volume = signed(100 * ((r["arrival_scale"] or 1.0) - 1.0), 0)
    if not r["stable"]:
        return inp.t("stress_unstable", volume=volume, option=r["name"])
    key = "stress_item" if r["dr_diff"] is not None else "stress_item_lt"
    return inp.t(
        key,
        volume=volume,
        option=r["name"],
        lt_delta=signed(r["lt_diff"]),
        lt_ci=ci(r["lt_ci"]),
        dr_delta=signed(r["dr_diff"]),
        dr_ci=ci(r["dr_ci"]),
    )


def _option_table_row(inp: ReportInputs, r: dict[str, Any]) -> tuple[Any, ...]:
    t = inp.t
    return (
        t(f"origin_{r['origin']}"),
        r["name"],
        fmt(r["lt_mean"]),
        f"{signed(r['lt_diff'])} {ci(r['lt_ci'])}",
        pct(r["dr"]),
        f"{signed(r['dr_diff'])} {ci(r['dr_ci'])}",
        r["targets"],
        t("yes") if r["stable"] else t("unstable"),
    )


def options_section(inp: ReportInputs) -> Section:
    """9 Improvement options: ranked effects with CIs, KPI targets, stress tests apart, and the fidelity scorecard."""
    t = inp.t
    rows, stress = action_rows(inp), stress_rows(inp)
    base = next((r for r in _runs(inp) if r.get("scenario") == "baseline"), None)
    if not (rows or stress) or base is None:
        # the baseline alone was simulated when procopt proposed nothing and no scenario was given
        none = "options_none_found" if base is not None else "options_none"
        return Section("options", t("h_options"), (t(none), _trust(inp)))
    best_text = ""
    if rows:
        best = rows[0]
        best_text = (
            t(
                "options_best" if best["dr_diff"] is not None else "options_best_lt",
                option=best["name"],
                lt_delta=signed(best["lt_diff"]),
                dr_delta=signed(best["dr_diff"]),
            )
            + " "
        )
    observed = inp.run_summary.observed
    para = t(
        "options_para",
        n=len(rows),
        obs_lt=fmt(observed.mean_h),
        obs_cases=fmt(observed.cases, 0),
        obs_on_time=t("options_obs_on_time", rate=pct(observed.on_time_rate))
        if observed.on_time_rate is not None
        else "",
        obs_to=t("options_obs_to_delivery", activity=inp.run_summary.delivery_activity)
        if inp.run_summary.delivery_activity
        else t("options_obs_to_end"),
        base_lt=fmt(get(base, "lead_time_hours", "mean")),
        base_on_time=t("options_obs_on_time", rate=pct(get(base, "delivery_rate", "value")))
        if number(get(base, "delivery_rate", "value")) is not None
        else "",
        best=best_text,
    )
    paras = [para]
    if stress:
        paras.append(t("options_stress", items=t("list_sep").join(stress_sentence(inp, r) for r in stress)))
    fig = FigureSpec(
        "options_effects",
        t("fig_options"),
        "options",
        {
            "rows": [
                {"label": r["name"], **{k: r[k] for k in ("lt_diff", "lt_ci", "dr_diff", "dr_ci", "stable")}}
                for r in rows
            ],
            "lt_label": t("ax_delta_lt"),
            "dr_label": t("ax_delta_dr"),
            "height_in": max(2.2, 0.38 * len(rows) + 1.0),
        },
    )
    base_row = (
        t("origin_baseline"),
        t("baseline_name"),
        fmt(get(base, "lead_time_hours", "mean")),
        "–",
        pct(get(base, "delivery_rate", "value")),
        "–",
        _targets_text(inp, base.get("kpi_targets")),
        t("yes") if base.get("stable", True) is not False else t("unstable"),
    )
    observed_row = (
        t("origin_observed"),
        t("observed_name"),
        fmt(observed.mean_h),
        "–",
        pct(observed.on_time_rate),
        "–",
        "–",
        "–",
    )
    columns = (
        t("col_origin"),
        t("col_option"),
        t("col_lt_mean"),
        t("col_lt_delta"),
        t("col_dr"),
        t("col_dr_delta"),
        t("col_targets"),
        t("col_stable"),
    )
    tables = [
        Table("options", t("h_options"), columns, (observed_row, base_row, *(_option_table_row(inp, r) for r in rows)))
    ]
    if stress:
        tables.append(
            Table(
                "stress_tests",
                t("stress_caption"),
                columns,
                (observed_row, base_row, *(_option_table_row(inp, r) for r in stress)),
            )
        )
    bullets = tuple(
        st.with_subject(inp.language, s.name, s.description)
        for s in inp.scenarios
        if s.origin == "proposed" and s.description
    )
    if inp.fidelity is not None:
        tables.append(_fidelity_table(inp, inp.fidelity))
    figures = (fig,) if rows else ()
    return Section(
        "options", t("h_options"), (*paras, _trust(inp)), figures=figures, tables=tuple(tables), bullets=bullets
    )


def model_verdict(inp: ReportInputs) -> str | None:
    """The held-out verdict ("better", "worse", "not_validated"), None when no check ran."""
    return inp.validation.verdict if inp.validation is not None and inp.validation.verdict else None


def advice_text(inp: ReportInputs) -> str:
    """What would help a model that does not beat the naive baseline (from the validation)."""
    tips = inp.validation.advice if inp.validation is not None else ()
    return inp.t("item_sep").join(str(x) for x in tips) or inp.t("verdict_advice_default")


def _errors(fid: FidelityReport | None) -> dict[str, str]:
    """The trust sentence's numbers: |mean lead-time error| (%) and CTD (h) of procopt and of naive."""

    def metric(scores: Mapping[str, float | None], key: str) -> float | None:
        return number(scores.get(key))

    procopt: Mapping[str, float | None] = fid.procopt if fid is not None else {}
    naive: Mapping[str, float | None] = fid.naive if fid is not None else {}
    return {
        "lt_err": pct(abs(metric(procopt, "lead_time_mean_rel_error") or 0.0)),
        "naive_lt_err": pct(abs(metric(naive, "lead_time_mean_rel_error") or 0.0)),
        "ctd": fmt(metric(procopt, "ctd_hours")),
        "naive_ctd": fmt(metric(naive, "ctd_hours")),
    }


def verdict_sentence(inp: ReportInputs) -> str | None:
    """The model's held-out verdict in one sentence for the summary (None when no check ran)."""
    t = inp.t
    verdict = model_verdict(inp)
    v = inp.validation
    if verdict is None or v is None:
        return None
    replaced = [f"{r.component} → {r.replacement}" for r in v.replaced]
    tail = (" " + t("verdict_replaced", items=t("item_sep").join(replaced))) if replaced else ""
    if verdict == "worse":
        return t("verdict_worse", runs=v.runs, reason=v.reason, advice=advice_text(inp)) + tail
    if verdict == "better":
        return t("verdict_better", runs=v.runs, **_errors(inp.fidelity)) + tail
    return t("verdict_not_validated", reason=v.reason) + tail


def _trust(inp: ReportInputs) -> str:
    t = inp.t
    if inp.fidelity is None:
        return t("options_trust_none")
    if model_verdict(inp) == "worse":
        return verdict_sentence(inp) or t("options_trust_none")
    return t("options_trust", **_errors(inp.fidelity))


def _fidelity_table(inp: ReportInputs, fid: FidelityReport) -> Table:
    """procopt's and naive's scorecards in the matched reading (the one the verdict uses)."""
    t = inp.t
    rows = tuple((t(f"fid_{k}"), fmt(fid.procopt.get(k), 3), fmt(fid.naive.get(k), 3)) for k in FIDELITY_KEYS)
    caption = t("fidelity_caption") + " " + t("fidelity_matched")
    return Table("fidelity", caption, (t("col_metric"), t("col_procopt"), t("col_naive")), rows)


def pilot_section(inp: ReportInputs) -> Section:
    """10 Pilot plan hint: the attribute segment where the problem shows most."""
    t = inp.t
    segments = inp.segments
    if not segments:
        return Section("pilot", t("h_pilot"), (t("pilot_none"),))
    worst = segments[0]
    attr = worst.attribute
    same = [s for s in segments if s.attribute == attr]
    by_rate = worst.on_time_rate is not None
    cases = inp.cases_table
    if by_rate:
        overall = float(
            inp.delivered["on_time_rate"]
            if inp.delivered["on_time_rate"] is not None
            else cases["on_time"].dropna().astype(float).mean()
        )
        metric = t("metric_on_time", rate=pct(worst.on_time_rate), overall=pct(overall), cases=worst.cases)
    else:
        overall = float(cases["lead_time_h"].median())
        metric = t("metric_lead", lead=fmt(worst.lead_time_median_h), overall=fmt(overall), cases=worst.cases)
    label = f"{attr} = {worst.value}"
    rows = [
        {
            "label": s.value,
            "cases": s.cases,
            "highlight": s is worst,
            "value": 100 * s.on_time_rate if by_rate and s.on_time_rate is not None else s.lead_time_median_h,
        }
        for s in sorted(same, key=lambda s: s.value)
    ]
    fig = FigureSpec(
        "pilot_segments",
        t("fig_pilot"),
        "segments",
        {
            "rows": rows,
            "overall": 100 * overall if by_rate else overall,
            "overall_label": t("overall"),
            "x_label": t("ax_on_time") if by_rate else t("ax_median_lead"),
            "y_label": attr,
            "height_in": max(2.0, 0.3 * len(rows) + 0.9),
        },
    )
    table = Table(
        "segments",
        t("h_pilot"),
        (t("col_segment"), t("col_cases"), t("col_on_time"), t("col_median_lt")),
        tuple(
            (f"{s.attribute} = {s.value}", s.cases, pct(s.on_time_rate), fmt(s.lead_time_median_h))
            for s in segments[:12]
        ),
    )
    return Section(
        "pilot", t("h_pilot"), (t("pilot_para", segment=label, metric=metric),), figures=(fig,), tables=(table,)
    )
