"""Where a target stands: pure functions of (target, records, as_of). No I/O, no clock.

Which records are current is `domain.records`; periods and elapsed time are
`domain.periods`; which records a status needs is `domain.reads`. This module judges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bjtrack.domain.amounts import PERCENT, rounded
from bjtrack.domain.dates import add_years
from bjtrack.domain.errors import Problem
from bjtrack.domain.model import Kind, Plan, Record, Report, Status, Target, Verdict, evolve
from bjtrack.domain.periods import (
    ONE,
    ZERO,
    cagr,
    elapsed,
    fraction,
    months_between,
    period_for,
    recurring_periods,
    share_by_months,
    year_end_on_or_before,
    years_between,
)
from bjtrack.domain.reads import chosen_targets
from bjtrack.domain.records import by_series

DEFAULT_RATE_TOLERANCE = Decimal("0.5")  # percentage points, for "~" on rates
DEFAULT_AMOUNT_TOLERANCE = Decimal("0.05")  # share of the target, for "~" on amounts
DERIVED_RATE_PLACES = Decimal("0.01")  # a rate derived from levels is stated like a published
                                       # one, a little finer: 5.01%, judged as shown
Series = Mapping[str, Sequence[Record]]


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


def slack_meets(target: Target, value: Decimal, goal: Decimal) -> tuple[bool, bool]:
    """(met, met only within the tolerance). A floor written 左右 (or given a tolerance) is
    met from goal − tolerance up, overshoot included; a ceiling up to goal + tolerance;
    `~` is the two-sided band."""
    tolerance = tolerance_of(target, goal)
    if meets(value, goal, target.comparison, tolerance):
        return True, False
    if target.tolerance is None or target.comparison == "~":
        return False, False
    if target.comparison in (">", ">="):
        slack = value >= goal - tolerance
    else:
        slack = value <= goal + tolerance
    return slack, slack


def tolerance_of(target: Target, value: Decimal) -> Decimal:
    if target.tolerance is not None:
        return target.tolerance
    if target.unit == PERCENT:
        return DEFAULT_RATE_TOLERANCE
    return abs(value) * DEFAULT_AMOUNT_TOLERANCE


def _optional(value: Decimal | None) -> Decimal | None:
    return fraction(value) if value is not None else None


# --------------------------------------------------------------------------- status

def evaluate(target: Target, series: Series, as_of: date, plan: Plan) -> Status:
    """The status of one target or indicator on `as_of`."""
    if target.is_indicator:
        return _indicator(target, series.get(target.series, []), as_of, plan)
    period = period_for(target, as_of)
    judged = evolve(target, start=period.start, due=period.due)
    status = _target_status(judged, series, as_of, plan)
    return evolve(status, target=target, period=period if target.every else None)


def history(target: Target, series: Series, as_of: date, plan: Plan) -> list[Status]:
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


def indicator_status(target: Target, latest: Record | None, count: int, as_of: date,
                     plan: Plan) -> Status:
    """An indicator's status from the latest of the `count` current records in its
    `indicator_window`: all it depends on, so a caller with many records can pass these."""
    if latest is None:
        return Status(target=target, as_of=as_of, verdict=None)
    stale = (as_of - _date(latest)).days > plan.stale_days
    return Status(target=target, as_of=as_of, verdict=None, actual=_value(latest),
                  actual_date=_date(latest), records=count, stale=stale,
                  qualifier=latest.qualifier)


def _derived_yoy(records: Sequence[Record]) -> list[Record]:
    """Growth rates (%) from level records: each against the same date a year before,
    rounded to two decimal places."""
    by_date = {_date(r): r for r in records}
    out = []
    for record in records:
        before = by_date.get(add_years(_date(record), -1))
        if before is None or _value(before) == 0:
            continue
        rate = rounded((_value(record) / _value(before) - ONE) * 100, DERIVED_RATE_PLACES)
        out.append(evolve(record, value=rate, unit=PERCENT))
    return out


def _judged_records(target: Target, series: Series, end: date) -> Sequence[Record]:
    """The figures a target is judged on up to `end`: derived and annual ones made."""
    assert target.start is not None
    records: Sequence[Record] = series.get(target.series, [])
    if target.derive == "yoy":  # rates in the window need only the year before it
        first = add_years(target.start, -1)
        records = _derived_yoy([r for r in records if first <= _date(r) <= end])
    if target.kind is Kind.ANNUAL:
        records = _annual_values(target, records)
    return records


def _target_status(target: Target, series: Series, as_of: date, plan: Plan) -> Status:
    assert target.start is not None and target.due is not None
    end = min(as_of, target.due)
    window = [r for r in _judged_records(target, series, end) if target.start <= _date(r) <= end]
    after_due = as_of > target.due
    base = Status(target=target, as_of=as_of, verdict=Verdict.NO_DATA, records=len(window),
                  target_value=target.target)
    basis = plan.time_basis(target)
    if target.kind in (Kind.FLOW, Kind.LEVEL) and not target.hold:
        base = evolve(base, time_elapsed=fraction(elapsed(target.start, target.due, end, basis)),
                      time_basis=basis)
    if not window:
        return base
    latest = window[-1]
    day = _date(latest)
    # an annual value is published once a year: stale only when a whole year is missing
    allowed = plan.stale_days + (366 if target.kind is Kind.ANNUAL else 0)
    stale = (end - day).days > allowed
    goal = target.target
    if target.relative_to or target.change:
        goal = _resolved_goal(target, series, day)
        if goal is None:
            return evolve(base, actual=_value(latest), actual_date=day, stale=stale,
                          target_value=None)
    assert goal is not None
    status = evolve(base, actual_date=day, stale=stale, target_value=goal,
                    qualifier=latest.qualifier)
    if target.change:
        status = evolve(status, baseline=goal - (target.target or ZERO))
    if target.hold or target.kind in (Kind.RATE, Kind.RANK) or target.relative_to:
        return _judge_latest(target, goal, window, status, after_due)
    if target.kind is Kind.ANNUAL:
        return _judge_annual(target, goal, window, status, as_of, plan)
    return _judge_amount(target, goal, window, status, after_due, series, plan)


def _resolved_goal(target: Target, series: Series, day: date) -> Decimal | None:
    """A relative target's level: the other series' figure of the same date; a share
    change's (+0.3个百分点): its baseline, else its own figure a year before, plus the
    change. None until that figure is in."""
    if target.relative_to:
        return _value_at(series.get(target.relative_to, []), day)
    base = target.baseline
    if base is None:
        base = _value_at(series.get(target.series, []), add_years(day, -1))
    if base is None or target.target is None:
        return None
    return base + target.target


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
    within = False
    if target.hold:
        broken = any(not slack_meets(target, _value(r), goal)[0] for r in window)
        verdict = Verdict.BREACHED if broken else (
            Verdict.ACHIEVED if after_due else Verdict.ON_TRACK)
    else:
        ok, within = slack_meets(target, actual, goal)
        if after_due and _awaiting(target, window):
            verdict = Verdict.AWAITING  # a 1—6月 rate says nothing final of the year's
        elif after_due:
            verdict = Verdict.ACHIEVED if ok else Verdict.MISSED
        else:
            verdict = Verdict.ON_TRACK if ok else Verdict.BEHIND
    return evolve(status, verdict=verdict, actual=actual, gap=actual - goal,
                  stretch_met=_stretch_met(target, actual), time_elapsed=None,
                  within_tolerance=within, progress=_optional(rate_progress(target, actual, goal)))


def rate_progress(target: Target, actual: Decimal, goal: Decimal) -> Decimal | None:
    """完成率 of a rate as reports state it: of a growth rate (100 + actual) / (100 + target)
    (5.0% of 增长6.5% is 98.6%), of a share or other rate actual / target. None for a
    ceiling, a `hold`, a share change, or a target of 0 (or −100%)."""
    if target.unit != PERCENT or target.is_ceiling or target.hold or target.change:
        return None
    if target.is_growth:
        return (100 + actual) / (100 + goal) if goal != -100 else None
    return actual / goal if goal != 0 else None


def _awaiting(target: Target, window: Sequence[Record]) -> bool:
    """The period is over but no figure dated at or after its end is in: its outcome is
    not known yet (待最终数据)."""
    assert target.due is not None
    return _date(window[-1]) < target.due


def _aggregate(target: Target, window: Sequence[Record]) -> Decimal:
    if target.kind is Kind.FLOW and target.aggregate == "sum":
        return sum((_value(r) for r in window), ZERO)
    return _value(window[-1])


def _expected(target: Target, day: date, series: Series) -> Decimal | None:
    """Share of the target expected by `day`: linear, monthly shares, or last year's shape."""
    assert target.start is not None and target.due is not None
    if target.pace is None:
        return None
    if isinstance(target.pace, tuple):
        return share_by_months(target.start, target.due, day, target.pace)
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


@dataclass(frozen=True)
class _Pace:
    """A flow's or level's figures against its target on the date of its latest figure."""

    actual: Decimal
    goal: Decimal
    day: date
    baseline: Decimal | None
    elapsed: Decimal
    expected: Decimal
    ok: bool  # the target is met now
    within: bool  # … only within its tolerance
    after_due: bool
    progress: Decimal | None = None
    projected: Decimal | None = None
    no_progress: bool = False


def _pace(target: Target, goal: Decimal, window: Sequence[Record], after_due: bool,
          series: Series, basis: str) -> _Pace:
    assert target.start is not None and target.due is not None
    actual = _aggregate(target, window)
    day = _date(window[-1])
    baseline = target.baseline
    if baseline is None:
        baseline = ZERO if target.kind is Kind.FLOW else (
            _value(window[0]) if len(window) > 1 else None)
    gone = elapsed(target.start, target.due, day, basis, partial=True)
    seasonal = _expected(target, day, series)
    expected = gone if seasonal is None else seasonal
    ok, within = slack_meets(target, actual, goal)
    pace = _Pace(actual, goal, day, baseline, gone, expected, ok, within, after_due)
    if baseline is None or goal == baseline:
        return pace
    moved = actual - baseline
    progress = moved / (goal - baseline)
    if target.is_ceiling or (moved > 0) == (goal > baseline):
        projected = baseline + moved / expected if expected > 0 else None
        return evolve(pace, progress=progress, projected=projected)
    return evolve(pace, progress=progress, no_progress=True)


def _ceiling_verdict(target: Target, pace: _Pace) -> Verdict:
    """Judged on where the period is heading: a level falling from above its ceiling
    (下降…) is not behind for being above it mid-way; a flow over its cap projects over."""
    assert target.due is not None
    broken = not pace.ok if pace.projected is None else \
        not slack_meets(target, pace.projected, pace.goal)[0]
    if pace.after_due and pace.day < target.due:  # the period is over but its last figure
        return Verdict.AWAITING                          # is not in: the projection tells
    if pace.after_due:
        return Verdict.ACHIEVED if pace.ok else Verdict.MISSED
    return Verdict.BEHIND if broken else Verdict.ON_TRACK


def _amount_verdict(target: Target, pace: _Pace, plan: Plan) -> Verdict:
    assert target.due is not None
    if target.is_ceiling:
        return _ceiling_verdict(target, pace)
    early = pace.after_due and pace.day < target.due  # over, the year's figure not in
    about = target.comparison == "~" and not pace.after_due
    heading = pace.actual if pace.projected is None else pace.projected
    if about and heading > pace.goal + tolerance_of(target, pace.goal):
        return Verdict.BEHIND  # heading over the band of an approximate target
    if pace.ok and not (early and target.comparison == "~"):
        # about (~) can still overshoot its band before the period ends
        return Verdict.ON_TRACK if about else Verdict.ACHIEVED
    if pace.after_due:  # without the year's figure, unknown: the projection tells
        return Verdict.AWAITING if early else Verdict.MISSED
    if pace.progress is None:
        return Verdict.NO_PACE
    if pace.progress >= pace.expected:
        return Verdict.ON_TRACK
    if pace.progress >= plan.at_risk_band * pace.expected:
        return Verdict.AT_RISK
    return Verdict.BEHIND


def _judge_amount(target: Target, goal: Decimal, window: Sequence[Record], status: Status,
                  after_due: bool, series: Series, plan: Plan) -> Status:
    """Flows and levels: progress against the target and against the time elapsed."""
    assert target.due is not None
    pace = _pace(target, goal, window, after_due, series, plan.time_basis(target))
    actual = pace.actual
    remaining = required = None
    if not target.is_ceiling and not pace.ok and goal - actual > 0:
        remaining = goal - actual
        months = months_between(pace.day, target.due)
        required = remaining / months if months > 0 else None
    return evolve(
        status, verdict=_amount_verdict(target, pace, plan), actual=actual,
        baseline=pace.baseline, progress=_optional(pace.progress),
        time_elapsed=fraction(pace.elapsed),
        expected=fraction(pace.expected) if target.pace is not None else None,
        projected=pace.projected, gap=actual - goal, stretch_met=_stretch_met(target, actual),
        remaining=remaining, required_rate=required, no_progress=pace.no_progress,
        within_tolerance=pace.within,
    )


def _annual_verdict(target: Target, ok: bool, final_year: bool, ended: bool,
                    observed: Decimal | None, required: Decimal | None, plan: Plan) -> Verdict:
    if ok and (final_year or not (target.is_ceiling or target.comparison == "~")):
        return Verdict.ACHIEVED
    if ended and final_year:
        return Verdict.MISSED
    if ended:  # the final year's value is not in yet
        return Verdict.AWAITING
    if observed is None or required is None:
        return Verdict.NO_PACE
    if target.is_ceiling:  # must fall (or grow no faster than allowed)
        return Verdict.ON_TRACK if observed <= required else Verdict.BEHIND
    if required <= 0:
        return Verdict.ON_TRACK if observed >= required else Verdict.BEHIND
    ratio = observed / required
    return (Verdict.ON_TRACK if ratio >= plan.cagr_on_track else
            Verdict.AT_RISK if ratio >= plan.cagr_at_risk else Verdict.BEHIND)


def _judge_annual(target: Target, goal: Decimal, window: Sequence[Record], status: Status,
                  as_of: date, plan: Plan) -> Status:
    """Multi-year goals: required vs observed compound growth from the baseline."""
    assert target.start is not None and target.due is not None
    latest = window[-1]
    actual, day = _value(latest), _date(latest)
    if target.baseline is not None:  # the value at the end of the year before the first
        baseline, base_day = target.baseline, year_end_on_or_before(target.start, target.due)
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
    ok, within = slack_meets(target, actual, goal)
    verdict = _annual_verdict(target, ok, day.year >= target.due.year, as_of >= target.due,
                              observed, required, plan)
    progress = (actual - baseline) / (goal - baseline) if goal != baseline else None
    return evolve(
        status, verdict=verdict, actual=actual, baseline=baseline,
        progress=_optional(progress),
        time_elapsed=fraction(min(ONE, elapsed_years / years)) if years > 0 else None,
        projected=projected, gap=actual - goal, stretch_met=_stretch_met(target, actual),
        required_rate=_optional(required), observed_rate=_optional(observed),
        remaining=goal - actual if not ok and not target.is_ceiling and goal > actual else None,
        milestones=tuple(milestones), within_tolerance=within,
    )


# --------------------------------------------------------------------------- report

def report(plan: Plan, records: Iterable[Record], as_of: date, group: str | None = None,
           warnings: Sequence[Problem] = ()) -> Report:
    """The status of every target and indicator of a plan on `as_of`."""
    return report_series(plan, by_series(records), as_of, group, warnings)


def report_series(plan: Plan, series: Series, as_of: date,
                  group: str | None = None, warnings: Sequence[Problem] = (),
                  unread: Mapping[str, int] | None = None,
                  summaries: Mapping[str, tuple[Record | None, int]] | None = None) -> Report:
    """`report` on records already grouped by `by_series` (or on the `reads` of each series).
    `unread`: current records per series no target reads, if `series` lacks them.
    `summaries`: per indicator id, its latest record and count (see `indicator_status`).
    The series no target reads are the report's `unread`, with their counts."""
    chosen = chosen_targets(plan, group)
    statuses = [indicator_status(t, *summaries[t.id], as_of, plan)
                if summaries is not None and t.id in summaries
                else evaluate(t, series, as_of, plan) for t in chosen]
    known = {t.series for t in plan.targets}
    if unread is None:
        unread = {name: len(series[name]) for name in set(series) - known}
    return Report(
        as_of=as_of,
        targets=tuple(s for s in statuses if not s.target.is_indicator),
        indicators=tuple(s for s in statuses if s.target.is_indicator),
        warnings=tuple(warnings),
        unread=tuple((name, unread[name]) for name in sorted(set(unread) - known)),
    )


__all__ = ["by_series", "evaluate", "history", "indicator_status", "meets", "report",
           "report_series", "tolerance_of"]
