"""The report built from small hand-made inputs: sections, numbers with known answers, escaping, Chinese."""

from __future__ import annotations

import html
import re
from pathlib import Path

from _data import XSS
from conftest import toy_inputs

from procopt.report import i18n
from procopt.report.build import build_report
from procopt.report.figures import render_figure
from procopt.report.render import render_html, render_markdown

SECTION_KEYS = [
    "summary",
    "quality",
    "map",
    "vsm",
    "bottlenecks",
    "approvals",
    "kpi",
    "conformance",
    "options",
    "pilot",
]


def test_every_section_in_order_with_a_finding_first(toy_written) -> None:
    report, _ = toy_written["en"]
    assert [s.key for s in report.sections] == SECTION_KEYS
    for section in report.sections:
        assert section.paragraphs and section.paragraphs[0].strip(), section.key
    assert len(report.top_findings) == 3


def test_known_numbers_appear(toy_written) -> None:
    report, _ = toy_written["en"]
    facts = report.facts
    assert facts["cases"] == 60
    assert facts["top_bottleneck"] == "Check Credit"
    assert facts["main_path"] == ["Create Order", "Check Credit", "Approve Order", "Ship Goods"]
    # toy log: waits 0+20+6+3 h and processing 0.5+1+0.25+0.5 h (±20 % jitter) along the main path
    assert 27.0 < facts["lead_time_main_path_h"] < 36.0
    assert abs(facts["value_added_ratio"] - 2.25 / 31.25) < 0.02
    assert facts["on_time_rate"] == 0.75  # South (a quarter of the cases) is always late, the rest never
    assert facts["pilot_segment"] == "region = South"
    # options ranked by delivery-rate effect: +1 analyst (+15 points) before removing the approval (+8)
    assert facts["options_ranked"] == ["plus_one_credit_analyst", "remove_director_approval"]
    summary = report.sections[0]
    assert summary.bullets[0].startswith("The biggest source of delay is Check Credit: 61% of all waiting time")
    assert any("plus_one_credit_analyst" in b and "-15.0" in b and "+15.0" in b for b in summary.bullets)
    assert "region = South" in summary.bullets[-1]
    assert "0.0% on time versus 75.0% overall" in report.sections[-1].paragraphs[0]


def test_sections_say_when_a_stage_did_not_run() -> None:
    report = build_report(toy_inputs(experiment=False))
    by_key = {s.key: s for s in report.sections}
    assert by_key["options"].paragraphs[0] == i18n.text("en", "options_none")
    assert by_key["conformance"].paragraphs[0] == i18n.text("en", "conf_skipped")
    assert by_key["kpi"].paragraphs[0] == i18n.text("en", "kpi_none")
    assert not by_key["options"].figures


def test_user_data_is_escaped_in_html_and_markdown(toy_written) -> None:
    report, files = toy_written["xss"]
    assert any(XSS in str(row) for s in report.sections for t in s.tables for row in t.rows)
    page = files.html.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert html.escape(XSS) in page
    md = files.markdown.read_text(encoding="utf-8")
    assert "<script" not in md.lower()


def test_html_is_self_contained(toy_written) -> None:
    _, files = toy_written["en"]
    page = files.html.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    pngs = [p for p in files.figures if p.suffix == ".png"]
    assert page.count("data:image/png;base64,") == len(pngs) >= 6
    for name in ("report.md", "report.json", "tables/options.csv", "figures/value_stream_map.svg"):
        assert (files.folder / name).is_file(), name


def test_chinese_report(toy_written) -> None:
    report, files = toy_written["zh"]
    assert report.sections[0].heading == "1 摘要"
    assert "信用检查" in report.top_findings[0]
    page = files.html.read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in page and "价值流图" in page and "创建订单" in page
    md = files.markdown.read_text(encoding="utf-8")
    assert "## 4 价值流图" in md
    csv = (files.folder / "tables" / "value_stream.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf") and "信用检查".encode() in csv


def test_same_inputs_same_bytes(toy_written) -> None:
    report, files = toy_written["en"]
    again = build_report(toy_inputs("en"))
    assert again == report or again.facts == report.facts
    spec = next(f for s in again.sections for f in s.figures if f.name == "value_stream_map")
    fig = render_figure(spec)
    assert fig.svg.encode() == (files.folder / "figures" / "value_stream_map.svg").read_bytes()
    assert fig.png == (files.folder / "figures" / "value_stream_map.png").read_bytes()
    assert render_markdown(again) == files.markdown.read_text(encoding="utf-8")


def test_languages_have_the_same_messages() -> None:
    assert i18n.keys("en") == i18n.keys("zh")


def test_markdown_table_rows_are_complete(toy_written) -> None:
    report, files = toy_written["en"]
    md = files.markdown.read_text(encoding="utf-8")
    table_lines = [line for line in md.splitlines() if line.startswith("| ")]
    assert table_lines and all(line.rstrip().endswith("|") for line in table_lines)
    assert render_html(report, {}).startswith("<!DOCTYPE html>")


def test_pipes_and_newlines_in_names_stay_in_their_cell(tmp_path: Path) -> None:
    from procopt.report.types import Report, Section, Table

    table = Table("t", "cap", ("a", "b"), (("x | y\nz", "1"),))
    md = render_markdown(Report("T", "en", (), (Section("s", "S", ("p",), tables=(table,)),)))
    row = next(line for line in md.splitlines() if "x" in line and line.startswith("| "))
    assert row == "| x \\| y z | 1 | "


def test_chinese_html_embeds_the_glyphs_it_uses(toy_written) -> None:
    """No tofu in the HTML either: a subset font with every wide character of the page is inlined."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    from procopt.report.webfont import wide_characters

    page = toy_written["zh"][1].html.read_text(encoding="utf-8")
    match = re.search(r"url\(data:font/(?:otf|ttf);base64,([A-Za-z0-9+/=]+)\)", page)
    assert match, "no embedded CJK font"
    cmap = TTFont(io.BytesIO(base64.b64decode(match.group(1)))).getBestCmap()
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", page)
    missing = [ch for ch in wide_characters(text) if ord(ch) not in cmap]
    assert missing == []
    assert len(match.group(1)) < 400_000  # a subset, not the 8 MB font
    english = toy_written["en"][1].html.read_text(encoding="utf-8")
    assert "@font-face" not in english  # nothing to embed for an English report of English data


def test_a_minimal_log_still_gives_every_section(tmp_path: Path) -> None:
    """Complete-only, no departments, no attributes, no other stage: every section says what it can."""
    from procopt.log.columns import make_events
    from procopt.report.build import write_report
    from procopt.report.inputs import ReportInputs

    events = make_events(
        [
            {"case": "1", "activity": "A", "end": "2024-01-01 09:00"},
            {"case": "1", "activity": "B", "end": "2024-01-01 12:00"},
            {"case": "2", "activity": "A", "end": "2024-01-02 09:00"},
            {"case": "2", "activity": "B", "end": "2024-01-02 10:00"},
        ]
    )
    report = build_report(ReportInputs(source="tiny.csv", events=events, has_start=False))
    assert [s.key for s in report.sections] == SECTION_KEYS
    by_key = {s.key: s for s in report.sections}
    assert by_key["vsm"].paragraphs[0] == i18n.text("en", "vsm_para_nostart", steps=2, lead="2.0")
    assert by_key["pilot"].paragraphs[0] == i18n.text("en", "pilot_none")
    assert report.facts["value_added_ratio"] is None
    files = write_report(report, tmp_path / "tiny")
    assert "<h2>10 Pilot plan</h2>" in files.html.read_text(encoding="utf-8")


def test_kpi_and_conformance_sections_from_their_results() -> None:
    from dataclasses import replace

    import pandas as pd

    from procopt.mine.conformance import ConformanceResult
    from procopt.mine.kpi import KpiConflict, KpiValue

    kpis = (
        KpiValue(
            name="On-time delivery",
            type="on_time_delivery",
            owner="Logistics",
            unit="share",
            value=0.87,
            target=0.95,
            target_kind="min",
            status="at_risk",
            observations=300,
            weekly=pd.DataFrame({"week": ["w1", "w2"], "value": [0.9, 0.8], "n": [20, 20]}),
            by_department=pd.DataFrame(),
        ),
        KpiValue(
            name="Orders per week",
            type="throughput_per_week",
            owner="Sales",
            unit="per week",
            value=95.0,
            target=90.0,
            target_kind="min",
            status="met",
            observations=17,
            weekly=pd.DataFrame(),
            by_department=pd.DataFrame(),
        ),
    )
    conflict = KpiConflict(
        kpi_a="Orders per week",
        kpi_b="On-time delivery",
        owner_a="Sales",
        owner_b="Logistics",
        r=-0.72,
        weeks=17,
        sentence="Weeks with more orders signed (Sales) had lower on-time delivery (Logistics): r = -0.72 over 17 weeks",
    )
    conformance = ConformanceResult(
        model="blueprint.bpmn",
        method="token_replay",
        fitness=0.98,
        precision=0.99,
        fitting_cases_share=0.9,
        cases=1200,
        variants_aligned=0,
        cases_aligned=0,
        deviations=pd.DataFrame(
            [{"kind": "unexpected", "activity": "Rework", "cases": 118, "example_cases": "SO-1 SO-2 SO-3"}]
        ),
        activities_not_in_model=("Rework",),
        model_activities_never_seen=(),
        notes=(),
    )
    report = build_report(replace(toy_inputs(), kpis=kpis, kpi_conflicts=(conflict,), conformance=conformance))
    by_key = {s.key: s for s in report.sections}
    kpi = by_key["kpi"]
    assert kpi.paragraphs[0].startswith("1 of 2 KPIs meet their target, 1 are at risk and 0 missed.")
    assert "r = -0.72 over 17 weeks" in kpi.paragraphs[0]
    assert kpi.tables[0].rows[0][:3] == ("On-time delivery", "87.0%", "≥ 95.0%")
    assert kpi.tables[0].row_status == ("at_risk", "met")
    panel = kpi.figures[0].data["kpis"][0]
    assert panel["trend"] == [90.0, 80.0] and panel["target"] == 95.0 and panel["unit"] == "%"  # shares drawn as %
    conf = by_key["conformance"]
    assert conf.paragraphs[0] == (
        "Against the blueprint the log has fitness 0.98 and precision 0.99. "
        'The most common deviation is "unexpected: Rework" in 118 cases.'
    )
    assert conf.tables[0].rows[0] == ("unexpected: Rework", "118", "SO-1, SO-2, SO-3")


def test_a_main_path_stitched_from_the_map_claims_no_share_of_cases() -> None:
    """Production's contradiction: "the most common variant covers 1.3 %" then "100 % follow the main path"."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from dataclasses import replace

    import pandas as pd
    from _data import toy_events, toy_mining

    from procopt.mine.valuestream import ValueStream
    from procopt.report.build import build_report
    from procopt.report.inputs import ReportInputs

    mining = toy_mining()
    path = ("Create Order", "Check Credit", "Approve Order", "Ship Goods")
    steps = pd.DataFrame(
        [
            {"activity": a, "department": "Sales", "processing_mean_s": 1800.0, "wait_mean_s": 3600.0 * (i + 1)}
            for i, a in enumerate(path)
        ]
    )
    for basis, expected in (("dfg", "few cases follow it exactly"), ("variant", "of cases follow it exactly")):
        vs = ValueStream(basis, path, 60, steps, 20 * 3600.0, 7200.0, 13 * 3600.0, 0.1)
        report = build_report(
            ReportInputs(source="t.csv", events=toy_events(), mining=replace(mining, value_stream=vs))
        )
        para = {s.key: s for s in report.sections}["vsm"].paragraphs[0]
        assert expected in para, para
        if basis == "dfg":
            assert "%" not in para.split("h from start")[0]


def test_a_report_without_a_mining_result_mines_the_events_with_the_mining_stage() -> None:
    """One implementation of the process map and value stream: the report has no second one of its own."""
    from _data import toy_events

    from procopt.mine import MineOptions, mine
    from procopt.report.inputs import ReportInputs

    events = toy_events()
    mined = mine(events, MineOptions(discover_model=False))
    given = build_report(ReportInputs(source="t.csv", events=events, mining=mined))
    assert render_markdown(build_report(ReportInputs(source="t.csv", events=events))) == render_markdown(given)
    drawn = {s.key: s for s in given.sections}["map"].figures[0].data["edges"]
    edges = {(r.source, r.target): int(r.count) for r in mined.process_map.edges.itertuples(index=False)}
    assert drawn and all(edges[(e["source"], e["target"])] == e["count"] for e in drawn)
    vsm = {s.key: s for s in given.sections}["vsm"].tables[0].rows
    assert mined.value_stream is not None and tuple(r[0] for r in vsm) == mined.value_stream.path
