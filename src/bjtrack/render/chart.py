"""Charts of a target: its figures against the target and the expected pace line.

`chart_for` turns a Status and the series' records into plain data (`Chart`), and the axes
are worked out here once for every way a chart is drawn: `y_axis` (bounds and a round
step), `date_bounds` and `month_ticks` (the time axis), `tick_label` (the y-axis labels).
`terminal_chart` draws a chart with Rich for `bjtrack history --chart`, render/svgchart.py
writes it as SVG text for the HTML report, render/png.py as a PNG for the Word report;
each only lays those axes out in its own cells or pixels. Values stay Decimal until drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from itertools import pairwise

from rich.text import Text

from bjtrack.domain import evaluation
from bjtrack.domain.amounts import PERCENT, rounded
from bjtrack.domain.dates import add_years
from bjtrack.domain.model import Kind, Plan, Record, Status, Target
from bjtrack.render.words import Words

# One colour per line, shared by the SVG chart, the terminal chart and the HTML legend.
ACTUAL_COLOUR = "#1f5fbf"
TARGET_COLOUR = "#c0392b"
PACE_COLOUR = "#7f8c8d"

_SCALES = (("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4))


@dataclass(frozen=True)
class Chart:
    """What a chart shows, in the base unit; `scale`/`unit` say how to label the axis."""

    points: tuple[tuple[date, Decimal], ...]  # the figures (running totals for summed flows)
    target: Decimal | None  # the target line
    pace: tuple[tuple[date, Decimal], ...]  # the expected path from baseline to target
    start: date | None
    due: date | None
    unit: str  # axis unit as a person writes it: 亿元, 万人, %, 家
    scale: Decimal  # divide base-unit values by this to draw them in `unit`
    base_unit: str = ""  # the target's unit, for figures written as the report writes them

    @property
    def empty(self) -> bool:
        return not self.points and self.target is None


def display_scale(values: Sequence[Decimal], unit: str) -> tuple[Decimal, str]:
    """The magnitude a person would label the axis with: (10^8, '亿元'), (1, '%') …"""
    if unit == PERCENT or not values:
        return Decimal(1), unit
    size = max(abs(v) for v in values)
    for name, scale in _SCALES:
        if size >= scale:
            return scale, name + unit
    return Decimal(1), unit


def chart_for(status: Status, records: Sequence[Record]) -> Chart:
    """The chart of one target on its status date. `records`: the current records of
    the target's series in date order (as `evaluation.by_series` gives them)."""
    target = status.target
    period = status.period
    start = period.start if period else target.start
    due = period.due if period else target.due
    if target.derive == "yoy":
        records = evaluation._derived_yoy(records)
    window = [r for r in records if r.date is not None and r.value is not None
              and r.date <= status.as_of
              and (start is None or r.date >= start) and (due is None or r.date <= due)]
    points: list[tuple[date, Decimal]] = []
    running = Decimal(0)
    summed = target.kind is Kind.FLOW and target.aggregate == "sum"
    for record in window:
        assert record.date is not None and record.value is not None
        running = running + record.value if summed else record.value
        points.append((record.date, running))
    goal = status.target_value if status.target_value is not None else target.target
    path = _pace_line(status, start, due, goal)
    values = [v for _, v in points] + [v for _, v in path] + ([goal] if goal is not None else [])
    scale, unit = display_scale(values, target.unit)
    return Chart(tuple(points), goal, tuple(path), start, due, unit, scale, target.unit)


def _pace_line(status: Status, start: date | None, due: date | None, goal: Decimal | None
               ) -> list[tuple[date, Decimal]]:
    """Where the figure should be at each date if the target is to be met on time."""
    target = status.target
    if goal is None or start is None or due is None or target.hold or target.is_ceiling:
        return []
    if target.kind is Kind.ANNUAL and status.milestones and status.baseline is not None:
        first = add_years(status.milestones[0][0], -1)
        return [(first, status.baseline), *status.milestones]
    if target.kind not in (Kind.FLOW, Kind.LEVEL) or target.unit == PERCENT:
        return []
    baseline = status.baseline if status.baseline is not None else target.baseline
    if baseline is None:
        baseline = Decimal(0) if target.kind is Kind.FLOW else None
    if baseline is None:
        return []
    return [(start, baseline), (due, goal)]


# --------------------------------------------------------------------------- axes

MAX_STEPS = 7  # steps on a y-axis, at most; and about as many month ticks under a chart
_STEPS = tuple(Decimal(s) for s in ("1", "2", "2.5", "5", "10", "20", "25", "50"))
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)  # months between two ticks of the time axis


@dataclass(frozen=True)
class Axis:
    """A chart's y-axis in the display unit (`Chart.unit`): `low` to `high` in `step`s."""

    low: Decimal
    high: Decimal
    step: Decimal

    @property
    def ticks(self) -> tuple[Decimal, ...]:
        """The round values labelled on the axis, from the bottom up."""
        count = int((self.high - self.low) / self.step)
        return tuple(self.low + i * self.step for i in range(count + 1))

    @property
    def cut(self) -> bool:
        """The axis does not start at zero: every renderer marks the cut on it."""
        return self.low > 0

    def label(self, value: Decimal) -> str:
        return tick_label(value, self.step)

    def share(self, shown: Decimal) -> Decimal:
        """How far up the axis a value in the display unit is: 0 at `low`, 1 at `high`."""
        return (shown - self.low) / (self.high - self.low)


def y_axis(chart: Chart, most: int = MAX_STEPS) -> Axis | None:
    """The y-axis every renderer draws for `chart`, in at most `most` round steps (a
    renderer with few rows asks for fewer); None when there is no value to show."""
    bounds = value_bounds(chart)
    return None if bounds is None else round_steps(*bounds, most)


def value_bounds(chart: Chart) -> tuple[Decimal, Decimal] | None:
    """What the y-axis must hold, in the display unit. An amount's axis starts at zero, so
    a small gap looks small; a rate's (unit %) may start close under its lowest value (the
    chart then marks the cut on the axis), since 0% would squash every line to the top.
    There is room on top for the line and for the target's label above its line."""
    values = [v / chart.scale for _, v in (*chart.points, *chart.pace)]
    if chart.target is not None:
        values.append(chart.target / chart.scale)
    if not values:
        return None
    low, high = min(values), max(values)
    if chart.unit != PERCENT or low <= 0:
        low, high = min(low, Decimal(0)), max(high, Decimal(0))
    else:
        low -= max(high - low, high / 5) / 2
        if low <= high / 2:
            low = Decimal(0)
    if high == low:
        high = low + 1
    top = high + (high - low) * Decimal("0.03")  # room for the line on top
    if chart.target is not None:  # and for the target's label above its line
        top = max(top, chart.target / chart.scale + (high - low) / 10)
    return low, top


def round_steps(low: Decimal, high: Decimal, most: int = MAX_STEPS) -> Axis:
    """The axis from a round value under `low` to one over `high` in a round step (1, 2,
    2.5 or 5 × 10ⁿ), the smallest that needs no more than `most` steps (3 at the least)."""
    most = max(3, most)
    magnitude = Decimal(1).scaleb(((high - low) / most).adjusted())
    axis = Axis(low, high, magnitude)
    for factor in _STEPS:
        step = factor * magnitude
        axis = Axis((low / step).to_integral_value(ROUND_FLOOR) * step,
                    (high / step).to_integral_value(ROUND_CEILING) * step, step)
        if (axis.high - axis.low) / step <= most:
            break  # a step of 50×10ⁿ always fits
    return axis


def tick_label(value: Decimal, step: Decimal) -> str:
    """A y-axis label with as many decimals as the step has: 0.25 → '1.50', 5 → '35';
    thousands grouped from 10,000 up."""
    exponent = step.normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    shown = rounded(value, Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
    text = format(shown, ",f" if abs(shown) >= 10000 else "f")
    return "0" if text.strip("-0.") == "" else text


def date_bounds(chart: Chart) -> tuple[date, date] | None:
    """What the time axis must hold: the period and every figure and pace point (a pace
    line may start at the baseline's date, before the period); a year either side of a
    single day; None when there is no date at all."""
    days = [d for d, _ in chart.points] + [d for d, _ in chart.pace]
    if chart.start is not None and chart.due is not None and chart.due > chart.start:
        days += [chart.start, chart.due]
    if not days:
        return None
    first, last = min(days), max(days)
    if last <= first:
        first, last = add_years(first, -1), add_years(last, 1)
    return first, last


def month_ticks(first: date, last: date, most: int = MAX_STEPS) -> list[date]:
    """Month starts from `first` to the day after `last` (a period that ends on 31 December
    ends where January starts), every 1, 2, 3, 6, 12 … months: `most` + 1 at most."""
    end = last + timedelta(days=1) if last < date.max else last
    months = (end.year - first.year) * 12 + end.month - first.month + 1
    step = next((s for s in _MONTH_STEPS if months <= s * most), _MONTH_STEPS[-1])
    index = first.year * 12 + first.month - (1 if first.day == 1 else 0)  # months since 0
    stop = end.year * 12 + end.month - 1  # the month `end` falls in
    return [date(i // 12, i % 12 + 1, 1) for i in range(index, stop + 1) if i % step == 0]


# --------------------------------------------------------------------------- terminal

def terminal_chart(chart: Chart, width: int, height: int = 12,
                   labels: tuple[str, ...] = ("actual", "target", "pace", "no data")) -> Text:
    """The chart drawn in character cells, `width` columns wide at most (Rich styles).

    The axes are every chart's (`y_axis`, `month_ticks`); about `height` rows, as many as
    put each labelled value on a row of its own, evenly spaced."""
    days = date_bounds(chart)
    axis = y_axis(chart, min(MAX_STEPS, max(4, height) - 1))
    if days is None or axis is None \
            or not (chart.points or chart.pace or chart.target is not None):
        return Text(labels[3] if len(labels) > 3 else "—")
    lo_day, hi_day = days
    steps = len(axis.ticks) - 1
    per = max(1, (2 * (max(4, height) - 1) + steps) // (2 * steps))  # rows a step
    rows = steps * per + 1
    marks = {rows - 1 - i * per: axis.label(v) for i, v in enumerate(axis.ticks)}
    gutter = max(len(text) for text in marks.values()) + 1
    cols = max(10, width - gutter - 2)
    span_days = (hi_day - lo_day).days

    def col_of(day: date) -> int:
        share = (day - lo_day).days / span_days
        return min(cols - 1, max(0, round(share * (cols - 1))))

    def row_of(value: Decimal) -> int:
        share = axis.share(value / chart.scale)
        return min(rows - 1, max(0, rows - 1 - round(share * (rows - 1))))

    grid: list[list[tuple[str, str]]] = [[(" ", "")] * cols for _ in range(rows)]

    def put(row: int, col: int, char: str, style: str, rank: int) -> None:
        current = grid[row][col]
        if rank >= _RANK.get(current[0], 0):
            grid[row][col] = (char, style)

    def segment(points: Sequence[tuple[date, Decimal]], char: str, style: str, rank: int
                ) -> None:
        for (d0, v0), (d1, v1) in pairwise(points):
            c0, c1 = col_of(d0), col_of(d1)
            for col in range(c0, c1 + 1):
                share = Decimal(col - c0) / Decimal(c1 - c0) if c1 > c0 else Decimal(0)
                put(row_of(v0 + (v1 - v0) * share), col, char, style, rank)

    if chart.target is not None:
        for col in range(cols):
            put(row_of(chart.target), col, "─", TARGET_COLOUR, 2)
    segment(chart.pace, "·", PACE_COLOUR, 1)
    segment(chart.points, "∙", ACTUAL_COLOUR, 3)
    for day, value in chart.points:
        put(row_of(value), col_of(day), "●", "bold " + ACTUAL_COLOUR, 4)

    out = _terminal_rows(grid, marks, gutter, rows - 2 if axis.cut else None)
    months = {col_of(day) for day in month_ticks(lo_day, hi_day)}
    out.append_text(_terminal_footer(chart, labels, " " * gutter, cols, months, days))
    return out


def _terminal_rows(grid: Sequence[Sequence[tuple[str, str]]], marks: dict[int, str],
                   gutter: int, cut: int | None) -> Text:
    """The terminal chart's rows, each after its y-axis label (`marks`, by row) if any;
    the axis broken on row `cut` when it does not start at zero."""
    out = Text()
    for r, line in enumerate(grid):
        out.append(marks.get(r, "").rjust(gutter - 1) + " ", style="dim")
        out.append("╎" if r == cut else "│", style="dim")
        for char, style in line:
            out.append(char, style=style or None)
        out.append("\n")
    return out


def _terminal_footer(chart: Chart, labels: tuple[str, ...], indent: str, cols: int,
                     months: set[int], days: tuple[date, date]) -> Text:
    """Under the terminal chart: the time axis with its month ticks (columns `months`),
    its first and last dates, the legend."""
    out = Text()
    axis = "".join("┬" if col in months else "─" for col in range(cols))
    out.append(indent + "└" + axis + "\n", style="dim")
    first, last = days[0].isoformat(), days[1].isoformat()
    gap = max(1, cols + 1 - len(first) - len(last))
    out.append(indent + first + " " * gap + last + "\n", style="dim")
    out.append(indent)
    out.append("● " + labels[0], style=ACTUAL_COLOUR)
    if chart.target is not None:
        out.append("   ")
        out.append("─ " + labels[1], style=TARGET_COLOUR)
    if chart.pace:
        out.append("   ")
        out.append("· " + labels[2], style=PACE_COLOUR)
    out.append(f"   ({chart.unit})" if chart.unit else "", style="dim")
    return out


_RANK = {" ": 0, "·": 1, "─": 2, "∙": 3, "●": 4}


def history_chart(w: Words, plan: Plan, records: Sequence[Record], target: Target,
                  as_of: date, width: int) -> Text:
    """`bjtrack history TARGET --chart`: the target's chart for the terminal."""
    from bjtrack.render.text import goal_text

    series = evaluation.by_series(records)
    status = evaluation.evaluate(target, series, as_of, plan)
    chart = chart_for(status, series.get(target.series, []))
    goal = goal_text(w, status, plan)
    labels = (w.t("chart.actual"), f"{w.t('chart.target')} {goal}", w.t("chart.pace"),
              w.t("chart.no_data"))
    return terminal_chart(chart, min(width, 100), labels=labels)
