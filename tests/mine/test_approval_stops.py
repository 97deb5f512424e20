"""Cases that stop right after an approval: a rejection only when the stop is real and unusual."""

from __future__ import annotations

from datetime import datetime, timedelta

from procopt.log.columns import make_events
from procopt.mine import MineOptions, mine
from procopt.mine import approvals as A

T0 = datetime(2024, 1, 1, 9)


def _log(
    n: int = 100, stop_every: int = 10, stop_day: int | None = None, *, invert: bool = False
) -> list[dict[str, object]]:
    """One case a day: Enter -> Approve -> Ship (4 h apart). Every ``stop_every``-th case stops after
    Approve (``invert``: all other cases stop); the stopped cases start on day ``stop_day`` when given."""
    rows: list[dict[str, object]] = []
    for i in range(n):
        stops = (i % stop_every == 0) != invert
        day = stop_day if stops and stop_day is not None else i
        t = T0 + timedelta(days=day)
        steps = ["Enter", "Approve"] + ([] if stops else ["Ship"])
        for k, act in enumerate(steps):
            end = t + timedelta(hours=4 * k + 1)
            rows.append({"case": f"c{i:03d}", "activity": act, "start": end - timedelta(minutes=30), "end": end})
    return rows


def _approve(rows: list[dict[str, object]]) -> A.ApprovalVerdict:
    result = mine(make_events(rows), MineOptions(discover_model=False))
    return next(v for v in result.approvals if v.activity == "Approve")


def test_stop_long_before_log_end_counts_as_rejection() -> None:
    verdict = _approve(_log())
    assert verdict.rejections == 10
    assert verdict.stopped_cases == 10 and verdict.open_cases == 0
    assert "10 case(s) end right after it long before the log ends and count as rejections" in verdict.reason


def test_stop_near_log_end_may_still_be_running_and_is_not_counted() -> None:
    # the 10 stopped cases all start on the last day: they may be cut by the extraction window
    verdict = _approve(_log(stop_day=99))
    assert verdict.rejections == 0
    assert verdict.stopped_cases == 0 and verdict.open_cases == 10
    assert "may still be running" in verdict.reason
    assert verdict.verdict == "candidate_for_removal"


def test_approval_that_usually_ends_the_case_is_completion_not_rejection() -> None:
    # 'Approve' ends 2 of every 3 cases (long before the log end): it is the process's usual last step
    verdict = _approve(_log(n=90, stop_every=3, invert=True))
    assert verdict.rejections == 0
    assert verdict.stopped_cases == 0
    assert "usual last step" in verdict.reason


def test_next_step_after_approval_is_never_a_stop() -> None:
    verdict = _approve([r for r in _log(stop_every=10**6) if r["case"] != "c000"])  # only c000 stops: drop it
    assert verdict.rejections == 0 and verdict.stopped_cases == 0 and verdict.open_cases == 0
    assert "end right after" not in verdict.reason
