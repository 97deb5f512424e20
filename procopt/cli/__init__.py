"""procopt's command line: one thin click command per pipeline stage.

Each command lives in its own module ``procopt/cli/<name>.py`` exposing ``command``; they are imported only
when used, so ``procopt --help`` stays fast despite pm4py's heavy import. Errors the user can fix
(``ProcoptError``) print ``Error: ...`` and ``Hint: ...`` on stderr and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from procopt import __version__
from procopt.errors import ProcoptError

#: command name -> module (in pipeline order, which is also the order of ``--help``).
COMMANDS: dict[str, str] = {
    "extract": "procopt.cli.extract",
    "generate": "procopt.cli.generate",
    "validate": "procopt.cli.validate",
    "mine": "procopt.cli.mine",
    "bottlenecks": "procopt.cli.mine",
    "approvals": "procopt.cli.mine",
    "conformance": "procopt.cli.conformance",
    "kpi": "procopt.cli.kpi",
    "model": "procopt.cli.model",
    "simulate": "procopt.cli.simulate",
    "sweep": "procopt.cli.sweep",
    "report": "procopt.cli.report",
    "demo": "procopt.cli.demo",
}


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is listed or run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, mod in COMMANDS.items() if _module_exists(mod)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        module_name = COMMANDS.get(cmd_name)
        if module_name is None or not _module_exists(module_name):
            return None
        module = importlib.import_module(module_name)
        attr = "command" if cmd_name == module_name.rsplit(".", 1)[1] else f"{cmd_name}_command"
        cmd = getattr(module, attr)
        if not isinstance(cmd, click.Command):
            raise TypeError(f"{module_name}.{attr} is not a click command")
        return cmd

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProcoptError as exc:
            _fail(exc)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted; no output was written.", err=True)
            sys.exit(130)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(
                f"Internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in procopt. Run again with `procopt --debug ...` for the traceback and report it.",
                err=True,
            )
            sys.exit(1)


def _fail(exc: ProcoptError) -> None:
    click.echo(f"Error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"Hint: {exc.hint}", err=True)
    sys.exit(2)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="procopt")
@click.option("--debug", is_flag=True, help="Show full tracebacks for internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """procopt — find where time goes in ERP processes and test fixes before the pilot.

    \b
    Typical session:
      procopt validate orders.csv            # can this log be trusted?
      procopt mine orders.csv --out out/     # process map, bottlenecks, hand-offs, approvals
      procopt model orders.csv --out m.yaml  # calibrate a simulation model, check its fidelity
      procopt simulate m.yaml --scenario scenarios/remove_director_approval.yaml
      procopt report orders.csv --out reports/orders   # the value-stream report
      procopt demo                           # all of the above on a bundled sample log

    Every analysis command accepts --json for machine-readable output.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
