"""The domain as immutable data: plans, targets, records and their status. No I/O, no Rich."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from bjtrack.domain.errors import Problem

_T = TypeVar("_T")


class Kind(StrEnum):
    FLOW = "flow"  # accumulates over the period from zero (全年投资, 新增企业)
    LEVEL = "level"  # a stock or annual value that must reach the target (企业总量)
    RATE = "rate"  # a growth rate or a share in % (GDP增长6%, 比重40%)
    ANNUAL = "annual"  # a multi-year goal on the final year's annual value (到2025年…)
    RANK = "rank"  # a ranking, lower is better (增速位居全市前3位)
    INDICATOR = "indicator"  # tracked, no target


class Verdict(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    MISSED = "missed"
    AWAITING = "awaiting"  # the period is over, its figure for the whole period not in yet
    BREACHED = "breached"
    NO_PACE = "no_pace"
    NO_DATA = "no_data"


def built(cls: type[_T], values: dict[str, Any]) -> _T:
    """A dataclass of this module with exactly these field values, as `cls(**values)`
    makes it, without running its `__init__` (see `evolve`): the records and targets read
    from the cache, and the rows of an import, are made this way."""
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


def evolve(obj: _T, **changes: Any) -> _T:
    """`dataclasses.replace` for the frozen dataclasses of this module, without running
    their `__init__` again (none has a `__post_init__`, an `init=False` field or slots).
    A status is copied a few times per target on every report, where `replace` was the
    larger part of the time."""
    names = getattr(obj, "__dataclass_fields__", {}).keys()
    if not changes.keys() <= names:
        unknown = ", ".join(sorted(changes.keys() - names))
        raise TypeError(f"{type(obj).__name__} has no field {unknown}")
    copy = object.__new__(type(obj))
    copy.__dict__.update(obj.__dict__, **changes)
    return copy


COMPARISONS = (">", ">=", "<", "<=", "~")
# Words a published figure comes with (增长9%左右, 约3.4%, 7%以上, 预计…): kept with the
# record as it was entered, the value used is the number.
QUALIFIER_PREFIXES = ("预计", "约")
QUALIFIER_SUFFIXES = ("左右", "以上")


def split_qualifier(text: str) -> tuple[str, str]:
    """'9%左右' -> ('左右', '9%'), '约3.4%' -> ('约', '3.4%'); else ('', text)."""
    rest = text.strip()
    for word in QUALIFIER_PREFIXES:
        if rest.startswith(word):
            return word, rest.removeprefix(word).strip()
    for word in QUALIFIER_SUFFIXES:
        if rest.endswith(word):
            return word, rest.removesuffix(word).strip()
    return "", text
GROWTH_WORDS = ("增长", "增速", "增幅")  # a rate target so named is a growth rate
VINTAGES = ("预计", "初步", "核实")  # estimate, preliminary, final


@dataclass(frozen=True)
class Source:
    """Where something was read from: a file and a 1-based line."""

    file: str
    line: int | None = None


@dataclass(frozen=True)
class Target:
    id: str
    name: str
    kind: Kind
    unit: str  # base unit: 元, 人, 家, %, … ("" for a bare number)
    series: str
    target: Decimal | None = None  # None for an indicator or a relative target
    relative_to: str | None = None  # "series:gdp-growth" -> "gdp-growth"
    comparison: str = ">="
    start: date | None = None
    due: date | None = None
    aggregate: str = "latest"  # flows: "latest" (year-to-date totals) or "sum" (increments)
    baseline: Decimal | None = None
    hold: bool = False
    stretch: Decimal | None = None
    tolerance: Decimal | None = None  # slack: "~" a band; a floor or ceiling 左右 one way
    approx: bool = False  # written 左右 / 约: met within `tolerance` of the level
    change: bool = False  # the target is a change in pp on the year before (+0.3个百分点)
    ranged: bool = False  # written as a range (5%—5.5%): target the lower, stretch the upper
    every: str | None = None  # "year", "quarter", "month": one period each, from start
    derive: str | None = None  # "yoy": the rate is derived from level records
    pace: tuple[Decimal, ...] | str | None = None  # 12 monthly shares or "last-year"
    time: str | None = None  # 时间进度 "months" or "days"; None: the plan's
    rate: str | None = None  # a rate: "growth" or "level"; None: growth if its name says so
    quote: str = ""
    group: str = ""
    unit_note: str = ""
    source: Source | None = None

    @property
    def is_indicator(self) -> bool:
        return self.target is None and self.relative_to is None

    @property
    def is_growth(self) -> bool:
        """A growth rate (增长6%): its 完成率 is (100 + actual) / (100 + target)."""
        if self.rate is not None:
            return self.rate == "growth"
        return any(word in self.name for word in GROWTH_WORDS)

    @property
    def is_ceiling(self) -> bool:
        return self.comparison in ("<", "<=")


@dataclass(frozen=True)
class Plan:
    path: Path
    records_path: Path
    targets: tuple[Target, ...]
    name: str = ""
    source: str = ""
    published: date | None = None
    at_risk_band: Decimal = Decimal("0.9")
    stale_days: int = 45
    cagr_on_track: Decimal = Decimal("0.95")
    cagr_at_risk: Decimal = Decimal("0.6")
    time: str = "months"  # 时间进度 in whole months (as reports count it) or "days"

    def time_basis(self, target: Target) -> str:
        return target.time or self.time

    def by_id(self, target_id: str) -> Target | None:
        for target in self.targets:
            if target.id == target_id:
                return target
        return None

    def series_name(self, series: str) -> str:
        """What a person calls a series: the name of the entry with that id, else of the
        first entry that reads it; the series itself when no entry has it."""
        named = self.by_id(series)
        if named is not None:
            return named.name
        return next((t.name for t in self.targets if t.series == series), series)

    def series_unit(self, series: str) -> str | None:
        """The unit records of a series are in, as declared by the entries that read it."""
        for target in self.targets:
            if target.series == series and target.derive is None:
                return target.unit
        return None


@dataclass(frozen=True)
class Record:
    """One published figure, or a retraction of one (value None, `retracts` set)."""

    id: str
    series: str
    date: date | None
    value: Decimal | None
    unit: str = ""
    entered: str = ""
    note: str = ""
    source: str = ""
    logged: datetime | None = None
    by: str = ""
    vintage: str = ""
    revises: str = ""  # id of the record this one replaces
    retracts: str = ""  # id of the record this one withdraws
    batch: str = ""  # the import that added it (imp-…), for `undo --import`
    origin: Source | None = field(default=None, compare=False)

    @property
    def qualifier(self) -> str:
        """The word the figure was published with (左右, 约, 以上, 预计), as entered."""
        return split_qualifier(self.entered)[0]

    @property
    def identity(self) -> tuple[str, dt.date | None, Decimal | None, str]:
        """What makes two records the same figure (for idempotent logging and import)."""
        return (self.series, self.date, self.value, self.vintage)


@dataclass(frozen=True)
class Period:
    start: date
    due: date


@dataclass(frozen=True)
class Status:
    """Where one target (or indicator) stands on a date. All values in the base unit."""

    target: Target
    as_of: date
    verdict: Verdict | None  # None for indicators
    actual: Decimal | None = None
    actual_date: date | None = None
    records: int = 0
    baseline: Decimal | None = None
    target_value: Decimal | None = None  # resolved (relative targets take the other series)
    progress: Decimal | None = None
    time_elapsed: Decimal | None = None
    time_basis: str | None = None  # "months" or "days": how time_elapsed is counted
    expected: Decimal | None = None  # expected progress by the figure's date (seasonal pace)
    stale: bool = False
    projected: Decimal | None = None
    gap: Decimal | None = None
    stretch_met: bool | None = None
    remaining: Decimal | None = None
    required_rate: Decimal | None = None
    observed_rate: Decimal | None = None
    period: Period | None = None
    milestones: tuple[tuple[date, Decimal], ...] = ()
    no_progress: bool = False
    within_tolerance: bool = False  # met only thanks to the tolerance (基本完成)
    qualifier: str = ""  # the latest figure's published qualifier (左右, 约, 以上, 预计)

    @property
    def pace(self) -> Decimal | None:
        """The share of the target due by now, which progress is held against (the 时间进度
        column): the expected progress where the target has a seasonal pace, else the
        share of its period elapsed."""
        return self.expected if self.expected is not None else self.time_elapsed


def verdict_counts(statuses: Iterable[Status]) -> dict[Verdict, int]:
    """How many of the targets have each verdict, in the order of Verdict; a verdict no
    target has is left out, and so is an indicator (it has none)."""
    counts = Counter(status.verdict for status in statuses if status.verdict is not None)
    return {verdict: counts[verdict] for verdict in Verdict if counts[verdict]}


@dataclass(frozen=True)
class Report:
    """The status of a whole plan on one date."""

    as_of: date
    targets: tuple[Status, ...]
    indicators: tuple[Status, ...]
    warnings: tuple[Problem, ...] = ()  # said before the figures (a torn last record)
    unread: tuple[tuple[str, int], ...] = ()  # series no target reads, with their records


@dataclass(frozen=True)
class Snapshot:
    """What an export shows: the report and the current records of its series up to
    the as-of date, in date order."""

    plan: Plan
    report: Report
    series: dict[str, list[Record]]

    @property
    def records(self) -> list[Record]:
        out = [r for rs in self.series.values() for r in rs]
        out.sort(key=lambda r: (r.date or date.min, r.series))
        return out

    @property
    def names(self) -> dict[str, str]:
        """Series -> the name of the first target or indicator that reads it."""
        out: dict[str, str] = {}
        for target in self.plan.targets:
            out.setdefault(target.series, target.name)
        return out
