"""The core commands: log, status, targets, history, check."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import RenderableType

from bjtrack.cli.root import (
    FailOn,
    Format,
    NegativeValues,
    app,
    complete_target,
    date_option,
    now,
    session,
    today,
    who,
)
from bjtrack.domain.errors import EXIT_ALERT, EXIT_DATA, Problem
from bjtrack.render.i18n import help_key
from bjtrack.render.text import clean
from bjtrack.render.words import Words


# Negative figures (-3.5%, -7亿) are values, not unknown options.
@app.command(help=help_key("log"), cls=NegativeValues)
def log(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(
        help=help_key("arg.target"), autocompletion=complete_target)],
    value: Annotated[str, typer.Argument(help=help_key("log.value"))],
    on: Annotated[str | None, typer.Option(
        "--date", "-d", metavar="<date>", help=help_key("log.date"))] = None,
    note: Annotated[str, typer.Option("--note", "-n", help=help_key("opt.note"))] = "",
    source: Annotated[str, typer.Option("--source", "-s", help=help_key("log.source"))] = "",
    by: Annotated[str | None, typer.Option("--by", help=help_key("opt.by"))] = None,
    vintage: Annotated[str, typer.Option("--vintage", help=help_key("log.vintage"))] = "",
    revise: Annotated[bool, typer.Option("--revise", help=help_key("log.revise"))] = False,
    exact: Annotated[bool, typer.Option("--exact", help=help_key("log.exact"))] = False,
    force: Annotated[bool, typer.Option("--force", help=help_key("log.force"))] = False,
) -> None:
    """Record a published figure for a target.

    Example: bjtrack log investment 150亿 --date 2022-06 --source "区统计局 2022年7月"
    """
    from bjtrack.ops.log import last_month_end, log_value
    from bjtrack.render.text import amount

    s = session(ctx)
    w = s.words
    day = date_option(on, "--date") or last_month_end(today())
    result = log_value(s.load(writes=True), target, value, day, now(), note=note, source=source,
                       by=who() if by is None else by, vintage=vintage, revise=revise,
                       exact=exact, force=force)
    record, found = result.record, result.target
    if result.duplicate_of is not None:
        s.say(w.t("log.duplicate", id=record.id))
        return
    key = "log.revised" if result.revised else "log.done"
    old = result.revised.id if result.revised else ""
    if not s.quiet:
        s.out.print(clean(w.t(key, name=found.name, value=amount(w, record.value, record.unit),
                              date=day.isoformat(), id=record.id, old=old)),
                    markup=False, highlight=False, soft_wrap=True)
    if on is None and not s.quiet:  # say which period the figure was taken to cover
        s.out.print(w.t("log.date_default", date=day.isoformat()), markup=False,
                    highlight=False, soft_wrap=True)
    if result.outside:
        assert found.start is not None and found.due is not None
        s.warn(w.t("warn.outside", date=day.isoformat(), name=found.name,
                   start=found.start.isoformat(), due=found.due.isoformat()))


_ALERTS = {"missed": {"missed", "breached"}, "behind": {"behind", "missed", "breached"}}


@app.command(help=help_key("status"))
def status(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="<date>", help=help_key("opt.as_of"))] = None,
    group: Annotated[str | None, typer.Option(
        "--group", "-g", help=help_key("status.group"))] = None,
    fmt: Annotated[Format, typer.Option("--format", help=help_key("opt.format"))
                   ] = Format.table,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help=help_key("status.fail_on"))] = None,
) -> None:
    """Show where every target stands: progress, time elapsed, verdict, projection.

    Example: bjtrack status --as-of 2022-06-30 --format json
    """
    from bjtrack.ops.status import status_report

    s = session(ctx)
    loaded = s.load()
    report = status_report(loaded, date_option(as_of, "--as-of") or today(), group)
    if fmt is Format.json:
        from bjtrack.render.jsondata import dumps, report_data

        s.data(dumps(report_data(report)))
    else:
        from bjtrack.render.table import status_table

        s.show(status_table(s.words, report, loaded.plan, s.out.width))
    if fail_on is not None and any(st.verdict and st.verdict.value in _ALERTS[fail_on.value]
                                   for st in report.targets):
        raise typer.Exit(EXIT_ALERT)


@app.command(help=help_key("targets"))
def targets(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", help=help_key("opt.format"))
                   ] = Format.table,
) -> None:
    """List the plan's targets and indicators with the sentence each came from.

    Example: bjtrack targets --format json
    """
    from bjtrack.ops.load import read_plan

    s = session(ctx)
    plan = read_plan(s.plan_path())
    if fmt is Format.json:
        from bjtrack.render.jsondata import dumps, target_fields

        s.data(dumps([target_fields(tg) for tg in plan.targets]))
        return
    from bjtrack.render.table import targets_table

    s.show(targets_table(s.words, plan, s.out.width))


@app.command(help=help_key("history"))
def history(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(
        help=help_key("arg.target"), autocompletion=complete_target)],
    show_all: Annotated[bool, typer.Option("--all", help=help_key("history.all"))] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="<date>", help=help_key("history.as_of"))] = None,
    fmt: Annotated[Format, typer.Option("--format", help=help_key("opt.format"))
                   ] = Format.table,
    chart: Annotated[bool, typer.Option("--chart", help=help_key("history.chart"))] = False,
) -> None:
    """Show a target's records in date order (and each period's result if it recurs).

    Example: bjtrack history investment
    """
    from bjtrack.ops.history import history as read_history

    s = session(ctx)
    day = date_option(as_of, "--as-of") or today()
    found = read_history(s.load(), target, day, include_retracted=show_all,
                         every=chart and fmt is not Format.json)
    if fmt is Format.json:
        from bjtrack.render.jsondata import dumps, record_fields, status_fields

        s.data(dumps({"target": found.target.id, "records": [
            dict(record_fields(r), state=found.states[r.id].state) for r in found.records],
                      "periods": [status_fields(p) for p in found.periods]}))
        return
    from bjtrack.render.table import history_table, periods_table, record_marks

    every = record_marks(s.words, found.records, found.states)
    # nothing was ever replaced (or nothing is recorded): no state column
    marks = every if show_all or not all(live for _, live in every.values()) else None
    shown: list[RenderableType] = [
        history_table(s.words, found.target, found.records, s.out.width, marks)]
    if found.periods:
        shown.append(periods_table(s.words, found.periods))
    if chart:
        from bjtrack.render.chart import history_chart

        shown.append(history_chart(s.words, found.plan, found.every, found.target, day,
                                   s.out.width))
    s.show(*shown)


@app.command(help=help_key("check"))
def check(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help=help_key("check.repair"))
                      ] = False,
    fmt: Annotated[Format, typer.Option("--format", help=help_key("opt.format"))
                   ] = Format.table,
) -> None:
    """Validate the plan and its records; list every problem with file and line.

    Example: bjtrack check --repair
    """
    from bjtrack.ops.check import check as check_plan

    s = session(ctx)
    w = s.words
    result = check_plan(s.plan_path(), now() if repair else None)
    if result.repaired:
        s.say(w.t("check.repaired", backup=result.backup) if result.backup
              else w.t("check.nothing_to_repair"))
    problems = result.problems
    if fmt is Format.json:
        from bjtrack.render.jsondata import dumps

        s.data(dumps({"ok": not problems, "records": result.records,
                      "problems": [_problem_fields(p) for p in problems]}))
    elif problems:
        for problem in problems:
            s.out.print(clean(w.describe(problem)), markup=False, highlight=False,
                        soft_wrap=True)
        s.say(w.tn("check.problems", len(problems)))
    else:
        targets = len(result.plan.targets) if result.plan else 0
        s.say(w.t("check.ok", plan=result.path, records=w.tn("count.records", result.records),
                  targets=w.tn("count.targets", targets)))
    if problems:
        raise typer.Exit(EXIT_DATA)


def _problem_fields(problem: Problem) -> dict[str, Any]:
    """A problem in `check --format json`: in English, whatever the language."""
    english = Words("en")
    return {"file": problem.file, "line": problem.line, "column": problem.column,
            "message": english.text(problem), "hint": english.hint(problem)}
