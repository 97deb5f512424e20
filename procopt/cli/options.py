"""Option bundles shared by the commands: each option is declared once, with one default and one help text.

- ``map_option``: ``--map ROLE=COLUMN,...`` (parameter ``map_``);
- ``calibration_options``: ``--sla`` and ``--delivery-activity`` (every command that calibrates a model);
- ``run_options``: ``--replications``, ``--days``, ``--warmup-days`` with the defaults of
  ``procopt.sim.defaults`` (every command that simulates);
- ``seed_option``: ``--seed``; ``json_option``: ``--json`` (from ``procopt.cli.common``);
- ``model_source``: the ``MODEL_OR_LOG`` argument with ``--map`` and the calibration options, and
  ``load_model_or_log`` to turn it into a model.

Heavy modules (pandas, the model) are imported inside functions so ``procopt --help`` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from procopt.cli.common import ProgressCallback, json_option
from procopt.errors import InputError
from procopt.sim import defaults

if TYPE_CHECKING:
    from procopt.model.calibrate import CalibrationOptions
    from procopt.model.types import SimulationModel

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "calibration_from",
    "calibration_options",
    "json_option",
    "load_model_or_log",
    "map_option",
    "model_source",
    "parse_span",
    "recent_option",
    "replications_option",
    "run_options",
    "seed_option",
]


def _stack(func: F, *decorators: Callable[[F], F]) -> F:
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def map_option(func: F) -> F:
    """``--map ROLE=COLUMN,...``: name the log's columns yourself (parameter ``map_``)."""
    return click.option(
        "--map",
        "map_",
        metavar="ROLE=COLUMN,...",
        help="Name the columns yourself, e.g. --map case=order_id,activity=step,end=完成时间. "
        "Roles: case, activity, start, end, resource, department, due, lifecycle.",
    )(func)


def calibration_options(func: F) -> F:
    """``--sla`` and ``--delivery-activity``: the choices a calibration cannot always make from the log."""
    return _stack(
        func,
        click.option(
            "--sla",
            metavar="DURATION",
            help="Due date = arrival + DURATION (e.g. 72h, 3d); overrides the log's due dates.",
        ),
        click.option(
            "--delivery-activity",
            "delivery_activity",
            metavar="ACTIVITY",
            help="The step that delivers to the customer (detected by name otherwise).",
        ),
    )


def recent_option(func: F) -> F:
    """``--recent WEEKS``: calibrate on the last weeks only, after a process change (parameter ``recent``)."""
    return click.option(
        "--recent",
        "recent",
        type=click.FloatRange(min=0.5),
        metavar="WEEKS",
        help="Learn arrivals and durations from the cases of the log's last WEEKS weeks (after a process change).",
    )(func)


#: the same bound on every command that runs replications (a typo of 100000 is refused, not started)
MAX_REPLICATIONS = 1000


def replications_option(
    default: int = defaults.REPLICATIONS,
    minimum: int = 1,
    help_text: str = "Replications per scenario (each with its own random numbers, shared across scenarios).",
) -> Callable[[F], F]:
    """``--replications``; ``minimum`` is 2 where a confidence interval needs a spread (pilot, back-test)."""
    return click.option(
        "--replications",
        type=click.IntRange(minimum, MAX_REPLICATIONS),
        default=default,
        show_default=True,
        help=help_text,
    )


def run_options(func: F) -> F:
    """``--replications``, ``--days``, ``--warmup-days``: the one set of run defaults."""
    return _stack(
        func,
        replications_option(),
        click.option(
            "--days",
            type=click.FloatRange(1, 3650),
            default=defaults.DAYS,
            show_default=True,
            help="Days during which cases arrive (warm-up included).",
        ),
        click.option(
            "--warmup-days",
            type=click.FloatRange(0, 365),
            default=defaults.WARMUP_DAYS,
            show_default=True,
            help="First days not measured (queues fill up).",
        ),
    )


def seed_option(func: F) -> F:
    """``--seed``: same input and seed, same numbers."""
    return click.option(
        "--seed",
        type=click.IntRange(min=0),  # numpy's generators take no negative seeds
        default=defaults.SEED,
        show_default=True,
        help="Random seed (same seed, same numbers).",
    )(func)


def model_source(func: F) -> F:
    """The ``MODEL_OR_LOG`` argument (parameter ``source``) with ``--map`` and the calibration options."""
    return _stack(
        func,
        click.argument("source", metavar="MODEL_OR_LOG", type=click.Path(dir_okay=False, path_type=str)),
        map_option,
        calibration_options,
    )


_UNITS = {"s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}


def parse_span(text: str, option: str = "--sla") -> float:
    """``"72h"`` / ``"3d"`` / ``"90m"`` / ``"48"`` (hours) -> seconds; InputError when malformed."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)?\s*", str(text))
    if not m or float(m.group(1)) <= 0:
        raise InputError(
            None, f"{option} {text!r} is not a duration", hint=f"Write e.g. {option} 72h, {option} 3d or {option} 90m."
        )
    return float(m.group(1)) * _UNITS[m.group(2) or "h"]


def calibration_from(
    sla: str | None, delivery_activity: str | None, *, naive: bool = False, recent_weeks: float | None = None
) -> CalibrationOptions:
    """The ``CalibrationOptions`` of ``--sla`` / ``--delivery-activity`` (and ``--naive`` / ``--recent`` where
    offered)."""
    from procopt.model.calibrate import CalibrationOptions

    return CalibrationOptions(
        naive=naive,
        sla_s=parse_span(sla) if sla else None,
        delivery_activity=delivery_activity,
        recent_weeks=recent_weeks,
    )


def load_model_or_log(
    source: str, map_: str | None, sla: str | None, delivery_activity: str | None
) -> tuple[SimulationModel, dict[str, str]]:
    """A model from YAML, or calibrated from a log with the calibration options; plus the log's column names
    by role (empty for a model file)."""
    if source.lower().endswith((".yaml", ".yml")):
        from procopt.model.io import load_model

        if sla or delivery_activity:
            raise InputError(
                source,
                "--sla and --delivery-activity apply when calibrating from a log, not to a model file",
                hint="Pass them to `procopt model` when you build the model, or edit the model YAML.",
            )
        return load_model(source), {}
    from procopt.log.mapping import parse_map_option
    from procopt.log.read import read_log
    from procopt.model.calibrate import calibrate

    options = calibration_from(sla, delivery_activity)  # a malformed --sla fails before the log is read
    bar = ProgressCallback("Reading log")
    try:
        elog = read_log(source, mapping=parse_map_option(map_, path=source) or None, progress=bar)
    finally:
        bar.close()
    from procopt.sim.experiment import with_case_p99

    model = with_case_p99(calibrate(elog.events, options), elog.events)  # the run-out follows the log's cases
    mapping = getattr(elog, "mapping", None) or {}
    names = {str(k): str(v) for k, v in mapping.items() if isinstance(v, str)} if isinstance(mapping, dict) else {}
    return model, names
