"""A derived index of the records file, so reading stays fast as the file grows.

records.toml is the source of truth. An index in the user's own cache folder
(`sqlite.cache_path`) holds every record already read, values as the exact decimal strings
of the file, with the byte size of the part of the file it covers (always whole
`[[record]]` blocks), a hash of that part, and the file's stat when it was last checked.
On each read:

- the file's stat unchanged (and not modified within the last seconds, when a same-size edit
  could share its timestamp): the index is trusted as is;
- otherwise the covered part is hashed again: if it is unchanged, only the bytes appended
  after it are parsed and added; if anything in it changed, the index is rebuilt.

The bytes after the covered part (usually none, or a torn last record) are parsed on every
read with the same rules as a full parse (index.build). A file with any damaged record other
than a torn last one, a layout the block reader does not recognise, or an index that cannot
be opened, read or written, or is busy for longer than a moment (index.sqlite.BUSY_MS), is
read in full by `files.records` instead: the index can make reads faster, never different
and never blocked. `BJTRACK_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

from bjtrack.domain.errors import BjtrackError
from bjtrack.files.paths import CACHE_DIR as CACHE_DIR  # the names the index answers to
from bjtrack.files.paths import NO_CACHE_ENV as NO_CACHE_ENV
from bjtrack.files.paths import chosen_records
from bjtrack.files.records import RecordSet, collector_paused, parse_records
from bjtrack.files.records import load_records as parse_file
from bjtrack.files.writing import locked
from bjtrack.index.build import decode, scan_text, shift, update
from bjtrack.index.memo import user_key
from bjtrack.index.query import RecordIndex as RecordIndex
from bjtrack.index.sqlite import (
    SCHEMA,
    Tampered,
    connect,
    discard,
    is_busy,
    read_meta,
    release,
    trusted,
    wrote,
)
from bjtrack.index.sqlite import FileStat as FileStat
from bjtrack.index.sqlite import Unusable as Unusable
from bjtrack.index.sqlite import cache_path as cache_path
from bjtrack.index.sqlite import enabled as enabled

RACY_NS = 2_000_000_000  # a file changed this close to its last check is hashed, not trusted

__all__ = ["CACHE_DIR", "NO_CACHE_ENV", "FileStat", "RecordIndex", "Unusable", "cache_path",
           "enabled", "load_records", "open_index", "parse_records"]


def open_index(path: Path) -> RecordIndex | None:
    """The index of a records file, brought up to date; None when the file has to be read
    in full (no file, index off, busy or unusable, or a damaged record the index does not
    hold). The caller closes it (`with` or `close`).

    A last block that looks torn may be one another command is appending this moment (a
    reader can see part of a write): the index is opened again once that command lets go
    of the lock, and what is torn then really is."""
    if not enabled() or not path.is_file() or path == chosen_records():
        return None  # a records file of the person's choosing is read in full
    key = user_key()
    if key is None:  # no key of this user's to check the index by: read the file
        return None
    index = _open(path, key)
    if index is None or index.tail.torn is None:
        return index
    index.close()
    try:
        with locked(path):
            return _open(path, key)
    except BjtrackError:  # no lock to be had here (a read-only folder)
        return _open(path, key)


def _open(path: Path, key: bytes) -> RecordIndex | None:
    db = cache_path(path)
    for attempt in (1, 2):
        try:
            return _sync(path, db, key)
        except Unusable:
            return None
        except sqlite3.Error as exc:
            # busy: another command writes it, read the file meanwhile; else a corrupt,
            # truncated, foreign or tampered index: start it afresh, once
            if is_busy(exc) or attempt == 2 or not discard(db):
                return None
        except (OSError, ValueError):
            if attempt == 2 or not discard(db):
                return None
    return None


def load_records(path: Path) -> RecordSet:
    """Every record of the file, through the index when it can answer (the same records,
    problems and torn tail as a full parse), else by parsing the file."""
    index = open_index(path)
    if index is not None:
        with index:
            try:
                return index.record_set()
            except Unusable:
                pass
    return parse_file(path)


def _sync(path: Path, db: Path, key: bytes) -> RecordIndex:
    conn = connect(db, key)
    try:
        meta = _checked_meta(conn)
        stat = FileStat.of(path)
        if _trusted(meta, stat):
            covered = int(meta["covered"])
            with path.open("rb") as handle:
                handle.seek(covered)
                rest = handle.read()
            scan = scan_text(decode(rest), str(path), int(meta["lines"]), size=len(rest))
            if not scan.rows:  # nothing new: the common case
                return RecordIndex(conn, path, shift(scan.tail, covered + scan.end_bytes))
        conn.execute("BEGIN IMMEDIATE")
        try:
            with collector_paused():
                tail = update(conn, path)
            conn.execute("COMMIT")
            wrote(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return RecordIndex(conn, path, tail)
    except BaseException:
        release(conn)
        raise


def _checked_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The index's meta values, and its rows counted against them, read in one snapshot
    (a command appending meanwhile is seen wholly or not at all, never as rows missing)."""
    conn.execute("BEGIN")
    try:
        meta = read_meta(conn)  # Tampered if their MAC fails: discarded, rebuilt
        if meta.get("schema") != SCHEMA and meta:
            raise sqlite3.DatabaseError("another index format")
        if meta and not trusted(conn):  # rows deleted or added behind its back
            (count, last), = conn.execute(
                "SELECT count(*), coalesce(max(seq), 0) FROM records").fetchall()
            if count != int(meta["seq"]) or last != count:
                raise Tampered("rows missing from the index")
    finally:
        conn.execute("COMMIT")
    return meta


def unchanged_since(path: Path, seen: FileStat | None, read_ns: int) -> bool:
    """Is the file as it was when read (its stat `seen` taken just before the read, at
    `read_ns`)? The rule the index trusts its own meta by (`_trusted`)."""
    try:
        return seen is not None and _as_read(FileStat.of(path), seen.text(), read_ns)
    except OSError:
        return False


def _trusted(meta: Mapping[str, str], stat: FileStat) -> bool:
    """Does the index's meta describe the file as it is now?"""
    return "checked_ns" in meta and _as_read(stat, meta.get("stat"), int(meta["checked_ns"]))


def _as_read(stat: FileStat, seen: str | None, read_ns: int) -> bool:
    """A file's stat as it was when read, and last written well before that read: a write
    in the same tick of the file system's clock as the read may leave its stat as it was."""
    return stat.text() == seen and stat.mtime_ns < read_ns - RACY_NS
