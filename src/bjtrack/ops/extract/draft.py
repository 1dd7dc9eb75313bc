"""Drafting a plan from its prose: which statements are targets, and what each says."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from bjtrack.domain.amounts import PERCENT, format_amount, plain
from bjtrack.ops.extract import words as w
from bjtrack.ops.extract.clauses import (
    FUTURE,
    NEUTRAL,
    PAST,
    REVIEW,
    Statement,
    bad_name,
    clause_mode,
    plan_year,
    prenominal_name,
    statements,
    strip_lead,
)
from bjtrack.ops.extract.slug import slug, unique
from bjtrack.ops.extract.text import Sentence, clause_spans, figures, fold, masked, sentences

_BULLET = re.compile(r"^\s*(?:[—\-·•●▲■◆]|[(（]?[一二三四五六七八九十\d]{1,2}[)）、.．]|[①-⑳]"
                     r"|[一二三四五六七八九十]是)")
_SUB_HEADING = re.compile(r"^\s*(?:[(（][一二三四五六七八九十\d]{1,2}[)）]|\d{1,2}[.．、]|[①-⑳])")
_HEADING_END = re.compile(r"[。；;，,：:]$")
_RATES = frozenset({PERCENT, "‰", "百分点"})
_GOAL_WORDS = re.compile(r"的?(?:预期|主要)?目标$")
_LEVEL_WORDS = re.compile(r"总量|总数|数量|保有量|总规模|累计")


@dataclass(frozen=True)
class DraftTarget:
    """One target as drafted: the fields of a `[[target]]`, values exact."""

    id: str
    name: str
    target: str  # as a plan writes it: 300亿元, 4%左右, series:gdp-growth
    value: Decimal | None  # in the base unit; None for a relative target
    unit: str
    comparison: str
    tolerance: Decimal | None
    stretch: Decimal | None
    kind: str
    every: str | None
    start: date
    due: date | None
    hold: bool
    relative_to: str | None
    quote: str


@dataclass(frozen=True)
class Skipped:
    """A sentence that sets a target without a number: for the reviewer to see."""

    quote: str
    clause: str
    reason: str  # "no_number" or "relative_unresolved"


@dataclass(frozen=True)
class Draft:
    year: int
    targets: tuple[DraftTarget, ...]
    skipped: tuple[Skipped, ...]


def draft_plan(text: str, year: int | None = None, fallback_year: int = 2022) -> Draft:
    """The targets a plan's text states, each with the sentence it came from."""
    found_year = year or plan_year(text) or fallback_year
    sents = sentences(text)
    targets: list[DraftTarget] = []
    skipped: list[Skipped] = []
    pending: list[tuple[str, str, str]] = []  # relative targets: (name, follows, quote)
    for index, (sentence, mode) in enumerate(_with_modes(sents)):
        before = len(targets)
        for statement in statements(sentence, index, mode, found_year):
            _take(statement, sentence, found_year, targets)
        if mode not in (PAST, REVIEW):
            _skips(sentence, mode, found_year, len(targets) > before, skipped, pending)
    targets = _relatives(_deduplicated(targets), pending, found_year, skipped)
    return Draft(found_year, tuple(targets), tuple(skipped))


def _with_modes(sents: list[Sentence]) -> list[tuple[Sentence, str]]:
    """Each sentence with what its section says: a review under a review heading (or after
    过去一年… opens a paragraph), future in a list that follows "主要预期目标是：" and in the
    rest of that paragraph, neutral elsewhere."""
    base = NEUTRAL
    listing = False
    intro_line = -1
    last_line = -1
    out: list[tuple[Sentence, str]] = []
    for sentence in sents:
        if _is_heading(sentence.quote):
            base = _heading_base(sentence.quote, base)
            listing = False
            intro_line = -1
        elif base == REVIEW and w.PLAN_RESUME.search(sentence.text):
            base = NEUTRAL
        elif sentence.line != last_line and w.REVIEW_OPENER.match(sentence.quote):
            base = REVIEW
        last_line = sentence.line
        if listing and not _BULLET.match(sentence.quote):
            listing = False
        following = listing or sentence.line == intro_line  # the rest of a target paragraph
        out.append((sentence, FUTURE if following and base != REVIEW else base))
        if w.TARGET_INTRO.search(sentence.text):
            intro_line = sentence.line
        if sentence.quote.rstrip().endswith(("：", ":")) and w.LIST_INTRO.search(sentence.text):
            listing = True
    return out


def _heading_base(quote: str, base: str) -> str:
    """What a heading says of the section it opens; a sub-heading ((一)…) in a review
    leaves it a review unless it speaks of targets."""
    if w.REVIEW_HEADING.search(quote):
        return REVIEW
    if w.TARGET_HEADING.search(quote):
        return FUTURE
    if base == REVIEW and _SUB_HEADING.match(quote) and not w.PLAN_HEADING.search(quote):
        return REVIEW
    return NEUTRAL


def _is_heading(quote: str) -> bool:
    if len(quote) > (60 if w.REVIEW_HEADING.search(quote) else 40) or _HEADING_END.search(quote):
        return False
    return not re.search(r"\d|百分之|千分之", quote) or not figures(masked(fold(quote)))


def _take(statement: Statement, sentence: Sentence, year: int,
          targets: list[DraftTarget]) -> None:
    """Add the statement as a target, or as the stretch of the one before, if it is one."""
    if statement.mode in (PAST, REVIEW) or statement.figure.approx or statement.attributive:
        return
    if statement.context or statement.relative:
        return
    name = statement.name
    if statement.prenominal:
        name = prenominal_name(statement, masked(sentence.text)) or ""
        if not name or statement.mode != FUTURE:
            return
    elif _is_stretch(statement, targets):
        last = targets[-1]
        targets[-1] = replace(last, stretch=statement.figure.amount.value)
        return
    if bad_name(name) or (statement.mode == NEUTRAL and not statement.stated):
        return
    restated = _GOAL_WORDS.sub("", name)
    if restated != name:  # 经济增长预期目标为5%左右: the target named again, explained
        amount = statement.figure.amount
        if any(t.value == amount.value and t.unit == amount.unit for t in targets):
            return
        name = restated
    targets.append(_target(statement, name, year, statement.prenominal))


def _is_stretch(statement: Statement, targets: list[DraftTarget]) -> bool:
    """力争7% after 增长6%以上 (or 力争增长7%): the stretch of the target before."""
    if not statement.striving or not targets:
        return False
    last = targets[-1]
    same = not statement.name or statement.name == last.name
    amount = statement.figure.amount
    return (same and last.quote == statement.quote and amount.unit == last.unit
            and last.value is not None and last.comparison in (">", ">=")
            and amount.value > last.value)


def _target(statement: Statement, name: str, year: int, counted: bool) -> DraftTarget:
    figure = statement.figure
    amount = figure.amount
    comparison, tolerance = _comparison(statement, name)
    kind = _kind(name, amount.unit, statement, counted)
    start = date(year, 1, 1)
    due: date | None = date(year, 12, 31)
    every = "year" if statement.every else None
    if statement.horizon:
        due = date(statement.horizon, 12, 31)
        if kind == "annual":
            start = date(year - 1, 12, 31)
    if every:
        due = None
    text = (plain(amount.value) + amount.unit if amount.unit in _RATES
            else format_amount(amount.value, amount.unit, exact=True))
    if figure.suffix in ("左右", "上下"):
        text += "左右"
    return DraftTarget(
        id="", name=name, target=text, value=amount.value, unit=amount.unit,
        comparison=comparison, tolerance=tolerance,
        stretch=figure.stretch.value if figure.stretch else None, kind=kind, every=every,
        start=start, due=due, hold=statement.hold, relative_to=None, quote=statement.quote)


def _comparison(statement: Statement, name: str) -> tuple[str, Decimal | None]:
    """The comparison the words say, 左右 resolved to the indicator's direction with the
    default tolerance."""
    from bjtrack.domain.evaluation import DEFAULT_AMOUNT_TOLERANCE, DEFAULT_RATE_TOLERANCE

    said = w.SUFFIX_COMPARISON.get(statement.figure.suffix) or statement.comparison
    declining = any(word in name for word in w.DECLINE)
    ceiling = bool(w.CEILINGS.search(name)) and not declining
    if said == "~" or said is None:
        amount = statement.figure.amount
        tolerance = None
        if said == "~":
            tolerance = (DEFAULT_RATE_TOLERANCE if amount.unit == PERCENT
                         else abs(amount.value) * DEFAULT_AMOUNT_TOLERANCE)
        if statement.comparison in ("<=", "<", ">", ">="):
            return statement.comparison, tolerance
        return ("<=" if ceiling else ">="), tolerance
    return said, None


def _kind(name: str, unit: str, statement: Statement, counted: bool) -> str:
    if unit in _RATES:
        return "rate"
    if statement.horizon:
        return "annual"
    if counted or statement.hold or _LEVEL_WORDS.search(name):
        return "level"
    return "flow"


def _skips(sentence: Sentence, mode: str, year: int, had_target: bool,
           skipped: list[Skipped], pending: list[tuple[str, str, str]]) -> None:
    """Clauses of a target sentence that set a target with no number."""
    if not w.SKIP_VERBS.search(sentence.text):
        return
    text = masked(sentence.text)
    if not had_target and "目标" not in text and mode != FUTURE:
        return
    clause_state = mode
    for start, end in clause_spans(text):
        clause = text[start:end]
        clause_state = clause_mode(clause, clause_state, year)
        if clause_state in (PAST, REVIEW) or figures(clause) or not w.SKIP_VERBS.search(clause):
            continue
        words, _ = strip_lead(clause)
        sync = w.SYNC.match(words)
        if sync:
            pending.append((sync["name"], sync["other"], sentence.quote))
            continue
        if len(words) >= 4:
            skipped.append(Skipped(sentence.quote, sentence.quote[start:end], "no_number"))


def _deduplicated(targets: list[DraftTarget]) -> list[DraftTarget]:
    """A target stated twice (a headline and the list) once; ids from names."""
    seen: set[tuple[str, Decimal | None, str, str]] = set()
    ids: list[str] = []
    out: list[DraftTarget] = []
    for target in targets:
        key = (target.name, target.value, target.unit, target.comparison)
        if key in seen:
            continue
        seen.add(key)
        new_id = unique(slug(target.name), ids)
        ids.append(new_id)
        out.append(replace(target, id=new_id))
    return out


def _relatives(targets: list[DraftTarget], pending: list[tuple[str, str, str]], year: int,
               skipped: list[Skipped]) -> list[DraftTarget]:
    """居民收入增长与经济增长同步: a target following the series of another target of the
    same text; skipped when that target is not there."""
    ids = [t.id for t in targets]
    for name, other, quote in pending:
        follows = _followed(targets, other)
        if follows is None:
            skipped.append(Skipped(quote, name + other, "relative_unresolved"))
            continue
        full = name if name.endswith(w.CHANGE_WORDS) else name + "增长"
        new_id = unique(slug(full), ids)
        ids.append(new_id)
        targets.append(DraftTarget(
            id=new_id, name=full, target="series:" + follows.id, value=None,
            unit=follows.unit, comparison=">=", tolerance=None, stretch=None, kind="rate",
            every=None, start=date(year, 1, 1), due=date(year, 12, 31), hold=False,
            relative_to=follows.id, quote=quote))
    return targets


def _followed(targets: list[DraftTarget], other: str) -> DraftTarget | None:
    wanted = ("生产总值增长", "GDP增长", "经济增长") if other.startswith("经济") else (other,)
    for target in targets:
        if target.unit == PERCENT and any(x in target.name for x in wanted):
            return target
    return None
