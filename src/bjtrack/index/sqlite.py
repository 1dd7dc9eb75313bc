"""The index's SQLite file: where it lives, its tables, and opening it so that a reader
never waits long. The index is derived from the records file: when it is busy or broken
the caller reads the file instead, so every wait here is short (BUSY_MS).

Nor is the index believed: it may be damaged on disk, edited, or come from another hand
(a cloned repository). Each row carries a MAC of all its columns, keyed by this user's own
key (index.memo.user_key), and every query reads the rows through the temporary view
`checked`, which checks the MAC of each row it visits and fails the query on a mismatch;
the meta values carry a MAC too. A failed check makes the index Unusable: it is deleted,
the file read in full, and the index rebuilt on the next read."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bjtrack.files.paths import CACHE_DIR, cache_enabled

SCHEMA = "bjtrack-cache/5"
BUSY_MS = 2000  # the longest a command waits for another one's write to the index
FIELDS = ("id", "series", "date", "value", "unit", "entered", "note", "source", "logged",
          "by", "vintage", "revises", "retracts", "batch")
COLUMNS = "seq, line, " + ", ".join(f'"{f}"' for f in FIELDS)

# What a record is at all: not retracted, and not replaced by a live revision.
_DEAD = "SELECT retracts FROM checked WHERE retracts != ''"
_REPLACED = (f"SELECT revises FROM checked WHERE revises != '' AND retracts = '' "
             f"AND id NOT IN ({_DEAD})")
CURRENT = f"retracts = '' AND id NOT IN ({_DEAD}) AND id NOT IN ({_REPLACED})"

# `units`: the value times 10^SCALE as an integer, when that is exact and small enough to
# sum a million of (else NULL); `exponent`: the value's decimal exponent. A sum of a
# series is then exact in SQL (see query.RecordIndex.sums).
_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, id TEXT NOT NULL, series TEXT NOT NULL,
    date TEXT, value TEXT, unit TEXT NOT NULL, entered TEXT NOT NULL, note TEXT NOT NULL,
    source TEXT NOT NULL, logged TEXT, "by" TEXT NOT NULL, vintage TEXT NOT NULL,
    revises TEXT NOT NULL, retracts TEXT NOT NULL, batch TEXT NOT NULL, units INTEGER,
    exponent INTEGER,
    mac BLOB NOT NULL);
CREATE TABLE series (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
"""
INDEXES = (
    # a status reads date, value and unit of the records of a series within dates: all
    # in this index, in the order it wants them, without a look into the table
    "CREATE INDEX IF NOT EXISTS records_series_date ON records (series, date, seq, value, unit)",
    "CREATE INDEX IF NOT EXISTS records_id ON records (id)",
    "CREATE INDEX IF NOT EXISTS records_retracts ON records (retracts) WHERE retracts != ''",
    "CREATE INDEX IF NOT EXISTS records_revises ON records (revises) WHERE revises != ''",
)
INDEX_NAMES = ("records_series_date", "records_id", "records_retracts", "records_revises")


class Unusable(Exception):
    """The index cannot answer for this file: read it in full instead."""


class Tampered(sqlite3.DatabaseError):
    """A row or the meta values of the index fail their MAC."""


ROW_COLUMNS = f"{COLUMNS}, units, exponent"  # what a row's MAC covers, in this order
_MAC_BYTES = 16


def mac(key: bytes, values: tuple[object, ...]) -> bytes:
    """The MAC of a row's values (or of the meta values), keyed by this user's key."""
    return hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), key=key,
                           digest_size=_MAC_BYTES).digest()


# The view every query reads: each row it visits is checked (the function raises on a
# mismatch, which fails the query).
_CHECKED = (f"CREATE TEMP VIEW IF NOT EXISTS checked AS SELECT * FROM records "
            f"WHERE intact(mac, {ROW_COLUMNS})")


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


def cache_path(records_path: Path) -> Path:
    return records_path.parent / CACHE_DIR / f"{records_path.name}.sqlite"


def enabled() -> bool:
    return cache_enabled()


# One open connection per index file in this process: opening it again closes the one
# before (a command done with its index may not have closed it; an open connection of
# this process would hold a lock a new one waits for).
_OPEN: dict[str, sqlite3.Connection] = {}
_KEYS: dict[int, bytes] = {}  # the MAC key of each open connection


def key_of(conn: sqlite3.Connection) -> bytes:
    return _KEYS[id(conn)]


def connect(db: Path, key: bytes) -> sqlite3.Connection:
    """The index file, opened (and its tables made, if it is new), its rows to be read
    through the view `checked` (their MACs keyed by `key`). The caller closes it."""
    earlier = _OPEN.pop(str(db), None)
    if earlier is not None:
        earlier.close()
    db.parent.mkdir(exist_ok=True)
    conn = sqlite3.connect(db, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        conn.execute("PRAGMA page_size = 16384")  # a new file's: fewer, fuller pages
        # a crash may lose the last updates but never leaves a half-written one
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        (count,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if count == 0:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
                conn.executescript(_DDL + ";\n".join(INDEXES) + ";")  # commits
            else:
                conn.execute("ROLLBACK")
        _KEYS[id(conn)] = key

        def intact(expected: bytes, *values: object) -> int:
            if expected != mac(key, values):
                raise Tampered("a row of the index fails its check")
            return 1

        conn.create_function("intact", len(FIELDS) + 5, intact, deterministic=True)
        conn.execute(_CHECKED)
    except BaseException:
        conn.close()
        raise
    _OPEN[str(db)] = conn
    return conn


def release(conn: sqlite3.Connection) -> None:
    """Close a connection `connect` opened."""
    for db, held in list(_OPEN.items()):
        if held is conn:
            del _OPEN[db]
    _KEYS.pop(id(conn), None)
    conn.close()


def is_busy(exc: sqlite3.Error) -> bool:
    """Another process holds the index: wait for nothing, read the file instead."""
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def discard(db: Path) -> bool:
    """Delete the index file (and its journal): it is rebuilt from the records file."""
    try:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    except OSError:
        return False
    return True


META_SIGNED = ("schema", "covered", "lines", "seq", "hash", "stat", "checked_ns")


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The meta values, if their MAC holds (a new, empty index has none); else Tampered."""
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta and meta.get("mac") != meta_mac(key_of(conn), meta):
        raise Tampered("the index's meta values fail their check")
    return meta


def meta_mac(key: bytes, meta: dict[str, str]) -> str:
    return mac(key, tuple(meta.get(name) for name in META_SIGNED)).hex()
