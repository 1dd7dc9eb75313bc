"""What the terminal shows: every figure whole at 60, 80, 100 and 120 columns (names wrap,
figures never), what is still needed of people and firms in whole units rounded up, a bar
whose time marker hides none of the fill, the whole quote in `bjtrack targets`, and long
tables through a pager only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from bjtrack.domain.amounts import format_amount, whole_needed
from bjtrack.domain.model import Kind, Status, Target, Verdict
from bjtrack.render.table import _bar, bar_cells, targets_table
from bjtrack.render.text import needed
from bjtrack.render.words import Words
from conftest import REPO, Runner

WIDTHS = (60, 80, 100, 120)
AS_OF = "2022-08-05"

PEOPLE_PLAN = """\
[plan]
name = "人和企业"
records = "records.toml"

[[target]]
id = "talent"
name = "全年引进各类高层次人才和优秀青年人才（含博士后）"
target = "3.8万人"
start = 2022-01-01
due = 2022-12-31
kind = "flow"
group = "人才"
quote = "力争全年引进人才3.8万人。"

[[target]]
id = "firms"
name = "新增规模以上工业企业和限额以上批零住餐企业"
target = "8500家"
start = 2022-01-01
due = 2022-12-31
kind = "flow"
group = "企业"
quote = "新增规上企业8500家。"

[[target]]
id = "projects"
name = "重大产业项目"
target = "37个"
start = 2022-01-01
due = 2022-12-31
kind = "flow"
group = "企业"

[[target]]
id = "gdp-growth"
name = "地区生产总值增长"
target = "6%"
start = 2022-01-01
due = 2022-12-31
group = "经济"

[[target]]
id = "revenue-growth"
name = "一般公共预算收入增长"
target = "series:gdp-growth"
unit = "%"
start = 2022-01-01
due = 2022-12-31
group = "经济"
"""

PEOPLE_FIGURES = (("talent", "17000", "2022-07"), ("firms", "4201", "2022-07"),
                  ("projects", "20", "2022-07"), ("gdp-growth", "4.1%", "2022-06"),
                  ("revenue-growth", "5.3%", "2022-06"))


@pytest.fixture
def people(cli: Runner, tmp_path: Path) -> Path:
    (tmp_path / "targets.toml").write_text(PEOPLE_PLAN, encoding="utf-8")
    for target, value, day in PEOPLE_FIGURES:
        result = cli("log", target, value, "--date", day, "--by", "t", cwd=tmp_path)
        assert result.code == 0, result.err
    return tmp_path


@pytest.fixture
def shipped_logged(cli: Runner, shipped: Path) -> Path:
    for target, value, day in (("investment", "150亿", "2022-06"), ("talent", "1.5万", "2022-06"),
                               ("firms-total", "7.9万", "2022-06"),
                               ("industry-share", "41.2%", "2022-06"),
                               ("innovation-consortia", "13", "2022-06")):
        assert cli("log", target, value, "--date", day, "--by", "t", cwd=shipped).code == 0
    return shipped


def _figures(row: dict[str, Any]) -> list[str]:
    """The figures of a status row as the table writes them, from the JSON's exact values."""
    unit = row["unit"]
    shown = []
    if row["actual"] is not None:
        shown.append(format_amount(row["actual"], unit, exact=True))
    if row["target"] is not None:
        shown.append(format_amount(row["target"], unit, exact=True))
    return shown


def _shares(row: dict[str, Any]) -> list[str]:
    return [format_amount(row[k] * 100, "%", places=1)
            for k in ("progress", "time_elapsed") if row[k] is not None]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("plan", ["shipped_logged", "people"])
def test_every_figure_is_shown_whole_at_every_width(
        cli: Runner, request: pytest.FixtureRequest, plan: str, width: int) -> None:
    folder: Path = request.getfixturevalue(plan)
    data = json.loads(cli("status", "--as-of", AS_OF, "--format", "json", cwd=folder).out,
                      parse_float=Decimal, parse_int=Decimal)
    for lang in ("zh", "en"):
        shown = cli("--lang", lang, "status", "--as-of", AS_OF, cwd=folder,
                    env={"COLUMNS": str(width)})
        assert shown.code == 0, shown.err
        lines = shown.out.splitlines()
        assert "…" not in shown.out
        assert all(cell_len(line) <= width for line in lines)
        for row in data["targets"]:
            figures = _figures(row) + (_shares(row) if width >= 100 else [])
            if width >= 80 and row["actual_date"] is not None:
                figures.append(row["actual_date"])
            for figure in figures:  # on one line: never cut, never split
                assert any(figure in line for line in lines), (lang, width, figure, shown.out)
        for row in data["indicators"]:
            figure = format_amount(row["actual"], row["unit"], exact=True)
            assert any(figure in line for line in lines), (figure, shown.out)


def test_names_wrap_rather_than_figures(cli: Runner, people: Path) -> None:
    shown = cli("--lang", "zh", "status", "--as-of", AS_OF, cwd=people, env={"COLUMNS": "60"})
    assert "全年引进各类高层次人才和优秀青年人才（含博士后）" not in shown.out  # wrapped
    assert "全年引进" in shown.out and "3.8万人" in shown.out


def test_a_relative_target_names_the_series_it_follows(cli: Runner, people: Path) -> None:
    for lang, words in (("zh", "与 地区生产总值增长 同步"),
                        ("en", "in step with 地区生产总值增长")):
        for command in (("status", "--as-of", AS_OF), ("targets",)):
            shown = cli("--lang", lang, *command, cwd=people, env={"COLUMNS": "200"})
            assert words in shown.out, shown.out
            assert "gdp-growth 同步" not in shown.out and "with gdp-growth" not in shown.out
    markdown = cli("--lang", "zh", "export", "--format", "markdown", "--as-of", AS_OF,
                   cwd=people)
    assert "与 地区生产总值增长 同步（4.1%）" in markdown.out
    from docx import Document

    out = people / "report.docx"
    assert cli("--lang", "zh", "export", "--format", "docx", "--as-of", AS_OF, "-o", str(out),
               cwd=people).code == 0
    cells = [c.text for row in Document(str(out)).tables[0].rows for c in row.cells]
    assert "与 地区生产总值增长 同步（4.1%）" in cells
    assert not any("gdp-growth" in c for c in cells)


def test_the_grid_narrows_names_and_words_never_figures() -> None:
    from rich.text import Text

    from bjtrack.render.grid import FIXED, FOLD, WORDS, Column, Grid, Row

    grid = Grid([Column("name", FOLD, least=4), Column("target", WORDS),
                 Column("figure", FIXED, right=True)])
    grid.add(Row((Text("推进中央和省批复的改革试点"), Text("every year ≥ 3亿元"),
                  Text("1,800,694,611元")), span=("还需完成2834人，", "月均需完成567人")))
    assert grid.fits(40) and not grid.fits(30)
    console = Console(width=40, record=True, color_system=None)
    console.print(grid)
    lines = console.export_text().splitlines()
    assert all(cell_len(line) == cell_len(lines[0]) <= 40 for line in lines)
    assert sum("1,800,694,611元" in line for line in lines) == 1  # one line, whole
    assert any("3亿元" in line for line in lines) and any("every" in line for line in lines)
    assert "推进中央和省批复的改革试点" not in console.export_text()  # the name wrapped
    assert any(line.startswith("│  还需完成2834人，") for line in lines)  # across the table


# --------------------------------------------------------------------------- whole units

@pytest.mark.parametrize(("value", "unit", "whole"), [
    ("2833.33", "人", "2834"), ("2833", "人", "2833"), ("0.2", "家", "1"), ("12.01", "个", "13"),
    ("2833.33", "元", "2833.33"), ("1.25", "%", "1.25")])
def test_what_is_needed_of_countable_things_is_rounded_up(value: str, unit: str,
                                                         whole: str) -> None:
    assert whole_needed(Decimal(value), unit) == Decimal(whole)


def test_the_needed_lines_count_people_and_firms_in_whole_units(cli: Runner, people: Path
                                                                 ) -> None:
    rows = {r["id"]: r for r in json.loads(cli(
        "status", "--as-of", AS_OF, "--format", "json", cwd=people).out,
        parse_float=Decimal, parse_int=Decimal)["targets"]}
    assert rows["firms"]["required_rate"] == Decimal("859.80")  # 4299 over 5 months
    assert rows["talent"]["required_rate"] == Decimal("4200")
    assert rows["projects"]["required_rate"] == Decimal("3.40")
    shown = cli("--lang", "zh", "status", "--as-of", AS_OF, cwd=people, env={"COLUMNS": "100"})
    assert "还需完成4299家，月均需完成860家" in shown.out  # 859.8家 a month is 860 firms
    assert "还需完成2.1万人，月均需完成4200人" in shown.out
    assert "还需完成17个，月均需完成4个" in shown.out  # 3.4 projects a month is 4
    assert "859.8" not in shown.out and "3.4个" not in shown.out
    assert needed(Words("en"), Decimal("2833.33"), "人") == "2834人"
    assert needed(Words("zh"), Decimal("2500000000.5"), "元") == "25亿元"  # money: rounded


def test_the_needed_line_spans_the_table_under_its_row(cli: Runner, people: Path) -> None:
    shown = cli("--lang", "zh", "status", "--as-of", AS_OF, cwd=people, env={"COLUMNS": "80"})
    line = next(line for line in shown.out.splitlines() if "还需完成4299家" in line)
    assert line.startswith("│  还需完成") and line.endswith("│")
    assert line.count("│") == 2  # no column borders: the whole width of the table


# --------------------------------------------------------------------------- the bar

def _status(progress: str, elapsed: str) -> Status:
    target = Target(id="t", name="t", kind=Kind.FLOW, unit="人", series="t",
                    target=Decimal(100))
    return Status(target=target, as_of=target_date(), verdict=Verdict.BEHIND,
                  progress=Decimal(progress), time_elapsed=Decimal(elapsed))


def target_date() -> Any:
    from datetime import date

    return date(2022, 8, 5)


def test_the_bar_marker_never_hides_the_fill() -> None:
    low, high = _bar(_status("0.429", "0.583")), _bar(_status("0.553", "0.583"))
    assert low.plain != high.plain  # the two progresses draw differently
    for bar, progress in ((low, Decimal("0.429")), (high, Decimal("0.553"))):
        fill, marker = bar.plain.split("\n")
        assert fill == bar_cells(progress) and "▲" not in fill  # the fill whole
        assert marker.index("▲") == 11  # 58.3% of 20 cells
    assert bar_cells(Decimal("0.429")).count("█") == 8
    assert bar_cells(Decimal("0.553")).count("█") == 11
    assert bar_cells(Decimal(0)) == "░" * 20 and bar_cells(Decimal(2)) == "█" * 20


# --------------------------------------------------------------------------- targets

@pytest.mark.parametrize("width", WIDTHS)
def test_targets_shows_each_whole_quote(cli: Runner, shipped: Path, width: int) -> None:
    shown = cli("--lang", "zh", "targets", cwd=shipped, env={"COLUMNS": str(width)})
    assert shown.code == 0, shown.err
    assert all(cell_len(line) <= width for line in shown.out.splitlines())
    flat = re.sub(r"[│\s]", "", shown.out)
    quotes = [t["quote"] for t in json.loads(cli("targets", "--format", "json",
                                                  cwd=shipped).out) if t["quote"]]
    assert quotes
    for quote in quotes:  # wrapped, never cut
        assert re.sub(r"\s", "", quote) in flat, quote
    assert "…" not in shown.out.replace("……", "")


def test_targets_table_in_a_console_of_each_width() -> None:
    from bjtrack.files.plan import load_plan

    plan = load_plan(REPO / "targets.toml")
    for width in WIDTHS:
        console = Console(width=width, record=True, color_system=None)
        console.print(targets_table(Words("en"), plan, width))
        text = console.export_text()
        assert "talent" in text and "≥ 3.8万人" in text
        assert max(cell_len(line) for line in text.splitlines()) <= width


# --------------------------------------------------------------------------- the pager

def _in_a_terminal(folder: Path, *args: str, env: dict[str, str], errors: bool = False
                   ) -> str:
    """Run bjtrack with a pseudo-terminal as stdout (and stderr, with `errors`); what
    reached the terminal."""
    leader, follower = pty.openpty()
    full = {**os.environ, "COLUMNS": "100", "LINES": "10", "BJTRACK_LANG": "zh", **env}
    full.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "bjtrack", *args], cwd=folder,
                            stdin=subprocess.DEVNULL, stdout=follower,
                            stderr=follower if errors else subprocess.PIPE, env=full)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return out.decode("utf-8", "replace")


def test_a_long_table_on_a_terminal_goes_through_the_pager(shipped: Path) -> None:
    paged = shipped / "paged.txt"
    screen = _in_a_terminal(shipped, "status", "--as-of", AS_OF,
                            env={"BJTRACK_PAGER": f"cat > {paged}"})
    assert "全年引进人才" in paged.read_text(encoding="utf-8")
    assert "全年引进人才" not in screen


@pytest.mark.parametrize("how", ["--no-pager", "BJTRACK_PAGER=cat", "short", "NO_COLOR"])
def test_the_pager_is_left_out(shipped: Path, how: str) -> None:
    paged = shipped / "paged.txt"
    env = {"PAGER": f"cat > {paged}"}
    args = ["status", "--as-of", AS_OF]
    if how == "--no-pager":
        args.insert(0, how)
    elif how == "BJTRACK_PAGER=cat":
        env["BJTRACK_PAGER"] = "cat"
    elif how == "short":
        env["LINES"] = "500"  # the table fits the screen
    else:
        env["NO_COLOR"] = "1"  # colour only: the pager still pages
    screen = _in_a_terminal(shipped, *args, env=env)
    if how == "NO_COLOR":
        assert "全年引进人才" in paged.read_text(encoding="utf-8")
        colours = re.compile(r"\x1b\[(?:\d+;)*(?:3\d|9\d|4\d)(?:;\d+)*m")  # bold stays
        assert not colours.search(paged.read_text(encoding="utf-8"))
        return
    assert "全年引进人才" in screen and not paged.exists()


def test_a_pager_that_does_not_exist_prints_the_table(shipped: Path) -> None:
    screen = _in_a_terminal(shipped, "status", "--as-of", AS_OF,
                            env={"BJTRACK_PAGER": "no-such-pager -R"}, errors=True)
    assert "全年引进人才" in screen and "not found" not in screen


def test_piped_output_is_never_paged(shipped: Path) -> None:
    paged = shipped / "paged.txt"
    env = {**os.environ, "LINES": "10", "PAGER": f"cat > {paged}"}
    shown = subprocess.run([sys.executable, "-m", "bjtrack", "status", "--as-of", AS_OF],
                           cwd=shipped, capture_output=True, text=True, env=env, check=True)
    assert "Indicators" in shown.stdout or "监测指标" in shown.stdout
    assert not paged.exists()


# --------------------------------------------------------------------------- large plans

@pytest.mark.parametrize("width", WIDTHS)
def test_a_large_plans_lines_keep_every_figure_whole(cli: Runner, tmp_path: Path,
                                                     width: int) -> None:
    from bjtrack.render import table
    from test_cache import generate

    generate.write_plan(tmp_path, table.COMPACT_FROM + 10, 40)
    data = json.loads(cli("status", "--as-of", "2025-06-30", "--format", "json",
                          cwd=tmp_path).out, parse_float=Decimal, parse_int=Decimal)
    shown = cli("status", "--as-of", "2025-06-30", cwd=tmp_path, env={"COLUMNS": str(width)})
    lines = shown.out.splitlines()
    assert all(cell_len(line) <= width for line in lines)
    for row in data["targets"]:  # one line each, in order: the figure whole on it
        if row["actual"] is None:
            continue
        figure = format_amount(row["actual"], row["unit"], exact=True)
        assert any(f" {figure} " in f" {line} " for line in lines), (width, figure)
        if "Target value" in lines[1] and row["target"] is not None:  # its figure whole too
            goal = format_amount(row["target"], row["unit"], exact=True)
            assert any(goal in line for line in lines), (width, goal)
    for line in lines:  # only a name (the first cell), or a target's words, are cut
        for cut in re.finditer("…", line):
            in_name = " " not in line[:cut.start()]
            after = line[cut.end():cut.end() + 2]
            assert in_name or (after[:1] == " " and after[1:].strip()), line  # '… 325亿元'


def test_a_chinese_verdict_with_a_remark_keeps_the_columns_of_80(cli: Runner,
                                                                 shipped: Path) -> None:
    """'进度正常（数据已过期）' counted as one unbreakable word, so a stale figure sent a
    Chinese table at 80 columns down to three columns (no 目标, 完成/时间 or 截至) where the
    English one kept six: the verdict breaks before its bracket instead."""
    assert cli("log", "new-firms", "9100", "--date", "2022-06", cwd=shipped).code == 0
    shown = cli("--lang", "zh", "status", "--as-of", "2022-10-05", "--group", "产业续航",
                cwd=shipped, env={"COLUMNS": "80"})
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    assert "完成/时间" in shown.out and "截至" in shown.out and "2022-06-30" in shown.out
    row = next(n for n, line in enumerate(lines) if "今年新增" in line)
    assert "进度正常" in lines[row] and "（数据已过期）" in lines[row + 1]


@pytest.mark.parametrize("command", [("status", "--as-of", AS_OF), ("targets",),
                                     ("history", "investment")])
def test_a_table_title_has_no_spaces_after_it(cli: Runner, shipped: Path,
                                              command: tuple[str, ...]) -> None:
    """The centred title was padded with spaces to the table's width: trailing blanks in
    `status > status.txt` and in every diff of it."""
    shown = cli("--lang", "zh", *command, cwd=shipped, env={"COLUMNS": "100"})
    title = shown.out.splitlines()[0]
    assert title.strip() and title == title.rstrip(), repr(title)


def test_an_open_ended_period_says_from_when(cli: Runner, shipped: Path) -> None:
    """A target that recurs every year from 2022 showed its period as '2022-01-01 ~;'."""
    for lang, said in (("en", "from 2022-01-01"), ("zh", "2022-01-01 起")):
        for width in (60, 140):
            shown = cli("--lang", lang, "targets", cwd=shipped, env={"COLUMNS": str(width)})
            assert said in shown.out and "~;" not in shown.out and "~ │" not in shown.out
