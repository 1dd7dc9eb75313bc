"""The HTML report's chart of a target, written as SVG text by hand (no plotting library).

`svg_chart` draws a `Chart` (render/chart.py): the figures as a line with a dot each, the
target as a dashed line, the pace line where there is one, month ticks and round values
on the axes. The axes are every chart's (render/chart.py: `y_axis`, `month_ticks`): an
amount's axis starts at zero; a rate's may start higher, and then the axis shows a cut.
Coordinates are Decimals rounded to 0.1 of a viewBox unit, so one chart is
always the same bytes; every text is escaped, since names and units come from files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

from bjtrack.domain.amounts import format_amount, plain, rounded
from bjtrack.render.chart import (
    ACTUAL_COLOUR,
    PACE_COLOUR,
    TARGET_COLOUR,
    Axis,
    Chart,
    date_bounds,
    month_ticks,
    y_axis,
)
from bjtrack.render.words import Words

_WIDTH, _HEIGHT = 720, 236  # the viewBox; the page scales it to the column's width
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 690, 24, 206  # the plot area inside it
_FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
          '"WenQuanYi Micro Hei", sans-serif')
_AXIS_COLOUR = "#8a9099"
_GRID_COLOUR = "#e6e9ed"
_LABEL_COLOUR = "#555"
MAX_MARKERS = 60  # more figures than this: the line alone, no dot for each
_TENTH = Decimal("0.1")
_HALO = ' stroke="#fff" stroke-width="3" paint-order="stroke"'  # text stays legible on lines


@dataclass(frozen=True)
class _Axes:
    """Where a date and a value land in the plot area."""

    first: date  # the time axis, with a margin either side
    days: int
    months: tuple[date, ...]  # the month ticks
    axis: Axis  # the y-axis, in the display unit
    scale: Decimal

    def x(self, day: date) -> Decimal:
        return _LEFT + Decimal((day - self.first).days) * (_RIGHT - _LEFT) / self.days

    def y(self, value: Decimal) -> Decimal:
        """The height of a base-unit value."""
        return self.level(value / self.scale)

    def level(self, shown: Decimal) -> Decimal:
        """The height of a value in the display unit."""
        return _BOTTOM - self.axis.share(shown) * (_BOTTOM - _TOP)


def _n(value: Decimal | int) -> str:
    """A coordinate as SVG text: one decimal at most, '12' rather than '12.0'."""
    return plain(rounded(Decimal(value), _TENTH, ROUND_HALF_EVEN))


def _text_width(text: str) -> int:
    """About how wide `text` is at font-size 12: CJK glyphs are square, digits narrow."""
    return sum(12 if ord(c) >= 0x2E80 else 7 for c in text)


def _axes(chart: Chart) -> _Axes:
    """The chart's axes, the time axis with a margin so the end markers show whole."""
    days, axis = date_bounds(chart), y_axis(chart)
    assert days is not None and axis is not None  # a chart with figures has both
    first, last = days
    margin = timedelta(days=max(1, (last - first).days // 40))
    return _Axes(first - margin, (last - first + 2 * margin).days,
                 tuple(month_ticks(first, last)), axis, chart.scale)


def _svg_open(title: str) -> str:
    label = f" aria-label={quoteattr(title)}" if title else ""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
            f'width="{_WIDTH}" height="{_HEIGHT}" role="img"{label} '
            f'font-family={quoteattr(_FONTS)} font-size="12">')
    return head + (f"<title>{escape(title)}</title>" if title else "")


def _y_axis(axes: _Axes, unit: str) -> str:
    """Gridlines and labels on round values, the unit above them, and a cut mark when the
    axis does not start at zero."""
    values = axes.axis.ticks
    ys = [axes.level(v) for v in values]
    grid = "".join(f"M{_LEFT} {_n(y)}H{_RIGHT}" for y in ys[1:])
    labels = "".join(f'<text x="{_LEFT - 6}" y="{_n(y + 4)}">{axes.axis.label(v)}</text>'
                     for v, y in zip(values, ys, strict=True))
    # the unit over the labels, or from the left edge when it is wider than they are
    place = f'x="{_LEFT - 6}"' if _text_width(unit) <= _LEFT - 8 else 'x="2" text-anchor="start"'
    parts = [f'<path class="grid" d="{grid}" stroke="{_GRID_COLOUR}" fill="none"/>',
             f'<g class="y-axis" fill="{_LABEL_COLOUR}" text-anchor="end">{labels}'
             f'<text class="unit" {place} y="{_TOP - 10}">{escape(unit)}</text></g>']
    if axes.axis.low < 0 < axes.axis.high:  # the zero line of a rate that went negative
        parts.append(f'<path class="zero" d="M{_LEFT} {_n(axes.level(Decimal(0)))}H{_RIGHT}" '
                     f'stroke="{_AXIS_COLOUR}"/>')
    parts.append(f'<path class="axis" d="M{_LEFT} {_TOP}V{_BOTTOM}H{_RIGHT}" '
                 f'stroke="{_AXIS_COLOUR}" fill="none"/>')
    if axes.axis.cut:  # the axis is cut: two slanted strokes across it, as on paper
        y = _BOTTOM - 13
        parts.append(f'<path class="axis-break" d="M{_LEFT - 6} {y + 2}l12 -5v5l-12 5z" '
                     f'fill="#fff"/><path class="axis-break" d="M{_LEFT - 6} {y + 2}l12 -5'
                     f'M{_LEFT - 6} {y + 7}l12 -5" stroke="{_AXIS_COLOUR}" stroke-width="1.2"/>')
    return "".join(parts)


def _x_axis(axes: _Axes) -> str:
    """Month ticks under the plot, labelled as the report writes months: 2022-03."""
    ticks = [(_n(axes.x(day)), day) for day in axes.months]
    marks = "".join(f"M{x} {_BOTTOM}v4" for x, _ in ticks)
    labels = "".join(f'<text x="{x}" y="{_BOTTOM + 18}">{day:%Y-%m}</text>' for x, day in ticks)
    return (f'<path d="{marks}" stroke="{_AXIS_COLOUR}"/>'
            f'<g class="x-axis" fill="{_LABEL_COLOUR}" text-anchor="middle">{labels}</g>')


def _line(axes: _Axes, points: Sequence[tuple[date, Decimal]]) -> str:
    return "".join(f"{'L' if i else 'M'}{_n(axes.x(d))} {_n(axes.y(v))}"
                   for i, (d, v) in enumerate(points))


Box = tuple[Decimal, Decimal, Decimal, Decimal]  # left, top, right, bottom


def _text_box(left: Decimal, baseline: Decimal, text: str) -> Box:
    return left, baseline - 11, left + _text_width(text), baseline + 2


def _hits(box: Box, others: Sequence[Box]) -> bool:
    return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]
               for o in others)


def _inside(box: Box) -> bool:
    return _LEFT + 2 <= box[0] and box[2] <= _RIGHT and _TOP - 12 <= box[1] \
        and box[3] <= _BOTTOM - 2


def _place(text: str, spots: Sequence[tuple[Decimal, Decimal]], obstacles: Sequence[Box]
           ) -> Box:
    """Where `text` goes: the first spot (left x, baseline y) inside the plot and clear of
    every obstacle, else the first inside the plot. Returns the text's box."""
    boxes = [_text_box(left, baseline, text) for left, baseline in spots]
    inside = [box for box in boxes if _inside(box)] or boxes
    return next((box for box in inside if not _hits(box, obstacles)), inside[0])


def _line_boxes(axes: _Axes, points: Sequence[tuple[date, Decimal]]) -> list[Box]:
    """A drawn line as small boxes every few units along it, for labels to keep clear of."""
    boxes: list[Box] = []
    corners = [(axes.x(d), axes.y(v)) for d, v in points]
    for (x0, y0), (x1, y1) in pairwise(corners):
        count = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / 6))
        for i in range(count + 1):
            x, y = x0 + (x1 - x0) * i / count, y0 + (y1 - y0) * i / count
            boxes.append((x - 1, y - 1, x + 1, y + 1))
    return boxes


def _labels(w: Words, axes: _Axes, chart: Chart) -> tuple[str, str]:
    """The latest figure beside its dot and the target's value on its line, each where it
    hides no dot, no line and not the other label: (latest figure's <text>, target's)."""
    dots = [axes.x(d) for d, _ in chart.points], [axes.y(v) for _, v in chart.points]
    obstacles = [(x - 4, y - 4, x + 4, y + 4) for x, y in zip(*dots, strict=True)]
    obstacles += _line_boxes(axes, chart.points) + _line_boxes(axes, chart.pace)
    goal = axes.y(chart.target) if chart.target is not None else None
    line = [] if goal is None else [(Decimal(_LEFT), goal - 1, Decimal(_RIGHT), goal + 1)]
    text = format_amount(chart.points[-1][1], chart.base_unit, units=w.units)
    x, y, width = dots[0][-1], dots[1][-1], _text_width(text)
    box = _place(text, [(x + 7, y - 6), (x + 7, y + 16), (x - 7 - width, y - 6),
                        (x - 7 - width, y + 16)], obstacles + line)
    latest = (f'<text x="{_n(box[0])}" y="{_n(box[3] - 2)}" fill="{ACTUAL_COLOUR}" '
              f'font-weight="bold"{_HALO}>{escape(text)}</text>')
    if chart.target is None or goal is None:
        return latest, ""
    goal_text = format_amount(chart.target, chart.base_unit, exact=True, units=w.units)
    text = f"{w.t('chart.target')} {goal_text}"
    right = _RIGHT - 2 - _text_width(text)
    spots = [(Decimal(right), goal - 5), (Decimal(right), goal + 15),
             (Decimal(_LEFT + 4), goal - 5), (Decimal(_LEFT + 4), goal + 15)]
    where = _place(text, spots, [*obstacles, box])
    return latest, (f'<text x="{_n(where[0])}" y="{_n(where[3] - 2)}" fill="{TARGET_COLOUR}"'
                    f"{_HALO}>{escape(text)}</text>")


def svg_chart(w: Words, chart: Chart, salt: str, title: str = "") -> str:
    """The chart as an inline <svg> element, or "" when there is no figure to draw.

    `salt` makes the element ids of this chart unique within one HTML page (`{salt}-actual`,
    `-target`, `-pace`); `title` (the target's name) becomes the chart's accessible name.
    Every piece of text is escaped: names and units come from the user's files."""
    if not chart.points:
        return ""
    axes = _axes(chart)
    parts = [_svg_open(title), _y_axis(axes, chart.unit), _x_axis(axes)]
    if chart.pace:
        parts.append(f'<path id={quoteattr(salt + "-pace")} class="pace" '
                     f'd="{_line(axes, chart.pace)}" fill="none" stroke="{PACE_COLOUR}" '
                     f'stroke-width="1.6" stroke-dasharray="2 3"/>')
    latest, goal = _labels(w, axes, chart)
    if chart.target is not None:
        parts.append(f'<g id={quoteattr(salt + "-target")} class="target-line">'
                     f'<path d="M{_LEFT} {_n(axes.y(chart.target))}H{_RIGHT}" '
                     f'stroke="{TARGET_COLOUR}" stroke-width="1.4" stroke-dasharray="6 4"/>'
                     f"{goal}</g>")
    dots = "".join(f'<circle cx="{_n(axes.x(d))}" cy="{_n(axes.y(v))}" r="3.5"/>'
                   for d, v in chart.points) if len(chart.points) <= MAX_MARKERS else ""
    parts.append(f'<g id={quoteattr(salt + "-actual")} class="actual">'
                 f'<path d="{_line(axes, chart.points)}" fill="none" stroke="{ACTUAL_COLOUR}" '
                 f'stroke-width="2" stroke-linejoin="round"/>'
                 f'<g class="dots" fill="{ACTUAL_COLOUR}" stroke="#fff" stroke-width="1.2">'
                 f"{dots}</g>{latest}</g></svg>")
    return "\n".join(parts)
