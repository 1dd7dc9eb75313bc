"""`bjtrack history`: a target's records in date order, what became of each, and each
period's result if the target recurs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bjtrack.domain import evaluation
from bjtrack.domain.model import Plan, Record, Status, Target
from bjtrack.domain.records import RecordState, by_series, record_states
from bjtrack.ops.load import Loaded, resolve_target


@dataclass(frozen=True)
class History:
    plan: Plan
    target: Target
    records: tuple[Record, ...]  # shown, in date order
    states: dict[str, RecordState]  # what became of each shown record
    periods: tuple[Status, ...]  # each period's result, for a recurring target
    every: tuple[Record, ...] = ()  # all the records of the file, when asked for (charts)


def _shown(record: Record, states: dict[str, RecordState], by_id: dict[str, Record]) -> bool:
    """Current, or an earlier vintage of a current figure (初步 replaced by 核实)."""
    state = states[record.id]
    if state.state == "current":
        return True
    replacer = by_id.get(state.by)
    return state.state == "replaced" and replacer is not None \
        and replacer.vintage != record.vintage


def series_records(loaded: Loaded, target: Target, include_retracted: bool = False
                   ) -> list[Record]:
    """A target's figures in date order: the current ones and every earlier vintage of them
    (初步 replaced by 核实; status reads only the current one). With include_retracted also
    what corrections replaced or retracted, and the retractions themselves."""
    records = loaded.series_records(target.series)
    if not include_retracted:
        states = record_states(records)
        by_id = {r.id: r for r in records}
        records = [r for r in records if _shown(r, states, by_id)]
    return sorted(records, key=lambda r: r.date or date.min)


def history(loaded: Loaded, ref: str, as_of: date, *, include_retracted: bool = False,
            every: bool = False) -> History:
    """What `bjtrack history` shows; with `every`, all the file's records too."""
    plan = loaded.plan
    found = resolve_target(plan, ref)
    records = series_records(loaded, found, include_retracted)
    periods: Sequence[Status] = ()
    if found.every:
        periods = evaluation.history(found, by_series(loaded.records.records), as_of, plan)
    return History(plan, found, tuple(records), record_states(records), tuple(periods),
                   tuple(loaded.records.records) if every else ())
