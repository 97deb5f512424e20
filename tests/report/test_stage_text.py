"""Chinese sentences composed from the stages' structured fields (never translated from their English text)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from procopt.log.audit import Finding
from procopt.mine.kpi import KpiConflict
from procopt.report import stage_text as st
from procopt.report._fmt import without_subject

if TYPE_CHECKING:
    from procopt.mine import MiningResult

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def zh_mining() -> MiningResult:
    """A fresh mining result of the committed Chinese sample log: when ``mine`` changes its output, these tests
    see the new fields (no copy of an old run)."""
    from procopt.log.read import read_log
    from procopt.mine import MineOptions, mine

    path = REPO / "sample_logs" / "o2c_orders_zh.csv"
    assert path.is_file(), "sample_logs/o2c_orders_zh.csv is committed; regenerate it with `procopt generate`"
    return mine(read_log(path).events, MineOptions(discover_model=False))


def _pick(items: tuple[Any, ...], **match: object) -> Any:
    found = [r for r in items if all(getattr(r, k) == v for k, v in match.items())]
    assert found, f"the fresh mining result has no finding with {match}"
    return found[0]


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _hours(seconds: float) -> str:
    h = seconds / 3600
    return f"{h / 24:.1f} 天" if h >= 48 else f"{h:.1f} 小时"


ENGLISH = re.compile(r"[A-Za-z]{2,}")


def test_queue_bottleneck_in_chinese_has_the_stage_numbers(zh_mining: MiningResult) -> None:
    queue = _pick(zh_mining.bottlenecks, kind="queue")
    sentence = st.bottleneck_sentence("zh", queue, zh_mining)
    assert sentence.startswith(f"{queue.activity}：占全部等待时间的 {_pct(queue.wait_share)}，")
    assert f"等待时间中位数 {_hours(queue.wait_median_s)}" in sentence
    assert f"繁忙程度为 {_pct(queue.utilisation)}" in sentence
    assert not ENGLISH.search(sentence.replace(str(queue.activity), ""))
    assert st.bottleneck_sentence("en", queue, zh_mining) == queue.reason  # English: the stage's own sentence


def test_batching_wait_in_chinese(zh_mining: MiningResult) -> None:
    batch = _pick(zh_mining.batches, activity="财务总监审批")
    bottleneck = _pick(zh_mining.bottlenecks, activity="财务总监审批")
    text = st.bottleneck_reason("zh", bottleneck, zh_mining)
    assert text.startswith(f"占全部等待时间的 {_pct(bottleneck.wait_share)}，")
    if bottleneck.kind == "batching":
        assert "这是批处理造成的延误，而非产能不足" in text
        assert st.batch_pattern("zh", batch) in text
    assert not ENGLISH.search(text)


def test_every_bottleneck_of_a_fresh_run_reads_in_chinese(zh_mining: MiningResult) -> None:
    assert zh_mining.bottlenecks
    for b in zh_mining.bottlenecks:
        text = st.bottleneck_reason("zh", b, zh_mining)
        assert text and not ENGLISH.search(text), text


def test_a_bottleneck_carries_its_activity_row_so_missing_fields_are_left_out(zh_mining: MiningResult) -> None:
    """The report reads a bottleneck's own fields only: mining copies them from the activity table."""
    rows = zh_mining.activities.set_index("activity")
    for b in zh_mining.bottlenecks:
        row = rows.loc[b.activity]
        assert (b.wait_share, b.wait_median_s, b.department) == (
            row["wait_share"],
            row["wait_median_s"],
            row["department"],
        )
    nan = float("nan")
    thin = replace(
        _pick(zh_mining.bottlenecks, kind="queue"),
        activity="发货",
        wait_share=nan,
        wait_median_s=nan,
        utilisation=None,
        queue_mean_first_half=nan,
        queue_mean_second_half=nan,
        department=None,
    )
    assert st.bottleneck_sentence("zh", thin, zh_mining) == "发货：等待时间中位数 –。"
    assert st.bottleneck_sentence("zh", thin, None) == "发货：等待时间中位数 –。"
    long_wait = replace(_pick(zh_mining.bottlenecks, kind="queue"), wait_median_s=3 * 86400.0)
    assert "等待时间中位数 3.0 天" in st.bottleneck_reason("zh", long_wait, zh_mining)


def test_batch_patterns(zh_mining: MiningResult) -> None:
    director = _pick(zh_mining.batches, activity="财务总监审批")
    assert director.release_times == ("16:00",)  # the generator's truth: a 16:00 signing round
    assert st.batch_pattern("zh", director).endswith("16:00")
    two = replace(director, release_times=("10:00", "15:00"), weekdays=("Mon", "Wed"))
    assert st.batch_pattern("zh", two) == "周一、周三的 10:00 和 15:00"
    assert st.batch_pattern("zh", replace(director, release_times=("09:00",), weekdays=())) == "每天 09:00"
    sized = replace(director, release_times=(), weekdays=(), trigger="size", batch_size=10)
    assert st.batch_pattern("zh", sized) == "每累积 10 件时"
    assert st.batch_pattern("en", sized) == "when 10 have accumulated"
    assert st.batch_pattern("en", director) == director.pattern


def test_approval_evidence_in_chinese(zh_mining: MiningResult) -> None:
    removal = _pick(zh_mining.approvals, verdict="candidate_for_removal")
    text = st.approval_reason("zh", removal)
    assert text.startswith(f"{removal.decisions:,} 次审批中通过 {100 * removal.approval_rate:.1f}%，只增加等待")
    assert f"每个案例约 {removal.estimated_saving_h:.1f} 小时" in text
    threshold_row = _pick(zh_mining.approvals, verdict="candidate_for_threshold")
    threshold = st.approval_reason("zh", threshold_row)
    assert threshold.startswith(
        f"只驳回 {threshold_row.threshold_attribute} 高于 {threshold_row.threshold_value:,.0f} 的案例"
    )
    assert f"可为 {_pct(threshold_row.share_below_threshold)} 的案例" in threshold
    keep = replace(
        removal, activity="付款审批", verdict="keep", decisions=400, approval_rate=0.8, stopped_cases=0, open_cases=0
    )
    assert st.approval_reason("zh", keep) == "400 次审批中驳回 20.0%——它能发现真正的问题。"
    assert st.approval_reason("en", removal) == without_subject(removal.reason, removal.activity)
    for a in (removal, threshold_row):
        assert not re.search(r"decisions|passes|rejects|case\(s\)", st.approval_sentence("zh", a))


def test_every_audit_code_has_a_chinese_meaning() -> None:
    codes = [
        "end_before_start",
        "duplicate_events",
        "activity_spellings",
        "single_event_cases",
        "incomplete_cases",
        "out_of_order",
        "placeholder_dates",
        "missing_values",
        "unparseable_timestamps",
        "mixed_timezone_offsets",
        "lifecycle_is_status",
        "lifecycle_dropped",
        "unmatched_complete",
        "complete_only_activities",
        "unmatched_start",
        "lifecycle_paired",
        "preamble_skipped",
        "object_type_chosen",
        "excel_sheet",
    ]
    for code in codes:
        message = st.audit_message("zh", Finding(code, "warning", 44, "44 case(s) never reach ..."))
        allowed = re.sub(r"--object-type|ERP|UTC|procopt", "", message)  # a CLI option, acronyms, procopt itself
        assert "44" in message and not re.search(r"[A-Za-z]{3,}", allowed), code
    assert st.audit_message("zh", Finding("new_check", "info", 3, "")) == "审计发现 3 处“new_check”问题。"
    assert st.audit_message("en", Finding("x", "info", 1, "as the audit says")) == "as the audit says"


def test_kpi_conflict_and_deviation_in_chinese() -> None:
    conflict = KpiConflict(
        kpi_a="每周订单",
        kpi_b="准时交付",
        owner_a="销售部",
        owner_b="物流部",
        r=-0.72,
        weeks=17,
        sentence="Weeks with higher 每周订单 (销售部) had lower 准时交付 (物流部): r = -0.72 over 17 weeks",
    )
    assert st.conflict_sentence("zh", conflict) == (
        "每周订单（销售部）较高的周，准时交付（物流部）较低：相关系数 r = -0.72，共 17 周——对一方有利的对另一方不利。"
    )
    assert st.conflict_sentence("en", conflict) == conflict.sentence
    assert st.deviation_text("zh", "skipped", "质量检验") == "跳过：质量检验"
    assert st.deviation_text("en", "skipped", "Inspect") == "skipped: Inspect"
    assert st.deviation_text("en", "unexpected", None) == "unexpected"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hst.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s and s), hst.floats(0, 1), hst.floats(0, 1e6))
def test_names_pass_through_untouched(zh_mining: MiningResult, name: str, share: float, wait_s: float) -> None:
    queue = _pick(zh_mining.bottlenecks, kind="queue")
    b = replace(queue, activity=name, wait_share=share, wait_median_s=wait_s, department=name)
    sentence = st.bottleneck_sentence("zh", b, None)
    assert sentence.startswith(f"{name}：占全部等待时间的 {100 * share:.0f}%")
    assert f"执行该活动的{name}人员" in sentence
    removal = _pick(zh_mining.approvals, verdict="candidate_for_removal")
    a = replace(removal, activity=name, follows_activity=name)
    assert st.approval_sentence("zh", a).startswith(f"{name}：{removal.decisions:,} 次审批")


def test_every_audit_finding_code_has_a_chinese_text() -> None:
    """A Chinese report never falls back to 'the audit found N "some_code" problems' for procopt's own findings."""
    import re
    from pathlib import Path

    import procopt
    from procopt.report.stage_text import audit_message

    root = Path(procopt.__file__).parent
    pattern = re.compile(r'Finding\(\s*(?:code=)?"([a-z_]+)"')
    codes = {m.group(1) for f in root.rglob("*.py") for m in pattern.finditer(f.read_text(encoding="utf-8"))}
    assert len(codes) >= 20  # the scan finds the findings (a changed constructor must not make this vacuous)
    fallback = [c for c in sorted(codes) if f"“{c}”" in audit_message("zh", Finding(c, "info", 3, ""))]
    assert fallback == []
