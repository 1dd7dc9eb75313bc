"""A derived index of the records file, so reading stays fast as the file grows.

records.toml is the source of truth. Beside it, `.bjtrack-cache/<records file>.sqlite` holds
every record already read, values as the exact decimal strings of the file, with the byte
size of the part of the file it covers (always whole `[[record]]` blocks), a hash of that
part, and the file's stat when it was last checked. On each read:

- the file's stat unchanged (and not modified within the last seconds, when a same-size edit
  could share its timestamp): the index is trusted as is;
- otherwise the covered part is hashed again: if it is unchanged, only the bytes appended
  after it are parsed and added; if anything in it changed, the index is rebuilt.

A rebuild of a big file (a fresh clone) is shared with a child process on Linux: it
indexes the second half into a scratch database while this process indexes the first, and
its rows are copied in after them, in one transaction with the rest.

The bytes after the covered part (usually none, or a torn last record) are parsed on every
read with the same rules as a full parse. A file with any damaged record other than a torn
last one, a layout the block reader does not recognise, or a cache that cannot be opened,
read or written is read in full by `store.parse_records` instead: the cache can make reads
faster, never different. `BJTRACK_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import signal
import sqlite3
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from operator import add, itemgetter
from pathlib import Path
from typing import Any

from bjtrack.domain.amounts import MAX_EXPONENT
from bjtrack.domain.errors import Problem
from bjtrack.domain.model import VINTAGES, Record, Source, built
from bjtrack.files import store
from bjtrack.files.store import CACHE_DIR as CACHE_DIR  # the names the cache answers to
from bjtrack.files.store import NO_CACHE_ENV as NO_CACHE_ENV

SCHEMA = "bjtrack-cache/2"
RACY_NS = 2_000_000_000  # a file changed this close to its last check is hashed, not trusted
_FIELDS = ("id", "series", "date", "value", "unit", "entered", "note", "source", "logged",
           "by", "vintage", "revises", "retracts")
_VINTAGES = ("", *VINTAGES)
_COLUMNS = "seq, line, " + ", ".join(f'"{f}"' for f in _FIELDS)

# What a record is at all: not retracted, and not replaced by a live revision.
_DEAD = "SELECT retracts FROM records WHERE retracts != ''"
_REPLACED = (f"SELECT revises FROM records WHERE revises != '' AND retracts = '' "
             f"AND id NOT IN ({_DEAD})")
_CURRENT = f"retracts = '' AND id NOT IN ({_DEAD}) AND id NOT IN ({_REPLACED})"

_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, id TEXT NOT NULL, series TEXT NOT NULL,
    date TEXT, value TEXT, unit TEXT NOT NULL, entered TEXT NOT NULL, note TEXT NOT NULL,
    source TEXT NOT NULL, logged TEXT, "by" TEXT NOT NULL, vintage TEXT NOT NULL,
    revises TEXT NOT NULL, retracts TEXT NOT NULL);
CREATE TABLE series (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
"""
_INDEXES = (
    # a status reads date, value and unit of the records of a series within dates: all
    # in this index, in the order it wants them, without a look into the table
    "CREATE INDEX IF NOT EXISTS records_series_date ON records (series, date, seq, value, unit)",
    "CREATE INDEX IF NOT EXISTS records_id ON records (id)",
    "CREATE INDEX IF NOT EXISTS records_retracts ON records (retracts) WHERE retracts != ''",
    "CREATE INDEX IF NOT EXISTS records_revises ON records (revises) WHERE revises != ''",
)

# The block layout `bjtrack log` writes is read directly; anything else goes through tomllib.
_UNSAFE = re.compile(r"[\\\x00-\x08\x0b-\x1f\x7f]")  # escapes, controls (CR too)
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)?")
_S = r'"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"\n'
_BLOCK = (  # a whole block as `store.record_block` writes it, keys in its order
    rf"\[\[record\]\]\nid = {_S}series = {_S}date = (\d{{4}}-\d\d-\d\d)\n"
    + "".join(f"(?:{key} = {_S})?" for key in ("entered", "unit", "vintage", "revises",
                                               "note", "source", "by"))
    + rf"(?:logged = ({_DATETIME.pattern})\n)?value = {_S}(?:\n|#[^\n]*\n)*"
)  # compiled when first needed (a command that reads nothing new never is)
_HEADER = "[[record]]"
# A value Decimal keeps as written: no leading zero (so no exponent form), in range
_PLAIN_NUMBER = re.compile(rf"-?[1-9][0-9]{{0,{MAX_EXPONENT}}}(?:\.[0-9]+)?")
_BATCH = 300  # series per windows query (a few parameters each)


Row = tuple[object, ...]


class Unusable(Exception):
    """The index cannot answer for this file: read it in full instead."""


@dataclass(frozen=True)
class FileStat:
    """What changes whenever a file is written: appended, edited or replaced."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    dev: int

    @classmethod
    def of(cls, path: Path) -> FileStat:
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)

    def text(self) -> str:
        return f"{self.size}:{self.mtime_ns}:{self.ctime_ns}:{self.ino}:{self.dev}"


@dataclass(frozen=True)
class _Scan:
    """Records read from part of the file, and how far they reach."""

    rows: list[Row]  # records as table rows, without their seq
    end_bytes: int  # bytes of the scanned text (from its start) holding whole, clean blocks
    lines: int  # newlines in those bytes
    tail: store.RecordSet  # what the rest (a torn last block, if any) holds


def cache_path(records_path: Path) -> Path:
    return records_path.parent / CACHE_DIR / f"{records_path.name}.sqlite"


def enabled() -> bool:
    return store.cache_enabled()


# --------------------------------------------------------------------------- public

class RecordIndex:
    """The records of one file, queried from the index without reading every record."""

    def __init__(self, conn: sqlite3.Connection, path: Path, tail: store.RecordSet) -> None:
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
            return _CURRENT
        if self._plain is None:
            ((edited,),) = self._rows(
                "SELECT EXISTS (SELECT 1 FROM records WHERE retracts != '') "
                "OR EXISTS (SELECT 1 FROM records WHERE revises != '')")
            self._plain = not edited
        return "1" if self._plain else _CURRENT

    def close(self) -> None:
        self._conn.close()

    def _rows(self, sql: str, args: Iterable[object] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error as exc:
            raise Unusable(str(exc)) from exc

    def windows(self, ranges: Mapping[str, tuple[date | None, date | None]]
                ) -> dict[str, list[Record]]:
        """Current records of each series dated within its range (None: open), in date
        order and file order among the same date, as `pace.by_series` orders them."""
        found: dict[str, list[Record]] = {}
        for row in self._in_windows(list(ranges.items()), _COLUMNS, _CURRENT):
            record = self._record(row)
            found.setdefault(record.series, []).append(record)
        return {series: found[series] for series in ranges if series in found}

    def figures(self, ranges: Mapping[str, tuple[date | None, date | None]],
                days: Mapping[str, tuple[int, int]] | None = None,
                ends: Iterable[str] = ()) -> dict[str, list[Record]]:
        """`windows`, each record holding only what a status reads of it (series, date,
        value, unit; no id, note or origin): the other columns are never fetched. A series
        in `days` gives only its records dated on that (month, day) of a year. Of a series
        in `ends` only the first and the last record are read: its list holds the first,
        then the last as often as the window has other records (see `pace.end_reads`)."""
        found: dict[str, list[Record]] = {}
        only_ends = set(ends) - set(days or {})
        items = [(series, span) for series, span in ranges.items() if series not in only_ends]
        current = self._current()
        dated: dict[str, date] = {}
        new = object.__new__
        # `built(Record, …)` of each row, inlined: at a million records this loop is most
        # of the time a status takes. Rows come series by series, and dates repeat.
        bucket: list[Record] = []
        last = None
        for series, day, value, unit in self._in_windows(items, "series, date, value, unit",
                                                          current, days):
            if series != last:
                bucket = found.setdefault(series, [])
                last = series
            when = dated.get(day)
            if when is None:
                when = dated[day] = _day(day)
            record = new(Record)
            record.__dict__.update(_FIGURE, series=series, date=when, unit=unit,
                                   value=None if value is None else Decimal(value))
            bucket.append(record)
        found.update(self._ends({s: ranges[s] for s in ranges if s in only_ends}, current))
        return {series: found[series] for series in ranges if series in found}

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
                f" SELECT {columns} FROM want JOIN records"
                f" ON series = want.name AND date >= want.low AND date <= want.high"
                f" AND (want.day = '' OR substr(date, 5) = want.day)"
                f" WHERE {current} ORDER BY want.name, date, seq", args)

    def _ends(self, ranges: Mapping[str, tuple[date | None, date | None]], current: str
              ) -> dict[str, list[Record]]:
        """`figures` of series of which only the first and last records are read."""
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
                    f" SELECT name, (SELECT count(*) FROM records WHERE {where}),"
                    f" (SELECT seq FROM records WHERE {where} ORDER BY date, seq LIMIT 1),"
                    f" (SELECT seq FROM records WHERE {where} ORDER BY date DESC, seq DESC"
                    f" LIMIT 1) FROM want", args):
                if count:
                    ends[name] = (count, first, last)
        wanted = sorted({seq for _, *seqs in ends.values() for seq in seqs})
        records: dict[int, Record] = {}
        for at in range(0, len(wanted), 500):
            seqs = wanted[at: at + 500]
            for seq, series, day, value, unit in self._rows(
                    f"SELECT seq, series, date, value, unit FROM records "
                    f"WHERE seq IN ({', '.join('?' * len(seqs))})", seqs):
                records[seq] = built(Record, dict(
                    _FIGURE, series=series, date=_day(day), unit=unit,
                    value=None if value is None else Decimal(value)))
        return {series: [records[first]] + [records[last]] * (count - 1)
                for series, (count, first, last) in ends.items()}

    def latest(self, series: str, low: date | None, high: date) -> tuple[Record | None, int]:
        """The last current record of a series dated within [low, high] (in `windows`
        order) and how many there are, without reading the others."""
        where = "series = ? AND date IS NOT NULL AND date <= ?"
        args: list[object] = [series, high.isoformat()]
        if low is not None:
            where += " AND date >= ?"
            args.append(low.isoformat())
        current = self._current()
        (count,) = self._rows(f"SELECT count(*) FROM records WHERE {where} AND {current}",
                              args)[0]
        if not count:
            return None, 0
        rows = self._rows(f"SELECT {_COLUMNS} FROM records WHERE {where} AND {current} "
                          f"ORDER BY date DESC, seq DESC LIMIT 1", args)
        return self._record(rows[0]), int(count)

    def counts(self, exclude: Iterable[str] = ()) -> dict[str, int]:
        """Current records per series, for every series not in `exclude`."""
        skip = set(exclude)
        names = [name for (name,) in self._rows("SELECT name FROM series ORDER BY name")
                 if name not in skip]
        out = {}
        current = self._current()
        for name in names:
            (n,) = self._rows(f"SELECT count(*) FROM records WHERE series = ? "
                              f"AND date IS NOT NULL AND {current}", [name])[0]
            if n:
                out[name] = int(n)
        return out

    def on_day(self, series: str, day: date) -> list[Record]:
        """Current records of a series dated `day`, in file order."""
        rows = self._rows(f"SELECT {_COLUMNS} FROM records WHERE series = ? AND date = ? "
                          f"AND {_CURRENT} ORDER BY seq", [series, day.isoformat()])
        return [self._record(row) for row in rows]

    def has_id(self, record_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM records WHERE id = ? LIMIT 1", [record_id]))

    def ids_taken(self, ids: Sequence[str]) -> set[str]:
        """Which of these ids the file already holds (an import's new ids, checked at once)."""
        taken: set[str] = set()
        for at in range(0, len(ids), 500):
            batch = ids[at: at + 500]
            taken.update(rid for (rid,) in self._rows(
                f"SELECT id FROM records WHERE id IN ({', '.join('?' * len(batch))})", batch))
        return taken

    def series_records(self, series: str) -> list[Record]:
        """Every record of a series (retracted and replaced ones too), in file order."""
        rows = self._rows(f"SELECT {_COLUMNS} FROM records WHERE series = ? ORDER BY seq",
                          [series])
        return [self._record(row) for row in rows]

    def record_set(self) -> store.RecordSet:
        """Every record, as a full parse of the file gives them."""
        rows = self._rows(f"SELECT {_COLUMNS} FROM records ORDER BY seq")
        records = tuple(self._record(row) for row in rows) + self.tail.records
        return store.RecordSet(records, self.tail.problems, self.tail.torn,
                               self.tail.torn_offset)

    def _record(self, row: tuple[Any, ...]) -> Record:
        (_, line, rid, series, day, value, unit, entered, note, source, logged, by, vintage,
         revises, retracts) = row
        return built(Record, {
            "id": rid, "series": series, "date": _day(day) if day else None,
            "value": Decimal(value) if value is not None else None, "unit": unit,
            "entered": entered, "note": note, "source": source,
            "logged": _moment(logged) if logged else None, "by": by, "vintage": vintage,
            "revises": revises, "retracts": retracts,
            "origin": built(Source, {"file": self.file, "line": line})})


def _span(series: str, low: date | None, high: date | None) -> tuple[str, str, str]:
    """A series and its date range as query arguments (ISO dates sort between "" and "~")."""
    return series, low.isoformat() if low else "", high.isoformat() if high else "~"


_day = date.fromisoformat
_FIGURE: dict[str, Any] = {f.name: f.default for f in fields(Record) if f.default is not MISSING}
_FIGURE["id"] = ""
_moment = datetime.fromisoformat


def open_index(path: Path) -> RecordIndex | None:
    """The index of a records file, brought up to date; None when the file has to be read
    in full (no file, cache off or unusable, or a damaged record the index does not hold)."""
    if not enabled() or not path.is_file():
        return None
    db = cache_path(path)
    for attempt in (1, 2):
        try:
            return _sync(path, db)
        except Unusable:
            return None
        except (sqlite3.Error, OSError, ValueError):
            # a corrupt, truncated or foreign cache: start it afresh, once
            if attempt == 2 or not _discard(db):
                return None
    return None


def load_records(path: Path) -> store.RecordSet | None:
    """Every record of the file through the index; None when it must be parsed in full."""
    index = open_index(path)
    if index is None:
        return None
    try:
        return index.record_set()
    except Unusable:
        return None
    finally:
        index.close()


# --------------------------------------------------------------------------- syncing

def _discard(db: Path) -> bool:
    try:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    except OSError:
        return False
    return True


def _connect(db: Path) -> sqlite3.Connection:
    db.parent.mkdir(exist_ok=True)
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA page_size = 16384")  # a new file's: fewer, fuller pages
        # a crash may lose the last updates but never leaves a half-written one
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        (count,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if count == 0:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
                conn.executescript(_DDL + ";\n".join(_INDEXES) + ";")  # commits
            else:
                conn.execute("ROLLBACK")
    except BaseException:
        conn.close()
        raise
    return conn


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def _sync(path: Path, db: Path) -> RecordIndex:
    conn = _connect(db)
    try:
        meta = _meta(conn)
        if meta.get("schema") != SCHEMA and meta:
            raise sqlite3.DatabaseError("another cache format")
        stat = FileStat.of(path)
        if _trusted(meta, stat):
            covered = int(meta["covered"])
            with path.open("rb") as handle:
                handle.seek(covered)
                rest = handle.read()
            scan = _scan(_decode(rest), str(path), int(meta["lines"]), size=len(rest))
            if not scan.rows:  # nothing new: the common case
                return RecordIndex(conn, path, _shift(scan.tail, covered + scan.end_bytes))
        conn.execute("BEGIN IMMEDIATE")
        try:
            tail = _update(conn, path, db)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            _drop_half(conn, db)
        return RecordIndex(conn, path, tail)
    except BaseException:
        conn.close()
        raise


def _trusted(meta: Mapping[str, str], stat: FileStat) -> bool:
    if meta.get("stat") != stat.text() or "checked_ns" not in meta:
        return False
    return stat.mtime_ns < int(meta["checked_ns"]) - RACY_NS


CHUNK = 1 << 22  # the file is read and indexed 4 MB at a time: memory stays flat
SPLIT = 1 << 23  # a file this big is rebuilt by two processes, one for each half
_HEADER_LINE = b"\n" + _HEADER.encode() + b"\n"


def _update(conn: sqlite3.Connection, path: Path, db: Path) -> store.RecordSet:
    """Under the write lock: verify what is indexed, add what was appended, or rebuild."""
    meta = _meta(conn)
    stat = FileStat.of(path)
    checked = time.time_ns()
    file = str(path)
    with path.open("rb") as handle:
        fd = handle.fileno()
        covered = int(meta.get("covered", "0"))
        digest = hashlib.sha1(usedforsecurity=False)
        kept = bool(meta) and covered <= stat.size
        buffer = memoryview(bytearray(min(CHUNK, covered)))  # read into one buffer, reused
        at = 0
        while kept and at < covered:
            got = handle.readinto(buffer[: covered - at])
            if not got:
                kept = False
            digest.update(buffer[:got])
            at += got
        if kept and digest.hexdigest() == meta.get("hash"):
            lines, seq = int(meta["lines"]), int(meta["seq"])
        else:
            conn.execute("DELETE FROM records")
            conn.execute("DELETE FROM series")
            for name in ("records_series_date", "records_id", "records_retracts",
                         "records_revises"):  # quicker to build them once all rows are in
                conn.execute(f"DROP INDEX IF EXISTS {name}")
            conn.execute("PRAGMA cache_size = -65536")  # the rebuild and its indexes in memory
            digest = hashlib.sha1(usedforsecurity=False)
            covered, lines, seq = 0, 0, 0
            if stat.size >= SPLIT and _can_fork():
                covered, lines, seq, digest = _rebuild_in_two(conn, fd, stat.size, file,
                                                              digest, db)
        covered, lines, seq, pending = _index_range(conn, fd, covered, None, file, lines, seq,
                                                    digest)
    scan = _scan(_decode(pending), file, lines, final=True, size=len(pending))
    _insert(conn, scan.rows, seq)
    for sql in _INDEXES:
        conn.execute(sql)
    end = scan.end_bytes
    digest.update(memoryview(pending)[:end])
    values = {
        "schema": SCHEMA, "covered": str(covered + end), "lines": str(lines + scan.lines),
        "seq": str(seq + len(scan.rows)), "hash": digest.hexdigest(),
        "stat": stat.text(), "checked_ns": str(checked),
    }
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())
    return _shift(scan.tail, covered + end)


def _index_range(conn: sqlite3.Connection, fd: int, start: int, stop: int | None, file: str,
                 lines: int, seq: int, digest: Any) -> tuple[int, int, int, bytes]:
    """Index the whole blocks of the file's bytes from `start` (line `lines`, record `seq`)
    to `stop` (None: its end), a piece of a few MB at a time, each piece ending where a
    `[[record]]` header begins. Returns where the indexed bytes end, the line and record
    counts there, and the bytes after them (from the last header on)."""
    pending = b""
    at = start
    while stop is None or at < stop:
        chunk = _read_at(fd, CHUNK if stop is None else min(CHUNK, stop - at), at)
        if not chunk:
            break
        at += len(chunk)
        pending += chunk
        cut = pending.rfind(_HEADER_LINE)
        if cut < 0:
            continue
        piece, pending = pending[: cut + 1], pending[cut + 1:]
        scan = _scan(_decode(piece), file, lines, final=False, size=len(piece))
        _insert(conn, scan.rows, seq)
        digest.update(piece)
        start, lines, seq = start + len(piece), lines + scan.lines, seq + len(scan.rows)
    return start, lines, seq, pending


def _read_at(fd: int, size: int, offset: int) -> bytes:
    """Up to `size` bytes of the file from `offset`: `os.pread`, which leaves the offset the
    two processes of a rebuild share alone; a seek and a read where there is no pread."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


# --------------------------------------------------------------------------- two processes

def _can_fork() -> bool:
    """A second process may share a rebuild: Linux (fork is cheap and safe there), no other
    thread that a fork would leave behind, and children that can be waited for (a process
    that ignores SIGCHLD has them reaped before it can read their exit code)."""
    import threading

    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and signal.getsignal(signal.SIGCHLD) != signal.SIG_IGN)


def _half_path(db: Path) -> Path:
    return db.with_name(f".{db.name}.{os.getpid()}.half")


def _rebuild_in_two(conn: sqlite3.Connection, fd: int, size: int, file: str, digest: Any,
                    db: Path) -> tuple[int, int, int, Any]:
    """Rebuild on two cores: a child process indexes the whole blocks of the second half of
    the file into a database of its own while this one indexes the first half, then its
    rows are copied in after them. Returns how far that reaches (bytes, lines, records) and
    the hash of those bytes; the caller reads the rest, so a child that fails, finds a
    record it cannot index or read other bytes than this process reads now (the file was
    edited meanwhile) costs time, never a record."""
    middle = _header_after(fd, size // 2)
    if middle is None:
        return 0, 0, 0, digest
    half = _half_path(db)
    _drop_orphans(db)
    half.unlink(missing_ok=True)
    stop = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # until the child is in its own code
    try:
        pid = os.fork()
    except OSError:  # no process to spare: all of it is read here
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
        return 0, 0, 0, digest
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
            code = _index_half(half, fd, middle, file)
        finally:
            os._exit(code)
    exit_code = 1
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
        # read on to the end of the header at `middle`, which ends the last piece there
        covered, lines, seq, _ = _index_range(conn, fd, 0, middle + len(_HEADER_LINE) - 1,
                                              file, 0, 0, digest)
    except BaseException:
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)  # the rebuild stops here: its half is of no use
        raise
    finally:
        with suppress(ChildProcessError):
            exit_code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if covered != middle or exit_code != 0:
        return covered, lines, seq, digest
    try:
        conn.execute("ATTACH DATABASE ? AS half", (str(half),))  # detached after the commit
        done = dict(conn.execute("SELECT key, value FROM half.meta").fetchall())
        end = middle + int(done["covered"])
        found = (int(done["lines"]), int(done["seq"]), done["hash"])
    except (sqlite3.Error, KeyError, ValueError):
        return covered, lines, seq, digest
    whole, part = digest.copy(), hashlib.sha1(usedforsecurity=False)
    at = middle
    while at < end:
        block = _read_at(fd, min(CHUNK, end - at), at)
        if not block:
            break
        whole.update(block)
        part.update(block)
        at += len(block)
    if part.hexdigest() != found[2]:  # not the bytes the child indexed
        return covered, lines, seq, digest
    columns = ", ".join(f'"{f}"' for f in _FIELDS)
    conn.execute(f"INSERT INTO records ({_COLUMNS}) SELECT seq + ?, line + ?, {columns} "
                 f"FROM half.records ORDER BY seq", (seq, lines))
    conn.execute("INSERT INTO series (name, n) SELECT name, n FROM half.series WHERE true "
                 "ON CONFLICT (name) DO UPDATE SET n = n + excluded.n")
    return end, lines + found[0], seq + found[1], whole


def _index_half(half: Path, fd: int, start: int, file: str) -> int:
    """In the child: index the whole blocks from `start` on into `half`; the exit code."""
    conn = sqlite3.connect(half, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: a crash only loses it
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(_DDL)
        conn.execute("BEGIN")
        digest = hashlib.sha1(usedforsecurity=False)
        end, lines, seq, _ = _index_range(conn, fd, start, None, file, 0, 0, digest)
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [
            ("covered", str(end - start)), ("lines", str(lines)), ("seq", str(seq)),
            ("hash", digest.hexdigest())])
        conn.execute("COMMIT")
    except (Unusable, sqlite3.Error, OSError, ValueError):
        return 2
    finally:
        conn.close()
    return 0


def _header_after(fd: int, offset: int) -> int | None:
    """Where the first `[[record]]` line at or after `offset` begins, if one does."""
    at = max(0, offset - 1)
    while True:
        window = _read_at(fd, CHUNK, at)
        found = window.find(_HEADER_LINE)
        if found >= 0:
            return at + found + 1
        if len(window) < CHUNK:
            return None
        at += max(1, len(window) - len(_HEADER_LINE))  # a header may span two windows


def _drop_half(conn: sqlite3.Connection, db: Path) -> None:
    """Detach and delete the child's database of a rebuild in two, if there was one."""
    half = _half_path(db)
    if not half.exists():
        return
    with suppress(sqlite3.Error):
        if any(name == "half" for _, name, _ in conn.execute("PRAGMA database_list")):
            conn.execute("DETACH DATABASE half")
    with suppress(OSError):
        half.unlink(missing_ok=True)


def _drop_orphans(db: Path) -> None:
    """Delete the scratch databases of rebuilds whose process is gone (killed mid-way)."""
    for path in db.parent.glob(f".{db.name}.*.half"):
        pid = path.name[len(db.name) + 2: -len(".half")]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with suppress(OSError):
            path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it exists
        return True
    return True


def _insert(conn: sqlite3.Connection, rows: list[Row], seq: int) -> None:
    counts = Counter(map(itemgetter(2), rows))  # rows per series
    marks = ", ".join("?" * (len(_FIELDS) + 2))
    numbered = zip(range(seq + 1, seq + 1 + len(rows)))  # (seq,) of each row
    conn.executemany(f"INSERT INTO records ({_COLUMNS}) VALUES ({marks})",
                     map(add, numbered, rows))  # (seq, *row)
    conn.executemany("INSERT INTO series (name, n) VALUES (?, ?) ON CONFLICT (name) "
                     "DO UPDATE SET n = n + excluded.n", counts.items())


def _row(record: Record) -> Row:
    return (record.origin.line if record.origin else 0, record.id, record.series,
            record.date.isoformat() if record.date else None,
            str(record.value) if record.value is not None else None,
            record.unit, record.entered, record.note, record.source,
            record.logged.isoformat() if record.logged else None, record.by,
            record.vintage, record.revises, record.retracts)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unusable("not UTF-8") from exc


def _shift(tail: store.RecordSet, offset: int) -> store.RecordSet:
    if tail.torn_offset is None:
        return tail
    return store.RecordSet(tail.records, tail.problems, tail.torn, tail.torn_offset + offset)


# --------------------------------------------------------------------------- reading blocks

def _blocks(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, line) of each `[[record]]` block: from its header to the next one."""
    starts: list[tuple[int, int]] = []
    pos, line = 0, 1
    while True:
        at = text.find(_HEADER, pos)
        if at < 0:
            break
        line += text.count("\n", pos, at)
        pos = at + len(_HEADER)
        if (at == 0 or text[at - 1] == "\n") and text.startswith("\n", pos):
            starts.append((at, line))
    for n, (start, line) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        yield start, end, line


def _scan(text: str, file: str, line0: int, final: bool = True,
          size: int | None = None) -> _Scan:
    """Read the blocks of `text` (which starts at line `line0 + 1` of the file).

    All blocks but the last must be clean records, and the last one too or else it is left
    as the tail, parsed by the same rules as a full parse (a torn record). Anything else
    raises Unusable, and the file is read in full."""
    written = _scan_written(text, line0, size)
    if written is not None:
        return written
    blocks = list(_blocks(text))
    head_end = blocks[0][0] if blocks else len(text)
    if not _only_comments(text[:head_end]):
        raise Unusable("text before the first record")
    rows: list[Row] = []
    end = len(text) if not blocks else blocks[0][0]
    for n, (start, stop, line) in enumerate(blocks):
        is_last = final and n == len(blocks) - 1  # else a header follows in the file
        row = _read_block(text[start:stop], file, line0 + line)
        if row is None or (is_last and not text.endswith("\n")):
            if not is_last:
                raise Unusable(f"record at line {line0 + line}")
            break
        rows.append(row)
        end = stop
    tail = store.RecordSet(())
    if end < len(text):
        tail = store.parse_records(text[end:], file)
        if tail.problems or tail.records:
            raise Unusable("damaged records")
        tail = _shift_lines(tail, line0 + text.count("\n", 0, end))
    return _Scan(rows, len(text[:end].encode("utf-8")), text.count("\n", 0, end), tail)


def _shift_lines(tail: store.RecordSet, lines: int) -> store.RecordSet:
    torn = tail.torn
    if torn is not None and torn.line is not None:
        torn = Problem(torn.message, file=torn.file, line=torn.line + lines,
                       column=torn.column, hint=torn.hint)
    return store.RecordSet(tail.records, tail.problems, torn, tail.torn_offset)


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#")
               for line in text.splitlines())


def _read_block(block: str, file: str, line: int) -> Row | None:
    """One block as a table row, or None if it is not a clean, whole record."""
    row = _written_row(block, line)
    if row is None:
        row = _fast_row(block, line)
    if row is not None:
        return row
    try:
        data = tomllib.loads(block)
    except tomllib.TOMLDecodeError:
        return None
    entries = data.get("record")
    if set(data) != {"record"} or not isinstance(entries, list) or len(entries) != 1:
        raise Unusable(f"unusual layout at line {line}")
    entry = entries[0]
    record, problem = store._to_record(entry, file, line)
    if problem is not None or record is None or store._incomplete(entry):
        return None
    return _row(record)


@functools.cache
def _block_pattern() -> re.Pattern[str]:
    return re.compile(_BLOCK)


@functools.cache
def _blocks_pattern() -> re.Pattern[str]:
    """`_BLOCK` with the whole block as a first group, for `findall`."""
    return re.compile(f"({_BLOCK})")


def _scan_written(text: str, line0: int, size: int | None = None) -> _Scan | None:
    """`_scan` of a text that is only comments, then whole blocks each exactly as
    `bjtrack log` writes them (the usual file), read in one pass; None for anything else,
    which `_scan` then reads block by block. `size`: the text's length in UTF-8, if known."""
    first = text.find(_HEADER + "\n")
    if first < 0 or (first and text[first - 1] != "\n") or not _only_comments(text[:first]):
        return None
    # Each match starts where the last one ended (a regex match at that point, as
    # `_block_pattern().match` would find it) or leaves a gap: the blocks fill the text from
    # the first header exactly when their lengths add up to it.
    found = _blocks_pattern().findall(text, first)
    if sum(map(len, map(itemgetter(0), found))) != len(text) - first:
        return None
    rows: list[Row] = []
    line = line0 + 1 + text.count("\n", 0, first)
    # `_written_fields` of each block (inlined: this loop runs once per record), with the
    # dates and timestamps already found valid and each value's text remembered. findall
    # gives "" for a group that did not match, where `groups()` gives None.
    days: set[str] = set()
    moments: set[str] = set()
    numbers: dict[str, str | None] = {}
    append = rows.append
    for (whole, rid, series, day, entered, unit, vintage, revises, note, source, by, logged,
         value) in found:
        if not rid or not series or vintage not in _VINTAGES:
            return None
        if day not in days:
            try:
                date.fromisoformat(day)
            except ValueError:
                return None
            days.add(day)
        if logged and logged not in moments:
            try:
                datetime.fromisoformat(logged)
            except ValueError:
                return None
            moments.add(logged)
        number = numbers.get(value, "")
        if number == "":  # not seen yet ("" is never a number's text)
            number = numbers[value] = _number_text(value)
        if number is None:
            return None
        append((line, rid, series, day, number, unit, entered, note, source, logged or None,
                by, vintage, revises, ""))
        line += whole.count("\n")
    if size is None:
        size = len(text.encode("utf-8"))
    return _Scan(rows, size, text.count("\n"), store.RecordSet(()))


def _written_row(block: str, line: int) -> Row | None:
    """The row of a block exactly as `bjtrack log` writes it, checked as `_to_record` checks
    it; None otherwise."""
    match = _block_pattern().fullmatch(block)
    if match is None:
        return None
    return _written_fields(match.groups(), line)


def _written_fields(groups: tuple[str | Any, ...], line: int) -> Row | None:
    (rid, series, day, entered, unit, vintage, revises, note, source, by, logged,
     value) = groups
    if not rid or not series or (vintage or "") not in _VINTAGES:
        return None
    try:
        date.fromisoformat(day)
        if logged is not None:
            datetime.fromisoformat(logged)
    except ValueError:
        return None
    number = _number_text(value)
    if number is None:
        return None
    return (line, rid, series, day, number, unit or "", entered or "", note or "",
            source or "", logged, by or "", vintage or "", revises or "", "")


def _number_text(value: str) -> str | None:
    """A value's exact decimal text as the index keeps it, or None if the full parse
    rejects it (not a number, or out of range)."""
    if _PLAIN_NUMBER.fullmatch(value):
        return value  # as str(Decimal(value)) gives it
    try:
        number = Decimal(value.strip())
    except (ValueError, ArithmeticError):
        return None
    if not number.is_finite() or abs(number.adjusted()) > MAX_EXPONENT:
        return None  # out of range: the full parse reports it
    return str(number)


def _fast_row(block: str, line: int) -> Row | None:
    """The row of a block in exactly the layout `bjtrack log` writes, holding a plain
    figure (no retraction), checked as `store._to_record` checks it; None otherwise (the
    block is then read by tomllib and `_to_record` themselves)."""
    if _UNSAFE.search(block):
        return None
    strings: dict[str, str] = {}
    day = logged = None
    for text in block.split("\n")[1:]:
        if not text or text.startswith("#"):  # blank, or the frame store.framed adds
            continue
        key, sep, raw = text.partition(" = ")
        if not sep or key in strings or key not in store.RECORD_KEYS:
            return None
        if raw[:1] == '"' and raw[-1:] == '"' and raw.count('"') == 2:
            if key in ("date", "logged"):
                return None
            strings[key] = raw[1:-1]
        elif key == "date" and day is None and _DATE.fullmatch(raw):
            day = raw
        elif key == "logged" and logged is None and _DATETIME.fullmatch(raw):
            logged = raw
        else:
            return None
    value = strings.get("value")
    if (not strings.get("id") or not strings.get("series") or day is None or value is None
            or strings.get("retracts") or strings.get("vintage", "") not in _VINTAGES):
        return None
    try:
        date.fromisoformat(day)
        if logged is not None:
            datetime.fromisoformat(logged)
        number = Decimal(value.strip())
    except (ValueError, ArithmeticError):
        return None
    if not number.is_finite() or abs(number.adjusted()) > MAX_EXPONENT:
        return None  # out of range: the full parse reports it
    get = strings.get
    return (line, strings["id"], strings["series"], day, str(number), get("unit", ""),
            get("entered", ""), get("note", ""), get("source", ""), logged, get("by", ""),
            get("vintage", ""), get("revises", ""), "")
