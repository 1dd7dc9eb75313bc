"""Reading the records file into the index's rows.

A file written by `bjtrack log` and `bjtrack import` is read in one pass by one regular
expression (`scan_written`); any other layout block by block, each by the full parse's own
rules (`files.records.to_record`), so the index holds exactly the records a full parse
gives. A block neither accepts, other than a torn last one, makes the file Unusable here:
it is then read in full, problems and all.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
import time
import tomllib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from io import BufferedReader
from itertools import accumulate, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from bjtrack.domain.amounts import MAX_EXPONENT
from bjtrack.domain.dates import in_calendar
from bjtrack.domain.errors import Problem
from bjtrack.domain.model import VINTAGES, Record
from bjtrack.files.paths import loads_toml
from bjtrack.files.records import HEADER, RecordSet, decimal_text, incomplete, parse_records
from bjtrack.files.records import to_record as _to_record
from bjtrack.index.sqlite import (
    BLOCK,
    INDEX_NAMES,
    INDEXES,
    SCHEMA,
    SIGNED_COLUMNS,
    FileStat,
    Unusable,
    block_mac,
    block_of,
    key_of,
    meta_mac,
    read_meta,
    signed,
    trust,
    verify_block,
)

CHUNK = 1 << 22  # the file is read and indexed 4 MB at a time: memory stays flat
_HEADER_LINE = b"\n" + HEADER.encode() + b"\n"
_VINTAGES = frozenset(("", *VINTAGES))
# Dates, times and comments exactly as TOML reads them (tomllib's own patterns, ASCII
# digits, hours to 23, minutes to 59; no control character but a tab in a comment), so a
# block the pattern takes is one the full parse takes too. Anything else is read by TOML.
_DAY = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_HOUR_MINUTE = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_DATETIME = rf"{_DAY}[ T]{_HOUR_MINUTE}:[0-5][0-9](?:Z|[+-]{_HOUR_MINUTE})?"
_COMMENT = r"#[^\x00-\x08\x0a-\x1f\x7f]*\n"
# A value Decimal keeps as written: no leading zero (so no exponent form), in range
_PLAIN_NUMBER = rf"-?[1-9][0-9]{{0,{MAX_EXPONENT}}}(?:\.[0-9]+)?"
_S = r'"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"\n'
_S1 = _S.replace("*", "+")  # an id, a series: never empty
_BLOCK = (  # a whole block as `files.records.record_block` writes it, keys in its order
    rf"(\[\[record\]\]\nid = {_S1}series = {_S1}date = ({_DAY})\n"
    + "".join(f"(?:{key} = {_S})?" for key in ("entered", "unit", "vintage", "revises",
                                               "note", "source", "by", "batch"))
    + rf"(?:logged = ({_DATETIME})\n)?"
    + rf'value = (?:"({_PLAIN_NUMBER})"\n|{_S})(?:\n|{_COMMENT})*)'
)  # compiled when first needed (a command that reads nothing new never is)

Row = tuple[object, ...]


@dataclass(frozen=True)
class Scan:
    """Records read from part of the file, and how far they reach."""

    rows: list[Row]  # records as table rows, without their seq
    end_bytes: int  # bytes of the scanned text (from its start) holding whole, clean blocks
    lines: int  # newlines in those bytes
    tail: RecordSet  # what the rest (a torn last block, if any) holds


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unusable("not UTF-8") from exc


def shift(tail: RecordSet, offset: int) -> RecordSet:
    if tail.torn_offset is None:
        return tail
    return RecordSet(tail.records, tail.problems, tail.torn, tail.torn_offset + offset)


# --------------------------------------------------------------------------- updating

def update(conn: sqlite3.Connection, path: Path) -> RecordSet:
    """Under the write lock: verify what is indexed, add what was appended, or rebuild.
    Returns the torn tail (if any) that the index leaves out."""
    meta = read_meta(conn)
    stat = FileStat.of(path)
    checked = time.time_ns()
    file = str(path)
    with path.open("rb") as handle:
        covered = int(meta.get("covered", "0"))
        digest = _digest_of(handle, covered) if meta and covered <= stat.size else None
        if digest is not None and digest.hexdigest() == meta.get("hash"):
            lines, seq = int(meta["lines"]), int(meta["seq"])
        else:
            _clear(conn)
            trust(conn)  # every row from here on is this connection's own
            digest = hashlib.sha1(usedforsecurity=False)
            covered, lines, seq = 0, 0, 0
        handle.seek(covered)
        covered, lines, seq, pending = _index_rest(conn, handle, file, (covered, lines, seq),
                                                   digest)
    scan = scan_text(decode(pending), file, lines, final=True, size=len(pending))
    insert(conn, scan.rows, seq)
    for sql in INDEXES:
        conn.execute(sql)
    end = scan.end_bytes
    digest.update(memoryview(pending)[:end])
    values = {
        "schema": SCHEMA, "covered": str(covered + end), "lines": str(lines + scan.lines),
        "seq": str(seq + len(scan.rows)), "hash": digest.hexdigest(),
        "stat": stat.text(), "checked_ns": str(checked),
    }
    values["mac"] = meta_mac(key_of(conn), values)
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())
    return shift(scan.tail, covered + end)


def _digest_of(handle: BufferedReader, size: int) -> Any:
    """The hash of the file's first `size` bytes; None if it is shorter."""
    digest = hashlib.sha1(usedforsecurity=False)
    buffer = memoryview(bytearray(min(CHUNK, size)))  # read into one buffer, reused
    at = 0
    while at < size:
        got = handle.readinto(buffer[: size - at])
        if not got:
            return None
        digest.update(buffer[:got])
        at += got
    return digest


def _clear(conn: sqlite3.Connection) -> None:
    """Empty the index for a rebuild; its indexes are built again once all rows are in."""
    conn.execute("DELETE FROM records")
    conn.execute("DELETE FROM blocks")
    conn.execute("DELETE FROM series")
    for name in INDEX_NAMES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.execute("PRAGMA cache_size = -65536")  # the rebuild and its indexes in memory


def _index_rest(conn: sqlite3.Connection, handle: BufferedReader, file: str,
                at: tuple[int, int, int], digest: Any) -> tuple[int, int, int, bytes]:
    """Index the whole blocks of the file from where `handle` stands (byte, line and record
    counts `at`), a piece of a few MB at a time, each piece ending where a `[[record]]`
    header begins. Returns where the indexed bytes end, the line and record counts there,
    and the bytes after them (from the last header on)."""
    start, lines, seq = at
    pending = b""
    while chunk := handle.read(CHUNK):
        pending += chunk
        cut = pending.rfind(_HEADER_LINE)
        if cut < 0:
            continue
        piece, pending = pending[: cut + 1], pending[cut + 1:]
        scan = scan_text(decode(piece), file, lines, final=False, size=len(piece))
        insert(conn, scan.rows, seq)
        digest.update(piece)
        start, lines, seq = start + len(piece), lines + scan.lines, seq + len(scan.rows)
    return start, lines, seq, pending


def insert(conn: sqlite3.Connection, rows: list[Row], seq: int) -> None:
    """Add rows after row `seq`, and sign every block they reach. The block they start in,
    if rows before them are in it, is checked before it is signed again, so an append
    never signs rows that were changed behind the index's back."""
    if not rows:
        return
    counts = Counter(map(itemgetter(2), rows))  # rows per series
    marks = ", ".join("?" * (SIGNED_COLUMNS.count(",") + 1))
    first = block_of(seq + 1)
    key = key_of(conn)
    earlier = verify_block(conn, key, first) if seq % BLOCK else []
    # SQLite numbers them seq + 1, seq + 2…: the table's rows are 1…seq, none deleted
    conn.executemany(f"INSERT INTO records ({SIGNED_COLUMNS}) VALUES ({marks})", rows)
    if conn.execute("SELECT max(seq) FROM records").fetchone()[0] != seq + len(rows):
        raise Unusable("rows out of sequence")
    conn.executemany("INSERT INTO series (name, n) VALUES (?, ?) ON CONFLICT (name) "
                     "DO UPDATE SET n = n + excluded.n", counts.items())
    cut = (first + 1) * BLOCK - seq  # the new rows in the first block; then whole blocks
    blocks = [(first, block_mac(key, first, earlier + rows[:cut]))]
    blocks += [(n, block_mac(key, n, rows[at:at + BLOCK]))
               for n, at in enumerate(range(cut, len(rows), BLOCK), first + 1)]
    conn.executemany("INSERT OR REPLACE INTO blocks (n, mac) VALUES (?, ?)", blocks)
    signed(conn, (n for n, _ in blocks))


# --------------------------------------------------------------------------- rows

def _row(record: Record) -> Row:
    number = str(record.value) if record.value is not None else None
    return (record.origin.line if record.origin else 0, record.id, record.series,
            record.date.isoformat() if record.date else None, number,
            record.unit, record.entered, record.note, record.source,
            str(record.logged) if record.logged else None, record.by,
            record.vintage, record.revises, record.retracts, record.batch)


def _blocks(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, line) of each `[[record]]` block: from its header to the next one."""
    starts: list[tuple[int, int]] = []
    pos, line = 0, 1
    while True:
        at = text.find(HEADER, pos)
        if at < 0:
            break
        line += text.count("\n", pos, at)
        pos = at + len(HEADER)
        if (at == 0 or text[at - 1] == "\n") and text.startswith("\n", pos):
            starts.append((at, line))
    for n, (start, line) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        yield start, end, line


def scan_text(text: str, file: str, line0: int, final: bool = True,
              size: int | None = None) -> Scan:
    """Read the blocks of `text` (which starts at line `line0 + 1` of the file).

    All blocks but the last must be clean records, and the last one too or else it is left
    as the tail, parsed by the same rules as a full parse (a torn record). Anything else
    raises Unusable, and the file is read in full."""
    written = scan_written(text, line0, size)
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
        row = read_block(text[start:stop], file, line0 + line)
        if row is None or (is_last and not text.endswith("\n")):
            if not is_last:
                raise Unusable(f"record at line {line0 + line}")
            break
        rows.append(row)
        end = stop
    tail = RecordSet(())
    if end < len(text):
        tail = parse_records(text[end:], file)
        if tail.problems or tail.records:
            raise Unusable("damaged records")
        tail = _shift_lines(tail, line0 + text.count("\n", 0, end))
    return Scan(rows, len(text[:end].encode("utf-8")), text.count("\n", 0, end), tail)


def _shift_lines(tail: RecordSet, lines: int) -> RecordSet:
    torn = tail.torn
    if torn is not None:
        torn = _shifted(torn, lines)
    return RecordSet(tail.records, tail.problems, torn, tail.torn_offset)


def _shifted(found: Problem, lines: int) -> Problem:
    """A problem of a part of the file, placed in the file: its line and the lines of the
    problems it names (a torn block's TOML error) `lines` further down."""
    fields = tuple((name, _shifted(value, lines) if isinstance(value, Problem) else value)
                   for name, value in found.fields)
    line = None if found.line is None else found.line + lines
    return replace(found, line=line, fields=fields)


def _only_comments(text: str) -> bool:
    """Is the text (the file's head, before its first record) blank lines and comments as
    TOML reads them? Asked of TOML itself: a no-break space, an ideographic space or a
    form feed is no blank to it, a control character not allowed in a comment."""
    if not text:
        return True
    try:
        return not loads_toml(text)
    except tomllib.TOMLDecodeError:
        return False


def read_block(block: str, file: str, line: int) -> Row | None:
    """One block as a table row, read by the full parse's rules; None if it is not a
    clean, whole record."""
    try:
        data = loads_toml(block)
    except tomllib.TOMLDecodeError:
        return None
    entries = data.get("record")
    if set(data) != {"record"} or not isinstance(entries, list) or len(entries) != 1:
        raise Unusable(f"unusual layout at line {line}")
    entry = entries[0]
    record, found = _to_record(entry, file, line)
    if found is not None or record is None or incomplete(entry):
        return None
    return _row(record)


@functools.cache
def _blocks_pattern() -> re.Pattern[str]:
    return re.compile(_BLOCK)


def scan_written(text: str, line0: int, size: int | None = None) -> Scan | None:
    """`scan_text` of a text that is only comments, then whole blocks each exactly as
    `bjtrack log` writes them (the usual file), read in one pass; None for anything else,
    which `scan_text` then reads block by block. `size`: the text's length in UTF-8.

    The rows are made column by column, without a Python step per record (that step was
    half the time of indexing a fresh clone): what `to_record` checks of each record (its
    date, its time, its vintage, its value) is checked once for each distinct text."""
    first = text.find(HEADER + "\n")
    if first < 0 or (first and text[first - 1] != "\n") or not _only_comments(text[:first]):
        return None
    # Each match starts where the last one ended or leaves a gap: the blocks fill the text
    # from the first header exactly when their lengths add up to it.
    found = _blocks_pattern().findall(text, first)
    if sum(map(len, map(itemgetter(0), found))) != len(text) - first:
        return None
    size = len(text.encode("utf-8")) if size is None else size
    if not found:
        return Scan([], size, text.count("\n"), RecordSet(()))
    # the columns (findall gives "" for a group that did not match)
    (whole, rids, series, days, entered, units, vintages, revises, notes, sources, by,
     batches, logged, plain, values) = zip(*found, strict=True)
    moments = _moments(logged)
    numbers = plain if "" not in plain else _numbers(plain, values)
    if (moments is None or numbers is None or not _VINTAGES.issuperset(vintages)
            or not all(map(_calendar_day, set(days)))):
        return None
    # the line each block starts on: the first header's, then one block's lines further
    lines = accumulate(map(str.count, whole[:-1], repeat("\n")),
                       initial=line0 + 1 + text.count("\n", 0, first))
    rows: list[Row] = list(zip(
        lines, rids, series, days, numbers, units, entered, notes, sources, moments, by,
        vintages, revises, repeat(""), batches, strict=False))
    return Scan(rows, size, text.count("\n"), RecordSet(()))


def _moments(logged: tuple[str, ...]) -> Sequence[str | None] | None:
    """The `logged` column as `_row` writes it (the datetime's str; None where a record has
    none), or None if a time is not one: as log writes it (2022-06-30 09:15:00+08:00) it
    is its own text once its day is valid."""
    days: set[str] = set()
    other: dict[str, str | None] = {}  # every other time, as `_row` writes it
    for text in set(logged):
        if len(text) == 25 and text[10] == " " and text[19] == "+":
            days.add(text[:10])
        elif not text:
            other[text] = None
        else:
            try:
                other[text] = str(datetime.fromisoformat(text))
            except ValueError:
                return None
    if not all(map(_is_date, days)):
        return None
    return list(map(other.get, logged, logged)) if other else logged


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _numbers(plain: tuple[str, ...], other: tuple[str, ...]) -> list[str] | None:
    """The values as the index keeps them, their exact decimal text: `plain` holds each
    that is that text already, else `other` holds it as written. None if the full parse
    rejects one (not a number, out of range, or none)."""
    found: dict[str, str] = {}
    for text in set(other) - {""}:
        number = decimal_text(text)
        if number is None:
            return None
        found[text] = str(number)
    values = list(map(found.get, other, plain))  # (plain where there is no other)
    return None if "" in values else values


def _calendar_day(day: str) -> bool:
    """A record's date as `to_record` takes it: a real day, in the years bjtrack reads."""
    try:
        return in_calendar(date.fromisoformat(day))
    except ValueError:
        return False


