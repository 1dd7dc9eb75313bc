"""The index's SQLite file: where it lives, its tables, and opening it so that a reader
never waits long. The index is derived from the records file: when it is busy or broken
the caller reads the file instead, so every wait here is short (BUSY_MS).

Nor is the index believed. It lives in the user's own cache folder (`cache_path`), so no
one else can plant, swap or edit it; and within it, against a damaged disk or another
program: its rows are kept in blocks of BLOCK consecutive rows, each block carrying a MAC
of its rows under this user's key (index.memo.user_key), and the meta values carry one too.
A connection opened on the index as a command of this user's left it (`stamped`: the file's
stat, signed) or that rebuilt it trusts it; any other reads rows through the temporary view
`checked`, which checks the block of each row it visits (once per block and connection),
and checks the remaining blocks before it stamps the index again (`release`). A failed
check makes the index Unusable: it is deleted, the file read in full, and the index
rebuilt on the next read."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bjtrack.files.paths import cache_enabled
from bjtrack.index.memo import key_folder

SCHEMA = "bjtrack-cache/7"
BUSY_MS = 2000  # the longest a command waits for another one's write to the index
FIELDS = ("id", "series", "date", "value", "unit", "entered", "note", "source", "logged",
          "by", "vintage", "revises", "retracts", "batch")
COLUMNS = "seq, line, " + ", ".join(f'"{f}"' for f in FIELDS)

# What a record is at all: not retracted, and not replaced by a live revision.
_DEAD = "SELECT retracts FROM checked WHERE retracts != ''"
_REPLACED = (f"SELECT revises FROM checked WHERE revises != '' AND retracts = '' "
             f"AND id NOT IN ({_DEAD})")
CURRENT = f"retracts = '' AND id NOT IN ({_DEAD}) AND id NOT IN ({_REPLACED})"

_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, id TEXT NOT NULL, series TEXT NOT NULL,
    date TEXT, value TEXT, unit TEXT NOT NULL, entered TEXT NOT NULL, note TEXT NOT NULL,
    source TEXT NOT NULL, logged TEXT, "by" TEXT NOT NULL, vintage TEXT NOT NULL,
    revises TEXT NOT NULL, retracts TEXT NOT NULL, batch TEXT NOT NULL);
CREATE TABLE blocks (n INTEGER PRIMARY KEY, mac BLOB NOT NULL);
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


# What a block's MAC covers of each row, with the block's number: every column but the
# seq, which the rows' order within their block stands for (rows are added in seq order,
# so SQLite numbers them itself; a row deleted, added or moved changes what is signed).
SIGNED_COLUMNS = COLUMNS.removeprefix("seq, ")
_MAC_BYTES = 16
# Rows per block. A MAC per row cost a Python call with every column of every row read
# (status on 100,000 records: twice the time); a block is checked in one call, its rows
# serialised by pickle in C. Small enough that a status reading a few rows of a large
# file checks few rows it does not need.
BLOCK = 256
_BLOCK_ROWS = (f"SELECT {SIGNED_COLUMNS} FROM records WHERE seq BETWEEN ? AND ? "
               f"ORDER BY seq")


def mac(key: bytes, values: tuple[object, ...]) -> bytes:
    """The MAC of the meta values, keyed by this user's key."""
    return hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), key=key,
                           digest_size=_MAC_BYTES).digest()


def block_of(seq: int) -> int:
    return (seq - 1) // BLOCK


def block_mac(key: bytes, n: int, rows: Sequence[tuple[object, ...]]) -> bytes:
    """The MAC of block n's rows (each as SIGNED_COLUMNS, in seq order). Pickle without
    its memo writes each value as it is (never a reference to an equal one before), so
    the same values give the same bytes however they were made; nothing is unpickled."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump((n, list(rows)))
    return hashlib.blake2b(buffer.getbuffer(), key=key, digest_size=_MAC_BYTES).digest()


def verify_block(conn: sqlite3.Connection, key: bytes, n: int) -> list[tuple[object, ...]]:
    """Block n's rows, if they hold their MAC; else Tampered."""
    rows = conn.execute(_BLOCK_ROWS, (n * BLOCK + 1, (n + 1) * BLOCK)).fetchall()
    stored = conn.execute("SELECT mac FROM blocks WHERE n = ?", (n,)).fetchone()
    if stored is None or stored[0] != block_mac(key, n, rows):
        raise Tampered("a block of the index fails its check")
    return rows


class _Checker:
    """The SQL function `intact(seq)`: checks the block of each row a query visits, each
    block once per connection, unless the whole index is trusted: stamped as this user's
    bjtrack left it (see `stamped`), or rebuilt by this connection."""

    def __init__(self, conn: sqlite3.Connection, key: bytes, db: Path, trusted: bool) -> None:
        self.conn, self.key, self.db = conn, key, db
        self.trusted, self.failed, self.good = trusted, False, set[int]()

    def __call__(self, seq: int) -> int:
        if self.trusted:
            return 1
        n = block_of(seq)
        if n not in self.good:
            try:
                verify_block(self.conn, self.key, n)
            except Tampered:
                self.failed = True
                raise
            self.good.add(n)
        return 1

    def settle(self) -> bool:
        """Whether the index may be stamped as it is: trusted, or else each of its blocks
        checked now (once, after a command found it changed behind its back)."""
        if self.failed or self.trusted:
            return not self.failed
        try:
            ((last,),) = self.conn.execute("SELECT coalesce(max(seq), 0) FROM records")
            for n in range(block_of(last) + 1 if last else 0):
                if n not in self.good:
                    verify_block(self.conn, self.key, n)
        except sqlite3.Error:  # Tampered, or busy: not stamped
            return False
        return True


# The view every query reads: the block of each row it visits is checked (the function
# raises on a mismatch, which fails the query). It needs only the seq, so a query that
# the (series, date) index answers still never looks into the table for its rows.
_CHECKED = "CREATE TEMP VIEW IF NOT EXISTS checked AS SELECT * FROM records WHERE intact(seq)"


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
    """The index of a records file: in this user's own cache folder (0700), named after
    the file's full path, where no one else can plant, swap or edit it."""
    where = str(records_path.resolve()).encode("utf-8", "surrogateescape")
    name = hashlib.sha256(where).hexdigest()[:24]
    return key_folder() / "index" / f"{records_path.name}-{name}.sqlite"


def enabled() -> bool:
    return cache_enabled()


_CHECKERS: dict[int, _Checker] = {}  # the checker (and MAC key) of each open connection


def key_of(conn: sqlite3.Connection) -> bytes:
    return _CHECKERS[id(conn)].key


def trusted(conn: sqlite3.Connection) -> bool:
    return _CHECKERS[id(conn)].trusted


def trust(conn: sqlite3.Connection) -> None:
    """This connection has just written every row of the index: it checks none."""
    _CHECKERS[id(conn)].trusted = True


def wrote(conn: sqlite3.Connection) -> None:
    """This connection has committed rows it signed: a new file turns to WAL, so that
    readers never wait for a writer; a trusted connection stamps the index at once, so
    that another connection of the same command trusts it too."""
    with contextlib.suppress(sqlite3.OperationalError):  # opened meanwhile: as it is
        conn.execute("PRAGMA journal_mode = WAL")
    checker = _CHECKERS[id(conn)]
    if checker.trusted and not checker.failed:
        _restamp(checker.db, checker.key)


def signed(conn: sqlite3.Connection, blocks: Iterable[int]) -> None:
    """This connection signed these blocks: it need not check them."""
    _CHECKERS[id(conn)].good.update(blocks)


# The stamp: after a command, the index file as it was left (its stat and its WAL's, which
# change with any write, by whatever means), signed with the user's key. The next command
# that finds the same stat trusts the index as the records file's own hash is trusted
# while its stat is unchanged; any other checks each block it reads.

def _stamp_path(db: Path) -> Path:
    return db.with_name(db.name + ".stamp")


def _stamp(db: Path, key: bytes) -> str | None:
    """The signed stat of the index file and of its WAL, if that holds anything: every
    connection creates an empty WAL when it opens the index (and the last one to close
    deletes it), which changes nothing the index says; counted, it made a command that
    opened the index twice (`log`: to decide, then under the lock) check every block."""
    try:
        wal = FileStat.of(Path(f"{db}-wal"))
    except FileNotFoundError:
        wal = None
    except OSError:
        return None
    try:
        state = (FileStat.of(db).text(), wal.text() if wal and wal.size else "")
    except OSError:
        return None
    return mac(key, ("stamp", *state)).hex()


def stamped(db: Path, key: bytes) -> bool:
    try:
        text = _stamp_path(db).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False
    expected = _stamp(db, key)
    return expected is not None and hmac.compare_digest(text, expected)


def _restamp(db: Path, key: bytes) -> None:
    """Write the stamp whole or not at all. Not files.writing.atomic_write: a stamp lost
    to a crash costs only a check, so it is not worth an fsync on every command."""
    stamp, path = _stamp(db, key), _stamp_path(db)
    try:
        if stamp is None:
            path.unlink(missing_ok=True)
            return
        fd, temp = tempfile.mkstemp(dir=db.parent, prefix=".stamp-")
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(stamp)
        os.replace(temp, path)
    except OSError:  # no stamp: the next command checks the blocks it reads
        pass


def connect(db: Path, key: bytes) -> sqlite3.Connection:
    """The index file, opened (and its tables made, if it is new), its rows to be read
    through the view `checked` (their MACs keyed by `key`). The caller closes it."""
    db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    new = not db.exists()
    known = not new and stamped(db, key)
    conn = sqlite3.connect(db, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        conn.execute("PRAGMA page_size = 16384")  # a new file's: fewer, fuller pages
        # A crash may lose the last updates but never leaves a half-written one. A new
        # file is first filled with a rollback journal (written once, not once to the
        # log and again to the file), then turned to WAL (`wrote`).
        if not new:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        (count,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if count == 0:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
                conn.executescript(_DDL + ";\n".join(INDEXES) + ";")  # commits
            else:
                conn.execute("ROLLBACK")
        checker = _CHECKERS[id(conn)] = _Checker(conn, key, db, known)
        conn.create_function("intact", 1, checker)
        conn.execute(_CHECKED)
    except BaseException:
        conn.close()
        raise
    return conn


def release(conn: sqlite3.Connection) -> None:
    """Close a connection `connect` opened."""
    checker = _CHECKERS.pop(id(conn), None)
    settled = checker is not None and checker.settle()
    conn.close()
    if checker is not None:  # stamped only as this user's bjtrack wrote or checked it
        if settled:
            _restamp(checker.db, checker.key)
        else:
            with contextlib.suppress(OSError):
                _stamp_path(checker.db).unlink(missing_ok=True)


def open_connections() -> int:
    """How many connections `connect` opened that are not yet released."""
    return len(_CHECKERS)


def is_busy(exc: sqlite3.Error) -> bool:
    """Another process holds the index: wait for nothing, read the file instead."""
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def discard(db: Path) -> bool:
    """Delete the index file (and its journal): it is rebuilt from the records file."""
    try:
        for suffix in ("", "-journal", "-wal", "-shm", ".stamp"):
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
