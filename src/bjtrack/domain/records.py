"""Which records are current: the one definition of what corrections leave standing.

A record is withdrawn by a retraction (`retracts = <id>`) and replaced by a revision
(`revises = <id>`); a retraction is no figure itself. Status, history, corrections and the
checks all ask this module (the records index answers the same question in SQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bjtrack.domain.model import Record


@dataclass(frozen=True)
class RecordState:
    """Where a record stands after every correction."""

    state: str  # "current", "replaced", "retracted", "retraction"
    by: str = ""  # the record that replaced or retracted it (or that a retraction withdraws)


def _corrected(records: Sequence[Record]) -> tuple[dict[str, str], dict[str, str]]:
    """Which ids were retracted and which replaced, each with the id that did it: a
    retracted record replaces nothing, so its revision does not count."""
    retracted_by = {r.retracts: r.id for r in records if r.retracts}
    replaced_by = {r.revises: r.id for r in records
                   if r.revises and not r.retracts and r.id not in retracted_by}
    return retracted_by, replaced_by


def record_states(records: Sequence[Record]) -> dict[str, RecordState]:
    """The state of every record id, for `history --all` and for corrections."""
    retracted_by, replaced_by = _corrected(records)
    states: dict[str, RecordState] = {}
    for record in records:
        if record.retracts:
            states[record.id] = RecordState("retraction", record.retracts)
        elif record.id in retracted_by:
            states[record.id] = RecordState("retracted", retracted_by[record.id])
        elif record.id in replaced_by:
            states[record.id] = RecordState("replaced", replaced_by[record.id])
        else:
            states[record.id] = RecordState("current")
    return states


def effective(records: Iterable[Record]) -> list[Record]:
    """The current figures: drop what was retracted, then what a revision replaced."""
    records = list(records)
    retracted_by, replaced_by = _corrected(records)
    return [r for r in records if not r.retracts and r.id not in retracted_by
            and r.id not in replaced_by and r.value is not None]


def by_series(records: Iterable[Record]) -> dict[str, list[Record]]:
    """Current figures per series, in date order (ties: the order they were logged)."""
    grouped: dict[str, list[Record]] = defaultdict(list)
    for record in effective(records):
        grouped[record.series].append(record)
    for series in grouped.values():
        series.sort(key=lambda r: r.date or date.min)  # stable: file order breaks ties
    return dict(grouped)
