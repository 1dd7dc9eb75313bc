"""One `[[target]]` table of the plan, read key by key: each reader checks one field (or a
few that depend on each other) and adds what is wrong to the plan's list of problems."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bjtrack.domain.amounts import (
    PERCENT,
    Amount,
    parse_amount,
    split_approx,
    split_comparison,
    split_range,
)
from bjtrack.domain.dates import FIRST_YEAR, LAST_YEAR, in_calendar, parse_date
from bjtrack.domain.errors import InputError, Problem, problem
from bjtrack.domain.evaluation import DEFAULT_AMOUNT_TOLERANCE, DEFAULT_RATE_TOLERANCE
from bjtrack.domain.model import COMPARISONS, Kind, Source, Target
from bjtrack.files.paths import unknown_key

TARGET_KEYS = frozenset({
    "id", "name", "target", "comparison", "start", "due", "kind", "aggregate", "baseline",
    "hold", "series", "quote", "group", "unit_note", "unit", "stretch", "tolerance", "every",
    "derive", "pace", "time", "rate",
})
TIME_BASES = ("months", "days")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")  # fullmatch: `$` would allow a last "\n"


@dataclass
class Fields:
    """Where a table is (file, line) and the problems found so far in the whole file."""

    file: str
    line: int | None
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, hint_key: str = "", /, **fields: Any) -> None:
        self.problems.append(problem(message, hint_key=hint_key, file=self.file,
                                     line=self.line, **fields))

    def in_key(self, key: str, found: Problem, hint_key: str = "") -> None:
        """A value's problem, placed at `key` of the file (its own key and fields kept)."""
        self.problems.append(replace(
            found, file=self.file, line=self.line, hint_key=hint_key or found.hint_key,
            fields=(*found.fields, ("_in_key", key))))

    def date_value(self, value: object, key: str) -> date | None:
        found = self._date(value, key)
        if found is not None and not in_calendar(found):
            # a period, pace or year-on-year reading reaches a year or more past the
            # date: year 1 or 9999 would fail there, in status, not here
            self.add("err.plan.date_range", "hint.plan.date_range", field=key,
                     low=FIRST_YEAR, high=LAST_YEAR)
            return None
        return found

    def _date(self, value: object, key: str) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return parse_date(value, first_day=key == "start")
            except InputError as exc:
                self.in_key(key, exc.problems[0])
                return None
        self.add("err.plan.date", "hint.plan.date", field=key)
        return None

    def amount_value(self, value: object, key: str) -> Amount | None:
        if isinstance(value, bool | float):
            self.add("err.plan.float", "hint.plan.float", field=key, value=value)
            return None
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            self.add("err.plan.amount", field=key)
            return None
        try:
            return parse_amount(value)
        except InputError as exc:
            self.in_key(key, exc.problems[0])
            return None

    def worded(self, value: object, key: str) -> tuple[str | None, object]:
        """Split '超300亿元' into ('>', '300亿元'); other values pass through unchanged."""
        if not isinstance(value, str):
            return None, value
        try:
            return split_comparison(value)
        except InputError as exc:
            self.in_key(key, exc.problems[0], hint_key="hint.plan.worded")
            return None, value

    def str_field(self, entry: Mapping[str, Any], key: str) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str):
            self.add("err.plan.string", field=key)
            return ""
        return value


def decimal_setting(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return None


@dataclass(frozen=True)
class _Goal:
    """The target's level (or the series it keeps pace with) and its unit."""

    amount: Amount | None
    relative_to: str | None
    worded: str | None  # a comparison the target's own words state (超, 以上, 以内)
    unit: str
    approx: bool  # 左右 / 约: met within a tolerance
    text: object  # the target as written, less the words of its comparison
    upper: Amount | None = None  # a range's upper bound (5%—5.5%): the stretch level
    change: str | None = None  # "+" or "-": a change in percentage points (提高0.3个百分点)


def parse_target(entry: object, at: Fields) -> Target | None:
    """One [[target]] table as a Target, or None when anything in it is wrong (each
    problem added to `at.problems`)."""
    if not isinstance(entry, dict):
        at.add("err.plan.target_table")
        return None
    before = len(at.problems)
    for key in entry:
        if key not in TARGET_KEYS:
            at.problems.append(unknown_key(key, TARGET_KEYS, "[[target]]", at.file, at.line))
    target_id = _target_id(entry, at)
    name = _name(entry, target_id, at)
    goal = _goal(entry, at)
    comparison = _comparison(entry, goal.worded, at)
    if goal.change == "-" and "comparison" not in entry and not goal.worded:
        comparison = "<="  # 下降0.3个百分点: at least that far down
    if entry.get("kind") == "rank" and "comparison" not in entry and not goal.worded:
        comparison = "<="  # 第3位 or better: lower is better
    is_indicator = goal.amount is None and goal.relative_to is None
    kind = _kind(entry, goal.unit, is_indicator, at)
    every = _every(entry, at)
    start, due = _dates(entry, target_id, is_indicator, every, at)
    aggregate = _aggregate(entry, at)
    hold = _hold(entry, at)
    baseline = _unit_amount(entry, "baseline", goal.unit, at)
    stretch = _unit_amount(entry, "stretch", goal.unit, at)
    if goal.upper is not None and "stretch" not in entry:
        stretch = goal.upper.value  # 5%—5.5%: the upper bound is the stretch level
    tolerance = _tolerance(entry, goal.unit, goal.amount.value if goal.amount else None,
                           comparison == "~" or goal.approx, at)
    _check_stretch(entry, stretch, goal, comparison, at)
    derive = _derive(entry, at)
    pace = _pace(entry.get("pace"), at)
    series = _series(entry, target_id, at)
    time = time_basis(entry.get("time"), at)
    rate = _rate(entry.get("rate"), at)
    if len(at.problems) > before:
        return None
    return Target(
        id=target_id, name=name.strip(), kind=kind, unit=goal.unit, series=series,
        target=goal.amount.value if goal.amount else None, relative_to=goal.relative_to,
        comparison=comparison, start=start, due=due, aggregate=aggregate,
        baseline=baseline, hold=hold, stretch=stretch, tolerance=tolerance,
        approx=goal.approx or (tolerance is not None and comparison != "~"),
        ranged=goal.upper is not None and "stretch" not in entry, every=every,
        change=goal.change is not None,
        derive=derive, pace=pace, time=time, rate=rate,
        quote=at.str_field(entry, "quote"),
        group=at.str_field(entry, "group"),
        unit_note=at.str_field(entry, "unit_note"),
        source=Source(at.file, at.line),
    )


def _target_id(entry: Mapping[str, Any], at: Fields) -> str:
    target_id = entry.get("id")
    if not isinstance(target_id, str) or not target_id:
        at.add("err.plan.missing_id", "hint.plan.missing_id")
        return ""
    if not _SLUG.fullmatch(target_id):
        at.add("err.plan.slug", "hint.plan.slug", id=target_id)
    return target_id


def _name(entry: Mapping[str, Any], target_id: str, at: Fields) -> str:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        at.add("err.plan.missing_name", "hint.plan.missing_name", id=target_id)
        return target_id
    return name


def _goal(entry: Mapping[str, Any], at: Fields) -> _Goal:
    amount: Amount | None = None
    relative_to: str | None = None
    worded: str | None = None
    approx = False
    change: str | None = None
    upper: Amount | None = None
    raw_target = entry.get("target")
    if isinstance(raw_target, str) and raw_target.startswith("series:"):
        relative_to = raw_target.removeprefix("series:").strip()
    elif raw_target is not None:
        if isinstance(raw_target, str) and entry.get("kind") == "rank":  # 前3位, 第3位 → 3
            raw_target = raw_target.strip().removeprefix("前").removeprefix("第") \
                .removesuffix("位").removesuffix("名").strip()
        if isinstance(raw_target, str):
            change, raw_target = _share_change(raw_target)
        if isinstance(raw_target, str):
            approx, raw_target = split_approx(raw_target)
        worded, raw_target = at.worded(raw_target, "target")
        bounds = split_range(raw_target) if isinstance(raw_target, str) else None
        if bounds is not None:
            raw_target = bounds[0]
            upper = at.amount_value(bounds[1], "target")
        amount = at.amount_value(raw_target, "target")
    declared_unit: str | None = None
    if "unit" in entry:
        unit_text = at.str_field(entry, "unit")
        declared = at.amount_value("1" + unit_text, "unit")
        declared_unit = declared.unit if declared else None
    if amount and declared_unit is not None and declared_unit != amount.unit:
        at.add("err.plan.unit_disagrees", "hint.plan.unit_disagrees", unit=entry["unit"],
               target=raw_target)
    unit = amount.unit if amount else (declared_unit or "")
    if amount and upper and (upper.unit != amount.unit or upper.value < amount.value):
        at.add("err.plan.range", "hint.plan.range", target=entry.get("target"))
    if change is not None and amount is not None:
        amount = Amount(-amount.value if change == "-" else amount.value, PERCENT)
        unit = PERCENT
    return _Goal(amount, relative_to, worded, unit, approx, raw_target, upper, change)


_RISE = ("+", "提高", "增加", "上升", "提升")
_FALL = ("-", "下降", "降低", "减少")


def _share_change(text: str) -> tuple[str | None, str]:
    """'+0.3个百分点' / '提高0.3个百分点' -> ('+', '0.3%'); other text -> (None, text)."""
    rest = text.strip()
    for suffix in ("个百分点", "百分点", "pp"):
        if rest.endswith(suffix):
            rest = rest.removesuffix(suffix).strip()
            break
    else:
        return None, text
    sign = "+"
    for words, mark in ((_RISE, "+"), (_FALL, "-")):
        for word in words:
            if rest.startswith(word):
                rest, sign = rest.removeprefix(word).strip(), mark
    return sign, rest + "%"


def _comparison(entry: Mapping[str, Any], worded: str | None, at: Fields) -> str:
    comparison = entry.get("comparison", worded or ">=")
    if comparison not in COMPARISONS:
        at.add("err.plan.comparison", "hint.plan.comparison", choices=", ".join(COMPARISONS))
        return ">="
    if worded and worded != "~" and comparison != worded:  # 3%左右 may be a ceiling
        at.add("err.plan.worded_comparison", "hint.plan.worded_comparison",
               target=entry.get("target"), worded=worded, comparison=comparison)
    return str(comparison)


def _every(entry: Mapping[str, Any], at: Fields) -> str | None:
    every = entry.get("every")
    if every is not None and every not in ("year", "quarter", "month"):
        at.add("err.plan.every")
        return None
    return every


def _dates(entry: Mapping[str, Any], target_id: str, is_indicator: bool, every: str | None,
           at: Fields) -> tuple[date | None, date | None]:
    found: dict[str, date | None] = {"start": None, "due": None}
    for key in found:
        if key in entry:
            found[key] = at.date_value(entry[key], key)
        elif not is_indicator and not (key == "due" and every):
            at.add("err.plan.missing_key", "hint.plan.missing_date", id=target_id, field=key)
    start, due = found["start"], found["due"]
    if start and due and due < start:
        at.add("err.plan.due_before_start", "hint.plan.due_before_start", id=target_id,
               due=due, start=start)
    return start, due


def _aggregate(entry: Mapping[str, Any], at: Fields) -> str:
    aggregate = entry.get("aggregate", "latest")
    if aggregate not in ("latest", "sum"):
        at.add("err.plan.aggregate")
    return str(aggregate)


def _hold(entry: Mapping[str, Any], at: Fields) -> bool:
    hold = entry.get("hold", False)
    if not isinstance(hold, bool):
        at.add("err.plan.hold")
        return False
    return hold


def _other_unit(key: str, value: object, unit: str, at: Fields) -> None:
    """A level or tolerance in another unit than the target's."""
    if key == "tolerance":
        if unit:
            at.add("err.plan.tolerance_unit", value=value, unit=unit)
        else:
            at.add("err.plan.tolerance_unit.bare", value=value)
    elif unit:
        at.add("err.plan.level_unit", value=value, unit=unit, field=key)
    else:
        at.add("err.plan.level_unit.bare", value=value, field=key)


def _unit_amount(entry: Mapping[str, Any], key: str, unit: str, at: Fields
                 ) -> Decimal | None:
    """A level in the target's unit (baseline, stretch), or None."""
    if key not in entry:
        return None
    raw = entry[key]
    if key == "stretch":  # 力争8%: the words say nothing the floor does not
        raw = at.worded(raw, key)[1]
    value = at.amount_value(raw, key)
    if value is None:
        return None
    if value.unit not in ("", unit):
        _other_unit(key, entry[key], unit, at)
        return None
    return value.value


def _check_stretch(entry: Mapping[str, Any], stretch: Decimal | None, goal: _Goal,
                   comparison: str, at: Fields) -> None:
    """The stretch level (力争…) lies beyond the floor, never short of it."""
    if stretch is None or goal.amount is None or "stretch" not in entry:
        return  # a range's upper bound is checked with the range
    floor = goal.amount.value
    easier = (stretch < floor if comparison in (">", ">=") else
              stretch > floor if comparison in ("<", "<=") else False)
    if easier:
        at.add("err.plan.stretch_easier", "hint.plan.stretch_easier",
               stretch=entry["stretch"], target=goal.text)


def _tolerance(entry: Mapping[str, Any], unit: str, goal: Decimal | None, approx: bool,
               at: Fields) -> Decimal | None:
    """The tolerance of an approximate (~, 左右) target in the target's unit: the band of
    `~`, or the slack of a floor or ceiling written 左右 (or given a tolerance).

    Given in the target's unit it is used as is; given as a % on an amount target it is
    that share of the target. Left out, a rate gets 0.5 percentage point and an amount
    5% of the target."""
    if "tolerance" not in entry:
        if not approx:
            return None
        if unit == PERCENT:
            return DEFAULT_RATE_TOLERANCE
        return abs(goal) * DEFAULT_AMOUNT_TOLERANCE if goal is not None else None
    value = at.amount_value(entry["tolerance"], "tolerance")
    if value is None:
        return None
    if value.value < 0:
        at.add("err.plan.tolerance_negative", "hint.plan.tolerance_negative")
        return None
    if value.unit in ("", unit):
        return value.value
    if value.unit == PERCENT and goal is not None:
        return abs(goal) * value.value / 100
    _other_unit("tolerance", entry["tolerance"], unit, at)
    return None


def _kind(entry: Mapping[str, Any], unit: str, is_indicator: bool, at: Fields) -> Kind:
    if is_indicator:
        return Kind.INDICATOR
    raw = entry.get("kind")
    if raw is None:
        return Kind.RATE if unit == PERCENT else Kind.FLOW
    try:
        kind = Kind(raw)
    except ValueError:
        at.add("err.plan.kind")
        return Kind.FLOW
    if kind is Kind.INDICATOR:
        at.add("err.plan.kind_indicator")
    if unit == PERCENT and kind in (Kind.FLOW, Kind.LEVEL):
        return Kind.RATE
    if kind is Kind.RANK and unit:
        at.add("err.plan.rank_unit", "hint.plan.rank_unit")
    return kind


def _derive(entry: Mapping[str, Any], at: Fields) -> str | None:
    derive = entry.get("derive")
    if derive is not None and derive != "yoy":
        at.add("err.plan.derive")
        return None
    return derive


def _pace(raw: object, at: Fields) -> tuple[Decimal, ...] | str | None:
    if raw is None:
        return None
    if raw == "last-year":
        return "last-year"
    if isinstance(raw, list) and len(raw) == 12:
        shares: list[Decimal] = []
        for item in raw:
            share = decimal_setting(item)
            if share is None or share < 0:
                break
            shares.append(share)
        if len(shares) == 12 and sum(shares) > 0:
            return tuple(shares)
    at.add("err.plan.pace", "hint.plan.pace")
    return None


def _rate(raw: object, at: Fields) -> str | None:
    """A rate target's sort: "growth" (增长6%) or "level" (a share, 比重40%)."""
    if raw is None:
        return None
    if raw not in ("growth", "level"):
        at.add("err.plan.rate", "hint.plan.rate")
        return None
    return str(raw)


def time_basis(raw: object, at: Fields) -> str | None:
    """时间进度 counted in whole "months" (the default, as reports do) or "days"."""
    if raw is None:
        return None
    if raw not in TIME_BASES:
        at.add("err.plan.time", "hint.plan.time")
        return None
    return str(raw)


def _series(entry: Mapping[str, Any], target_id: str, at: Fields) -> str:
    series = entry.get("series", target_id)
    if not isinstance(series, str) or not series:
        at.add("err.plan.series")
        return target_id
    return series
