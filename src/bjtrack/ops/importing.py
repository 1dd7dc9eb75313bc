"""`bjtrack import`: published figures in bulk from a spreadsheet (read by
`files.tables`). All or nothing: every row is checked first, every bad row is reported,
and only a clean file is appended, in one locked write."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from bjtrack.domain.amounts import Amount, base_unit, parse_amount
from bjtrack.domain.dates import parse_date
from bjtrack.domain.errors import BjtrackError, Problem, problem
from bjtrack.domain.model import VINTAGES, Plan, Record, Target, built, split_qualifier
from bjtrack.files import writing
from bjtrack.files.layout import FIELDS, Layout, Row
from bjtrack.files.records import collector_paused, framed_block, new_record_id
from bjtrack.files.tables import read_table
from bjtrack.index import cache
from bjtrack.ops.import_lookup import fresh_ids, recorded
from bjtrack.ops.import_spool import Figure, Settled, Spool
from bjtrack.ops.load import Loaded, resolve_target
from bjtrack.ops.log import read_value

PROGRESS_EVERY = 1000
SHOWN_BAD_ROWS = 50  # the bad rows an import lists; the rest are counted


@dataclass(frozen=True)
class Conflict:
    """A new figure that differs from the one already recorded for its series and date."""

    row: int
    series: str
    date: date | None
    entered: str


@dataclass(frozen=True)
class ImportResult:
    added: int  # records added (a dry run: that would be)
    duplicates: int  # rows already recorded (or repeated in the file): nothing added
    rows: int  # figures read (a months-as-columns row holds several)
    conflicts: tuple[Conflict, ...]
    ignored: tuple[str, ...]
    encoding: str
    written: bool
    batch: str = ""  # the import's id, in each record added (`undo --import`)
    listed: tuple[tuple[int, Record], ...] = ()  # a dry run's records, each with its row
    header_row: int = 1
    by_month: bool = False


Progress = Callable[[int], None]  # rows checked so far (the total is not known: a stream)


def import_file(loaded: Loaded, path: Path, now: datetime, *, by: str = "",
                dry_run: bool = False, progress: Progress | None = None,
                layout: Layout = Layout()) -> ImportResult:
    """Check every row; if all are good, append the new ones in one locked write.

    The sheet is read once, as a stream (`files.tables`): each row is checked, and each
    figure goes to a temporary database on disk (`import_spool`) with everything its
    record is made of, so that memory does not grow with the rows and an XLSX file is not
    parsed twice. What the records file already holds is looked up (in its index when there is
    one) for the series and dates of the sheet only, and looked up again under the lock if
    the file changed meanwhile: a figure another process logs during an import is not
    recorded twice."""
    table = read_table(path, layout)
    with collector_paused():
        result = _import(loaded, str(path), table.rows, now, by, dry_run, progress)
    return replace(result, ignored=table.ignored, encoding=table.encoding,
                   header_row=table.header_row, by_month=table.by_month)


def import_rows(loaded: Loaded, rows: Iterable[Mapping[str, str]], now: datetime, *,
                label: str, by: str = "", dry_run: bool = False) -> ImportResult:
    """`import_file` of rows given directly, each a mapping of bjtrack's columns (target,
    date, value, note, source, vintage, unit, by) to its text; `label` names them in
    messages, and the first row is row 1."""
    fields = ((n, tuple(row.get(f, "").strip() for f in FIELDS))
              for n, row in enumerate(rows, start=1))
    with collector_paused():
        return _import(loaded, label, fields, now, by, dry_run, None)


def _import(loaded: Loaded, file: str, read: Iterator[Row], now: datetime, by: str,
            dry_run: bool, progress: Progress | None) -> ImportResult:
    """Check the rows `read` gives; if all are good, settle which figures are new and
    write them. The figures wait in a spool on disk (`import_spool`); should it fail (a
    full disk), nothing is imported."""
    plan = loaded.plan
    batch = "imp-" + new_record_id()[:8]
    rows = _Rows(plan, file, by)
    summed = {t.series for t in plan.targets if t.aggregate == "sum"}
    try:
        with Spool(summed) as spool:
            return _spooled(spool, read, rows, now, batch, dry_run, progress)
    except sqlite3.Error as exc:  # (a full disk): the records file is as it was
        raise BjtrackError(problem("err.import.spool", hint_key="hint.import.spool",
                                   why=str(exc))) from None


def _spooled(spool: Spool, read: Iterator[Row], rows: _Rows, now: datetime, batch: str,
             dry_run: bool, progress: Progress | None) -> ImportResult:
    """`_import`'s steps, its figures kept in `spool`: check each row, settle which
    figures are new (again under the lock if the records file changed meanwhile), and
    write those, made as the spool gives them back."""
    plan = rows.plan
    _check(read, rows, spool, progress)
    target = plan.records_path
    seen = _stat(target)
    settled = _settle(target, spool)
    made = _Made(now, batch, rows.file)
    if dry_run:
        listed = tuple(made.records(spool, settled.added, iter(())))
        return ImportResult(settled.added, settled.duplicates, spool.figures,
                            _conflicts(settled), (), "", False, batch, listed)
    written = False
    if settled.added:
        with writing.locked(target):
            if _stat(target) != seen:  # written meanwhile: look again at what it holds
                settled = _settle(target, spool)
            if settled.added:
                # the spool's reader closed before the spool, however the write ends
                with fresh_ids(target) as ids, \
                        closing(made.records(spool, settled.added, ids)) as new:
                    writing.write_records(target, (r for _, r in new), render=framed_block)
                written = True
    return ImportResult(settled.added, settled.duplicates, spool.figures,
                        _conflicts(settled), (), "", written, batch if written else "")


def _check(read: Iterator[Row], rows: _Rows, spool: Spool, progress: Progress | None
           ) -> None:
    """Check each row as it is read, each good one's figure added to the spool; if any
    is bad, raise every problem found (the first SHOWN_BAD_ROWS rows of them)."""
    for index, (number, values) in enumerate(read):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index)
        figure = rows.make(number, values)
        if figure is not None:
            spool.add(figure)
    spool.close_sheet()
    total = spool.figures + rows.bad
    if progress is not None:
        progress(total)
    if rows.problems:
        shown = rows.problems  # 20,000 bad rows are not 40,000 lines: 50 kept
        if rows.bad > SHOWN_BAD_ROWS:
            shown.append(problem("err.import.more_rows", file=rows.file,
                                 count=rows.bad - SHOWN_BAD_ROWS, shown=SHOWN_BAD_ROWS))
        shown.append(problem("err.import.rows", hint_key="hint.import.rows",
                             file=rows.file, count=rows.bad, total=total))
        raise BjtrackError(*shown)


def _settle(path: Path, spool: Spool) -> Settled:
    """Which figures of the sheet are new, against what the records file holds now."""
    recorded(path, spool.windows(), spool.hold)
    return spool.settle()


def _conflicts(settled: Settled) -> tuple[Conflict, ...]:
    return tuple(Conflict(row, series, _day(day), entered)
                 for row, series, day, entered in settled.conflicts)


class _Made:
    """The new records, made from the spool's figures (each with a fresh id)."""

    def __init__(self, now: datetime, batch: str, file: str) -> None:
        self.now = now
        self.batch = batch
        self.file = file

    def records(self, spool: Spool, added: int, ids: Iterator[str]
                ) -> Generator[tuple[int, Record], None, None]:
        """Each new record with its sheet row, in sheet order. If the spool gives back
        other than the `added` figures settled, that stops it (the write with it)."""
        made = 0
        days: dict[str, date] = {}  # (a sheet has a few thousand dates)
        with closing(spool.new()) as figures:
            for row, series, day, value, unit, entered, note, source, by, vintage in figures:
                when = days.get(day)
                if when is None:
                    when = days[day] = _day(day)
                made += 1
                yield row, _record(next(ids, ""), series, when, Decimal(value), unit,
                                   entered, note, source, self.now, by, vintage, self.batch)
        if made != added:
            raise BjtrackError(problem("err.import.changed", hint_key="hint.import.changed",
                                       file=self.file))


class _Rows:
    """The figures that the rows of a sheet make, or the problems of the bad rows. Each
    distinct target, date and series unit is looked up once."""

    def __init__(self, plan: Plan, file: str, by: str) -> None:
        self.plan = plan
        self.file = file
        self.by = by
        self.bad = 0
        self.problems: list[Problem] = []
        # what `resolve_target` finds first for an exact id, name or series
        self._targets: dict[str, Target | Problem] = {}
        for target in reversed(plan.targets):  # the first in plan order wins
            self._targets[target.series] = target
        for target in reversed(plan.targets):  # an id or a name before a series
            self._targets[target.id] = self._targets[target.name] = target
        self._dates: dict[str, str | Problem] = {}  # each date's text: its ISO date
        self._units: dict[str, str | None] = {}

    def make(self, number: int, values: tuple[str, ...]) -> Figure | None:
        """The figure a row makes, with all its record is made of, or None (its problem
        noted)."""
        ref, text, entered, note, source, vintage, unit, by = values
        bad: list[Problem] = []
        target = self._target(ref, bad)
        day = self._date(text, bad)
        if entered and unit and _is_bare_number(entered):
            entered = entered + unit
        value = self._value(target, entered, bad)
        if vintage and vintage not in VINTAGES:
            bad.append(problem("import.vintage", hint_key="import.vintages", vintage=vintage,
                               vintages=", ".join(VINTAGES)))
        if bad:
            self.bad += 1
            found = _row_problem(number, bad, self.file)
            if self.bad <= SHOWN_BAD_ROWS and found not in self.problems[-1:]:
                self.problems.append(found)  # (a month column's figures: said once a row)
            return None
        assert target is not None and value is not None and day is not None
        return (number, target.series, day, value.value, value.unit, entered,
                _uninert(note) if note[:1] == "'" else note,
                _uninert(source) if source[:1] == "'" else source,
                by or self.by, vintage)

    def _target(self, ref: str, bad: list[Problem]) -> Target | None:
        if not ref:
            bad.append(problem("import.no_target"))
            return None
        found = self._targets.get(ref)
        if found is None:
            try:
                found = resolve_target(self.plan, ref)
            except BjtrackError as exc:
                found = exc.problems[0]
            self._targets[ref] = found
        if isinstance(found, Problem):
            bad.append(found)
            return None
        return found

    def _date(self, text: str, bad: list[Problem]) -> str | None:
        if not text:
            bad.append(problem("import.no_date"))
            return None
        day = self._dates.get(text)
        if day is None:
            try:
                day = parse_date(text).isoformat()
            except BjtrackError as exc:
                day = exc.problems[0]
            self._dates[text] = day
        if isinstance(day, Problem):
            bad.append(day)
            return None
        return day

    def _value(self, target: Target | None, entered: str, bad: list[Problem]) -> Amount | None:
        if not entered:
            bad.append(problem("import.no_value"))
            return None
        if target is None:
            return None
        try:
            return self._read_value(target, entered)
        except BjtrackError as exc:
            bad.append(exc.problems[0])
            return None

    def _read_value(self, target: Target, text: str) -> Amount:
        """`log.read_value`, with the series' unit looked up once."""
        series = target.series
        if series in self._units:
            unit = self._units[series]
        else:
            unit = self._units[series] = self.plan.series_unit(series)
        if unit is None:  # a derived rate: its own rules
            return read_value(self.plan, target, text)
        amount = parse_amount(split_qualifier(text)[1])  # 9%左右: 9%, as log reads it
        return amount if amount.unit == unit else base_unit(amount, unit)


def _record(rid: str, series: str, day: date, value: Decimal, unit: str, entered: str,
            note: str, source: str, logged: datetime, by: str, vintage: str, batch: str
            ) -> Record:
    """`Record(id=rid, series=series, …)` made by `model.built`, without the cost of the
    keyword arguments of its __init__ (tests compare the two)."""
    return built(Record, {
        "id": rid, "series": series, "date": day, "value": value, "unit": unit,
        "entered": entered, "note": note, "source": source, "logged": logged, "by": by,
        "vintage": vintage, "revises": "", "retracts": "", "batch": batch, "origin": None})


_day = date.fromisoformat


def _stat(path: Path) -> str | None:
    """What changes whenever the records file is written (appended or replaced)."""
    try:
        return cache.FileStat.of(path).text()
    except FileNotFoundError:
        return None


def _row_problem(number: int, reasons: list[Problem], file: str) -> Problem:
    """One problem for a bad row: every reason, then every hint (each a problem whose
    message is the reason's hint)."""
    hints = tuple(Problem(r.hint_key, fields=r.fields) for r in reasons if r.hint_key)
    if hints:
        return problem("err.import.row", hint_key="import.hint", file=file, row=number,
                       reason=tuple(reasons), hint=hints)
    return problem("err.import.row", file=file, row=number, reason=tuple(reasons))


def _is_bare_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", ""))
    except ArithmeticError:
        return False
    return True


def _uninert(text: str) -> str:
    """Undo the apostrophe `bjtrack export` puts before text that looks like a formula."""
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text
