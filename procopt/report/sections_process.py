"""Report sections 2–5: data quality, process map, value-stream map, bottlenecks/hand-offs/rework/batching.

Each builder takes the ``ReportInputs`` and returns a ``Section`` whose first paragraph states the finding
in plain language with numbers, followed by figure specs and tables. Nothing is drawn here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procopt.log.columns import ACTIVITY
from procopt.report import derive
from procopt.report import stage_text as st
from procopt.report._fmt import fmt, hours, name, number, pct
from procopt.report.inputs import ReportInputs
from procopt.report.types import FigureSpec, Section, Table

if TYPE_CHECKING:
    from procopt.mine import MiningResult


def quality_section(inp: ReportInputs) -> Section:
    """2 Data quality: size, span, mapping and the audit findings (what was excluded and why)."""
    t = inp.t
    findings = inp.audit.findings if inp.audit is not None else ()
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    issues = t("quality_issues", errors=errors, warnings=warnings) if errors or warnings else t("quality_clean")
    paras = [
        t(
            "quality_para",
            rows=fmt(inp.facts["rows"], 0),
            cases=fmt(inp.facts["cases"], 0),
            activities=fmt(inp.facts["activities"], 0),
            start=inp.facts["start"],
            end=inp.facts["end"],
            issues=issues,
        )
    ]
    if not inp.has_start:
        paras.append(t("quality_no_start"))
    mapping = inp.audit.mapping if inp.audit is not None else {}
    if mapping:
        paras.append(
            t(
                "quality_mapping",
                mapping=t("item_sep").join(
                    f"{st.label(inp.language, 'role', k)} = {v}" for k, v in sorted(mapping.items()) if v
                ),
            )
        )
    order = {"error": 0, "warning": 1, "info": 2}
    ranked = sorted(findings, key=lambda f: (order.get(f.severity, 3), f.code))
    rows = [
        (
            st.label(inp.language, "severity", f.severity),
            f.code,
            int(f.count),
            st.audit_message(inp.language, f),
            ", ".join(str(x) for x in f.examples[:5]),
        )
        for f in ranked
    ]
    table = Table(
        "data_quality",
        t("h_quality"),
        (t("col_severity"), t("col_code"), t("col_count"), t("col_message"), t("col_examples")),
        tuple(rows),
        tuple(f.severity for f in ranked),
    )
    return Section("quality", t("h_quality"), tuple(paras), tables=(table,) if rows else ())


def _variant_label(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " → ".join(str(v) for v in value)
    return str(value)


def _edges(inp: ReportInputs) -> list[dict[str, Any]]:
    """The process map's edges (the variants covering ``--coverage`` of cases) with their median wait in hours."""
    return [
        {
            "source": str(r.source),
            "target": str(r.target),
            "count": int(r.count),
            "wait_h": hours(r.wait_median_s),
        }
        for r in inp.mined.process_map.edges.itertuples(index=False)
    ]


def map_section(inp: ReportInputs) -> Section:
    """3 Process map: DFG frequency and waiting views (most frequent edges) and the variant table."""
    t = inp.t
    mining = inp.mined
    variants = mining.variants
    edges = sorted(_edges(inp), key=lambda e: (-e["count"], e["source"], e["target"]))
    if not edges:
        return Section("map", t("h_map"), (t("map_para_nodata"),))
    pm = mining.process_map
    kept = edges[:40]  # the mining result already keeps only the variants covering --coverage of cases
    if len(kept) > 16:  # spaghetti: draw the edges that carry the flow (≥ 5 % of the busiest), at most 24
        kept = [e for e in kept if e["count"] >= 0.05 * kept[0]["count"]][:24]
    order = [a for a in derive.activity_order(inp.events) if any(a in (e["source"], e["target"]) for e in kept)]
    counts = {str(n.activity): int(n.count) for n in pm.nodes.itertuples(index=False) if name(n.activity) is not None}
    counts = counts or inp.events[ACTIVITY].value_counts().to_dict()
    main = set(inp.main_path) or set(order)
    height = max(2.5, 0.5 * len(order) + 0.3)
    figs = []
    for view, caption in (("freq", "fig_dfg_freq"), ("wait", "fig_dfg_wait")):
        shown = [
            {**e, "label": str(e["count"]) if view == "freq" else f"{fmt(e['wait_h'])} {t('unit_h')}"} for e in kept
        ]
        figs.append(
            FigureSpec(
                f"process_map_{view}",
                t(caption),
                "dfg",
                {
                    "order": order,
                    "node_counts": {str(k): int(v) for k, v in counts.items()},
                    "edges": shown,
                    "main_path": sorted(main),
                    "height_in": height,
                },
            )
        )
    n_variants = number(mining.summary.get("variants")) or len(variants)
    top_share = number(variants["share"].iloc[0]) if len(variants) else None
    para = t("map_para", variants=fmt(n_variants, 0), top_share=pct(top_share))
    kept_cases, total_cases = pm.cases_kept, pm.cases_total
    if kept_cases and total_cases and kept_cases < total_cases:  # say why node counts < cases
        para += " " + t(
            "map_coverage",
            variants=fmt(pm.variants_kept, 0),
            kept=fmt(kept_cases, 0),
            total=fmt(total_cases, 0),
            share=pct(kept_cases / total_cases),
        )
    rows = tuple(
        (
            _variant_label(v.variant),
            fmt(v.cases, 0),
            pct(v.share),
            fmt(hours(v.median_lead_s)),
        )
        for v in variants.head(10).itertuples(index=False)
    )
    table = Table(
        "variants", t("col_variant"), (t("col_variant"), t("col_cases"), t("col_share"), t("col_median_lt")), rows
    )
    return Section("map", t("h_map"), (para,), figures=tuple(figs), tables=(table,) if rows else ())


def vsm_section(inp: ReportInputs) -> Section:
    """4 Value-stream map of the main path: steps, processing vs waiting, department, VA ratio."""
    t = inp.t
    vs = inp.value_stream
    steps = vs["steps"]
    if not steps:
        return Section("vsm", t("h_vsm"), (t("map_para_nodata"),))
    worst = max(steps, key=lambda s: s["waiting_h"] or 0.0)
    if inp.has_start and vs["va_ratio"] is not None:
        para = t(
            "vsm_para" if vs["share"] is not None else "vsm_para_dfg",
            steps=len(steps),
            share=pct(vs["share"], 0),
            lead=fmt(vs["lead_time_h"]),
            proc=fmt(vs["processing_h"]),
            var=pct(vs["va_ratio"]),
            worst=worst["label"],
            worst_wait=fmt(worst["waiting_h"]),
        )
    else:
        para = t("vsm_para_nostart", steps=len(steps), lead=fmt(vs["lead_time_h"]))
    d = inp.delivered
    paras = [para]
    if d["activity"] and d["lead_time_mean_h"] is not None:
        rate = t("vsm_on_time", rate=pct(d["on_time_rate"])) if d["on_time_rate"] is not None else ""
        paras.append(
            t(
                "vsm_overall",
                cases=fmt(d["cases"], 0),
                activity=d["activity"],
                lead=fmt(d["lead_time_mean_h"]),
                on_time=rate,
            )
        )
    fig = FigureSpec(
        "value_stream_map",
        t("fig_vsm"),
        "vsm",
        {
            "steps": steps,
            "lead_time_h": vs["lead_time_h"],
            "processing_h": vs["processing_h"],
            "va_ratio": vs["va_ratio"],
            "lead_label": t("ax_lead_time"),
            "processing_label": t("ax_processing"),
            "waiting_label": t("ax_waiting"),
            "va_label": t("ax_va_ratio"),
            "x_label": t("ax_hours_since_start"),
            "unit": t("unit_h"),
            "scale_label": t("ax_to_scale"),
            "height_in": 4.2 if len(steps) > 6 else 3.6,
        },
    )
    rows = tuple((s["label"], s.get("department") or "", fmt(s["processing_h"]), fmt(s["waiting_h"])) for s in steps)
    table = Table(
        "value_stream",
        t("h_vsm"),
        (t("col_step"), t("col_department"), t("col_processing_h"), t("col_waiting_h")),
        rows,
    )
    return Section("vsm", t("h_vsm"), tuple(paras), figures=(fig,), tables=(table,))


def bottleneck_section(inp: ReportInputs) -> Section:
    """5 Bottlenecks ranked with reasons, the hand-off heat map, rework and batching."""
    t = inp.t
    mining = inp.mined
    paras: list[str] = []
    bottlenecks = mining.bottlenecks
    lang = inp.language
    paras.append(
        t("bottleneck_para", first=st.bottleneck_sentence(lang, bottlenecks[0], mining, inp.has_start))
        if bottlenecks
        else t("bottleneck_none")
    )
    figs: list[FigureSpec] = []
    tables: list[Table] = []
    top = inp.top_bottleneck
    acts = [a for a in mining.activities.itertuples(index=False) if name(a.activity) is not None]
    # a chart of medians needs enough instances: one 1,000-hour instance must not dominate it
    acts = [a for a in acts if (number(a.count) or 0) >= MIN_CHART_INSTANCES] or acts
    acts.sort(key=lambda a: -((hours(a.wait_median_s) or 0) + (hours(a.processing_median_s) or 0)))
    if acts:
        rows = [
            {
                "label": str(a.activity),
                "waiting_h": hours(a.wait_median_s),
                "processing_h": hours(a.processing_median_s),
                "highlight": str(a.activity) == top,
            }
            for a in acts[:14]
        ]
        figs.append(
            FigureSpec(
                "where_time_goes",
                t("fig_waits"),
                "waits",
                {
                    "rows": rows,
                    "x_label": t("ax_median_hours"),
                    "waiting_label": t("ax_waiting_before"),
                    "processing_label": t("ax_processing"),
                    "height_in": max(2.4, 0.28 * len(rows) + 0.8),
                },
            )
        )
    figs.extend(_cause_figures(inp))
    if bottlenecks:
        tables.append(
            Table(
                "bottlenecks",
                t("h_bottlenecks"),
                (t("col_activity"), t("col_score"), t("col_kind"), t("col_reason")),
                tuple(
                    (
                        b.activity,
                        fmt(b.score, 2),
                        st.label(lang, "kind", b.kind),
                        st.bottleneck_sentence(lang, b, mining, inp.has_start),
                    )
                    for b in bottlenecks[:8]
                ),
            )
        )
    paras.extend(_handoffs(inp, figs, tables))
    paras.extend(_rework_and_batches(inp, tables))
    return Section("bottlenecks", t("h_bottlenecks"), tuple(paras), figures=tuple(figs), tables=tuple(tables))


MIN_CHART_INSTANCES = 5
CAUSES = ("batching", "unavailability", "prioritisation", "contention", "extraneous")


def _cause_figures(inp: ReportInputs) -> list[FigureSpec]:
    """Stacked bars of the causes of waiting per activity and per department hand-off (none without causes)."""
    t = inp.t
    mining = inp.mined
    counts = {str(a.activity): number(a.count) or 0 for a in mining.activities.itertuples(index=False)}
    labels = {c: t(f"cause_{c}") for c in CAUSES}
    figs: list[FigureSpec] = []
    acts = (
        [
            w
            for w in mining.waiting.itertuples(index=False)
            if (number(w.wait_total_s) or 0) > 0
            and counts.get(str(w.activity), MIN_CHART_INSTANCES) >= MIN_CHART_INSTANCES
        ][:12]
        if mining.causes_note is None  # the causes were computed (not a complete-only log)
        else []
    )
    if acts:
        rows = [
            {"label": str(w.activity), "hours": {c: (number(getattr(w, f"{c}_s")) or 0.0) / 3600.0 for c in CAUSES}}
            for w in acts
        ]
        figs.append(
            FigureSpec(
                "waiting_causes",
                t("fig_causes", n=MIN_CHART_INSTANCES),
                "causes",
                {
                    "rows": rows,
                    "cause_labels": labels,
                    "x_label": t("ax_total_wait_hours"),
                    "height_in": max(2.4, 0.3 * len(rows) + 1.0),
                },
            )
        )
    handoffs = mining.handoffs
    with_causes = all(f"{c}_s" in handoffs.columns for c in CAUSES)  # absent on complete-only logs
    hand = [
        h for h in handoffs.itertuples(index=False) if with_causes and (number(h.count) or 0) >= MIN_CHART_INSTANCES
    ]
    hand.sort(key=lambda h: -sum(number(getattr(h, f"{c}_s")) or 0.0 for c in CAUSES))
    if hand:
        rows = [
            {
                "label": f"{name(h.from_department)} → {name(h.to_department)}",
                "hours": {c: (number(getattr(h, f"{c}_s")) or 0.0) / 3600.0 for c in CAUSES},
            }
            for h in hand[:10]
        ]
        figs.append(
            FigureSpec(
                "handoff_causes",
                t("fig_handoff_causes"),
                "causes",
                {
                    "rows": rows,
                    "cause_labels": labels,
                    "x_label": t("ax_total_wait_hours"),
                    "height_in": max(2.4, 0.3 * len(rows) + 1.0),
                },
            )
        )
    return figs


def handoff_rows(mining: MiningResult) -> list[dict[str, Any]]:
    """Hand-off pairs as {src, dst, count, delay_h}, slowest first."""
    out = [
        {
            "src": str(r.from_department),
            "dst": str(r.to_department),
            "count": int(number(r.count) or 0),
            "delay_h": hours(r.delay_median_s),
        }
        for r in mining.handoffs.itertuples(index=False)
        if name(r.from_department) is not None and name(r.to_department) is not None
    ]
    return sorted(out, key=lambda r: (-(r["delay_h"] or 0.0), r["src"], r["dst"]))


def _handoffs(inp: ReportInputs, figs: list[FigureSpec], tables: list[Table]) -> list[str]:
    t = inp.t
    rows = [r for r in handoff_rows(inp.mined) if r["src"] != r["dst"]]
    if not rows:
        return []
    labels = sorted({r["src"] for r in rows} | {r["dst"] for r in rows})
    idx = {name: i for i, name in enumerate(labels)}
    delay: list[list[float | None]] = [[None] * len(labels) for _ in labels]
    counts = [[0] * len(labels) for _ in labels]
    for r in rows:
        delay[idx[r["src"]]][idx[r["dst"]]] = r["delay_h"]
        counts[idx[r["src"]]][idx[r["dst"]]] = r["count"]
    figs.append(
        FigureSpec(
            "handoff_heatmap",
            t("fig_handoffs"),
            "heatmap",
            {
                "labels": labels,
                "delay_h": delay,
                "counts": counts,
                "x_label": t("ax_to_dept"),
                "y_label": t("ax_from_dept"),
                "colour_label": t("col_delay_h"),
                "height_in": max(2.6, 0.45 * len(labels) + 1.0),
            },
        )
    )
    tables.append(
        Table(
            "handoffs",
            t("fig_handoffs"),
            (t("col_from"), t("col_to"), t("col_count"), t("col_delay_h")),
            tuple((r["src"], r["dst"], r["count"], fmt(r["delay_h"])) for r in rows[:10]),
        )
    )
    s = rows[0]
    return [t("handoff_para", src=s["src"], dst=s["dst"], delay=fmt(s["delay_h"]), count=s["count"])]


def _rework_and_batches(inp: ReportInputs, tables: list[Table]) -> list[str]:
    t = inp.t
    mining = inp.mined
    paras = []
    if len(mining.loops):  # every repeat closes a loop (A → … → A): loops and repeated activities come together
        top = next(mining.loops.itertuples(index=False))
        paras.append(
            t(
                "rework_para",
                loop=top.loop,
                count=fmt(top.count, 0),
                cases=fmt(top.cases, 0),
                lost=fmt(hours(top.time_lost_median_s)),
            )
        )
        tables.append(
            Table(
                "rework",
                t("col_rework_cases"),
                (t("col_activity"), t("col_repeats"), t("col_rework_cases"), t("col_share")),
                tuple(
                    (r.activity, fmt(r.repeats, 0), fmt(r.cases_with_repeat, 0), pct(r.share_of_cases))
                    for r in mining.rework.head(8).itertuples(index=False)
                ),
            )
        )
    else:
        paras.append(t("rework_none"))
    batches = mining.batches
    if batches:
        b = batches[0]
        paras.append(t("batch_para", n=len(batches), activity=b.activity, times=st.batch_pattern(inp.language, b)))
        tables.append(
            Table(
                "batches",
                t("col_release"),
                (t("col_activity"), t("col_release"), t("col_batch_share"), t("col_wait_h")),
                tuple(
                    (
                        r.activity,
                        ", ".join(r.release_times)
                        or st.batch_pattern(inp.language, r),  # size-triggered: "when 10 have accumulated"
                        pct(r.batched_share),
                        fmt(hours(r.wait_median_s)),
                    )
                    for r in batches
                ),
            )
        )
    else:
        paras.append(t("batch_none"))
    return paras
