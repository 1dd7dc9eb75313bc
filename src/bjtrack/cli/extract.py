"""The extract command: draft targets from a plan's text, or a bulletin's figures."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bjtrack.cli.root import Session, app, date_option, now, session, today, who
from bjtrack.domain.errors import UsageError, problem
from bjtrack.render.i18n import help_key

if TYPE_CHECKING:
    from bjtrack.files.documents import Document
    from bjtrack.ops.extract import Draft


class ExtractFormat(StrEnum):
    toml = "toml"
    json = "json"
    table = "table"
    csv = "csv"


_PLAN_FORMATS = (ExtractFormat.toml, ExtractFormat.json)
_RECORD_FORMATS = (ExtractFormat.table, ExtractFormat.csv, ExtractFormat.json)


@app.command(help=help_key("extract"))
def extract(
    ctx: typer.Context,
    file: Annotated[str | None, typer.Argument(help=help_key("extract.file"))] = None,
    year: Annotated[int | None, typer.Option("--year", help=help_key("extract.year"))
                    ] = None,
    fmt: Annotated[ExtractFormat | None, typer.Option(
        "--format", help=help_key("extract.format"))] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help=help_key("extract.output"))] = None,
    append: Annotated[bool, typer.Option("--append", help=help_key("extract.append"))
                      ] = False,
    records: Annotated[str | None, typer.Option(
        "--records", help=help_key("extract.records"))] = None,
    day: Annotated[str | None, typer.Option(
        "--date", metavar="<date>", help=help_key("extract.date"))
                   ] = None,
    apply: Annotated[bool, typer.Option("--apply", help=help_key("extract.apply"))
                     ] = False,
) -> None:
    """Draft targets from a plan's text, or propose a bulletin's figures.

    Example: bjtrack extract 政府工作报告.txt --year 2025 -o targets.toml
    """
    s = session(ctx)
    from bjtrack.files.documents import read_document

    if records is not None:
        _refuse(file is not None or output is not None or append or year is not None,
                "FILE, -o, --append, --year", "err.extract.with_records")
        _check_format(fmt, _RECORD_FORMATS)
        _records(s, read_document(records), fmt or ExtractFormat.table, day, apply)
        return
    if file is None:
        raise UsageError(problem("err.extract.no_input", hint_key="hint.extract.usage"))
    _refuse(day is not None or apply, "--date, --apply", "err.extract.needs_records")
    _check_format(fmt, _PLAN_FORMATS)
    document = read_document(file)
    from bjtrack.ops.extract import draft_plan

    draft = draft_plan(document.text, year, fallback_year=today().year)
    _plan(s, document, draft, fmt or ExtractFormat.toml, output, append)


def _refuse(used: bool, options: str, key: str) -> None:
    if used:
        raise UsageError(problem(key, hint_key="hint.extract.usage", option=options))


def _check_format(fmt: ExtractFormat | None, allowed: tuple[ExtractFormat, ...]) -> None:
    if fmt is not None and fmt not in allowed:
        raise UsageError(problem("err.extract.format", hint_key="hint.extract.usage",
                                 fmt=fmt.value, allowed=", ".join(a.value for a in allowed)))


def _plan(s: Session, document: Document, draft: Draft, fmt: ExtractFormat,
          output: str | None, append: bool) -> None:
    from bjtrack.ops import extract as ex

    for skip in draft.skipped:
        key = ("extract.skipped.relative_unresolved" if skip.reason == "relative_unresolved"
               else "extract.skipped")
        s.say(s.words.t(key, clause=skip.clause))
    s.say(s.words.tn("extract.drafted", len(draft.targets), file=document.name,
                     year=draft.year))
    if append:
        path = Path(output) if output else s.plan_path()
        result = ex.append_plan(path, draft)
        s.say(s.words.t("extract.appended", path=path,
                        added=s.words.tn("count.targets", len(result.added)),
                        present=result.present))
        return
    if fmt is ExtractFormat.json:
        from bjtrack.render.jsondata import dumps, target_fields

        text = dumps({"year": draft.year,
                      "targets": [target_fields(ex.as_target(d)) for d in draft.targets],
                      "skipped": [{"quote": k.quote, "clause": k.clause, "reason": k.reason}
                                  for k in draft.skipped]})
    else:
        stem = "-" if document.name == "-" else Path(document.name).stem
        text = ex.plan_toml(draft, s.words.t("extract.plan_name", name=stem), document.name,
                            s.words.t("extract.skipped.label"))
    if output is None:
        s.data(text)
        return
    ex.write_plan(Path(output), text if text.endswith("\n") else text + "\n")
    s.say(s.words.tn("extract.written", len(draft.targets), path=output))


def _records(s: Session, document: Document, fmt: ExtractFormat, day: str | None,
             apply: bool) -> None:
    from bjtrack.ops import extract as ex

    loaded = s.load(writes=apply)
    proposals = ex.propose_records(document.text, loaded.plan, date_option(day, "--date"),
                                   fallback_year=today().year)
    source = Path(document.name).name
    if fmt is ExtractFormat.csv:
        s.data(ex.records_csv(proposals, source))
    elif fmt is ExtractFormat.json:
        from bjtrack.render.jsondata import dumps

        s.data(dumps([{"series": p.series, "date": p.date, "value": p.value, "unit": p.unit,
                       "quote": p.quote} for p in proposals]))
    else:
        from bjtrack.render.table import figures_table

        s.out.print(figures_table(s.words, [(p.series, p.name, p.date, p.value, p.unit, p.quote)
                                            for p in proposals]))
    s.say(s.words.tn("extract.found", len(proposals), file=document.name) if proposals
          else s.words.t("extract.none", file=document.name))
    if apply and proposals:
        result = ex.apply_records(loaded, proposals, source, now(), who())
        s.say(s.words.t("extract.applied", added=s.words.tn("count.records", result.added),
                        duplicates=result.duplicates))

