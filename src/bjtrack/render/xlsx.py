"""XLSX export (openpyxl, imported only here): a status sheet and a records sheet.

Numbers are stored as numbers with a display format, in the magnitude of their row's
unit column (300 with 单位 亿元). The status sheet shows what the report shows (at most
two decimals, percentages with one) while its cells keep the exact value; the records
sheet shows every figure exactly as recorded, and `bjtrack import` reads it back. Text
is stored as text, never as a formula. Both sheets print on A4 landscape, one page wide,
with the header row repeated."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from bjtrack.domain.amounts import PERCENT
from bjtrack.domain.model import Plan, Record, Report, Status, Verdict
from bjtrack.render.chart import display_scale
from bjtrack.render.text import goal_text, verdict_text
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
WRAP_WIDTH = 40  # quote, note and source columns: wrapped at this width
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
A4 = 9  # openpyxl's paperSize code for A4

Cell = tuple[Any, str | None]  # a value and its number format (None: text or general)


@dataclass(frozen=True)
class Layout:
    """How a sheet is laid out: title lines above the header, the columns whose text
    wraps, the first column that scrolls (the ones left of it stay in view)."""

    titles: Sequence[str] = ()
    wrapped: frozenset[int] = frozenset()
    fills: Mapping[int, Sequence[Verdict | None]] = field(default_factory=dict)
    scroll_from: int = 1


def scale_for(status: Status) -> tuple[Decimal, str]:
    """The magnitude a row is shown in: from its target (or its actual, for indicators)."""
    target = status.target
    values = [v for v in (status.target_value, target.target, status.actual) if v is not None]
    return display_scale(values[:1], target.unit)


def _amount(value: Decimal | None, scale: Decimal, unit: str, exact: bool = True) -> Cell:
    """A figure of the status sheet: the exact value, shown as the report shows it."""
    if value is None:
        return None, None
    shown = _exact(value / scale)
    return shown, shown_format(shown, unit, exact)


def shown_format(value: Decimal, unit: str, exact: bool = True) -> str:
    """As the report shows a figure: a percentage with one decimal (40.0), a published
    figure with its own decimals up to two (1,056.2), a computed one with two (4.23)."""
    if unit == PERCENT:
        places = 1
    elif not exact:
        places = 2
    else:
        places = min(2, _places(value))
    return "#,##0" + ("." + "0" * places if places else "")


def amount_format(value: Decimal) -> str:
    """Thousands grouped, and exactly the decimals the figure has: 1,056.2 / 90 / 4.2859
    (the records sheet, which shows each figure as it was recorded)."""
    return "#,##0" + ("." + "0" * _places(value) if _places(value) else "")


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _recorded(value: Decimal | None, scale: Decimal) -> Cell:
    """A figure of the records sheet: exact, with exactly its own decimals."""
    if value is None:
        return None, None
    shown = _exact(value / scale)
    return shown, amount_format(shown)


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


def status_rows(w: Words, report: Report, plan: Plan
                ) -> tuple[list[str], list[list[Cell]], list[Verdict | None]]:
    headers = [w.t(f"col.{name}") for name in STATUS_HEADERS]
    rows: list[list[Cell]] = []
    verdicts: list[Verdict | None] = []
    for status in (*report.targets, *report.indicators):
        target = status.target
        scale, unit = scale_for(status)
        verdict = verdict_text(w, status) + (w.t("stale") if status.stale else "")
        rows.append([
            (target.group, None), (target.name, None), (target.id, None),
            (goal_text(w, status, plan)
             if not target.is_indicator else w.t("kind.indicator"), None),
            _amount(status.target_value, scale, unit), _amount(status.actual, scale, unit),
            (unit, None), _share(status.progress), _share(status.pace), (verdict, None),
            _amount(status.projected, scale, unit, exact=False), _day(status.actual_date),
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
            _recorded(record.value, scale), (unit, None), (record.vintage, None),
            (record.entered, None), (record.note, None), (record.source, None),
            (record.by, None), (record.id, None),
        ])
    return headers, rows


def render(w: Words, report: Report, plan: Plan, records: Sequence[Record],
           names: Mapping[str, str], generated: datetime | None = None) -> bytes:
    """The workbook, written in openpyxl's streaming mode (a year of weekly figures for
    every target is still quick)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    name = plan.name or plan.path.name
    title = w.t("title.status", plan=name, as_of=report.as_of.isoformat())
    source = w.t("html.source", source=plan.source) if plan.source else ""
    headers, rows, verdicts = status_rows(w, report, plan)
    status_layout = Layout(
        titles=(title, source or w.t("xlsx.no_source")),
        wrapped=frozenset({headers.index(w.t("col.quote"))}),
        fills={headers.index(w.t("col.verdict")): verdicts},
        scroll_from=headers.index(w.t("col.id")))
    _sheet(book, w.t("sheet.status"), headers, rows, status_layout)
    scales = {s.target.series: scale_for(s) for s in (*report.indicators, *report.targets)}
    record_headers, record_cells = record_rows(w, records, names, scales)
    wrapped = {record_headers.index(w.t(k)) for k in ("col.note", "col.source", "col.entered")}
    _sheet(book, w.t("sheet.records"), record_headers, record_cells,
           Layout(wrapped=frozenset(wrapped), scroll_from=1))
    props = book.properties
    props.title = title
    props.subject = w.sep.join(p for p in (w.t("docx.as_of", date=report.as_of.isoformat()),
                                           source) if p)
    props.creator = "bjtrack"
    moment = generated or datetime.now()
    props.created = props.modified = (moment.astimezone(UTC).replace(tzinfo=None)
                                      if moment.tzinfo else moment)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Cell]],
            wrapped: frozenset[int]) -> list[int]:
    """Columns wide enough for their text (a CJK character counts two), wrapped ones
    capped; a number's width is that of its shown form, about."""
    widths = [cell_len(h) for h in headers]
    for row in rows:
        for col, (value, _) in enumerate(row):
            if value is None or value == "":
                continue
            size = 10 if isinstance(value, date) else cell_len(str(value))
            if isinstance(value, Decimal):
                size = min(size, len(f"{value:,.2f}"))
            widths[col] = max(widths[col], min(MAX_WIDTH, size))
    return [min(WRAP_WIDTH if col in wrapped else MAX_WIDTH, width + 2)
            for col, width in enumerate(widths)]


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
           layout: Layout) -> None:
    """One sheet: title lines, a bold header row with a filter that repeats on every
    printed page, panes frozen at the first figure, widths to fit, long text wrapped."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    for col, width in enumerate(_widths(headers, rows, layout.wrapped), start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    head = len(layout.titles) + 1  # the header's row number
    last = get_column_letter(len(headers))
    sheet.freeze_panes = f"{get_column_letter(layout.scroll_from + 1)}{head + 1}"
    sheet.auto_filter.ref = f"A{head}:{last}{head + max(1, len(rows))}"
    sheet.print_title_rows = f"{head}:{head}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    for index, line in enumerate(layout.titles):
        sheet.append([_styled(sheet, line, font=Font(bold=True, size=14 if index == 0
                                                      else 10))])
    _rows(sheet, headers, rows, layout)


def _legal(value: Any) -> Any:
    """Text without the control characters a worksheet cannot hold (ESC, BEL… a note may
    carry them): openpyxl refuses such a cell with an exception."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _styled(sheet: Any, value: Any, **style: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=_legal(value))
    for key, setting in style.items():
        setattr(cell, key, setting)
    return cell


def _rows(sheet: Any, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
          layout: Layout) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold, middle = Font(bold=True), Alignment(vertical="center", wrap_text=True)
    sheet.append([_styled(sheet, h, font=bold, alignment=middle) for h in headers])
    wrap = Alignment(wrap_text=True, vertical="top")
    colours = {v: PatternFill("solid", start_color=c, end_color=c)
               for v, c in VERDICT_FILL.items()}
    for index, row in enumerate(rows):
        out: list[object] = []
        for col, (value, number_format) in enumerate(row):
            if value is None or value == "":
                out.append(None)
                continue
            value = _legal(value)
            if isinstance(value, str) and not value.startswith(FORMULA_START) \
                    and col not in layout.fills and col not in layout.wrapped:
                out.append(value)  # plain text: the fast path
                continue
            cell = _styled(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: '=HYPERLINK(…)' is never a formula
                cell.quotePrefix = value.startswith(FORMULA_START)
            elif isinstance(value, Decimal) and number_format is None:
                number_format = amount_format(value)
            if number_format:
                cell.number_format = number_format
            if col in layout.wrapped:
                cell.alignment = wrap
            if col in layout.fills:
                verdict = layout.fills[col][index]
                if verdict is not None:
                    cell.fill = colours[verdict]
            out.append(cell)
        sheet.append(out)
