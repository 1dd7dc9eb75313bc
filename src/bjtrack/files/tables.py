"""Spreadsheets as rows: CSV (UTF-8 with or without BOM, GBK/GB18030) or XLSX, with which
column holds which field of a record. Read for `bjtrack import`.

Columns (header row in Chinese or English, any order): the target (id, series or name),
the date, the value (any form `bjtrack log` accepts), and optionally a note, a source,
a vintage, who reported it, and a unit for bare numbers (150 with 单位 亿元 is 150亿元)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from bjtrack.domain.amounts import plain
from bjtrack.domain.errors import BjtrackError, UsageError, problem

# Accepted headers per field, compared after NFKC folding, lower-casing and dropping
# blanks, '_' and '-'.
COLUMNS: dict[str, tuple[str, ...]] = {
    # several target columns (a records export has series, name and id): the first
    # listed here wins
    "target": ("series", "序列", "target", "指标", "目标", "indicator", "指标名称", "代号",
               "名称", "项目", "name", "id"),
    "date": ("date", "asof", "day", "period", "日期", "截至", "截至日期", "时间", "期间", "时期"),
    "value": ("value", "actual", "figure", "amount", "数值", "实际", "数据", "实际值", "完成值",
              "值"),
    "note": ("note", "notes", "remark", "comment", "备注", "说明"),
    "source": ("source", "来源", "出处", "数据来源"),
    "vintage": ("vintage", "版本", "数据版本", "口径"),
    "unit": ("unit", "单位", "计量单位"),
    "by": ("by", "录入人", "填报人"),
}
REQUIRED = ("target", "date", "value")
RECORD_SHEETS = ("records", "记录", "数据")
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 BOM", "gb18030": "GBK"}
# The columns of `bjtrack export --records` that are not imported (they are re-made).
_EXPORT_ONLY = frozenset({"entered", "asentered", "logged", "revises", "retracts", "line",
                          "record", "记录号", "原始录入"})


@dataclass(frozen=True)
class Table:
    columns: dict[str, int]  # field -> position of its column
    rows: Iterator[tuple[int, list[str]]]  # read as they are asked for: each row with a
    # cell of some field, as its number (the header is row 1) and its cells as read
    ignored: tuple[str, ...]  # header cells that map to no field
    encoding: str  # how the file was read: utf-8, utf-8-sig, gb18030, xlsx



def _key(header: str) -> str:
    folded = unicodedata.normalize("NFKC", header).strip().lower()
    return "".join(ch for ch in folded if ch not in " _-\t（）()")


_ALIASES = {_key(alias): field for field, aliases in COLUMNS.items() for alias in aliases}


def read_table(path: Path) -> Table:
    """The rows of a CSV or XLSX file as read, and which column holds which field."""
    if not path.is_file():
        raise UsageError(problem("err.import.missing", hint_key="hint.import.file",
                                 file=str(path)))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header, body = _xlsx_rows(path)
        encoding = "xlsx"
    elif suffix == ".xls":
        raise UsageError(problem("err.import.xls", hint_key="hint.import.xls", file=str(path)))
    else:
        text, encoding = _decode(path)
        header, body = _csv_rows(text)
    fields, ignored = _map_header(header, str(path))
    columns = {field: i for i, field in fields.items()}
    return Table(columns, _filled(body, columns["target"], sorted(fields)), ignored, encoding)


def _filled(body: Iterator[tuple[int, list[str]]], first: int, positions: list[int]
            ) -> Iterator[tuple[int, list[str]]]:
    """The rows with a cell of some field that is not blank (most name a target)."""
    for number, values in body:
        if (first < len(values) and values[first].strip()) or any(
                values[i].strip() for i in positions if i < len(values)):
            yield number, values


def _decode(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    candidates: tuple[str, ...] = ("utf-8", "gb18030")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    for encoding in candidates:
        try:
            return data.decode(encoding), _ENCODING_NAMES.get(encoding, encoding)
        except UnicodeDecodeError as exc:
            error = exc
    raise BjtrackError(problem("err.import.encoding", hint_key="hint.import.encoding",
                               file=str(path), byte=error.start))


def _csv_rows(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count) if first else ","
    # a cell may be as long as the file (an exported 10 MB note): not csv's 128 KB
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])

    return header, enumerate(reader, start=2)


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise BjtrackError(problem("err.import.workbook", hint_key="hint.import.workbook",
                                   file=str(path), error=exc)) from None
    sheet = book.worksheets[0]
    for candidate in book.worksheets:
        if _key(candidate.title) in RECORD_SHEETS:
            sheet = candidate
            break
    rows = sheet.iter_rows()
    header = [_xlsx_text(c.value, None) for c in next(rows, ())]

    def body() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(rows, start=2):
            yield number, [_xlsx_text(c.value, getattr(c, "number_format", None))
                           for c in row]
        book.close()

    return header, body()


def _xlsx_text(value: object, number_format: str | None) -> str:
    """A cell as the text a person sees: 41.2% for 0.412 formatted as a percentage."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number_format and "%" in number_format:
            return plain(number * 100) + "%"
        return plain(number)
    return str(value)


def _map_header(header: list[str], file: str) -> tuple[dict[int, str], tuple[str, ...]]:
    fields: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored = []
    problems = []
    rank = {_key(a): i for i, a in enumerate(COLUMNS["target"])}
    targets = [(rank[_key(h)], i) for i, h in enumerate(header) if _key(h) in rank]
    chosen = min(targets)[1] if targets else None
    for index, name in enumerate(header):
        field = _ALIASES.get(_key(name))
        if field == "target" and index != chosen:
            continue  # another column names the target better (series before name)
        if field is None:
            if name.strip():
                ignored.append(name.strip())
            continue
        if field in seen:
            problems.append(problem("err.import.both", hint_key="hint.import.both", file=file,
                                    line=1, first=seen[field], second=name.strip(),
                                    field=field))
            continue
        seen[field] = name.strip()
        fields[index] = field
    missing = [f for f in REQUIRED if f not in seen]
    if missing:
        accepted = "; ".join(f"{f}: {', '.join(COLUMNS[f])}" for f in missing)
        found = ", ".join(h.strip() for h in header if h.strip()) or "—"
        problems.append(problem("err.import.columns", hint_key="hint.import.columns",
                                file=file, line=1, missing=", ".join(missing), found=found,
                                accepted=accepted))
    if problems:
        raise BjtrackError(*problems)
    return fields, tuple(i for i in ignored if _key(i) not in _EXPORT_ONLY)
