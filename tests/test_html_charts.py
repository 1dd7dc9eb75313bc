"""The HTML report's charts: SVG written as text, read back here as XML the way a browser
would draw it (tests/test_html_browser.py looks at them in Chromium)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bjtrack.render.chart import Chart, display_scale
from bjtrack.render.svgchart import svg_chart
from bjtrack.render.words import Words
from conftest import REPO, Runner

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = "2022-08-01"
HOSTILE = "投资<script>alert('x')</script>&\"quoted\""


@pytest.fixture
def figures(cli: Runner, plan_dir: Path) -> Path:
    """The small plan and one more target; figures for all but the new one."""
    with (plan_dir / "targets.toml").open("a", encoding="utf-8") as plan:
        plan.write('\n[[target]]\nid = "parks"\nname = "产业园区"\ntarget = "5个"\n'
                   "start = 2022-01-01\ndue = 2022-12-31\n")
    (plan_dir / "figures.csv").write_text(
        "target,date,value\ninvestment,2022-03,90亿\ninvestment,2022-06,150亿\n"
        "firms-total,2022-03,7.6万\nfirms-total,2022-06,7.9万\nshare,2022-06,41.2%\n",
        encoding="utf-8")
    assert cli("import", "figures.csv", cwd=plan_dir).code == 0
    return plan_dir


def export(cli: Runner, folder: Path) -> str:
    result = cli("--lang", "zh", "export", "--format", "html", "--as-of", AS_OF, cwd=folder)
    assert result.code == 0, result.err
    return result.out


def charts(html: str) -> dict[str, ET.Element]:
    """Each target's chart by target id, parsed as XML (so it is well-formed SVG)."""
    sections = re.findall(r'<section class="target" id="t-([\w-]+)">(.*?)</section>', html,
                          re.DOTALL)
    found = {target: re.findall(r"<svg .*?</svg>", body, re.DOTALL) for target, body in sections}
    assert all(len(svgs) <= 1 for svgs in found.values())
    return {target: ET.fromstring(svgs[0]) for target, svgs in found.items() if svgs}


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def y_labels(svg: ET.Element) -> list[str]:
    """The y-axis labels from the bottom of the axis up (the unit above them left out)."""
    axis = svg.find(f"{SVG}g[@class='y-axis']")
    assert axis is not None
    labels = [t for t in axis.iter(f"{SVG}text") if t.get("class") != "unit"]
    return [t.text or "" for t in sorted(labels, key=lambda t: -float(t.get("y", "0")))]


def test_a_chart_for_each_target_with_figures_and_none_without(cli: Runner,
                                                               figures: Path) -> None:
    html = export(cli, figures)
    assert sorted(charts(html)) == ["firms-total", "investment", "share"]
    empty = html.split('id="t-parks"', 1)[1].split("</section>", 1)[0]
    assert 'class="chart"' not in empty and 'class="legend"' not in empty
    assert "暂无数据记录" in empty  # the records table says why there is no chart


def test_an_amount_axis_starts_at_zero_with_labelled_lines(cli: Runner, figures: Path) -> None:
    investment = charts(export(cli, figures))["investment"]
    assert investment.findtext(f"{SVG}title") == "区内全年投资"
    labels = y_labels(investment)
    assert labels[0] == "0" and labels == sorted(labels, key=float)
    assert investment.find(f"{SVG}path[@class='axis-break']") is None
    shown = texts(investment)
    assert "亿元" in shown  # the unit over the axis
    assert "150亿元" in shown and "目标 300亿元" in shown  # written as the report writes them
    assert {"2022-01", "2022-07", "2023-01"} <= set(shown)  # months as the report writes them
    assert len(investment.findall(f".//{SVG}g[@class='actual']//{SVG}circle")) == 2
    assert investment.find(f"{SVG}path[@class='pace']") is not None
    assert investment.find(f"{SVG}g[@class='target-line']") is not None
    firms = charts(export(cli, figures))["firms-total"]  # figures far from zero: still 0
    assert y_labels(firms)[0] == "0" and "目标 8.2万家" in texts(firms)


def test_a_rate_axis_may_start_above_zero_and_says_so(cli: Runner, figures: Path) -> None:
    share = charts(export(cli, figures))["share"]
    labels = y_labels(share)
    assert float(labels[0]) > 0 and float(labels[0]) < 40 < float(labels[-1])
    assert share.find(f"{SVG}path[@class='axis-break']") is not None  # the cut is drawn
    assert share.find(f"{SVG}path[@class='pace']") is None  # a held share has no pace
    assert "目标 40.0%" in texts(share) and "41.2%" in texts(share)


def test_names_are_escaped_and_charts_are_the_same_bytes(cli: Runner, figures: Path) -> None:
    plan = figures / "targets.toml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('name = "区内全年投资"', 'name = "投资<script>alert(\'x\')'
                                 '</script>&\\"quoted\\""'), encoding="utf-8")
    first = export(cli, figures)
    assert first.count("<script") == 1 and "alert(" not in first.split("<script>")[1]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)" in first  # the name, shown as text
    chart = charts(first)["investment"]
    assert chart.findtext(f"{SVG}title") == HOSTILE
    assert chart.get("aria-label") == HOSTILE
    svgs = re.findall(r"<svg .*?</svg>", first, re.DOTALL)
    assert svgs == re.findall(r"<svg .*?</svg>", export(cli, figures), re.DOTALL)
    assert all(len(svg) < 4000 for svg in svgs)  # a few kilobytes a chart


def test_no_plotting_library() -> None:
    """The charts are text: nothing imports matplotlib or numpy, and neither is declared."""
    pattern = re.compile(r"^\s*(?:import|from)\s+(?:matplotlib|numpy)\b", re.MULTILINE)
    for path in (REPO / "src").rglob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path
    project = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert "matplotlib" not in project and "numpy" not in project


DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
VALUES = st.decimals(min_value=-10**13, max_value=10**13, places=2, allow_nan=False,
                     allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(DAYS, VALUES), min_size=1, max_size=80), st.none() | VALUES,
       st.lists(st.tuples(DAYS, VALUES), max_size=3), st.none() | DAYS, st.none() | DAYS,
       st.sampled_from(["元", "%", "人", "<&>"]))
def test_any_chart_is_well_formed_and_stays_in_its_box(
        points: list[tuple[date, Decimal]], goal: Decimal | None,
        pace: list[tuple[date, Decimal]], start: date | None, due: date | None,
        unit: str) -> None:
    points.sort()
    values = [v for _, v in points + pace] + ([goal] if goal is not None else [])
    scale, shown = display_scale(values, unit)
    chart = Chart(tuple(points), goal, tuple(sorted(pace)), start, due, shown, scale,
                  base_unit=unit)
    svg = svg_chart(Words("zh", "cn"), chart, "x", "名<称>")
    assert svg == svg_chart(Words("zh", "cn"), chart, "x", "名<称>")
    root = ET.fromstring(svg)  # well-formed, text escaped
    width, height = (int(n) for n in root.get("viewBox", "").split()[2:])
    for element in root.iter():
        for name, most in (("x", width), ("cx", width), ("y", height), ("cy", height)):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name, "")) <= most, svg
    labels = y_labels(root)
    assert len(labels) <= 9
    if unit != "%" and all(v >= 0 for v in values):
        assert labels[0] == "0"  # an amount's axis starts at zero
