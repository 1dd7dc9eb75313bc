"""The HTML report's overview table, read back with html.parser: a row per target in the
report's order with the seven columns in the run's language, each name linking to its card,
the status in its colour, the sort keys the script uses, a relative target named by the
series it follows, the script allowed by its hash alone, and the print stylesheet."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Runner

AS_OF = "2022-08-01"


@dataclass
class Cell:
    attrs: dict[str, str]
    text: str = ""
    links: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # of spans inside


class Page(HTMLParser):
    """The overview's headings and rows, the ids of the cards, the script and the CSP."""

    def __init__(self) -> None:
        super().__init__()
        self.heads: list[str] = []
        self.rows: list[list[Cell]] = []
        self.ids: set[str] = set()
        self.cards: list[str] = []
        self.script = ""
        self.csp = ""
        self.style = ""
        self._in: list[str] = []
        self._table = False
        self._cell: Cell | None = None
        self._head: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self._in.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "section" and "target" in a.get("class", ""):
            self.cards.append(a["id"])
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a["content"]
        if tag == "table" and a.get("id") == "overview":
            self._table = True
        if not self._table:
            return
        if tag == "th":
            self._head = []
        elif tag == "tr" and "thead" not in self._in:
            self.rows.append([])
        elif tag == "td":
            self._cell = Cell(a)
        elif tag == "a" and self._cell is not None:
            self._cell.links.append(a["href"])
        elif tag == "span" and self._cell is not None:
            self._cell.classes += a.get("class", "").split()

    def handle_endtag(self, tag: str) -> None:
        if self._in:
            self._in.pop()
        if tag == "table":
            self._table = False
        elif tag == "th" and self._head is not None:
            self.heads.append("".join(self._head))
            self._head = None
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script":
            self.script += data
        if self._in and self._in[-1] == "style":
            self.style += data
        if self._head is not None:
            self._head.append(data)
        elif self._cell is not None:
            self._cell.text += data


@pytest.fixture
def logged(cli: Runner, shipped: Path) -> Path:
    for target, value in (("investment", "150亿"), ("talent", "1.5万"), ("new-firms", "8000"),
                          ("industry-share", "41.2%")):
        assert cli("log", target, value, "--date", "2022-06", "--by", "t", cwd=shipped).code == 0
    return shipped


def _page(cli: Runner, folder: Path, lang: str) -> Page:
    out = folder / f"report-{lang}.html"
    result = cli("--lang", lang, "export", "--format", "html", "--as-of", AS_OF, "-o", str(out),
                 cwd=folder)
    assert result.code == 0, result.err
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    return page


@pytest.mark.parametrize(("lang", "heads"), [
    ("zh", ["指标", "目标", "实际", "完成率", "时间进度(月)", "状态", "截至"]),
    ("en", ["Target", "Target value", "Actual", "Done", "Time (months)", "Status", "As of"])])
def test_the_overview_has_a_row_per_target(cli: Runner, logged: Path, lang: str,
                                           heads: list[str]) -> None:
    page = _page(cli, logged, lang)
    assert page.heads == heads
    assert len(page.rows) == 12 and all(len(row) == 7 for row in page.rows)
    ids = [row[0].links[0].removeprefix("#") for row in page.rows]
    assert ids == page.cards  # in the report's order, each linked to its card
    assert all(row[0].links[0].startswith("#t-") for row in page.rows)


def test_the_overview_shows_figures_and_status_colours(cli: Runner, logged: Path) -> None:
    page = _page(cli, logged, "zh")
    rows = {row[0].text: row for row in page.rows}
    investment = rows["区内全年投资"]
    assert [c.text for c in investment] == ["区内全年投资", "超300亿元", "150亿元", "50.0%",
                                            "50.0%", "进度正常", "2022-06-30"]
    assert "good" in investment[5].classes
    talent = rows["全年引进人才"]
    assert talent[5].text == "滞后" and "bad" in talent[5].classes
    empty = rows["企业总量"]
    assert empty[5].text == "暂无数据" and "none" in empty[5].classes
    # the keys the script sorts by: exact numbers, ISO dates, empty when there is no value
    assert investment[3].attrs["data-sort"] == "0.5"
    assert investment[6].attrs["data-sort"] == "2022-06-30"
    assert empty[2].attrs["data-sort"] == "" and empty[3].attrs["data-sort"] == ""
    assert int(talent[5].attrs["data-sort"]) > int(investment[5].attrs["data-sort"])


def test_the_script_is_the_only_one_and_allowed_by_its_hash(cli: Runner, logged: Path) -> None:
    page = _page(cli, logged, "zh")
    digest = base64.b64encode(hashlib.sha256(page.script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page.csp
    assert "default-src 'none'" in page.csp and "unsafe-inline'" not in page.csp.split(
        "script-src")[1]
    assert "http" not in page.script and "fetch" not in page.script  # nothing from outside


def test_the_print_stylesheet(cli: Runner, logged: Path) -> None:
    css = _page(cli, logged, "zh").style
    assert "@page { size: A4;" in css
    media = css[css.index("@media print"):]
    assert "thead { display: table-header-group; }" in media  # the header on every page
    assert re.search(r"button::after[^{]*\{ content: none; \}", media)  # no sort arrows
    assert ".hint { display: none; }" in media
    assert "break-inside: avoid" in css[css.index(".target {"):]  # a card stays whole


def test_a_relative_target_is_named_by_the_series_it_follows(cli: Runner, tmp_path: Path
                                                            ) -> None:
    (tmp_path / "targets.toml").write_text(
        '[plan]\nname = "p"\nrecords = "records.toml"\n\n'
        '[[target]]\nid = "gdp-growth"\nname = "地区生产总值增长"\ntarget = "6%"\n'
        "start = 2022-01-01\ndue = 2022-12-31\n\n"
        '[[target]]\nid = "revenue-growth"\nname = "一般公共预算收入增长"\n'
        'target = "series:gdp-growth"\nunit = "%"\nstart = 2022-01-01\ndue = 2022-12-31\n',
        encoding="utf-8")
    for target, value in (("gdp-growth", "4.1%"), ("revenue-growth", "5.3%")):
        assert cli("log", target, value, "--date", "2022-06", cwd=tmp_path).code == 0
    page = _page(cli, tmp_path, "zh")
    revenue = next(row for row in page.rows if row[0].text == "一般公共预算收入增长")
    assert revenue[1].text == "与 地区生产总值增长 同步（4.1%）"
    html = (tmp_path / "report-zh.html").read_text(encoding="utf-8")
    assert "gdp-growth 同步" not in html
