"""`bjtrack log`: append one published figure (once: the same figure is not logged twice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bjtrack.domain.amounts import PERCENT, Amount, base_unit, parse_amount
from bjtrack.domain.errors import InputError, UsageError, problem
from bjtrack.domain.model import VINTAGES, Plan, Record, Target
from bjtrack.files import writing
from bjtrack.ops.load import Loaded, resolve_target, unique_id


@dataclass(frozen=True)
class LogResult:
    record: Record
    target: Target
    duplicate_of: Record | None = None  # the same figure was already there: nothing written
    revised: Record | None = None  # the record this one replaces

    @property
    def outside(self) -> bool:
        """The figure is dated outside its target's period (a one-off target only)."""
        found, day = self.target, self.record.date
        return bool(found.start and found.due and not found.every and day is not None
                    and not found.start <= day <= found.due)


def read_value(plan: Plan, target: Target, text: str) -> Amount:
    """What the user typed, in the series' base unit (a bare number takes that unit)."""
    amount = parse_amount(text)
    unit = plan.series_unit(target.series)
    if unit is None:  # a derived rate reads levels in whatever unit they were logged
        if amount.unit == PERCENT:
            raise InputError(problem("err.log.derived", hint_key="hint.log.derived",
                                     id=target.id))
        return amount
    return base_unit(amount, unit)


def log_value(loaded: Loaded, ref: str, value: str, day: date, now: datetime, *,
              note: str = "", source: str = "", by: str = "", vintage: str = "",
              revise: bool = False) -> LogResult:
    """Append one figure; a figure already recorded is not recorded twice."""
    plan = loaded.plan
    target = resolve_target(plan, ref)
    amount = read_value(plan, target, value)
    if vintage and vintage not in VINTAGES:
        raise UsageError(problem("import.vintage", hint_key="import.vintages", vintage=vintage,
                                 vintages=", ".join(VINTAGES)))
    same_day = loaded.on_day(target.series, day)
    for existing in same_day:
        if existing.value == amount.value and existing.vintage == vintage:
            return LogResult(existing, target, duplicate_of=existing)
    revised = None
    if revise or (vintage and any(r.vintage != vintage for r in same_day)):
        if not same_day:
            raise UsageError(problem("err.log.nothing_to_revise", hint_key="hint.log.revise",
                                     series=target.series, date=day))
        revised = same_day[-1]
    record = Record(
        id=unique_id(loaded.id_taken),
        series=target.series, date=day, value=amount.value, unit=amount.unit,
        entered=value.strip(), note=note, source=source, logged=now, by=by,
        vintage=vintage, revises=revised.id if revised else "",
    )
    writing.append_record(plan.records_path, record)
    return LogResult(record, target, revised=revised)
