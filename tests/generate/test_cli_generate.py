"""``procopt generate``: summary, --json, the shipped samples, and every promised error message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from procopt.cli import main
from procopt.generate import GeneratedLog, load_truth

SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["generate", *args])
    return result.exit_code, result.output


def test_summary_names_the_ground_truth(tmp_path: Path) -> None:
    out, truth = tmp_path / "o.csv", tmp_path / "o.truth.json"
    code, text = run("o2c", "--days", "30", "--out", str(out), "--truth", str(truth))
    assert code == 0, text
    assert "bottleneck:          Check Credit (pool Credit Analysts: 2 people" in text
    assert "redundant approval:  Approve Order (Finance Director) (rejects 0.0%)" in text
    assert "Approve Order (Finance Director) at 16:00; Ship Goods at 10:00, 15:00" in text
    assert f"Truth written to {truth}" in text
    assert out.read_text(encoding="utf-8").startswith("order_id,activity,start_time,end_time,user,department")
    assert load_truth(truth).days == 30


def test_json_output_and_intervention_options(tmp_path: Path) -> None:
    out = tmp_path / "o.csv.gz"
    code, text = run(
        "o2c",
        "--days",
        "30",
        "--seed",
        "3",
        "--remove-activity",
        "Approve Order (Finance Director)",
        "--extra-capacity",
        "Credit Analysts=1",
        "--arrival-scale",
        "1.1",
        "--duration-scale",
        "Pick Goods=0.5",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0, text
    doc = json.loads(text)
    assert doc["out"] == str(out) and out.exists() and doc["truth_path"] is None
    iv = doc["truth"]["intervention"]
    assert iv["remove_activities"] == ["Approve Order (Finance Director)"]
    assert iv["extra_capacity"] == {"Credit Analysts": 1} and iv["arrival_scale"] == 1.1
    assert doc["truth"]["pools"]["Credit Analysts"]["size"] == 3
    assert doc["cases"] > 200
    code, text = run(
        "o2c",
        "--days",
        "30",
        "--remove-activity",
        "Approve Order (Finance Director)",
        "--extra-capacity",
        "Credit Analysts=1",
        "--arrival-scale",
        "1.1",
        "--out",
        str(out),
    )
    assert "changed: without Approve Order (Finance Director); Credit Analysts +1; arrivals x1.1" in text


def test_chinese_summary(tmp_path: Path) -> None:
    code, text = run("p2p", "--days", "30", "--lang", "zh", "--out", str(tmp_path / "p.csv"))
    assert code == 0, text
    assert "发票匹配 (pool 应付账款会计" in text or "发票匹配 (pool 应付会计" in text
    assert (tmp_path / "p.csv").read_bytes().decode("gb18030").startswith("申请单号,活动,生命周期")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--extra-capacity", "Credit Analysts"], "Error: cannot read --extra-capacity 'Credit Analysts'"),
        (["--extra-capacity", "Credit Analysts=one"], "Error: cannot read --extra-capacity 'Credit Analysts=one'"),
        (["--duration-scale", "Pick Goods=fast"], "Error: cannot read --duration-scale 'Pick Goods=fast'"),
        (
            ["--extra-capacity", "Credit Analyst=1"],
            "Error: unknown pool 'Credit Analyst' in extra_capacity. Did you mean 'Credit Analysts'?",
        ),
        (["--remove-activity", "Approve Order"], "Error: unknown activity 'Approve Order' in remove_activities."),
        (["--days", "5"], "Error: days must be a whole number between 21 and 730, got 5"),
        (["--arrival-scale", "0"], "Error: arrival scale must be > 0, got 0.0"),
    ],
)
def test_errors_exit_2_without_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    code, text = run("o2c", *args, "--out", str(tmp_path / "x.csv"))
    assert code == 2
    assert message in text
    assert "Hint:" in text or "Error:" in text
    assert "Traceback" not in text
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.txt"], "x.txt: --out must end in .csv or .csv.gz"),
        (["--out", "x.csv", "--truth", "t.yaml"], "t.yaml: --truth must end in .json"),
    ],
)
def test_bad_output_names(tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(tmp_path / a) if a.startswith(("x.", "t.")) else a for a in args]
    code, text = run("o2c", *args)
    assert code == 2 and message in text and "Traceback" not in text


@pytest.mark.parametrize(
    ("fixture", "name"),
    [("o2c_en", "o2c_orders"), ("o2c_zh", "o2c_orders_zh"), ("p2p_en", "p2p_requisitions")],
)
def test_shipped_samples_reproduce_byte_for_byte(request: pytest.FixtureRequest, fixture: str, name: str) -> None:
    """The commands in sample_logs/README.md regenerate the shipped files exactly."""
    log: GeneratedLog = request.getfixturevalue(fixture)
    assert (SAMPLES / f"{name}.csv").read_bytes() == log.to_csv_bytes()
    assert load_truth(SAMPLES / f"{name}.truth.json") == log.truth
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert f"--out sample_logs/{name}.csv --truth sample_logs/{name}.truth.json" in readme
    assert (SAMPLES / f"{name}.csv").stat().st_size < 3_200_000
    if log.truth.language == "en":  # the README quotes the true KPIs of the English samples
        assert f"**{log.truth.lead_time_mean_h:.1f} h**" in readme
        assert f"**{100 * log.truth.delivery_rate:.1f} %**" in readme


def test_readme_command_writes_the_same_bytes(tmp_path: Path) -> None:
    out, truth = tmp_path / "p2p_requisitions.csv", tmp_path / "p2p_requisitions.truth.json"
    code, text = run("p2p", "--seed", "1", "--days", "120", "--out", str(out), "--truth", str(truth))
    assert code == 0, text
    assert out.read_bytes() == (SAMPLES / "p2p_requisitions.csv").read_bytes()
    assert truth.read_bytes() == (SAMPLES / "p2p_requisitions.truth.json").read_bytes()


@pytest.mark.parametrize(
    ("fixture", "name"),
    [("o2c_zh", "o2c_orders_zh"), ("p2p_en", "p2p_requisitions")],
)
def test_reading_a_sample_gives_the_generators_event_table(
    request: pytest.FixtureRequest, fixture: str, name: str
) -> None:
    """The file and ``GeneratedLog.events`` are the same data: what procopt reads is what the truth describes."""
    read = pytest.importorskip("procopt.log.read")
    log: GeneratedLog = request.getfixturevalue(fixture)
    events = read.read_log(SAMPLES / f"{name}.csv").events.reset_index(drop=True)
    expected = log.events.reset_index(drop=True)
    assert list(events.columns) == list(expected.columns)
    for col in expected.columns:
        assert (events[col].astype(str) == expected[col].astype(str)).all(), col


def test_reading_a_chinese_p2p_log_gives_the_generators_event_table(tmp_path: Path) -> None:
    read = pytest.importorskip("procopt.log.read")
    from procopt.generate import generate

    log = generate("p2p", seed=2, days=30, language="zh")
    events = read.read_log(log.write(tmp_path / "p2p_zh.csv")).events.reset_index(drop=True)
    expected = log.events.reset_index(drop=True)
    assert list(events.columns) == list(expected.columns)
    for col in expected.columns:
        assert (events[col].astype(str) == expected[col].astype(str)).all(), col
