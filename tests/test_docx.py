"""`bjtrack export --format docx`: the Word report read back with python-docx the way a
person sees it (title, date, the 三线表 and its rules, notes, charts, page numbers), in
both languages and on an office's own template; its PNG charts drawn without matplotlib."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from bjtrack.render.png import chart_png
from conftest import Runner
from test_export import AS_OF, logged

__all__ = ["logged"]  # the fixture, shared with test_export

HEADERS_ZH = ["指标", "目标", "实际", "完成率", "时间进度(月)", "状态", "截至"]
HEADERS_EN = ["Target", "Target value", "Actual", "Done", "Time (months)", "Status", "As of"]


def word(cli: Runner, folder: Path, lang: str, *extra: str) -> Path:
    out = folder / f"report-{lang}.docx"
    result = cli("--lang", lang, "export", "--format", "docx", "-o", str(out),
                 "--as-of", AS_OF, *extra, cwd=folder)
    assert result.code == 0, result.err
    return out


def texts(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def rows_of(path: Path, index: int = 0) -> list[list[str]]:
    table = Document(str(path)).tables[index]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_chinese_report_reads_as_a_report(cli: Runner, logged: Path) -> None:
    path = word(cli, logged, "zh")
    lines = texts(path)
    assert lines[0] == "杭州高新区(滨江) 2022年目标执行情况"
    assert lines[1] == "截至2022年8月1日"
    assert lines[2].startswith("来源：《杭州高新区(滨江)")
    assert "一、总体情况" in lines and "二、需要关注的目标" in lines
    summary = next(line for line in lines if line.startswith("共"))
    assert summary.startswith("共12项目标：") and "进度正常4项" in summary
    assert "、" in summary and summary.endswith("。")
    assert "表1 主要目标执行情况" in lines
    rows = rows_of(path)
    assert rows[0] == HEADERS_ZH
    assert rows[1] == ["创新续航"] * 7  # a group row: one cell across the table
    investment = next(r for r in rows if r[0] == "区内全年投资")
    assert investment == ["区内全年投资", "超300亿元", "150亿元", "50.0%", "50.0%",
                          "进度正常", "2022-06-30"]
    props = Document(str(path)).core_properties
    assert props.title == lines[0] and "2022-08-01" in props.subject


def test_the_overview_is_a_three_line_table(cli: Runner, logged: Path) -> None:
    table = Document(str(word(cli, logged, "zh"))).tables[0]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    edge = {child.tag.split("}")[1]: child for child in borders}
    for side in ("top", "bottom"):
        assert edge[side].get(qn("w:val")) == "single"
        assert int(edge[side].get(qn("w:sz"))) >= 12  # heavy: 1.5 pt
    for side in ("left", "right", "insideH", "insideV"):
        assert edge[side].get(qn("w:val")) == "nil"  # no vertical lines, no inner grid
    for cell in table.rows[0].cells:  # the thin rule under the header
        rule = cell._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))
        assert rule.get(qn("w:val")) == "single" and int(rule.get(qn("w:sz"))) < 12
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats per page
    assert all(cell._tc.tcPr.find(qn("w:tcBorders")) is None for cell in table.rows[2].cells)


def test_notes_charts_and_page_numbers(cli: Runner, logged: Path) -> None:
    assert cli("log", "talent", "1.5万", "--date", "2022-06", cwd=logged).code == 0  # behind
    path = word(cli, logged, "zh")
    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    notes = lines[lines.index("二、需要关注的目标") + 1: lines.index("三、各项目标走势")]
    rows = rows_of(path)
    behind = [r[0] for r in rows if r[5] in ("滞后", "未完成", "略有滞后", "未守住")]
    assert len(notes) == len(behind) >= 1
    for note, name in zip(notes, behind, strict=True):
        assert name in note and "完成率" in note
    talent = next(note for note in notes if "全年引进人才" in note)
    assert talent.startswith("1. 全年引进人才：滞后。目标3.8万人，实际1.5万人（完成率39.5%")
    assert "还需完成2.3万人" in talent
    figures = [line for line in lines if re.match(r"图\d+ ", line)]
    assert figures[:2] == ["图1 全年引进人才（单位：万人）", "图2 区内全年投资（单位：亿元）"]
    assert len(doc.inline_shapes) == len(figures)
    blobs = [rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert blobs and all(b.startswith(b"\x89PNG\r\n\x1a\n") for b in blobs)
    footer = doc.sections[0].footer._element
    instructions = [el.text for el in footer.iter(qn("w:instrText"))]
    assert instructions == [" PAGE "]
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)


def test_the_english_report(cli: Runner, logged: Path) -> None:
    path = word(cli, logged, "en")
    lines = texts(path)
    assert lines[0] == "杭州高新区(滨江) 2022年目标: Progress Report"
    assert lines[1] == "As of 1 August 2022"
    assert lines[2].startswith("Source: ")
    assert any(line.startswith("12 targets: ") and "4 on track" in line for line in lines)
    rows = rows_of(path)
    assert rows[0] == HEADERS_EN
    investment = next(r for r in rows if r[0] == "区内全年投资")
    assert investment[3:] == ["50.0%", "50.0%", "on track", "2022-06-30"]
    footer = Document(str(path)).sections[0].footer.paragraphs[0].text
    assert footer.startswith("Page ")


def test_an_office_template_keeps_its_look(cli: Runner, logged: Path) -> None:
    template = Document()
    template.sections[0].header.paragraphs[0].text = "滨江区统计局"
    template.sections[0].footer.paragraphs[0].text = "地址：滨江区"
    template.add_paragraph("模板正文")
    template.save(str(logged / "office.docx"))
    path = word(cli, logged, "zh", "--template", str(logged / "office.docx"))
    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    assert lines[0] == "模板正文" and lines[1] == "杭州高新区(滨江) 2022年目标执行情况"
    assert doc.sections[0].header.paragraphs[0].text == "滨江区统计局"
    footer = [p.text for p in doc.sections[0].footer.paragraphs]
    assert footer == ["地址：滨江区", "— 1 —"]  # the page number below the office's line
    assert rows_of(path)[0] == HEADERS_ZH
    again = word(cli, logged, "en", "--template", str(path))  # a footer with a page number
    footer = Document(str(again)).sections[0].footer._element
    assert len(list(footer.iter(qn("w:instrText")))) == 1  # is not given a second one


def test_template_mistakes_are_refused(cli: Runner, logged: Path) -> None:
    result = cli("export", "--format", "html", "--template", "x.docx", cwd=logged)
    assert result.code == 2 and "--template applies to docx only" in result.err
    (logged / "bad.docx").write_text("not a zip", encoding="utf-8")
    out = logged / "r.docx"
    for bad in ("bad.docx", "missing.docx"):
        result = cli("export", "--format", "docx", "-o", str(out), "--template", bad,
                     cwd=logged)
        assert result.code == 2 and "cannot read the Word template" in result.err
        assert not out.exists()
    zh = cli("--lang", "zh", "export", "--format", "docx", "-o", str(out), "--template",
             "bad.docx", cwd=logged)  # it said Python's 'File is not a zip file'
    assert "bad.docx: 无法读取 Word 模板：不是 Word 文档（.docx）" in zh.err, zh.err
    result = cli("export", "--format", "docx", cwd=logged)
    assert result.code == 2 and "-o report.docx" in result.err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_lays_it_out(cli: Runner, logged: Path) -> None:
    """What a reader gets: LibreOffice opens the file and prints the title and the table."""
    path = word(cli, logged, "zh")
    run = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir",
                          str(logged), str(path)], capture_output=True, timeout=180,
                         check=False)
    pdf = path.with_suffix(".pdf")
    assert run.returncode == 0 and pdf.is_file(), run.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "执行情况" in text and "区内全年投资" in text
        assert re.search(r"—\s*1\s*—", text)  # the page number, from the PAGE field


# --------------------------------------------------------------------------- png

def test_png_chart_is_a_png() -> None:
    from datetime import date
    from decimal import Decimal

    from bjtrack.render.chart import Chart

    chart = Chart(points=((date(2022, 3, 31), Decimal(90) * 10**8),
                          (date(2022, 6, 30), Decimal(150) * 10**8)),
                  target=Decimal(300) * 10**8,
                  pace=((date(2022, 1, 1), Decimal(0)), (date(2022, 12, 31),
                                                         Decimal(300) * 10**8)),
                  start=date(2022, 1, 1), due=date(2022, 12, 31), unit="亿元",
                  scale=Decimal(10**8))
    data = chart_png(chart)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-12:]
    assert int.from_bytes(data[16:20], "big") == 1200  # the width in IHDR
    assert len(data) < 60_000


def test_the_word_report_needs_no_matplotlib(cli: Runner, logged: Path) -> None:
    """Charts are drawn by render/png.py; and other commands do not load python-docx."""
    import sys

    code = ("import sys\nfrom bjtrack.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('matplotlib', 'docx', 'PIL') if m in sys.modules))")
    for args, loaded in ((["export", "--format", "docx", "-o", "r.docx"], "['docx']"),
                         (["status"], "[]")):
        run = subprocess.run([sys.executable, "-c", code, *args], cwd=logged,
                             capture_output=True, text=True, timeout=120, check=False)
        assert run.stdout.strip().splitlines()[-1] == loaded, run.stderr
