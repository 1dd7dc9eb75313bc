"""Word export (python-docx, imported only here): the 执行情况 report an office hands in.

Title, as-of date and source; a summary line; one 三线表 overview table (heavy top and
bottom rules, a thin rule under the header, no vertical lines, all set in the table's XML);
notes on the targets that are behind or missed; a chart per target with figures (PNG drawn
by render/png.py, no matplotlib); page numbers in the footer as a PAGE field.

With a template (an office's own .docx) the report is appended to it and keeps its styles,
header and logo; without one, a plain A4 document is set up in 宋体/黑体."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from bjtrack.domain.model import Plan, Record, Report, Status, Verdict, verdict_counts
from bjtrack.render.chart import chart_for
from bjtrack.render.text import (
    actual_text,
    amount,
    clean,
    detail_text,
    goal_text,
    needed,
    percent,
    verdict_text,
)
from bjtrack.render.words import Words

if TYPE_CHECKING:
    from docx.document import Document
    from docx.shared import Length
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

COLUMNS = ("col.name", "col.target", "col.actual", "col.progress", "col.elapsed",
           "col.verdict", "col.as_of")
WIDTHS_MM = (40, 26, 20, 14, 17, 18, 21)  # 156 mm: A4 less the margins below
MARGINS_MM = (30, 26, 28, 26)  # top, right, bottom, left
NOTED = (Verdict.BEHIND, Verdict.MISSED, Verdict.BREACHED, Verdict.AT_RISK)
SERIF, SANS, LATIN = "宋体", "黑体", "Times New Roman"
HEAVY, THIN = 12, 6  # rule widths in eighths of a point: 1.5 pt and 0.75 pt
TABLE_PT = 9
CHART_MM = 150


def render(w: Words, report: Report, plan: Plan, series: Mapping[str, Sequence[Record]],
           generated: datetime, template: bytes | None = None) -> bytes:
    """The .docx file. `series`: current records per series; `template`: the bytes of a
    .docx to start from (its content stays, the report follows it), read by the caller."""
    from docx import Document as open_document

    doc = open_document(io.BytesIO(template) if template is not None else None)
    if template is None:
        _page(doc)
        _styles(doc)
    name = clean(plan.name or plan.path.name)
    _heading(doc, w.t("docx.title", plan=name), "Title")
    meta = [w.t("docx.as_of", date=long_date(w, report.as_of))]
    if plan.source:
        meta.append(w.t("html.source", source=clean(plan.source)))
    for line in meta:
        paragraph = doc.add_paragraph()
        _align(paragraph, centre=True)
        paragraph.add_run(line).font.size = _pt(10.5)
    _heading(doc, w.t("docx.h.overview"), "Heading 1")
    _body(doc, summary_line(w, report.targets))
    _caption(doc, w.t("docx.table", number=1))
    _overview(w, doc, report.targets, plan)
    if report.indicators:
        _caption(doc, w.t("docx.table.indicators", number=2))
        _indicators(w, doc, report.indicators)
    _heading(doc, w.t("docx.h.notes"), "Heading 1")
    noted = [s for s in report.targets if s.verdict in NOTED]
    if not noted:
        _body(doc, w.t("docx.no_notes"))
    for number, status in enumerate(noted, start=1):
        _note(w, doc, number, status, plan)
    _charts(w, doc, report, series)
    _footer(w, doc)
    props = doc.core_properties
    props.title = w.t("docx.title", plan=name)
    props.subject = w.t("docx.as_of", date=report.as_of.isoformat())
    stamp = utc(generated)
    props.created = props.modified = stamp
    props.revision = 1
    if template is None:
        props.author = props.last_modified_by = "bjtrack"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def utc(moment: datetime) -> datetime:
    """A naive UTC time, as the document properties store it."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def long_date(w: Words, day: date) -> str:
    """2022年8月1日 / 1 August 2022."""
    if w.zh:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def summary_line(w: Words, statuses: Sequence[Status]) -> str:
    """共12项目标：已完成1项、进度正常4项…。 / 12 targets: 1 achieved, 4 on track…."""
    parts = [w.t("docx.count", verdict=w.t(f"verdict.{v.value}"), count=count)
             for v, count in verdict_counts(statuses).items()]
    sep = "、" if w.zh else ", "
    return w.tn("docx.summary", len(statuses), total=len(statuses),
                counts=sep.join(parts) or w.t("none"))


def status_cells(w: Words, status: Status, plan: Plan) -> list[str]:
    """One row of the overview table, as shown."""
    target = status.target
    return [
        clean(target.name),
        clean(goal_text(w, status, plan)),
        clean(actual_text(w, status)),
        percent(w, status.progress),
        percent(w, status.pace),
        verdict_text(w, status) + (w.t("stale") if status.stale else ""),
        status.actual_date.isoformat() if status.actual_date else w.t("none"),
    ]


# --------------------------------------------------------------------------- set-up

def _page(doc: Document) -> None:
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        top, right, bottom, left = MARGINS_MM
        section.top_margin, section.right_margin = Mm(top), Mm(right)
        section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
        section.footer_distance = Mm(15)


def _styles(doc: Document) -> None:
    """宋体 body, 黑体 headings, black text (python-docx's own template is blue Calibri)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    looks = {"Normal": (SERIF, 12, False), "Title": (SERIF, 20, True),
             "Heading 1": (SANS, 14, False), "Caption": (SANS, 10.5, False)}
    for name, (face, size, bold) in looks.items():
        style = doc.styles[name]
        font = style.font
        font.name, font.size, font.bold = LATIN, Pt(size), bold
        font.italic = False
        font.color.rgb = RGBColor(0, 0, 0)
        _east_asian(style.element, face)
        fmt = style.paragraph_format
        fmt.space_before = Pt(12 if name == "Heading 1" else 6 if name == "Caption" else 0)
        fmt.space_after = Pt(6 if name != "Normal" else 4)
        fmt.line_spacing = 1.25 if name == "Normal" else 1.0
        if name in ("Title", "Caption"):
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if name == "Title":
            _drop(style.element, "w:pPr/w:pBdr")  # the default Title has a blue rule


def _east_asian(element: object, face: str) -> None:
    """Set the font for Chinese characters (w:eastAsia), which python-docx's API lacks."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), face)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def _drop(element: object, path: str) -> None:
    for found in element.xpath(path):  # type: ignore[attr-defined]
        found.getparent().remove(found)


def _heading(doc: Document, text: str, style: str) -> Paragraph:
    """A paragraph in the document's own style of that name (a template's look), or in
    bold when the template has no such style."""
    try:
        return doc.add_paragraph(text, style=style)
    except KeyError:
        paragraph = doc.add_paragraph()
        paragraph.add_run(text).bold = True
        _align(paragraph, centre=style == "Title")
        return paragraph


def _pt(size: float) -> Length:
    from docx.shared import Pt

    return Pt(size)


def _body(doc: Document, text: str) -> None:
    """A paragraph of text, its first line indented by two characters (the Chinese way)."""
    paragraph = doc.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = _pt(24)


def _align(paragraph: Paragraph, *, centre: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centre else WD_ALIGN_PARAGRAPH.LEFT


def _caption(doc: Document, text: str) -> None:
    paragraph = _heading(doc, text, "Caption")
    _align(paragraph, centre=True)
    paragraph.paragraph_format.keep_with_next = True


# --------------------------------------------------------------------------- tables

def _overview(w: Words, doc: Document, statuses: Sequence[Status], plan: Plan) -> None:
    groups = {s.target.group for s in statuses}
    grouped = len(groups) > 1 or groups != {""}
    rows: list[list[str] | str] = []
    current: str | None = None
    for status in statuses:
        if grouped and status.target.group != current:
            current = status.target.group
            rows.append(clean(current) or w.t("html.ungrouped"))
        rows.append(status_cells(w, status, plan))
    _three_line(doc, [w.t(k) for k in COLUMNS], rows, WIDTHS_MM)


def _indicators(w: Words, doc: Document, statuses: Sequence[Status]) -> None:
    rows: list[list[str] | str] = [
        [clean(s.target.name), clean(amount(w, s.actual, s.target.unit)),
         (s.actual_date.isoformat() if s.actual_date else w.t("none"))
         + (w.t("stale") if s.stale else "")] for s in statuses]
    headers = [w.t("col.name"), w.t("col.actual"), w.t("col.as_of")]
    _three_line(doc, headers, rows, (76, 40, 40))


def _three_line(doc: Document, headers: Sequence[str], rows: Sequence[list[str] | str],
                widths: Sequence[int]) -> None:
    """A 三线表: rows are cell texts, or a group name (a bold row across the table)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm

    table: Table = doc.add_table(rows=1, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_borders(table)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _fill(cell, text, bold=True, centre=True)
        _cell_rule(cell, "bottom", THIN)
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            _fill(merged, row, bold=True, centre=False)
            continue
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _fill(cell, text, bold=False, centre=index > 0)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice and WPS follow
        for cell in column.cells:
            cell.width = Mm(width)  # each cell's own width, which Word follows


def _table_borders(table: Table) -> None:
    """Heavy top and bottom rules, nothing else (the header rule is on its cells)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = table._tbl.tblPr
    _drop(props, "w:tblBorders")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        heavy = side in ("top", "bottom")
        edge.set(qn("w:val"), "single" if heavy else "nil")
        if heavy:
            edge.set(qn("w:sz"), str(HEAVY))
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    props.append(borders)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    props.append(layout)


def _cell_rule(cell: _Cell, side: str, size: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    edge = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "0"),
                       ("w:color", "000000")):
        edge.set(qn(key), value)
    borders.append(edge)
    props.append(borders)


def _repeat_header(row: object) -> None:
    """The header row repeats on every page the table runs to."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    props.append(header)


def _fill(cell: _Cell, text: str, *, bold: bool, centre: bool) -> None:
    from docx.enum.table import WD_ALIGN_VERTICAL
    from docx.shared import Pt

    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    paragraph = cell.paragraphs[0]
    _align(paragraph, centre=centre)
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(2), Pt(2), 1.0
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(TABLE_PT)


# --------------------------------------------------------------------------- notes, charts

def _note(w: Words, doc: Document, number: int, status: Status, plan: Plan) -> None:
    """'1. 区内全年投资：滞后。目标超300亿元，实际90亿元（完成率30.0%，时间进度58.3%）。
    还需完成210亿元，月均需完成42亿元。'"""
    target = status.target
    stop = "。" if w.zh else ". "
    text = w.t("docx.note", number=number, name=clean(target.name),
               verdict=verdict_text(w, status),
               target=clean(goal_text(w, status, plan)),
               actual=clean(actual_text(w, status)),
               progress=percent(w, status.progress), elapsed=percent(w, status.pace))
    detail = detail_text(w, status, stretch=False)
    if not detail and status.verdict is Verdict.MISSED and status.remaining is not None \
            and status.remaining > 0:
        detail = w.t("docx.short_by",
                     remaining=needed(w, status.remaining, target.unit))
    if detail:
        text += clean(detail) + stop.strip()
    _body(doc, text.strip())


def _charts(w: Words, doc: Document, report: Report,
            series: Mapping[str, Sequence[Record]]) -> None:
    """One chart per target with figures, as PNG (Word has no portable SVG)."""
    from docx.shared import Mm

    from bjtrack.render.png import chart_png

    drawn = [(s, chart_for(s, series.get(s.target.series, ()))) for s in report.targets]
    drawn = [(s, c) for s, c in drawn if c.points]
    if not drawn:
        return
    _heading(doc, w.t("docx.h.charts"), "Heading 1")
    _body(doc, w.t("docx.legend"))
    for number, (status, chart) in enumerate(drawn, start=1):
        picture = doc.add_paragraph()
        _align(picture, centre=True)
        picture.paragraph_format.keep_with_next = True
        picture.add_run().add_picture(io.BytesIO(chart_png(chart)), width=Mm(CHART_MM))
        label = w.t("docx.figure", number=number, name=clean(status.target.name))
        if chart.unit:
            label += w.t("docx.figure.unit", unit=chart.unit)
        _caption(doc, label)
        doc.paragraphs[-1].paragraph_format.keep_with_next = False


# --------------------------------------------------------------------------- footer

def _footer(w: Words, doc: Document) -> None:
    """'— 1 —' page numbers (a PAGE field) in the footer of each section that has its own,
    unless the template's footer already has a page number."""
    from docx.oxml.ns import qn

    for index, section in enumerate(doc.sections):
        footer = section.footer
        if index > 0 and footer.is_linked_to_previous:
            continue  # it shows the previous section's footer
        root = footer._element
        if any("PAGE" in (el.text or "") for el in root.iter(qn("w:instrText"))) or any(
                "PAGE" in el.get(qn("w:instr"), "") for el in root.iter(qn("w:fldSimple"))):
            continue
        paragraphs = footer.paragraphs
        paragraph = (paragraphs[0] if paragraphs and not paragraphs[0].text.strip()
                     else footer.add_paragraph())
        _align(paragraph, centre=True)
        before, _, after = w.t("docx.page", page="\0").partition("\0")
        paragraph.add_run(before)
        _page_field(paragraph)
        paragraph.add_run(after)


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field as Word writes it: begin, instruction, separate, last value, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> object:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    shown = OxmlElement("w:t")
    shown.text = "1"
    run = paragraph.add_run()._r
    for element in (char("begin"), instruction, char("separate"), shown, char("end")):
        run.append(element)
