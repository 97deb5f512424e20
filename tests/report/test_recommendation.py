"""The next step recommends an ACTION whose effect is beyond noise; arrival changes are stress tests, ranked apart."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from _data import experiment_of
from click.testing import CliRunner
from conftest import toy_inputs

from procopt.cli import main
from procopt.fidelity.evaluate import FidelityReport
from procopt.model.types import ReplacedComponent, Validation
from procopt.pipeline import arrival_scale
from procopt.report.build import build_report
from procopt.report.inputs import ScenarioInfo
from procopt.scenario import scenario_from_dict


def _run(
    name: str,
    lt_diff: float,
    lt_ci: tuple[float, float],
    dr_diff: float,
    dr_ci: tuple[float, float],
    stable: bool = True,
) -> dict:
    return {
        "scenario": name,
        "cases": 500,
        "lead_time_hours": {"mean": 40.0 + lt_diff},
        "stable": stable,
        "delivery_rate": {"value": 0.8 + dr_diff},
        "kpi_targets": {},
        "vs_baseline": {
            "lead_time_mean_hours": {"diff": lt_diff, "ci95": list(lt_ci)},
            "delivery_rate": {"diff": dr_diff, "ci95": list(dr_ci)},
        },
    }


BASE = {
    "scenario": "baseline",
    "cases": 500,
    "lead_time_hours": {"mean": 40.0},
    "delivery_rate": {"value": 0.8},
    "stable": True,
    "vs_baseline": None,
}
PUSH = ScenarioInfo("combined_fix", "given", "fix + 15 % more orders", arrival_scale=1.15)
ACTIONS = (ScenarioInfo("add_analyst", "given"), ScenarioInfo("drop_approval", "proposed", "passes everything"))


def _report(runs: list[dict], scenarios: tuple[ScenarioInfo, ...], language: str = "en"):
    return build_report(replace(toy_inputs(language), experiment=experiment_of([BASE, *runs]), scenarios=scenarios))


def test_a_volume_push_is_a_stress_test_not_the_recommendation() -> None:
    runs = [
        _run("combined_fix", -20.0, (-25.0, -15.0), 0.20, (0.15, 0.25)),  # best numbers, but it adds 15 % volume
        _run("add_analyst", -10.0, (-14.0, -6.0), 0.05, (-0.01, 0.11)),  # lead-time CI excludes zero
        _run("drop_approval", -1.0, (-3.0, 1.0), 0.08, (-0.02, 0.18)),
    ]  # both CIs include zero
    report = _report(runs, (PUSH, *ACTIONS))
    facts = report.facts
    assert facts["options_ranked"] == ["drop_approval", "add_analyst"]  # ranked by delivery-rate gain
    assert facts["recommended_option"] == "add_analyst"  # the best one clearly beyond noise
    assert [s["name"] for s in facts["stress_tests"]] == ["combined_fix"]
    next_step = report.sections[0].bullets[-1]
    assert 'pilot "add_analyst"' in next_step and "combined_fix" not in next_step
    assert any('"add_analyst"' in f for f in report.top_findings)
    options = {s.key: s for s in report.sections}["options"]
    stress_para = next(p for p in options.paragraphs if "Stress tests" in p)
    assert 'under +15% volume, "combined_fix" changes lead time by -20.0 h [-25.0, -15.0]' in stress_para
    tables = {t.name: t for t in options.tables}
    observed, baseline = "observed (real cases)", "simulated baseline"
    assert [r[1] for r in tables["options"].rows] == [observed, baseline, "drop_approval", "add_analyst"]
    assert [r[1] for r in tables["stress_tests"].rows] == [observed, baseline, "combined_fix"]
    assert [r["label"] for r in options.figures[0].data["rows"]] == ["drop_approval", "add_analyst"]


def test_no_action_beyond_noise_is_said_plainly() -> None:
    runs = [
        _run("add_analyst", -3.0, (-8.0, 2.0), 0.02, (-0.03, 0.07)),
        _run("drop_approval", -1.0, (-3.0, 1.0), 0.01, (-0.02, 0.04)),
    ]
    report = _report(runs, ACTIONS)
    assert report.facts["recommended_option"] is None
    step = report.sections[0].bullets[-1]
    assert "no action's effect is clearly beyond the simulation's noise" in step and '"add_analyst"' in step
    zh = _report(runs, ACTIONS, "zh").sections[0].bullets[-1]
    assert "没有一项改进措施的效果明显超出仿真误差" in zh and "add_analyst" in zh


def test_only_stress_tests_means_nothing_to_pilot() -> None:
    report = _report([_run("combined_fix", -20.0, (-25.0, -15.0), 0.2, (0.15, 0.25))], (PUSH,))
    assert report.facts["options_ranked"] == [] and report.facts["recommended_option"] is None
    assert "only stress tests" in report.sections[0].bullets[-1]


def test_an_unstable_stress_test_says_queues_grow() -> None:
    runs = [
        _run("combined_fix", 300.0, (250.0, 350.0), -0.5, (-0.6, -0.4), stable=False),
        _run("add_analyst", -10.0, (-14.0, -6.0), 0.05, (0.01, 0.11)),
    ]
    report = _report(runs, (PUSH, *ACTIONS), "zh")
    assert report.facts["stress_tests"][0]["sentence"] == "业务量 +15% 时，“combined_fix”不稳定：队列无限增长"
    assert "在region = South试点“add_analyst”" in report.sections[0].bullets[-1]


def test_arrival_scale_of_scenarios() -> None:
    push = scenario_from_dict(
        {"name": "p", "changes": [{"arrivals": {"scale": 1.15}}, {"capacity": {"activity": "A", "add": 1}}]}
    )
    assert arrival_scale(push) == pytest.approx(1.15)
    assert arrival_scale(scenario_from_dict({"name": "q", "changes": [{"remove_activity": "A"}]})) is None


def test_chinese_console_summary(toy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "zh"
    result = CliRunner().invoke(
        main, ["report", str(toy_csv), "--no-simulation", "--lang", "zh", "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert f"报告已写入 {out / 'report.html'}" in text and "主要发现：" in text and "建议的下一步" in text
    assert "[1/8] 读取 toy_orders.csv" in text
    for english in ("Report written", "Top findings", "Recommended next step", "reading", "Note:"):
        assert english not in text


def _checked(verdict: str) -> dict[str, Any]:
    """The held-out check as the pipeline hands it to the report: scorecards and verdict, typed."""
    scorecards = FidelityReport(
        procopt={"lead_time_mean_rel_error": 2.7, "ctd_hours": 283.0},
        naive={"lead_time_mean_rel_error": 0.5, "ctd_hours": 57.0},
        train_cases=400,
        test_cases=100,
        runs=10,
    )
    validation = Validation(
        verdict=verdict,
        runs=10,
        reason="behind the naive model on CTD 283.0 h vs naive 57.0 h (spread 20.0 h)",
        replaced=(ReplacedComponent("extra_delays", "none", "x"),),
        advice=("a start-time column",),
    )
    return {"fidelity": scorecards, "validation": validation}


def test_a_model_worse_than_naive_ranks_options_but_recommends_no_pilot() -> None:
    runs = [_run("add_analyst", -10.0, (-14.0, -6.0), 0.05, (0.01, 0.11))]
    inputs = replace(toy_inputs("en"), experiment=experiment_of([BASE, *runs]), scenarios=ACTIONS, **_checked("worse"))
    report = build_report(inputs)
    assert report.facts["options_ranked"] == ["add_analyst"]
    assert report.facts["recommended_option"] is None and report.facts["model_verdict"] == "worse"
    step = report.sections[0].bullets[-1]
    assert "do not plan a pilot" in step and "a start-time column" in step and 'pilot "add_analyst"' not in step
    warning = report.sections[0].bullets[-2]
    assert warning.startswith("WARNING") and "WORSE than a naive baseline" in warning
    assert "extra_delays → none" in warning
    options = {s.key: s for s in report.sections}["options"]
    assert any(p.startswith("WARNING") for p in options.paragraphs)
    zh = build_report(replace(inputs, language="zh"))
    assert zh.facts["recommended_option"] is None and "警告" in zh.sections[0].bullets[-2]


def test_a_model_better_than_naive_keeps_its_recommendation() -> None:
    runs = [_run("add_analyst", -10.0, (-14.0, -6.0), 0.05, (0.01, 0.11))]
    inputs = replace(toy_inputs("en"), experiment=experiment_of([BASE, *runs]), scenarios=ACTIONS, **_checked("better"))
    report = build_report(inputs)
    assert report.facts["recommended_option"] == "add_analyst"
    assert report.sections[0].bullets[-2].startswith("Model check: on a held-out part")


def test_an_option_that_only_made_things_worse_is_not_the_best_option() -> None:
    # mobis travel expenses: every proposed option lengthened the lead time or changed nothing, and the summary
    # still said 'Best simulated option "More releases ...": mean lead time +5.6 h'.
    runs = [
        _run("add_analyst", 0.0, (0.0, 0.0), 0.0, (0.0, 0.0)),
        _run("drop_approval", 5.6, (-20.2, 31.3), -0.01, (-0.05, 0.03)),
    ]
    report = _report(runs, ACTIONS)
    assert report.facts["recommended_option"] is None
    assert not any("Best simulated option" in f for f in report.top_findings), report.top_findings


def test_work_filling_the_lead_time_is_not_reported_as_only_so_much_processing() -> None:
    # mobis: "Only 100.0% of the lead time (21.5 h on the main path) is processing; the rest is waiting."
    inputs = replace(toy_inputs("en"), experiment=None)  # no options: the third finding is the value stream's
    vs = inputs.mined.value_stream
    assert vs is not None
    busy = replace(inputs, mining=replace(inputs.mined, value_stream=replace(vs, value_added_ratio=1.0)))
    assert not any("of the lead time" in f for f in build_report(busy).top_findings)
    idle = replace(inputs, mining=replace(inputs.mined, value_stream=replace(vs, value_added_ratio=0.1)))
    assert any("Only 10.0% of the lead time" in f for f in build_report(idle).top_findings)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_baseline_without_options_does_not_say_no_simulation_was_run(language: str) -> None:
    # traffic fines: the report simulated the baseline but had no option to compare, and said "No simulation
    # was run" and "run the report with simulation".
    report = _report([], (), language)
    options = {s.key: s for s in report.sections}["options"]
    text = " ".join(options.paragraphs) + " " + report.sections[0].bullets[-1]
    assert "No simulation was run" not in text and "run the report with simulation" not in text
    assert "未运行仿真" not in text and "再启用仿真" not in text
    assert "--scenario" in text
