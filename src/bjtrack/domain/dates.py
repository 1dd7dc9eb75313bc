"""As-of dates as statistical publications write them.

A figure for a period is as of the period's last day: "2022年6月" and "2022-06" are
2022-06-30, "2022Q2" and "2022年二季度" too, "2022H1" and "2022年上半年" as well,
"2022年1-6月" likewise, "2022" is 2022-12-31.
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from bjtrack.domain.amounts import normalise_text
from bjtrack.domain.errors import InputError, problem

ACCEPTED_FORMS = (
    "2022-06-30, 2022/6/30, 2022年6月30日, 2022年6月, 2022-06, 2022年1-6月, "
    "2022Q2, 2022年二季度, 2022H1, 2022年上半年, 2022年前三季度, 2022, 2022年"
)

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
# The years a date may name. A period, a pace or a year-on-year reading reaches a year or
# more before or past a date: year 1 or 9999 would fail there (OverflowError), not here.
FIRST_YEAR, LAST_YEAR = 1000, 9000


_MONTH_END = relativedelta(day=31)  # the last day of the month: day 31 or fewer
_NEXT_DAY = timedelta(days=1)


def month_end(year: int, month: int) -> date:
    return date(year, month, 1) + _MONTH_END


def _quarter(q: str) -> int:
    return _CN_DIGITS[q] if q in _CN_DIGITS else int(q)


_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"), "day"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(?:份|末|底)?$"), "month"),
    (re.compile(r"^(\d{4})年?(?:1|一)?[-~—–至到]{1,2}(\d{1,2})月(?:份|末|底)?$"), "ytd-month"),
    (re.compile(r"^(\d{4})[-\s]?[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})年?(?:第)?([1-4一二三四])季度(?:末|底)?$"), "quarter"),
    (re.compile(r"^(\d{4})年?前([1-4一二三])季度$"), "ytd-quarter"),
    (re.compile(r"^(\d{4})[-\s]?[Hh]([12])$"), "half"),
    (re.compile(r"^(\d{4})年?([上下])半年(?:末|底)?$"), "half"),
    (re.compile(r"^(\d{4})年?(?:全年|年末|年底)?$"), "year"),
]


def parse_date(text: str, first_day: bool = False) -> date:
    """Parse an as-of date in any accepted form; raise InputError naming the forms.

    A period stands for its last day; with first_day (a target's `start`) for its first:
    "2022年" is 2022-01-01, "2022Q3" 2022-07-01, "2022年1-6月" 2022-01-01."""
    cleaned = normalise_text(text).replace(" ", "")
    for pattern, kind in _FORMS:
        match = pattern.match(cleaned)
        if not match:
            continue
        try:
            end = _build(kind.removeprefix("ytd-"), match.groups())
            found = _first_day(kind, end) if first_day else end
        except _NoSuch as exc:
            raise _bad(text, exc.part, exc.value, exc.year, exc.month) from None
        if not in_calendar(found):
            raise _bad(text, "range")
        return found
    raise _bad(text, "form")


def in_calendar(day: date) -> bool:
    """Is the date within the years bjtrack reads (FIRST_YEAR to LAST_YEAR)?"""
    return FIRST_YEAR <= day.year <= LAST_YEAR


class _NoSuch(ValueError):
    """A month or day that does not exist ("month", "day"), or a year no date has
    ("range"): its value, and the year and month a day was looked for in."""

    def __init__(self, part: str, value: int, year: int = 0, month: int = 0) -> None:
        super().__init__(part, value)
        self.part, self.value, self.year, self.month = part, value, year, month


def _day(year: int, month: int, day: int) -> date:
    if not 1 <= year <= 9999:
        raise _NoSuch("range", year)
    if not 1 <= month <= 12:
        raise _NoSuch("month", month)
    if not 1 <= day <= month_days(year, month):
        raise _NoSuch("day", day, year, month)
    return date(year, month, day)


def _first_day(kind: str, end: date) -> date:
    if kind == "day":
        return end
    if kind == "month":
        return end.replace(day=1)
    if kind == "quarter":
        return date(end.year, end.month - 2, 1)
    if kind == "half":
        return date(end.year, end.month - 5, 1)
    return date(end.year, 1, 1)  # a year, or a year to date (1-6月, 前三季度)


def _build(kind: str, groups: tuple[str | None, ...]) -> date:
    year = int(groups[0] or 0)
    if kind == "day":
        return _day(year, int(groups[1] or 0), int(groups[2] or 0))
    _day(year, 1, 1)  # the year exists
    if kind == "month":
        month = int(groups[1] or 0)
        if not 1 <= month <= 12:
            raise _NoSuch("month", month)
        return month_end(year, month)
    if kind == "quarter":
        return month_end(year, 3 * _quarter(groups[1] or "1"))
    if kind == "half":
        second = groups[1] in ("2", "下")
        return month_end(year, 12 if second else 6)
    return date(year, 12, 31)


def _bad(raw: str, reason: str, value: int = 0, year: int = 0, month: int = 0
         ) -> InputError:
    """reason: "form", "range" (a year outside FIRST_YEAR to LAST_YEAR), or the "month"
    or "day" that does not exist (the i18n entries err.date.*)."""
    shown = raw if len(raw) <= 40 else raw[:37] + "…"
    hint = "hint.date.range" if reason == "range" else "hint.forms"
    return InputError(problem(f"err.date.{reason}", hint_key=hint, text=shown,
                              forms=ACCEPTED_FORMS, value=value, year=year, month=month,
                              low=FIRST_YEAR, high=LAST_YEAR))


def month_days(year: int, month: int) -> int:
    """Days in a month."""
    return month_end(year, month).day


def is_month_end(day: date) -> bool:
    return day.day > 27 and (day + _NEXT_DAY).day == 1


@functools.lru_cache(maxsize=1 << 14)
def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; Feb 29 becomes Feb 28, a month end stays one."""
    moved = day + relativedelta(years=years)
    return moved + _MONTH_END if is_month_end(day) else moved


@functools.lru_cache(maxsize=1 << 14)
def add_months(day: date, months: int) -> date:
    """The same day `months` later, keeping month ends at month ends."""
    moved = day + relativedelta(months=months)
    return moved + _MONTH_END if is_month_end(day) else moved
