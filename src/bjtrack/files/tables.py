"""Spreadsheets as rows: CSV (UTF-8 with or without BOM, GBK/GB18030) or XLSX, read as a
stream of figures for `bjtrack import`: memory does not grow with the rows.

Which row is the header and what its columns hold is `files.layout`: the target (id,
series or name), the date, the value (any form `bjtrack log` accepts), and optionally a
note, a source, a vintage, who reported it, and a unit for bare numbers (150 with 单位
亿元 is 150亿元); or months as columns."""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from bjtrack.domain.amounts import plain
from bjtrack.domain.errors import BjtrackError, UsageError, problem
from bjtrack.files.layout import (
    HEADER_SCAN,
    Layout,
    Row,
    field_rows,
    find_header,
    key,
    month_rows,
    title_year,
)

RECORD_SHEETS = ("records", "记录", "数据")
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 BOM", "gb18030": "GBK"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Table:
    rows: Iterator[Row]  # read as they are asked for: each figure's row number (the
    # sheet's first row is 1) and its cells in `layout.FIELDS` order
    ignored: tuple[str, ...]  # header cells that map to no field
    encoding: str  # how the file was read: utf-8, utf-8-sig, gb18030, xlsx
    header_row: int  # where the header was found
    by_month: bool  # one row per indicator, months as columns


def read_table(path: Path, layout: Layout = Layout()) -> Table:
    """The figures of a CSV or XLSX file as its rows are read, after its header (found, or
    the row `layout` names)."""
    if not path.is_file():
        key = "err.import.folder" if path.is_dir() else "err.import.missing"
        raise UsageError(problem(key, hint_key="hint.import.file", file=str(path)))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _xlsx_rows(path)
        encoding = "xlsx"
    elif suffix == ".xls":
        raise UsageError(problem("err.import.xls", hint_key="hint.import.xls", file=str(path)))
    else:
        encoding = _encoding(path)
        raw = _csv_rows(path, encoding)
    file = str(path)
    scan = max(HEADER_SCAN, layout.header_row or 0)
    header, above, after = find_header(itertools.islice(raw, scan), layout, file)
    body = itertools.chain(after, raw)
    if header.by_month:
        year = layout.year or title_year(above)
        rows = month_rows(header, body, year, file)
    else:
        rows = field_rows(header, body)
    ignored = header.ignored
    if not header.by_month:  # month columns beside a date and a value column: not read
        ignored += tuple(name for *_, name in header.months)
    return Table(rows, ignored, _ENCODING_NAMES.get(encoding, encoding), header.row,
                 header.by_month)


def _encoding(path: Path) -> str:
    """UTF-8 (with or without its BOM) if every byte decodes as such, else GBK (GB18030):
    checked a piece at a time, never the whole file in memory."""
    with path.open("rb") as handle:
        if handle.read(3) == b"\xef\xbb\xbf":
            return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        at = 0
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
                    at += len(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            bad = at + exc.start
    raise BjtrackError(problem("err.import.encoding", hint_key="hint.import.encoding",
                               file=str(path), byte=bad))


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """Every row of a CSV file as it is read (the first row is 1)."""
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
        delimiter = max(",\t;", key=first.count) if first else ","
        # a cell may be as long as the file (an exported 10 MB note): not csv's 128 KB
        csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size + 1))
        handle.seek(0)
        yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Every row of the workbook's records sheet (记录/records, else its first) as the
    text a person sees in its cells, read as a stream (openpyxl's read-only mode)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise BjtrackError(problem("err.import.workbook", hint_key="hint.import.workbook",
                                   file=str(path), error=exc)) from None
    try:
        sheet = book.worksheets[0]
        for candidate in book.worksheets:
            if key(candidate.title) in RECORD_SHEETS:
                sheet = candidate
                break
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, [_xlsx_text(c.value, getattr(c, "number_format", None))
                           for c in row]
    finally:
        book.close()


_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^]]*\]|_.|\*.')  # quoted text, escapes, [colour]


def _xlsx_text(value: object, number_format: str | None) -> str:
    """A cell as the text a person sees: 41.2% for 0.412 formatted `0.0%` and for 41.2
    formatted `0.0"%"` (a literal sign), 2022-06 for a date formatted as its month."""
    if value is None:
        return ""
    shown = _LITERAL.sub("", number_format or "").lower()
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        if any(c in shown for c in "dhs") or not any(c in shown for c in "ym"):
            return day.isoformat()
        if "m" in shown:  # yyyy"年"m"月", yyyy-mm, mmm-yy: the month, so its last day
            return f"{day.year:04d}-{day.month:02d}"
        return f"{day.year:04d}"  # yyyy: the year
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in shown:  # a percent format shows the value times 100
            return plain(number * 100) + "%"
        if number_format and "%" in number_format:  # the sign is text: the value as is
            return plain(number) + "%"
        return plain(number)
    return str(value)
