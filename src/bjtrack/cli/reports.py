"""Report export and bulk import commands (export, import)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bjtrack.cli.root import Session, app, date_option, now, session, today, who
from bjtrack.domain.errors import UsageError, problem
from bjtrack.render.i18n import help_key
from bjtrack.render.text import clean
from bjtrack.render.words import Words

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from bjtrack.ops.importing import ImportResult


SHOWN_CONFLICTS = 10  # warnings about figures that differ from recorded ones, at most


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"
    docx = "docx"


@app.command(help=help_key("export"))
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", help=help_key("export.format"))] = ExportFormat.markdown,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help=help_key("export.output"))] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="<date>", help=help_key("opt.as_of"))] = None,
    group: Annotated[str | None, typer.Option(
        "--group", "-g", help=help_key("status.group"))] = None,
    records: Annotated[bool, typer.Option("--records", help=help_key("export.records"))
                       ] = False,
    bom: Annotated[bool, typer.Option("--bom", help=help_key("export.bom"))] = False,
    force: Annotated[bool, typer.Option("--force", help=help_key("export.force"))] = False,
    template: Annotated[Path | None, typer.Option(
        "--template", help=help_key("export.template"))] = None,
) -> None:
    """Export the status and records for a meeting or a spreadsheet.

    Example: bjtrack export --format docx -o 执行情况.docx --as-of 2022-06-30
    """
    from bjtrack.ops import export as exporting
    from bjtrack.render.export import BINARY
    from bjtrack.render.export import export as document

    s = session(ctx)
    if bom and fmt is not ExportFormat.csv:
        raise UsageError(problem("err.export.bom", hint_key="hint.export.bom"))
    if template is not None and fmt is not ExportFormat.docx:
        raise UsageError(problem("err.export.template", hint_key="hint.export.template"))
    layout = exporting.check_template(template) if template is not None else None
    target = Path(output) if output else None
    if target is None and fmt.value in BINARY:
        raise UsageError(problem("err.export.binary", hint_key="hint.export.output",
                                 fmt=fmt.value))
    loaded = s.load()
    if target is not None:
        exporting.check_output(target, force, (loaded.plan.path, loaded.plan.records_path),
                               "md" if fmt is ExportFormat.markdown else fmt.value)
    snap = exporting.snapshot(loaded, date_option(as_of, "--as-of") or today(), group)
    data = document(s.words, snap, fmt.value, records=records, bom=bom, generated=now(),
                    template=layout)
    if target is None:
        assert isinstance(data, str)
        if sys.stdout.isatty():  # a person reads it: no escape sequence reaches the screen
            data = clean(data.replace("\r\n", "\n"))  # (a pipe gets every byte as is)
        sys.stdout.write(data)
        sys.stdout.flush()
        return
    exporting.write_output(target, data)
    s.say(s.words.t("export.written", path=target, format=fmt.value))


@app.command("import", help=help_key("import"))
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=help_key("import.file"))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=help_key("import.dry_run"))
                       ] = False,
    by: Annotated[str | None, typer.Option("--by", help=help_key("opt.by"))] = None,
    header_row: Annotated[int | None, typer.Option(
        "--header-row", help=help_key("import.header_row"))] = None,
    mapping: Annotated[list[str] | None, typer.Option(
        "--map", help=help_key("import.map"))] = None,
    year: Annotated[int | None, typer.Option(
        "--year", help=help_key("import.year"))] = None,
) -> None:
    """Import published figures from a spreadsheet: all rows or none.

    Example: bjtrack import 2022年6月数据.csv --dry-run
    """
    from bjtrack.files.layout import Layout, parse_mapping
    from bjtrack.ops.importing import import_file

    s = session(ctx)
    w = s.words
    if header_row is not None and header_row < 1:
        raise UsageError(problem("err.import.header_row", hint_key="hint.import.header_row",
                                 option="--header-row", given=header_row))
    if year is not None and not 1900 <= year <= 2999:
        raise UsageError(problem("err.import.year", hint_key="hint.import.year",
                                 option="--year", given=year))
    layout = Layout(header_row, parse_mapping(mapping or []), year)
    loaded = s.load(writes=not dry_run)
    bar = _Bar(s.err, s.words) if s.err.is_terminal else None
    try:
        result = import_file(loaded, file, now(), by=who() if by is None else by,
                             dry_run=dry_run, progress=bar, layout=layout)
    finally:
        if bar is not None:
            bar.close()
    _said(s, result, file)
    if dry_run:
        _listed(s, result)
    key = "import.dry_run" if dry_run else "import.done"
    s.say(w.t(key, added=w.tn("count.records", result.added),
              duplicates=result.duplicates, rows=w.tn("count.rows", result.rows),
              file=file.name, encoding=result.encoding))
    if result.written:
        s.say(w.t("import.batch", batch=result.batch))


def _said(s: Session, result: ImportResult, file: Path) -> None:
    """The warnings of an import: where its header is (if not the first row), the columns
    it ignored, the figures that differ from recorded ones."""
    w = s.words
    if result.by_month:
        s.say(w.tn("import.header_months", result.rows, row=result.header_row))
    elif result.header_row != 1:
        s.say(w.t("import.header", row=result.header_row))
    for name in result.ignored:
        s.warn(w.t("import.ignored", column=name))
    for conflict in result.conflicts[:SHOWN_CONFLICTS]:
        detail = w.t("import.differs", row=conflict.row, series=conflict.series,
                     date=conflict.date, entered=conflict.entered)
        s.warn(w.t("import.conflict", detail=detail))
    if len(result.conflicts) > SHOWN_CONFLICTS:
        s.warn(w.tn("import.more_conflicts", len(result.conflicts) - SHOWN_CONFLICTS))


def _listed(s: Session, result: ImportResult) -> None:
    """A dry run's listing on stdout: each record it would add, with its sheet row."""
    from bjtrack.render.text import amount

    w = s.words
    lines = [w.t("import.would_add", row=row, target=record.series, date=record.date,
                 value=amount(w, record.value, record.unit))
             for row, record in result.listed]
    if lines:
        s.data(clean("\n".join(lines)))


class _Bar:
    """A Rich progress bar on stderr for long imports (the caller shows it only on a
    terminal): the rows checked so far, once there are many (a stream has no total)."""

    LONG = 5000

    def __init__(self, console: Console, words: Words | None = None) -> None:
        self.console = console
        self.words = words or Words()
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int) -> None:
        if done < self.LONG:
            return
        if self.progress is None or self.task is None:
            from rich.progress import Progress

            self.progress = Progress(console=self.console, transient=True)
            self.progress.start()
            self.task = self.progress.add_task(self.words.t("import.progress"), total=None)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
