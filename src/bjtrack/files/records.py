"""The records file's format (records.toml): the one reader and the one writer of its
`[[record]]` blocks, and the one place record ids are drawn.

Each figure is one block, its keys in a fixed order with `value` (or `retracts`) last, so a
block cut short by a crash lacks it and is recognised as torn. Each block stands between
two comment lines naming it (see `framed`). Appending and replacing the file: files.writing.
"""

from __future__ import annotations

import base64
import functools
import gc
import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bjtrack.domain.amounts import MAX_EXPONENT, plain
from bjtrack.domain.dates import FIRST_YEAR, LAST_YEAR, in_calendar
from bjtrack.domain.errors import BjtrackError, Problem, problem
from bjtrack.domain.model import VINTAGES, Record, Source
from bjtrack.files.paths import (
    cannot_read,
    header_lines,
    is_header,
    loads_toml,
    refuse_special,
    split_lines,
    toml_problem,
    unknown_key,
)

RECORDS_HEADER = (
    "# bjtrack records: one [[record]] block per published figure, appended by `bjtrack log`.\n"
    "# Values are exact decimals in the base unit (元, 人, 家, %). Do not reorder blocks.\n"
    "# format = bjtrack-records/1\n"
)
HEADER = "[[record]]"
RECORD_KEYS = frozenset({
    "id", "series", "date", "value", "unit", "entered", "note", "source", "logged", "by",
    "vintage", "revises", "retracts", "batch",
})
_STRING_KEYS = ("unit", "entered", "note", "source", "by", "vintage", "revises", "retracts",
                "batch")


@dataclass(frozen=True)
class RecordSet:
    """What the records file holds: valid records, problems, and a torn tail if any."""

    records: tuple[Record, ...]
    problems: tuple[Problem, ...] = ()
    torn: Problem | None = None  # a last block cut short by a crash
    torn_offset: int | None = None  # byte offset where the torn block starts


# --------------------------------------------------------------------------- reading

@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading or writing many records makes a few objects for each that live until the
    end and form no cycle: the garbage collector would walk them over and over, for
    nothing (a tenth of the time of indexing 100,000 records)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_records(path: Path) -> RecordSet:
    """Read every record of the file; collect problems instead of stopping at the first.
    (Reading through the index instead is the caller's choice: bjtrack.index.)"""
    if not path.exists():
        return RecordSet(())
    refuse_special(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BjtrackError(cannot_read(path, exc)) from None
    return parse_record_bytes(data, str(path))


def parse_record_bytes(data: bytes, file: str) -> RecordSet:
    """Decode and parse the records file. A crash mid-write may cut the last line inside
    a character: that is a torn tail like any other, not an unreadable file. A byte-order
    mark at the start (an editor's) is no part of the records."""
    if data.startswith(_BOM):
        found = parse_record_bytes(data[len(_BOM):], file)
        if found.torn_offset is None:
            return found
        return RecordSet(found.records, found.problems, found.torn,
                         found.torn_offset + len(_BOM))
    try:
        return parse_records(data.decode("utf-8"), file)
    except UnicodeDecodeError as exc:
        bad = exc.start
    if b"\n" in data[bad:]:  # damage before the last line: not a crash, say where
        raise BjtrackError(problem("err.not_utf8_at", hint_key="hint.save_utf8", file=file,
                                   line=data[:bad].count(b"\n") + 1, byte=bad))
    good = data[:bad].decode("utf-8")
    result = parse_records(good, file)
    if result.torn is not None:
        return result
    start = good.rfind("\n") + 1
    torn = problem("err.records.cut_in_character", hint_key="hint.repair", file=file,
                   line=good.count("\n") + 1)
    return RecordSet(result.records, result.problems, torn, len(good[:start].encode("utf-8")))


_BOM = "\ufeff".encode()


def parse_records(text: str, file: str) -> RecordSet:
    try:
        data = loads_toml(text)
    except tomllib.TOMLDecodeError:
        return _parse_blocks(text, file)
    entries = data.get("record", [])
    lines = header_lines(text, HEADER)
    problems: list[Problem] = []
    if not isinstance(entries, list):
        return RecordSet((), (problem("err.records.not_tables", file=file),))
    for key in data:
        if key != "record":
            problems.append(problem("err.top_key", hint_key="hint.records.top_keys",
                                    file=file, field=key))
    records: list[Record] = []
    torn: Problem | None = None
    torn_offset: int | None = None
    for index, entry in enumerate(entries):
        line = lines[index] if len(lines) == len(entries) else None
        record, found = to_record(entry, file, line)
        is_last = index == len(entries) - 1
        if found and is_last and incomplete(entry):
            torn, torn_offset = found, _line_offset(text, line)
        elif found:
            problems.append(found)
        elif record:
            records.append(record)
    if torn is None and text and not text.endswith("\n") and lines and \
            not _cut_in_frame(text):
        torn = problem("err.records.no_newline", hint_key="hint.repair_short", file=file,
                       line=lines[-1])
        torn_offset = _line_offset(text, lines[-1])
        if records:
            records.pop()
    return RecordSet(tuple(records), tuple(problems), torn, torn_offset)


def _cut_in_frame(text: str) -> bool:
    """Did a crash cut the text inside the comment that opens a new record (see `framed`)?
    Then the records before it are whole and nothing of the new one was written."""
    last = text.rfind("\n")
    return text[last + 1:].startswith("#") and text[:last + 1].endswith("\n\n")


def _line_offset(text: str, line: int | None) -> int | None:
    if line is None:
        return None
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return len(text[:offset].encode("utf-8"))


def incomplete(entry: object) -> bool:
    """A block that lacks what bjtrack always writes last: a crash cut it short."""
    if not isinstance(entry, dict):
        return True
    return "value" not in entry and "retracts" not in entry


def _block_starts(all_lines: list[str]) -> list[int]:
    starts = [i for i, line in enumerate(all_lines) if is_header(line, HEADER)]
    last = all_lines[-1] if all_lines else ""
    if last.strip() and not last.endswith("\n") and HEADER.startswith(last.strip()) \
            and len(all_lines) - 1 not in starts:
        starts.append(len(all_lines) - 1)  # a header cut short: "[[rec"
    return starts


def _parse_blocks(text: str, file: str) -> RecordSet:
    """Slow path for a file that does not parse whole: parse block by block."""
    all_lines = split_lines(text)
    starts = _block_starts(all_lines)
    problems: list[Problem] = []
    records: list[Record] = []
    torn: Problem | None = None
    torn_offset: int | None = None
    head = "".join(all_lines[: starts[0]] if starts else all_lines)
    try:
        for key in loads_toml(head):  # nothing but comments belongs before the records
            problems.append(problem("err.top_key", hint_key="hint.records.top_keys",
                                    file=file, field=key))
    except tomllib.TOMLDecodeError as exc:
        problems.append(toml_problem(exc, file, source=head))
    for n, begin in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(all_lines)
        block = "".join(all_lines[begin:end])
        is_last = n == len(starts) - 1
        offset = len("".join(all_lines[:begin]).encode("utf-8")) if is_last else None
        try:
            entries = loads_toml(block).get("record", [{}])
            entry = entries[0] if entries else {}
        except tomllib.TOMLDecodeError as exc:
            bad = toml_problem(exc, file, line_offset=begin, source=block)
            if is_last and cut_short(block, bad.line, begin):
                torn = problem("err.records.torn", hint_key="hint.repair", file=file,
                               line=begin + 1, problem=bad)
                torn_offset = offset
            else:
                problems.append(bad)
            continue
        record, found = to_record(entry, file, begin + 1)
        if found and is_last and incomplete(entry):
            torn, torn_offset = found, offset
        elif found:
            problems.append(found)
        elif record:
            records.append(record)
    return RecordSet(tuple(records), tuple(problems), torn, torn_offset)


def cut_short(block: str, line: int | None, begin: int) -> bool:
    """Is a last block that TOML refuses what a crash leaves: a block cut off inside its
    last line? Every whole line bjtrack writes is valid TOML, so a cut can only break the
    last one, and only when it has no "\n". A block TOML refuses anywhere else (a bad
    offset, a control character in a comment) is damaged, not torn: it may be a whole
    record, and `check --repair` must never move one out. (`begin`: the block's first
    line less one; `line`: where TOML stopped.)"""
    if block.endswith("\n"):
        return False
    return line is None or line == begin + len(split_lines(block))


def to_record(entry: object, file: str, line: int | None
              ) -> tuple[Record | None, Problem | None]:
    """One parsed `[[record]]` table as a Record, or the problem with it."""
    if not isinstance(entry, dict):
        return None, problem("err.records.table", file=file, line=line)
    unknown = [k for k in entry if k not in RECORD_KEYS]
    if unknown:
        return None, unknown_key(unknown[0], RECORD_KEYS, "[[record]]", file, line)
    for key in ("id", "series"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            return None, problem("err.records.missing", hint_key="hint.records.missing",
                                 file=file, line=line, field=key)
    strings = {}
    for key in _STRING_KEYS:
        value = entry.get(key, "")
        if not isinstance(value, str):
            return None, problem("err.records.string", file=file, line=line, field=key)
        strings[key] = value
    if strings["vintage"] and strings["vintage"] not in VINTAGES:
        return None, problem("err.records.vintage", file=file, line=line,
                             choices=", ".join(VINTAGES))
    logged = entry.get("logged")
    if logged is not None and not isinstance(logged, datetime):
        return None, problem("err.records.logged", file=file, line=line)
    if strings["retracts"]:
        return Record(id=entry["id"], series=entry["series"], date=None, value=None,
                      logged=logged, origin=Source(file, line), **strings), None
    raw_date = entry.get("date")
    if isinstance(raw_date, datetime):
        raw_date = raw_date.date()
    if not isinstance(raw_date, date):
        return None, problem("err.records.date", file=file, line=line)
    if not in_calendar(raw_date):
        return None, problem("err.records.date_range", hint_key="hint.records.date_range",
                             file=file, line=line, date=raw_date.isoformat(), low=FIRST_YEAR,
                             high=LAST_YEAR)
    value, found = _value(entry.get("value"), file, line)
    if found is not None:
        return None, found
    return Record(id=entry["id"], series=entry["series"], date=raw_date, value=value,
                  logged=logged, origin=Source(file, line), **strings), None


def _value(raw_value: object, file: str, line: int | None
           ) -> tuple[Decimal | None, Problem | None]:
    if isinstance(raw_value, int) and not isinstance(raw_value, bool):
        raw_value = str(raw_value)
    if not isinstance(raw_value, str):
        return None, problem("err.records.value_string", hint_key="hint.records.value",
                             file=file, line=line)
    value = decimal_text(raw_value)
    if value is None:
        return None, problem("err.records.value", hint_key="hint.records.value", file=file,
                             line=line, value=raw_value[:40])
    return value, None


def decimal_text(text: str) -> Decimal | None:
    """A record's value as the full parse accepts it (finite, in range), or None."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value.adjusted()) > MAX_EXPONENT:
        return None
    return value


# --------------------------------------------------------------------------- writing

def serialized_block(record: Record) -> str:
    """The record as one TOML block, written by the serializer: `record_block`'s text for
    any record (`value` comes last, so a block cut short by a crash lacks it)."""
    import tomli_w

    fields: dict[str, Any] = {"id": record.id, "series": record.series}
    if record.date is not None:
        fields["date"] = record.date
    for key in ("entered", "unit", "vintage", "revises", "note", "source", "by", "batch"):
        value = getattr(record, key)
        if value:
            fields[key] = value
    if record.logged is not None:
        fields["logged"] = record.logged
    if record.retracts:
        fields["retracts"] = record.retracts
    if record.value is not None:
        fields["value"] = plain(record.value)
    # The header is written by hand: tomli_w would turn a short table into an inline
    # `record = [{…}]` array, which cannot follow [[record]] tables in the same file.
    return HEADER + "\n" + tomli_w.dumps(fields)


def record_block(record: Record) -> str:
    """The record as one TOML block: the serializer's text, written directly for a plain
    figure of plain text (an import of 100,000 rows spends much of its time here)."""
    logged = record.logged
    body = None if logged is None else _body(record, _texts(logged, logged.utcoffset())[0])
    return serialized_block(record) if body is None else HEADER + "\n" + body


def framed(record: Record, block: str) -> str:
    """A record's block between two comment lines naming it (id and time logged).

    Teams merge records files with git's union merge (`init` sets it up). That joins the
    text each branch appended line by line, but writes the lines both branches' additions
    share at their start or end only once: two records that both begin with `[[record]]`
    or end with the same `value` would fuse into one broken table. The frame makes the
    first and last line of every record its own."""
    name = f"{record.id} {record.logged.isoformat()}" if record.logged else record.id
    return f"# {name}\n{block}# {name} end\n"


def framed_block(record: Record) -> str:
    """`framed(record, record_block(record))`: what is appended for each record."""
    logged = record.logged
    if logged is None:
        return framed(record, serialized_block(record))
    stamp, iso = _texts(logged, logged.utcoffset())
    body = _body(record, stamp)
    if body is None:
        return framed(record, serialized_block(record))
    name = f"{record.id} {iso}"
    return f"# {name}\n{HEADER}\n{body}# {name} end\n"


_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f]")


def _body(record: Record, stamp: str) -> str | None:
    """The lines of a record's block after its header, for a plain figure of plain text
    logged at `stamp` (as the serializer writes the time); None for anything else."""
    rid, series, day, value = record.id, record.series, record.date, record.value
    texts = (record.entered, record.unit, record.vintage, record.revises, record.note,
             record.source, record.by, record.batch)
    if record.retracts or day is None or value is None:
        return None
    joined = "".join((rid, series, *texts))
    if not joined.isprintable() and _NEEDS_ESCAPE.search(joined):
        return None
    entered, unit, vintage, revises, note, source, by, batch = texts
    if "\\" in joined or '"' in joined:
        rid, series, entered, unit, vintage, revises, note, source, by, batch = (
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
        f'batch = "{batch}"\n' if batch else "",
        f'logged = {stamp}\nvalue = "{plain(value)}"\n'))


@functools.lru_cache(maxsize=8)
def _texts(moment: datetime, offset: timedelta | None) -> tuple[str, str]:
    """A time as the serializer writes it (2026-11-26 18:23:56+00:00) and as `framed`
    names a record (2026-11-26T18:23:56+00:00). Keyed by the offset too: times equal as
    instants are written differently in different zones."""
    return str(moment), moment.isoformat()


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# --------------------------------------------------------------------------- ids

_LETTERS = "abcdefghijklmnopqrstuvwxyz234567"  # base32, lowercase: an id's letters
_PAIRS = tuple(a + b for a in _LETTERS for b in _LETTERS)  # 10 bits: 2 letters
_BITS = (1 << 50) - 1


def new_record_id() -> str:
    """A short random id (50 bits): 10 lowercase base32 characters."""
    return base64.b32encode(os.urandom(7)).decode("ascii")[:10].lower()


def distinct_ids() -> Iterator[str]:
    """Random record ids like `new_record_id` (10 letters, 50 bits), none drawn twice: the
    k-th is s + a·k modulo 2**50, with s and an odd a random. That is a one-to-one map of
    50-bit numbers, so however many ids a command draws they are distinct without any of
    them being remembered (an import of a million rows kept a set of them); each is as
    random as `new_record_id`'s. The caller still checks them against the file."""
    step = _random_bits() | 1
    at = _random_bits()
    pairs = _PAIRS
    while True:
        yield (pairs[at >> 40] + pairs[at >> 30 & 1023] + pairs[at >> 20 & 1023]
               + pairs[at >> 10 & 1023] + pairs[at & 1023])
        at = (at + step) & _BITS


def _random_bits() -> int:
    """50 random bits, from the system's source (as `new_record_id`)."""
    return int.from_bytes(os.urandom(7), "big") & _BITS
