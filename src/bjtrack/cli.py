"""The command line: parse, call a function of `actions`, render. One error boundary in main()."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bjtrack import __version__, actions
from bjtrack.errors import EXIT_ALERT, EXIT_DATA, EXIT_USAGE, BjtrackError, Problem, UsageError
from bjtrack.i18n import (
    detect_lang,
    get_lang,
    help_text,
    lang_from_argv,
    localize,
    set_lang,
    t,
)
from bjtrack.render.text import clean

# Help texts are fixed when the commands are registered: pick their language first.
set_lang(detect_lang(lang_from_argv(sys.argv[1:])))

app = typer.Typer(
    name="bjtrack",
    help=help_text("app"),
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
    out: Console = field(default_factory=lambda: Console(highlight=False))
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))

    def plan_path(self) -> Path:
        from bjtrack.store import find_plan

        return find_plan(self.file, Path.cwd())

    def load(self, strict: bool = True) -> actions.Loaded:
        loaded = actions.load(self.plan_path(), strict=strict)
        for warning in loaded.warnings():
            self.warn(t("warn.torn", problem=warning))
        return loaded

    def say(self, text: str) -> None:
        """A message for the person (stderr); --quiet silences it."""
        if not self.quiet:
            self.err.print(clean(text), markup=False, highlight=False, soft_wrap=True)

    def warn(self, text: str) -> None:
        self.err.print(clean(text), style="yellow", markup=False, highlight=False,
                       soft_wrap=True)

    def data(self, text: str) -> None:
        """Machine-readable output: stdout, verbatim."""
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def today() -> date:
    """The clock, read only here. BJTRACK_TODAY pins it for reproducible reports."""
    pinned = os.environ.get("BJTRACK_TODAY")
    if pinned:
        from bjtrack.dates import parse_date

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


@app.callback(help=help_text("app"))
def root(
    ctx: typer.Context,
    file: Annotated[str | None, typer.Option(
        "--file", "-f", envvar="BJTRACK_FILE", show_envvar=True,
        help=help_text("opt.file"))] = None,
    lang: Annotated[str | None, typer.Option("--lang", help=help_text("opt.lang"))] = None,
    units: Annotated[Units, typer.Option(
        "--units", envvar="BJTRACK_UNITS", help=help_text("opt.units"))] = Units.cn,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=help_text("opt.quiet"))] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help=help_text("opt.version"))
    ] = False,
) -> None:
    """Track a plan's quantitative targets against the figures published for them.

    Example: bjtrack --file plans/binjiang/targets.toml status
    """
    if lang is not None and lang not in ("zh", "en"):
        from bjtrack.errors import problem

        set_lang(detect_lang(None))  # say it in the language the environment asks for
        raise UsageError(problem("err.unknown_lang", hint_key="hint.lang", lang=lang))
    set_lang(detect_lang(lang))
    from bjtrack.amounts import set_units

    set_units(units.value if get_lang() == "en" else "cn")  # Chinese always reads 万/亿
    ctx.obj = Session(file=file, quiet=quiet)


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


def _date_option(text: str | None) -> date | None:
    if text is None:
        return None
    from bjtrack.dates import parse_date

    return parse_date(text)


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
    from bjtrack import store

    root_params = ctx.find_root().params
    try:
        plan = store.load_plan(store.find_plan(root_params.get("file"), Path.cwd()))
    except (BjtrackError, OSError):
        return []
    out: list[tuple[str, str]] = []
    for target in plan.targets:
        if target.id.startswith(incomplete):
            out.append((target.id, target.name))
        elif target.name.startswith(incomplete):
            out.append((target.name, target.id))
    return out


# Negative figures (-3.5%, -7亿) are values, not unknown options.
@app.command(help=help_text("log"), context_settings={"ignore_unknown_options": True})
def log(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(
        help=help_text("arg.target"), autocompletion=complete_target)],
    value: Annotated[str, typer.Argument(help=help_text("log.value"))],
    on: Annotated[str | None, typer.Option("--date", "-d", help=help_text("log.date"))] = None,
    note: Annotated[str, typer.Option("--note", "-n", help=help_text("opt.note"))] = "",
    source: Annotated[str, typer.Option("--source", "-s", help=help_text("log.source"))] = "",
    by: Annotated[str | None, typer.Option("--by", help=help_text("opt.by"))] = None,
    vintage: Annotated[str, typer.Option("--vintage", help=help_text("log.vintage"))] = "",
    revise: Annotated[bool, typer.Option("--revise", help=help_text("log.revise"))] = False,
) -> None:
    """Record a published figure for a target.

    Example: bjtrack log investment 150亿 --date 2022-06 --source "区统计局 2022年7月"
    """
    s = session(ctx)
    loaded = s.load()
    day = _date_option(on) or today()
    result = actions.log_value(loaded, target, value, day, now(), note=note, source=source,
                               by=who() if by is None else by, vintage=vintage, revise=revise)
    from bjtrack.amounts import format_amount

    record = result.record
    assert record.value is not None
    shown = format_amount(record.value, record.unit, exact=True)
    if result.duplicate_of is not None:
        s.say(t("log.duplicate", id=record.id))
        return
    key = "log.revised" if result.revised else "log.done"
    old = result.revised.id if result.revised else ""
    if not s.quiet:
        s.out.print(clean(t(key, name=result.target.name, value=shown, date=day.isoformat(),
                            id=record.id, old=old)), markup=False, highlight=False,
                    soft_wrap=True)
    found = result.target
    if found.start and found.due and not found.every and not found.start <= day <= found.due:
        s.warn(t("warn.outside", date=day.isoformat(), name=found.name,
                 start=found.start.isoformat(), due=found.due.isoformat()))


@app.command(help=help_text("status"))
def status(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help=help_text("opt.as_of"))] = None,
    group: Annotated[str | None, typer.Option(
        "--group", "-g", help=help_text("status.group"))] = None,
    fmt: Annotated[Format, typer.Option("--format", help=help_text("opt.format"))
                   ] = Format.table,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help=help_text("status.fail_on"))] = None,
) -> None:
    """Show where every target stands: progress, time elapsed, verdict, projection.

    Example: bjtrack status --as-of 2022-06-30 --format json
    """
    s = session(ctx)
    loaded = s.load()
    day = _date_option(as_of) or today()
    report = actions.status_report(loaded, day, group)
    if fmt is Format.json:
        from bjtrack.render.jsondata import dumps, report_data

        s.data(dumps(report_data(report)))
    else:
        from bjtrack.render.table import status_table

        s.out.print(status_table(report, loaded.plan, s.out.width))
    if fail_on is not None:
        bad = {"missed": {"missed", "breached"},
               "behind": {"behind", "missed", "breached"}}[fail_on.value]
        if any(st.verdict and st.verdict.value in bad for st in report.targets):
            raise typer.Exit(EXIT_ALERT)


@app.command(help=help_text("targets"))
def targets(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", help=help_text("opt.format"))
                   ] = Format.table,
) -> None:
    """List the plan's targets and indicators with the sentence each came from.

    Example: bjtrack targets --format json
    """
    s = session(ctx)
    from bjtrack import store

    plan = store.load_plan(s.plan_path())
    if fmt is Format.json:
        from bjtrack.render.jsondata import dumps, target_fields

        s.data(dumps([target_fields(tg) for tg in plan.targets]))
        return
    from bjtrack.render.table import targets_table

    s.out.print(targets_table(plan, s.out.width))


@app.command(help=help_text("history"))
def history(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(
        help=help_text("arg.target"), autocompletion=complete_target)],
    show_all: Annotated[bool, typer.Option("--all", help=help_text("history.all"))] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help=help_text("history.as_of"))] = None,
    fmt: Annotated[Format, typer.Option("--format", help=help_text("opt.format"))
                   ] = Format.table,
    chart: Annotated[bool, typer.Option("--chart", help=help_text("history.chart"))] = False,
) -> None:
    """Show a target's records in date order (and each period's result if it recurs).

    Example: bjtrack history investment
    """
    s = session(ctx)
    loaded = s.load()
    found = actions.resolve_target(loaded.plan, target)
    records = actions.series_records(loaded, found, include_retracted=show_all)
    from bjtrack import pace

    periods = []
    if found.every:
        series = pace.by_series(loaded.records.records)
        periods = pace.history(found, series, _date_option(as_of) or today(), loaded.plan)
    if fmt is Format.json:
        from bjtrack.edits import record_states
        from bjtrack.render.jsondata import dumps, record_fields, status_fields

        states = record_states(records)
        s.data(dumps({"target": found.id, "records": [
            dict(record_fields(r), state=states[r.id].state) for r in records],
                      "periods": [status_fields(p) for p in periods]}))
        return
    from bjtrack.edits import record_marks
    from bjtrack.render.table import history_table, periods_table

    marks: dict[str, tuple[str, bool]] | None = record_marks(records)
    if not show_all and marks and all(live for _, live in marks.values()):
        marks = None  # nothing was ever replaced: no state column
    s.out.print(history_table(found, records, s.out.width, marks))
    if periods:
        s.out.print(periods_table(periods))
    if chart:
        from bjtrack.render.chart import history_chart

        s.out.print(history_chart(loaded.plan, loaded.records.records, found,
                                  _date_option(as_of) or today(), s.out.width))


@app.command(help=help_text("check"))
def check(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help=help_text("check.repair"))
                      ] = False,
    fmt: Annotated[Format, typer.Option("--format", help=help_text("opt.format"))
                   ] = Format.table,
) -> None:
    """Validate the plan and its records; list every problem with file and line.

    Example: bjtrack check --repair
    """
    s = session(ctx)
    path = s.plan_path()
    if repair:
        from bjtrack import store

        records_path = store.load_plan(path).records_path
        backup = store.repair(records_path, now().strftime("%Y%m%d%H%M%S"))
        s.say(t("check.repaired", backup=backup) if backup else t("check.nothing_to_repair"))
    plan, count, problems = actions.check(path)
    if fmt is Format.json:
        from bjtrack.render.jsondata import dumps

        s.data(dumps({"ok": not problems, "records": count,
                      "problems": [_problem_fields(p) for p in problems]}))
    elif problems:
        for problem in problems:
            s.out.print(clean(localize(problem)), markup=False, highlight=False,
                        soft_wrap=True)
        s.say(t("check.problems", count=len(problems)))
    else:
        s.say(t("check.ok", plan=path, targets=len(plan.targets) if plan else 0,
                records=count))
    if problems:
        raise typer.Exit(EXIT_DATA)


def _problem_fields(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "column": problem.column,
            "message": problem.message, "hint": problem.hint}


# --------------------------------------------------------------------------- entry point

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


# Further command groups register themselves on `app` when imported.
from bjtrack.commands import editing, extract, reports  # noqa: E402, F401
