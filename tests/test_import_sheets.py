"""`bjtrack import` of sheets as offices make them: title rows above the header, columns
named by hand (--map), months as columns, a dry run's listing, XLSX cell formats, and
taking an import back (undo --import)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bjtrack.domain.errors import BjtrackError
from bjtrack.files import records
from bjtrack.index import cache
from bjtrack.ops import import_spool, importing
from bjtrack.ops import load as loading
from conftest import Runner


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def figures(folder: Path) -> list[tuple[str, str, str, str]]:
    """(series, date, value, batch) of each figure in the records file, in file order."""
    found = records.load_records(folder / "records.toml").records
    return [(r.series, str(r.date), str(r.value), r.batch) for r in found if not r.retracts]


TITLED = [
    ["2022年1-6月主要经济指标", "", ""],
    ["", "", ""],
    ["指标名称", "本期数", "日期"],
    ["区内全年投资", "150亿", "2022-06"],
    ["企业总量", "7.9万", "2022-06-30"],
]


# --------------------------------------------------------------------------- the header

def test_header_under_a_title_row_and_blank_rows_is_found(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "六月.csv", [*TITLED[:2], ["指标", "数值", "日期"], *TITLED[3:]])
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 0, result.err
    assert result.err.splitlines()[0] == "header: row 3"
    assert [f[:3] for f in figures(plan_dir)] == [
        ("investment", "2022-06-30", "15000000000"), ("firms-total", "2022-06-30", "79000")]


def test_a_sheet_without_a_header_is_refused_in_the_users_language(
        cli: Runner, plan_dir: Path) -> None:
    write_csv(plan_dir / "六月.csv", TITLED)
    result = cli("--lang", "zh", "import", "六月.csv", cwd=plan_dir)
    assert result.code == 1
    first, hint = result.err.strip().splitlines()
    assert first == ("错误：六月.csv:3: 前 20 行中找不到表头：最接近的一行（此行）缺少数值列"
                     "（现有：指标名称, 本期数, 日期）")
    assert "--map 本期数=value" in hint and "--header-row N" in hint
    assert "target" not in first and "value" not in first.split("（")[0]
    result = cli("--lang", "en", "import", "六月.csv", cwd=plan_dir)
    assert result.code == 1
    assert result.err.startswith(
        "error: 六月.csv:3: no header row in the first 20 rows: the best one, this row, lacks "
        "a column for value (found: 指标名称, 本期数, 日期)")
    assert "--map 本期数=value" in result.err and "--header-row N" in result.err
    assert not (plan_dir / "records.toml").exists()


def test_header_row_given_by_hand(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "t.csv", [
        ["指标", "数值", "日期"],  # looks like a header, but the real one is row 3
        ["说明：单位见各列", "", ""],
        ["target", "value", "date"],
        ["investment", "90亿", "2022Q1"],
    ])
    result = cli("import", str(path), "--header-row", "3", cwd=plan_dir)
    assert result.code == 0, result.err
    assert [f[:3] for f in figures(plan_dir)] == [("investment", "2022-03-31", "9000000000")]
    result = cli("--lang", "zh", "import", "t.csv", "--header-row", "2", cwd=plan_dir)
    assert result.code == 1
    assert result.err.startswith(
        "错误：t.csv:2: 表头缺少指标、日期、数值列（现有：说明：单位见各列）")


def test_map_names_a_sheets_columns(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "t.csv", [
        ["2022年1-6月主要经济指标", "", "", ""],
        ["指标名称", "本期数", "累计", "日期"],
        ["区内全年投资", "25亿", "150亿", "2022-06"],
    ])
    result = cli("import", str(path), "--map", "累计=value", "--map", "指标名称=target",
                 cwd=plan_dir)
    assert result.code == 0, result.err
    assert "warning: column '本期数' ignored" in result.err
    assert [f[:3] for f in figures(plan_dir)] == [("investment", "2022-06-30", "15000000000")]


def test_map_to_a_column_bjtrack_lacks_is_refused_naming_the_option(
        cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "t.csv", TITLED)
    result = cli("--lang", "en", "import", str(path), "--map", "本期数=amount2", cwd=plan_dir)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "error: --map 本期数=amount2: bjtrack has no column 'amount2'",
        "  map to one of target, date, value, note, source, vintage, unit, by"]
    result = cli("--lang", "zh", "import", str(path), "--map", "本期数", cwd=plan_dir)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "错误：--map 本期数：应写作 表中的列名=bjtrack 的列名", "  例如 --map 本期数=value"]
    result = cli("--lang", "zh", "import", "t.csv", "--map", "本月数=数值", cwd=plan_dir)
    assert result.code == 1
    assert "错误：t.csv:3: --map：表头中没有“本月数”列" in result.err
    assert not (plan_dir / "records.toml").exists()


# --------------------------------------------------------------------------- months

MONTHS = [
    ["滨江区2022年主要经济指标", "", "", "", "", ""],
    ["指标", "单位", "1-2月", "1—3月", "1~6月", "备注"],
    ["一、投资", "", "", "", "", ""],
    ["区内全年投资", "亿元", "40", "90", "150", "累计"],
    ["企业总量", "万家", "7.5", "—", "7.9", ""],
]


def test_months_as_columns_take_the_year_from_the_title(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "月报.csv", MONTHS)
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 0, result.err
    assert result.err.splitlines()[0] == (
        "header: row 2, months as columns (5 figures in the month cells)")
    assert [f[:3] for f in figures(plan_dir)] == [
        ("investment", "2022-02-28", "4000000000"), ("investment", "2022-03-31", "9000000000"),
        ("investment", "2022-06-30", "15000000000"), ("firms-total", "2022-02-28", "75000"),
        ("firms-total", "2022-06-30", "79000")]
    notes = {r.note for r in records.load_records(plan_dir / "records.toml").records
             if r.series == "investment"}
    assert notes == {"累计"}


def test_months_as_columns_with_year_option_or_year_in_header(
        cli: Runner, plan_dir: Path) -> None:
    bare = [["指标", "5月", "6月"], ["investment", "120亿", "150亿"]]
    path = write_csv(plan_dir / "bare.csv", bare)
    result = cli("--lang", "zh", "import", "bare.csv", cwd=plan_dir)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "错误：bare.csv:1: 月份列“5月”未写明年份",
        "  用 --year 2022 给出年份，或在表头写明（2022年6月）"]
    result = cli("--lang", "en", "import", str(path), cwd=plan_dir)
    assert result.code == 2 and "--year 2022" in result.err
    assert cli("import", str(path), "--year", "2022", cwd=plan_dir).code == 0
    dated = write_csv(plan_dir / "dated.csv", [
        ["target", "2022年7月", "2022-08", "Sep-22"], ["investment", "170亿", "190亿", "200亿"]])
    assert cli("import", str(dated), "--year", "1999", cwd=plan_dir).code == 0
    assert [f[1] for f in figures(plan_dir)] == [
        "2022-05-31", "2022-06-30", "2022-07-31", "2022-08-31", "2022-09-30"]


# --------------------------------------------------------------------------- dry run

def test_dry_run_lists_every_row_it_would_add(cli: Runner, plan_dir: Path) -> None:
    assert cli("log", "investment", "40亿", "--date", "2022-02", cwd=plan_dir).code == 0
    before = (plan_dir / "records.toml").read_bytes()
    path = write_csv(plan_dir / "月报.csv", MONTHS)
    result = cli("--lang", "zh", "import", str(path), "--dry-run", cwd=plan_dir)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "第 4 行：investment 2022-03-31 90亿元",
        "第 4 行：investment 2022-06-30 150亿元",
        "第 5 行：firms-total 2022-02-28 7.5万家",
        "第 5 行：firms-total 2022-06-30 7.9万家",
    ]
    assert result.err.splitlines()[-1] == (
        "试运行：月报.csv（UTF-8）共 5 行，将导入 4 条记录，1 条已存在；未写入任何内容")
    result = cli("--lang", "en", "import", str(path), "--dry-run", cwd=plan_dir)
    assert result.out.splitlines()[0] == "row 4: investment 2022-03-31 90亿元"
    assert "imp-" not in result.err
    assert (plan_dir / "records.toml").read_bytes() == before


# --------------------------------------------------------------------------- undo --import

def _imported_id(err: str) -> str:
    found = re.search(r"undo --import (imp-[a-z0-9]+)", err)
    assert found, err
    return found.group(1)


def test_undo_import_retracts_every_record_of_it(cli: Runner, plan_dir: Path) -> None:
    assert cli("log", "share", "41%", "--date", "2022-03", cwd=plan_dir).code == 0
    result = cli("import", str(write_csv(plan_dir / "月报.csv", MONTHS)), cwd=plan_dir)
    assert result.code == 0, result.err
    batch = _imported_id(result.err)
    assert {f[3] for f in figures(plan_dir)} == {"", batch}
    ours = [r for r in records.load_records(plan_dir / "records.toml").records
            if r.batch == batch]
    assert len(ours) == 5
    amended = cli("amend", ours[0].id, "41亿", cwd=plan_dir)  # a correction of one of them
    assert amended.code == 0, amended.err
    result = cli("--lang", "zh", "undo", "--import", batch, cwd=plan_dir)
    assert result.code == 0, result.err
    assert result.out.strip() == f"已撤销导入 {batch} 的 5 条记录"
    every = records.load_records(plan_dir / "records.toml").records
    retracted = {r.retracts for r in every if r.retracts}
    amendment = next(r for r in every if r.revises == ours[0].id)
    # history kept, every figure gone: the amendment and the figure it replaced too
    assert retracted == {r.id for r in ours} | {amendment.id}
    status = cli("status", "--format", "json", cwd=plan_dir)
    assert '"41%"' in status.out or "41" in status.out  # the logged figure stays
    again = cli("--lang", "en", "undo", "--import", batch, cwd=plan_dir)
    assert again.code == 1
    assert again.err.startswith(f"error: import {batch} is undone already: none of its 5")
    unknown = cli("--lang", "zh", "undo", "--import", "imp-nothere", cwd=plan_dir)
    assert unknown.code == 2
    assert unknown.err.startswith("错误：记录中没有导入“imp-nothere”")
    # importing the file again brings the figures back, under a new id
    result = cli("import", str(plan_dir / "月报.csv"), cwd=plan_dir)
    assert result.code == 0 and "imported 5 records" in result.err
    assert _imported_id(result.err) != batch


def test_undo_import_is_all_or_none(cli: Runner, plan_dir: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli("import", str(write_csv(plan_dir / "月报.csv", MONTHS)), cwd=plan_dir)
    batch = _imported_id(result.err)
    before = (plan_dir / "records.toml").read_bytes()
    from bjtrack.files import writing

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writing, "_copy_into", broken)
    result = cli("undo", "--import", batch, cwd=plan_dir)
    assert result.code != 0 and "Traceback" not in result.err
    assert (plan_dir / "records.toml").read_bytes() == before


def test_records_without_an_import_id_still_read_and_the_index_keeps_it(
        cli: Runner, plan_dir: Path) -> None:
    assert cli("log", "investment", "90亿", "--date", "2022-03", cwd=plan_dir).code == 0
    result = cli("import", str(write_csv(plan_dir / "月报.csv", MONTHS)), cwd=plan_dir)
    batch = _imported_id(result.err)
    path = plan_dir / "records.toml"
    full = records.load_records(path).records
    assert [r.batch for r in full] == ["", *[batch] * 4]  # 90亿 of 1—3月 was there already
    index = cache.open_index(path)
    assert index is not None
    try:
        assert index.record_set().records == full
    finally:
        index.close()


# --------------------------------------------------------------------------- XLSX cells

def test_xlsx_month_formats_and_literal_percent_signs(cli: Runner, plan_dir: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2022年主要指标"])
    sheet.append(["指标", "日期", "数值"])
    cells = [
        ("investment", datetime(2022, 6, 1), 'yyyy"年"m"月"', "150亿", None),
        ("investment", datetime(2022, 3, 1), "yyyy-mm", "90亿", None),
        ("investment", datetime(2022, 9, 1), "mmm-yy", "200亿", None),
        ("investment", datetime(2022, 11, 15), "yyyy-mm-dd", "250亿", None),
        ("share", datetime(2022, 6, 1), "yyyy-mm", 41.2, '0.0"%"'),
        ("share", datetime(2022, 3, 31), "yyyy-mm-dd", 0.412, "0.0%"),
        ("share", datetime(2022, 9, 30), "yyyy-mm-dd", 42.5, '0.0\\%'),
    ]
    for row, (target, day, day_format, value, value_format) in enumerate(cells, start=3):
        sheet.append([target, day, value])
        sheet.cell(row, 2).number_format = day_format
        if value_format:
            sheet.cell(row, 3).number_format = value_format
    book.save(plan_dir / "指标.xlsx")
    result = cli("import", "指标.xlsx", "--dry-run", cwd=plan_dir)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "row 3: investment 2022-06-30 150亿元",
        "row 4: investment 2022-03-31 90亿元",
        "row 5: investment 2022-09-30 200亿元",
        "row 6: investment 2022-11-15 250亿元",
        "row 7: share 2022-06-30 41.2%",
        "row 8: share 2022-03-31 41.2%",
        "row 9: share 2022-09-30 42.5%",
    ]


def test_xlsx_months_as_columns_with_date_headers(cli: Runner, plan_dir: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["指标", "计量单位", datetime(2022, 5, 1), datetime(2022, 6, 1)])
    sheet.cell(1, 3).number_format = sheet.cell(1, 4).number_format = "yyyy-mm"
    sheet.append(["investment", "亿元", 120, 150])
    book.save(plan_dir / "月.xlsx")
    result = cli("import", "月.xlsx", "--dry-run", cwd=plan_dir)
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["row 2: investment 2022-05-31 120亿元",
                                       "row 2: investment 2022-06-30 150亿元"]


# --------------------------------------------------------------------------- rows given directly

def test_rows_given_directly_import_as_a_sheet_would(plan_dir: Path) -> None:
    loaded = loading.load(plan_dir / "targets.toml")
    now = datetime(2022, 8, 1, tzinfo=UTC)
    rows = ({"target": "investment", "date": f"2022-0{m}", "value": f"{m * 25}亿"}
            for m in (3, 6))
    dry = importing.import_rows(loaded, list(rows), now, label="公报.txt", by="统计局",
                                dry_run=True)
    assert [(n, r.date, r.value, r.by) for n, r in dry.listed] == [
        (1, date(2022, 3, 31), Decimal("7500000000"), "统计局"),
        (2, date(2022, 6, 30), Decimal("15000000000"), "统计局")]
    rows = ({"target": "investment", "date": f"2022-0{m}", "value": f"{m * 25}亿"}
            for m in (3, 6))
    result = importing.import_rows(loaded, rows, now, label="公报.txt", by="统计局")
    assert result.written and result.added == 2
    assert figures(plan_dir) == [("investment", "2022-03-31", "7500000000", result.batch),
                                 ("investment", "2022-06-30", "15000000000", result.batch)]
    with pytest.raises(BjtrackError) as bad:
        importing.import_rows(loading.load(plan_dir / "targets.toml"),
                              [{"target": "nothing", "date": "2022-06", "value": "1"}], now,
                              label="公报.txt")
    assert bad.value.problems[0].file == "公报.txt" and bad.value.problems[0].fields[0] == (
        "row", "1")


def test_a_write_stopped_midway_leaves_the_records_file_as_it_was(
        plan_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new records are made as they are written: when the figures read back for
    them stop short (here after the second), the file stays byte for byte as it was and
    no temp file is left."""
    (plan_dir / "records.toml").write_text(records.RECORDS_HEADER, encoding="utf-8")
    before = (plan_dir / "records.toml").read_bytes()
    sheet = write_csv(plan_dir / "月报.csv", MONTHS)
    new = import_spool.Spool.new
    calls: list[int] = []

    def failing(self: import_spool.Spool) -> Iterator[import_spool.Stored]:
        for stored in new(self):
            calls.append(1)
            if len(calls) == 3:
                return
            yield stored

    monkeypatch.setattr(import_spool.Spool, "new", failing)
    with pytest.raises(BjtrackError) as failed:
        importing.import_file(loading.load(plan_dir / "targets.toml"), sheet,
                              datetime(2022, 8, 1, tzinfo=UTC))
    assert [p.key for p in failed.value.problems] == ["err.import.changed"]
    assert len(calls) == 3
    assert (plan_dir / "records.toml").read_bytes() == before
    assert not list(plan_dir.glob(".records.toml.*.tmp"))


def test_month_columns_beside_a_date_and_value_are_ignored_with_a_warning(
        cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "t.csv", [["指标", "日期", "数值", "6月"],
                                          ["investment", "2022-06", "150亿", "99亿"]])
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 0, result.err
    assert "warning: column '6月' ignored" in result.err
    assert [f[:3] for f in figures(plan_dir)] == [("investment", "2022-06-30", "15000000000")]


def test_bad_cells_of_months_as_columns_name_their_row(cli: Runner, plan_dir: Path) -> None:
    write_csv(plan_dir / "m.csv", [["指标", "2022年5月", "2022年6月"],
                                  ["区内投资", "120亿", "150亿"],
                                  ["企业总量", "7.8万家", "五万"]])
    result = cli("--lang", "zh", "import", "m.csv", cwd=plan_dir)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    errors = [line for line in lines if line.startswith("错误")]
    assert errors[0].startswith("错误：m.csv: 第 2 行：未知的目标“区内投资”")  # once
    assert errors[1].startswith("错误：m.csv: 第 3 行：") and len(errors) == 3
    assert lines[-2] == "错误：m.csv: 4 行中有 3 行有误：未导入任何内容"
    assert not (plan_dir / "records.toml").exists()


def test_figures_recorded_are_found_across_many_looks_into_the_index(
        cli: Runner, plan_dir: Path) -> None:
    """One look a series, each giving its records back a thousand at a time."""
    rows = [["指标", "日期", "数值"]] + [
        [target, f"2022-{month:02d}", f"{month}{unit}"] for month in range(1, 13)
        for target, unit in (("investment", "亿"), ("firms-total", "万家"))]
    write_csv(plan_dir / "全年.csv", rows)
    assert cli("import", "全年.csv", cwd=plan_dir).code == 0
    assert len(figures(plan_dir)) == 24
    rows[5][2] = "99亿"  # 2022-03 investment now differs from the one recorded
    write_csv(plan_dir / "全年.csv", rows)
    result = cli("import", "全年.csv", "--dry-run", cwd=plan_dir)
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["row 6: investment 2022-03-31 99亿元"]
    assert "1 record would be imported, 23 already recorded" in result.err
    assert "row 6: investment 2022-03-31 99亿 differs from the figure already recorded" in (
        result.err)


@pytest.mark.parametrize(("header", "month"), [
    ("6月", (None, 6)), ("6月份", (None, 6)), ("十二月", (None, 12)), ("1-2月", (None, 2)),
    ("1—3月", (None, 3)), ("1~6月累计", (None, 6)), ("2022年1-6月", (2022, 6)),
    ("2022年6月", (2022, 6)), ("2022-06", (2022, 6)), ("Jun-22", (2022, 6)),
    ("June 2022", (2022, 6)), ("Sep", (None, 9)),
    ("13月", None), ("6-1月", None), ("decision", None), ("marks", None), ("2022年", None),
    ("数值", None), ("", None)])
def test_month_headers(header: str, month: tuple[int | None, int] | None) -> None:
    from bjtrack.files.layout import month_of

    assert month_of(header) == month


def test_header_row_and_year_out_of_range_are_refused_naming_the_option(
        cli: Runner, plan_dir: Path) -> None:
    write_csv(plan_dir / "t.csv", TITLED)
    result = cli("--lang", "zh", "import", "t.csv", "--header-row", "0", cwd=plan_dir)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "错误：--header-row 0：表格第一行为 1", "  填写 Excel 左侧显示的表头所在行号"]
    result = cli("--lang", "en", "import", "t.csv", "--year", "22", cwd=plan_dir)
    assert result.code == 2
    assert result.err.splitlines()[0] == "error: --year 22: not a year"
    assert not (plan_dir / "records.toml").exists()


@pytest.mark.parametrize(("lang", "folder_says", "workbook_says"), [
    ("zh", "这是一个文件夹，不是文件", "不是有效的 .xlsx 文件"),
    ("en", "is a folder, not a file", "it is not a valid .xlsx file")])
def test_a_folder_or_a_damaged_workbook_is_said_in_the_users_words(
        cli: Runner, plan_dir: Path, lang: str, folder_says: str, workbook_says: str) -> None:
    folder = plan_dir / "sheets"
    folder.mkdir()
    result = cli("--lang", lang, "import", "sheets", cwd=plan_dir)
    assert result.code == 2 and folder_says in result.err
    (plan_dir / "bad.xlsx").write_bytes(b"PK not a workbook")
    result = cli("--lang", lang, "import", "bad.xlsx", cwd=plan_dir)
    assert result.code == 1 and workbook_says in result.err
    assert "zip" not in result.err and not (plan_dir / "records.toml").exists()


@pytest.mark.parametrize(("lang", "says"), [("zh", "内存不足"), ("en", "out of memory")])
def test_running_out_of_memory_is_a_message_and_writes_nothing(
        cli: Runner, plan_dir: Path, monkeypatch: pytest.MonkeyPatch, lang: str,
        says: str) -> None:
    """A sheet too large for the machine (MemoryError while its rows are read): one
    message, no traceback, the records file as it was."""
    assert cli("log", "investment", "100亿", "--date", "2022-03-31", cwd=plan_dir).code == 0
    before = (plan_dir / "records.toml").read_bytes()
    sheet = plan_dir / "big.csv"
    sheet.write_text("指标,日期,数值\ninvestment,2022-06-30,150亿\n", encoding="utf-8")

    def exhausted(*_: object, **__: object) -> None:
        raise MemoryError

    monkeypatch.setattr(importing, "read_table", exhausted)
    result = cli("--lang", lang, "import", "big.csv", cwd=plan_dir)
    assert result.code == 1 and says in result.err and "Traceback" not in result.err
    assert (plan_dir / "records.toml").read_bytes() == before


def test_a_figure_with_its_published_word_imports_as_log_reads_it(cli: Runner,
                                                                  plan_dir: Path) -> None:
    """约41.2% and 150亿元左右 in a sheet: the figure, with its word kept as entered."""
    sheet = plan_dir / "words.csv"
    sheet.write_text("指标,日期,数值\nshare,2022-06-30,约41.2%\n"
                     "investment,2022-06-30,150亿元左右\n", encoding="utf-8")
    result = cli("import", "words.csv", cwd=plan_dir)
    assert result.code == 0, result.err
    text = records.load_records(plan_dir / "records.toml")
    values = {r.series: (r.value, r.entered) for r in text.records}
    assert values == {"share": (Decimal("41.2"), "约41.2%"),
                      "investment": (Decimal("15000000000"), "150亿元左右")}
