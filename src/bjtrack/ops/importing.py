"""`bjtrack import`: published figures in bulk from a spreadsheet (read by
`files.tables`). All or nothing: every row is checked first, every bad row is reported,
and only a clean file is appended, in one locked write."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from bjtrack.domain.amounts import Amount, base_unit, parse_amount
from bjtrack.domain.dates import parse_date
from bjtrack.domain.errors import BjtrackError, Problem, problem
from bjtrack.domain.model import VINTAGES, Plan, Record, Target, built
from bjtrack.domain.records import effective
from bjtrack.files import records as records_file
from bjtrack.files import writing
from bjtrack.files.records import framed_block, new_ids
from bjtrack.files.tables import read_table
from bjtrack.index import cache
from bjtrack.ops.load import Loaded, resolve_target
from bjtrack.ops.log import read_value

PROGRESS_EVERY = 1000
_FIELDS = ("target", "date", "value", "note", "source", "vintage", "unit", "by")

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
    added: tuple[Record, ...]
    duplicates: int  # rows already recorded (or repeated in the file): nothing added
    rows: int  # data rows read
    conflicts: tuple[Conflict, ...]
    ignored: tuple[str, ...]
    encoding: str
    written: bool


Progress = Callable[[int, int], None]


def import_file(loaded: Loaded, path: Path, now: datetime, *, by: str = "",
                dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Check every row; if all are good, append the new ones in one locked write.

    What the records file already holds is looked up (in its index when there is one) for
    the series and dates of the sheet only, and looked up again under the lock if the file
    changed meanwhile: a figure another process logs during an import is not recorded
    twice."""
    with _collector_paused():
        return _import(loaded, path, now, by, dry_run, progress)


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


def _import(loaded: Loaded, path: Path, now: datetime, by: str, dry_run: bool,
            progress: Progress | None) -> ImportResult:
    table = read_table(path)
    plan = loaded.plan
    file = str(path)
    rows = _Rows(plan, file, now, by, table.columns)
    read: Iterable[tuple[int, list[str]]] = table.rows  # each row is checked as it is read
    total = 0
    if progress is not None:  # a progress bar needs the count first
        read = list(table.rows)
        total = len(read)
    for index, (number, values) in enumerate(read):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, total)
        rows.add(number, values)
    total = len(rows.numbers) + len(rows.problems)
    if progress is not None:
        progress(total, total)
    ignored, encoding = table.ignored, table.encoding
    del table, read  # the cells as read are no longer needed
    if rows.problems:
        bad = len(rows.problems)
        shown = rows.problems[:SHOWN_BAD_ROWS]  # 20,000 bad rows are not 40,000 lines
        if bad > SHOWN_BAD_ROWS:
            shown.append(problem("err.import.more_rows", file=file,
                                 count=bad - SHOWN_BAD_ROWS, shown=SHOWN_BAD_ROWS))
        shown.append(problem("err.import.rows", hint_key="hint.import.rows",
                             file=file, count=bad, total=total))
        raise BjtrackError(*shown)
    target = plan.records_path
    seen = _stat(target)
    settled = _settle(plan, target, rows)
    written = False
    if settled.added and not dry_run:
        with writing.locked(target):
            if _stat(target) != seen:  # written meanwhile: look again at what it holds
                settled = _settle(plan, target, rows)
            if settled.added:
                writing.write_records(target, settled.added, render=framed_block)
                written = True
    return ImportResult(tuple(settled.added), settled.duplicates, total,
                        tuple(settled.conflicts), ignored, encoding, written)


class _Rows:
    """The records that the rows of a sheet make, or the problems of the bad rows. Each
    distinct target, date and series unit is looked up once."""

    def __init__(self, plan: Plan, file: str, now: datetime, by: str,
                 columns: dict[str, int]) -> None:
        self.plan = plan
        self.file = file
        self.now = now
        self.by = by
        missing = 1 << 62  # the position of an absent column: every row is shorter
        self.at = tuple(columns.get(field, missing) for field in _FIELDS)
        self.ids = new_ids(set())
        self.records: list[Record] = []
        self.numbers: list[int] = []  # the row of each record
        self.problems: list[Problem] = []
        # what `resolve_target` finds first for an exact id, name or series
        self._targets: dict[str, Target | Problem] = {}
        for target in reversed(plan.targets):  # the first in plan order wins
            self._targets[target.series] = target
        for target in reversed(plan.targets):  # an id or a name before a series
            self._targets[target.id] = self._targets[target.name] = target
        self._dates: dict[str, date | Problem] = {}
        self._units: dict[str, str | None] = {}

    def add(self, number: int, values: list[str]) -> None:
        size = len(values)
        ref, text, entered, note, source, vintage, unit, by = (
            values[at].strip() if at < size else "" for at in self.at)
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
            self.problems.append(_row_problem(number, bad, self.file))
            return
        assert target is not None and value is not None and day is not None
        self.records.append(_record(
            next(self.ids), target.series, day, value.value, value.unit, entered,
            _uninert(note) if note[:1] == "'" else note,
            _uninert(source) if source[:1] == "'" else source,
            self.now, by or self.by, vintage))
        self.numbers.append(number)

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
        amount = parse_amount(text)
        return amount if amount.unit == unit else base_unit(amount, unit)


def _record(rid: str, series: str, day: date, value: Decimal, unit: str, entered: str,
            note: str, source: str, logged: datetime, by: str, vintage: str) -> Record:
    """`Record(id=rid, series=series, …)` made by `model.built`, without the cost of the
    keyword arguments of its __init__ (tests compare the two)."""
    return built(Record, {
        "id": rid, "series": series, "date": day, "value": value, "unit": unit,
        "entered": entered, "note": note, "source": source, "logged": logged, "by": by,
        "vintage": vintage, "revises": "", "retracts": "", "origin": None})


@dataclass(frozen=True)
class _Settled:
    added: list[Record]
    duplicates: int
    conflicts: list[Conflict]


def _settle(plan: Plan, path: Path, rows: _Rows) -> _Settled:
    """Which records of the sheet are new, against what the records file holds now."""
    records = rows.records
    current, taken = _recorded(path, records)
    existing = set(current)
    # the figures of each series and date: the first one seen, and a set of all of them
    # once there are several (most dates have one)
    first: dict[tuple[str, date | None], Decimal | None] = {}
    every: dict[tuple[str, date | None], set[Decimal | None]] = {}
    for series, day, value, _ in current:
        _note(first, every, (series, day), value)
    single: dict[str, bool] = {}
    added: list[Record] = []
    conflicts: list[Conflict] = []
    duplicates = 0
    for number, record in zip(rows.numbers, records, strict=True):
        series, day, value = record.series, record.date, record.value
        identity = record.identity
        if identity in existing:
            duplicates += 1
            continue
        existing.add(identity)
        if _note(first, every, (series, day), value):
            if series not in single:
                single[series] = _single_valued(plan, series)
            if single[series]:
                conflicts.append(Conflict(number, series, day, record.entered))
        if record.id in taken:  # 50 random bits that happen to be some record's already
            record = replace(record, id=_fresh_id(rows.ids, taken))
        added.append(record)
    return _Settled(added, duplicates, conflicts)


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


Identity = tuple[str, date | None, Decimal | None, str]


def _recorded(path: Path, records: list[Record]) -> tuple[list[Identity], set[str]]:
    """The identities of the current records of the file dated within the dates these
    records span for their series, and which of these records' ids the file holds already:
    from the index when it can answer (a few hundred series at a time, so that only their
    identities are kept), else from a full parse."""
    if not records:
        return [], set()
    index = cache.open_index(path)
    if index is not None:
        spans: dict[str, tuple[date | None, date | None]] = {}
        for record in records:
            low, high = spans.get(record.series, (record.date, record.date))
            assert low is not None and high is not None and record.date is not None
            spans[record.series] = (min(low, record.date), max(high, record.date))
        items = list(spans.items())
        current: list[Identity] = []
        try:
            for at in range(0, len(items), 300):
                for found in index.windows(dict(items[at: at + 300])).values():
                    current += (r.identity for r in found)
            return current, index.ids_taken([r.id for r in records])
        except cache.Unusable:
            pass
        finally:
            index.close()
    every = records_file.load_records(path).records
    ids = {r.id for r in records}
    return [r.identity for r in effective(every)], {r.id for r in every if r.id in ids}


def _fresh_id(ids: Iterator[str], taken: set[str]) -> str:
    while True:
        candidate = next(ids)
        if candidate not in taken:
            return candidate


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
