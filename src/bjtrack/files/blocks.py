"""Record blocks written fast, for appending many records at once (`bjtrack import`): the
same text as `store.record_block` and `store.framed`, and fresh record ids in bulk."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from bjtrack.domain.amounts import plain
from bjtrack.domain.model import Record
from bjtrack.files import store

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


def new_ids(taken: set[str]) -> Iterator[str]:
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
