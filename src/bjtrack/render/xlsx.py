"""XLSX export (openpyxl, imported only here): a status sheet and a records sheet.

Numbers are stored as numbers with a display format, in the magnitude of their row's
unit column (300 with 单位 亿元); text is stored as text, never as a formula."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from bjtrack.domain.amounts import PERCENT
from bjtrack.domain.model import Plan, Record, Report, Status, Verdict
from bjtrack.render.chart import display_scale
from bjtrack.render.text import target_text, verdict_text
from bjtrack.render.words import Words

if TYPE_CHECKING:
    from openpyxl import Workbook

VERDICT_FILL = {
    Verdict.ACHIEVED: "C6EFCE",
    Verdict.ON_TRACK: "E2F0D9",
    Verdict.AT_RISK: "FFEB9C",
    Verdict.BEHIND: "F8CBAD",
    Verdict.MISSED: "FFC7CE",
    Verdict.AWAITING: "DDEBF7",
    Verdict.BREACHED: "FFC7CE",
    Verdict.NO_PACE: "DDEBF7",
    Verdict.NO_DATA: "EDEDED",
}
SHARE_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 60
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = tuple[Any, str | None]  # a value and its number format (None: text or general)


def scale_for(status: Status) -> tuple[Decimal, str]:
    """The magnitude a row is shown in: from its target (or its actual, for indicators)."""
    target = status.target
    values = [v for v in (status.target_value, target.target, status.actual) if v is not None]
    return display_scale(values[:1], target.unit)


def _amount(value: Decimal | None, scale: Decimal) -> Cell:
    if value is None:
        return None, None
    return _exact(value / scale), None


def amount_format(value: Decimal) -> str:
    """Thousands grouped, and exactly the decimals the figure has: 1,056.2 / 90 / 4.2859."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


def _exact(value: Decimal) -> Decimal:
    """Drop trailing zeros so the workbook holds the plain number (3.80000 -> 3.8)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


def _share(value: Decimal | None) -> Cell:
    return (value, SHARE_FORMAT) if value is not None else (None, None)


def _day(value: date | None) -> Cell:
    return (value, DATE_FORMAT) if value is not None else (None, None)


STATUS_HEADERS = ("group", "name", "id", "target_text", "target", "actual", "unit", "progress",
                  "elapsed", "verdict", "projected", "as_of", "records", "quote")
RECORD_HEADERS = ("date", "name", "series", "value", "unit", "vintage", "entered", "note",
                  "source", "by", "record")


def status_rows(w: Words, report: Report
                ) -> tuple[list[str], list[list[Cell]], list[Verdict | None]]:
    headers = [w.t(f"col.{name}") for name in STATUS_HEADERS]
    rows: list[list[Cell]] = []
    verdicts: list[Verdict | None] = []
    for status in (*report.targets, *report.indicators):
        target = status.target
        scale, unit = scale_for(status)
        elapsed = status.expected if status.expected is not None else status.time_elapsed
        verdict = verdict_text(w, status) + (w.t("stale") if status.stale else "")
        rows.append([
            (target.group, None), (target.name, None), (target.id, None),
            (target_text(w, target, status.target_value if target.relative_to else None)
             if not target.is_indicator else w.t("kind.indicator"), None),
            _amount(status.target_value, scale), _amount(status.actual, scale), (unit, None),
            _share(status.progress), _share(elapsed), (verdict, None),
            _amount(status.projected, scale), _day(status.actual_date),
            (status.records, "0"), (target.quote, None),
        ])
        verdicts.append(status.verdict)
    return headers, rows, verdicts


def record_rows(w: Words, records: Sequence[Record], names: Mapping[str, str],
                scales: Mapping[str, tuple[Decimal, str]]) -> tuple[list[str], list[list[Cell]]]:
    headers = [w.t(f"col.{name}") for name in RECORD_HEADERS]
    rows: list[list[Cell]] = []
    for record in records:
        scale, unit = scales.get(record.series) or display_scale([], record.unit)
        if record.unit == PERCENT:
            scale, unit = Decimal(1), PERCENT
        rows.append([
            _day(record.date), (names.get(record.series, ""), None), (record.series, None),
            _amount(record.value, scale), (unit, None), (record.vintage, None),
            (record.entered, None), (record.note, None), (record.source, None),
            (record.by, None), (record.id, None),
        ])
    return headers, rows


def render(w: Words, report: Report, plan: Plan, records: Sequence[Record],
           names: Mapping[str, str]) -> bytes:
    """The workbook, written in openpyxl's streaming mode (a year of weekly figures for
    every target is still quick)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    headers, rows, verdicts = status_rows(w, report)
    fills = {headers.index(w.t("col.verdict")): verdicts}
    _sheet(book, w.t("sheet.status"), headers, rows, fills)
    scales = {s.target.series: scale_for(s) for s in (*report.indicators, *report.targets)}
    record_headers, record_cells = record_rows(w, records, names, scales)
    _sheet(book, w.t("sheet.records"), record_headers, record_cells, {})
    book.properties.title = plan.name or plan.path.name
    book.properties.creator = "bjtrack"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
           fills: Mapping[int, Sequence[Verdict | None]]) -> None:
    """One sheet: bold frozen header row, widths to fit, text as text, numbers formatted."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    widths = [cell_len(h) for h in headers]
    for row in rows:
        for col, (value, _) in enumerate(row):
            if value is not None and value != "":
                widths[col] = max(widths[col], min(MAX_WIDTH, cell_len(str(value))))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    bold, middle = Font(bold=True), Alignment(vertical="center")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.alignment = bold, middle
        header_cells.append(cell)
    sheet.append(header_cells)
    colours = {v: PatternFill("solid", start_color=c, end_color=c)
               for v, c in VERDICT_FILL.items()}
    for index, row in enumerate(rows):
        out: list[object] = []
        for col, (value, number_format) in enumerate(row):
            if value is None or value == "":
                out.append(None)
                continue
            if isinstance(value, str) and not value.startswith(FORMULA_START) \
                    and col not in fills:
                out.append(value)  # plain text: the fast path
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: '=HYPERLINK(…)' is never a formula
                cell.quotePrefix = value.startswith(FORMULA_START)
            elif isinstance(value, Decimal) and number_format is None:
                number_format = amount_format(value)
            if number_format:
                cell.number_format = number_format
            if col in fills:
                verdict = fills[col][index]
                if verdict is not None:
                    cell.fill = colours[verdict]
            out.append(cell)
        sheet.append(out)
