"""`bjtrack export`: a plan's status (and records) in csv, json, markdown, html, xlsx or docx.

`export` builds the document (text or bytes); `check_output` and `write_output` guard
the -o file. The format modules are imported only for the format asked for."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bjtrack.domain import evaluation
from bjtrack.domain.errors import UsageError, problem
from bjtrack.domain.model import Plan, Record, Report
from bjtrack.ops import actions

FORMATS = ("csv", "json", "markdown", "html", "xlsx", "docx")
BINARY = frozenset({"xlsx", "docx"})


@dataclass(frozen=True)
class Snapshot:
    """What an export shows: the report and the current records of its series up to
    the as-of date, in date order."""

    plan: Plan
    report: Report
    series: dict[str, list[Record]]

    @property
    def records(self) -> list[Record]:
        out = [r for rs in self.series.values() for r in rs]
        out.sort(key=lambda r: (r.date or date.min, r.series))
        return out

    @property
    def names(self) -> dict[str, str]:
        """Series -> the name of the first target or indicator that reads it."""
        out: dict[str, str] = {}
        for target in self.plan.targets:
            out.setdefault(target.series, target.name)
        return out


def snapshot(loaded: actions.Loaded, as_of: date, group: str | None = None) -> Snapshot:
    report = actions.status_report(loaded, as_of, group)
    wanted = {s.target.series for s in (*report.targets, *report.indicators)}
    series = {name: [r for r in records if r.date is not None and r.date <= as_of]
              for name, records in evaluation.by_series(loaded.records.records).items()
              if name in wanted}
    return Snapshot(loaded.plan, report, {k: v for k, v in series.items() if v})


def export(snap: Snapshot, fmt: str, *, records: bool = False, bom: bool = False,
           generated: datetime | None = None, template: Path | None = None) -> str | bytes:
    """The document. csv: the status rows, or with `records` the records instead (one
    table per file, as spreadsheets want); markdown: `records` adds a records table;
    json, html and xlsx always carry the records; docx (a Word report, appended to
    `template` if given) shows the status and charts."""
    if fmt == "csv":
        from bjtrack.render import csvout

        rows = (csvout.record_rows(snap.records, snap.names) if records
                else csvout.status_rows(snap.report))
        return csvout.write(rows, bom=bom)
    if fmt == "json":
        from bjtrack.render.jsondata import dumps, record_fields, report_data

        data = report_data(snap.report)
        data["records"] = [record_fields(r) for r in snap.records]
        return dumps(data) + "\n"
    if fmt == "markdown":
        from bjtrack.render import markdown

        return markdown.render(snap.report, snap.plan, snap.records if records else (),
                               snap.names)
    if fmt == "html":
        from bjtrack.render import html

        stamp = (generated or datetime.now()).replace(microsecond=0).isoformat(sep=" ")
        return html.render(snap.report, snap.plan, snap.series, stamp)
    if fmt == "xlsx":
        from bjtrack.render import xlsx

        return xlsx.render(snap.report, snap.plan, snap.records, snap.names,
                           generated or datetime.now())
    if fmt == "docx":
        from bjtrack.render import docx

        return docx.render(snap.report, snap.plan, snap.series,
                           (generated or datetime.now()).replace(microsecond=0), template)
    raise UsageError(problem("err.export.format", hint_key="hint.export.formats", fmt=fmt,
                             formats=", ".join(FORMATS)))


def check_output(path: Path, force: bool, protected: tuple[Path, ...]) -> None:
    """Refuse an -o that would lose data: the plan or records file (always), an existing
    file or a symbolic link (unless --force; then the link itself is replaced, never
    what it points to), a folder, a folder that does not exist."""
    shown = str(path)
    for keep in protected:
        if _same(path, keep):
            raise UsageError(problem("err.export.protected", hint_key="hint.export.other",
                                     file=shown, name=keep.name))
    if path.is_dir():
        raise UsageError(problem("err.export.folder", hint_key="hint.export.name", file=shown))
    if not path.parent.is_dir():
        raise UsageError(problem("err.export.no_folder", hint_key="hint.export.no_folder",
                                 file=shown))
    if path.is_symlink() and not force:
        raise UsageError(problem("err.export.symlink", hint_key="hint.export.symlink",
                                 file=shown))
    if path.exists() and not force:
        raise UsageError(problem("err.export.exists", hint_key="hint.export.force",
                                 file=shown))


def check_template(path: Path) -> None:
    """Refuse a --template that python-docx cannot open, before any work is done."""
    from docx import Document

    try:
        Document(str(path))
    except Exception as exc:  # a missing file, a .dotx, a damaged zip: many kinds
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise UsageError(problem("err.export.template_file",
                                 hint_key="hint.export.template_file", file=str(path),
                                 error=detail)) from None


def _same(path: Path, other: Path) -> bool:
    try:
        if os.path.lexists(path) and other.exists() and path.resolve() == other.resolve():
            return True
        return path.parent.resolve() / path.name == other.resolve()
    except OSError:
        return False


def write_output(path: Path, data: str | bytes) -> None:
    """Write the whole file at once (temp file + rename): never a half-written export."""
    from bjtrack.files.store import atomic_write

    existed = os.path.lexists(path)
    atomic_write(path, data.encode("utf-8") if isinstance(data, str) else data)
    if not existed:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(path, 0o666 & ~mask)  # a new file: readable as any file the user makes
