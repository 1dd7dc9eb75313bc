"""`bjtrack import`: published figures in bulk from a spreadsheet (read by
`files.tables`). All or nothing: every row is checked first, every bad row is reported,
and only a clean file is appended, in one locked write."""

from __future__ import annotations

import csv
import gc
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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
from bjtrack.files.records import framed_block, new_record_id
from bjtrack.files.tables import read_table
from bjtrack.index import cache
from bjtrack.ops.import_lookup import Identity, fresh_ids, recorded
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

    The sheet is read once, as a stream (`files.tables`): each row is checked and each
    figure's identity (series, date, value, vintage) noted, and the rows' cells are spooled
    to a temporary file, from which the new records are made again under the lock as they
    are written; no record is held for long, and an XLSX file is not parsed twice. What the
    records file already holds is looked up (in its index when there is one) for the series
    and dates of the sheet only, and looked up again under the lock if the file changed
    meanwhile: a figure another process logs during an import is not recorded twice."""
    table = read_table(path, layout)
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        writer = csv.writer(spool)

        def spooled() -> Iterator[Row]:
            for number, values in table.rows:
                writer.writerow((number, *values))
                yield number, values

        def again() -> Iterator[Row]:
            spool.flush()
            spool.seek(0)
            return ((int(row[0]), tuple(row[1:])) for row in csv.reader(spool))

        with _collector_paused():
            result = _import(loaded, str(path), (spooled(), again), now, by, dry_run,
                             progress)
    return replace(result, ignored=table.ignored, encoding=table.encoding,
                   header_row=table.header_row, by_month=table.by_month)


def import_rows(loaded: Loaded, rows: Iterable[Mapping[str, str]], now: datetime, *,
                label: str, by: str = "", dry_run: bool = False) -> ImportResult:
    """`import_file` of rows given directly, each a mapping of bjtrack's columns (target,
    date, value, note, source, vintage, unit, by) to its text; `label` names them in
    messages, and the first row is row 1."""
    fields = [(n, tuple(row.get(f, "").strip() for f in FIELDS))
              for n, row in enumerate(rows, start=1)]
    with _collector_paused():
        return _import(loaded, label, (iter(fields), lambda: iter(fields)), now, by,
                       dry_run, None)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """An import makes a few objects per row that all live until the write and form no
    cycles: the garbage collector would walk them over and over, for nothing."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _import(loaded: Loaded, file: str, read: tuple[Iterator[Row], Callable[[], Iterator[Row]]],
            now: datetime, by: str, dry_run: bool, progress: Progress | None
            ) -> ImportResult:
    """Check the rows `read[0]` gives; if all are good, settle which are new and write
    them, made again from the rows `read[1]()` gives (the same rows, read again)."""
    plan = loaded.plan
    batch = "imp-" + new_record_id()[:8]
    rows = _Rows(plan, file, now, by, batch)
    keys: list[Identity] = []  # what each good row's figure is: all that is kept of it
    numbers = array("q")  # the sheet's row of each
    for index, (number, values) in enumerate(read[0]):  # checked as it is read
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index)
        record = rows.make(number, values, "")
        if record is not None:
            keys.append(record.identity)
            numbers.append(number)
    total = len(keys) + rows.bad
    if progress is not None:
        progress(total)
    if rows.problems:
        shown = rows.problems  # 20,000 bad rows are not 40,000 lines: 50 kept
        if rows.bad > SHOWN_BAD_ROWS:
            shown.append(problem("err.import.more_rows", file=file,
                                 count=rows.bad - SHOWN_BAD_ROWS, shown=SHOWN_BAD_ROWS))
        shown.append(problem("err.import.rows", hint_key="hint.import.rows",
                             file=file, count=rows.bad, total=total))
        raise BjtrackError(*shown)
    target = plan.records_path
    seen = _stat(target)
    settled = _settle(plan, target, keys, numbers)
    if dry_run:
        listed = tuple(_made(read[1](), rows, settled, iter(()), keys))
        return ImportResult(settled.added, settled.duplicates, total,
                            _worded(settled, listed), (), "", False, batch, listed)
    kept: list[tuple[int, Record]] = []  # only the records a conflict names
    written = False
    if settled.added:
        with writing.locked(target):
            if _stat(target) != seen:  # written meanwhile: look again at what it holds
                settled = _settle(plan, target, keys, numbers)
            if settled.added:
                with fresh_ids(target) as ids:
                    made = _made(read[1](), rows, settled, ids, keys)
                    writing.write_records(target, _kept(made, settled, kept),
                                          render=framed_block)
                written = True
    return ImportResult(settled.added, settled.duplicates, total, _worded(settled, kept),
                        (), "", written, batch if written else "")


def _made(rows_again: Iterator[Row], rows: _Rows, settled: _Settled, ids: Iterator[str],
          keys: list[Identity]) -> Iterator[tuple[int, Record]]:
    """The new records, made again from the rows as they are read again (each with a
    fresh id), with their rows. Rows that do not make the figures checked stop it."""
    index = 0
    for number, values in rows_again:
        if index >= len(keys):
            break
        if settled.new[index]:
            record = rows.again(number, values, keys[index], next(ids, ""))
            if record is None:
                break
            yield number, record
        index += 1
    else:
        if index == len(keys):
            return
    raise BjtrackError(problem("err.import.changed", hint_key="hint.import.changed",
                               file=rows.file))


def _kept(made: Iterator[tuple[int, Record]], settled: _Settled,
          kept: list[tuple[int, Record]]) -> Iterator[Record]:
    """The records, keeping those a conflict names (their text is shown)."""
    rows = {c.row for c in settled.conflicts}
    for number, record in made:
        if number in rows:
            kept.append((number, record))
        yield record


def _worded(settled: _Settled, made: Sequence[tuple[int, Record]]) -> tuple[Conflict, ...]:
    """The conflicts with the text each figure was entered as."""
    entered = {(number, r.series, r.date): r.entered for number, r in made}
    return tuple(replace(c, entered=entered.get((c.row, c.series, c.date), c.entered))
                 for c in settled.conflicts)


class _Rows:
    """The records that the rows of a sheet make, or the problems of the bad rows. Each
    distinct target, date and series unit is looked up once."""

    def __init__(self, plan: Plan, file: str, now: datetime, by: str, batch: str) -> None:
        self.plan = plan
        self.file = file
        self.now = now
        self.by = by
        self.batch = batch
        self.bad = 0
        self.problems: list[Problem] = []
        # what `resolve_target` finds first for an exact id, name or series
        self._targets: dict[str, Target | Problem] = {}
        for target in reversed(plan.targets):  # the first in plan order wins
            self._targets[target.series] = target
        for target in reversed(plan.targets):  # an id or a name before a series
            self._targets[target.id] = self._targets[target.name] = target
        self._dates: dict[str, date | Problem] = {}
        self._units: dict[str, str | None] = {}
        self._made_in: dict[str, str] = {}  # the unit of each series' records made
        self._mixed: set[str] = set()  # series whose records came in several units

    def make(self, number: int, values: tuple[str, ...], rid: str) -> Record | None:
        """The record a row makes, or None (its problem noted)."""
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
        if self._made_in.setdefault(target.series, value.unit) != value.unit:
            self._mixed.add(target.series)
        return _record(
            rid, target.series, day, value.value, value.unit, entered,
            _uninert(note) if note[:1] == "'" else note,
            _uninert(source) if source[:1] == "'" else source,
            self.now, by or self.by, vintage, self.batch)

    def again(self, number: int, values: tuple[str, ...], key: Identity, rid: str
              ) -> Record | None:
        """The record a row checked before makes, with id `rid`, from what it is (`key`)
        and its texts: its target, date and value are not read again. None if the row
        does not make that figure (the sheet changed)."""
        series, day, value, vintage = key
        if series in self._mixed or series not in self._made_in:
            record = self.make(number, values, rid)
            return record if record is not None and record.identity == key else None
        _, _, entered, note, source, _, unit, by = values
        if entered and unit and _is_bare_number(entered):
            entered = entered + unit
        assert day is not None and value is not None
        return _record(rid, series, day, value, self._made_in[series], entered,
                       _uninert(note) if note[:1] == "'" else note,
                       _uninert(source) if source[:1] == "'" else source,
                       self.now, by or self.by, vintage, self.batch)

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

    def _date(self, text: str, bad: list[Problem]) -> date | None:
        if not text:
            bad.append(problem("import.no_date"))
            return None
        day = self._dates.get(text)
        if day is None:
            try:
                day = parse_date(text)
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


@dataclass(frozen=True)
class _Settled:
    new: bytearray  # 1 for each figure of the sheet that is added
    added: int
    duplicates: int
    conflicts: list[Conflict]  # (their `entered` is filled in when the records are made)


def _settle(plan: Plan, path: Path, keys: list[Identity], numbers: Sequence[int]
            ) -> _Settled:
    """Which figures of the sheet are new, against what the records file holds now."""
    current = recorded(path, keys)
    existing = set(current)
    # the figures of each series and date: the first one seen, and a set of all of them
    # once there are several (most dates have one)
    first: dict[tuple[str, date | None], Decimal | None] = {}
    every: dict[tuple[str, date | None], set[Decimal | None]] = {}
    for series, day, value, _ in current:
        _note(first, every, (series, day), value)
    del current
    single: dict[str, bool] = {}
    new = bytearray(len(keys))
    conflicts: list[Conflict] = []
    duplicates = 0
    for index, identity in enumerate(keys):
        if identity in existing:
            duplicates += 1
            continue
        existing.add(identity)
        series, day, value, _ = identity
        if _note(first, every, (series, day), value):
            if series not in single:
                single[series] = _single_valued(plan, series)
            if single[series]:
                conflicts.append(Conflict(numbers[index], series, day, ""))
        new[index] = 1
    return _Settled(new, len(keys) - duplicates, duplicates, conflicts)


def _note(first: dict[tuple[str, date | None], Decimal | None],
          every: dict[tuple[str, date | None], set[Decimal | None]],
          key: tuple[str, date | None], value: Decimal | None) -> bool:
    """Note a figure of a series and date; whether that differs from all noted before."""
    if key not in first:
        first[key] = value
        return False
    seen = first[key]
    if value == seen:
        return False
    others = every.setdefault(key, {seen})
    if value in others:
        return False
    others.add(value)
    return True


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


def _single_valued(plan: Plan, series: str) -> bool:
    return not any(t.series == series and t.aggregate == "sum" for t in plan.targets)


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
