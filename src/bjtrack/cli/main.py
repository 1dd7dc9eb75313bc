"""The entry point and the one error boundary: every domain error becomes one message on
stderr and an exit code."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from rich.console import Console

from bjtrack.cli import core, editing, reports  # noqa: F401  (they register their commands)
from bjtrack.cli.root import app
from bjtrack.domain.errors import EXIT_DATA, EXIT_USAGE, BjtrackError
from bjtrack.render.i18n import localize, t
from bjtrack.render.text import clean


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every error into one message on stderr and an exit code."""
    from typer._click import exceptions as click_exc

    err = Console(stderr=True, highlight=False)
    commands, groups = app.registered_commands, app.registered_groups
    try:
        # Typer builds every command (reading each signature) before it runs one: offer it
        # only the command asked for, when the arguments name one plainly.
        name = _command_named(sys.argv[1:] if argv is None else argv)
        if name is not None:
            app.registered_commands = [c for c in commands if _name_of(c) == name]
            app.registered_groups = [g for g in groups if g.name == name]
        result = app(args=argv, prog_name="bjtrack", standalone_mode=False)
        sys.stdout.flush()  # a full disk behind `>` shows here, inside the boundary
    except BjtrackError as exc:
        label = t("error")
        for problem in exc.problems:
            err.print(clean(f"{label}: {localize(problem)}"), style="red", markup=False,
                      highlight=False,
                      soft_wrap=True)
        sys.exit(exc.exit_code)
    except click_exc.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code if exc.exit_code else EXIT_USAGE)
    except typer.Abort:
        sys.exit(EXIT_DATA)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_DATA)
    except OSError as exc:  # output that could not be written (ENOSPC, EIO)
        where = f" ({exc.filename})" if exc.filename else ""
        err.print(clean(f"{t('error')}: {exc.strerror or exc}{where}"), style="red",
                  markup=False, highlight=False, soft_wrap=True)
        _discard_stdout()
        sys.exit(EXIT_DATA)
    finally:
        app.registered_commands, app.registered_groups = commands, groups
    sys.exit(result if isinstance(result, int) else 0)


def _discard_stdout() -> None:
    """Drop what could not be written, so the interpreter does not fail again at exit."""
    try:
        sys.stdout = open(os.devnull, "w")  # lives until the process ends
    except OSError:
        pass


_ROOT_VALUES = ("--file", "-f", "--lang", "--units")  # the root options that take a value
_ROOT_FLAGS = ("--quiet", "-q", "--version")


def _command_named(args: list[str]) -> str | None:
    """The command the arguments run, when they plainly name a registered one (else None:
    help, completion or anything unusual sees every command)."""
    if any(key.startswith("_BJTRACK_COMPLETE") for key in os.environ):
        return None
    rest = iter(args)
    for arg in rest:
        if arg in _ROOT_VALUES:
            next(rest, None)
        elif arg in _ROOT_FLAGS or (arg.startswith("--") and arg.split("=")[0] in
                                    _ROOT_VALUES and "=" in arg):
            continue
        elif arg.startswith("-"):
            return None
        else:
            names = {_name_of(c) for c in app.registered_commands}
            names |= {g.name for g in app.registered_groups}
            return arg if arg in names else None
    return None


def _name_of(command: Any) -> str | None:
    if command.name:
        return str(command.name)
    callback = command.callback
    return callback.__name__.lower().replace("_", "-") if callback else None
