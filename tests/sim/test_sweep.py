"""Sweeps: --vary parsing, the knee, a sweep over a single-server queue with a known answer, and the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from procopt.cli import main
from procopt.errors import ScenarioError
from procopt.model.types import (
    WEEKDAYS,
    Activity,
    Arrivals,
    Branch,
    Calendar,
    Decision,
    Distribution,
    DuePolicy,
    Pool,
    Routing,
    SimulationModel,
)
from procopt.sim.sweep import find_knee, parse_vary, run_sweep, sweep_grid

POOL = "审批组"


def queue_model(*, orders_per_hour: float = 0.5, service_h: float = 1.0, servers: int = 1) -> SimulationModel:
    """One approval step (exponential, ``service_h`` mean) at a pool of ``servers``, open 24/7, Poisson arrivals.

    With 1 server the utilisation is ``orders_per_hour * service_h``: 0.5 as calibrated, 1.0 at scale 2.
    Due date: 8 hours after arrival.
    """
    return SimulationModel(
        arrivals=Arrivals(dict.fromkeys(WEEKDAYS, (orders_per_hour,) * 24)),
        activities={"审批": Activity("审批", POOL, Distribution("exponential", {"mean_s": service_h * 3600}))},
        pools={POOL: Pool(POOL, servers, "24/7", ("张敏",)), "Sales": Pool("Sales", None, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=Routing((Decision("START", (Branch({"审批": 1.0}),)), Decision("审批", (Branch({"END": 1.0}),)))),
        due=DuePolicy("sla", sla_s=8 * 3600.0),
    )


# --- parsing -------------------------------------------------------------------------------------------


def test_parse_ranges_and_lists() -> None:
    assert parse_vary("arrivals.scale=1.0:1.5:0.05").values == (
        1.0,
        1.05,
        1.1,
        1.15,
        1.2,
        1.25,
        1.3,
        1.35,
        1.4,
        1.45,
        1.5,
    )
    assert parse_vary("arrivals.scale=1, 1.2,1.5").values == (1.0, 1.2, 1.5)
    v = parse_vary(f"capacity.{POOL}=0:3:1", pools=[POOL])
    assert (v.target, v.key, v.mode, v.values) == ("capacity", POOL, "add", (0.0, 1.0, 2.0, 3.0))
    s = parse_vary("capacity.Finance (Check Credit).set=2:4:1", pools=["Finance (Check Credit)"])
    assert (s.key, s.mode, s.values) == ("Finance (Check Credit)", "set", (2.0, 3.0, 4.0))


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 300), st.integers(0, 60), st.integers(1, 50))
def test_range_is_inclusive_and_evenly_spaced(start_c: int, n: int, step_c: int) -> None:
    start, step = start_c / 100, step_c / 100
    stop = start + n * step
    values = parse_vary(f"arrivals.scale={start}:{stop:.2f}:{step}").values
    assert len(values) == n + 1
    assert values[0] == pytest.approx(start) and values[-1] == pytest.approx(stop)
    assert all(b - a == pytest.approx(step) for a, b in zip(values, values[1:], strict=False))


def test_grid_is_the_cartesian_product() -> None:
    grid = sweep_grid([parse_vary("arrivals.scale=1,2"), parse_vary(f"capacity.{POOL}=0:1:1")])
    assert grid == [
        {"arrival_scale": 1.0, f"capacity_add:{POOL}": 0.0},
        {"arrival_scale": 1.0, f"capacity_add:{POOL}": 1.0},
        {"arrival_scale": 2.0, f"capacity_add:{POOL}": 0.0},
        {"arrival_scale": 2.0, f"capacity_add:{POOL}": 1.0},
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("arrivals.scale", "missing '=' between the parameter and its values"),
        ("arrivals.scale=", "no values given for 'arrivals.scale'"),
        ("arrivals.scale=1.5:1.0:0.1", "the range runs backwards (1.5 to 1.0)"),
        ("arrivals.scale=1:2:0", "the step must be positive, got 0"),
        ("arrivals.scale=1:2:-0.1", "the step must be positive, got -0.1"),
        ("arrivals.scale=a:b:c", "cannot read 'a:b:c' as start:stop:step or as a comma-separated list of numbers"),
        ("arrivals.scale=1:1000:1", "the range has 1000 values (at most 400)"),
        ("arrivals.scale=0:1:0.5", "arrival scale factors must be positive"),
        ("arrivals.scale=1,1", "a value is listed twice"),
        ("arivals.scale=1:2:1", "unknown sweep parameter 'arivals.scale'. Did you mean 'arrivals.scale'?"),
        ("capacity.审批=0:2:1", "unknown pool '审批'. Did you mean '审批组'?"),
        (f"capacity.{POOL}=0:1:0.5", "capacity values must be whole numbers of people"),
        (f"capacity.{POOL}=-1:1:1", "capacity.<pool> adds people: values must be 0 or more"),
        (f"capacity.{POOL}.set=0:2:1", "a pool needs at least 1 person"),
    ],
)
def test_bad_vary_specs(spec: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_vary(spec, pools=[POOL, "Sales"])
    assert message in str(info.value)
    assert str(info.value).startswith(f"--vary {spec!r}: ")
    assert info.value.hint


# --- knee ------------------------------------------------------------------------------------------------


def _row(per_week: float, rate: float | None, p90: float, stable: bool = True) -> dict[str, object]:
    return {"orders_per_week": per_week, "delivery_rate": rate, "lead_time_p90_h": p90, "stable": stable}


def test_knee_known_answer_and_sentence() -> None:
    rows = [_row(130, 0.40, 300, False), _row(100, 0.95, 20), _row(110, 0.93, 24), _row(120, 0.85, 60)]
    knee = find_knee(rows, tolerance=0.05, today_per_week=100)
    assert (knee.knee_per_week, knee.next_per_week, knee.unstable_from_per_week) == (110, 120, 130)
    assert knee.sentence() == (
        "Up to about 110 orders/week (+10% vs today's 100/week) on-time delivery holds at 93%; "
        "at 120/week it drops to 85%, and from 130/week the queues grow without bound."
    )


def test_knee_without_due_dates_uses_p90_lead_time() -> None:
    rows = [_row(100, None, 20), _row(110, None, 24), _row(120, None, 26), _row(130, None, 60)]
    knee = find_knee(rows, lead_time_growth=0.25)
    assert knee.criterion == "lead_time_p90_h" and knee.knee_per_week == 110  # 26 h > 20 h * 1.25
    assert "P90 lead time" in knee.sentence()


def test_knee_when_nothing_holds_and_when_everything_holds() -> None:
    assert find_knee([_row(100, 0.2, 500, False), _row(120, 0.1, 900, False)]).knee_per_week is None
    assert "does not hold" in find_knee([_row(100, 0.2, 500, False)]).sentence()
    knee = find_knee([_row(100, 0.99, 5), _row(120, 0.98, 6)])
    assert knee.knee_per_week == 120 and knee.sentence().endswith("the whole range swept holds.")


# --- a sweep with a known answer -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def queue_sweep():  # type: ignore[no-untyped-def]
    model = queue_model()
    varies = [parse_vary("arrivals.scale=1.0:2.4:0.35", pools=list(model.pools))]  # rho 0.5, 0.675, ... 1.2
    return run_sweep(model, varies, replications=3, days=60, warmup_days=7, seed=5, workers=1)


def test_sweep_on_a_single_server_queue(queue_sweep) -> None:  # type: ignore[no-untyped-def]
    rows = queue_sweep.rows
    assert [r["arrival_scale"] for r in rows] == [1.0, 1.35, 1.7, 2.05, 2.4]
    assert [r["orders_per_week"] for r in rows] == pytest.approx([84.0 * s for s in (1.0, 1.35, 1.7, 2.05, 2.4)])
    # M/M/1 at rho = 0.5: P(sojourn > 8 h) = exp(-(1 - rho) * 8) = 1.8 %
    assert rows[0]["delivery_rate"] == pytest.approx(1 - math.exp(-0.5 * 8), abs=0.03)
    assert rows[0]["stable"] and rows[1]["stable"]
    assert not rows[-1]["stable"]  # rho = 1.2: the queue grows without bound
    rates = [r["delivery_rate"] for r in rows]
    assert rates == sorted(rates, reverse=True) and rates[-1] < 0.5
    knee = queue_sweep.knees[0]
    assert knee.today_per_week == pytest.approx(84.0)
    assert 84.0 <= knee.knee_per_week < 84.0 * 2.05


def test_sweep_is_deterministic(queue_sweep) -> None:  # type: ignore[no-untyped-def]
    model = queue_model()
    again = run_sweep(
        model, [parse_vary("arrivals.scale=1.0:2.4:0.35")], replications=3, days=60, warmup_days=7, seed=5, workers=1
    )
    assert again.rows == queue_sweep.rows


def test_extra_capacity_moves_the_knee() -> None:
    model = queue_model(orders_per_hour=0.8)  # rho 0.8 today with one person
    varies = [parse_vary("arrivals.scale=1.0,1.5"), parse_vary(f"capacity.{POOL}=0:1:1", pools=list(model.pools))]
    result = run_sweep(model, varies, replications=2, days=40, warmup_days=5, seed=2, workers=1)
    by = {(r["arrival_scale"], r[f"capacity_add:{POOL}"]): r for r in result.rows}
    assert not by[(1.5, 0.0)]["stable"] and by[(1.5, 1.0)]["stable"]
    assert by[(1.5, 1.0)]["delivery_rate"] > by[(1.5, 0.0)]["delivery_rate"] + 0.3
    assert {k.group for k in result.knees} == {f"+0 in {POOL}", f"+1 in {POOL}"}


# --- CLI ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from procopt.model.io import save_model

    return save_model(queue_model(), tmp_path_factory.mktemp("m") / "model.yaml")


def test_cli_writes_csv_chart_and_says_the_knee(model_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = CliRunner().invoke(
        main,
        [
            "sweep",
            str(model_file),
            "--vary",
            "arrivals.scale=1.0:2.0:0.5",
            "--vary",
            f"capacity.{POOL}=0:1:1",
            "--replications",
            "2",
            "--days",
            "40",
            "--warmup-days",
            "5",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "orders/week" in result.output and f"With +1 in {POOL}: " in result.output
    for name in ("sweep.csv", "sweep.json", "sweep.png", "sweep.svg"):
        assert (out / name).stat().st_size > 0
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv = (out / "sweep.csv").read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("scenario,group,arrival_scale,capacity_add:审批组,orders_per_week")
    assert len(csv.splitlines()) == 1 + 6


def test_cli_json(model_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "sweep",
            str(model_file),
            "--vary",
            "arrivals.scale=1,2",
            "--replications",
            "2",
            "--days",
            "30",
            "--warmup-days",
            "5",
            "--workers",
            "1",
            "--out",
            str(tmp_path / "s"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [p["arrival_scale"] for p in doc["points"]] == [1.0, 2.0]
    assert doc["knees"][0]["text"] and set(doc["files"]) == {"sweep.csv", "sweep.json", "sweep.png", "sweep.svg"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--vary", "arrivals.scale=1.5:1.0:0.1"],
            "Error: --vary 'arrivals.scale=1.5:1.0:0.1': the range runs backwards",
        ),
        (["--vary", "capacity.Finance=0:1:1"], "Error: --vary 'capacity.Finance=0:1:1': unknown pool 'Finance'"),
        (["--vary", "capacity.Sales=0:1:1"], "pool 'Sales' has unlimited capacity, so adding people changes nothing"),
        (
            ["--vary", "arrivals.scale=1,2", "--days", "10", "--warmup-days", "14"],
            "Error: --days (10) must be longer than --warmup-days (14)",
        ),
        (["--vary", "arrivals.scale=1,2", "--vary", "arrivals.scale=3"], "the same parameter is varied twice"),
    ],
)
def test_cli_errors_exit_2_without_traceback(model_file: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["sweep", str(model_file), "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Hint:" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_cli_missing_model_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["sweep", str(tmp_path / "nope.yaml"), "--vary", "arrivals.scale=1,2", "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 2 and "file not found" in result.output and "Traceback" not in result.output


def test_chart_is_byte_stable_and_renders_chinese() -> None:
    from procopt.viz.sweep_chart import render_chart

    rows = [
        {
            "group": f"+{c} in {POOL}",
            "orders_per_week": w,
            "delivery_rate": d,
            "delivery_rate_lo": d - 0.1,
            "delivery_rate_hi": d + 0.1,
            "lead_time_p90_h": 10 / d,
            "lead_time_p90_h_lo": 8 / d,
            "lead_time_p90_h_hi": 12 / d,
            "stable": d > 0.5,
        }
        for c in (0, 1)
        for w, d in ((80, 0.95), (100, 0.9 - 0.3 * (1 - c)), (120, 0.8 - 0.5 * (1 - c)))
    ]
    knees = [find_knee([r for r in rows if r["group"] == g], group=g) for g in (f"+0 in {POOL}", f"+1 in {POOL}")]
    png1, svg1 = render_chart(rows, knees, title="订单量 vs 交付")
    png2, svg2 = render_chart(rows, knees, title="订单量 vs 交付")
    assert png1 == png2 and svg1 == svg2
    assert png1[:4] == b"\x89PNG" and "<svg" in svg1
