"""`bjtrack log`: append one published figure (once: the same figure is not logged twice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bjtrack.domain.amounts import PERCENT, Amount, base_unit, parse_amount
from bjtrack.domain.dates import add_years
from bjtrack.domain.errors import InputError, UsageError, problem
from bjtrack.domain.model import VINTAGES, Plan, Record, Target, split_qualifier
from bjtrack.files import writing
from bjtrack.ops.load import Loaded, decided, resolve_target, unique_id


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


_MAGNITUDES = (("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4))
_PLAUSIBLE = Decimal(1000)  # a bare figure this many times smaller than the target is a slip


def implausible(target: Target, text: str, amount: Amount) -> str | None:
    """A bare number far too small for the target (150 on 300亿元): the amount it most
    likely means ('150亿元'), else None."""
    goal = target.target
    if amount.unit or target.unit in ("", PERCENT) or not goal or not amount.value:
        return None
    if abs(amount.value) * _PLAUSIBLE >= abs(goal):
        return None
    word, _ = min(_MAGNITUDES, key=lambda m: abs((abs(amount.value) * m[1] / abs(goal)).ln()))
    return f"{text.strip()}{word}{target.unit}"


def read_value(plan: Plan, target: Target, text: str, exact: bool = False) -> Amount:
    """What the user typed, in the series' base unit (a bare number takes that unit), the
    word it was published with aside (9%左右: 9%). A bare number implausibly small for
    the target is refused unless `exact`."""
    text = split_qualifier(text)[1]
    amount = parse_amount(text)
    meant = None if exact else implausible(target, text, amount)
    if meant is not None:
        raise InputError(problem("err.log.implausible", hint_key="hint.log.implausible",
                                 value=text.strip(), target=target.id, meant=meant))
    unit = plan.series_unit(target.series)
    if unit is None:  # a derived rate reads levels in whatever unit they were logged
        if amount.unit == PERCENT:
            raise InputError(problem("err.log.derived", hint_key="hint.log.derived",
                                     id=target.id))
        return amount
    return base_unit(amount, unit)


def last_month_end(today: date) -> date:
    """The end of the last complete month: the period a figure published now covers."""
    return today.replace(day=1) - timedelta(days=1)


def counts_somewhere(plan: Plan, series: str, day: date) -> bool:
    """Whether a figure of `series` dated `day` falls in some period of a target reading it
    (the year before too, for a derived rate or last year's pace); an indicator counts
    any date."""
    readers = [t for t in plan.targets if series in (t.series, t.relative_to)]
    if not readers or any(t.is_indicator or t.start is None for t in readers):
        return True
    for target in readers:
        assert target.start is not None
        first = target.start
        if target.derive or target.pace == "last-year" or target.change:
            first = add_years(first, -1) - timedelta(days=1)
        if first <= day and (target.due is None or day <= target.due):
            return True
    return False


def log_value(loaded: Loaded, ref: str, value: str, day: date, now: datetime, *,
              note: str = "", source: str = "", by: str = "", vintage: str = "",
              revise: bool = False, exact: bool = False, force: bool = False) -> LogResult:
    """Append one figure; a figure already recorded is not recorded twice (looked for
    under the lock: the same figure logged twice at once is written once). A bare number
    implausible for the target is refused unless `exact`, a date outside every period of
    the series' targets unless `force`."""
    plan = loaded.plan
    target = resolve_target(plan, ref)
    amount = read_value(plan, target, value, exact)
    if not force and not counts_somewhere(plan, target.series, day):
        raise UsageError(problem("err.log.outside", hint_key="hint.log.outside",
                                 date=day.isoformat(), series=target.series))
    if vintage and vintage not in VINTAGES:
        raise UsageError(problem("import.vintage", hint_key="import.vintages", vintage=vintage,
                                 vintages=", ".join(VINTAGES)))
    with decided(loaded) as current:
        return _log(current, target, amount, value, day, now, note, source, by,
                    vintage, revise)


def _log(loaded: Loaded, target: Target, amount: Amount, value: str, day: date,
         now: datetime, note: str, source: str, by: str, vintage: str, revise: bool
         ) -> LogResult:
    plan = loaded.plan
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
