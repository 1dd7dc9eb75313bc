"""`bjtrack import`: spreadsheets in, all rows or none, never twice."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bjtrack.domain.model import Record
from bjtrack.files import records, writing
from bjtrack.index import cache
from bjtrack.ops import import_spool, importing
from bjtrack.ops import load as loading
from bjtrack.ops.log import log_value
from conftest import Runner, records_text

HEADER_ZH = ["指标", "日期", "数值", "备注", "来源"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def history(cli: Runner, folder: Path, target: str) -> list[dict[str, object]]:
    result = cli("history", target, "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    records: list[dict[str, object]] = json.loads(result.out, parse_float=Decimal)["records"]
    return records


def test_clean_file_in_chinese(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "六月.csv", [
        HEADER_ZH,
        ["区内全年投资", "2022年6月", "150亿", "1—6月累计", "区统计局 2022-07-20"],
        ["investment", "2022Q1", "90亿元", "", ""],
        ["企业总量", "2022-06-30", "7.9万", "", "区市场监管局"],
        ["工业增加值占比", "2022年上半年", "41.2%", "", ""],
    ])
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 0, result.err
    assert "imported 4 records" in result.err
    records = history(cli, plan_dir, "investment")
    assert [(r["date"], r["value"], r["note"], r["source"]) for r in records] == [
        ("2022-03-31", 9000000000, "", ""),
        ("2022-06-30", 15000000000, "1—6月累计", "区统计局 2022-07-20"),
    ]
    assert records[1]["entered"] == "150亿"
    assert history(cli, plan_dir, "share")[0]["value"] == Decimal("41.2")
    assert cli("check", cwd=plan_dir).code == 0


def test_xlsx_with_english_headers_dates_units_and_percentages(cli: Runner, plan_dir: Path
                                                               ) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Target", "As of", "Value", "Unit", "Note", "Source"])
    sheet.append(["investment", datetime(2022, 6, 30), 150, "亿元", "-2 vs plan", "bureau"])
    sheet.append(["firms-total", "2022年6月", 79000, None, None, None])
    sheet.append(["share", date(2022, 6, 30), 0.412, None, None, None])
    sheet.cell(4, 3).number_format = "0.0%"
    path = plan_dir / "figures.xlsx"
    book.save(path)
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 0, result.err
    assert "imported 3 records" in result.err
    investment = history(cli, plan_dir, "investment")[0]
    assert (investment["value"], investment["entered"]) == (15000000000, "150亿元")
    assert investment["note"] == "-2 vs plan"  # kept as the text it was
    assert history(cli, plan_dir, "firms-total")[0]["value"] == 79000
    share = history(cli, plan_dir, "share")[0]
    assert (share["value"], share["entered"]) == (Decimal("41.2"), "41.2%")


def test_one_bad_row_among_many_writes_nothing(cli: Runner, plan_dir: Path) -> None:
    cli("log", "investment", "10亿", "--date", "2022-01", cwd=plan_dir)
    before = records_text(plan_dir)
    start = date(2022, 1, 31)
    rows = [HEADER_ZH] + [["investment", (start + timedelta(days=i)).isoformat(), f"{i + 1}亿",
                           "", ""] for i in range(60)]
    rows[7][0] = "区内投资"  # unknown target
    rows[20][1] = "2022年13月"  # no such month
    rows[33][2] = "5万人"  # wrong unit
    rows[40][2] = ""  # no value
    path = write_csv(plan_dir / "bad.csv", rows)
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 1
    err = result.err
    assert "row 8: unknown target '区内投资'" in err
    assert "did you mean: 区内全年投资?" in err
    assert "row 21: cannot read date '2022年13月'" in err
    assert "row 34: unit mismatch" in err
    assert "row 41: no value" in err
    assert "4 bad rows of 60: nothing was imported" in err
    assert err.count(": row ") == 4  # one line for each bad row
    assert records_text(plan_dir) == before
    assert "Traceback" not in err


def test_unknown_target_gets_suggestions(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "x.csv", [["target", "date", "value"],
                                         ["企业总数", "2022-06", "8万"]])
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 1
    assert "x.csv: row 2: unknown target '企业总数'" in result.err
    assert "did you mean: 企业总量?" in result.err
    assert records_text(plan_dir) == ""


@pytest.mark.parametrize("encoding, shown", [("gbk", "GBK"), ("utf-8-sig", "UTF-8 BOM"),
                                             ("utf-8", "UTF-8")])
def test_gbk_and_bom_files(cli: Runner, plan_dir: Path, encoding: str, shown: str) -> None:
    path = write_csv(plan_dir / "旧版Excel.csv", [
        ["序列", "截至", "实际", "备注"],
        ["企业总量", "2022年3月", "7.6万家", "一季度末，含个体户以外的全部企业"],
    ], encoding=encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 0, result.err
    assert f"({shown})" in result.err
    record = history(cli, plan_dir, "firms-total")[0]
    assert (record["value"], record["note"]) == (76000, "一季度末，含个体户以外的全部企业")


def test_reimport_adds_nothing(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "a.csv", [
        HEADER_ZH, ["investment", "2022-06", "150亿", "", ""],
        ["investment", "2022-06", "150亿", "", ""],  # the same figure twice in one file
        ["firms-total", "2022-06", "7.9万", "", ""]])
    first = cli("import", str(path), cwd=plan_dir)
    assert first.code == 0, first.err
    assert "imported 2 records" in first.err and "1 already recorded" in first.err
    after_first = records_text(plan_dir)
    second = cli("import", str(path), cwd=plan_dir)
    assert second.code == 0, second.err
    assert "imported 0 records" in second.err and "3 already recorded" in second.err
    assert records_text(plan_dir) == after_first
    # a figure typed another way is still the same figure
    other = write_csv(plan_dir / "b.csv", [HEADER_ZH, ["区内全年投资", "2022年6月30日",
                                                       "15,000,000,000", "", ""]])
    assert "imported 0 records" in cli("import", str(other), cwd=plan_dir).err
    assert records_text(plan_dir) == after_first


def test_dry_run_checks_and_writes_nothing(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "a.csv", [HEADER_ZH, ["investment", "2022-06", "150亿", "", ""]])
    result = cli("import", str(path), "--dry-run", cwd=plan_dir)
    assert result.code == 0, result.err
    assert "1 record would be imported" in result.err and "nothing written" in result.err
    assert not (plan_dir / "records.toml").exists()


def test_bad_files(cli: Runner, plan_dir: Path) -> None:
    missing = cli("import", "nope.csv", cwd=plan_dir)
    assert missing.code == 2 and "file not found" in missing.err
    path = write_csv(plan_dir / "cols.csv", [["指标", "日期", "说明"], ["investment", "2022", "x"]])
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 1
    assert "lacks a column for value" in result.err and "数值" in result.err
    (plan_dir / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    result = cli("import", "old.xls", cwd=plan_dir)
    assert result.code == 2 and "save it as .xlsx or .csv" in result.err
    (plan_dir / "junk.csv").write_bytes(b"\xff\xfe\x00\x81\x00" * 3)
    result = cli("import", "junk.csv", cwd=plan_dir)
    assert result.code == 1 and "UTF-8 or GBK" in result.err
    (plan_dir / "broken.xlsx").write_bytes(b"PK not really")
    result = cli("import", "broken.xlsx", cwd=plan_dir)
    assert result.code == 1 and "cannot read the workbook" in result.err
    for bad in (missing, result):
        assert "Traceback" not in bad.err
    assert not (plan_dir / "records.toml").exists()


def test_records_export_imports_back(cli: Runner, plan_dir: Path, tmp_path: Path) -> None:
    for args in (("investment", "90亿", "--date", "2022-03", "--note", "-2 vs last year"),
                 ("investment", "150亿", "--date", "2022-06", "--vintage", "初步"),
                 ("share", "41.2%", "--date", "2022-06", "--source", "=bureau")):
        assert cli("log", *args, cwd=plan_dir).code == 0
    exported = plan_dir / "records.csv"
    assert cli("export", "--format", "csv", "--records", "--bom", "-o", str(exported),
               cwd=plan_dir).code == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "targets.toml").write_text((plan_dir / "targets.toml").read_text("utf-8"), "utf-8")
    result = cli("import", str(exported), cwd=fresh)
    assert result.code == 0, result.err
    assert "warning" not in result.err  # every column is understood or known to be ours

    def figures(folder: Path, target: str) -> list[tuple[object, ...]]:
        return [(r["date"], r["value"], r["vintage"], r["note"], r["source"])
                for r in history(cli, folder, target)]

    for target in ("investment", "share"):
        assert figures(fresh, target) == figures(plan_dir, target)


def test_ten_thousand_rows(cli: Runner, plan_dir: Path) -> None:
    start = date(2000, 1, 1)
    rows = [["target", "date", "value", "note"]]
    for i in range(10_000):
        day = (start + timedelta(days=i // 2)).isoformat()
        rows.append(["investment", day, f"{i + 1}万", f"row {i}"] if i % 2 else
                    ["firms-total", day, str(70_000 + i), ""])
    path = write_csv(plan_dir / "big.csv", rows)
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 0, result.err
    assert "imported 10000 records" in result.err
    checked = cli("check", cwd=plan_dir)
    assert checked.code == 0 and "10000 records" in checked.err
    again = cli("import", str(path), cwd=plan_dir)
    assert "imported 0 records" in again.err and "10000 already recorded" in again.err


_text = st.text(st.characters(codec="utf-8"), max_size=20)


@settings(max_examples=200, deadline=None)
@given(note=_text, source=_text, entered=_text, by=_text,
       value=st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_fast_writer_writes_what_the_serializer_writes(note: str, source: str, entered: str,
                                                       by: str, value: Decimal) -> None:
    record = Record(id="abcdefghij", series="investment", date=date(2022, 6, 30), value=value,
                    unit="元", entered=entered, note=note, source=source, by=by,
                    logged=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), vintage="初步")
    assert records.record_block(record) == records.serialized_block(record)
    assert records.framed_block(record) == records.framed(record, records.serialized_block(record))
    parsed = records.parse_records(records.record_block(record), "x").records
    assert parsed and parsed[0].note == note and parsed[0].value == value


@settings(max_examples=100, deadline=None)
@given(series=st.text(st.characters(codec="utf-8"), min_size=1, max_size=12),
       hours=st.integers(-12, 14), vintage=st.sampled_from(["", "预计", "初步", "核实"]),
       revises=st.sampled_from(["", "abcdefghij"]), unit=_text)
def test_fast_writer_in_any_zone_and_series(series: str, hours: int, vintage: str,
                                            revises: str, unit: str) -> None:
    zone = timezone(timedelta(hours=hours))
    for moment in (datetime(2026, 1, 2, 3, 4, 5, tzinfo=zone),  # the same instant,
                   datetime(2026, 1, 2, 3, 4, 5, tzinfo=zone).astimezone(UTC)):  # elsewhere
        record = Record(id="k2j4m6p7q3", series=series, date=date(2022, 6, 30),
                        value=Decimal("-0.5"), unit=unit, entered="-0.5", logged=moment,
                        vintage=vintage, revises=revises)
        assert records.framed_block(record) == records.framed(
            record, records.serialized_block(record))


def test_progress_bar_on_a_terminal_for_long_imports() -> None:
    from rich.console import Console

    from bjtrack.cli.reports import _Bar

    screen = io.StringIO()
    bar = _Bar(Console(file=screen, force_terminal=True, width=80))
    bar(0)  # a short import: no bar
    bar(4000)
    assert bar.progress is None
    for done in range(0, 20_001, 1000):
        bar(done)
    bar.close()
    assert bar.progress is not None and bar.progress.tasks[0].completed == 20_000
    assert "checking rows" in screen.getvalue() or "正在检查" in screen.getvalue()


def test_no_progress_bar_when_not_on_a_terminal(cli: Runner, plan_dir: Path) -> None:
    start = date(2000, 1, 1)
    rows = [["target", "date", "value"]] + [
        ["investment", (start + timedelta(days=i)).isoformat(), f"{i}"] for i in range(6000)]
    result = cli("import", str(write_csv(plan_dir / "long.csv", rows)), cwd=plan_dir)
    assert result.code == 0, result.err
    lines = result.err.strip().splitlines()
    assert lines[0] == ("imported 6000 records from long.csv (UTF-8); 0 already recorded, "
                        "not added again (6000 rows)")
    assert len(lines) == 2 and lines[1].startswith("import imp-")


def test_figures_that_differ_from_recorded_ones_are_flagged(cli: Runner, plan_dir: Path) -> None:
    assert cli("log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir).code == 0
    rows = [["target", "date", "value"]] + [["investment", "2022-06", f"{151 + i}亿"]
                                            for i in range(12)]
    result = cli("import", str(write_csv(plan_dir / "c.csv", rows)), cwd=plan_dir)
    assert result.code == 0, result.err
    lines = result.err.strip().splitlines()
    assert lines[0].startswith("warning: row 2: investment 2022-06-30 151亿 differs")
    assert sum("differs from the figure already recorded" in line for line in lines) == 10
    assert "warning: 2 more rows differ from recorded figures" in lines
    assert cli("check", cwd=plan_dir).code == 1  # and `check` names them


def test_every_kind_of_bad_cell_and_header(cli: Runner, plan_dir: Path) -> None:
    path = write_csv(plan_dir / "cells.csv", [
        ["指标", "日期", "数值", "口径"],
        ["", "2022-06", "150亿", ""],
        ["investment", "", "150亿", ""],
        ["investment", "2022-06", "150亿", "大概"],
        ["investment", "2022-06", "一百五十亿", ""],
    ])
    result = cli("import", str(path), cwd=plan_dir)
    assert result.code == 1
    assert "row 2: no target" in result.err
    assert "row 3: no date" in result.err
    assert "row 4: unknown vintage '大概'" in result.err and "预计, 初步, 核实" in result.err
    assert "row 5: cannot read amount '一百五十亿'" in result.err
    assert "4 bad rows of 4" in result.err
    twice = write_csv(plan_dir / "twice.csv", [["指标", "日期", "date", "数值"],
                                               ["investment", "2022-06", "2022-06", "1"]])
    result = cli("import", str(twice), cwd=plan_dir)
    assert result.code == 1 and "columns '日期' and 'date' both give the date" in result.err
    (plan_dir / "empty.csv").write_bytes(b"")
    result = cli("import", "empty.csv", cwd=plan_dir)
    assert result.code == 1 and "lacks a column for target, date, value" in result.err
    assert not (plan_dir / "records.toml").exists()
    zh = cli("--lang", "zh", "import", str(path), cwd=plan_dir)
    assert "第 2 行：缺少指标" in zh.err and "第 4 行：未知的口径“大概”" in zh.err


# A records file holding a current figure, a retracted one and a replaced one.
HELD = records.RECORDS_HEADER + """
[[record]]
id = "a1"
series = "investment"
date = 2022-06-30
value = "15000000000"

[[record]]
id = "a2"
series = "investment"
date = 2022-03-31
value = "9000000000"

[[record]]
id = "a3"
series = "investment"
retracts = "a2"

[[record]]
id = "b1"
series = "firms-total"
date = 2022-06-30
value = "78000"

[[record]]
id = "b2"
series = "firms-total"
date = 2022-06-30
revises = "b1"
value = "79000"
"""
SHEET = [["指标", "日期", "数值"],
         ["investment", "2022-06", "150亿"],  # recorded: a duplicate
         ["investment", "2022-03", "90亿"],  # retracted: recorded again
         ["firms-total", "2022-06", "7.8万"],  # replaced: recorded again, differs from 7.9万
         ["firms-total", "2022-06", "7.9万"],  # the current figure: a duplicate
         ["investment", "2022-06", "151亿"],  # differs from the one recorded
         ["investment", "2022-06", "151亿"],  # twice in the sheet
         ["share", "2022-06", "41.2%"]]  # new


def _held(folder: Path) -> list[tuple[object, ...]]:
    """The records of the file as a full parse reads them, less their random ids."""
    return [(r.series, r.date, r.value, r.entered, r.retracts != "", r.revises != "")
            for r in records.load_records(folder / "records.toml").records]


@pytest.mark.parametrize("cached", [True, False])
def test_import_judges_the_file_alike_with_and_without_the_index(
        plan_dir: Path, monkeypatch: pytest.MonkeyPatch, cached: bool) -> None:
    (plan_dir / "records.toml").write_text(HELD, encoding="utf-8")
    sheet = write_csv(plan_dir / "sheet.csv", SHEET)
    if not cached:
        monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    loaded = loading.load(plan_dir / "targets.toml")
    assert (loaded.index is not None) == cached
    now = datetime(2022, 8, 1, 9, tzinfo=UTC)
    dry = importing.import_file(loaded, sheet, now, dry_run=True)
    result = importing.import_file(loaded, sheet, now)
    assert [(r.series, r.date, r.value) for _, r in dry.listed] == [
        ("investment", date(2022, 3, 31), Decimal(9000000000)),
        ("firms-total", date(2022, 6, 30), Decimal(78000)),
        ("investment", date(2022, 6, 30), Decimal(15100000000)),
        ("share", date(2022, 6, 30), Decimal("41.2"))]
    for outcome in (dry, result):
        assert outcome.added == 4 and outcome.duplicates == 3 and outcome.rows == 7
        assert [f"row {c.row}" for c in outcome.conflicts] == ["row 4", "row 6"]
    assert not dry.written and result.written
    assert _held(plan_dir) == [
        ("investment", date(2022, 6, 30), Decimal(15000000000), "", False, False),
        ("investment", date(2022, 3, 31), Decimal(9000000000), "", False, False),
        ("investment", None, None, "", True, False),
        ("firms-total", date(2022, 6, 30), Decimal(78000), "", False, False),
        ("firms-total", date(2022, 6, 30), Decimal(79000), "", False, True),
        ("investment", date(2022, 3, 31), Decimal(9000000000), "90亿", False, False),
        ("firms-total", date(2022, 6, 30), Decimal(78000), "7.8万", False, False),
        ("investment", date(2022, 6, 30), Decimal(15100000000), "151亿", False, False),
        ("share", date(2022, 6, 30), Decimal("41.2"), "41.2%", False, False)]
    assert (plan_dir / "records.toml").read_text(encoding="utf-8").startswith(HELD + "\n# ")
    again = importing.import_file(loading.load(plan_dir / "targets.toml"), sheet, now)
    assert (again.added, again.duplicates, again.written) == (0, 7, False)


def test_a_figure_logged_during_an_import_is_not_recorded_twice(
        plan_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is checked before the lock is taken; if it changed by then, it is
    checked again under the lock."""
    sheet = write_csv(plan_dir / "sheet.csv", [
        ["指标", "日期", "数值"], ["investment", "2022-06", "150亿"],
        ["investment", "2022-09", "220亿"]])
    loaded = loading.load(plan_dir / "targets.toml")
    now = datetime(2022, 10, 1, tzinfo=UTC)
    checked = importing._settle
    calls = []

    def meanwhile(path: Path, spool: import_spool.Spool) -> import_spool.Settled:
        settled = checked(path, spool)
        if not calls:  # another process logs the same figure before the lock is taken
            other = loading.load(plan_dir / "targets.toml")
            log_value(other, "investment", "150亿", date(2022, 6, 30), now)
        calls.append(settled.added)
        return settled

    monkeypatch.setattr(importing, "_settle", meanwhile)
    result = importing.import_file(loaded, sheet, now)
    assert calls == [2, 1]
    assert (result.added, result.duplicates) == (1, 1)
    assert [r.value for r in records.load_records(plan_dir / "records.toml").records] == [
        Decimal(15000000000), Decimal(22000000000)]


def test_a_new_id_already_in_the_file_is_drawn_again(plan_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (plan_dir / "records.toml").write_text(HELD, encoding="utf-8")
    drawn = records.distinct_ids

    def unlucky() -> Iterator[str]:
        yield "a1"  # an id the file holds
        yield "b2"
        yield from drawn()

    monkeypatch.setattr(records, "distinct_ids", unlucky)
    sheet = write_csv(plan_dir / "sheet.csv", SHEET)
    for cached in (True, False):
        if not cached:
            monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
            (plan_dir / "records.toml").write_text(HELD, encoding="utf-8")
        loaded = loading.load(plan_dir / "targets.toml")
        if cached:
            assert loaded.index is not None
            assert loaded.index.ids_taken(["a1", "zz", "b2", "a3"]) == {"a1", "b2", "a3"}
        result = importing.import_file(loaded, sheet, datetime(2022, 8, 1, tzinfo=UTC))
        ids = [r.id for r in records.load_records(plan_dir / "records.toml").records]
        assert result.added == 4 and len(set(ids)) == len(ids) == 9


def test_a_big_file_is_copied_byte_for_byte_before_the_new_records(tmp_path: Path) -> None:
    path = tmp_path / "records.toml"
    now = datetime(2022, 8, 1, tzinfo=UTC)
    new = [Record(id=f"r{i:09d}", series="investment", date=date(2022, 1, 1) + timedelta(i),
                  value=Decimal(i), entered=str(i), logged=now) for i in range(3)]
    writing.append_records(path, [Record(id="first", series="x", date=date(2022, 1, 1),
                                       value=Decimal(1), logged=now)] * 2)
    old = path.read_bytes()
    assert old.startswith(records.RECORDS_HEADER.encode() + b"\n# first")
    old += "".join(f"# 长备注 {i}\n" for i in range(200_000)).encode()  # several MB
    path.write_bytes(old)
    os.chmod(path, 0o640)
    writing.append_records(path, new, render=records.framed_block)
    blocks = "".join("\n" + records.framed(r, records.serialized_block(r)) for r in new)
    assert path.read_bytes() == old + blocks.encode()
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.toml",
                                                          "records.toml.lock"]  # no temp file


def test_records_made_for_an_import_are_the_records_record_makes(plan_dir: Path) -> None:
    sheet = write_csv(plan_dir / "sheet.csv", [[*HEADER_ZH, "口径", "录入人"],
                                               ["investment", "2022-06", "150亿", "'=半年", "",
                                                "初步", "张三"],
                                               ["share", "2022-06", "41.2", "", "局", "", ""]])
    now = datetime(2022, 8, 1, tzinfo=UTC)
    result = importing.import_file(loading.load(plan_dir / "targets.toml"), sheet, now,
                                  by="李四", dry_run=True)
    made_records = [made for _, made in result.listed]
    for made in made_records:
        fields = {f.name: getattr(made, f.name) for f in dataclasses.fields(Record)}
        assert made == Record(**fields) and repr(made) == repr(Record(**fields))
        assert vars(made) == vars(Record(**fields)) and hash(made) == hash(Record(**fields))
    assert [(r.note, r.source, r.vintage, r.by, r.unit) for r in made_records] == [
        ("=半年", "", "初步", "张三", "元"), ("", "局", "", "李四", "%")]


def test_progress_is_told_the_rows_checked_as_they_stream(plan_dir: Path) -> None:
    start = date(2000, 1, 1)
    rows = [["target", "date", "value"]] + [
        ["investment", (start + timedelta(days=i)).isoformat(), f"{i}"] for i in range(2500)]
    rows.insert(700, ["", " ", ""])  # a blank row is no row
    told: list[int] = []
    result = importing.import_file(loading.load(plan_dir / "targets.toml"),
                                  write_csv(plan_dir / "p.csv", rows),
                                  datetime(2022, 8, 1, tzinfo=UTC), progress=told.append)
    assert told == [0, 1000, 2000, 2500]
    assert result.rows == 2500 and result.added == 2500


def test_rows_name_the_targets_resolve_target_names(shipped: Path, plan_dir: Path) -> None:
    for folder in (shipped, plan_dir):
        plan = loading.load(folder / "targets.toml").plan
        rows = importing._Rows(plan, "x", "")
        for target in plan.targets:
            for ref in (target.id, target.name, target.series):
                assert rows._targets[ref] == loading.resolve_target(plan, ref), ref


def test_rows_make_the_records_record_would() -> None:
    """An import builds each record without Record's __init__: the same record."""
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    made = importing._record("abcdefghij", "investment", date(2022, 6, 30), Decimal("1.5E10"),
                            "元", "150亿", "注", "月报", now, "统计局", "初步", "imp-1")
    expected = Record(id="abcdefghij", series="investment", date=date(2022, 6, 30),
                      value=Decimal("1.5E10"), unit="元", entered="150亿", note="注",
                      source="月报", logged=now, by="统计局", vintage="初步", batch="imp-1")
    assert made == expected and vars(made) == vars(expected)
