"""The core commands: log, status, targets, history, check."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bjtrack.cli.root import (
    FailOn,
    Format,
    app,
    complete_target,
    date_option,
    now,
    session,
    today,
    who,
)
from bjtrack.domain.errors import EXIT_ALERT, EXIT_DATA, Problem
from bjtrack.ops import actions
from bjtrack.render.i18n import help_text, localize, t
from bjtrack.render.text import clean


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
    day = date_option(on) or today()
    result = actions.log_value(loaded, target, value, day, now(), note=note, source=source,
                               by=who() if by is None else by, vintage=vintage, revise=revise)
    from bjtrack.domain.amounts import format_amount

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
    day = date_option(as_of) or today()
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
    from bjtrack.files import store

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
    from bjtrack.domain import evaluation

    periods = []
    if found.every:
        series = evaluation.by_series(loaded.records.records)
        periods = evaluation.history(found, series, date_option(as_of) or today(), loaded.plan)
    if fmt is Format.json:
        from bjtrack.ops.edits import record_states
        from bjtrack.render.jsondata import dumps, record_fields, status_fields

        states = record_states(records)
        s.data(dumps({"target": found.id, "records": [
            dict(record_fields(r), state=states[r.id].state) for r in records],
                      "periods": [status_fields(p) for p in periods]}))
        return
    from bjtrack.ops.edits import record_marks
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
                                  date_option(as_of) or today(), s.out.width))


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
        from bjtrack.files import store

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
