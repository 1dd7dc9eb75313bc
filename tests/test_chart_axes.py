"""One axis rule for every chart: a target's chart shows the same y-axis (bounds, round
steps, labels) and the same month ticks in the terminal (`history --chart`), in the HTML
report (SVG) and in the Word report (PNG). Checked on what each shows, read back: the
terminal's axis labels, the SVG's <text>, the PNG's pixels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bjtrack.render import png
from conftest import Runner
from test_html_charts import charts, figures

__all__ = ["figures"]  # the fixture, shared with test_html_charts

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = "2022-08-01"
# What a reader sees on each target's y-axis, from the bottom up: an amount's axis from
# zero (also a level far from it), a rate's from just under its figures, the cut marked.
EXPECTED = {
    "investment": ["0", "50", "100", "150", "200", "250", "300", "350"],
    "firms-total": ["0", "2", "4", "6", "8", "10"],
    "share": [str(n) for n in range(35, 43)],
}
MONTHS = ["2022-01", "2022-03", "2022-05", "2022-07", "2022-09", "2022-11", "2023-01"]


# --------------------------------------------------------------------------- reading back

def terminal_axis(out: str) -> tuple[list[str], int, bool]:
    """The terminal chart's y-axis labels from the bottom up, how many month ticks its time
    axis has, and whether its y-axis is drawn broken."""
    lines = out.splitlines()
    bottom = next(i for i, line in enumerate(lines) if re.fullmatch(r" *└[─┬]+", line))
    rows = []
    for line in reversed(lines[:bottom]):
        found = re.match(r" *([-\d.,]*) ([│╎])", line)
        if not found:
            break
        rows.append(found.groups())
    return [label for label, _ in rows if label], lines[bottom].count("┬"), \
        any(axis == "╎" for _, axis in rows)


def svg_axis(svg: ET.Element) -> tuple[list[str], list[str], bool]:
    """The SVG's y-axis labels from the bottom up, its month labels, whether it is cut."""
    y_axis, x_axis = svg.find(f"{SVG}g[@class='y-axis']"), svg.find(f"{SVG}g[@class='x-axis']")
    assert y_axis is not None and x_axis is not None
    labels = [t for t in y_axis.iter(f"{SVG}text") if t.get("class") != "unit"]
    labels.sort(key=lambda t: -float(t.get("y", "0")))
    return ([t.text or "" for t in labels], [t.text or "" for t in x_axis.iter(f"{SVG}text")],
            svg.find(f"{SVG}path[@class='axis-break']") is not None)


def pixels(data: bytes) -> list[bytes]:
    """The rows of an RGB PNG as png.py writes it (one IDAT chunk, no row filter)."""
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    at = data.index(b"IDAT")
    raw = zlib.decompress(data[at + 4:at + 4 + int.from_bytes(data[at - 4:at], "big")])
    stride = width * 3 + 1
    assert all(raw[y * stride] == 0 for y in range(height))
    return [raw[y * stride + 1:(y + 1) * stride] for y in range(height)]


def png_axis(data: bytes, labels: list[str]) -> tuple[bool, int]:
    """Read a PNG chart back: whether its y-axis shows `labels` (from the bottom up) and
    nothing else, pixel for pixel; and how many month ticks are under its axis."""
    rows = pixels(data)
    margin = (png.LEFT - 11) * 3  # the labels' columns, left of the plot
    below = png.HEIGHT - png.BOTTOM + 14  # down to just under the plot's bottom
    white = b"\xff" * margin
    inked = [y for y in range(below) if rows[y][:margin] != white]
    tops = [y for y in inked if y - 1 not in inked]  # each label's top row
    expected = png.Canvas(png.WIDTH, png.HEIGHT)
    for top, label in zip(sorted(tops, reverse=True), labels, strict=False):
        expected.text(png.LEFT - 12, top, label, png.TEXT, "right")
    stride = png.WIDTH * 3
    same = len(tops) == len(labels) and all(
        rows[y][:margin] == expected.pixels[y * stride:y * stride + margin]
        for y in range(below))
    axis_row = rows[png.HEIGHT - png.BOTTOM + 5]  # through the month ticks, under the axis
    return same, len(re.findall(re.escape(bytes(png.AXIS)) + b"+", axis_row))


def docx_pictures(path: Path) -> dict[str, bytes]:
    """The Word report's chart images by the caption under each (the target's name)."""
    from docx import Document

    doc = Document(str(path))
    found: dict[str, bytes] = {}
    for paragraph, caption in pairwise(doc.paragraphs):
        blips = paragraph._p.xpath(".//a:blip/@r:embed")
        if blips:
            found[caption.text] = doc.part.related_parts[blips[0]].blob
    return found


# --------------------------------------------------------------------------- the tests

def test_each_target_has_the_same_axes_in_terminal_html_and_word(cli: Runner,
                                                                 figures: Path) -> None:
    html = cli("--lang", "zh", "export", "--format", "html", "--as-of", AS_OF, cwd=figures)
    assert html.code == 0, html.err
    svgs = charts(html.out)
    word = cli("--lang", "zh", "export", "--format", "docx", "-o", "r.docx", "--as-of", AS_OF,
               cwd=figures)
    assert word.code == 0, word.err
    images = docx_pictures(figures / "r.docx")
    names = {"investment": "区内全年投资", "firms-total": "企业总量", "share": "工业增加值占比"}
    for target, expected in EXPECTED.items():
        shown = cli("--lang", "zh", "history", target, "--chart", "--as-of", AS_OF,
                    cwd=figures, env={"COLUMNS": "80"})
        assert shown.code == 0, shown.err
        cut = target == "share"
        labels, terminal_months, terminal_cut = terminal_axis(shown.out)
        assert (labels, terminal_cut) == (expected, cut), (target, shown.out)
        assert svg_axis(svgs[target]) == (expected, MONTHS, cut), target
        image = next(data for caption, data in images.items() if names[target] in caption)
        assert png_axis(image, expected) == (True, len(MONTHS)), target
        assert terminal_months == len(MONTHS), target


def test_the_renderers_draw_the_shared_axis() -> None:
    """For any chart, the terminal, the SVG and the PNG label exactly the ticks of
    `y_axis`; the SVG labels the months of `month_ticks`, the terminal marks as many."""
    from bjtrack.render.chart import Chart, date_bounds, month_ticks, terminal_chart, y_axis
    from bjtrack.render.svgchart import svg_chart
    from bjtrack.render.words import Words

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.tuples(DAYS, VALUES), min_size=1, max_size=12), st.none() | VALUES,
           st.sampled_from(["%", "亿元", "人"]))
    def check(points: list[tuple[date, Decimal]], goal: Decimal | None, unit: str) -> None:
        points.sort()
        chart = Chart(tuple(points), goal, (), date(2022, 1, 1), date(2022, 12, 31), unit,
                      Decimal(1), unit)
        axis, days = y_axis(chart), date_bounds(chart)
        assert axis is not None and days is not None
        labels = [axis.label(tick) for tick in axis.ticks]
        months = month_ticks(*days)
        svg = svg_axis(ET.fromstring(svg_chart(Words("zh", "cn"), chart, "x")))
        assert svg == (labels, [f"{m:%Y-%m}" for m in months], axis.cut)
        terminal = terminal_axis(terminal_chart(chart, 80).plain)
        assert terminal == (labels, len(months), axis.cut)
        assert png_axis(png.chart_png(chart), labels)[0]  # a dot may hide a month tick

    check()


def test_the_axis_rule() -> None:
    """An amount's axis from zero, a rate's from under its lowest figure; round steps of
    1, 2, 2.5, 5 × 10ⁿ, seven at most unless fewer are asked for; labels as exact as the
    step; month ticks every 1, 2, 3, 6, 12 … months up to the day after the last."""
    from bjtrack.render.chart import Chart, month_ticks, round_steps, tick_label, y_axis

    def chart(unit: str, *values: str, goal: str | None = None) -> Chart:
        points = tuple((date(2022, m + 1, 28), Decimal(v)) for m, v in enumerate(values))
        return Chart(points, None if goal is None else Decimal(goal), (), None, None, unit,
                     Decimal(1))

    def ticks(c: Chart, most: int = 7) -> list[str]:
        axis = y_axis(c, most)
        assert axis is not None
        return [axis.label(t) for t in axis.ticks]

    assert ticks(chart("亿元", "90", "150", goal="300")) == [str(v) for v in range(0, 351, 50)]
    assert ticks(chart("亿元", "90", "150", goal="300"), 4) == ["0", "100", "200", "300", "400"]
    assert ticks(chart("%", "41.2", goal="40")) == [str(v) for v in range(35, 43)]
    assert ticks(chart("%", "-3.5", "4")) == ["-4", "-2", "0", "2", "4", "6"]
    assert ticks(chart("%", "5.5", "6.25")) == [f"{n / 100:.2f}" for n in range(475, 651, 25)]
    assert ticks(chart("人", "7")) == ["0", "2", "4", "6", "8"]
    assert round_steps(Decimal(0), Decimal("1.4")).step == Decimal("0.2")
    assert round_steps(Decimal(0), Decimal("1.6")).step == Decimal("0.25")
    assert tick_label(Decimal("12500"), Decimal(500)) == "12,500"
    assert tick_label(Decimal("1500"), Decimal(500)) == "1500"
    assert tick_label(Decimal("1.5"), Decimal("0.25")) == "1.50"
    assert tick_label(Decimal("-0.0"), Decimal("0.5")) == "0"
    assert tick_label(Decimal("0E+1"), Decimal(10)) == "0"
    assert tick_label(Decimal("-0.5"), Decimal("0.5")) == "-0.5"
    assert month_ticks(date(2022, 1, 1), date(2022, 12, 31)) == [
        *(date(2022, m, 1) for m in (1, 3, 5, 7, 9, 11)), date(2023, 1, 1)]
    assert month_ticks(date(2022, 1, 15), date(2022, 6, 30)) == [
        date(2022, m, 1) for m in range(2, 8)]
    assert month_ticks(date(2015, 1, 1), date(2024, 12, 31))[:2] == [date(2016, 1, 1),
                                                                      date(2018, 1, 1)]
    assert month_ticks(date(9999, 1, 1), date.max)[-1] == date(9999, 11, 1)


DAYS = st.dates(min_value=date(2022, 1, 1), max_value=date(2022, 12, 31))
VALUES = st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False,
                     allow_infinity=False)


def test_a_png_reads_back_as_drawn() -> None:
    """The PNG reader above can fail: a label that is not there is not found."""
    from bjtrack.render.chart import Chart

    chart = Chart(((date(2022, 6, 30), Decimal(150)),), Decimal(300), (), date(2022, 1, 1),
                  date(2022, 12, 31), "亿元", Decimal(1))
    data = png.chart_png(chart)
    assert png_axis(data, EXPECTED["investment"]) == (True, len(MONTHS))
    assert not png_axis(data, ["0", "50", "100", "150", "200", "250", "300", "351"])[0]
    assert not png_axis(data, EXPECTED["investment"][:-1])[0]
