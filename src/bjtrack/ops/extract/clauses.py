"""From a sentence to statements: each figure with the indicator it is about, the words
of comparison around it and whether the clause speaks of the past or of a plan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bjtrack.ops.extract import words as w
from bjtrack.ops.extract.text import Figure, Sentence, clause_spans, figures, masked

PAST, NEUTRAL, FUTURE, REVIEW = "past", "neutral", "future", "review"
_PAST_YEAR = re.compile(r"(?<![比较与同于到至])((?:19|20)\d\d)年(?!前|末|底)")
_INNER = re.compile(r"力争|争取|确保|[比较][上去]年|同比|按可比价格?计算|按不变价格计算")
_COUNT_UNITS = frozenset("个家条项所座名处批户人套台辆张件")
_NAME_COUNT = re.compile(r"\d+\s*(?:个|省|市|区|县|家|项|年)")
_AND = "和及与或"
_TRAILING_TIME = re.compile(r"(?:全年|今年|年内|当年)$")
_LATIN_ALIAS = re.compile(r"[(（][A-Za-z][A-Za-z0-9.]*[)）]")  # 国内生产总值(GDP)
_QUOTED = re.compile(r"“([^”]{1,8})”")
_SHARED = re.compile(r"分别|(?<![人年平户亩])[均都](?=达|增|超|在|保持|为|不|控制|实现|突破"
                     r"|高于|提高|下降|降低|稳定|完成|力争|要|应)")


@dataclass(frozen=True)
class Statement:
    """A figure a sentence states, read the way plans and bulletins write."""

    name: str
    figure: Figure
    comparison: str | None  # from the words around it: ">", ">=", "<=", "<", "~" or None
    hold: bool  # 保持, 稳定在
    stated: bool  # a target word (以上, 以内, 左右, 力争, 控制在, 不低于 …) is there
    striving: bool  # 力争/争取 before it
    every: bool  # 每年
    horizon: int | None  # 到2025年
    mode: str  # past, neutral or future
    prenominal: bool  # 推进…等32个改革试点: the figure counts the noun after it
    attributive: bool  # the figure qualifies a noun (增长7%的…目标, 72平方公里的土地)
    context: bool  # another government's figure (根据…中央…)
    relative: bool  # 高于全国1.6个百分点: a comparison, not a figure of its own
    bare: bool  # the name came from the indicator before (增幅12%以上 after 财政总收入…)
    sentence: int
    quote: str


def clause_mode(clause: str, mode: str, year: int | None) -> str:
    """The time a clause speaks of; a clause without a marker speaks as the one before."""
    past = bool(w.PAST.search(clause)) or _past_year(clause, year)
    if mode == REVIEW:  # a review speaks of the past until a plan's own words
        return FUTURE if w.REVIEW_FLIP.search(clause) and not past else REVIEW
    if past and not w.STRONG_FUTURE.search(clause):
        return PAST
    if w.FUTURE.search(clause):
        return FUTURE
    return mode


def _past_year(clause: str, year: int | None) -> bool:
    if year is None:
        return False
    return any(int(m.group(1)) < year for m in _PAST_YEAR.finditer(clause))


def horizon_of(clause: str, year: int | None) -> int | None:
    for match in w.HORIZON.finditer(clause):
        found = int(match.group(1) or match.group(2))
        if year is None or found > year:
            return found
    return None


def strip_lead(name: str) -> tuple[str, set[str]]:
    """Drop fillers from the front of a name; say which were there."""
    seen: set[str] = set()
    changed = True
    while changed and name:
        changed = False
        match = w.LEAD_PATTERN.match(name)
        if match and match.end():
            seen.add(match.group())
            name, changed = name[match.end():].lstrip(), True
            continue
        for word in w.LEAD_FILLER:
            if name.startswith(word):
                seen.add(word)
                name, changed = name[len(word):].lstrip(), True
                break
        else:
            for word in w.LEAD_TIME:
                rest = name[len(word):]
                if name.startswith(word) and rest and not rest.startswith(w.VERBS):
                    seen.add(word)
                    name, changed = rest, True
                    break
    return name, seen


def strip_tail(pre: str) -> tuple[str, str | None, bool, bool]:
    """Drop the comparison words between a name and its figure: (name, comparison, hold,
    stated)."""
    comparison: str | None = None
    hold = stated = False
    changed = True
    while changed and pre:
        changed = False
        for word, said, holds in w.COMPARISON_WORDS:
            if pre.endswith(word) and not _keeps_word(pre, word):
                pre, changed = pre[: -len(word)].rstrip(), True
                comparison = comparison or said
                hold = hold or holds
                stated = stated or word in ("控制在", "不少于", "不低于", "不超过", "不高于",
                                            "至少", "保持在", "稳定在", "保持")
                break
    return pre, comparison, hold, stated


def _keeps_word(pre: str, word: str) -> bool:
    """增长 in 达到 is a comparison; 为 in 作为 or 在 in 所在 is not."""
    return word in ("为", "在", "到", "是", "以") and len(pre) > 1 and pre[-2] in "作所认得达"


def clean_name(pre: str) -> tuple[str, str | None, bool, bool, set[str]]:
    """(name, comparison, hold, stated, lead words) from the words before a figure."""
    name, comparison, hold, stated = strip_tail(pre.strip())
    name, lead = strip_lead(name)
    name = _TRAILING_TIME.sub("", _LATIN_ALIAS.sub("", _INNER.sub("", name))).strip("的 ")
    if name != pre.strip():
        name, more_comparison, more_hold, more_stated = strip_tail(name)
        comparison = comparison or more_comparison
        hold, stated = hold or more_hold, stated or more_stated
    for short, full in w.ABBREVIATIONS.items():
        name = name.replace(short, full)
    return name, comparison, hold, stated, lead


def subject_of(name: str) -> str:
    """The thing a name measures: 今年新增企业 -> 企业, 地区生产总值增长 -> 地区生产总值."""
    for word in w.CHANGE_WORDS:
        if name.endswith(word) and len(name) > len(word):
            name = name[: -len(word)]
            break
    for word in w.LEAD_TIME:
        if name.startswith(word):
            name = name[len(word):]
    for verb in w.VERBS:
        if name.startswith(verb) and len(name) > len(verb):
            return name[len(verb):]
    return name


def _segment_start(text: str, start: int, stop: int) -> int:
    """The start of the 、-separated item ending at `stop`, not before `start`."""
    cut = text.rfind("、", start, stop)
    return cut + 1 if cut >= 0 else start


def _items(text: str) -> list[str]:
    """A list of subjects: 森林覆盖率、绿地率 / 城镇和农村居民人均可支配收入."""
    items = [x for x in re.split(r"[、和及与]", text) if x]
    if len(items) == 1 and items[0].startswith("城乡"):  # 城乡居民收入: 城镇居民…, 农村居民…
        items = ["城镇" + items[0][2:], "农村" + items[0][2:]]
    if len(items) == 2 and len(items[0]) <= 3 < len(items[1]):  # 城镇和农村居民收入
        items[0] = items[0] + items[1][len(items[0]):]
    return items


@dataclass
class _Reading:
    """What a sentence has said so far, as its clauses are read."""

    mode: str
    horizon: int | None = None
    subject: str = ""
    last_name: str = ""


def statements(sentence: Sentence, index: int, mode: str, year: int | None
               ) -> Iterator[Statement]:
    """The statements of one sentence, in order. `mode` is what the section says (past in
    a review, future in a list of targets)."""
    text = masked(sentence.text)
    found = figures(text)
    if not found:
        return
    reading = _Reading(mode)
    for start, end in clause_spans(text):
        clause = text[start:end]
        reading.mode = clause_mode(clause, reading.mode, year)
        reading.horizon = horizon_of(clause, year) or reading.horizon
        inside = [f for f in found if start <= f.start < end]
        yield from _clause(text, sentence, index, start, end, inside, reading)


def _clause(text: str, sentence: Sentence, index: int, start: int, end: int,
            inside: list[Figure], reading: _Reading) -> Iterator[Statement]:
    clause = text[start:end]
    every = bool(w.EVERY_YEAR.search(clause))
    previous_end = start
    shared: list[str] = []  # 分别: the subjects the next figures go to, in order
    shared_verb = ""
    for position, figure in enumerate(inside):
        stop = inside[position + 1].start if position + 1 < len(inside) else end
        post = text[figure.end:stop]
        item_start = _segment_start(text, start, figure.start)
        joint = text[previous_end:previous_end + 1]
        if not (previous_end > item_start and _cjk(joint) and joint not in _AND):
            item_start = max(item_start, previous_end)  # else 有7个预期…: one long name
        pre = text[item_start:figure.start]
        names: list[str]
        if shared and not pre.strip("、和 "):
            names = [shared.pop(0) + shared_verb]
            lead: set[str] = set()
            raw_name, comparison, hold, stated = names[0], None, False, False
        else:
            raw_name, comparison, hold, stated, lead = clean_name(pre)
            names = [raw_name]
            if _SHARED.search(pre):
                names, shared, shared_verb = _distributed(text, previous_end, item_start,
                                                          pre, raw_name)
        previous_end = figure.end
        for name in names:
            yield _statement(name, figure, pre, post, clause, comparison, hold, stated, lead,
                             every, reading, sentence, index)


def _distributed(text: str, start: int, item_start: int, pre: str, name: str
                 ) -> tuple[list[str], list[str], str]:
    """森林覆盖率、绿地率均达到40% (every subject, one figure) and A、B分别增长7%、8% (the
    subjects in turn)."""
    match = _SHARED.search(pre)
    assert match is not None
    word = match.group()
    head, verb = pre[: match.start()], pre[match.end():]
    verb, _, _, _ = strip_tail(verb)
    before = text[start:item_start].rstrip("、")
    subjects = [clean_name(x)[0] for x in _items(before)] if before else []
    subjects += _items(clean_name(head)[0]) or [name]
    subjects = [s for s in subjects if s]
    if not subjects:
        return [name], [], ""
    keep = verb if verb in w.CHANGE_WORDS else ""
    if word == "分别":
        return [subjects[0] + keep], subjects[1:], keep
    return [s + keep for s in subjects], [], ""


def _statement(name: str, figure: Figure, pre: str, post: str, clause: str,
               comparison: str | None, hold: bool, stated: bool, lead: set[str], every: bool,
               reading: _Reading, sentence: Sentence, index: int) -> Statement:
    bare = False
    if name in w.BARE_MEASURES or not name:
        if reading.subject and name:
            name, bare = reading.subject + name, True
    elif "其中" in lead and reading.last_name:
        name = _inherit_verb(name, reading.last_name)
    if name in w.GENERIC_FUNDS:
        quoted = _QUOTED.findall(sentence.text[: sentence.text.find(clause)])
        if quoted:
            name = f"“{quoted[-1]}”{name}"
    if name and not bare:
        reading.subject = subject_of(name)
    if name:
        reading.last_name = name
    after = post.lstrip()
    prenominal = (bool(after) and _cjk(after[0]) and after[0] not in _AND
                  and not after.startswith(("的", "力争", "争取")))
    striving = bool(lead & {"力争", "争取", "努力"})
    return Statement(
        name=name, figure=figure, comparison=comparison, hold=hold,
        stated=stated or striving or bool(figure.suffix) or "确保" in lead,
        striving=striving, every=every, horizon=reading.horizon, mode=reading.mode,
        prenominal=prenominal, attributive=after.startswith("的"),
        context=bool(w.CONTEXT.search(clause[: max(0, clause.find(pre))] + pre)),
        relative=figure.amount.unit == "百分点" and bool(w.RELATIVE_FIGURE.search(pre)),
        bare=bare, sentence=index, quote=_quote(sentence, figure))


_QUOTE_CUTS = re.compile(r"[；;：:]|……")


def _quote(sentence: Sentence, figure: Figure) -> str:
    """The part of the sentence the figure stands in: between 。：； or …… as written."""
    start, end = 0, len(sentence.quote)
    for cut in _QUOTE_CUTS.finditer(sentence.text):
        if cut.end() <= figure.start:
            start = cut.end()
        elif cut.start() >= figure.end:
            end = cut.start() + (1 if cut.group() in "；;" else 0)
            break
    quote = sentence.quote[start:end].strip()
    return quote if len(quote) >= 8 else sentence.quote


def _inherit_verb(name: str, parent: str) -> str:
    """其中优秀应届毕业生 after 全年引进人才: 引进优秀应届毕业生."""
    if name.startswith(w.VERBS):
        return name
    for time in w.LEAD_TIME:
        parent = parent.removeprefix(time)
    for verb in w.VERBS:
        if parent.startswith(verb):
            return verb + name
    return name


def _cjk(ch: str) -> bool:
    return bool(ch) and ("\u4e00" <= ch <= "\u9fff" or ch in "“（(")


def bad_name(name: str) -> bool:
    """Too short, too long, or a count of places (西部12省区有7个…): no indicator."""
    return len(name) < 2 or len(name) > 30 or bool(_NAME_COUNT.search(name))


def prenominal_name(statement: Statement, text: str) -> str | None:
    """推进…等32个中央和省批复的改革试点 -> 推进中央和省批复的改革试点 (a verb, then the
    noun the figure counts), or None."""
    figure = statement.figure
    if figure.amount.unit not in _COUNT_UNITS:
        return None
    noun = re.split(r"[，,；;。、：:！？\n]", text[figure.end:], maxsplit=1)[0]
    head = text[: figure.start]
    cut = max(head.rfind(x) for x in "，,；;：:")
    head = head[cut + 1:]
    marker = w.STRONG_FUTURE.search(head)
    if marker is None or not 2 <= len(noun) <= 16 or re.search(r"\d", noun):
        return None
    for i in range(marker.end(), len(head)):
        if head.startswith(w.VERBS, i):
            verb = next(v for v in w.VERBS if head.startswith(v, i))
            return verb + noun
    return None


def plan_year(text: str) -> int | None:
    """The year a plan is for, when the text says it: 2010年…预期目标, or a review of the
    year before."""
    found = re.search(r"((?:19|20)\d\d)年[^。；\n]{0,24}?(?:预期目标|主要目标|目标|工作安排|"
                      r"计划草案|政府工作)", text)
    if found:
        return int(found.group(1))
    review = re.search(r"((?:19|20)\d\d)年[^。；\n]{0,10}?(?:工作回顾|成绩单|执行情况)", text)
    if review:
        return int(review.group(1)) + 1
    return None


