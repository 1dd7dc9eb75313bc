"""The entry point and the one error boundary: every domain error becomes one message on
stderr and an exit code. The run's language is worked out here, from the arguments given
(--lang before or after the command name), BJTRACK_LANG or the locale, before the command
tree is built with its help texts in that language."""

from __future__ import annotations

import copy
import inspect
import os
import sys
from typing import Any, Protocol, cast

import typer
from rich.console import Console

from bjtrack.cli import core, editing, extract, reports  # noqa: F401  (they register their commands)
from bjtrack.cli.framework import show_framework_error, speak
from bjtrack.cli.root import app
from bjtrack.domain.errors import (
    EXIT_DATA,
    EXIT_USAGE,
    BjtrackError,
    UsageError,
    os_reason,
    problem,
)
from bjtrack.render.i18n import LANGS, detect_lang
from bjtrack.render.text import clean
from bjtrack.render.words import Words


class _Shown(Protocol):
    """An error of the command-line framework (a usage error, a missing file)."""

    exit_code: int


def _framework_error() -> type[Exception]:
    """click's ClickException (usage errors, a file that cannot be opened): Typer raises it
    but exports it publicly only through its subclass typer.BadParameter."""
    for kind in typer.BadParameter.__mro__:
        if kind.__name__ == "ClickException" and issubclass(kind, Exception):
            return kind
    raise AssertionError("typer.BadParameter is no ClickException")


_FRAMEWORK_ERROR = _framework_error()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every error into one message on stderr and an exit code."""
    args = lang_first(sys.argv[1:] if argv is None else list(argv))
    words = Words(run_lang(args))
    err = Console(stderr=True, highlight=False)
    try:
        _text_options_are_utf8(args)
        command = command_tree(words, _command_named(args))
        result = command.main(args=args, prog_name="bjtrack", standalone_mode=False)
        sys.stdout.flush()  # a full disk behind `>` shows here, inside the boundary
    except BjtrackError as exc:
        for found in exc.problems:
            err.print(clean(words.t("error", text=words.describe(found))), style="red",
                      markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except _FRAMEWORK_ERROR as exc:
        show_framework_error(exc, words, err)
        sys.exit(cast(_Shown, exc).exit_code or EXIT_USAGE)
    except typer.Abort:
        sys.exit(EXIT_DATA)
    except KeyboardInterrupt:
        sys.exit(130)
    except MemoryError:  # a file too large for this machine: what was written is whole
        err.print(clean(words.t("error", text=words.describe(problem(
            "err.memory", hint_key="hint.memory")))), style="red", markup=False,
            highlight=False, soft_wrap=True)
        sys.exit(EXIT_DATA)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_DATA)
    except OSError as exc:  # output that could not be written (ENOSPC, EIO)
        where = f" ({exc.filename})" if exc.filename else ""
        said = words.text(os_reason(exc))
        err.print(clean(words.t("error", text=f"{said}{where}")), style="red",
                  markup=False, highlight=False, soft_wrap=True)
        _discard_stdout()
        sys.exit(EXIT_DATA)
    sys.exit(result if isinstance(result, int) else 0)


def _text_options_are_utf8(args: list[str]) -> None:
    """Every argument is UTF-8 text: a terminal in another encoding hands Python
    undecodable bytes as lone surrogates, which no file bjtrack writes can hold."""
    for at, arg in enumerate(args):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            option, equals, value = arg.partition("=")
            if not (equals and option.startswith("-")):  # --x=VALUE, else VALUE after --x
                before = args[at - 1] if at else ""
                option, value = (before if before.startswith("-") else ""), arg
            shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise UsageError(problem("err.option_not_utf8", hint_key="hint.option_not_utf8",
                                     option=f"{option} " if option else "",
                                     text=shown)) from None


def _discard_stdout() -> None:
    """Drop what could not be written, so the interpreter does not fail again at exit."""
    try:
        sys.stdout = open(os.devnull, "w")  # lives until the process ends
    except OSError:
        pass


def command_tree(words: Words, only: str | None = None) -> Any:
    """The click command tree of the app (Typer's public get_command), its help texts
    looked up in `words`' language. only: build just that command: Typer reads the
    signature of every command it builds (about 80 ms for all of them, a sixth of a
    status run), and a run needs only its own. The app itself is never changed: the tree
    is built from a copy that lists only that command."""
    view = app
    if only is not None:
        view = copy.copy(app)
        view.registered_commands = [c for c in app.registered_commands if _name_of(c) == only]
        view.registered_groups = [g for g in app.registered_groups if g.name == only]
    command = typer.main.get_command(view)
    _translate(command, words)
    speak(command, words)
    return command


def _translate(command: Any, words: Words) -> None:
    """Help texts are registered as catalog keys (render.i18n.help_key): say them."""
    if command.help:
        command.help = inspect.cleandoc(words.help(command.help))
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            param.help = words.help(text)
    for sub in getattr(command, "commands", {}).values():
        _translate(sub, words)


# --------------------------------------------------------------------------- arguments

# the root options that take a value
_ROOT_VALUES = ("--file", "-f", "--lang", "--units", "--records-file")
_ROOT_FLAGS = ("--quiet", "-q", "--no-pager", "--version")


def _root_part(args: list[str]) -> int:
    """How many leading arguments are root options (the command name comes next)."""
    at = 0
    while at < len(args):
        arg = args[at]
        if arg in _ROOT_VALUES:
            at += 2
        elif arg in _ROOT_FLAGS or (arg.startswith("--") and "=" in arg
                                    and arg.split("=")[0] in _ROOT_VALUES):
            at += 1
        else:
            break
    return min(at, len(args))


def lang_first(args: list[str]) -> list[str]:
    """The arguments with a --lang given after the command name moved before it, where
    the root options are (`bjtrack status --lang zh` = `bjtrack --lang zh status`)."""
    head = _root_part(args)
    root, rest, moved = args[:head], args[head:], []
    out: list[str] = []
    at = 0
    while at < len(rest):
        arg = rest[at]
        if arg == "--":
            out += rest[at:]
            break
        if arg == "--lang" and at + 1 < len(rest):
            moved += rest[at:at + 2]
            at += 2
            continue
        if arg.startswith("--lang="):
            moved.append(arg)
        else:
            out.append(arg)
        at += 1
    return root + moved + out


def run_lang(args: list[str]) -> str:
    """The language of the run: --lang among the root options, else BJTRACK_LANG or the
    locale (also when --lang names a language bjtrack does not speak: the root callback
    refuses it, in the language the environment asks for)."""
    head = _root_part(args)
    chosen: str | None = None
    for at, arg in enumerate(args[:head]):
        if arg == "--lang" and at + 1 < len(args):
            chosen = args[at + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    return detect_lang(chosen if chosen in LANGS else None)


def _command_named(args: list[str]) -> str | None:
    """The command the arguments run, when they plainly name a registered one (else None:
    help, completion or anything unusual sees every command)."""
    if any(key.startswith("_BJTRACK_COMPLETE") for key in os.environ):
        return None
    head = _root_part(args)
    if head >= len(args) or args[head].startswith("-"):
        return None
    names = {_name_of(c) for c in app.registered_commands}
    names |= {g.name for g in app.registered_groups}
    return args[head] if args[head] in names else None


def _name_of(command: Any) -> str | None:
    if command.name:
        return str(command.name)
    callback = command.callback
    return callback.__name__.lower().replace("_", "-") if callback else None
