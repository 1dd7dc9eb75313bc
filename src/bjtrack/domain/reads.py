"""Which records a status needs: per series, the dates `evaluation.evaluate` reads, so a
caller holding many records (the records index) may pass only these."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from bjtrack.domain.dates import add_years
from bjtrack.domain.model import Kind, Plan, Target
from bjtrack.domain.periods import period_for

Span = tuple[date | None, date | None]


def chosen_targets(plan: Plan, group: str | None) -> list[Target]:
    return [t for t in plan.targets if group is None or t.group == group]


def indicator_window(target: Target, as_of: date) -> tuple[date | None, date]:
    """The dates of the records an indicator counts on `as_of` (None: no lower bound)."""
    return target.start, as_of


def _widen(spans: dict[str, Span], series: str, low: date | None, high: date) -> None:
    old = spans.get(series)
    if old is not None:
        low = None if low is None or old[0] is None else min(low, old[0])
        high = max(high, old[1] or high)
    spans[series] = (low, high)


def reads(targets: Iterable[Target], as_of: date, indicators: bool = True
          ) -> dict[str, Span]:
    """The dates of the records `evaluate` reads for these targets on `as_of`, per series
    (None: unbounded): records outside them cannot change a status, so a caller holding
    many records may pass only these (in `by_series` order) to `report_series`.
    Without `indicators`, the indicators' own reads are left out (the caller passes their
    `indicator_status` summaries instead)."""
    spans: dict[str, Span] = {}
    for target in targets:
        if target.is_indicator:
            if indicators:
                _widen(spans, target.series, *indicator_window(target, as_of))
            continue
        period = period_for(target, as_of)
        high = min(as_of, period.due)
        low = period.start
        if target.derive or target.pace == "last-year" or target.change:  # the year before
            low = add_years(low, -1) - timedelta(days=1)
        _widen(spans, target.series, low, high)
        if target.relative_to:  # `_value_at`: the other series' figure of the same date
            _widen(spans, target.relative_to, period.start, high)
    return spans


def _annual_day(target: Target) -> tuple[int, int] | None:
    """The one day of the year a multi-year goal reads, where that alone is read."""
    due = target.due
    if target.kind is Kind.ANNUAL and not target.derive and not target.every and \
            due is not None and due.month != 2:
        return (due.month, due.day)
    return None


def year_end_reads(targets: Iterable[Target], indicators: bool = True
                   ) -> dict[str, tuple[int, int]]:
    """Series of which `evaluate` reads, for these targets, only the records dated on one
    day of the year, as (month, day): a multi-year goal reads its annual values alone, the
    records dated on the day its years end (`_annual_values`). A series is here when every
    one of these targets that reads it is such a goal, neither derived nor recurring, with
    its years ending outside February (where a leap day would count too), and no relative
    target compares with it; a caller may then pass `report_series` only those records.
    `indicators` as in `reads`."""
    days: dict[str, tuple[int, int] | None] = {}

    def read(series: str, day: tuple[int, int] | None) -> None:
        if days.get(series, day) != day:
            day = None
        days[series] = day

    for target in targets:
        if target.is_indicator:
            if indicators:
                read(target.series, None)
            continue
        read(target.series, _annual_day(target))
        if target.relative_to:
            read(target.relative_to, None)
    return {series: day for series, day in days.items() if day is not None}


def _judged_on_ends(target: Target) -> bool:
    """A flow, level or rate judged on its latest figure alone (see `end_reads`)."""
    return target.kind in (Kind.FLOW, Kind.LEVEL, Kind.RATE) and not target.is_indicator \
        and not (target.kind is Kind.FLOW and target.aggregate == "sum") \
        and not (target.hold or target.derive or target.relative_to or target.change) \
        and target.pace != "last-year"


def end_reads(targets: Iterable[Target]) -> set[str]:
    """Series of which `evaluate` reads, in the `reads` window, only the first and the last
    record and how many there are: each read by one target alone (no indicator, no
    relative target), a flow, level or rate judged on its latest figure (not summed, held,
    derived, relative, paced by last year's shape, nor a multi-year goal). A caller may
    pass `report_series`, for such a series, any list of as many records from the window
    that begins and ends with those two."""
    readers: dict[str, int] = defaultdict(int)
    ends = set()
    for target in targets:
        readers[target.series] += 1
        if target.relative_to:
            readers[target.relative_to] += 1
        if _judged_on_ends(target):
            ends.add(target.series)
    return {series for series in ends if readers[series] == 1}


def sum_reads(targets: Iterable[Target]) -> set[str]:
    """Series of which `evaluate` reads, in the `reads` window, only the sum of the values,
    the first and the last record and how many there are: each read by one summed flow
    alone (not held, derived, relative, nor paced by last year's shape). A caller may pass
    `report_series`, for such a series, any list of as many records from the window that
    begins and ends with those two and whose values add up to that sum."""
    readers: dict[str, int] = defaultdict(int)
    sums = set()
    for target in targets:
        readers[target.series] += 1
        if target.relative_to:
            readers[target.relative_to] += 1
        if target.kind is Kind.FLOW and target.aggregate == "sum" and not (
                target.hold or target.derive or target.relative_to
                or target.pace == "last-year"):
            sums.add(target.series)
    return {series for series in sums if readers[series] == 1}
