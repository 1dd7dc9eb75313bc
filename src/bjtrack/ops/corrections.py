"""`bjtrack undo`, `amend` and `rm`: correcting records without losing history.

A correction is an appended record (`revises = <id>` or `retracts = <id>`): nothing
already written is changed. Which records are current is `domain.records`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bjtrack.domain.errors import BjtrackError, UsageError, problem
from bjtrack.domain.model import Record, Target
from bjtrack.domain.records import effective, record_states
from bjtrack.files import writing
from bjtrack.files.records import distinct_ids
from bjtrack.ops.load import Loaded, decided, series_target, unique_id
from bjtrack.ops.log import read_value


@dataclass(frozen=True)
class Correction:
    record: Record  # the record appended
    old: Record  # the record it replaces or retracts
    target: Target


def find_record(records: Sequence[Record], ref: str) -> Record:
    """A record by id or unique id prefix."""
    ref = ref.strip().lower()
    if not ref:
        raise UsageError(problem("err.unknown_record", hint_key="hint.record_ids", ref=ref))
    exact = [r for r in records if r.id == ref]
    matches = exact or [r for r in records if r.id.startswith(ref)]
    ids = sorted({r.id for r in matches})
    if len(ids) > 1:
        raise UsageError(problem("err.ambiguous_record", hint_key="hint.more_chars", ref=ref,
                                 ids=", ".join(ids[:8])))
    if not matches:
        raise UsageError(problem("err.unknown_record", hint_key="hint.record_ids", ref=ref))
    return matches[-1]


def _current_figure(loaded: Loaded, ref: str) -> Record:
    records = loaded.records.records
    record = find_record(records, ref)
    state = record_states(records)[record.id]
    if state.state == "retraction":
        raise UsageError(problem("err.is_retraction", hint_key="hint.relog", id=record.id,
                                 of=state.by))
    if state.state == "retracted":
        raise UsageError(problem("err.already_retracted", hint_key="hint.relog",
                                 id=record.id, by=state.by))
    if state.state == "replaced":
        raise UsageError(problem("err.replaced", hint_key="hint.use_current", id=record.id,
                                 by=state.by))
    return record


def amend(loaded: Loaded, ref: str, value: str, now: datetime, *, day: date | None = None,
          note: str | None = None, by: str = "") -> Correction:
    """Append a replacement for a current record (`revises = <id>`). The record is found
    current under the lock: two amends of it at once cannot both replace it."""
    with decided(loaded) as current:
        return _amend(current, ref, value, now, day, note, by)


def _amend(loaded: Loaded, ref: str, value: str, now: datetime, day: date | None,
           note: str | None, by: str) -> Correction:
    old = _current_figure(loaded, ref)
    target = series_target(loaded.plan, old.series)
    amount = read_value(loaded.plan, target, value)
    new_day = day or old.date
    new_note = old.note if note is None else note
    if (amount.value, new_day, new_note) == (old.value, old.date, old.note):
        raise UsageError(problem("err.amend_same", hint_key="hint.amend", id=old.id))
    record = Record(
        id=unique_id(loaded.id_taken), series=old.series, date=new_day, value=amount.value,
        unit=amount.unit, entered=value.strip(), note=new_note, source=old.source,
        logged=now, by=by, vintage=old.vintage, revises=old.id)
    writing.append_record(loaded.plan.records_path, record)
    return Correction(record, old, target)


def retract(loaded: Loaded, ref: str, now: datetime, *, why: str = "", by: str = ""
            ) -> Correction:
    """Append a retraction of a current record (`retracts = <id>`, no value), and of every
    earlier figure it replaced: a figure removed from the record does not let the one it
    corrected come back (`undo` of an amendment does, on purpose). Decided under the lock:
    an amend of the same record at once either comes first (and is retracted too) or
    finds the record retracted."""
    with decided(loaded) as current:
        return _retract_chain(current, ref, now, why, by)


def _retract_chain(loaded: Loaded, ref: str, now: datetime, why: str, by: str
                   ) -> Correction:
    old = _current_figure(loaded, ref)
    if not old.revises:
        return _retract(loaded, old, now, why, by)
    by_id = {r.id: r for r in loaded.records.records}
    records = _retractions(_replaced(old, by_id), set(by_id), now, why, by)
    writing.append_records(loaded.plan.records_path, records)
    return Correction(records[0], old, series_target(loaded.plan, old.series))


def _replaced(record: Record, by_id: dict[str, Record]) -> list[Record]:
    """The record and every earlier figure it replaced (`revises`), latest first."""
    chain = [record]
    while chain[-1].revises in by_id and by_id[chain[-1].revises] not in chain:
        chain.append(by_id[chain[-1].revises])
    return chain


def _retractions(records: list[Record], taken: set[str], now: datetime, why: str, by: str
                 ) -> tuple[Record, ...]:
    """A retraction of each record, each with an id no record of the file holds."""
    ids = (rid for rid in distinct_ids() if rid not in taken)
    return tuple(Record(id=next(ids), series=r.series, date=None, value=None, note=why,
                        logged=now, by=by, retracts=r.id) for r in records)


def _retract(loaded: Loaded, old: Record, now: datetime, why: str, by: str) -> Correction:
    target = series_target(loaded.plan, old.series)
    record = Record(id=unique_id(loaded.id_taken), series=old.series, date=None, value=None,
                    note=why, logged=now, by=by, retracts=old.id)
    writing.append_record(loaded.plan.records_path, record)
    return Correction(record, old, target)


def undo(loaded: Loaded, now: datetime, *, by: str = "", why: str = "") -> Correction:
    """Retract the last current figure logged by `by` (an amendment's original returns).
    Chosen under the lock: two undos at once retract two figures, never one twice."""
    with decided(loaded) as current:
        return _undo(current, now, by, why)


def _undo(loaded: Loaded, now: datetime, by: str, why: str) -> Correction:
    current = {r.id for r in effective(loaded.records.records)}
    mine = [r for r in loaded.records.records if r.by == by and r.id in current]
    if not mine:
        raise BjtrackError(problem("err.nothing_to_undo", hint_key="hint.undo", by=by or "?"))
    last = max(enumerate(mine), key=lambda item: (
        item[1].logged.timestamp() if item[1].logged else float("-inf"), item[0]))[1]
    return _retract(loaded, last, now, why, by)


@dataclass(frozen=True)
class ImportUndone:
    batch: str
    retractions: tuple[Record, ...]  # appended, one per record retracted
    figures: int  # the current figures it took back (an amended one and its original: 1)


def undo_import(loaded: Loaded, batch: str, now: datetime, *, by: str = "", why: str = ""
                ) -> ImportUndone:
    """Retract every current record an import added (and the current amendment of any of
    them, with what it replaced, as `rm` does), in one append: all or none. Decided under
    the lock, so that two undos of one import retract each record once."""
    with decided(loaded) as current:
        return _undo_import(current, batch.strip(), now, by, why)


def _undo_import(loaded: Loaded, batch: str, now: datetime, by: str, why: str
                 ) -> ImportUndone:
    records = loaded.records.records
    ours = {r.id for r in records if batch and r.batch == batch}
    if not ours:
        raise UsageError(problem("err.unknown_import", hint_key="hint.unknown_import",
                                 batch=batch))
    by_id = {r.id: r for r in records}
    # each current figure the import added or that amends one it added, and every figure
    # it replaced, as `rm` takes them back
    chains = [chain for chain in (_replaced(r, by_id) for r in effective(records))
              if any(link.id in ours for link in chain)]
    if not chains:
        raise BjtrackError(problem("err.import_undone", hint_key="hint.import_undone",
                                   batch=batch, count=len(ours)))
    retractions = _retractions([r for chain in chains for r in chain], set(by_id), now, why,
                               by)
    writing.append_records(loaded.plan.records_path, retractions)
    return ImportUndone(batch, retractions, len(chains))


def current_records(loaded: Loaded) -> list[Record]:
    """The current figures, for completing a RECORD argument."""
    return effective(loaded.records.records)
