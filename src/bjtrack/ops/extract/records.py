"""Figures from a statistics bulletin, proposed for the series of a plan."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import combinations

from bjtrack.domain.amounts import PERCENT, plain
from bjtrack.domain.dates import parse_date
from bjtrack.domain.errors import InputError
from bjtrack.domain.model import Plan, Target
from bjtrack.ops.extract import words as w
from bjtrack.ops.extract.clauses import NEUTRAL, Statement, statements
from bjtrack.ops.extract.text import masked, sentences

_PERIOD = re.compile(
    r"(?:((?:19|20)\d\d)年)?(上半年|下半年|前三季度|一季度|第一季度|全年|"
    r"1\s*[-—－~～至到]\s*(\d{1,2})\s*月|(\d{1,2})月份)")
_LEAD = re.compile(r"^(?:今年|全年|本年|(?:19|20)\d\d年)?(?:上半年|下半年|前三季度|一季度|第一季度"
                   r"|1\s*[-—－~～至到]\s*\d{1,2}\s*月|\d{1,2}月份)?(?:全市|全区|全县|全省|该市"
                   r"|该区|本市|我市|我区)?(?:实现|完成|累计完成)?")
_BRACKETS = re.compile(r"[(（][^)）]*[)）]")
_SAME = (("规模以上", "规上"), ("增长率", "增长"), ("增速", "增长"), ("增幅", "增长"),
         ("GDP", "生产总值"), ("地区生产总值", "生产总值"), ("国内生产总值", "生产总值"),
         ("全年", ""), ("区内", ""), ("同比", ""), ("（累计）", ""))
_PLACE = re.compile(r"^.{1,6}[市区县省州]$")


@dataclass(frozen=True)
class Proposal:
    """A published figure for one series of the plan."""

    series: str
    name: str  # the plan's name for the series
    date: date
    value: Decimal  # in the base unit
    unit: str
    text: str  # as the bulletin wrote it
    quote: str


def propose_records(text: str, plan: Plan, day: date | None = None,
                    fallback_year: int = 2022) -> tuple[Proposal, ...]:
    """The figures a bulletin states for the plan's series: one per series, never a
    comparison (高于全国1.6个百分点) nor another subject's figure."""
    year = _plan_year(plan, fallback_year)
    facts = list(_facts(text))
    prefixes = _common_prefixes([s.name for s, _ in facts])
    taken: set[str] = set()
    out: list[Proposal] = []
    for statement, period in facts:
        target = _match(statement, plan.targets, prefixes)
        if target is None or target.series in taken:
            continue
        taken.add(target.series)
        when = day or _period_date(period, year)
        amount = statement.figure.amount
        out.append(Proposal(target.series, target.name, when, amount.value, amount.unit,
                            statement.figure.raw, statement.quote))
    return tuple(out)


def _plan_year(plan: Plan, fallback: int) -> int:
    years = [t.start.year for t in plan.targets if t.start and t.start.month == 1]
    return min(years) if years else fallback


def _facts(text: str) -> Iterable[tuple[Statement, str]]:
    """Each figure stated as a fact, with the period words of its sentence (or the last
    ones before it)."""
    period = ""
    for index, sentence in enumerate(sentences(text)):
        found = _PERIOD.search(masked(sentence.text))
        if found:
            period = found.group()
        for statement in statements(sentence, index, NEUTRAL, None):
            figure = statement.figure
            if (figure.amount.unit == "百分点" or statement.prenominal or statement.attributive
                    or figure.approx or figure.suffix or figure.stretch is not None
                    or statement.comparison in (">", "<", "<=") or not statement.name):
                continue
            yield statement, period


def _period_date(period: str, year: int) -> date:
    """The last day of the period a bulletin names (上半年, 1-6月, 前三季度…), read as
    `log --date` reads it, in the bulletin's year (else the plan's)."""
    match = _PERIOD.search(period)
    if not match:
        return date(year, 12, 31)
    try:
        return parse_date(f"{match.group(1) or year}年{match.group(2)}")
    except InputError:  # a month out of range (1-13月): the year
        return date(year, 12, 31)


def normal(name: str) -> str:
    """A name reduced to what identifies the indicator: 地区生产总值增速 -> 生产总值增长."""
    name = _LEAD.sub("", _BRACKETS.sub("", name), count=1)
    for old, new in _SAME:
        name = name.replace(old, new)
    return name


def _is_rate(name: str) -> bool:
    return name.endswith(w.CHANGE_WORDS)


def _match(statement: Statement, targets: Sequence[Target], prefixes: set[str]
           ) -> Target | None:
    """The target whose indicator the statement is about: same name, or the same name
    after a place (杭州规上工业增加值); a rate for a rate, a level for a level."""
    fact = normal(statement.name)
    unit = statement.figure.amount.unit
    best: Target | None = None
    for target in targets:
        if target.derive is not None or (target.unit or unit) != unit:
            continue
        name = normal(target.name)
        if not name or _is_rate(name) != _is_rate(fact) or not fact.endswith(name):
            continue
        rest = fact[: -len(name)]
        if rest and rest not in prefixes and not _PLACE.match(rest):
            continue
        if (unit == PERCENT) != (target.unit == PERCENT):
            continue
        if best is None or len(name) > len(normal(best.name)):
            best = target
    return best


def _common_prefixes(names: list[str]) -> set[str]:
    """Words several figures begin with (the city's name in its own bulletin)."""
    counts: dict[str, int] = {}
    for a, b in combinations({normal(n) for n in names}, 2):
        size = 0
        while size < min(len(a), len(b)) and a[size] == b[size]:
            size += 1
        if 2 <= size <= 4:
            counts[a[:size]] = counts.get(a[:size], 0) + 1
    return {p for p, n in counts.items() if n >= 2}


def record_rows(proposals: Sequence[Proposal], source: str) -> Iterator[dict[str, str]]:
    """The proposals as the rows `bjtrack import` reads (`importing.import_rows`)."""
    for p in proposals:
        yield {"target": p.series, "date": p.date.isoformat(), "value": plain(p.value),
               "unit": p.unit, "note": p.quote, "source": source}


def records_csv(proposals: Sequence[Proposal], source: str) -> str:
    """The proposals as the CSV `bjtrack import` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["series", "date", "value", "unit", "note", "source"])
    for row in record_rows(proposals, source):
        writer.writerow([row["target"], row["date"], row["value"], row["unit"], row["note"],
                         row["source"]])
    return out.getvalue()
