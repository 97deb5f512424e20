"""Reports for the shipped sample logs find the problems the generator injected (``*.truth.json``).

The as-is part only (no simulation: that is tested on small inputs, in the slow suite and by ``make demo``).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from procopt.pipeline import PipelineOptions, run_all
from procopt.report.build import write_report

ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "p",
    "nav",
    "strong",
    "ol",
    "li",
    "a",
    "main",
    "section",
    "ul",
    "figure",
    "img",
    "figcaption",
    "div",
    "table",
    "caption",
    "thead",
    "tr",
    "th",
    "tbody",
    "td",
    "footer",
}
HEADINGS = {
    "en": [
        "1 Summary",
        "2 Data quality",
        "3 Process map",
        "4 Value-stream map",
        "5 Bottlenecks",
        "6 Approvals",
        "7 KPI dashboard",
        "8 Conformance",
        "9 Improvement options",
        "10 Pilot plan",
    ],
    "zh": [
        "1 摘要",
        "2 数据质量",
        "3 流程图",
        "4 价值流图",
        "5 瓶颈",
        "6 审批",
        "7 KPI 看板",
        "8 与蓝图",
        "9 改进方案",
        "10 试点计划",
    ],
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


def _run(repo: Path, name: str, language: str, out: Path) -> tuple[dict, object, str]:
    truth = json.loads((repo / "sample_logs" / f"{name}.truth.json").read_text(encoding="utf-8"))
    result = run_all(repo / "sample_logs" / f"{name}.csv", PipelineOptions(simulate=False, language=language))
    files = write_report(result.report, out)
    return truth, result, files.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=[("o2c_orders", "en"), ("o2c_orders_zh", "zh")], ids=["o2c-en", "o2c-zh"])
def sample(request: pytest.FixtureRequest, repo_root: Path, tmp_path_factory: pytest.TempPathFactory):
    name, language = request.param
    if not (repo_root / "sample_logs" / f"{name}.csv").is_file():
        pytest.fail(
            "committed sample logs are missing: regenerate them with `procopt generate` (see sample_logs/README.md)"
        )
    truth, result, page = _run(repo_root, name, language, tmp_path_factory.mktemp(name))
    return language, truth, result, page


def test_injected_problems_are_reported(sample) -> None:
    language, truth, result, page = sample
    facts = result.report.facts
    assert facts["top_bottleneck"] == truth["bottleneck_activity"]
    assert facts["approvals"][truth["redundant_approval"]] == "candidate_for_removal"
    assert facts["approvals"][truth["threshold_approval"]] == "candidate_for_threshold"
    assert facts["delivery_activity"] == truth["delivery_activity"]
    # the truth measures cases after a 14-day warm-up; the report measures every delivered case
    assert facts["lead_time_mean_h"] == pytest.approx(truth["lead_time_mean_h"], rel=0.10)
    assert facts["on_time_rate"] == pytest.approx(truth["delivery_rate"], abs=0.03)
    assert truth["bottleneck_activity"] in result.report.top_findings[0]
    assert truth["redundant_approval"] in result.report.top_findings[1]
    threshold = next(a for a in result.stages["mining"]["approvals"] if a["activity"] == truth["threshold_approval"])
    assert threshold["threshold_value"] == pytest.approx(truth["threshold_value"], rel=0.10)


def test_batches_handoffs_and_rework_are_in_the_report(sample) -> None:
    _, truth, result, _ = sample
    tables = {t.name: t for s in result.report.sections for t in s.tables}
    batch_rows = {row[0]: row[1] for row in tables["batches"].rows}
    for activity, times in truth["batch_activities"].items():
        assert activity in batch_rows
        assert set(times) <= {t.strip() for t in batch_rows[activity].split(",")}
    slow = [(row[0], row[1]) for row in tables["handoffs"].rows[:2]]
    assert tuple(truth["handoff_slowest"]) in slow
    rework = {row[0] for row in tables["rework"].rows}
    assert rework & set(truth["rework_activities"]) or any(
        a in str(tables["rework"].rows) for a in truth["rework_activities"]
    )


def test_html_has_every_section_and_no_foreign_markup(sample) -> None:
    language, truth, _, page = sample
    for heading in HEADINGS[language]:
        assert f"<h2>{heading}" in page, heading
    parser = _Tags()
    parser.feed(page)
    assert parser.tags <= ALLOWED_TAGS, parser.tags - ALLOWED_TAGS
    assert truth["bottleneck_activity"] in page
    if language == "zh":
        assert "@font-face" in page


#: English wording of the mining and audit stages that must never reach a Chinese report
STAGE_ENGLISH = (
    "of all waiting time",
    "median wait",
    "decisions",
    "case(s)",
    "busy",
    "batching delay",
    "per case",
    "rejects only",
    "passes",
    "never reach",
    "single event",
    "cases waiting",
    "daily at",
    "Mon-Fri",
)
#: what may stay Latin in a Chinese report: procopt's name, file names, CLI options, metric acronyms and IDs
LATIN_OK = re.compile(
    r"procopt|[\w.-]+\.(csv|yaml|bpmn|png|svg|md)|--[a-z-]+|\b(KPI|CI|NGD|AED|CED|RED|CTD|SO-\d+|P\d+)\b"
    r"|[a-z]+(_[a-z]+)+|\b(h|n)\b|\d-gram"
)


def test_chinese_report_has_no_english_sentence(sample) -> None:
    from procopt.report.render import render_markdown

    language, _, result, page = sample
    if language != "zh":
        pytest.skip("Chinese report only")
    md = render_markdown(result.report)
    text = re.sub(r"data:[^)\"']+", "", page)
    for phrase in STAGE_ENGLISH:
        assert phrase not in text and phrase not in md, phrase
    prose = LATIN_OK.sub("", re.sub(r"<[^>]+>|\{[^}]*\}", " ", re.sub(r"<style.*?</style>", "", text, flags=re.S)))
    words = re.findall(r"[A-Za-z]{3,}(?:\s+[A-Za-z]{2,})*", prose)
    assert words == [], words[:20]
