"""The ``--json`` runs behind docs/CONTRACTS.md: one small generated log, each command as a user runs it.

Shared by the golden tests (``test_json_contracts.py``) and by ``python tests/contracts/regen.py``, which
rewrites the schema blocks of docs/CONTRACTS.md from a fresh run after a deliberate schema change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = REPO / "docs" / "CONTRACTS.md"
BLUEPRINT = REPO / "sample_logs" / "o2c_blueprint.bpmn"
KPIS = REPO / "sample_logs" / "kpis.yaml"
SCENARIO = REPO / "scenarios" / "remove_director_approval.yaml"

#: mappings keyed by data (activity, pool, KPI, department names), per command: regular expressions over paths
_MODEL_MAPS = (
    r"model_detail\.(activities|calendars|pools)",
    r"model_detail\.routing\[\](\.branches\[\])?\.next",
    r"summary\.(batches|durations_h|extra_delays_h|pools)",
)
_EXPERIMENT_MAPS = (r"(experiment\.)?runs\[\]\.(utilisation|kpi_targets)",)


@dataclass(frozen=True)
class Run:
    """One documented ``--json`` run: the command line (with ``{log}``, ``{model}``, ``{out}`` placeholders)."""

    name: str
    args: tuple[str, ...]
    maps: tuple[str, ...] = ()
    slow: bool = False
    needs_model: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


RUNS: tuple[Run, ...] = (
    Run(
        "generate",
        ("generate", "o2c", "--days", "21", "--out", "{out}/gen.csv", "--truth", "{out}/gen.truth.json"),
        maps=(
            r"truth\.(batch_activities|pools|extra_capacity|duration_scale)",
            r"truth\.intervention\.(extra_capacity|duration_scale)",
            r"truth\.measured\.(approval_reject_rate|handoff_wait_mean_h|wait_mean_h)",
            r"tables",
        ),
    ),
    Run("validate", ("validate", "{log}")),
    Run("convert", ("convert", "{log}", "--to", "parquet", "--partition-by", "month", "--out", "{out}/dataset")),
    Run("mine", ("mine", "{log}", "--out", "{out}/mine"), maps=(r"process_map\.(start|end)",)),
    Run("bottlenecks", ("bottlenecks", "{log}")),
    Run("approvals", ("approvals", "{log}")),
    Run("conformance", ("conformance", "{log}", "--model", str(BLUEPRINT))),
    Run("kpi", ("kpi", "{log}", "--kpis", str(KPIS))),
    Run("model", ("model", "{log}", "--out", "{out}/model.yaml", "--no-fidelity"), maps=_MODEL_MAPS),
    Run(
        "simulate",
        ("simulate", "{model}", "--scenario", str(SCENARIO), "--replications", "2", "--days", "30", "--workers", "1"),
        maps=_EXPERIMENT_MAPS,
        needs_model=True,
    ),
    Run(
        "sweep",
        (
            "sweep",
            "{model}",
            "--vary",
            "arrivals.scale=1.0,1.2",
            "--replications",
            "2",
            "--days",
            "30",
            "--workers",
            "1",
            "--out",
            "{out}/sweep",
        ),
        maps=(r"points\[\]\.utilisation",),
        needs_model=True,
    ),
    Run(
        "report",
        (
            "report",
            "{log}",
            "--out",
            "{out}/report",
            "--replications",
            "2",
            "--days",
            "30",
            "--fidelity-runs",
            "1",
            "--kpis",
            str(KPIS),
            "--blueprint",
            str(BLUEPRINT),
            "--scenario",
            str(SCENARIO),
        ),
        maps=(*_EXPERIMENT_MAPS, r"facts\.approvals"),
        slow=True,
    ),
)


def make_log(folder: Path) -> Path:
    """A 45-day generated order-to-cash log (long enough to calibrate and hold out a fidelity test)."""
    from procopt.generate import generate

    path = folder / "o2c.csv"
    if not path.exists():
        generate("o2c", seed=1, days=45).write(path)
    return path


def make_model(folder: Path, log: Path) -> Path:
    """A model calibrated from ``log`` (in-process, no fidelity check: the simulate and sweep runs need one)."""
    from procopt.log.read import read_log
    from procopt.model.calibrate import calibrate
    from procopt.model.io import save_model

    path = folder / "m.yaml"
    if not path.exists():
        save_model(calibrate(read_log(log).events), path)
    return path


def invoke(run: Run, folder: Path) -> dict[str, Any]:
    """Run ``run`` with ``--json`` through click and return the parsed document (fails on a non-zero exit)."""
    from click.testing import CliRunner

    from procopt.cli import main

    log = make_log(folder)
    model = make_model(folder, log) if run.needs_model else None
    args = [a.format(log=log, model=model, out=folder) for a in run.args] + ["--json"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, f"procopt {' '.join(args)} exited {result.exit_code}:\n{result.output}"
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


_BLOCK = re.compile(r"<!-- json-schema: (?P<name>[a-z]+) -->\n```text\n(?P<body>.*?)```", re.S)


def documented_blocks(text: str | None = None) -> dict[str, str]:
    """``{command: schema block text}`` from docs/CONTRACTS.md."""
    text = CONTRACTS.read_text(encoding="utf-8") if text is None else text
    return {m["name"]: m["body"] for m in _BLOCK.finditer(text)}


def replace_block(text: str, name: str, body: str) -> str:
    """``text`` with the schema block of ``name`` replaced by ``body`` (appended at the end if absent)."""
    marker = f"<!-- json-schema: {name} -->\n```text\n"
    block = f"{marker}{body}```"
    for m in _BLOCK.finditer(text):
        if m["name"] == name:
            return text[: m.start()] + block + text[m.end() :]
    return text.rstrip("\n") + f"\n\n{block}\n"
