"""One-page pilot documents (plan, evaluation) and the improvement register, as report pages.

The pages are ordinary ``procopt.report`` reports (``Report`` -> ``write_report``: HTML with inline CSS and
figures, Markdown, CSV tables), so they look and escape exactly like the value-stream report. The words
are in English or Chinese; numbers come from the pilot record only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from procopt.pilot.record import PilotRecord
from procopt.pilot.register import effect_text, register_rows, signed_number
from procopt.report.build import write_report
from procopt.report.i18n import check_language
from procopt.report.types import FigureSpec, Report, Section, Table

_T: dict[str, dict[str, str]] = {
    "en": {
        "plan_title": "Pilot plan: {fix} in {segment}",
        "eval_title": "Pilot result: {fix} in {segment}",
        "register_title": "Improvement register: problem → cause → fix → effect",
        "h_problem": "Problem",
        "h_cause": "Cause (evidence from mining)",
        "h_fix": "Fix",
        "h_groups": "Segment, control group and window",
        "h_prediction": "Predicted effect and success thresholds",
        "h_power": "Can the window show it?",
        "h_trust": "How far to trust the prediction",
        "h_spillover": "Spillover",
        "h_observed": "Observed effect (difference-in-differences)",
        "h_fixcheck": "Was the fix applied?",
        "h_decision": "Decision",
        "h_register": "Pilots",
        "groups": "Pilot segment: {segment} (about {seg_rate} cases a week). Control group: {control} (about {ctrl_rate} cases a week). Window: {weeks} week(s) from {start} to {end}.",
        "rest": "every other case",
        "metric": "metric",
        "current_segment": "segment now",
        "current_control": "control now",
        "predicted": "predicted change (95% CI)",
        "observed": "observed change (95% CI)",
        "threshold": "success threshold",
        "vs": "vs prediction",
        "lead": "Mean lead time per case (h)",
        "rate": "Delivery rate (share on time)",
        "target": "The prediction is the pilot's target: {reason}.",
        "not_target": "Estimate only, not a target: {reason}.",
        "no_spill": "The fix touches no resource pool that the control group also uses.",
        "change": "change",
        "status": "status",
        "evidence": "evidence",
        "applied_all": "Fix applied: {value}.",
        "decision": "Decision: {decision}. {reason}.",
        "roll_out": "roll out",
        "extend": "extend",
        "stop": "stop",
        "fig_weeks": "Weekly mean per group, before and during the pilot (dashed: the mean before the pilot)",
        "week": "week (before … during)",
        "before_mean": "before",
        "pilot": "pilot",
        "control": "control",
        "fix_scenario": "Scenario {name}: {changes}",
        "cases": "Cases: {cases}.",
        "col_title": "pilot",
        "col_problem": "problem",
        "col_cause": "cause",
        "col_fix": "fix",
        "col_window": "window",
        "col_predicted": "predicted lead time change (h)",
        "col_observed": "observed lead time change (h)",
        "col_decision": "decision",
        "col_dates": "planned / evaluated",
        "register_para": "{n} pilot record(s) from {folder}.",
        "ledger": "register",
        "none": "—",
        "problem": "{segment}: {n} cases; mean lead time {lead} h (control {clead} h); on time {rate} (control {crate}).",
        "power_ok": "{weeks} week(s) can show the predicted lead-time change ({effect} h): changes beyond ±{limit} h are detectable.",
        "power_short": "{weeks} week(s) cannot show the predicted lead-time change ({effect} h): only changes beyond ±{limit} h are detectable; run the pilot for {proposal} weeks.",
        "power_never": "{weeks} week(s) cannot show the predicted lead-time change ({effect} h; detectable from ±{limit} h), and no pilot of up to 26 weeks could: choose a larger segment or a stronger fix.",
    },
    "zh": {
        "plan_title": "试点计划：在 {segment} 中试行 {fix}",
        "eval_title": "试点结果：在 {segment} 中试行 {fix}",
        "register_title": "改进登记册：问题 → 原因 → 措施 → 效果",
        "h_problem": "问题",
        "h_cause": "原因（流程挖掘的证据）",
        "h_fix": "改进措施",
        "h_groups": "试点范围、对照组与时间窗口",
        "h_prediction": "预测效果与成功标准",
        "h_power": "时间窗口能否检验出效果？",
        "h_trust": "预测的可信度",
        "h_spillover": "溢出效应",
        "h_observed": "观测效果（双重差分）",
        "h_fixcheck": "措施是否落实？",
        "h_decision": "决策",
        "h_register": "试点",
        "groups": "试点范围：{segment}（每周约 {seg_rate} 个案例）。对照组：{control}（每周约 {ctrl_rate} 个案例）。时间窗口：{weeks} 周，从 {start} 到 {end}。",
        "rest": "其余所有案例",
        "metric": "指标",
        "current_segment": "试点组现状",
        "current_control": "对照组现状",
        "predicted": "预测变化（95% 置信区间）",
        "observed": "观测变化（95% 置信区间）",
        "threshold": "成功标准",
        "vs": "与预测相比",
        "lead": "平均交付周期（小时）",
        "rate": "准时交付率",
        "target": "该预测可作为试点目标：{reason}。",
        "not_target": "仅为估计，不能作为目标：{reason}。",
        "no_spill": "该措施不涉及对照组也使用的资源池。",
        "change": "变更",
        "status": "状态",
        "evidence": "证据",
        "applied_all": "措施已落实：{value}。",
        "decision": "决策：{decision}。{reason}。",
        "roll_out": "推广",
        "extend": "延长试点",
        "stop": "停止",
        "fig_weeks": "各组每周均值（试点前与试点期间；虚线为试点前均值）",
        "week": "周（试点前 … 试点期间）",
        "before_mean": "试点前",
        "pilot": "试点组",
        "control": "对照组",
        "fix_scenario": "情景 {name}：{changes}",
        "cases": "案例数：{cases}。",
        "col_title": "试点",
        "col_problem": "问题",
        "col_cause": "原因",
        "col_fix": "措施",
        "col_window": "时间窗口",
        "col_predicted": "预测交付周期变化（小时）",
        "col_observed": "观测交付周期变化（小时）",
        "col_decision": "决策",
        "col_dates": "计划 / 评估日期",
        "register_para": "来自 {folder} 的 {n} 份试点记录。",
        "ledger": "登记册",
        "none": "—",
        "problem": "{segment}：{n} 个案例；平均交付周期 {lead} 小时（对照组 {clead} 小时）；准时交付率 {rate}（对照组 {crate}）。",
        "power_ok": "{weeks} 周足以检验预测的交付周期变化（{effect} 小时）：超过 ±{limit} 小时的变化可以检验出来。",
        "power_short": "{weeks} 周不足以检验预测的交付周期变化（{effect} 小时）：只有超过 ±{limit} 小时的变化才能检验出来；建议试点 {proposal} 周。",
        "power_never": "{weeks} 周不足以检验预测的交付周期变化（{effect} 小时；可检验下限 ±{limit} 小时），26 周以内的试点也不够：请选择更大的试点范围或更有力的措施。",
    },
}


def _t(lang: str, key: str, **values: object) -> str:
    return _T[lang][key].format(**values)


def _translator(lang: str) -> Callable[..., str]:
    def t(key: str, **values: object) -> str:
        return _t(lang, key, **values)

    return t


def _changes(record: PilotRecord) -> str:
    changes = record.fix.scenario.get("changes") or []
    parts = []
    for ch in changes:
        if isinstance(ch, dict):
            parts += [f"{k}: {v}" for k, v in ch.items()]
    return "; ".join(parts) or "—"


def _problem_text(record: PilotRecord, lang: str) -> str:
    n = record.problem.numbers
    if not {"segment_cases", "segment_lead_time_hours"} <= set(n):
        return record.problem.finding
    return _t(
        lang,
        "problem",
        segment=record.groups.segment,
        n=n.get("segment_cases"),
        lead=_fmt(n.get("segment_lead_time_hours")),
        clead=_fmt(n.get("control_lead_time_hours")),
        rate=_fmt(n.get("segment_delivery_rate"), pct=True),
        crate=_fmt(n.get("control_delivery_rate"), pct=True),
    )


def _power_text(record: PilotRecord, lang: str) -> str:
    power = record.power
    effect = record.predicted_effect.lead_time_hours.value
    limit = power.minimum_detectable.get("lead_time_hours")
    if effect is None or limit is None:
        return power.note
    values = {"weeks": record.window.weeks, "effect": f"{effect:+.1f}", "limit": f"{limit:.1f}"}
    if power.detectable:
        return _t(lang, "power_ok", **values)
    if power.proposed_weeks:
        return _t(lang, "power_short", proposal=power.proposed_weeks, **values)
    return _t(lang, "power_never", **values)


def _plan_sections(record: PilotRecord, lang: str) -> list[Section]:
    t = _translator(lang)
    p, th = record.predicted_effect, record.thresholds
    lead_th = th.lead_time_hours.max
    rate_th = th.delivery_rate.min
    rows = (
        (
            t("lead"),
            _fmt(record.metrics[0].current_segment),
            _fmt(record.metrics[0].current_control),
            effect_text(p.lead_time_hours),
            "≤ " + signed_number(lead_th) if lead_th is not None else "—",
        ),
        (
            t("rate"),
            _fmt(record.metrics[1].current_segment, pct=True),
            _fmt(record.metrics[1].current_control, pct=True),
            effect_text(p.delivery_rate, pct=True),
            "≥ " + signed_number(rate_th, pct=True) if rate_th is not None else "—",
        ),
        *(
            (m.name + f" ({m.source})", _fmt(m.current_segment), _fmt(m.current_control), "—", "—")
            for m in record.metrics[2:]
        ),
    )
    trust = record.trust
    return [
        Section("problem", t("h_problem"), (_problem_text(record, lang),)),
        Section("cause", t("h_cause"), (), bullets=tuple(record.cause.evidence)),
        Section("fix", t("h_fix"), (t("fix_scenario", name=record.fix.name, changes=_changes(record)),)),
        Section(
            "groups",
            t("h_groups"),
            (
                t(
                    "groups",
                    segment=record.groups.segment,
                    control=record.groups.control or t("rest"),
                    seg_rate=f"{record.groups.segment_cases_per_week or 0:.0f}",
                    ctrl_rate=f"{record.groups.control_cases_per_week or 0:.0f}",
                    weeks=record.window.weeks,
                    start=record.window.start.isoformat(),
                    end=record.window.end.isoformat(),
                ),
            ),
        ),
        Section(
            "prediction",
            t("h_prediction"),
            (t("target" if trust.prediction_is_target else "not_target", reason=trust.reason),),
            tables=(
                Table(
                    "pilot_metrics",
                    t("h_prediction"),
                    (t("metric"), t("current_segment"), t("current_control"), t("predicted"), t("threshold")),
                    tuple(rows),
                ),
            ),
        ),
        Section("power", t("h_power"), (_power_text(record, lang),)),
        Section("spillover", t("h_spillover"), tuple(record.spillover) or (t("no_spill"),)),
    ]


def _fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}%" if pct else f"{value:.1f}"


def plan_report(record: PilotRecord, language: str) -> Report:
    """The one-page plan."""
    lang = check_language(language)
    title = _t(lang, "plan_title", fix=record.fix.name, segment=record.groups.segment)
    return Report(
        title=title,
        language=lang,
        subtitle=(f"{record.log} · {record.created_at.isoformat()}",),
        sections=tuple(_plan_sections(record, lang)),
        facts={"predicted_effect": record.predicted_effect.model_dump(mode="json")},
    )


def _weekly_chart(weekly: Any, lang: str) -> FigureSpec:
    """Four small panels: lead time and delivery rate, pilot and control, week by week."""
    panels = []
    for col, label, pct in (("lead_time_h", "lead", False), ("on_time", "rate", True)):
        for group in ("pilot", "control"):
            sub = weekly[weekly["group"] == group].sort_values("week")
            values = [None if v != v else float(v) * (100 if pct else 1) for v in sub[col]]
            before = sub.loc[sub["week"] < 0, col].mean()
            during = sub.loc[sub["week"] >= 0, col].mean()
            scale = 100 if pct else 1
            panels.append(
                {
                    "name": f"{_t(lang, label)} — {_t(lang, group)}",
                    "status": ("met" if (during < before) != pct else "missed") if group == "pilot" else "unknown",
                    "trend": values,
                    "target": None if before != before else float(before) * scale,
                    "target_text": f"{before * scale:.1f}",
                    "value_text": f"{during * scale:.1f}",
                    "unit": "%" if pct else "h",
                }
            )
    return FigureSpec(
        "pilot_weeks",
        _t(lang, "fig_weeks"),
        "kpi",
        {"kpis": panels, "x_label": _t(lang, "week"), "target_label": _t(lang, "before_mean"), "height_in": 4.6},
    )


def evaluation_report(record: PilotRecord, weekly: Any, language: str) -> Report:
    """The one-page pilot result: observed vs predicted, fix check, decision, before/after chart."""
    lang = check_language(language)
    ev = record.evaluation
    assert ev is not None
    t = _translator(lang)
    rows = (
        (
            t("lead"),
            effect_text(record.predicted_effect.lead_time_hours),
            effect_text(ev.observed_effect.lead_time_hours),
            ev.vs_prediction.get("lead_time_hours") or "—",
        ),
        (
            t("rate"),
            effect_text(record.predicted_effect.delivery_rate, pct=True),
            effect_text(ev.observed_effect.delivery_rate, pct=True),
            ev.vs_prediction.get("delivery_rate") or "—",
        ),
    )
    checks = tuple((c["change"] + " " + c["target"], c["status"], c["detail"]) for c in ev.fix_checks)
    sections = [
        Section(
            "decision",
            t("h_decision"),
            (t("decision", decision=t(ev.decision), reason=ev.reason),),
            bullets=tuple(ev.notes),
        ),
        Section(
            "observed",
            t("h_observed"),
            (t("cases", cases=", ".join(f"{k} {v}" for k, v in ev.cases.items())),),
            figures=(_weekly_chart(weekly, lang),),
            tables=(
                Table("pilot_effect", t("h_observed"), (t("metric"), t("predicted"), t("observed"), t("vs")), rows),
            ),
        ),
        Section(
            "fixcheck",
            t("h_fixcheck"),
            (t("applied_all", value=ev.fix_applied),),
            tables=(Table("fix_checks", t("h_fixcheck"), (t("change"), t("status"), t("evidence")), checks),),
        ),
        *_plan_sections(record, lang)[:3],
    ]
    return Report(
        title=t("eval_title", fix=record.fix.name, segment=record.groups.segment),
        language=lang,
        subtitle=(f"{ev.log} · {ev.evaluated_at.isoformat()}",),
        sections=tuple(sections),
        facts={"decision": ev.decision},
    )


#: the register page shows these columns of ``register_rows`` (the JSON keeps all of them)
PAGE_COLUMNS = ("file", "problem", "cause", "fix", "predicted_lead_time_h", "observed_lead_time_h", "decision", "dates")


def register_report(records: Sequence[tuple[str, PilotRecord]], folder: str, language: str = "en") -> Report:
    """All pilot records of a folder in one table: problem, cause, fix, predicted, observed, decision, dates."""
    lang = check_language(language)
    columns, rows = register_rows(records)
    page_rows = []
    for row in rows:
        d = dict(zip(columns, row, strict=True))
        d["fix"] = f"{d['fix']} in {d['segment']}, {d['window_weeks']} week(s) from {d['window_start']}"
        d["decision"] = f"{d['decision']}: {d['reason']}" if d["reason"] else d["decision"]
        d["dates"] = f"{d['planned']} / {d['evaluated'] or '—'}"
        page_rows.append(tuple(d[c] for c in PAGE_COLUMNS))
    headings = tuple(
        _t(lang, key)
        for key in (
            "col_title",
            "col_problem",
            "col_cause",
            "col_fix",
            "col_predicted",
            "col_observed",
            "col_decision",
            "col_dates",
        )
    )
    return Report(
        title=_t(lang, "register_title"),
        language=lang,
        subtitle=(folder,),
        sections=(
            Section(
                "register",
                _t(lang, "h_register"),
                (_t(lang, "register_para", n=len(records), folder=folder),),
                tables=(Table("register", _t(lang, "ledger"), headings, tuple(page_rows)),),
            ),
        ),
        facts={"pilots": len(records)},
    )


def write_pages(make: Any, out_dir: Path) -> dict[str, str]:
    """Write the English and Chinese page into ``out_dir/en`` and ``out_dir/zh``; returns the HTML paths."""
    paths = {}
    for lang in ("en", "zh"):
        files = write_report(make(lang), out_dir / lang)
        paths[lang] = str(files.html)
    return paths
