"""Where a target stands: pure functions of (target, records, as_of). No I/O, no clock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation, localcontext

from bjtrack.domain.amounts import PERCENT
from bjtrack.domain.dates import add_months, add_years
from bjtrack.domain.model import Kind, Period, Plan, Record, Report, Status, Target, Verdict, evolve

ONE = Decimal(1)
ZERO = Decimal(0)
DEFAULT_RATE_TOLERANCE = Decimal("0.5")  # percentage points, for "~" on rates
DEFAULT_AMOUNT_TOLERANCE = Decimal("0.05")  # share of the target, for "~" on amounts
DAYS_PER_MONTH = Decimal("365.25") / 12
DERIVED_RATE_PLACES = Decimal("0.01")  # a rate derived from levels is stated like a published
                                       # one, a little finer: 5.01%, judged as shown


# --------------------------------------------------------------------------- records

def effective(records: Iterable[Record]) -> list[Record]:
    """The current figures: drop what was retracted, then what a revision replaced."""
    records = list(records)
    retracted = {r.retracts for r in records if r.retracts}
    live = [r for r in records if not r.retracts and r.id not in retracted]
    replaced = {r.revises for r in live if r.revises}
    return [r for r in live if r.id not in replaced and r.value is not None]


def by_series(records: Iterable[Record]) -> dict[str, list[Record]]:
    """Current figures per series, in date order (ties: the order they were logged)."""
    grouped: dict[str, list[Record]] = defaultdict(list)
    for record in effective(records):
        grouped[record.series].append(record)
    for series in grouped.values():
        series.sort(key=lambda r: r.date or date.min)  # stable: file order breaks ties
    return dict(grouped)


def _value(record: Record) -> Decimal:
    assert record.value is not None
    return record.value


def _date(record: Record) -> date:
    assert record.date is not None
    return record.date


# --------------------------------------------------------------------------- helpers

def meets(value: Decimal, target: Decimal, comparison: str, tolerance: Decimal = ZERO) -> bool:
    if comparison == ">":
        return value > target
    if comparison == ">=":
        return value >= target
    if comparison == "<":
        return value < target
    if comparison == "<=":
        return value <= target
    return abs(value - target) <= tolerance


def tolerance_of(target: Target, value: Decimal) -> Decimal:
    if target.tolerance is not None:
        return target.tolerance
    if target.unit == PERCENT:
        return DEFAULT_RATE_TOLERANCE
    return abs(value) * DEFAULT_AMOUNT_TOLERANCE


def fraction(value: Decimal) -> Decimal:
    """Round a fraction to 6 places for output."""
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def day_span(start: date, end: date) -> int:
    """Days from start through end, both counted."""
    return (end - start).days + 1


def linear_elapsed(start: date, due: date, day: date) -> Decimal:
    share = Decimal(day_span(start, day)) / Decimal(day_span(start, due))
    return min(ONE, max(ZERO, share))


def months_between(start: date, end: date) -> Decimal:
    """Months from one date to another: whole months between month ends, else by days."""
    if start.month != (start + timedelta(days=1)).month and \
            end.month != (end + timedelta(days=1)).month:
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


def recurring_periods(target: Target, until: date) -> list[Period]:
    """Each period of a recurring target from start to due (or to `until` if open-ended)."""
    assert target.start is not None
    step = {"year": 12, "quarter": 3, "month": 1}[target.every or "year"]
    periods: list[Period] = []
    start = target.start
    end_limit = target.due or max(until, target.start)
    index = 0
    while True:
        begin = add_months(start, step * index) if step != 12 else add_years(start, index)
        if begin > end_limit:
            break
        nxt = add_months(start, step * (index + 1)) if step != 12 \
            else add_years(start, index + 1)
        due = nxt - timedelta(days=1)
        if target.due and due > target.due:
            due = target.due
        periods.append(Period(begin, due))
        index += 1
        if index > 1200:  # a century of months: far past any plan
            break
    return periods or [Period(start, target.due or start)]


# --------------------------------------------------------------------------- status

def evaluate(target: Target, series: dict[str, list[Record]], as_of: date, plan: Plan
             ) -> Status:
    """The status of one target or indicator on `as_of`."""
    if target.is_indicator:
        return _indicator(target, series.get(target.series, []), as_of, plan)
    period = period_for(target, as_of)
    judged = evolve(target, start=period.start, due=period.due)
    status = _target_status(judged, series, as_of, plan)
    return evolve(status, target=target, period=period if target.every else None)


def history(target: Target, series: dict[str, list[Record]], as_of: date, plan: Plan
            ) -> list[Status]:
    """One status per period of a recurring target, each past one judged after its end."""
    if target.is_indicator or not target.every:
        return [evaluate(target, series, as_of, plan)]
    out = []
    for period in recurring_periods(target, as_of):
        if period.start > as_of:
            break
        day = min(as_of, period.due + timedelta(days=1))
        judged = evolve(target, start=period.start, due=period.due, every=None)
        status = _target_status(judged, series, day, plan)
        out.append(evolve(status, target=target, period=period))
    return out


def _indicator(target: Target, records: Sequence[Record], as_of: date, plan: Plan) -> Status:
    window = [r for r in records if _date(r) <= as_of
              and (target.start is None or _date(r) >= target.start)]
    return indicator_status(target, window[-1] if window else None, len(window), as_of, plan)


def indicator_window(target: Target, as_of: date) -> tuple[date | None, date]:
    """The dates of the records an indicator counts on `as_of` (None: no lower bound)."""
    return target.start, as_of


def indicator_status(target: Target, latest: Record | None, count: int, as_of: date,
                     plan: Plan) -> Status:
    """An indicator's status from the latest of the `count` current records in its
    `indicator_window`: all it depends on, so a caller with many records can pass these."""
    if latest is None:
        return Status(target=target, as_of=as_of, verdict=None)
    stale = (as_of - _date(latest)).days > plan.stale_days
    return Status(target=target, as_of=as_of, verdict=None, actual=_value(latest),
                  actual_date=_date(latest), records=count, stale=stale)


def _derived_yoy(records: Sequence[Record]) -> list[Record]:
    """Growth rates (%) from level records: each against the same date a year before,
    rounded to two decimal places."""
    by_date = {_date(r): r for r in records}
    out = []
    for record in records:
        before = by_date.get(add_years(_date(record), -1))
        if before is None or _value(before) == 0:
            continue
        rate = ((_value(record) / _value(before) - ONE) * 100).quantize(
            DERIVED_RATE_PLACES, rounding=ROUND_HALF_UP)
        out.append(evolve(record, value=rate, unit=PERCENT))
    return out


def _target_status(target: Target, series: dict[str, list[Record]], as_of: date, plan: Plan
                   ) -> Status:
    assert target.start is not None and target.due is not None
    records = series.get(target.series, [])
    end = min(as_of, target.due)
    if target.derive == "yoy":  # rates in the window need only the year before it
        first = add_years(target.start, -1)
        records = _derived_yoy([r for r in records if first <= _date(r) <= end])
    if target.kind is Kind.ANNUAL:
        records = _annual_values(target, records)
    window = [r for r in records if target.start <= _date(r) <= end]
    after_due = as_of > target.due
    base = Status(target=target, as_of=as_of, verdict=Verdict.NO_DATA, records=len(window),
                  target_value=target.target)
    if target.kind in (Kind.FLOW, Kind.LEVEL) and not target.hold:
        base = evolve(base, time_elapsed=fraction(linear_elapsed(target.start, target.due,
                                                                 min(as_of, target.due))))
    if not window:
        return base
    latest = window[-1]
    day = _date(latest)
    # an annual value is published once a year: stale only when a whole year is missing
    allowed = plan.stale_days + (366 if target.kind is Kind.ANNUAL else 0)
    stale = (min(as_of, target.due) - day).days > allowed
    goal = target.target
    if target.relative_to:
        goal = _value_at(series.get(target.relative_to, []), day)
        if goal is None:
            return evolve(base, actual=_value(latest), actual_date=day, stale=stale,
                          target_value=None)
    assert goal is not None
    status = evolve(base, actual_date=day, stale=stale, target_value=goal)
    if target.hold or target.kind is Kind.RATE or target.relative_to:
        return _judge_latest(target, goal, window, status, after_due)
    if target.kind is Kind.ANNUAL:
        return _judge_annual(target, goal, window, status, as_of, plan)
    return _judge_amount(target, goal, window, status, after_due, series, plan)


def _value_at(records: Sequence[Record], day: date) -> Decimal | None:
    """The other series' figure for the same date (the same period), if published.
    An earlier figure covers another period (上半年 vs 全年), so it is not used."""
    found = None
    for record in records:
        if _date(record) == day:
            found = _value(record)
    return found


def _annual_values(target: Target, records: Sequence[Record]) -> list[Record]:
    """A multi-year goal reads annual values: the records dated on the day its years end
    (the due date's month and day, e.g. Dec 31). A mid-year figure is not an annual one."""
    due = target.due
    assert due is not None
    return [r for r in records if add_years(_date(r), due.year - _date(r).year) == due]


def _stretch_met(target: Target, actual: Decimal) -> bool | None:
    """Whether the stretch level (力争…) was reached: reaching it is enough, so a strict
    floor (超7.5%) takes its stretch (力争8%) as 8% or more."""
    if target.stretch is None:
        return None
    comparison = {">": ">=", "<": "<="}.get(target.comparison, target.comparison)
    return meets(actual, target.stretch, comparison, tolerance_of(target, target.stretch))


def _judge_latest(target: Target, goal: Decimal, window: Sequence[Record], status: Status,
                  after_due: bool) -> Status:
    """Rates, relative targets and `hold` targets: the latest figure against the target."""
    actual = _value(window[-1])
    tolerance = tolerance_of(target, goal)
    if target.hold:
        broken = any(not meets(_value(r), goal, target.comparison, tolerance) for r in window)
        verdict = Verdict.BREACHED if broken else (
            Verdict.ACHIEVED if after_due else Verdict.ON_TRACK)
    else:
        ok = meets(actual, goal, target.comparison, tolerance)
        if after_due:
            verdict = Verdict.ACHIEVED if ok else Verdict.MISSED
        else:
            verdict = Verdict.ON_TRACK if ok else Verdict.BEHIND
    return evolve(status, verdict=verdict, actual=actual, gap=actual - goal,
                  stretch_met=_stretch_met(target, actual), time_elapsed=None)


def _aggregate(target: Target, window: Sequence[Record]) -> Decimal:
    if target.kind is Kind.FLOW and target.aggregate == "sum":
        return sum((_value(r) for r in window), ZERO)
    return _value(window[-1])


def _expected(target: Target, day: date, series: dict[str, list[Record]]) -> Decimal | None:
    """Share of the target expected by `day`: linear, monthly shares, or last year's shape."""
    assert target.start is not None and target.due is not None
    if target.pace is None:
        return None
    if isinstance(target.pace, tuple):
        return _share_by_months(target.start, target.due, day, target.pace)
    prior = evolve(target, start=add_years(target.start, -1), due=add_years(target.due, -1),
                   pace=None)
    records = [r for r in series.get(target.series, [])
               if prior.start is not None and prior.due is not None
               and prior.start <= _date(r) <= prior.due]
    if not records:
        return None
    total = _aggregate(prior, records)
    so_far = [r for r in records if _date(r) <= add_years(day, -1)]
    if total <= 0 or not so_far:
        return None
    return min(ONE, _aggregate(prior, so_far) / total)


def _share_by_months(start: date, due: date, day: date, shares: tuple[Decimal, ...]
                     ) -> Decimal:
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


def _judge_amount(target: Target, goal: Decimal, window: Sequence[Record], status: Status,
                  after_due: bool, series: dict[str, list[Record]], plan: Plan) -> Status:
    """Flows and levels: progress against the target and against the time elapsed."""
    assert target.start is not None and target.due is not None
    actual = _aggregate(target, window)
    day = _date(window[-1])
    baseline = target.baseline
    if baseline is None:
        baseline = ZERO if target.kind is Kind.FLOW else (
            _value(window[0]) if len(window) > 1 else None)
    elapsed = linear_elapsed(target.start, target.due, day)
    seasonal = _expected(target, day, series)
    expected = elapsed if seasonal is None else seasonal
    tolerance = tolerance_of(target, goal)
    ok = meets(actual, goal, target.comparison, tolerance)
    progress = projected = None
    no_progress = False
    if baseline is not None and goal != baseline:
        progress = (actual - baseline) / (goal - baseline)
        moved = actual - baseline
        if target.is_ceiling or (moved > 0) == (goal > baseline):
            projected = baseline + moved / expected if expected > 0 else None
        else:
            no_progress = True
    if target.is_ceiling:
        # judged on where the period is heading: a level falling from above its ceiling
        # (下降…) is not behind for being above it mid-way; a flow over its cap projects over
        broken = not ok if projected is None else not meets(projected, goal, target.comparison)
        if after_due and day < target.due:  # the period is over but its last figure is not
            verdict = Verdict.MISSED if broken else Verdict.ACHIEVED  # in: judge where it led
        elif after_due:
            verdict = Verdict.ACHIEVED if ok else Verdict.MISSED
        else:
            verdict = Verdict.BEHIND if broken else Verdict.ON_TRACK
    elif target.comparison == "~" and not after_due and \
            (actual if projected is None else projected) > goal + tolerance:
        verdict = Verdict.BEHIND  # heading over the band of an approximate target
    elif ok:  # about (~) can still overshoot its band before the period ends
        verdict = Verdict.ON_TRACK if target.comparison == "~" and not after_due \
            else Verdict.ACHIEVED
    elif after_due:
        verdict = Verdict.MISSED
    elif progress is None:
        verdict = Verdict.NO_PACE
    elif progress >= expected:
        verdict = Verdict.ON_TRACK
    elif progress >= plan.at_risk_band * expected:
        verdict = Verdict.AT_RISK
    else:
        verdict = Verdict.BEHIND
    remaining = required = None
    if not target.is_ceiling and not ok and goal - actual > 0:
        remaining = goal - actual
        months = months_between(day, target.due)
        required = remaining / months if months > 0 else None
    return evolve(
        status, verdict=verdict, actual=actual, baseline=baseline,
        progress=fraction(progress) if progress is not None else None,
        time_elapsed=fraction(elapsed),
        expected=fraction(expected) if target.pace is not None else None,
        projected=projected, gap=actual - goal, stretch_met=_stretch_met(target, actual),
        remaining=remaining, required_rate=required, no_progress=no_progress,
    )


def _judge_annual(target: Target, goal: Decimal, window: Sequence[Record], status: Status,
                  as_of: date, plan: Plan) -> Status:
    """Multi-year goals: required vs observed compound growth from the baseline."""
    assert target.start is not None and target.due is not None
    latest = window[-1]
    actual, day = _value(latest), _date(latest)
    if target.baseline is not None:  # the value at the end of the year before the first
        baseline, base_day = target.baseline, _year_end_on_or_before(target.start, target.due)
    else:
        baseline, base_day = _value(window[0]), _date(window[0])
    years = years_between(base_day, target.due)
    required = cagr(baseline, goal, years)
    elapsed_years = years_between(base_day, day)
    observed = cagr(baseline, actual, elapsed_years) if day > base_day else None
    milestones: list[tuple[date, Decimal]] = []
    if required is not None:
        for k in range(1, int(years) + 1):
            milestones.append((add_years(base_day, k), baseline * (ONE + required) ** k))
    projected = baseline * (ONE + observed) ** years if observed is not None else None
    ok = meets(actual, goal, target.comparison, tolerance_of(target, goal))
    final_year = day.year >= target.due.year
    if ok and (final_year or not (target.is_ceiling or target.comparison == "~")):
        verdict = Verdict.ACHIEVED
    elif as_of >= target.due and final_year:
        verdict = Verdict.MISSED
    elif observed is None or required is None:
        verdict = Verdict.NO_PACE
    elif target.is_ceiling:  # must fall (or grow no faster than allowed)
        verdict = Verdict.ON_TRACK if observed <= required else Verdict.BEHIND
    elif required <= 0:
        verdict = Verdict.ON_TRACK if observed >= required else Verdict.BEHIND
    else:
        ratio = observed / required
        verdict = (Verdict.ON_TRACK if ratio >= plan.cagr_on_track else
                   Verdict.AT_RISK if ratio >= plan.cagr_at_risk else Verdict.BEHIND)
    progress = (actual - baseline) / (goal - baseline) if goal != baseline else None
    return evolve(
        status, verdict=verdict, actual=actual, baseline=baseline,
        progress=fraction(progress) if progress is not None else None,
        time_elapsed=fraction(min(ONE, elapsed_years / years)) if years > 0 else None,
        projected=projected, gap=actual - goal, stretch_met=_stretch_met(target, actual),
        required_rate=fraction(required) if required is not None else None,
        observed_rate=fraction(observed) if observed is not None else None,
        remaining=goal - actual if not ok and not target.is_ceiling and goal > actual else None,
        milestones=tuple(milestones),
    )


def _year_end_on_or_before(day: date, due: date) -> date:
    """The last end of a plan year (an anniversary of `due`) on or before `day`:
    a baseline given for start = 2022-01-01 is the value of 2021-12-31."""
    end = add_years(due, day.year - due.year)
    return end if end <= day else add_years(due, day.year - due.year - 1)


# --------------------------------------------------------------------------- report

def report(plan: Plan, records: Iterable[Record], as_of: date, group: str | None = None,
           warnings: Sequence[str] = ()) -> Report:
    """The status of every target and indicator of a plan on `as_of`."""
    return report_series(plan, by_series(records), as_of, group, warnings)


def chosen_targets(plan: Plan, group: str | None) -> list[Target]:
    return [t for t in plan.targets if group is None or t.group == group]


def reads(targets: Iterable[Target], as_of: date, indicators: bool = True
          ) -> dict[str, tuple[date | None, date | None]]:
    """The dates of the records `evaluate` reads for these targets on `as_of`, per series
    (None: unbounded): records outside them cannot change a status, so a caller holding
    many records may pass only these (in `by_series` order) to `report_series`.
    Without `indicators`, the indicators' own reads are left out (the caller passes their
    `indicator_status` summaries instead)."""
    spans: dict[str, tuple[date | None, date | None]] = {}

    def need(series: str, low: date | None, high: date) -> None:
        old = spans.get(series)
        if old is not None:
            low = None if low is None or old[0] is None else min(low, old[0])
            high = max(high, old[1] or high)
        spans[series] = (low, high)

    for target in targets:
        if target.is_indicator:
            if indicators:
                need(target.series, *indicator_window(target, as_of))
            continue
        period = period_for(target, as_of)
        high = min(as_of, period.due)
        low = period.start
        if target.derive or target.pace == "last-year":  # read the year before too
            low = add_years(low, -1) - timedelta(days=1)
        need(target.series, low, high)
        if target.relative_to:  # `_value_at`: the other series' figure of the same date
            need(target.relative_to, period.start, high)
    return spans


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
        day = None
        due = target.due
        if target.kind is Kind.ANNUAL and not target.derive and not target.every and \
                due is not None and due.month != 2:
            day = (due.month, due.day)
        read(target.series, day)
        if target.relative_to:
            read(target.relative_to, None)
    return {series: day for series, day in days.items() if day is not None}


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
        if target.kind in (Kind.FLOW, Kind.LEVEL, Kind.RATE) and not target.is_indicator \
                and not (target.kind is Kind.FLOW and target.aggregate == "sum") \
                and not (target.hold or target.derive or target.relative_to) \
                and target.pace != "last-year":
            ends.add(target.series)
    return {series for series in ends if readers[series] == 1}


def report_series(plan: Plan, series: dict[str, list[Record]], as_of: date,
                  group: str | None = None, warnings: Sequence[str] = (),
                  unread: dict[str, int] | None = None,
                  summaries: Mapping[str, tuple[Record | None, int]] | None = None) -> Report:
    """`report` on records already grouped by `by_series` (or on the `reads` of each series).
    `unread`: current records per series no target reads, if `series` lacks them.
    `summaries`: per indicator id, its latest record and count (see `indicator_status`)."""
    chosen = chosen_targets(plan, group)
    statuses = [indicator_status(t, *summaries[t.id], as_of, plan)
                if summaries is not None and t.id in summaries
                else evaluate(t, series, as_of, plan) for t in chosen]
    known = {t.series for t in plan.targets}
    if unread is None:
        unread = {name: len(series[name]) for name in set(series) - known}
    notes = list(warnings)
    for name in sorted(set(unread) - known):
        notes.append(f"{unread[name]} record(s) for series '{name}', which no target reads")
    return Report(
        as_of=as_of,
        targets=tuple(s for s in statuses if not s.target.is_indicator),
        indicators=tuple(s for s in statuses if s.target.is_indicator),
        warnings=tuple(notes),
    )
