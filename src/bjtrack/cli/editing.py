"""Everyday editing: init, target add/edit, where, and record corrections (undo, amend, rm)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bjtrack.cli.root import (
    NegativeValues,
    Session,
    app,
    complete_target,
    date_option,
    now,
    session,
    who,
)
from bjtrack.domain.errors import BjtrackError, InputError, Problem, UsageError, problem
from bjtrack.render.i18n import help_key
from bjtrack.render.text import clean
from bjtrack.render.words import Words

if TYPE_CHECKING:
    from bjtrack.domain.model import Record
    from bjtrack.ops.corrections import Correction


def _interactive() -> bool:
    return sys.stdin.isatty()


def complete_record(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for RECORD: ids of the current records, newest first."""
    from bjtrack.files import paths
    from bjtrack.ops.corrections import current_records
    from bjtrack.ops.load import load

    try:
        path = paths.find_plan(ctx.find_root().params.get("file"), Path.cwd())
        with load(path, strict=False) as loaded:
            current = current_records(loaded)
    except (BjtrackError, OSError):
        return []
    return [(r.id, f"{r.series} {r.date} {r.entered or r.value}") for r in reversed(current)
            if r.id.startswith(incomplete)]


# --------------------------------------------------------------------------- init

@app.command(help=help_key("init"))
def init(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help=help_key("init.dir"))] = Path("."),
    example: Annotated[str | None, typer.Option(
        "--example", help=help_key("init.example"))] = None,
    blank: Annotated[bool, typer.Option("--blank", help=help_key("init.blank"))] = False,
    name: Annotated[str, typer.Option("--name", help=help_key("init.name"))] = "",
) -> None:
    s = session(ctx)
    if example and blank:
        raise UsageError(problem("err.example_and_blank"))
    from bjtrack.ops.plan_edit import init_plan

    for written in init_plan(folder, example=example, name=name):
        s.say(s.words.t(f"init.{written.action}", path=written.path))
    s.say(s.words.t("init.next"))


# --------------------------------------------------------------------------- target add/edit

target_app = typer.Typer(help=help_key("target"), no_args_is_help=True)
app.add_typer(target_app, name="target")


def _ask(w: Words, key: str, check: Callable[[str], object] | None = None) -> str:
    """Prompt until the answer passes `check` (which raises InputError when it does not)."""
    while True:
        answer = str(typer.prompt(w.t(key))).strip()
        if not answer:
            continue
        try:
            if check is not None:
                check(answer)
        except InputError as exc:
            for found in exc.problems:
                typer.echo(w.t("error", text=w.describe(found)), err=True)
            continue
        return answer


def yes(w: Words, key: str) -> bool:
    """Ask the yes-or-no question `key` (yes when only Enter is pressed), in the run's
    language: the framework's confirm says 'Error: invalid input' in English."""
    yes_words, no_words = ("", "y", "yes", "是"), ("n", "no", "否")
    while True:
        answer = str(typer.prompt(f"{w.t(key)} {w.t('prompt.yes_no')}", default="",
                                  show_default=False)).strip().lower()
        if answer in yes_words or answer in no_words:
            return answer in yes_words
        typer.echo(w.t("prompt.yes_no.again"), err=True)


@target_app.command("add", help=help_key("target.add"))
def target_add(
    ctx: typer.Context,
    target_id: Annotated[str | None, typer.Option("--id", help=help_key("target.id"))] = None,
    name: Annotated[str | None, typer.Option("--name", help=help_key("target.name"))] = None,
    amount: Annotated[str | None, typer.Option(
        "--target", help=help_key("target.target"))] = None,
    comparison: Annotated[str | None, typer.Option(
        "--comparison", help=help_key("target.comparison"))] = None,
    start: Annotated[str | None, typer.Option(
        "--start", metavar="<date>", help=help_key("target.start"))] = None,
    due: Annotated[str | None, typer.Option(
        "--due", metavar="<date>", help=help_key("target.due"))] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=help_key("target.kind"))] = None,
    aggregate: Annotated[str | None, typer.Option(
        "--aggregate", help=help_key("target.aggregate"))] = None,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help=help_key("target.baseline"))] = None,
    hold: Annotated[bool, typer.Option("--hold", help=help_key("target.hold"))] = False,
    series: Annotated[str | None, typer.Option(
        "--series", help=help_key("target.series"))] = None,
    group: Annotated[str | None, typer.Option("--group", help=help_key("target.group"))] = None,
    quote: Annotated[str | None, typer.Option("--quote", help=help_key("target.quote"))] = None,
) -> None:
    s = session(ctx)
    from bjtrack.domain.amounts import parse_amount
    from bjtrack.domain.dates import parse_date
    from bjtrack.ops.plan_edit import add_target
    from bjtrack.render.text import target_text

    path = s.plan_path()
    w = s.words
    if _interactive():
        target_id = target_id or _ask(w, "prompt.id")
        name = name or _ask(w, "prompt.name")
        amount = amount or _ask(w, "prompt.target", parse_amount)
        start = start or _ask(w, "prompt.start", parse_date)
        due = due or _ask(w, "prompt.due", parse_date)
    fields: dict[str, Any] = {
        "id": target_id, "name": name, "target": amount, "comparison": comparison,
        "start": date_option(start or None, "--start", first_day=True),
        "due": date_option(due or None, "--due"),
        "kind": kind, "aggregate": aggregate, "baseline": baseline, "hold": hold or None,
        "series": series, "group": group, "quote": quote,
    }
    added = add_target(path, fields)
    if not s.quiet:
        s.out.print(clean(w.t("target.added", id=added.id, name=added.name,
                              target=target_text(w, added), path=path)),
                    markup=False, highlight=False, soft_wrap=True)


@target_app.command("edit", help=help_key("target.edit"))
def target_edit(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(
        help=help_key("arg.target"), autocompletion=complete_target)],
) -> None:
    s = session(ctx)
    from bjtrack.ops.plan_edit import edit_target, run_editor

    w = s.words

    def retry(problems: Sequence[Problem]) -> bool:
        for found in problems:
            s.err.print(clean(w.t("error", text=w.describe(found))), style="red",
                        markup=False, highlight=False, soft_wrap=True)
        return _interactive() and yes(w, "prompt.reopen")

    path = s.plan_path()
    result = edit_target(path, target, run_editor, retry)
    s.say(w.t("target.saved", path=path) if result.changed else w.t("target.unchanged"))


# --------------------------------------------------------------------------- where

@app.command(help=help_key("where"))
def where(ctx: typer.Context) -> None:
    s = session(ctx)
    from bjtrack.ops.load import read_plan

    w = s.words
    path = s.plan_path()
    records = read_plan(path).records_path
    missing = "" if records.exists() else w.t("where.missing")
    s.data(f"{w.t('where.plan')}\t{path.resolve()}\n"
           f"{w.t('where.records')}\t{records.resolve()}{missing}")


# --------------------------------------------------------------------------- corrections

def _shown(w: Words, record: Record, unit: str) -> str:
    from bjtrack.render.text import amount

    return amount(w, record.value, record.unit or unit)


def _report(s: Session, key: str, done: Correction) -> None:
    if s.quiet:
        return
    w = s.words
    old = done.old
    new = old if done.record.retracts else done.record  # a retraction has no value
    s.out.print(clean(w.t(key, name=done.target.name, value=_shown(w, new, done.target.unit),
                          old_value=_shown(w, old, done.target.unit), id=done.record.id,
                          old=old.id, date=str(done.record.date or old.date or ""))),
                markup=False, highlight=False, soft_wrap=True)


@app.command(help=help_key("undo"))
def undo(
    ctx: typer.Context,
    by: Annotated[str | None, typer.Option("--by", help=help_key("undo.by"))] = None,
    why: Annotated[str, typer.Option("--why", help=help_key("why"))] = "",
    batch: Annotated[str | None, typer.Option("--import", help=help_key("undo.import"))
                     ] = None,
) -> None:
    s = session(ctx)
    from bjtrack.ops import corrections

    if batch is not None:
        undone = corrections.undo_import(s.load(writes=True), batch, now(),
                                         by=who() if by is None else by, why=why)
        if not s.quiet:
            s.out.print(clean(s.words.tn("undo.import_done", undone.figures,
                                        batch=undone.batch)),
                        markup=False, highlight=False, soft_wrap=True)
        return
    done = corrections.undo(s.load(writes=True), now(), by=who() if by is None else by, why=why)
    _report(s, "undo.done", done)


@app.command(help=help_key("amend"), cls=NegativeValues)
def amend(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(
        help=help_key("record.id"), autocompletion=complete_record)],
    value: Annotated[str, typer.Argument(help=help_key("amend.value"))],
    on: Annotated[str | None, typer.Option(
        "--date", "-d", metavar="<date>", help=help_key("amend.date"))
                  ] = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help=help_key("amend.note"))
                    ] = None,
    by: Annotated[str | None, typer.Option("--by", help=help_key("opt.by"))] = None,
) -> None:
    s = session(ctx)
    from bjtrack.ops import corrections

    done = corrections.amend(s.load(writes=True), record, value, now(),
                             day=date_option(on, "--date"), note=note,
                             by=who() if by is None else by)
    _report(s, "amend.done", done)


@app.command(help=help_key("rm"))
def rm(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(
        help=help_key("record.id"), autocompletion=complete_record)],
    why: Annotated[str, typer.Option("--why", help=help_key("why"))] = "",
    by: Annotated[str | None, typer.Option("--by", help=help_key("opt.by"))] = None,
) -> None:
    s = session(ctx)
    from bjtrack.ops import corrections

    done = corrections.retract(s.load(writes=True), record, now(), why=why,
                               by=who() if by is None else by)
    _report(s, "undo.done", done)
