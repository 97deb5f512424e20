"""score_logs: zero for a log against itself, known answers on tiny logs, grows with perturbation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procopt.fidelity import METRIC_KEYS, score_logs
from procopt.log import columns as C

T0 = pd.Timestamp("2024-03-04 08:00")  # a Monday


def _case_log(
    traces: list[tuple[str, list[str], float]],
    *,
    t0: pd.Timestamp = T0,
    step_h: float = 1.0,
    gap_h: float = 24.0,
    due_h: float | None = None,
) -> pd.DataFrame:
    """Each trace: (case id, activities, duration of each activity in hours); cases start gap_h apart."""
    rows = []
    for i, (case, acts, dur_h) in enumerate(traces):
        t = t0 + pd.Timedelta(hours=i * gap_h)
        first = t
        for act in acts:
            end = t + pd.Timedelta(hours=dur_h)
            row = {"case": case, "activity": act, "start": t, "end": end}
            if due_h is not None:
                row["due"] = first + pd.Timedelta(hours=due_h)
            rows.append(row)
            t = end + pd.Timedelta(hours=step_h - dur_h) if step_h > dur_h else end
    return C.make_events(rows)


def _random_log(seed: int, n_cases: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    acts = ["接单", "审批", "Check Credit", "Ship"]
    rows = []
    t = T0
    for i in range(n_cases):
        t = t + pd.Timedelta(hours=float(rng.exponential(5)))
        s = t
        for a in acts[: int(rng.integers(2, 5))]:
            e = s + pd.Timedelta(hours=float(rng.gamma(2, 1.5)))
            rows.append({"case": f"o{i}", "activity": a, "start": s, "end": e, "due": t + pd.Timedelta(hours=12)})
            s = e + pd.Timedelta(hours=float(rng.exponential(2)))
    return C.make_events(rows)


def test_identical_logs_score_zero() -> None:
    log = _random_log(1)
    scores = score_logs(log, [log, log.copy()], due_available=True)
    assert set(scores) == set(METRIC_KEYS)
    for key in METRIC_KEYS:
        assert scores[key] == pytest.approx(0.0, abs=1e-12), key


def test_known_answers() -> None:
    real = _case_log([("a", ["A", "B", "C"], 1.0)] * 1)
    swapped = _case_log([("a", ["A", "C", "B"], 1.0)])
    # 3-grams with padding: 5 per trace, only (-,-,A) shared -> (4 + 4) / 10
    assert score_logs(real, [swapped], due_available=False)["ngd"] == pytest.approx(0.8)
    slow = _case_log([("a", ["A", "B", "C"], 2.0)])
    s = score_logs(real, [slow], due_available=False)
    assert s["ctd_hours"] == pytest.approx(3.0)  # 3 h vs 6 h cycle time
    assert s["lead_time_mean_rel_error"] == pytest.approx(1.0)
    shifted = _case_log([("a", ["A", "B", "C"], 1.0)], t0=T0 + pd.Timedelta(hours=10))
    s = score_logs(real, [shifted], due_available=False)
    assert s["aed_hours"] == pytest.approx(10.0)  # every instant 10 hours later
    assert s["ced_hours"] == pytest.approx(10.0 / 7)  # same weekday, 10 h later; other 6 weekdays empty -> 0
    assert s["red_hours"] == pytest.approx(0.0)
    assert s["ctd_hours"] == pytest.approx(0.0)
    assert s["ngd"] == pytest.approx(0.0)


def test_average_over_simulated_logs() -> None:
    real = _case_log([("a", ["A", "B"], 1.0)])
    slower = [_case_log([("a", ["A", "B"], d)]) for d in (2.0, 3.0)]
    s = score_logs(real, slower, due_available=False)
    assert s["ctd_hours"] == pytest.approx((2.0 + 4.0) / 2)


def test_distances_grow_with_perturbation() -> None:
    real = _random_log(3)
    previous = dict.fromkeys(("aed_hours", "red_hours", "ctd_hours", "lead_time_mean_rel_error"), -1.0)
    for factor in (1.0, 1.5, 2.5, 4.0):
        sim = real.copy()
        # stretch every case around its own start: durations and waits grow by `factor`
        first = sim.groupby(C.CASE)[C.START].transform("min")
        sim[C.START] = first + (sim[C.START] - first) * factor
        sim[C.END] = first + (sim[C.END] - first) * factor
        s = score_logs(real, [sim], due_available=False)
        for key in previous:
            assert s[key] >= previous[key], (key, factor)
            previous[key] = s[key]
    assert previous["ctd_hours"] > 5


def test_ngd_grows_with_routing_noise() -> None:
    real = _random_log(4)
    rng = np.random.default_rng(0)
    last = -1.0
    for share in (0.0, 0.3, 0.7):
        sim = real.copy()
        flip = rng.random(len(sim)) < share
        sim.loc[flip, C.ACTIVITY] = "Rework 返工"
        ngd = score_logs(real, [sim], due_available=False)["ngd"]
        assert ngd > last
        last = ngd
    assert 0.3 < last <= 1.0


def test_delivery_rate_error() -> None:
    real = _case_log([("a", ["A"], 1.0), ("b", ["A"], 3.0)], due_h=2.0)  # a on time, b late -> 50 %
    sim = _case_log([("a", ["A"], 1.0), ("b", ["A"], 1.0)], due_h=2.0)  # both on time -> 100 %
    s = score_logs(real, [sim], due_available=True)
    assert s["delivery_rate_error"] == pytest.approx(0.5)
    assert score_logs(real, [sim], due_available=False)["delivery_rate_error"] is None
    no_due = sim.assign(**{C.DUE: pd.NaT})
    assert score_logs(real, [no_due], due_available=True)["delivery_rate_error"] is None


def test_completion_only_log_uses_end_times() -> None:
    real = _random_log(5).assign(**{C.START: pd.NaT})
    sim = _random_log(5)  # has starts; compared on completions only because the real log has none
    s = score_logs(real, [sim], due_available=False)
    assert s["aed_hours"] == pytest.approx(0.0) and s["ctd_hours"] == pytest.approx(0.0)
    with_starts = score_logs(real, [sim], due_available=False, use_start=True)
    assert with_starts["ctd_hours"] > 0  # the simulated first activity's duration would count


def test_empty_simulated_log() -> None:
    real = _random_log(6)
    s = score_logs(real, [real.iloc[0:0]], due_available=False)
    assert s["ngd"] == 1.0 and s["ctd_hours"] is None


def test_sampling_is_deterministic() -> None:
    real, sim = _random_log(7, 80), _random_log(8, 80)
    a = score_logs(real, [sim], due_available=False, max_cases=30, seed=3)
    b = score_logs(real, [sim], due_available=False, max_cases=30, seed=3)
    assert a == b


def test_delivery_activity_and_date_only() -> None:
    def log(ship_b_h: float) -> pd.DataFrame:
        rows = []
        for case, ship_h in (("a", 2.0), ("b", ship_b_h), ("c", None)):
            due = T0.normalize() + pd.Timedelta(days=1)  # a whole-day due date
            rows.append({"case": case, "activity": "下单", "start": T0, "end": T0 + pd.Timedelta(hours=1), "due": due})
            if ship_h is not None:
                rows.append(
                    {
                        "case": case,
                        "activity": "发货",
                        "start": T0 + pd.Timedelta(hours=ship_h - 1),
                        "end": T0 + pd.Timedelta(hours=ship_h),
                        "due": due,
                    }
                )
            rows.append(
                {
                    "case": case,
                    "activity": "Invoice",
                    "start": T0 + pd.Timedelta(hours=80),
                    "end": T0 + pd.Timedelta(hours=81),
                    "due": due,
                }
            )
        return C.make_events(rows)

    # b ships 14:00 on the due day: on time (due dates are whole days); c never ships and is left out
    real, sim = log(30.0), log(60.0)  # in sim, b ships the day after: late
    s = score_logs(real, [sim], due_available=True, delivery_activity="发货")
    assert s["delivery_rate_error"] == pytest.approx(0.5)
    # by last completion (Invoice at +81 h) every case is late on both sides
    assert score_logs(real, [sim], due_available=True)["delivery_rate_error"] == pytest.approx(0.0)
