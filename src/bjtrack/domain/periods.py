"""Periods and elapsed time: which period a target is judged over, how much of it has
passed, and growth over years. Pure date and Decimal arithmetic."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext

from bjtrack.domain.amounts import rounded
from bjtrack.domain.dates import add_months, add_years, is_month_end, month_end
from bjtrack.domain.model import Period, Target

ONE = Decimal(1)
ZERO = Decimal(0)
DAYS_PER_MONTH = Decimal("365.25") / 12
_STEPS = {"year": 12, "quarter": 3, "month": 1}
_MAX_PERIODS = 1200  # a century of months: far past any plan


def fraction(value: Decimal) -> Decimal:
    """Round a fraction to 6 places for output."""
    return rounded(value, _SIX_PLACES)


_SIX_PLACES = Decimal("0.000001")


def day_span(start: date, end: date) -> int:
    """Days from start through end, both counted."""
    return (end - start).days + 1


def linear_elapsed(start: date, due: date, day: date) -> Decimal:
    share = Decimal(day_span(start, day)) / Decimal(day_span(start, due))
    return min(ONE, max(ZERO, share))


def _month_ends(start: date, day: date) -> int:
    """How many month ends fall from `start` through `day`, both counted."""
    if day < start:
        return 0
    count = (day.year - start.year) * 12 + day.month - start.month
    return count + (1 if is_month_end(day) else 0)


def month_elapsed(start: date, due: date, day: date, partial: bool = False) -> Decimal:
    """时间进度 as reports count it: whole months completed by `day` over the months of the
    period (a 1—6月 figure of a year is 6/12). With `partial`, a figure dated within a
    month counts that month by its days (a weekly figure is not put back to the month
    before). A period without a whole month falls back to days."""
    total = _month_ends(start, due) + (0 if is_month_end(due) else 1)
    if total <= 0:
        return linear_elapsed(start, due, day)
    if day >= due:
        return ONE
    done = Decimal(_month_ends(start, day))
    if partial and day >= start and not is_month_end(day):  # a figure dated mid-month:
        first = max(start, day.replace(day=1))                # that month by its days
        last = month_end(day.year, day.month)
        done += Decimal(day_span(first, day)) / Decimal(day_span(first, last))
    return min(ONE, max(ZERO, done / Decimal(total)))


def elapsed(start: date, due: date, day: date, basis: str, partial: bool = False
            ) -> Decimal:
    """The share of the period gone by `day`, in whole months or (basis "days") in days;
    `partial` as in `month_elapsed`."""
    if basis == "days":
        return linear_elapsed(start, due, day)
    return month_elapsed(start, due, day, partial)


def months_between(start: date, end: date) -> Decimal:
    """Months from one date to another: whole months between month ends, else by days."""
    if is_month_end(start) and is_month_end(end):
        return Decimal((end.year - start.year) * 12 + end.month - start.month)
    return Decimal((end - start).days) / DAYS_PER_MONTH


def years_between(start: date, end: date) -> Decimal:
    if (start.month, start.day) == (end.month, end.day):
        return Decimal(end.year - start.year)
    return Decimal((end - start).days) / Decimal("365.25")


def cagr(first: Decimal, last: Decimal, years: Decimal) -> Decimal | None:
    """Compound annual growth rate as a fraction; None where it is not defined."""
    if years <= 0 or first <= 0 or last <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        try:
            return (last / first) ** (ONE / years) - ONE
        except (InvalidOperation, DivisionByZero):
            return None


def period_for(target: Target, as_of: date) -> Period:
    """The period a target is judged over on `as_of` (the current one if it recurs)."""
    assert target.start is not None
    if not target.every:
        assert target.due is not None
        return Period(target.start, target.due)
    periods = recurring_periods(target, as_of)
    for period in periods:
        if period.start <= as_of <= period.due:
            return period
    return periods[-1] if as_of > periods[-1].due else periods[0]


def _step(start: date, months: int, index: int) -> date:
    """The start of period `index` of periods `months` long."""
    return add_years(start, index) if months == 12 else add_months(start, months * index)


def recurring_periods(target: Target, until: date) -> list[Period]:
    """Each period of a recurring target from start to due (or to `until` if open-ended)."""
    assert target.start is not None
    months = _STEPS[target.every or "year"]
    periods: list[Period] = []
    start = target.start
    end_limit = target.due or max(until, target.start)
    for index in range(_MAX_PERIODS + 1):
        begin = _step(start, months, index)
        if begin > end_limit:
            break
        due = _step(start, months, index + 1) - timedelta(days=1)
        if target.due and due > target.due:
            due = target.due
        periods.append(Period(begin, due))
    return periods or [Period(start, target.due or start)]


def share_by_months(start: date, due: date, day: date, shares: tuple[Decimal, ...]
                    ) -> Decimal:
    """The share of a year's work done by `day` when each month carries its own share
    (a month under way by its days: a month-end figure takes whole months)."""
    months = (due.year - start.year) * 12 + due.month - start.month + 1
    weights = [shares[(start.month - 1 + i) % 12] for i in range(months)]
    done = ZERO
    for i, weight in enumerate(weights):
        month_start = add_months(start.replace(day=1), i)
        month_end = add_months(month_start, 1) - timedelta(days=1)
        if day >= month_end:
            done += weight
        elif day >= month_start:
            done += weight * Decimal(day_span(month_start, day)) / Decimal(
                day_span(month_start, month_end))
    total = sum(weights, ZERO)
    return min(ONE, done / total) if total else ONE


def year_end_on_or_before(day: date, due: date) -> date:
    """The last end of a plan year (an anniversary of `due`) on or before `day`:
    a baseline given for start = 2022-01-01 is the value of 2021-12-31."""
    end = add_years(due, day.year - due.year)
    return end if end <= day else add_years(due, day.year - due.year - 1)
