"""A boxed table for the terminal laid out here rather than by Rich's Table, so that a figure
is never cut short with … nor split across lines, whatever the width: figure columns keep
their widest cell on one line, text wraps between words, names wrap anywhere; and a row may
carry a line across the whole table (what a target still needs, a target's quote).

`Grid.fits(width)` says whether the columns fit at all; the caller then picks fewer columns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

FIXED = "fixed"  # one line, never narrower than its widest cell: figures, dates, bars
WORDS = "words"  # wrapped between words, never inside one: '≥ 3.8万人', 'every year ≥ 3亿元'
FOLD = "fold"  # wrapped anywhere: names, whose Chinese has no spaces to wrap at
SPAN_INDENT = 2  # a spanning line is set in under its row


@dataclass(frozen=True)
class Column:
    heading: str
    wrap: str = FIXED
    right: bool = False
    least: int = 6  # a FOLD column's narrowest width


@dataclass(frozen=True)
class Row:
    cells: tuple[Text, ...]
    span: tuple[str, ...] = ()  # clauses of a line under the row, across the whole table
    span_style: str = "dim"
    section: bool = False  # a rule above the row (a new group)


@dataclass
class Grid:
    columns: Sequence[Column]
    title: str = ""
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)

    @property
    def _overhead(self) -> int:
        """Borders and padding: '│a │ b│' (no padding at the outer edges)."""
        return 2 + 3 * (len(self.columns) - 1)

    def _natural(self) -> list[int]:
        return [max([_widest(Text(c.heading))] + [_widest(r.cells[i]) for r in self.rows])
                for i, c in enumerate(self.columns)]

    def _least(self) -> list[int]:
        out = []
        for i, column in enumerate(self.columns):
            cells = [Text(column.heading), *(r.cells[i] for r in self.rows)]
            if column.wrap == FIXED:
                out.append(max(_widest(c) for c in cells))
            elif column.wrap == WORDS:  # and its heading whole: 'Target value'
                out.append(max(_longest_word(c.plain) for c in cells[1:]) if cells[1:] else 0)
                out[-1] = max(out[-1], cell_len(column.heading))
            else:
                out.append(min(column.least, max(_widest(c) for c in cells)))
        return out

    def fits(self, width: int) -> bool:
        return sum(self._least()) + self._overhead <= width

    def widths(self, width: int) -> list[int]:
        """Each column's width inside `width` cells: as wide as its content, the widest
        wrapping column narrowed a cell at a time until the table fits; never under the
        least width, so a table that cannot fit comes out wider than asked."""
        sizes, least = self._natural(), self._least()
        over = sum(sizes) + self._overhead - width
        while over > 0:
            narrowable = [i for i, c in enumerate(self.columns)
                          if c.wrap != FIXED and sizes[i] > least[i]]
            if not narrowable:
                break
            widest = max(narrowable, key=lambda i: sizes[i])
            sizes[widest] -= 1
            over -= 1
        return sizes

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        sizes = self.widths(options.max_width)
        total = sum(sizes) + self._overhead
        if self.title and cell_len(self.title) <= total:  # centred, no spaces after it
            yield Segment(" " * ((total - cell_len(self.title)) // 2))
            yield Segment(self.title, Style(bold=True))
            yield Segment.line()
        elif self.title:
            yield from console.render(Text(self.title, style="bold", justify="center"),
                                      options.update(width=total))
        heads = tuple(Text(c.heading, style="bold") for c in self.columns)
        yield from _rule("┏━┳┓", sizes)
        yield from self._cells(console, heads, sizes, "┃")
        yield from _rule("┡━╇┩", sizes)
        for number, row in enumerate(self.rows):
            if row.section and number:
                yield from _rule("├─┼┤", sizes)
            yield from self._cells(console, row.cells, sizes, "│")
            if row.span:
                yield from _span(console, row, total)
        yield from _rule("└─┴┘", sizes)

    def _cells(self, console: Console, cells: Sequence[Text], sizes: Sequence[int],
               edge: str) -> RenderResult:
        laid = [_lines(console, cell, size, column.wrap)
                for cell, size, column in zip(cells, sizes, self.columns, strict=True)]
        for line in range(max(len(lines) for lines in laid)):
            yield Segment(edge)
            for i, (lines, size, column) in enumerate(
                    zip(laid, sizes, self.columns, strict=True)):
                if i:
                    yield Segment(" " + edge + " ")
                text = lines[line] if line < len(lines) else Text("")
                pad = Segment(" " * max(0, size - text.cell_len))
                if column.right:
                    yield pad
                yield from text.render(console)
                if not column.right:
                    yield pad
            yield Segment(edge)
            yield Segment.line()


def _widest(text: Text) -> int:
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)


# Where a WORDS cell may break: at spaces, and before a full-width bracket, as Chinese is
# set: '进度正常（数据已过期）' is '进度正常' then '（数据已过期）' on a narrow column.
_BREAK = re.compile(r"\s+|(?=（)")


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in _BREAK.split(text)), default=0)


def _lines(console: Console, text: Text, size: int, wrap: str) -> list[Text]:
    if wrap == FIXED:
        return list(text.split("\n", allow_blank=True)) or [Text("")]
    bracket = text.plain.find("（", 1)
    if wrap == WORDS and bracket > 0 and text.cell_len > size:
        head, tail = text.divide([bracket])
        return _lines(console, head, size, wrap) + _lines(console, tail, size, wrap)
    return list(text.wrap(console, size, overflow="fold")) or [Text("")]


def _rule(chars: str, sizes: Sequence[int]) -> RenderResult:
    """A rule of the box: chars = left corner, line, crossing, right corner."""
    left, line, cross, right = chars[0], chars[1], chars[2], chars[3]
    last = len(sizes) - 1
    parts = [line * (size + (i > 0) + (i < last)) for i, size in enumerate(sizes)]
    yield Segment(left + cross.join(parts) + right)
    yield Segment.line()


def _span(console: Console, row: Row, total: int) -> RenderResult:
    """The row's clauses across the table, set in, wrapped between clauses where it can."""
    inner = max(8, total - 2 - SPAN_INDENT)
    lines: list[str] = []
    for clause in row.span:
        if lines and cell_len(lines[-1] + clause) <= inner:
            lines[-1] += clause
        else:
            lines.append(clause)
    style = Style.parse(row.span_style)
    for text in lines:
        for part in Text(text).wrap(console, inner, overflow="fold"):
            yield Segment("│" + " " * SPAN_INDENT)
            yield Segment(part.plain, style)
            yield Segment(" " * (inner - part.cell_len) + "│")
            yield Segment.line()
