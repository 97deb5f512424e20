"""Determinism, languages, interventions and errors of ``procopt.generate.generate``."""

from __future__ import annotations

import gzip
from collections import Counter

import pandas as pd
import pytest

from procopt.errors import InputError
from procopt.generate import GeneratedLog, Intervention, generate, load_truth
from procopt.generate.names import ZH_TERMS
from procopt.log import columns as C

FD = "Approve Order (Finance Director)"


def test_same_seed_same_bytes_other_seed_other_log() -> None:
    a = generate("o2c", seed=7, days=21)
    b = generate("o2c", seed=7, days=21)
    c = generate("o2c", seed=8, days=21)
    assert a.to_csv_bytes() == b.to_csv_bytes()
    assert a.truth == b.truth
    assert a.to_csv_bytes() != c.to_csv_bytes()


def test_write_csv_and_gzip_are_deterministic(tmp_path, o2c_zh: GeneratedLog) -> None:
    small = generate("p2p", seed=3, days=30, language="zh")
    p1, p2 = small.write(tmp_path / "a.csv.gz"), small.write(tmp_path / "b.csv.gz")
    assert p1.read_bytes() == p2.read_bytes()
    assert gzip.decompress(p1.read_bytes()) == small.to_csv_bytes()
    back = pd.read_csv(p1, encoding="gb18030")
    assert list(back.columns)[:3] == ["申请单号", "活动", "生命周期"]
    assert "创建采购申请" in set(back["活动"])
    with pytest.raises(InputError, match="unsupported output format"):
        small.write(tmp_path / "x.xlsx")


def test_zh_log_is_the_same_run_in_chinese(o2c_en: GeneratedLog, o2c_zh: GeneratedLog) -> None:
    en, zh = o2c_en.events, o2c_zh.events
    assert len(en) == len(zh)
    for col in (C.CASE, C.START, C.END, C.DUE, C.SOURCE_ROW):
        assert en[col].equals(zh[col])
    assert (en["order_value"] == zh["订单金额"]).all()
    assert (en[C.ACTIVITY].map(ZH_TERMS) == zh[C.ACTIVITY]).all()
    assert set(zh[C.ACTIVITY]) >= {"创建销售订单", "信用检查", "销售经理审批", "财务总监审批", "发货", "修改订单"}
    assert set(zh[C.DEPARTMENT]) == {"销售部", "财务部", "仓储部", "生产部", "质量部", "物流部"}
    assert o2c_zh.raw.columns[0] == "订单号" and o2c_zh.encoding == "gb18030"
    t_en, t_zh = o2c_en.truth, o2c_zh.truth
    assert t_zh.bottleneck_activity == "信用检查" and t_zh.redundant_approval == "财务总监审批"
    assert t_zh.handoff_slowest == ("销售部", "财务部") and t_zh.bottleneck_pool == "信用分析员"
    assert (t_zh.lead_time_mean_h, t_zh.delivery_rate) == (t_en.lead_time_mean_h, t_en.delivery_rate)
    data = o2c_zh.to_csv_bytes()
    data.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_truth_round_trips_through_json(tmp_path, p2p_en: GeneratedLog) -> None:
    path = p2p_en.truth.write(tmp_path / "t.json")
    assert load_truth(path) == p2p_en.truth
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="not a procopt truth file"):
        load_truth(tmp_path / "bad.json")


def test_removing_the_director_saves_at_least_the_batch_wait(
    o2c_en: GeneratedLog, o2c_no_director: GeneratedLog
) -> None:
    base, change = o2c_en.truth, o2c_no_director.truth
    assert FD not in set(o2c_no_director.events[C.ACTIVITY])
    batch_wait = base.measured["wait_mean_h"][FD]
    saved = base.lead_time_mean_h - change.lead_time_mean_h
    # the director's own wait disappears, and orders approved at 16:00 no longer miss the 15:00 truck
    assert saved >= 0.8 * batch_wait
    assert saved <= batch_wait + 24
    assert change.delivery_rate > base.delivery_rate
    # upstream of the change nothing moves (common random numbers)
    assert change.measured["wait_mean_h"]["Check Credit"] == base.measured["wait_mean_h"]["Check Credit"]
    assert change.intervention["remove_activities"] == [FD]


def test_extra_credit_analyst_cuts_credit_waiting(o2c_en: GeneratedLog, o2c_extra_analyst: GeneratedLog) -> None:
    base, change = o2c_en.truth, o2c_extra_analyst.truth
    assert change.pools["Credit Analysts"].size == 3
    assert change.measured["wait_mean_h"]["Check Credit"] < 0.5 * base.measured["wait_mean_h"]["Check Credit"]
    assert change.lead_time_mean_h < base.lead_time_mean_h
    credit = o2c_extra_analyst.events[o2c_extra_analyst.events[C.ACTIVITY] == "Check Credit"]
    assert credit[C.RESOURCE].nunique() == 3
    # same orders: the case attributes are identical
    assert (
        o2c_en.events.groupby(C.CASE)["order_value"]
        .first()
        .equals(o2c_extra_analyst.events.groupby(C.CASE)["order_value"].first())
    )


def test_more_arrivals_keep_the_baseline_orders() -> None:
    base = generate("o2c", seed=2, days=30)
    more = generate("o2c", seed=2, days=30, intervention=Intervention(arrival_scale=1.15))

    def orders(log: GeneratedLog) -> Counter:
        per_case = log.events.groupby(C.CASE)[["order_value", "customer", "product"]].first()
        return Counter(map(tuple, per_case.to_numpy().tolist()))

    b, m = orders(base), orders(more)
    assert not b - m  # every baseline order also arrives in the busier run
    assert 1.05 < sum(m.values()) / sum(b.values()) < 1.3
    assert more.truth.pools["Credit Analysts"].utilisation > base.truth.pools["Credit Analysts"].utilisation


def test_duration_scale_and_chinese_names_in_interventions() -> None:
    iv = Intervention(duration_scale={"信用检查": 0.5}, remove_activities=("财务总监审批",), extra_capacity={"拣货": 1})
    log = generate("o2c", seed=1, days=30, language="zh", intervention=iv)
    assert "财务总监审批" not in set(log.events[C.ACTIVITY])
    assert log.truth.pools["信用分析员"].utilisation < 0.6
    assert log.truth.pools["拣货员"].size == 3  # an activity name stands for the pool doing it


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"intervention": Intervention(remove_activities=("Check Credits",))},
            "unknown activity 'Check Credits' in remove_activities. Did you mean 'Check Credit'?",
        ),
        (
            {"intervention": Intervention(extra_capacity={"Credit Analyst": 1})},
            "unknown pool 'Credit Analyst' in extra_capacity. Did you mean 'Credit Analysts'?",
        ),
        ({"intervention": Intervention(extra_capacity={"Credit Analysts": -1})}, "must be a whole number >= 0"),
        ({"intervention": Intervention(arrival_scale=0)}, "arrival scale must be > 0"),
        ({"intervention": Intervention(duration_scale={"Check Credit": 0})}, "duration scale for 'Check Credit'"),
        ({"days": 5}, "days must be a whole number between 21 and 730"),
        ({"language": "de"}, "unknown language 'de'"),
    ],
)
def test_errors_name_the_problem(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError) as info:
        generate("o2c", **kwargs)
    assert message in str(info.value)


def test_unknown_kind() -> None:
    with pytest.raises(InputError, match="unknown log kind 'o2x'. Did you mean 'o2c'"):
        generate("o2x")  # type: ignore[arg-type]
