"""`bjtrack export`: what an export shows, the Word template it starts from (read and
checked here, handed on as bytes), and the -o file it is written to (never over the plan
or its records, never half-written). render.export makes the document."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from bjtrack.domain.errors import UsageError, os_reason, problem
from bjtrack.domain.model import Snapshot
from bjtrack.domain.records import by_series
from bjtrack.files import writing
from bjtrack.ops.load import Loaded
from bjtrack.ops.status import status_report


def snapshot(loaded: Loaded, as_of: date, group: str | None = None) -> Snapshot:
    report = status_report(loaded, as_of, group)
    wanted = {s.target.series for s in (*report.targets, *report.indicators)}
    series = {name: [r for r in records if r.date is not None and r.date <= as_of]
              for name, records in by_series(loaded.records.records).items()
              if name in wanted}
    return Snapshot(loaded.plan, report, {k: v for k, v in series.items() if v})


def check_output(path: Path, force: bool, protected: tuple[Path, ...], suffix: str = "html"
                 ) -> None:
    """Refuse an -o that would lose data: the plan or records file (always), an existing
    file or a symbolic link (unless --force; then the link itself is replaced, never
    what it points to), a folder, a folder that does not exist. suffix: the format's, for
    the name a folder is answered with (-o report.md)."""
    shown = str(path)
    for keep in protected:
        if _same(path, keep):
            raise UsageError(problem("err.export.protected", hint_key="hint.export.other",
                                     file=shown, name=keep.name))
    if path.is_dir():
        raise UsageError(problem("err.export.folder", hint_key="hint.export.name", file=shown,
                                 suffix=suffix))
    if not path.parent.is_dir():
        raise UsageError(problem("err.export.no_folder", hint_key="hint.export.no_folder",
                                 file=shown))
    if path.is_symlink() and not force:
        raise UsageError(problem("err.export.symlink", hint_key="hint.export.symlink",
                                 file=shown))
    if path.exists() and not force:
        raise UsageError(problem("err.export.exists", hint_key="hint.export.force",
                                 file=shown))


def check_template(path: Path) -> bytes:
    """The --template file's bytes, refused before any work is done if python-docx
    cannot open it (missing, a folder, a .dotx, a damaged zip)."""
    import io

    from docx import Document

    try:
        data = path.read_bytes()
        Document(io.BytesIO(data))
    except Exception as exc:  # a missing file, a .dotx, a damaged zip: many kinds
        # the reason in the run's language: the system's, or what python-docx found wrong
        # (its own English: "File is not a zip file") as not being a Word document
        detail = os_reason(exc) if isinstance(exc, OSError) else problem("err.not_docx")
        raise UsageError(problem("err.export.template_file",
                                 hint_key="hint.export.template_file", file=str(path),
                                 error=detail)) from None
    return data


def _same(path: Path, other: Path) -> bool:
    try:
        if os.path.lexists(path) and other.exists() and path.resolve() == other.resolve():
            return True
        return path.parent.resolve() / path.name == other.resolve()
    except OSError:
        return False


def write_output(path: Path, data: str | bytes) -> None:
    """Write the whole file at once (temp file + rename): never a half-written export."""
    writing.atomic_write(path, data.encode("utf-8") if isinstance(data, str) else data,
                         through_links=False)  # --force replaces a link (see _check)
