"""Queries of the index: the records a command needs, without reading every record."""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import MISSING, fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bjtrack.domain.errors import Problem
from bjtrack.domain.model import Record, Source, built, evolve
from bjtrack.files.records import RecordSet
from bjtrack.index.sqlite import (
    COLUMNS,
    CURRENT,
    Unusable,
    cache_path,
    discard,
    is_busy,
    release,
)

_BATCH = 300  # series per windows query (a few parameters each)
# A value (the exact text of a Decimal: 150, 1.50, -0.25, 1E+2, 1.5E-7) as an integer times
# 10^exponent, worked out in SQL as the sums are read, so that SQLite adds them exactly:
# `mantissa` and `power` first, then their digits (NULL if over 18: too long to add) and
# exponent. Never stored: a table with them as (even virtual) generated columns took half
# as long again to fill, and a stored copy could disagree with the value a block signs.
_PARTS = ("CASE WHEN instr(value, 'E') THEN substr(value, 1, instr(value, 'E') - 1) "
          "ELSE value END AS mantissa, CASE WHEN instr(value, 'E') THEN "
          "CAST(substr(value, instr(value, 'E') + 1) AS INTEGER) ELSE 0 END AS power")
_UNITS = ("CASE WHEN length(replace(replace(mantissa, '-', ''), '.', '')) <= 18 "
          "THEN CAST(replace(mantissa, '.', '') AS INTEGER) END")
_EXPONENT = ("power - CASE instr(mantissa, '.') WHEN 0 THEN 0 "
             "ELSE length(mantissa) - instr(mantissa, '.') END")


class RecordIndex:
    """The records of one file, queried from the index without reading every record."""

    def __init__(self, conn: sqlite3.Connection, path: Path, tail: RecordSet) -> None:
        self._conn = conn
        self.path = path
        self.file = str(path)
        self.tail = tail  # the torn last block, if any (its records are never indexed)
        self._plain: bool | None = None  # within a snapshot: no record retracts or revises

    @property
    def torn(self) -> Problem | None:
        return self.tail.torn

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every query within sees the index as one moment left it (a read transaction)."""
        try:
            self._conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise Unusable(str(exc)) from exc
        try:
            yield
        finally:
            self._plain = None
            try:
                if self._conn.in_transaction:
                    self._conn.execute("COMMIT")
            except sqlite3.Error:
                pass

    def _current(self) -> str:
        """The SQL test for a current record. Within a snapshot in which no record retracts
        or revises another, every record is current: the queries then stay in the index."""
        if not self._conn.in_transaction:
            return CURRENT
        if self._plain is None:
            ((edited,),) = self._rows(
                "SELECT EXISTS (SELECT 1 FROM checked WHERE retracts != '') "
                "OR EXISTS (SELECT 1 FROM checked WHERE revises != '')")
            self._plain = not edited
        return "1" if self._plain else CURRENT

    def close(self) -> None:
        release(self._conn)

    def __enter__(self) -> RecordIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _rows(self, sql: str, args: Iterable[object] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error as exc:
            raise self._unusable(exc) from exc

    def _unusable(self, exc: sqlite3.Error) -> Unusable:
        """A failed query: the file is read instead. Unless the index was merely busy, it
        is damaged or fails its checks (sqlite.Tampered, raised inside the query): it is
        deleted, to be rebuilt, and never believed."""
        if not is_busy(exc):
            discard(cache_path(self.path))
        return Unusable(str(exc))

    def windows(self, ranges: Mapping[str, tuple[date | None, date | None]]
                ) -> dict[str, list[Record]]:
        """Current records of each series dated within its range (None: open), in date
        order and file order among the same date, as `pace.by_series` orders them."""
        found: dict[str, list[Record]] = {}
        for row in self._in_windows(list(ranges.items()), COLUMNS, CURRENT):
            record = self._record(row)
            found.setdefault(record.series, []).append(record)
        return {series: found[series] for series in ranges if series in found}

    def identities(self, ranges: Iterable[tuple[str, str, str]]
                   ) -> Generator[tuple[str, str, str | None, str], None, None]:
        """(series, ISO date, value, vintage) of the current records of each series dated
        within its range of ISO dates, as `windows` finds them, but a thousand at a time
        and without making records: an import looks through a big file in flat memory."""
        for series, low, high in ranges:
            try:
                cursor = self._conn.execute(
                    f"SELECT series, date, value, vintage FROM checked WHERE series = ?"
                    f" AND date >= ? AND date <= ? AND {CURRENT}", (series, low, high))
            except sqlite3.Error as exc:
                raise self._unusable(exc) from exc
            try:
                while rows := self._fetch(cursor):
                    yield from rows
            finally:  # (a consumer that failed may close it after the index is closed)
                with suppress(sqlite3.ProgrammingError):
                    cursor.close()

    def _fetch(self, cursor: sqlite3.Cursor) -> list[tuple[str, str, str | None, str]]:
        """The cursor's next thousand rows; a failed read (a row failing its check, a
        damaged index) makes the index Unusable, only that: never what its reader does
        with the rows."""
        try:
            return cursor.fetchmany(1000)
        except sqlite3.Error as exc:
            raise self._unusable(exc) from exc

    def figures(self, ranges: Mapping[str, tuple[date | None, date | None]],
                days: Mapping[str, tuple[int, int]] | None = None,
                ends: Iterable[str] = (), sums: Iterable[str] = ()) -> dict[str, list[Record]]:
        """`windows`, each record holding only what a status reads of it (series, date,
        value, unit; no id, note or origin): the other columns are never fetched. A series
        in `days` gives only its records dated on that (month, day) of a year. Of a series
        in `ends` only the first and the last record are read: its list holds the first,
        then the last as often as the window has other records (see `reads.end_reads`).
        Of a series in `sums` the sum is read, exactly: its list holds as many records as
        the window, the first and last on their dates, their values adding up to the sum
        (see `reads.sum_reads`)."""
        only_ends = set(ends) - set(days or {})
        only_sums = set(sums) - set(days or {}) - only_ends
        current = self._current()
        found = self._sums({s: ranges[s] for s in ranges if s in only_sums}, current)
        skip = only_ends | set(found)
        items = [(series, span) for series, span in ranges.items() if series not in skip]
        found.update(self._figures(items, current, days))
        found.update(self._ends({s: ranges[s] for s in ranges if s in only_ends}, current))
        return {series: found[series] for series in ranges if series in found}

    def _figures(self, items: Sequence[tuple[str, tuple[date | None, date | None]]],
                 current: str, days: Mapping[str, tuple[int, int]] | None
                 ) -> dict[str, list[Record]]:
        found: dict[str, list[Record]] = {}
        dated: dict[str, date] = {}
        new = object.__new__
        # `built(Record, …)` of each row, inlined: at a million records this loop is most
        # of the time a status takes. Rows come series by series, and dates repeat.
        bucket: list[Record] = []
        last = None
        for series, day, value, unit, entered in self._in_windows(
                items, "series, date, value, unit, entered", current, days):
            if series != last:
                bucket = found.setdefault(series, [])
                last = series
            when = dated.get(day)
            if when is None:
                when = dated[day] = _day(day)
            record = new(Record)
            record.__dict__.update(_FIGURE, series=series, date=when, unit=unit,
                                   value=None if value is None else Decimal(value),
                                   entered=entered)  # its qualifier (左右, 约) is shown
            bucket.append(record)
        return found

    def _in_windows(self, items: Sequence[tuple[str, tuple[date | None, date | None]]],
                    columns: str, current: str,
                    days: Mapping[str, tuple[int, int]] | None = None) -> Iterator[Any]:
        """`columns` of the records of each series dated within its range (and on its day
        of the year, for a series in `days`) that pass `current`, in `windows` order: one
        query per batch of series."""
        days = days or {}
        for at in range(0, len(items), _BATCH):
            batch = items[at: at + _BATCH]
            args: list[object] = []
            for series, (low, high) in batch:
                day = days.get(series)
                args += [*_span(series, low, high),
                         f"-{day[0]:02d}-{day[1]:02d}" if day else ""]
            yield from self._rows(
                f"WITH want (name, low, high, day) AS "
                f"(VALUES {', '.join(['(?, ?, ?, ?)'] * len(batch))})"
                f" SELECT {columns} FROM want JOIN checked"
                f" ON series = want.name AND date >= want.low AND date <= want.high"
                f" AND (want.day = '' OR substr(date, 5) = want.day)"
                f" WHERE {current} ORDER BY want.name, date, seq", args)

    def _ends(self, ranges: Mapping[str, tuple[date | None, date | None]], current: str
              ) -> dict[str, list[Record]]:
        """`figures` of series of which only the first and last records are read."""
        ends = self._first_last(ranges, current)
        records = self._figures_at(sorted({seq for _, *seqs in ends.values() for seq in seqs}))
        return {series: [records[first]] + [records[last]] * (count - 1)
                for series, (count, first, last) in ends.items()}

    def _first_last(self, ranges: Mapping[str, tuple[date | None, date | None]],
                    current: str) -> dict[str, tuple[int, int, int]]:
        """Of each series, how many current records its window holds and the seq of the
        first and the last of them (series with none left out)."""
        items = list(ranges.items())
        ends: dict[str, tuple[int, int, int]] = {}  # series: (count, first seq, last seq)
        where = (f"series = want.name AND date >= want.low AND date <= want.high "
                 f"AND {current}")
        for at in range(0, len(items), _BATCH):
            batch = items[at: at + _BATCH]
            args = [arg for series, (low, high) in batch for arg in _span(series, low, high)]
            for name, count, first, last in self._rows(
                    f"WITH want (name, low, high) AS "
                    f"(VALUES {', '.join(['(?, ?, ?)'] * len(batch))})"
                    f" SELECT name, (SELECT count(*) FROM checked WHERE {where}),"
                    f" (SELECT seq FROM checked WHERE {where} ORDER BY date, seq LIMIT 1),"
                    f" (SELECT seq FROM checked WHERE {where} ORDER BY date DESC, seq DESC"
                    f" LIMIT 1) FROM want", args):
                if count:
                    ends[name] = (count, first, last)
        return ends

    def _figures_at(self, wanted: Sequence[int]) -> dict[int, Record]:
        """The records of these seqs, as `figures` gives them."""
        records: dict[int, Record] = {}
        for at in range(0, len(wanted), 500):
            seqs = wanted[at: at + 500]
            for seq, series, day, value, unit, entered in self._rows(
                    f"SELECT seq, series, date, value, unit, entered FROM checked "
                    f"WHERE seq IN ({', '.join('?' * len(seqs))})", seqs):
                records[seq] = built(Record, dict(
                    _FIGURE, series=series, date=_day(day), unit=unit,
                    value=None if value is None else Decimal(value), entered=entered))
        return records

    def _sums(self, ranges: Mapping[str, tuple[date | None, date | None]], current: str
              ) -> dict[str, list[Record]]:
        """`figures` of summed series: the first and last record, and between them records
        of value 0, the first's value made up so that the values add up to the window's
        sum (in Python's Decimal arithmetic, digit for digit). A series whose sum SQLite
        cannot add exactly is left out: the caller reads its window."""
        totals = self._totals(ranges, current)
        ends = self._first_last({s: ranges[s] for s in totals}, current)
        records = self._figures_at(sorted({seq for _, *seqs in ends.values() for seq in seqs}))
        out: dict[str, list[Record]] = {}
        for series, (count, first, last) in ends.items():
            if count == 1:
                out[series] = [records[last]]
                continue
            tail = records[last]
            assert tail.value is not None
            head = evolve(records[first], value=totals[series] - tail.value)
            out[series] = [head, *[evolve(tail, value=_ZERO)] * (count - 2), tail]
        return out

    def _totals(self, ranges: Mapping[str, tuple[date | None, date | None]], current: str
                ) -> dict[str, Decimal]:
        """The exact sum of the current values in each series' window, added by SQLite
        as integers (value = units × 10^exponent) one exponent at a time. A series is left
        out when it has no record, a value too long for an integer, or values so long that
        Decimal's 28 digits might round a partial sum."""
        items = list(ranges.items())
        groups: dict[str, list[tuple[int, int, int]]] = {}
        for at in range(0, len(items), _BATCH):
            batch = items[at: at + _BATCH]
            args = [arg for series, (low, high) in batch for arg in _span(series, low, high)]
            try:
                rows = self._conn.execute(
                    f"WITH want (name, low, high) AS "
                    f"(VALUES {', '.join(['(?, ?, ?)'] * len(batch))})"
                    f" SELECT name, {_EXPONENT}, count(*) = count({_UNITS}),"
                    f" sum({_UNITS}), sum(abs({_UNITS})) FROM (SELECT want.name, {_PARTS}"
                    f" FROM want JOIN checked ON series = want.name AND date >= want.low"
                    f" AND date <= want.high WHERE {current}) GROUP BY 1, 2",
                    args).fetchall()
            except sqlite3.Error as exc:  # an integer overflow: these series are read whole
                if "overflow" not in str(exc):  # a row failing its check, a damaged index
                    raise self._unusable(exc) from exc
                continue
            for name, exponent, whole, units, size in rows:
                group = groups.setdefault(name, [])
                group.append((exponent, units, size) if whole else (0, 0, _EXACT))
        return {name: total for name, group in groups.items()
                if (total := _exact_sum(group)) is not None}

    def latest(self, series: str, low: date | None, high: date) -> tuple[Record | None, int]:
        """The last current record of a series dated within [low, high] (in `windows`
        order) and how many there are, without reading the others."""
        where = "series = ? AND date IS NOT NULL AND date <= ?"
        args: list[object] = [series, high.isoformat()]
        if low is not None:
            where += " AND date >= ?"
            args.append(low.isoformat())
        current = self._current()
        (count,) = self._rows(f"SELECT count(*) FROM checked WHERE {where} AND {current}",
                              args)[0]
        if not count:
            return None, 0
        rows = self._rows(f"SELECT {COLUMNS} FROM checked WHERE {where} AND {current} "
                          f"ORDER BY date DESC, seq DESC LIMIT 1", args)
        return self._record(rows[0]), int(count)

    def counts(self, exclude: Iterable[str] = ()) -> dict[str, int]:
        """Current records per series, for every series not in `exclude`."""
        skip = set(exclude)
        # every name a row holds (each counted below through `checked`, so a changed
        # name fails there)
        names = [name for (name,) in self._rows(
                 "SELECT DISTINCT series FROM records ORDER BY series") if name not in skip]
        out = {}
        current = self._current()
        for name in names:
            (n,) = self._rows(f"SELECT count(*) FROM checked WHERE series = ? "
                              f"AND date IS NOT NULL AND {current}", [name])[0]
            if n:
                out[name] = int(n)
        return out

    def on_day(self, series: str, day: date) -> list[Record]:
        """Current records of a series dated `day`, in file order."""
        rows = self._rows(f"SELECT {COLUMNS} FROM checked WHERE series = ? AND date = ? "
                          f"AND {CURRENT} ORDER BY seq", [series, day.isoformat()])
        return [self._record(row) for row in rows]

    def has_id(self, record_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM checked WHERE id = ? LIMIT 1", [record_id]))

    def ids_taken(self, ids: Sequence[str]) -> set[str]:
        """Which of these ids the file already holds (an import's new ids, checked at once)."""
        taken: set[str] = set()
        for at in range(0, len(ids), 500):
            batch = ids[at: at + 500]
            taken.update(rid for (rid,) in self._rows(
                f"SELECT id FROM checked WHERE id IN ({', '.join('?' * len(batch))})", batch))
        return taken

    def series_records(self, series: str) -> list[Record]:
        """Every record of a series (retracted and replaced ones too), in file order."""
        rows = self._rows(f"SELECT {COLUMNS} FROM checked WHERE series = ? ORDER BY seq",
                          [series])
        return [self._record(row) for row in rows]

    def record_set(self) -> RecordSet:
        """Every record, as a full parse of the file gives them."""
        rows = self._rows(f"SELECT {COLUMNS} FROM checked ORDER BY seq")
        records = tuple(self._record(row) for row in rows) + self.tail.records
        return RecordSet(records, self.tail.problems, self.tail.torn,
                               self.tail.torn_offset)

    def _record(self, row: tuple[Any, ...]) -> Record:
        (_, line, rid, series, day, value, unit, entered, note, source, logged, by, vintage,
         revises, retracts, batch) = row
        return built(Record, {
            "id": rid, "series": series, "date": _day(day) if day else None,
            "value": Decimal(value) if value is not None else None, "unit": unit,
            "entered": entered, "note": note, "source": source,
            "logged": _moment(logged) if logged else None, "by": by, "vintage": vintage,
            "revises": revises, "retracts": retracts, "batch": batch,
            "origin": built(Source, {"file": self.file, "line": line})})


def _span(series: str, low: date | None, high: date | None) -> tuple[str, str, str]:
    """A series and its date range as query arguments (ISO dates sort between "" and "~")."""
    return series, low.isoformat() if low else "", high.isoformat() if high else "~"


def _exact_sum(groups: Sequence[tuple[int, int, int]]) -> Decimal | None:
    """ZERO + each value, in Decimal, from (exponent, sum of units, sum of their sizes) of
    each exponent's values; None unless every partial sum stays within 26 digits (then
    Decimal adds exactly, in any order, and its exponent is the least one, or 0)."""
    low = min(0, *(exponent for exponent, _, _ in groups))
    bound = sum(size * 10 ** (exponent - low) for exponent, _, size in groups)
    if bound >= _EXACT:
        return None
    return sum((Decimal(units).scaleb(exponent) for exponent, units, _ in groups), _ZERO)


_ZERO = Decimal(0)
_EXACT = 10 ** 26  # a sum of integers below this is exact in Decimal's 28 digits
_day = date.fromisoformat
_FIGURE: dict[str, Any] = {f.name: f.default for f in fields(Record) if f.default is not MISSING}
_FIGURE["id"] = ""
_moment = datetime.fromisoformat
