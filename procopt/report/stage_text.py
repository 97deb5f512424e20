"""The stages' own sentences (bottleneck reasons, approval evidence, batch patterns, audit findings) per language.

The mining and audit stages write one English sentence per finding. An English report shows those sentences
unchanged; any other language composes its sentence here from the finding's STRUCTURED fields (shares, medians,
utilisation, verdict, threshold, counts), never by translating the English text. Activity, department and
attribute names are data and are passed through untouched. A field the stage left empty (e.g. utilisation without
start times) leaves out the clause that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procopt.report._fmt import fmt, hours, number, without_subject

if TYPE_CHECKING:
    from procopt.log.audit import Finding
    from procopt.mine import MiningResult
    from procopt.mine.approvals import ApprovalVerdict
    from procopt.mine.batching import BatchPattern
    from procopt.mine.bottlenecks import Bottleneck
    from procopt.mine.kpi import KpiConflict

_ZH: dict[str, str] = {
    # bottlenecks
    "bn_head": "占全部等待时间的 {share}%，等待时间中位数 {wait}",
    "bn_head_nostart": "占全部完成间隔时间（无法区分等待与加工）的 {share}%，间隔中位数 {wait}",
    "bn_wait_only": "等待时间中位数 {wait}",
    "bn_who": "执行该活动的{department}人员",
    "bn_who_unknown": "执行该活动的人员",
    "bn_batching": "{head}——这是批处理造成的延误，而非产能不足：工作在{pattern}批量放行（占 {batched}% 的实例），而{who}{busy}。",
    "bn_busy_only": "的繁忙程度仅为 {u}%",
    "bn_busy_unknown": "的繁忙程度未知",
    "bn_idle": "{head}，但{who}的繁忙程度仅为 {u}%——并非产能不足：案例在等待团队之外的因素（供应商、客户、其他系统或放行规则）。",
    "bn_busy": "{who}的繁忙程度为 {u}%",
    "bn_util_unknown": "利用率未知（日志没有开始时间）",
    "bn_queue_grew": "排队案例从平均 {q1} 个增加到 {q2} 个",
    "bn_queue": "平均有 {q} 个案例在排队",
    # batch patterns
    "batch_daily": "每天 {times}",
    "batch_days": "{days}的 {times}",
    "batch_and": "和",
    "batch_size": "每累积 {size} 件时",
    "weekdays_mon_fri": "周一至周五",
    "weekdays_sep": "、",
    "Mon": "周一",
    "Tue": "周二",
    "Wed": "周三",
    "Thu": "周四",
    "Fri": "周五",
    "Sat": "周六",
    "Sun": "周日",
    # approvals
    "ap_removal": "{decisions} 次审批中通过 {rate}%，只增加等待（等待中位数 {wait} 小时，每个案例约 {saving} 小时）{chain}。",
    "ap_removal_short": "通过率 {rate}%，只增加等待（每个案例约 {saving} 小时）。",
    "ap_chain": "；在 {share}% 的案例中紧接在 {follows} 之后",
    "ap_threshold": "只驳回 {attribute} 高于 {value} 的案例（全部 {rejections} 次驳回都在其上）；低于该值的 {below_n} 次审批全部通过——建议低于 {value} 时自动通过，可为 {below_share}% 的案例每例节省约 {saving} 小时。",
    "ap_threshold_short": "只驳回 {attribute} 高于 {value} 的案例。",
    "ap_keep": "{decisions} 次审批中驳回 {rejected}%——它能发现真正的问题。",
    "ap_keep_few": "审批次数太少（{decisions} 次），无法判断。",
    "ap_keep_short": "通过率 {rate}%，予以保留。",
    "ap_open": "{n} 个案例在该步骤后结束且接近日志末尾，可能仍在进行（未计为驳回）",
    "ap_stopped": "{n} 个案例在该步骤后、远早于日志末尾就结束了，计为驳回",
    # audit findings by code
    "audit_end_before_start": "{count} 个活动实例的结束时间早于开始时间，时长为负；请检查开始/结束列是否颠倒、各系统时钟是否一致。",
    "audit_duplicate_events": "{count} 行与之前的事件完全相同（案例、活动、时间和操作员都一样），会虚增频次和工作量；如为重复导出请删除。",
    "audit_activity_spellings": "{count} 个活动有多种写法（大小写、空格或全角字符），被当作不同步骤统计；请在 ERP 导出时或分析前统一名称。",
    "audit_single_event_cases": "{count} 个案例只有一个事件，无法衡量等待或流转；通常是被提取时间窗口截断，或案例号有误。",
    "audit_incomplete_cases": "{count} 个案例没有到达常见的结束活动：可能仍在进行或被提取日期截断，其周期偏短；请过滤这些案例或提取更长的时间窗口。",
    "audit_out_of_order": "{count} 个案例中文件的事件顺序与时间戳顺序不一致；procopt 按时间排序。若文件顺序才是真实顺序，说明时间戳太粗或有误。",
    "audit_placeholder_dates": "{count} 个时间戳早于 1980 年：日志看起来是合成的或日期被平移，从中学到的日历和工作时间没有意义。",
    "audit_missing_values": "有一列在 {count} 行中为空；这些行的相应信息缺失。",
    "audit_unparseable_timestamps": "{count} 个时间值无法按该列的日期格式读取；请在导出中修正。",
    "audit_mixed_timezone_offsets": "{count} 个时间值带有不同的 UTC 偏移，已统一换算到最常见的偏移；通常是夏令时造成，这些值的时刻可能相差一小时。",
    "audit_lifecycle_is_status": "生命周期列保存的是状态（{count} 种取值）而不是开始/完成；每一行都作为事件保留，该列作为属性保留。",
    "audit_lifecycle_dropped": "{count} 个开始/完成以外的生命周期事件被删除；procopt 只从开始计到完成。",
    "audit_unmatched_complete": "{count} 个完成事件在同一案例中没有对应的开始事件；开始时间未知，因此加工时间未知。",
    "audit_complete_only_activities": "{count} 个活动只记录完成时间；其加工时间未知，按瞬时完成计算。",
    "audit_unmatched_start": "{count} 个开始事件没有完成（提取时仍在进行或完成事件缺失），已删除。",
    "audit_lifecycle_paired": "{count} 对开始/完成事件已合并为活动实例。",
    "audit_preamble_skipped": "文件开头 {count} 行是标题或报表抬头而非数据，已跳过。",
    "audit_object_type_chosen": "这是以对象为中心的日志，已按对象数不少于 30 的类型中事件最多的一种展开（{count} 个事件）；可用 --object-type 选择其他类型。",
    "audit_excel_sheet": "工作簿有 {count} 个工作表，只读取了其中一个作为事件日志，其余被忽略。",
    "audit_ambiguous_date_format": "{count} 个时间列的日期既可按日/月也可按月/日读取（没有大于 12 的日）；若读法不对，所有时长都错，请用 --date-format 指定。",
    "audit_artificial_markers": "{count} 个零时长的人工开始/结束标记（导出工具在案例首尾添加）已从分析和模型中排除。",
    "audit_cases_without_final_activity": "{count} 个案例没有到达结束步骤：提取时仍在进行，或其单据未被导出。",
    "audit_column_inferred": "有 {count} 个列的角色是按列名或内容推断的；如不对，请用 --map 指定。",
    "audit_date_only_times": "{count} 个活动实例只有日期没有时刻，短于一天的等待和周期无法从中衡量。",
    "audit_daylight_saving_offsets": "{count} 个时间值带有随夏令时变化的 UTC 偏移，已按同一时区换算为当地时间。",
    "audit_due_date_only": "{count} 个交期只有日期没有时刻，按当天 23:59:59 计算：当天内完成即算准时。",
    "audit_field_labels_renamed": "{count} 个表头是 SE16N 字段说明而非技术字段名，已按技术字段名读取。",
    "audit_lookup_missing": "导出中缺少文本表，活动名称显示为代码而非文本。",
    "audit_missing_timestamps": "{count} 张单据没有日期或时间（为空或 00000000），已被排除；请检查导出的日期字段。",
    "audit_resource_is_case_party": "操作员列有 {count} 个取值，大多只出现在一两个案例中：它记录的是客户或申请人而不是员工，不用于组建团队；如有员工列请用 --map resource=列名 指定。",
    "audit_several_clients": "表中有 {count} 个 SAP 集团（MANDT）的数据，不同集团的单据号可能重复；请只导出一个集团。",
    "audit_step_skipped": "有步骤被跳过：数据源缺少它需要的表或字段。",
    "audit_too_few_cases": "只有 {count} 个案例，太少，诊断结果会随每个案例变化；请当作个例阅读，并提取更长的时间窗口后再做决定。",
    "audit_other": "审计发现 {count} 处“{code}”问题。",
    "conflict": "{a}（{owner_a}）较高的周，{b}（{owner_b}）{direction}：相关系数 r = {r}，共 {weeks} 周——对一方有利的对另一方不利。",
    "conflict_higher": "也较高",
    "conflict_lower": "较低",
    "deviation": "{kind}：{activity}",
    "dev_skipped": "跳过",
    "dev_unexpected": "蓝图之外的活动",
    "dev_wrong_order": "顺序错误",
    "unit_hours": "{value} 小时",
    "unit_days": "{value} 天",
}

_TEXT: dict[str, dict[str, str]] = {"zh": _ZH}


def composed(language: str) -> bool:
    """True when sentences are composed here (not the stages' own English wording)."""
    return language in _TEXT


def _t(language: str, key: str, **values: object) -> str:
    return _TEXT[language][key].format(**values)


def _pct0(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}"


def _dur(language: str, seconds: float | None) -> str:
    """A wait like the mining stage shows it: hours below two days, else days."""
    if seconds is None:
        return "–"
    h = seconds / 3600.0
    return _t(language, "unit_hours", value=f"{h:.1f}") if h < 48 else _t(language, "unit_days", value=f"{h / 24:.1f}")


def batch_pattern(language: str, batch: BatchPattern) -> str:
    """When a batch is released, e.g. "daily at 16:00 (Mon-Fri)" / "在周一至周五的 16:00" / "每累积 10 件时"."""
    if composed(language) and batch.trigger == "size" and batch.batch_size:
        return _t(language, "batch_size", size=batch.batch_size)  # released when N have accumulated
    if not composed(language):
        return batch.pattern
    shown = f" {_t(language, 'batch_and')} ".join(batch.release_times) or "–"
    days = list(batch.weekdays)
    if not days or len(days) == 7:
        return _t(language, "batch_daily", times=shown)
    if days == ["Mon", "Tue", "Wed", "Thu", "Fri"]:
        label = _t(language, "weekdays_mon_fri")
    else:
        label = _t(language, "weekdays_sep").join(_TEXT[language].get(d, d) for d in days)
    return _t(language, "batch_days", days=label, times=shown)


def bottleneck_reason(language: str, b: Bottleneck, mining: MiningResult | None, has_start: bool = True) -> str:
    """Why ``b`` is a bottleneck, without the leading activity name (``mining`` has its batch pattern)."""
    act = b.activity
    if not composed(language):
        return without_subject(b.reason, act)
    share = number(b.wait_share)
    wait_h = hours(b.wait_median_s)
    wait = _dur(language, None if wait_h is None else wait_h * 3600.0)
    if share is None:
        head = _t(language, "bn_wait_only", wait=wait)
    else:
        head = _t(language, "bn_head" if has_start else "bn_head_nostart", share=_pct0(share), wait=wait)
    dept = b.department
    who = _t(language, "bn_who", department=dept) if isinstance(dept, str) and dept else _t(language, "bn_who_unknown")
    u = number(b.utilisation)
    kind = str(b.kind or "queue")
    if kind == "batching":
        batch = next((x for x in mining.batches if x.activity == act), None) if mining is not None else None
        busy = _t(language, "bn_busy_only", u=_pct0(u)) if u is not None else _t(language, "bn_busy_unknown")
        batched = number(batch.batched_share) if batch is not None else None
        return _t(
            language,
            "bn_batching",
            head=head,
            pattern=batch_pattern(language, batch) if batch is not None else "–",
            batched=_pct0(batched),
            who=who,
            busy=busy,
        )
    if kind == "idle_wait" and u is not None:
        return _t(language, "bn_idle", head=head, who=who, u=_pct0(u))
    parts = [head]
    if u is not None:
        parts.append(_t(language, "bn_busy", who=who, u=_pct0(u)))
    elif not has_start:
        parts.append(_t(language, "bn_util_unknown"))
    q1, q2 = number(b.queue_mean_first_half), number(b.queue_mean_second_half)
    if q1 is not None and q2 is not None:
        if q2 > q1 * 1.2 and q2 >= 0.5:
            parts.append(_t(language, "bn_queue_grew", q1=f"{q1:.1f}", q2=f"{q2:.1f}"))
        else:
            parts.append(_t(language, "bn_queue", q=f"{(q1 + q2) / 2:.1f}"))
    return "，".join(parts) + "。"


def approval_reason(language: str, a: ApprovalVerdict) -> str:
    """The evidence behind an approval verdict, without the leading activity name."""
    act = a.activity
    if not composed(language):
        return without_subject(a.reason, act)
    verdict = a.verdict
    decisions = number(a.decisions)
    rate = number(a.approval_rate)
    saving = number(a.estimated_saving_h)
    wait_h = hours(a.wait_median_s)
    if verdict == "candidate_for_threshold":
        attr, value = a.threshold_attribute, number(a.threshold_value)
        below = number(a.share_below_threshold)
        if attr and value is not None and decisions is not None and below is not None:
            out = _t(
                language,
                "ap_threshold",
                attribute=attr,
                value=f"{value:,.0f}",
                rejections=fmt(a.rejections, 0),
                below_n=f"{int(below * decisions):,}",
                below_share=_pct0(below),
                saving=fmt(saving),
            )
        else:
            out = _t(language, "ap_threshold_short", attribute=attr or "–", value=fmt(value, 0))
    elif verdict == "candidate_for_removal":
        if decisions is not None and wait_h is not None:
            follows, share = a.follows_activity, number(a.follows_approval_share)
            chain = (
                _t(language, "ap_chain", share=_pct0(share), follows=follows)
                if follows and share is not None and share >= 0.5
                else ""
            )
            out = _t(
                language,
                "ap_removal",
                decisions=f"{decisions:,.0f}",
                rate=pct1(rate),
                wait=f"{wait_h:.1f}",
                saving=fmt(saving),
                chain=chain,
            )
        else:
            out = _t(language, "ap_removal_short", rate=pct1(rate), saving=fmt(saving))
    elif decisions is not None and rate is not None:
        key = "ap_keep" if decisions >= 20 else "ap_keep_few"
        out = _t(language, key, decisions=f"{decisions:,.0f}", rejected=pct1(1 - rate))
    else:
        out = _t(language, "ap_keep_short", rate=pct1(rate))
    notes = []
    if a.stopped_cases > 0:
        notes.append(_t(language, "ap_stopped", n=fmt(a.stopped_cases, 0)))
    if a.open_cases > 0:
        notes.append(_t(language, "ap_open", n=fmt(a.open_cases, 0)))
    return out + ("；".join(notes) + "。" if notes else "")


def pct1(x: float | None) -> str:
    """A 0..1 share with one decimal, as the approval evidence shows it."""
    return "–" if x is None else f"{100 * x:.1f}"


def audit_message(language: str, finding: Finding) -> str:
    """What an audit finding means: the audit's own message in English, composed from code and count otherwise."""
    if not composed(language):
        return finding.message
    code = finding.code
    count = fmt(finding.count, 0)
    key = f"audit_{code}"
    if key in _TEXT[language]:
        return _t(language, key, count=count)
    return _t(language, "audit_other", count=count, code=code)


def with_subject(language: str, activity: object, body: str) -> str:
    """ "<activity>: <body>" the way the language writes it."""
    return f"{activity}：{body}" if composed(language) else f"{activity}: {body}"


def bottleneck_sentence(language: str, b: Bottleneck, mining: MiningResult | None, has_start: bool = True) -> str:
    """The whole bottleneck sentence: the stage's own in English, composed otherwise."""
    if not composed(language):
        return b.reason
    return with_subject(language, b.activity, bottleneck_reason(language, b, mining, has_start))


def approval_sentence(language: str, a: ApprovalVerdict) -> str:
    """The whole approval evidence sentence: the stage's own in English, composed otherwise."""
    if not composed(language):
        return a.reason
    return with_subject(language, a.activity, approval_reason(language, a))


_LABELS_ZH = {
    "kind_queue": "排队（产能）",
    "kind_queueing": "排队（产能）",
    "kind_batching": "批处理",
    "kind_idle_wait": "外部等待",
    "role_case": "案例号",
    "role_activity": "活动",
    "role_start": "开始时间",
    "role_end": "结束时间",
    "role_resource": "操作员",
    "role_department": "部门",
    "role_due": "交期",
    "role_lifecycle": "生命周期",
    "role_timestamp": "时间戳",
    "role_object_type": "对象类型",
    "severity_error": "错误",
    "severity_warning": "警告",
    "severity_info": "提示",
    "kpi_delivery_rate": "准时交付率",
    "kpi_lead_time_p90_hours": "交付周期 P90（小时）",
    "kpi_lead_time_mean_hours": "平均交付周期（小时）",
    "kpi_throughput_per_week": "每周完成量",
}


def label(language: str, group: str, value: object) -> str:
    """A short label for a stage's code word (bottleneck kind, severity, KPI key); the code itself in English."""
    if not composed(language):
        return str(value)
    return _LABELS_ZH.get(f"{group}_{value}", str(value))


def conflict_sentence(language: str, c: KpiConflict) -> str:
    """A KPI conflict: the KPI stage's sentence in English, composed from kpi_a/kpi_b/owners/r/weeks otherwise."""
    r = number(c.r)
    if not composed(language) or r is None:
        return c.sentence
    return _t(
        language,
        "conflict",
        a=c.kpi_a,
        b=c.kpi_b,
        owner_a=c.owner_a or "–",
        owner_b=c.owner_b or "–",
        direction=_t(language, "conflict_higher" if r > 0 else "conflict_lower"),
        r=f"{r:.2f}",
        weeks=fmt(c.weeks, 0),
    )


def deviation_text(language: str, kind: str, activity: str | None) -> str:
    """A conformance deviation "<kind>: <activity>" with the kind in the report's language."""
    if not composed(language):
        return f"{kind}: {activity or ''}".rstrip(": ")
    label_ = _TEXT[language].get(f"dev_{kind}", str(kind))
    return _t(language, "deviation", kind=label_, activity=activity) if activity else label_
