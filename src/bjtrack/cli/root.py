"""The Typer app, its root options and what every command shares: the Session (plan, language,
output), the clock and who is logging."""

from __future__ import annotations

import getpass
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, RenderableType
from typer.core import TyperCommand

from bjtrack import __version__
from bjtrack.domain.errors import (
    BjtrackError,
    UsageError,
)
from bjtrack.ops import load as loading
from bjtrack.render.i18n import LANGS, detect_lang, help_key
from bjtrack.render.text import clean
from bjtrack.render.words import Words

# Help texts are registered as keys of the catalog's [help] table (help_key); cli.main
# looks them up in the run's language when it builds the command tree.
app = typer.Typer(
    name="bjtrack",
    help=help_key("app"),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass
class Session:
    """What every command needs: which plan, which language, where output goes."""

    file: str | None = None
    quiet: bool = False
    pager: bool = True  # long tables through a pager on a terminal (cli/pager.py)
    words: Words = field(default_factory=Words)
    out: Console = field(default_factory=lambda: Console(highlight=False))
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))
    opened: list[loading.Loaded] = field(default_factory=list)  # closed when the run ends

    def plan_path(self) -> Path:
        from bjtrack.files.paths import find_plan

        return find_plan(self.file, Path.cwd())

    def load(self, strict: bool = True, writes: bool = False) -> loading.Loaded:
        """The plan and its records; the index it opened is closed when the command ends.
        A torn last record is warned of, except to a command that appends (writes): that
        is refused behind it with a message of its own, and one message is enough."""
        loaded = loading.load(self.plan_path(), strict=strict)
        self.opened.append(loaded)
        for warning in () if writes else loaded.warnings():
            self.warn(self.words.t("warn.torn", problem=self.words.describe(warning)))
        return loaded

    def close(self) -> None:
        for loaded in self.opened:
            loaded.close()
        self.opened.clear()

    def say(self, text: str) -> None:
        """A message for the person (stderr); --quiet silences it."""
        if not self.quiet:
            self.err.print(clean(text), markup=False, highlight=False, soft_wrap=True)

    def warn(self, text: str) -> None:
        self.err.print(clean(text), style="yellow", markup=False, highlight=False,
                       soft_wrap=True)

    def show(self, *renderables: RenderableType) -> None:
        """Tables for the person: through a pager when they are long on a terminal."""
        from bjtrack.cli.pager import show

        show(self.out, renderables, self.pager)

    def data(self, text: str) -> None:
        """Machine-readable output: stdout, verbatim."""
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def today() -> date:
    """The clock, read only here. BJTRACK_TODAY pins it for reproducible reports."""
    pinned = os.environ.get("BJTRACK_TODAY")
    if pinned:
        from bjtrack.domain.dates import parse_date

        return parse_date(pinned)
    return date.today()


def now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"bjtrack {__version__}\n")
        raise typer.Exit()


class Units(StrEnum):
    cn = "cn"
    si = "si"


@app.callback(help=help_key("app"))
def root(
    ctx: typer.Context,
    file: Annotated[str | None, typer.Option(
        "--file", "-f", envvar="BJTRACK_FILE", show_envvar=True,
        help=help_key("opt.file"))] = None,
    records: Annotated[str | None, typer.Option(
        "--records-file", envvar="BJTRACK_RECORDS", show_envvar=True,
        help=help_key("opt.records_file"))] = None,
    lang: Annotated[str | None, typer.Option("--lang", help=help_key("opt.lang"))] = None,
    units: Annotated[Units, typer.Option(
        "--units", envvar="BJTRACK_UNITS", help=help_key("opt.units"))] = Units.cn,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=help_key("opt.quiet"))] = False,
    no_pager: Annotated[bool, typer.Option("--no-pager", help=help_key("opt.no_pager"))
                        ] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help=help_key("opt.version"))
    ] = False,
) -> None:
    """Track a plan's quantitative targets against the figures published for them.

    Example: bjtrack --file plans/binjiang/targets.toml status
    """
    if lang is not None and lang not in LANGS:
        from bjtrack.domain.errors import problem

        # said in the language the environment asks for (cli.main chose it)
        raise UsageError(problem("err.unknown_lang", hint_key="hint.lang", lang=lang))
    ctx.obj = Session(file=file, quiet=quiet, pager=not no_pager,
                      words=Words.of(detect_lang(lang), units.value))
    ctx.call_on_close(ctx.obj.close)
    if records:  # the person's records file, for this run only
        from bjtrack.files.paths import choose_records

        choose_records(Path(records))
        ctx.call_on_close(lambda: choose_records(None))


def session(ctx: typer.Context) -> Session:
    obj = ctx.obj
    assert isinstance(obj, Session)
    return obj


class Format(StrEnum):
    table = "table"
    json = "json"


class FailOn(StrEnum):
    behind = "behind"
    missed = "missed"


def date_option(text: str | None, option: str, first_day: bool = False) -> date | None:
    """The date given as `option`; a problem naming the option when it cannot be read."""
    if text is None:
        return None
    from bjtrack.domain.dates import parse_date
    from bjtrack.domain.errors import InputError, given_as

    try:
        return parse_date(text, first_day=first_day)
    except InputError as exc:
        raise InputError(*(given_as(option, p) for p in exc.problems)) from None


def who() -> str:
    """Who is logging: git's user.name, else the login name."""
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                              timeout=2, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def complete_target(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for TARGET: ids and names of the plan in use (cheap: no records)."""
    from bjtrack.files import paths
    from bjtrack.files import plan as plan_file
    root_params = ctx.find_root().params
    try:
        plan = plan_file.load_plan(paths.find_plan(root_params.get("file"), Path.cwd()))
    except (BjtrackError, OSError):
        return []
    out: list[tuple[str, str]] = []
    for target in plan.targets:
        if target.id.startswith(incomplete):
            out.append((target.id, target.name))
        elif target.name.startswith(incomplete):
            out.append((target.name, target.id))
    return out


class NegativeValues(TyperCommand):
    """A command whose VALUE may be a negative figure (-3.5%, -7亿): such a word is read as
    the value, not as an option; any other word that starts with '-' is an option, and an
    unknown one is refused as such (no such option: --dat, with --date suggested), not
    taken for the value or called an extra argument."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # the framework's Context
        ctx.ignore_unknown_options = not _unknown_options(self, ctx, args)
        return list(super().parse_args(ctx, args))


def _unknown_options(command: TyperCommand, ctx: Any, args: list[str]) -> bool:
    """Whether args hold a word that looks like an option bjtrack does not know (and no
    negative figure, which the framework would then take for an option too)."""
    takes_value: set[str] = set()
    flags: set[str] = set()
    for param in command.get_params(ctx):
        for name in (*param.opts, *param.secondary_opts):
            (flags if getattr(param, "is_flag", False) else takes_value).add(name)
    unknown, after_option = False, False
    for arg in args:
        if arg == "--":
            break
        if after_option:  # the value of an option: --note -abc
            after_option = False
            continue
        if not arg.startswith("-") or arg == "-":
            continue
        name = arg.split("=", 1)[0]
        short = arg[:2] if not arg.startswith("--") else name
        if name in flags or name in takes_value or short in takes_value:
            after_option = name in takes_value and "=" not in arg
        elif _OPTION_LIKE.fullmatch(name):
            unknown = True
        else:
            return False  # a value (-3.5%, -7亿, -inf): unknown options must stay allowed
    return unknown


_OPTION_LIKE = re.compile(r"--[A-Za-z][\w-]*|-[A-Za-z]")
