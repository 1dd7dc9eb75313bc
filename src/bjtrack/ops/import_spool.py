"""Where `bjtrack import` keeps its figures while it works: a private SQLite database on
disk (SQLite deletes it when it is closed), so that memory stays flat however many rows
the sheet has and however many records the file holds.

One table, `figure`, holds two kinds of figure, in the order an import meets them:
  * the figures the records file already holds on the sheet's series and dates (only
    their identity: series, date, value, vintage), numbered -1, -2, … : all come first;
  * each figure of the sheet, numbered 1, 2, … in sheet order, with everything its record
    is made of.
"Earlier" is then simply a smaller number, and the rules of an import read as SQL:
  * a figure of the sheet is a duplicate if an earlier figure has the same identity;
  * a new one conflicts if its series holds one value a date (no target sums it), an
    earlier figure has its series and date, and none has its value.
Values are compared as numbers (41.2 is 41.20, 0 is -0) through `same`, never as floats.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal

# A figure of the sheet as the import checked it: its row, series, ISO date, value, unit,
# entered text, note, source, by and vintage.
Figure = tuple[int, str, str, Decimal, str, str, str, str, str, str]
# The same, read back (the value as the exact text it was stored as).
Stored = tuple[int, str, str, str, str, str, str, str, str, str]
# A figure the records file holds: series, ISO date, value, vintage.
Held = tuple[str, str, Decimal | None, str]

_PENDING = 5000  # figures of the sheet added in one statement
_SCHEMA = (
    "PRAGMA journal_mode = OFF",  # a scratch database: nothing to recover
    "PRAGMA synchronous = OFF",
    "PRAGMA cache_size = -4096",  # at most 4 MB of pages in memory; the rest on disk
    "PRAGMA temp_store = FILE",  # sorts too
    "CREATE TABLE figure (idx INTEGER PRIMARY KEY, row INTEGER, series TEXT NOT NULL,"
    " day TEXT NOT NULL, same TEXT NOT NULL, vintage TEXT NOT NULL, value TEXT, unit TEXT,"
    " entered TEXT, note TEXT, source TEXT, who TEXT)",
    "CREATE TABLE summed (series TEXT PRIMARY KEY)",
    "CREATE TABLE duplicate (idx INTEGER PRIMARY KEY)",
    "CREATE TABLE crowded (series TEXT NOT NULL, day TEXT NOT NULL, first INTEGER NOT NULL)",
)
# After the sheet is in: the index the rules look figures up by (it ends in idx, SQLite's
# rowid, so "an earlier one of this identity" is a seek, not a scan of a date's figures).
_INDEX = "CREATE INDEX figure_identity ON figure (series, day, same, vintage)"
# Only a date of a series with several figures (of the file or the sheet) can hold a
# duplicate or a conflict: these `crowded` dates, each with the number of its first
# figure, are found first, in one pass over the index, and only their figures are looked
# at (an import of new figures looks at none).
_CROWDED = ("INSERT INTO crowded SELECT series, day, min(idx) FROM figure"
            " GROUP BY series, day HAVING count(*) > 1")
_EARLIER = ("SELECT 1 FROM figure AS e WHERE e.series = f.series AND e.day = f.day"
            " AND e.same = f.same AND e.idx < f.idx")
_DUPLICATES = (f"INSERT INTO duplicate SELECT f.idx FROM crowded AS c"
               f" CROSS JOIN figure AS f ON f.series = c.series AND f.day = c.day"
               f" WHERE f.idx > 0 AND EXISTS ({_EARLIER} AND e.vintage = f.vintage)"
               f" ORDER BY f.idx")
# (CROSS JOIN: SQLite goes through the few crowded dates, not through every figure)
_CONFLICTS = (f"SELECT f.row, f.series, f.day, f.entered FROM crowded AS c"
              f" CROSS JOIN figure AS f ON f.series = c.series AND f.day = c.day"
              f" WHERE f.idx > 0 AND f.idx NOT IN duplicate AND c.first < f.idx"
              f" AND f.series NOT IN summed AND NOT EXISTS ({_EARLIER}) ORDER BY f.idx")


@dataclass(frozen=True)
class Settled:
    added: int
    duplicates: int
    conflicts: list[tuple[int, str, str, str]]  # row, series, ISO date, entered text


class Spool:
    """The figures of one import (a context manager: the database is closed on leaving)."""

    def __init__(self, summed: Iterable[str]) -> None:
        # "": a temporary database on disk, private to this connection
        self._conn = sqlite3.connect("", isolation_level=None)
        try:
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.executemany("INSERT OR IGNORE INTO summed VALUES (?)",
                                   ((s,) for s in summed))
            self._conn.execute("BEGIN")  # the sheet goes in as one transaction
        except BaseException:
            self._conn.close()
            raise
        self._pending: list[tuple[object, ...]] = []
        self.figures = 0

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self._conn.close()

    def add(self, figure: Figure) -> None:
        """A figure of the sheet, after those added before."""
        row, series, day, value, unit, entered, note, source, by, vintage = figure
        self._pending.append((row, series, day, same(value), vintage, str(value), unit,
                              entered, note, source, by))
        self.figures += 1
        if len(self._pending) >= _PENDING:
            self._flush()

    def _flush(self) -> None:
        self._conn.executemany(
            "INSERT INTO figure (row, series, day, same, vintage, value, unit, entered,"
            " note, source, who) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._pending)
        self._pending.clear()

    def close_sheet(self) -> None:
        """Every figure of the sheet is in: index them for the rules."""
        self._flush()
        self._conn.execute(_INDEX)
        self._conn.execute("COMMIT")

    def windows(self) -> list[tuple[str, str, str]]:
        """Each series of the sheet with its first and last ISO date: where to look in
        the records file (one entry a series: a list as long as the plan, at most)."""
        return self._conn.execute(
            "SELECT series, min(day), max(day) FROM figure WHERE idx > 0"
            " GROUP BY series ORDER BY series").fetchall()

    def hold(self, held: Iterable[Held]) -> None:
        """The figures the records file holds, in place of any given before (those of a
        look that failed halfway, or that the file changed since). Only those on a series
        and date of the sheet are kept: no other can make a duplicate or a conflict.
        With no journal (a scratch database), ROLLBACK only ends a failed transaction and
        undoes nothing: what a failed `hold` left is what the next one deletes first, and
        a failed `settle` ends the import."""
        numbers = itertools.count(-1, -1)
        self._conn.execute("BEGIN")
        try:
            self._conn.execute("DELETE FROM figure WHERE idx < 0")
            self._conn.executemany(
                "INSERT INTO figure (idx, series, day, same, vintage) SELECT ?1, ?2, ?3,"
                " ?4, ?5 WHERE EXISTS (SELECT 1 FROM figure WHERE series = ?2 AND day = ?3)",
                ((next(numbers), series, day, same(value), vintage)
                 for series, day, value, vintage in held))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def settle(self) -> Settled:
        """Which figures of the sheet are new, against the figures held (`hold`)."""
        self._conn.execute("BEGIN")
        try:
            self._conn.execute("DELETE FROM crowded")
            self._conn.execute("DELETE FROM duplicate")
            self._conn.execute(_CROWDED)
            duplicates = self._conn.execute(_DUPLICATES).rowcount
            conflicts = self._conn.execute(_CONFLICTS).fetchall()
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return Settled(self.figures - duplicates, duplicates, conflicts)

    def new(self) -> Generator[Stored, None, None]:
        """The new figures of the sheet (as `settle` last found them), in sheet order."""
        cursor = self._conn.execute(
            "SELECT row, series, day, value, unit, entered, note, source, who, vintage"
            " FROM figure WHERE idx > 0 AND idx NOT IN duplicate ORDER BY idx")
        try:
            while rows := cursor.fetchmany(1000):
                yield from rows
        finally:  # (closed with the spool already, if its reader failed: nothing to free)
            with contextlib.suppress(sqlite3.ProgrammingError):
                cursor.close()


_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)  # normalize never rounds


def same(value: Decimal | None) -> str:
    """A text that two values share exactly when they are equal as numbers: 41.2 and
    41.20 are both 41.2, 1E+3 and 1000 both 1E+3, 0 and -0 both 0. No value: ""."""
    if value is None:
        return ""
    if not value:
        return "0"
    return str(value.normalize(_EXACT))
