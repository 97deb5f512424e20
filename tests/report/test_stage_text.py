"""Chinese sentences composed from the stages' structured fields (never translated from their English text)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as hst

from procopt.report import stage_text as st

# the shapes MiningResult.to_dict() gives for the Chinese sample log (fields copied from a real run)
QUEUE = {
    "activity": "信用检查",
    "score": 0.7648,
    "kind": "queue",
    "reason": "信用检查: 51% of all waiting time, median wait 24.7 h, the 财务部 staff doing it are 91% busy, "
    "on average 17.7 cases waiting.",
    "wait_share": 0.5064,
    "wait_median_s": 88862.5,
    "utilisation": 0.9119,
    "queue_mean_first_half": 23.2,
    "queue_mean_second_half": 12.28,
    "department": "财务部",
}
BATCHING = {
    "activity": "财务总监审批",
    "kind": "batching",
    "reason": "财务总监审批: 12% of all waiting time ...",
    "wait_share": 0.1249,
    "wait_median_s": 18534.0,
    "utilisation": 0.012,
    "department": "财务部",
}
IDLE = {
    "activity": "拣货",
    "kind": "idle_wait",
    "reason": "拣货: 25% ...",
    "wait_share": 0.2504,
    "wait_median_s": 45781.5,
    "utilisation": 0.4697,
    "department": "仓储部",
}
MINING = {
    "batches": [
        {
            "activity": "财务总监审批",
            "release_times": ["16:00"],
            "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
            "batched_share": 1.0,
            "pattern": "daily at 16:00 (Mon-Fri)",
        }
    ],
    "activities": [{"activity": "发货", "wait_median_s": 7200.0, "wait_share": 0.05, "department": "物流部"}],
}
REMOVAL = {
    "activity": "财务总监审批",
    "verdict": "candidate_for_removal",
    "reason": "财务总监审批: passes 100.0% of 1,483 decisions",
    "decisions": 1483,
    "approval_rate": 1.0,
    "wait_median_s": 18534.0,
    "estimated_saving_h": 8.4619,
    "follows_activity": "销售经理审批",
    "follows_approval_share": 1.0,
    "stopped_cases": 0,
    "open_cases": 0,
}
THRESHOLD = {
    "activity": "销售经理审批",
    "verdict": "candidate_for_threshold",
    "reason": "销售经理审批: rejects only ...",
    "decisions": 1594,
    "rejections": 110,
    "approval_rate": 0.931,
    "wait_median_s": 0.0,
    "estimated_saving_h": 0.6059,
    "threshold_attribute": "订单金额",
    "threshold_value": 20000.0,
    "share_below_threshold": 0.7836,
    "open_cases": 1,
}
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def test_queue_bottleneck_in_chinese_has_the_stage_numbers() -> None:
    assert st.bottleneck_sentence("zh", QUEUE, MINING) == (
        "信用检查：占全部等待时间的 51%，等待时间中位数 24.7 小时，执行该活动的财务部人员的繁忙程度为 91%，平均有 17.7 个案例在排队。"
    )
    assert st.bottleneck_sentence("en", QUEUE, MINING) == QUEUE["reason"]  # English: the stage's own sentence


def test_batching_and_idle_waits_in_chinese() -> None:
    batching = st.bottleneck_reason("zh", BATCHING, MINING)
    assert batching == (
        "占全部等待时间的 12%，等待时间中位数 5.1 小时——这是批处理造成的延误，而非产能不足：工作在周一至周五的 16:00"
        "批量放行（占 100% 的实例），而执行该活动的财务部人员的繁忙程度仅为 1%。"
    )
    idle = st.bottleneck_reason("zh", IDLE, MINING)
    assert idle.startswith(
        "占全部等待时间的 25%，等待时间中位数 12.7 小时，但执行该活动的仓储部人员的繁忙程度仅为 47%——并非产能不足"
    )
    assert not ENGLISH.search(batching + idle)


def test_missing_fields_come_from_the_activity_table_or_are_left_out() -> None:
    thin = {"activity": "发货", "kind": "queueing", "reason": "发货: 5% of all waiting time"}
    assert st.bottleneck_sentence("zh", thin, MINING) == "发货：占全部等待时间的 5%，等待时间中位数 2.0 小时。"
    assert st.bottleneck_sentence("zh", thin, None) == "发货：等待时间中位数 –。"
    long_wait = {**QUEUE, "wait_median_s": 3 * 86400.0}
    assert "等待时间中位数 3.0 天" in st.bottleneck_reason("zh", long_wait, MINING)


def test_batch_patterns() -> None:
    assert st.batch_pattern("zh", MINING["batches"][0]) == "周一至周五的 16:00"
    assert (
        st.batch_pattern("zh", {"release_times": ["10:00", "15:00"], "weekdays": ["Mon", "Wed"]})
        == "周一、周三的 10:00 和 15:00"
    )
    assert st.batch_pattern("zh", {"release_times": ["09:00"], "weekdays": []}) == "每天 09:00"
    assert st.batch_pattern("en", MINING["batches"][0]) == "daily at 16:00 (Mon-Fri)"


def test_approval_evidence_in_chinese() -> None:
    assert st.approval_reason("zh", REMOVAL) == (
        "1,483 次审批中通过 100.0%，只增加等待（等待中位数 5.1 小时，每个案例约 8.5 小时）；在 100% 的案例中紧接在 销售经理审批 之后。"
    )
    threshold = st.approval_reason("zh", THRESHOLD)
    assert threshold.startswith(
        "只驳回 订单金额 高于 20,000 的案例（全部 110 次驳回都在其上）；低于该值的 1,249 次审批全部通过"
    )
    assert "可为 78% 的案例每例节省约 0.6 小时" in threshold and "1 个案例在该步骤后结束且接近日志末尾" in threshold
    keep = st.approval_reason("zh", {"activity": "付款审批", "verdict": "keep", "decisions": 400, "approval_rate": 0.8})
    assert keep == "400 次审批中驳回 20.0%——它能发现真正的问题。"
    assert st.approval_reason("en", REMOVAL) == "passes 100.0% of 1,483 decisions"
    for a in (REMOVAL, THRESHOLD):
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
        message = st.audit_message("zh", {"code": code, "count": 44, "message": "44 case(s) never reach ..."})
        allowed = re.sub(r"--object-type|ERP|UTC|procopt", "", message)  # a CLI option, acronyms, procopt itself
        assert "44" in message and not re.search(r"[A-Za-z]{3,}", allowed), code
    assert st.audit_message("zh", {"code": "new_check", "count": 3}) == "审计发现 3 处“new_check”问题。"
    assert st.audit_message("en", {"code": "x", "count": 1, "message": "as the audit says"}) == "as the audit says"


def test_kpi_conflict_and_deviation_in_chinese() -> None:
    conflict = {
        "kpi_a": "每周订单",
        "kpi_b": "准时交付",
        "owner_a": "销售部",
        "owner_b": "物流部",
        "r": -0.72,
        "weeks": 17,
        "sentence": "Weeks with higher 每周订单 (销售部) had lower 准时交付 (物流部): r = -0.72 over 17 weeks",
    }
    assert st.conflict_sentence("zh", conflict) == (
        "每周订单（销售部）较高的周，准时交付（物流部）较低：相关系数 r = -0.72，共 17 周——对一方有利的对另一方不利。"
    )
    assert st.conflict_sentence("en", conflict) == conflict["sentence"]
    assert st.deviation_text("zh", {"kind": "skipped", "activity": "质量检验"}) == "跳过：质量检验"
    assert st.deviation_text("en", {"kind": "skipped", "activity": "Inspect"}) == "skipped: Inspect"


@settings(max_examples=60, deadline=None)
@given(hst.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s and s), hst.floats(0, 1), hst.floats(0, 1e6))
def test_names_pass_through_untouched(name: str, share: float, wait_s: float) -> None:
    b = {**QUEUE, "activity": name, "wait_share": share, "wait_median_s": wait_s, "department": name}
    sentence = st.bottleneck_sentence("zh", b, {})
    assert sentence.startswith(f"{name}：占全部等待时间的 {100 * share:.0f}%")
    assert f"执行该活动的{name}人员" in sentence
    a = {**REMOVAL, "activity": name, "follows_activity": name}
    assert st.approval_sentence("zh", a).startswith(f"{name}：1,483 次审批")
