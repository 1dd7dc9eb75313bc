"""Where a sheet's header is and what its columns hold, for `bjtrack import`.

Offices' sheets are rarely a bare table: a merged title row ("2022年1-6月主要经济指标") and
blank rows often stand above the header, and a column may be called anything (本期数, 累计).
The header is the first row among the first HEADER_SCAN rows that names a target column and
either a date and a value column (one figure per row) or months (1月 … 12月, 1-2月, 1—6月,
2022年6月, 2022-06: one row per indicator, one figure per filled month cell). `--header-row`
names the row, `--map 本期数=value` a column. Pure: the rows come from `files.tables`."""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from bjtrack.domain.errors import BjtrackError, Problem, UsageError, problem

FIELDS = ("target", "date", "value", "note", "source", "vintage", "unit", "by")
HEADER_SCAN = 20  # the rows looked at for a header when --header-row is not given

# Accepted headers per field, compared after NFKC folding, lower-casing and dropping
# blanks, '_' and '-'.
COLUMNS: dict[str, tuple[str, ...]] = {
    # several target columns (a records export has series, name and id): the first
    # listed here wins
    "target": ("series", "序列", "target", "指标", "目标", "indicator", "指标名称", "代号",
               "名称", "项目", "name", "id"),
    "date": ("date", "asof", "day", "period", "日期", "截至", "截至日期", "时间", "期间", "时期"),
    "value": ("value", "actual", "figure", "amount", "数值", "实际", "数据", "实际值", "完成值",
              "值"),
    "note": ("note", "notes", "remark", "comment", "备注", "说明"),
    "source": ("source", "来源", "出处", "数据来源"),
    "vintage": ("vintage", "版本", "数据版本", "口径"),
    "unit": ("unit", "单位", "计量单位"),
    "by": ("by", "录入人", "填报人"),
}
REQUIRED = ("target", "date", "value")
# The columns of `bjtrack export --records` that are not imported (they are re-made).
_EXPORT_ONLY = frozenset({"entered", "asentered", "logged", "revises", "retracts", "line",
                          "record", "记录号", "原始录入", "batch", "导入批次"})
_NO_FIGURE = frozenset({"-", "—", "--", "——", "…", "/", "－"})  # a month cell left blank


def key(header: str) -> str:
    folded = unicodedata.normalize("NFKC", header).strip().lower()
    return "".join(ch for ch in folded if ch not in " _-\t（）()")


_ALIASES = {key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}
_RANK = {key(a): i for i, a in enumerate(COLUMNS["target"])}

_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "十": 10, "十一": 11, "十二": 12}
_EN_MONTHS = {name: n for n, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}
_MONTH = re.compile(
    r"(?:(?P<year>\d{4})年)?(?:(?P<first>\d{1,2}|[一二三四五六七八九十]{1,2})[-—–~～至到])?"
    r"(?P<month>\d{1,2}|[一二三四五六七八九十]{1,2})月份?(?:累计|止|末|当月)?")
_ISO_MONTH = re.compile(r"(?P<year>\d{4})[-/.年](?P<month>\d{1,2})(?:[-/.]\d{1,2})?")
_EN_MONTH = re.compile(  # Jun, June, Jun-22, June 2022 (not a word that starts like one)
    r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:uary|ruary|ch|il|e|y|ust"
    r"|t|tember|ober|ember)?\.?[-' ]?(?P<year>\d{2}|\d{4})?")
_TITLE_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")


def month_of(header: str) -> tuple[int | None, int] | None:
    """The year (if the header says it) and month a months-as-columns header names: the
    month itself (6月, 2022年6月, 2022-06, Jun-22) or a cumulative span's last (1-6月)."""
    text = unicodedata.normalize("NFKC", header).strip().lower().replace(" ", "")
    if not text:
        return None
    for pattern in (_MONTH, _ISO_MONTH, _EN_MONTH):
        found = pattern.fullmatch(text)
        if found is None:
            continue
        parts = found.groupdict()
        month = _number(parts["month"])
        first = _number(parts.get("first") or "1")
        year = parts.get("year")
        if month is None or first is None or not 1 <= first <= month <= 12:
            return None
        if year is not None and len(year) == 2:
            year = "20" + year
        return (int(year) if year else None), month
    return None


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _CN_MONTHS.get(text, _EN_MONTHS.get(text))


@dataclass(frozen=True)
class Layout:
    """What the person said about the sheet: its header row, columns named by hand
    (a sheet's column → a field of bjtrack), the year of month columns without one."""

    header_row: int | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    year: int | None = None


@dataclass(frozen=True)
class Header:
    row: int  # its number in the sheet (the first row is 1)
    columns: dict[str, int]  # field -> position of its column
    months: tuple[tuple[int, int | None, int, str], ...]  # (position, year, month, header)
    ignored: tuple[str, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def by_month(self) -> bool:
        return "date" not in self.columns and "value" not in self.columns and bool(
            self.months)

    @property
    def complete(self) -> bool:
        return "target" in self.columns and (self.by_month or all(
            f in self.columns for f in REQUIRED))


def parse_mapping(pairs: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """`--map 本期数=value` options: each a sheet's column and a field of bjtrack (by its
    English name or any header accepted for it: 数值 is value)."""
    mapped: list[tuple[str, str]] = []
    for pair in pairs:
        column, equals, name = pair.rpartition("=")
        if not equals or not column.strip() or not name.strip():
            raise UsageError(problem("err.import.map_syntax", hint_key="hint.import.map",
                                     option="--map", given=pair))
        wanted = name.strip().lower()
        found = wanted if wanted in FIELDS else _ALIASES.get(key(name))
        if found is None:
            raise UsageError(problem("err.import.map_field", hint_key="hint.import.map_field",
                                     option="--map", given=pair, name=name.strip(),
                                     fields=", ".join(FIELDS)))
        mapped.append((key(column), found))
    return tuple(mapped)


def read_header(cells: list[str], row: int, mapping: tuple[tuple[str, str], ...],
                file: str) -> Header:
    """Which column holds which field in this row, were it the header."""
    mapped = dict(mapping)
    targets = [(_RANK[key(h)], i) for i, h in enumerate(cells)
               if key(h) in _RANK and key(h) not in mapped]
    chosen = min(targets)[1] if targets else None
    explicit = set(mapped.values())
    fields: dict[str, int] = {}
    names: dict[str, str] = {}
    months: list[tuple[int, int | None, int, str]] = []
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        name = cell.strip()
        got = mapped.get(key(cell))
        if got is None:
            got = _ALIASES.get(key(cell))
            if got == "target" and index != chosen and "target" not in explicit:
                continue  # another column names the target better (series before name)
            if got in explicit:
                got = None  # the column --map names holds this field instead
        if got is None:
            month = month_of(name)
            if month is not None:
                months.append((index, *month, name))
            elif name and key(name) not in _EXPORT_ONLY:
                ignored.append(name)
            continue
        if got in fields:
            problems.append(problem("err.import.both", hint_key="hint.import.both", file=file,
                                    line=row, first=names[got], second=name,
                                    field=Problem("import.field." + got)))
            continue
        fields[got], names[got] = index, name
    return Header(row, fields, tuple(months), tuple(ignored), tuple(problems))


def find_header(head: Iterable[tuple[int, list[str]]], layout: Layout, file: str
                ) -> tuple[Header, list[tuple[int, list[str]]], list[tuple[int, list[str]]]]:
    """The header among the first rows (`--header-row`, else the first complete one), the
    rows above it and the rows read after it. Raises the problem with the best candidate
    when no row will do."""
    above: list[tuple[int, list[str]]] = []
    rows = iter(head)
    best: Header | None = None
    for number, cells in rows:
        if layout.header_row is not None and number < layout.header_row:
            above.append((number, cells))
            continue
        header = read_header(cells, number, layout.mapping, file)
        if layout.header_row is not None or header.complete:
            _check(header, cells, layout, file)
            return header, above, list(rows)
        if best is None or _score(header) > _score(best):
            best = header
        above.append((number, cells))
    if best is None or layout.header_row is not None:  # an empty sheet, or a short one
        best = Header(layout.header_row or 1, {}, (), ())
    cells = next((c for n, c in above if n == best.row), [])
    raise BjtrackError(*_unmapped(best.row, cells, layout, file),
                       _missing(best, cells, layout, file))


def _score(header: Header) -> int:
    return len(header.columns) + (1 if header.months else 0)


def _check(header: Header, cells: list[str], layout: Layout, file: str) -> None:
    problems = [*header.problems, *_unmapped(header.row, cells, layout, file)]
    if not header.complete:
        problems.append(_missing(header, cells, layout, file))
    if problems:
        raise BjtrackError(*problems)


def _unmapped(row: int, cells: list[str], layout: Layout, file: str) -> list[Problem]:
    """A problem for each column --map names that this row lacks."""
    present = {key(c) for c in cells}
    return [problem("err.import.map_column", hint_key="hint.import.map_column", file=file,
                    line=row, option="--map", header=column, found=_found(cells))
            for column, _ in layout.mapping if column not in present]


def _missing(header: Header, cells: list[str], layout: Layout, file: str) -> Problem:
    wanted = ("target",) if header.months else REQUIRED
    missing = [f for f in wanted if f not in header.columns]
    accepted = tuple(problem("import.accepted", field=Problem("import.field." + f),
                             names=", ".join(COLUMNS[f])) for f in missing)
    key_ = "err.import.columns" if layout.header_row else "err.import.no_header"
    return problem(key_, hint_key="hint.import.columns", file=file, line=header.row,
                   missing=listed(missing),
                   found=_found(cells), accepted=accepted,
                   rows=str(HEADER_SCAN))


def listed(fields: Sequence[str]) -> Problem:
    """Some of bjtrack's columns as a list in the run's language (指标、日期、数值)."""
    names = tuple((chr(ord("a") + i), Problem("import.field." + f))
                  for i, f in enumerate(fields))
    return Problem(f"import.fields.{len(fields)}", fields=names)


def _found(cells: list[str]) -> str:
    return ", ".join(c.strip() for c in cells if c.strip()) or "—"


def title_year(above: Iterable[tuple[int, list[str]]]) -> int | None:
    """The year a title row above the header names (2022年1-6月主要经济指标: 2022)."""
    for _, cells in above:
        for cell in cells:
            found = _TITLE_YEAR.search(unicodedata.normalize("NFKC", cell))
            if found:
                return int(found.group(1))
    return None


Row = tuple[int, tuple[str, ...]]  # the row's number in the sheet and its fields' cells


def field_rows(header: Header, body: Iterable[tuple[int, list[str]]]) -> Iterator[Row]:
    """One figure per row: each row with a cell of some field, its cells in FIELDS order.
    (Picked by one itemgetter, an absent column being the "" put after each row: a
    100,000-row import spent 0.3 s here cell by cell.)"""
    at = tuple(header.columns.get(name, -1) for name in FIELDS)
    pick = operator.itemgetter(*at)
    after = [""]
    for number, cells in body:
        try:
            values: tuple[str, ...] = tuple(map(str.strip, pick(cells + after)))
        except IndexError:  # a row shorter than the header
            size = len(cells)
            values = tuple(cells[i].strip() if 0 <= i < size else "" for i in at)
        if any(values):
            yield number, values


def month_rows(header: Header, body: Iterable[tuple[int, list[str]]], year: int | None,
               file: str) -> Iterator[Row]:
    """Months as columns: each filled month cell of a row one figure, dated that month
    (its last day). A row without a figure (a section heading) gives nothing."""
    months: list[tuple[int, str]] = []
    for position, own, month, name in header.months:
        if own is None and year is None:
            raise UsageError(problem("err.import.no_year", hint_key="hint.import.year",
                                     file=file, line=header.row, header=name,
                                     option="--year"))
        months.append((position, f"{own or year}-{month:02d}"))
    missing = 1 << 62
    at = tuple(header.columns.get(name, missing) for name in FIELDS)
    for number, cells in body:
        size = len(cells)
        values = [cells[i].strip() if i < size else "" for i in at]
        for position, day in months:
            cell = cells[position].strip() if position < size else ""
            if cell and cell not in _NO_FIGURE:
                values[1], values[2] = day, cell
                yield number, tuple(values)
