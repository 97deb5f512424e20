"""Column mapping: header synonyms (English, Chinese, XES), user overrides, helpful errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.errors import InputError
from procopt.log.mapping import (
    MAP_ROLES,
    SYNONYMS,
    guess_mapping,
    normalise_header,
    parse_map_option,
    resolve_mapping,
)

SAMPLE_EN = [
    "order_id",
    "activity",
    "start_time",
    "end_time",
    "user",
    "department",
    "order_value",
    "region",
    "product",
    "customer",
    "promised_date",
]
SAMPLE_ZH = ["订单号", "活动", "开始时间", "结束时间", "操作员", "部门", "订单金额", "区域", "产品", "客户", "承诺交期"]
SAMPLE_P2P = [
    "requisition_id",
    "activity",
    "lifecycle",
    "timestamp",
    "resource",
    "department",
    "amount",
    "supplier",
    "category",
    "need_by_date",
]


def test_sample_o2c_headers_map_completely() -> None:
    assert guess_mapping(SAMPLE_EN) == {
        "case": "order_id",
        "activity": "activity",
        "start": "start_time",
        "end": "end_time",
        "resource": "user",
        "department": "department",
        "due": "promised_date",
    }


def test_chinese_sample_headers_map_completely() -> None:
    assert guess_mapping(SAMPLE_ZH) == {
        "case": "订单号",
        "activity": "活动",
        "start": "开始时间",
        "end": "结束时间",
        "resource": "操作员",
        "department": "部门",
        "due": "承诺交期",
    }


def test_p2p_lifecycle_headers_map() -> None:
    assert guess_mapping(SAMPLE_P2P) == {
        "case": "requisition_id",
        "activity": "activity",
        "end": "timestamp",
        "resource": "resource",
        "department": "department",
        "due": "need_by_date",
        "lifecycle": "lifecycle",
    }


def test_xes_names_win_over_lookalikes() -> None:
    headers = [
        "case_concept_name",
        "event_concept_name",
        "case:concept:name",
        "concept:name",
        "time:timestamp",
        "event_org_resource",
        "org:group",
        "lifecycle:transition",
        "start_timestamp",
    ]
    got = guess_mapping(headers)
    assert got["case"] == "case:concept:name"
    assert got["activity"] == "concept:name"
    assert got["end"] == "time:timestamp"
    assert got["start"] == "start_timestamp"
    assert got["resource"] == "event_org_resource"
    assert got["department"] == "org:group"
    assert got["lifecycle"] == "lifecycle:transition"


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Case ID", "case"),
        ("CaseID", "case"),
        ("单据编号", "case"),
        ("单号", "case"),
        ("操作", "activity"),
        ("步骤", "activity"),
        ("Activity", "activity"),
        ("完成时间", "end"),
        ("Complete Timestamp", "end"),
        ("complete_timestamp", "end"),
        ("时间", "end"),
        ("处理人", "resource"),
        ("dept", "department"),
        ("交期", "due"),
        ("need_by_date", "due"),
        ("ＯＲＤＥＲ＿ＩＤ", "case"),  # full-width letters from a Chinese input method
    ],
)
def test_single_synonym_is_recognised(header: str, role: str) -> None:
    others = {"case": ["x_activity", "when"], "activity": ["order_id"], "end": ["order_id"]}
    got = guess_mapping([header, "other column"])
    assert got.get(role) == header, (header, got, others)


def test_each_column_used_once() -> None:
    got = guess_mapping(["id", "activity", "timestamp", "start", "time"])
    assert len(set(got.values())) == len(got)


def test_parse_map_option() -> None:
    assert parse_map_option("case=order_id, activity=act,end='完成 时间'") == {
        "case": "order_id",
        "activity": "act",
        "end": "完成 时间",
    }
    assert parse_map_option(None) == {}
    assert parse_map_option("") == {}


def test_parse_map_option_unknown_role_suggests() -> None:
    with pytest.raises(InputError, match="unknown role 'actvity'. Did you mean 'activity'"):
        parse_map_option("actvity=step")


def test_parse_map_option_malformed() -> None:
    with pytest.raises(InputError, match="not of the form role=column"):
        parse_map_option("case")


def test_user_mapping_overrides_guess() -> None:
    got = resolve_mapping(["order_id", "act", "end_time", "other"], {"activity": "act"})
    assert got == {"case": "order_id", "activity": "act", "end": "end_time"}


def test_user_mapping_to_missing_column_lists_columns_and_suggests() -> None:
    with pytest.raises(InputError) as info:
        resolve_mapping(["order_id", "activity", "end_time"], {"case": "order_ld"}, path="x.csv")
    assert "there is no column 'order_ld'" in info.value.message
    assert "Did you mean 'order_id'" in info.value.message
    assert "'order_id', 'activity', 'end_time'" in (info.value.hint or "")


def test_missing_required_role_lists_columns() -> None:
    with pytest.raises(InputError) as info:
        resolve_mapping(["order_id", "step_name", "user"], path="x.csv")
    assert "cannot find the 'activity' and 'end' columns" in info.value.message
    assert "Columns found: 'order_id', 'step_name', 'user'" in (info.value.hint or "")


# ---- property tests -------------------------------------------------------------------------------------

_noise = st.text(alphabet="xyzqwk_", min_size=3, max_size=8).map(lambda s: "zz" + s)


def _styled(name: str, style: int) -> str:
    if name.startswith(("case:", "time:", "org:", "lifecycle:")) or name == "concept:name":
        return name
    if style == 1:
        return name.upper()
    if style == 2:
        return name.replace("_", " ").title()
    return name


@settings(max_examples=100, deadline=None)
@given(
    picks=st.fixed_dictionaries({role: st.sampled_from(SYNONYMS[role][:6]) for role in ("case", "activity", "end")}),
    extras=st.lists(_noise, max_size=4, unique=True),
    style=st.integers(0, 2),
    data=st.randoms(use_true_random=False),
)
def test_property_required_roles_found_whatever_the_order(
    picks: dict[str, str], extras: list[str], style: int, data: object
) -> None:
    styled = {role: _styled(name, style) for role, name in picks.items()}
    if len({normalise_header(v) for v in styled.values()}) < 3:
        return  # the same header drawn for two roles
    headers = [*styled.values(), *extras]
    data.shuffle(headers)  # type: ignore[attr-defined]
    got = guess_mapping(headers)
    for role, header in styled.items():
        assert got[role] == header
    assert set(got) <= set(MAP_ROLES)
    assert len(set(got.values())) == len(got)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), max_size=12, unique=True))
def test_property_guess_never_invents_columns(headers: list[str]) -> None:
    got = guess_mapping(headers)
    assert set(got.values()) <= set(headers)
    assert len(set(got.values())) == len(got)
