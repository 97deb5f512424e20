"""Stage 1 — ingest: map a log's own column headers onto procopt's roles.

An ERP export calls the order number ``order_id``, ``订单号`` or ``case:concept:name``; the completion time
``end_time``, ``完成时间`` or ``time:timestamp``. :func:`guess_mapping` recognises the usual English,
Chinese and XES spellings; :func:`resolve_mapping` merges that guess with the user's ``--map case=...``
override and checks every named column exists (with "did you mean" when it does not).

Roles: ``case``, ``activity``, ``start``, ``end``, ``resource``, ``department``, ``due``, ``lifecycle``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from procopt.errors import InputError, did_you_mean
from procopt.log import columns as C

#: Every role a user may name in ``--map`` (the contract roles plus the lifecycle column).
MAP_ROLES: tuple[str, ...] = (*C.ROLES, "lifecycle")

#: The roles a log cannot do without.
REQUIRED_ROLES: tuple[str, ...] = ("case", "activity", "end")

#: Business objects a case follows. A column named after one (``requisition``, ``purchase_order``,
#: ``ticket_no``) is taken as the case id when no more specific name is there; the audit says so.
BUSINESS_OBJECTS: tuple[str, ...] = (
    "requisition",
    "purchase_requisition",
    "purchase_order",
    "sales_order",
    "order",
    "work_order",
    "production_order",
    "service_order",
    "ticket",
    "incident",
    "service_request",
    "request",
    "claim",
    "application",
    "invoice",
    "contract",
    "permit",
    "declaration",
    "loan",
    "complaint",
    "quotation",
    "quote",
    "shipment",
    "delivery",
    "patient",
    "trip",
    "expense_report",
)
OBJECT_SUFFIXES: tuple[str, ...] = ("", "_id", "_no", "_nr", "_number", "_num", "_key", "_ref", "_code")

#: Header synonyms per role, most specific first. Matching ignores case, width, spaces, ``_ - . :``.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "case": (
        "case:concept:name",
        "case_id",
        "caseid",
        "case",
        "case_number",
        "case_no",
        "case_key",
        "order_id",
        "order_no",
        "order_number",
        "sales_order",
        "sales_order_id",
        "so_number",
        "requisition_id",
        "purchase_order",
        "po_number",
        "po_id",
        "document_number",
        "doc_id",
        "document_id",
        "ticket_id",
        "process_id",
        "instance_id",
        "trace_id",
        "trace",
        "订单号",
        "订单编号",
        "单号",
        "单据编号",
        "单据号",
        "采购订单号",
        "销售订单号",
        "申请单号",
        "案例编号",
        "案例号",
        "流程编号",
        "工单号",
        "工单编号",
        "发票号",
        "合同号",
        "采购申请号",
        # the business object a case follows, with or without an id suffix (ticket, ticket_no, requisition_id)
        *(f"{obj}{suffix}" for obj in BUSINESS_OBJECTS for suffix in OBJECT_SUFFIXES),
        "id",
    ),
    "activity": (
        "concept:name",
        "activity",
        "activity_name",
        "activityname",
        "活动",
        "活动名称",
        "操作",
        "步骤",
        "环节",
        "节点",
        "task",
        "task_name",
        "event",
        "event_name",
        "action",
        "step",
        "operation",
    ),
    "start": (
        "start_timestamp",
        "start_time",
        "starttime",
        "start_date",
        "start",
        "started",
        "begin",
        "begin_time",
        "开始时间",
        "开始日期",
        "开始",
    ),
    "end": (
        "time:timestamp",
        "end_timestamp",
        "end_time",
        "endtime",
        "complete_timestamp",
        "completion_time",
        "complete_time",
        "completed",
        "complete",
        "completion",
        "completed_at",
        "completion_timestamp",
        "end",
        "end_date",
        "finish_time",
        "结束时间",
        "完成时间",
        "结束日期",
        "完成日期",
        "timestamp",
        "event_time",
        "datetime",
        "date_time",
        "date",
        "time",
        "时间",
        "日期",
    ),
    "resource": (
        "org:resource",
        "resource",
        "user",
        "user_id",
        "username",
        "performer",
        "operator",
        "employee",
        "agent",
        "executor",
        "actor",
        "操作员",
        "处理人",
        "操作人",
        "经办人",
        "执行人",
        "负责人",
        "用户",
    ),
    "department": (
        "department",
        "dept",
        "org:group",
        "org:role",
        "group",
        "role",
        "division",
        "team",
        "org_unit",
        "部门",
        "科室",
        "组",
        "角色",
    ),
    "due": (
        "case:due_date",
        "due_date",
        "duedate",
        "due",
        "promised_date",
        "promise_date",
        "need_by_date",
        "requested_date",
        "requested_delivery_date",
        "deadline",
        "case:deadline",
        "承诺交期",
        "交期",
        "交货日期",
        "要求交期",
        "承诺日期",
    ),
    "lifecycle": (
        "lifecycle:transition",
        "lifecycle",
        "transition",
        "event_type",
        "lifecycle_transition",
        "生命周期",
    ),
}

#: Case headers procopt knew before business objects were added: common enough to need no explanation.
_CASE_NAMES = frozenset(SYNONYMS["case"][: SYNONYMS["case"].index("工单号")])

_SEPARATORS = re.compile(r"[\s_\-.:/]+")
_PREFIXES = ("event_", "evt_")


def normalise_header(name: str) -> str:
    """Fold a header for matching: full-width -> half-width, lower case, separators -> ``_``."""
    text = unicodedata.normalize("NFKC", str(name)).casefold().strip()
    return _SEPARATORS.sub("_", text).strip("_")


def _match(role: str, headers: list[str], taken: set[str]) -> str | None:
    synonyms = SYNONYMS[role]
    free = [h for h in headers if h not in taken]
    # 1. exact spelling (so ``case:concept:name`` beats ``case_concept_name``), 2. folded, 3. without event_ prefix.
    for syn in synonyms:
        if syn in free:
            return syn
    folded = {h: normalise_header(h) for h in free}
    for syn in synonyms:
        key = normalise_header(syn)
        for h in free:
            if folded[h] == key:
                return h
    for syn in synonyms:
        key = normalise_header(syn)
        for h in free:
            for prefix in _PREFIXES:
                if folded[h].startswith(prefix) and folded[h][len(prefix) :] == key:
                    return h
    return None


def guess_mapping(headers: Iterable[str]) -> dict[str, str]:
    """Guess role -> header from header names alone; roles with no plausible header are left out.

    Each header is used for at most one role. Roles are matched in order of how specific their names are,
    so ``time`` is not taken as the activity and ``role`` is not taken before ``resource``.
    """
    names = [str(h) for h in headers]
    taken: set[str] = set()
    found: dict[str, str] = {}
    for role in ("case", "activity", "lifecycle", "start", "end", "resource", "department", "due"):
        hit = _match(role, names, taken)
        if hit is not None:
            found[role] = hit
            taken.add(hit)
    return {role: found[role] for role in MAP_ROLES if role in found}


def parse_map_option(text: str | None, *, path: str | Path | None = None) -> dict[str, str]:
    """Parse ``case=order_id,activity=act`` into ``{"case": "order_id", "activity": "act"}``.

    Column names may contain spaces and Chinese characters; a value may be quoted. Unknown roles and
    malformed pairs raise :class:`InputError` listing the valid roles.
    """
    if text is None or not text.strip():
        return {}
    result: dict[str, str] = {}
    for part in _split_pairs(text):
        if "=" not in part:
            raise InputError(
                path,
                f"--map entry {part!r} is not of the form role=column",
                hint=f"Write e.g. --map case=order_id,activity=step. Roles: {', '.join(MAP_ROLES)}.",
            )
        role, _, column = part.partition("=")
        role = role.strip().lower()
        column = column.strip().strip("'\"")
        if role not in MAP_ROLES:
            raise InputError(
                path,
                f"--map names unknown role {role!r}.{did_you_mean(role, MAP_ROLES)}",
                hint=f"Valid roles: {', '.join(MAP_ROLES)}.",
            )
        if not column:
            raise InputError(
                path, f"--map role {role!r} has no column name", hint="Write role=column, e.g. --map end=完成时间."
            )
        result[role] = column
    return result


def _split_pairs(text: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    quote: str | None = None
    for ch in text:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            buf.append(ch)
        elif ch in ",;":
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


def resolve_mapping(
    headers: Iterable[str],
    user: Mapping[str, str] | None = None,
    *,
    path: str | Path | None = None,
    infer_case: bool = False,
) -> dict[str, str]:
    """Combine the user's mapping with the guess for the other roles and check the result.

    With ``infer_case`` a missing case column is not an error (as long as activity and end are found): the
    caller infers it from the data (:func:`procopt.log.infer.infer_case_column`).

    Raises:
        InputError: a user-named column does not exist (lists the columns, suggests the closest), or a
            required role (case, activity, end) has no column.
    """
    names = [str(h) for h in headers]
    user = dict(user or {})
    for role, column in user.items():
        if role not in MAP_ROLES:
            raise InputError(
                path,
                f"unknown mapping role {role!r}.{did_you_mean(role, MAP_ROLES)}",
                hint=f"Valid roles: {', '.join(MAP_ROLES)}.",
            )
        if column not in names:
            folded = {normalise_header(n): n for n in names}
            if normalise_header(column) in folded:  # forgiving about case and separators
                user[role] = folded[normalise_header(column)]
                continue
            raise InputError(
                path,
                f"--map {role}={column}: there is no column {column!r}.{did_you_mean(column, names)}",
                hint=f"Columns found: {_list(names)}.",
            )
    taken = set(user.values())
    guessed = guess_mapping([n for n in names if n not in taken])
    mapping = {**{r: c for r, c in guessed.items() if r not in user}, **user}
    missing = [r for r in REQUIRED_ROLES if r not in mapping]
    if infer_case and missing == ["case"]:
        missing = []
    if missing:
        roles = " and ".join(repr(r) for r in missing)
        examples = ",".join(f"{r}={_example(r)}" for r in missing)
        raise InputError(
            path,
            f"cannot find the {roles} column{'s' if len(missing) > 1 else ''} of the event log",
            hint=f"Columns found: {_list(names)}. Name them with --map, e.g. --map {examples}.",
        )
    return {role: mapping[role] for role in MAP_ROLES if role in mapping}


def how_guessed(role: str, header: str) -> str | None:
    """A sentence saying how a guessed column was recognised, when the name alone is not self-evident.

    Only business-object names (``ticket`` as the case id) and new timestamp words (``completion``) are
    explained; ``case_id`` or ``timestamp`` need no explanation.
    """
    key = normalise_header(header)
    objects = {normalise_header(f"{o}{s}") for o in BUSINESS_OBJECTS for s in OBJECT_SUFFIXES}
    if role == "case" and key in objects - {normalise_header(n) for n in _CASE_NAMES}:
        return f"by name: {header!r} names the business object each case follows"
    if role == "end" and key in ("complete", "completion", "completed", "completed_at", "completion_timestamp"):
        return f"by name: {header!r} is the completion time of each event"
    return None


def _example(role: str) -> str:
    return {"case": "order_id", "activity": "step", "end": "end_time"}.get(role, "column")


def _list(names: list[str], limit: int = 40) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" … ({len(names)} in all)" if len(names) > limit else "")
