"""Bulk import of published figures from a spreadsheet: CSV (UTF-8 with or without BOM,
GBK/GB18030) or XLSX. All or nothing: every row is checked first, every bad row is
reported, and only a clean file is appended, in one locked write.

Columns (header row in Chinese or English, any order): the target (id, series or name),
the date, the value (any form `bjtrack log` accepts), and optionally a note, a source,
a vintage, who reported it, and a unit for bare numbers (150 with 单位 亿元 is 150亿元)."""

from __future__ import annotations

import csv
import functools
import gc
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bjtrack.domain import evaluation
from bjtrack.domain.amounts import Amount, base_unit, parse_amount, plain
from bjtrack.domain.dates import parse_date
from bjtrack.domain.errors import BjtrackError, Problem, UsageError, problem
from bjtrack.domain.model import VINTAGES, Plan, Record, Target, built
from bjtrack.files import store
from bjtrack.ops import actions
from bjtrack.render.i18n import get_lang, message

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
RECORD_SHEETS = ("records", "记录", "数据")
PROGRESS_EVERY = 1000
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 BOM", "gb18030": "GBK"}
# The columns of `bjtrack export --records` that are not imported (they are re-made).
_EXPORT_ONLY = frozenset({"entered", "asentered", "logged", "revises", "retracts", "line",
                          "record", "记录号", "原始录入"})


@dataclass(frozen=True)
class Table:
    columns: dict[str, int]  # field -> position of its column
    rows: Iterator[tuple[int, list[str]]]  # read as they are asked for: each row with a
    # cell of some field, as its number (the header is row 1) and its cells as read
    ignored: tuple[str, ...]  # header cells that map to no field
    encoding: str  # how the file was read: utf-8, utf-8-sig, gb18030, xlsx


@dataclass(frozen=True)
class ImportResult:
    added: tuple[Record, ...]
    duplicates: int  # rows already recorded (or repeated in the file): nothing added
    rows: int  # data rows read
    conflicts: tuple[str, ...]  # new figures that differ from one already recorded
    ignored: tuple[str, ...]
    encoding: str
    written: bool


Progress = Callable[[int, int], None]


def _key(header: str) -> str:
    folded = unicodedata.normalize("NFKC", header).strip().lower()
    return "".join(ch for ch in folded if ch not in " _-\t（）()")


_ALIASES = {_key(alias): field for field, aliases in COLUMNS.items() for alias in aliases}


# --------------------------------------------------------------------------- reading

def read_table(path: Path) -> Table:
    """The rows of a CSV or XLSX file as read, and which column holds which field."""
    if not path.is_file():
        raise UsageError(problem("err.import.missing", hint_key="hint.import.file",
                                 file=str(path)))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header, body = _xlsx_rows(path)
        encoding = "xlsx"
    elif suffix == ".xls":
        raise UsageError(problem("err.import.xls", hint_key="hint.import.xls", file=str(path)))
    else:
        text, encoding = _decode(path)
        header, body = _csv_rows(text)
    fields, ignored = _map_header(header, str(path))
    columns = {field: i for i, field in fields.items()}
    return Table(columns, _filled(body, columns["target"], sorted(fields)), ignored, encoding)


def _filled(body: Iterator[tuple[int, list[str]]], first: int, positions: list[int]
            ) -> Iterator[tuple[int, list[str]]]:
    """The rows with a cell of some field that is not blank (most name a target)."""
    for number, values in body:
        if (first < len(values) and values[first].strip()) or any(
                values[i].strip() for i in positions if i < len(values)):
            yield number, values


def _decode(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    candidates: tuple[str, ...] = ("utf-8", "gb18030")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    for encoding in candidates:
        try:
            return data.decode(encoding), _ENCODING_NAMES.get(encoding, encoding)
        except UnicodeDecodeError as exc:
            error = exc
    raise BjtrackError(problem("err.import.encoding", hint_key="hint.import.encoding",
                               file=str(path), byte=error.start))


def _csv_rows(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])

    return header, enumerate(reader, start=2)


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise BjtrackError(problem("err.import.workbook", hint_key="hint.import.workbook",
                                   file=str(path), error=exc)) from None
    sheet = book.worksheets[0]
    for candidate in book.worksheets:
        if _key(candidate.title) in RECORD_SHEETS:
            sheet = candidate
            break
    rows = sheet.iter_rows()
    header = [_xlsx_text(c.value, None) for c in next(rows, ())]

    def body() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(rows, start=2):
            yield number, [_xlsx_text(c.value, getattr(c, "number_format", None))
                           for c in row]
        book.close()

    return header, body()


def _xlsx_text(value: object, number_format: str | None) -> str:
    """A cell as the text a person sees: 41.2% for 0.412 formatted as a percentage."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number_format and "%" in number_format:
            return plain(number * 100) + "%"
        return plain(number)
    return str(value)


def _map_header(header: list[str], file: str) -> tuple[dict[int, str], tuple[str, ...]]:
    fields: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored = []
    problems = []
    rank = {_key(a): i for i, a in enumerate(COLUMNS["target"])}
    targets = [(rank[_key(h)], i) for i, h in enumerate(header) if _key(h) in rank]
    chosen = min(targets)[1] if targets else None
    for index, name in enumerate(header):
        field = _ALIASES.get(_key(name))
        if field == "target" and index != chosen:
            continue  # another column names the target better (series before name)
        if field is None:
            if name.strip():
                ignored.append(name.strip())
            continue
        if field in seen:
            problems.append(problem("err.import.both", hint_key="hint.import.both", file=file,
                                    line=1, first=seen[field], second=name.strip(),
                                    field=field))
            continue
        seen[field] = name.strip()
        fields[index] = field
    missing = [f for f in REQUIRED if f not in seen]
    if missing:
        accepted = "; ".join(f"{f}: {', '.join(COLUMNS[f])}" for f in missing)
        found = ", ".join(h.strip() for h in header if h.strip()) or "—"
        problems.append(problem("err.import.columns", hint_key="hint.import.columns",
                                file=file, line=1, missing=", ".join(missing), found=found,
                                accepted=accepted))
    if problems:
        raise BjtrackError(*problems)
    return fields, tuple(i for i in ignored if _key(i) not in _EXPORT_ONLY)


# --------------------------------------------------------------------------- checking

def import_file(loaded: actions.Loaded, path: Path, now: datetime, *, by: str = "",
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


def _import(loaded: actions.Loaded, path: Path, now: datetime, by: str, dry_run: bool,
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
        rows.problems.append(problem("err.import.rows", hint_key="hint.import.rows",
                                     file=file, bad=len(rows.problems), total=total))
        raise BjtrackError(*rows.problems)
    target = plan.records_path
    seen = _stat(target)
    settled = _settle(plan, target, rows)
    written = False
    if settled.added and not dry_run:
        with store.locked(target):
            if _stat(target) != seen:  # written meanwhile: look again at what it holds
                settled = _settle(plan, target, rows)
            if settled.added:
                store.write_records(target, settled.added, render=framed_block)
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
        self.at = tuple(columns.get(field, missing) for field in
                        ("target", "date", "value", "note", "source", "vintage", "unit", "by"))
        self.ids = _new_ids(set())
        self.records: list[Record] = []
        self.numbers: list[int] = []  # the row of each record
        self.problems: list[Problem] = []
        # what `actions.resolve_target` finds first for an exact id, name or series
        self._targets: dict[str, Target | Problem] = {}
        for target in reversed(plan.targets):  # the first in plan order wins
            self._targets[target.series] = target
        for target in reversed(plan.targets):  # an id or a name before a series
            self._targets[target.id] = self._targets[target.name] = target
        self._dates: dict[str, date | Problem] = {}
        self._units: dict[str, str | None] = {}

    def add(self, number: int, values: list[str]) -> None:
        size = len(values)
        at_target, at_date, at_value, at_note, at_source, at_vintage, at_unit, at_by = self.at
        ref = values[at_target].strip() if at_target < size else ""
        text = values[at_date].strip() if at_date < size else ""
        entered = values[at_value].strip() if at_value < size else ""
        note = values[at_note].strip() if at_note < size else ""
        source = values[at_source].strip() if at_source < size else ""
        vintage = values[at_vintage].strip() if at_vintage < size else ""
        unit = values[at_unit].strip() if at_unit < size else ""
        by = values[at_by].strip() if at_by < size else ""
        bad: list[Problem] = []

        target: Target | None = None
        if not ref:
            bad.append(problem("import.no_target"))
        else:
            found = self._targets.get(ref)
            if found is None:
                try:
                    found = actions.resolve_target(self.plan, ref)
                except BjtrackError as exc:
                    found = exc.problems[0]
                self._targets[ref] = found
            if isinstance(found, Problem):
                bad.append(found)
            else:
                target = found

        day: date | Problem | None = None
        if not text:
            bad.append(problem("import.no_date"))
        else:
            day = self._dates.get(text)
            if day is None:
                try:
                    day = parse_date(text)
                except BjtrackError as exc:
                    day = exc.problems[0]
                self._dates[text] = day
            if isinstance(day, Problem):
                bad.append(day)
                day = None

        if entered and unit and _is_bare_number(entered):
            entered = entered + unit
        value = None
        if not entered:
            bad.append(problem("import.no_value"))
        elif target is not None:
            try:
                value = self._read_value(target, entered)
            except BjtrackError as exc:
                bad.append(exc.problems[0])

        if vintage and vintage not in VINTAGES:
            bad.append(problem("import.vintage", hint_key="import.vintages", vintage=vintage,
                               vintages=", ".join(VINTAGES)))

        if bad:
            self.problems.append(_row_problem(number, bad, self.file))
            return
        assert target is not None and value is not None and isinstance(day, date)
        self.records.append(_record(
            next(self.ids), target.series, day, value.value, value.unit, entered,
            _uninert(note) if note[:1] == "'" else note,
            _uninert(source) if source[:1] == "'" else source,
            self.now, by or self.by, vintage))
        self.numbers.append(number)

    def _read_value(self, target: Target, text: str) -> Amount:
        """`actions.read_value`, with the series' unit looked up once."""
        series = target.series
        if series in self._units:
            unit = self._units[series]
        else:
            unit = self._units[series] = self.plan.series_unit(series)
        if unit is None:  # a derived rate: its own rules
            return actions.read_value(self.plan, target, text)
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
    conflicts: list[str]


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
    conflicts: list[str] = []
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
                conflicts.append(f"row {number}: {series} {day} {record.entered} differs "
                                 f"from the figure already recorded")
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
    from bjtrack.index import cache

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
    every = store.load_records(path, cached=False).records
    ids = {r.id for r in records}
    return [r.identity for r in evaluation.effective(every)], {r.id for r in every if r.id in ids}


def _fresh_id(ids: Iterator[str], taken: set[str]) -> str:
    while True:
        candidate = next(ids)
        if candidate not in taken:
            return candidate


def _stat(path: Path) -> str | None:
    """What changes whenever the records file is written (appended or replaced)."""
    from bjtrack.index.cache import FileStat

    try:
        return FileStat.of(path).text()
    except FileNotFoundError:
        return None


def _row_problem(number: int, reasons: list[Problem], file: str) -> Problem:
    """One problem for a bad row: every reason, then every hint, in the current language."""

    def local(key: str, text: str | None, fields: tuple[tuple[str, str], ...]) -> str:
        return message(key, get_lang(), **dict(fields)) if key else (text or "")

    hints = [r for r in reasons if r.hint]
    hint_en = "; ".join(dict.fromkeys(r.hint or "" for r in hints))
    hint_local = "; ".join(dict.fromkeys(local(r.hint_key, r.hint, r.fields) for r in hints))
    return Problem(
        f"row {number}: " + "; ".join(r.message for r in reasons), file=file,
        hint=hint_en or None, key="err.import.row", hint_key="import.hint" if hints else "",
        fields=(("row", str(number)),
                ("reason", "; ".join(local(r.key, r.message, r.fields) for r in reasons)),
                ("hint", hint_local)))


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


_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f]")


def record_block(record: Record) -> str:
    """The same text as `store.record_block`, written directly: importing 100,000 rows
    spends much of its time here. Anything but plain text falls back to the serializer
    (tests compare the two)."""
    logged = record.logged
    body = None if logged is None else _body(record, _texts(logged, logged.utcoffset())[0])
    return store.record_block(record) if body is None else "[[record]]\n" + body


def framed_block(record: Record) -> str:
    """`store.framed(record, store.record_block(record))`, written directly (tests compare
    the two)."""
    logged = record.logged
    if logged is None:
        return store.framed(record, store.record_block(record))
    stamp, iso = _texts(logged, logged.utcoffset())
    body = _body(record, stamp)
    if body is None:
        return store.framed(record, store.record_block(record))
    name = f"{record.id} {iso}"
    return f"# {name}\n[[record]]\n{body}# {name} end\n"


def _body(record: Record, stamp: str) -> str | None:
    """The lines of a record's block after its header, for a plain figure of plain text
    logged at `stamp` (as the serializer writes the time)."""
    rid, series, day, value = record.id, record.series, record.date, record.value
    texts = (record.entered, record.unit, record.vintage, record.revises, record.note,
             record.source, record.by)
    if record.retracts or day is None or value is None:
        return None
    joined = "".join((rid, series, *texts))
    if not joined.isprintable() and _NEEDS_ESCAPE.search(joined):
        return None
    entered, unit, vintage, revises, note, source, by = texts
    if "\\" in joined or '"' in joined:
        rid, series, entered, unit, vintage, revises, note, source, by = (
            _escaped(text) for text in (rid, series, *texts))
    return "".join((
        f'id = "{rid}"\nseries = "{series}"\ndate = {day.isoformat()}\n',
        f'entered = "{entered}"\n' if entered else "",
        f'unit = "{unit}"\n' if unit else "",
        f'vintage = "{vintage}"\n' if vintage else "",
        f'revises = "{revises}"\n' if revises else "",
        f'note = "{note}"\n' if note else "",
        f'source = "{source}"\n' if source else "",
        f'by = "{by}"\n' if by else "",
        f'logged = {stamp}\nvalue = "{plain(value)}"\n'))


@functools.lru_cache(maxsize=8)
def _texts(moment: datetime, offset: timedelta | None) -> tuple[str, str]:
    """A time as the serializer writes it (2026-11-26 18:23:56+00:00) and as `store.framed`
    names a record (2026-11-26T18:23:56+00:00). Keyed by the offset too: times equal as
    instants are written differently in different zones."""
    return str(moment), moment.isoformat()


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


_ID_LETTERS = bytes(b"abcdefghijklmnopqrstuvwxyz234567"[b % 32] for b in range(256))


def _new_ids(taken: set[str]) -> Iterator[str]:
    """Fresh record ids like `store.new_record_id`: 10 base32 characters (each random byte
    picks one of the 32 letters with equal chance), 50 random bits. Made in bulk: one read
    of the random source per thousand ids."""
    while True:
        batch = 1000
        text = os.urandom(batch * 10).translate(_ID_LETTERS).decode("ascii")
        for start in range(0, batch * 10, 10):
            candidate = text[start:start + 10]
            if candidate not in taken:
                taken.add(candidate)
                yield candidate
