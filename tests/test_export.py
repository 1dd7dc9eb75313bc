"""`bjtrack export` in every format, read back the way a person's tools would read it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bjtrack.render.export import BINARY, FORMATS
from conftest import REPO, Runner

AS_OF = "2022-08-01"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://example.invalid/x","click")'


@pytest.fixture
def logged(cli: Runner, shipped: Path) -> Path:
    """The shipped plan with a few figures added, one of them carrying hostile text."""
    rows = [
        ("investment", "2022-03", "90亿", "", ""),
        ("investment", "2022-06", "150亿", SCRIPT, FORMULA),
        ("new-firms", "2022-06", "8000", "", ""),
        ("firms-total", "2022-03", "7.6万", "", ""),
        ("firms-total", "2022-06", "7.9万", "", ""),
        ("industry-share", "2022-06", "41.2%", "", ""),
        ("gdp-growth", "2022-03", "-3.5%", "-1+1", ""),
    ]
    out = io.StringIO()
    csv.writer(out).writerows([("target", "date", "value", "note", "source"), *rows])
    (shipped / "figures.csv").write_text(out.getvalue(), encoding="utf-8")
    result = cli("import", "figures.csv", "--by", "tester", cwd=shipped)
    assert result.code == 0 and "imported 7 records" in result.err, result.err
    return shipped


def status_json(cli: Runner, folder: Path) -> dict[str, object]:
    result = cli("status", "--format", "json", "--as-of", AS_OF, cwd=folder)
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out, parse_float=Decimal)
    return data


def export(cli: Runner, folder: Path, fmt: str, *extra: str, lang: str = "en") -> str:
    result = cli("--lang", lang, "export", "--format", fmt, "--as-of", AS_OF, *extra,
                 cwd=folder)
    assert result.code == 0, result.err
    return result.out


def text_of(value: object) -> str:
    """A status JSON value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --------------------------------------------------------------------------- csv

def test_csv_has_one_row_per_target_with_every_status_field(cli: Runner, logged: Path) -> None:
    status = status_json(cli, logged)
    rows = list(csv.DictReader(io.StringIO(export(cli, logged, "csv"))))
    targets = status["targets"]
    assert isinstance(targets, list)
    by_id = {row["id"]: row for row in rows}
    assert [row["id"] for row in rows[: len(targets)]] == [t["id"] for t in targets]
    for target in targets:
        row = by_id[target["id"]]
        for key, value in target.items():
            if key == "period":
                assert row["period_start"] == text_of(value and value["start"])
                assert row["period_due"] == text_of(value and value["due"])
            elif key != "milestones":
                assert row[key] == text_of(value), (target["id"], key)
    assert by_id["investment"]["actual"] == "15000000000"
    assert by_id["investment"]["verdict"] == "on_track"
    indicators = status["indicators"]
    assert isinstance(indicators, list)
    assert {i["id"] for i in indicators} <= set(by_id)
    assert by_id["gdp"]["actual"] == "105620000000"


def test_csv_is_plain_utf8_and_bom_on_request(cli: Runner, logged: Path) -> None:
    plain_out = logged / "plain.csv"
    bom_out = logged / "excel.csv"
    assert cli("export", "--format", "csv", "-o", str(plain_out), cwd=logged).code == 0
    assert cli("export", "--format", "csv", "--bom", "-o", str(bom_out), cwd=logged).code == 0
    raw = plain_out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert bom_out.read_bytes().startswith(b"\xef\xbb\xbf")
    with plain_out.open(encoding="utf-8", newline="") as handle:
        plain_rows = list(csv.DictReader(handle))
    with bom_out.open(encoding="utf-8-sig", newline="") as handle:
        bom_rows = list(csv.DictReader(handle))
    assert plain_rows == bom_rows
    assert next(iter(bom_rows[0])) == "id"
    assert any(r["name"] == "区内全年投资" for r in bom_rows)


def test_csv_records_is_the_records_table(cli: Runner, logged: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export(cli, logged, "csv", "--records"))))
    mine = [r for r in rows if r["series"] == "investment"]
    assert [(r["date"], r["value"], r["name"]) for r in mine] == [
        ("2022-03-31", "9000000000", "区内全年投资"), ("2022-06-30", "15000000000", "区内全年投资")]
    assert {"id", "series", "date", "value", "unit", "note", "source"} <= set(rows[0])


def test_csv_neutralises_formulas_but_keeps_negative_numbers(cli: Runner, logged: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export(cli, logged, "csv", "--records"))))
    hostile = next(r for r in rows if r["series"] == "investment" and r["date"] == "2022-06-30")
    assert hostile["source"] == "'" + FORMULA
    assert hostile["note"] == SCRIPT
    growth = next(r for r in rows if r["series"] == "gdp-growth" and r["date"] == "2022-03-31")
    assert growth["value"] == "-3.5"  # a number stays a number
    assert growth["note"] == "'-1+1"  # text that a spreadsheet would compute does not


# --------------------------------------------------------------------------- json

def test_json_is_status_plus_records(cli: Runner, logged: Path) -> None:
    status = status_json(cli, logged)
    exported = json.loads(export(cli, logged, "json"), parse_float=Decimal)
    for key in ("as_of", "targets", "indicators", "warnings"):
        assert exported[key] == status[key]
    history = json.loads(cli("history", "investment", "--format", "json", cwd=logged).out,
                         parse_float=Decimal)
    mine = [r for r in exported["records"] if r["series"] == "investment"]
    assert len(mine) == len(history["records"]) == 2
    for ours, theirs in zip(mine, history["records"], strict=True):
        assert set(ours) <= set(theirs)  # the same field names as `history --format json`
        assert ours == {key: theirs[key] for key in ours}
    # the 7 logged here and the 2 shipped figures dated before the as-of date (GDP, growth)
    assert len(exported["records"]) == 7 + 2
    assert all(r["date"] <= AS_OF for r in exported["records"])


# --------------------------------------------------------------------------- markdown

def test_markdown_has_a_row_per_target_under_chinese_headers(cli: Runner, logged: Path
                                                               ) -> None:
    text = export(cli, logged, "markdown", lang="zh")
    header = "| 指标 | 目标 | 实际 | 完成率 | 时间进度(月) | 状态 | 截至 |"
    tables = text.split(header)[1:]
    assert len(tables) == 3  # one per group of the shipped plan
    rows = [line for table in tables for line in table.split("\n\n")[0].splitlines()
            if line.startswith("| ") and not line.startswith("| ---")]
    targets = status_json(cli, logged)["targets"]
    assert isinstance(targets, list)
    assert len(rows) == len(targets) == 12
    assert "| 区内全年投资 | 超300亿元 | 150亿元 | 50.0% | 50.0% | 进度正常 | 2022-06-30 |" in rows
    assert "## 产业续航" in text


def test_markdown_records_table_escapes_user_text(cli: Runner, logged: Path) -> None:
    text = export(cli, logged, "markdown", "--records")
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert "## Records" in text


# --------------------------------------------------------------------------- xlsx

def test_xlsx_numbers_are_numbers(cli: Runner, logged: Path) -> None:
    from openpyxl import load_workbook

    out = logged / "report.xlsx"
    result = cli("--lang", "zh", "export", "--format", "xlsx", "-o", str(out), "--as-of", AS_OF,
                 cwd=logged)
    assert result.code == 0, result.err
    book = load_workbook(out)
    assert book.sheetnames == ["执行情况", "记录"]
    sheet = book["执行情况"]
    header = [c.value for c in sheet[3]]  # below a title row and a source row
    assert header[:7] == ["分组", "指标", "代号", "目标表述", "目标", "实际", "单位"]
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=4)}
    inv = rows["investment"]
    col = {name: i for i, name in enumerate(header)}
    assert inv[col["目标"]].value == 300 and inv[col["目标"]].data_type == "n"
    assert inv[col["实际"]].value == 150 and inv[col["实际"]].data_type == "n"
    assert inv[col["单位"]].value == "亿元"
    assert inv[col["完成率"]].value == 0.5 and "%" in inv[col["完成率"]].number_format
    assert inv[col["状态"]].value == "进度正常"
    assert inv[col["状态"]].fill.fgColor.rgb.endswith("E2F0D9")
    assert rows["gdp"][col["实际"]].value == pytest.approx(1056.2)
    assert rows["gdp"][col["实际"]].number_format == "#,##0.0"
    assert (sheet.column_dimensions["B"].width or 0) >= 12
    records = book["记录"]
    assert [c.value for c in records[1]][:5] == ["日期", "指标", "序列", "数值", "单位"]
    values = {(r[2].value, r[0].value.date().isoformat()): r for r in records.iter_rows(min_row=2)}
    growth = values[("gdp-growth", "2022-03-31")]
    assert growth[3].value == -3.5 and growth[3].data_type == "n"
    assert growth[4].value == "%"


def test_xlsx_shows_what_the_report_shows(cli: Runner, logged: Path) -> None:
    """Formats of 1-2 decimals (the exact value stays in the cell and the records sheet),
    the as-of date above the table and in the properties, filter, panes, print set-up."""
    from openpyxl import load_workbook

    out = logged / "report.xlsx"
    assert cli("--lang", "zh", "export", "--format", "xlsx", "-o", str(out), "--as-of", AS_OF,
               cwd=logged).code == 0
    book = load_workbook(out)
    sheet = book["执行情况"]
    assert sheet["A1"].value == "杭州高新区(滨江) 2022年目标执行情况（截至 2022-08-01）"
    assert sheet["A1"].font.bold and str(sheet["A2"].value).startswith("来源：《杭州高新区")
    assert "2022-08-01" in book.properties.subject and "来源" in book.properties.subject
    assert book.properties.title == sheet["A1"].value and book.properties.created is not None
    header = [c.value for c in sheet[3]]
    col = {name: i for i, name in enumerate(header)}
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=4)}
    formats = {row: {name: rows[row][col[name]].number_format
                     for name in ("目标", "实际", "完成率", "时间进度(月)", "预计全期")}
               for row in ("investment", "firms-total", "industry-share")}
    assert formats["investment"] == {"目标": "#,##0", "实际": "#,##0", "完成率": "0.0%",
                                     "时间进度(月)": "0.0%", "预计全期": "#,##0.00"}
    assert formats["firms-total"]["目标"] == "#,##0.0"  # 8.2 (万家)
    assert formats["industry-share"]["目标"] == "#,##0.0"  # 40.0 (%), as the table shows
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            decimals = cell.number_format.partition(".")[2].rstrip("%")
            assert len(decimals) <= 2, (cell.coordinate, cell.number_format)
    projected = rows["investment"][col["预计全期"]]
    assert projected.value == 300  # 150亿 in 6 of 12 months (by days it was 302.49…)
    last = sheet.max_row
    assert sheet.auto_filter.ref == f"A3:N{last}"
    assert sheet.freeze_panes == "C4"  # group and name stay in view, the header too
    assert sheet.print_title_rows == "$3:$3"
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
        "landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    quote = rows["investment"][col["原文"]]
    assert quote.alignment.wrap_text and quote.value
    width = sheet.column_dimensions["B"].width or 0
    assert width >= 2 * len("工业增加值占地区生产总值比重")  # a CJK character counts two
    records = book["记录"]
    assert records.freeze_panes == "B2" and records.auto_filter.ref.startswith("A1:K")
    assert records.print_title_rows == "$1:$1"
    note = [c.value for c in records[1]].index("备注")
    assert all(row[note].alignment.wrap_text for row in records.iter_rows(min_row=2)
               if row[note].value)


def test_xlsx_keeps_formulas_as_text(cli: Runner, logged: Path) -> None:
    from openpyxl import load_workbook

    out = logged / "report.xlsx"
    assert cli("export", "--format", "xlsx", "-o", str(out), cwd=logged).code == 0
    cells = [c for row in load_workbook(out)["Records"].iter_rows() for c in row]
    hostile = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hostile and all(c.data_type == "s" for c in hostile)
    assert all(c.quotePrefix for c in hostile)
    assert not [c for c in cells if c.data_type == "f"]
    # and what Excel reads: no <f> (formula) element anywhere in the workbook
    import zipfile

    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)


def test_xlsx_needs_an_output_file(cli: Runner, logged: Path) -> None:
    result = cli("export", "--format", "xlsx", cwd=logged)
    assert result.code == 2
    assert "binary" in result.err and "-o report.xlsx" in result.err
    assert result.out == ""


# --------------------------------------------------------------------------- html

def test_html_is_self_contained_and_escaped(cli: Runner, logged: Path) -> None:
    text = export(cli, logged, "html", lang="zh")
    assert text.startswith("<!DOCTYPE html>")
    assert text.lower().count("<script") == 1  # the overview's sort, nothing else
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<td>=HYPERLINK(&quot;http://example.invalid/x&quot;,&quot;click&quot;)</td>" in text
    links = re.findall(r'<a [^>]*href="([^"]*)"', text)  # the overview's, to the cards
    assert links and all(link.startswith("#t-") for link in links)  # the URL stays text
    for external in ('src="http', "src='http", 'href="http', "@import", "<link",
                     "<iframe", "<object", "<img"):
        assert external not in text
    assert not re.search(r"url\((?!#)", text)  # only references within the page
    assert text.count("<svg") == 4  # the targets with figures; see test_html_charts.py
    assert 'data-verdict="on_track"><b>4</b>进度正常' in text
    assert "@page { size: A4" in text


# --------------------------------------------------------------------------- -o guards

@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in (*BINARY, "html")])
def test_text_formats_go_to_stdout_or_to_a_file(cli: Runner, logged: Path, fmt: str) -> None:
    out = logged / f"report.{fmt}"
    printed = export(cli, logged, fmt)
    assert printed
    result = cli("export", "--format", fmt, "--as-of", AS_OF, "-o", str(out), cwd=logged)
    assert result.code == 0, result.err
    assert result.out == ""
    assert str(out) in result.err
    assert out.read_bytes().decode("utf-8") == printed
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)


def test_existing_file_needs_force(cli: Runner, logged: Path) -> None:
    out = logged / "report.md"
    out.write_text("mine", encoding="utf-8")
    result = cli("export", "-o", str(out), cwd=logged)
    assert result.code == 2 and "already exists" in result.err and "--force" in result.err
    assert out.read_text(encoding="utf-8") == "mine"
    assert cli("export", "-o", str(out), "--force", cwd=logged).code == 0
    assert out.read_text(encoding="utf-8").startswith("# ")


def test_symlink_is_never_written_through(cli: Runner, logged: Path) -> None:
    precious = logged / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    link = logged / "report.md"
    link.symlink_to(precious)
    result = cli("export", "-o", str(link), cwd=logged)
    assert result.code == 2 and "symbolic link" in result.err
    assert cli("export", "-o", str(link), "--force", cwd=logged).code == 0
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink() and link.read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize("name", ["records.toml", "targets.toml"])
def test_never_over_the_plan_or_records(cli: Runner, logged: Path, name: str) -> None:
    before = (logged / name).read_bytes()
    result = cli("export", "--format", "csv", "-o", name, "--force", cwd=logged)
    assert result.code == 2 and name in result.err
    assert (logged / name).read_bytes() == before


def test_bad_export_options(cli: Runner, logged: Path) -> None:
    result = cli("export", "--format", "html", "--bom", cwd=logged)
    assert result.code == 2 and "--bom applies to csv only" in result.err
    result = cli("export", "--format", "pdf", cwd=logged)
    assert result.code == 2 and "pdf" in result.err
    result = cli("export", "--group", "no-such-group", cwd=logged)
    assert result.code == 2 and "no group" in result.err
    result = cli("export", "-o", str(logged / "missing" / "r.md"), cwd=logged)
    assert result.code == 2 and "does not exist" in result.err
    result = cli("export", "--as-of", "someday", cwd=logged)
    assert result.code == 2 and "cannot read date" in result.err
    assert "Traceback" not in result.err


def test_group_limits_every_format(cli: Runner, logged: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export(cli, logged, "csv", "--group", "产业续航"))))
    assert rows and all(r["group"] == "产业续航" for r in rows if r["kind"] != "indicator")
    assert "investment" in {r["id"] for r in rows} and "talent" not in {r["id"] for r in rows}


# --------------------------------------------------------------------------- chart, start-up

def test_history_chart_fits_80_columns(cli: Runner, logged: Path) -> None:
    from rich.cells import cell_len

    result = cli("--lang", "zh", "history", "investment", "--chart", "--as-of", AS_OF,
                 cwd=logged, env={"COLUMNS": "80"})
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    chart = lines[lines.index(next(line for line in lines if "│─" in line)):]
    assert sum(line.count("●") for line in chart) == 3  # two figures + the legend
    assert "目标 超300亿元" in result.out and "进度线" in result.out
    assert "2022-01-01" in result.out and "2022-12-31" in result.out


def test_heavy_libraries_load_only_for_their_export() -> None:
    code = ("import sys, bjtrack.cli; "
            "print(sorted(m for m in ('openpyxl',) if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": "src"}).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- documented examples

def _readme_steps() -> list[tuple[str, str]]:
    """The fenced sh and text blocks of docs/reports-and-import.md, in order."""
    section = (REPO / "docs" / "reports-and-import.md").read_text(encoding="utf-8")
    return [(lang, body) for lang, body in re.findall(r"```(\w+)\n(.*?)```", section, re.S)
            if lang in ("sh", "text")]


def _shows(output: str, expected: str) -> bool:
    """The '…'-separated fragments of `expected` appear, in order, on one line of output."""
    fragments = [f.strip() for f in expected.split("…") if f.strip()]
    for line in output.splitlines():
        at = 0
        for fragment in fragments:
            at = line.find(fragment, at)
            if at < 0:
                break
            at += len(fragment)
        else:
            return True
    return False


def test_readme_examples_work_as_shown(cli: Runner, tmp_path: Path) -> None:
    for name in ("targets.toml", "records.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "tests" / "data" / "binjiang-2024",
                    tmp_path / "tests" / "data" / "binjiang-2024")
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    before = (tmp_path / "records.toml").read_bytes()
    steps = _readme_steps()
    assert sum(1 for lang, _ in steps if lang == "sh") >= 8
    output = ""
    for lang, body in steps:
        if lang == "sh":
            for line in body.strip().splitlines():
                command, _, comment = line.partition("#")
                args = shlex.split(command)
                assert args[0] == "bjtrack"
                expected = int(comment.split()[-1]) if "exit" in comment else 0
                result = cli(*args[1:], cwd=tmp_path,
                             env={"BJTRACK_LANG": "zh", "COLUMNS": "80"})
                assert result.code == expected, (line, result.err)
                output = result.out + result.err
        else:
            for expected_line in body.strip().splitlines():
                assert _shows(output, expected_line), f"{expected_line!r} not in\n{output}"
    assert (tmp_path / "执行情况.xlsx").is_file() and (tmp_path / "report.html").is_file()
    assert (tmp_path / "records.toml").read_bytes() == before  # the examples change no data


def test_html_lists_the_latest_figures_of_the_period(cli: Runner, plan_dir: Path) -> None:
    rows = ["target,date,value"] + [f"investment,2022-{m:02d},{m * 10}亿" for m in range(1, 13)]
    rows += [f"investment,2021-{m:02d},{m}亿" for m in range(1, 13)]  # last year's period
    rows += [f"investment,2022-{m:02d}-15,{m * 10 + 5}亿" for m in range(1, 13)]
    rows += [f"investment,2022-{m:02d}-10,{m * 10 + 2}亿" for m in range(1, 7)]
    (plan_dir / "figures.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert cli("import", "figures.csv", cwd=plan_dir).code == 0
    result = cli("export", "--format", "html", "--as-of", "2023-01-01", cwd=plan_dir)
    assert result.code == 0, result.err
    section = result.out.split('id="t-investment"', 1)[1].split("</section>", 1)[0]
    table = section.split('class="records"', 1)[1]
    assert table.count("<tr>") == 1 + 24  # the header and the latest 24 of this period
    assert "the latest 24 of 30 figures" in section
    assert "2021-" not in table
    assert "2022-12-31" in table and "2022-01-31" not in table


def test_xlsx_export_imports_back(cli: Runner, logged: Path, tmp_path: Path) -> None:
    book = logged / "report.xlsx"
    assert cli("--lang", "zh", "export", "--format", "xlsx", "-o", str(book),
               cwd=logged).code == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(logged / "targets.toml", fresh / "targets.toml")
    result = cli("import", str(book), cwd=fresh)
    assert result.code == 0, result.err
    assert "imported 15 records" in result.err  # 7 logged, 8 shipped (up to today)
    assert "warning" not in result.err  # every column of our own workbook is understood

    def figures(folder: Path) -> list[tuple[object, ...]]:
        data = json.loads(export(cli, folder, "json"), parse_float=Decimal)
        return sorted((r["series"], r["date"], r["value"], r["note"], r["source"])
                      for r in data["records"])

    assert figures(fresh) == figures(logged)  # 150 with 单位 亿元 came back as 150亿元


def test_history_chart_of_an_indicator_and_of_nothing(cli: Runner, logged: Path) -> None:
    result = cli("history", "gdp", "--chart", cwd=logged, env={"COLUMNS": "80"})
    assert result.code == 0, result.err
    chart = result.out.splitlines()[-15:]
    assert sum(line.count("●") for line in chart) == 3  # 1—6月, 2022 and the legend
    assert "target" not in chart[-1] and "(亿元)" in chart[-1]
    empty = cli("history", "listed-companies", "--chart", "--as-of", "2022-01-01", cwd=logged)
    assert empty.code == 0 and empty.out.rstrip().endswith("no figures recorded yet")


def test_output_into_a_folder_is_refused(cli: Runner, logged: Path) -> None:
    (logged / "out").mkdir()
    result = cli("export", "-o", "out", cwd=logged)
    assert result.code == 2 and "is a folder" in result.err
    assert "-o report.md" in result.err  # the name suggested is the format's (it said .html)
    zh = cli("--lang", "zh", "export", "-o", "out", cwd=logged)
    assert zh.code == 2 and "这是一个文件夹" in zh.err
    xlsx = cli("export", "--format", "xlsx", "-o", "out", cwd=logged)
    assert xlsx.code == 2 and "-o report.xlsx" in xlsx.err


def test_json_keys_are_written_as_str_gives_them() -> None:
    """Keys that are str subclasses keep their own text, whatever was written before."""
    import enum

    from bjtrack.render.jsondata import dumps

    class Old(str, enum.Enum):  # noqa: UP042 - the older spelling on purpose
        A = "a"

    assert dumps({"a": 0}) == '{\n  "a": 0\n}'
    assert dumps({Old.A: 1}) == '{\n  "' + str(Old.A) + '": 1\n}'
    assert dumps({"a": [], "b": {}, "c": [{"d": None}]}) == (
        '{\n  "a": [],\n  "b": {},\n  "c": [\n    {\n      "d": null\n    }\n  ]\n}')
