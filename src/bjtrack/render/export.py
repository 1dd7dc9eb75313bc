"""`bjtrack export`: a plan's status (and records) in csv, json, markdown, html, xlsx or docx.

`export` builds the document (text or bytes) from a Snapshot (ops.export makes it and
writes the -o file; it reads a Word template, whose bytes come here: render does no file
I/O). The format modules are imported only for the format asked for."""

from __future__ import annotations

from datetime import datetime

from bjtrack.domain.errors import UsageError, problem
from bjtrack.domain.model import Snapshot
from bjtrack.render.words import Words

FORMATS = ("csv", "json", "markdown", "html", "xlsx", "docx")
BINARY = frozenset({"xlsx", "docx"})


def export(w: Words, snap: Snapshot, fmt: str, *, records: bool = False, bom: bool = False,
           generated: datetime | None = None, template: bytes | None = None) -> str | bytes:
    """The document. csv: the status rows, or with `records` the records instead (one
    table per file, as spreadsheets want); markdown: `records` adds a records table;
    json, html and xlsx always carry the records; docx (a Word report, appended to the
    .docx `template` if given) shows the status and charts."""
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

        return markdown.render(w, snap.report, snap.plan, snap.records if records else (),
                               snap.names)
    if fmt == "html":
        from bjtrack.render import html

        stamp = (generated or datetime.now()).replace(microsecond=0).isoformat(sep=" ")
        return html.render(w, snap.report, snap.plan, snap.series, stamp)
    if fmt == "xlsx":
        from bjtrack.render import xlsx

        return xlsx.render(w, snap.report, snap.plan, snap.records, snap.names,
                           generated or datetime.now())
    if fmt == "docx":
        from bjtrack.render import docx

        return docx.render(w, snap.report, snap.plan, snap.series,
                           (generated or datetime.now()).replace(microsecond=0), template)
    raise UsageError(problem("err.export.format", hint_key="hint.export.formats", fmt=fmt,
                             formats=", ".join(FORMATS)))
