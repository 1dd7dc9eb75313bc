"""Text rules: width folding, sentences and clauses, and the figures a clause states.

Everything here is pure: text in, tuples of frozen dataclasses out. Positions index the
folded text, which has the same length as the original, so quotes are cut from the
original as the plan wrote it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bjtrack.domain.amounts import Amount, parse_amount
from bjtrack.domain.errors import BjtrackError

# Full-width digits, letters and signs fold to ASCII; Chinese punctuation stays, so that
# "，" (a clause break) and "," (digit grouping) remain apart. One character each way.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
_FOLD.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})
_FOLD.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
_FOLD.update({0xFF05: ord("%"), 0xFF0E: ord("."), 0xFF0B: ord("+"), 0xFF0D: ord("-"),
              0x3000: ord(" "), 0x2030: 0x2030, 0xFE6A: ord("%")})

CLAUSE_BREAKS = "，,；;：:。！？!?\n"
SENTENCE_END = re.compile(r"[。！？!?\n]+")

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}

# Units a target or a figure may carry, longest first (a magnitude is read before them).
_UNITS = sorted("""
% ‰ 个百分点 百分点 亿美元 万美元 美元 元 斤 吨 公斤 千克 人次 人 户 家 个 条 项 座 所 张
辆 台 套 件 名 位 处 公里 平方公里 千米 米 平方米 立方米 亩 公顷 千公顷 千瓦时 千瓦 兆瓦
标准箱 床 间 栋 幢 部 只 头 株 棵 艘 架 列 宗 笔 场 届 批 例 人年 元/人 元/吨 微克/立方米
""".split(), key=len, reverse=True)
_UNIT = "|".join(re.escape(u) for u in _UNITS)
_MAG = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千(?!瓦|克|米|公顷)|百(?!分点))?"
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CN_NUM = r"[零〇一二两三四五六七八九十百点]+"

VALUE = re.compile(
    rf"(?<![\dA-Za-z.\-])(?:(?P<lo>{_NUM}){_MAG}(?P<lo_unit>%|‰)?\s*(?P<dash>[—－\-~～至到]{{1,2}})\s*)?"
    rf"(?:(?P<num>{_NUM})(?P<mag>{_MAG})(?P<approx>余|多)?(?P<unit>{_UNIT})"
    rf"|(?P<cn_kind>百分之|千分之)(?P<cn>{_NUM}|{_CN_NUM}))"
    r"(?P<suffix>及以上|以上|以内|以下|左右|上下)?"
)

MARKED_OFF = re.compile(r"“[^”\n]{0,30}”|\"[^\"\n]{0,30}\"|《[^》\n]{0,60}》")


@dataclass(frozen=True)
class Figure:
    """One amount a clause states, with the words around it."""

    start: int  # in the sentence
    end: int
    amount: Amount
    raw: str  # as written: 5%—5.5%, 超300亿元 is split: raw is 300亿元
    stretch: Amount | None  # the upper end of a range 5%—5.5%
    suffix: str  # 以上, 以内, 左右 …
    approx: bool  # 600余家


@dataclass(frozen=True)
class Sentence:
    text: str  # folded
    quote: str  # as written
    line: int  # the paragraph (line) it belongs to, 0-based


def fold(text: str) -> str:
    """Fold full-width forms one character for one character."""
    return text.translate(_FOLD)


def sentences(text: str) -> list[Sentence]:
    """Split at sentence ends and line breaks; keep the text as written for quotes."""
    folded = fold(text)
    out: list[Sentence] = []
    line = 0
    start = 0
    for match in SENTENCE_END.finditer(folded + "\n"):
        end = match.end()
        piece = folded[start:end].strip()
        if piece:
            quote = text[start:min(end, len(text))].strip()
            out.append(Sentence(piece, quote, line))
        line += match.group().count("\n")
        start = end
    return out


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of a sentence (between ，；： and the like), quotes and
    brackets kept whole."""
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    for i, ch in enumerate(text):
        if ch in "“（(《":
            depth += 1
        elif ch in "”）)》" and depth:
            depth -= 1
        elif ch in CLAUSE_BREAKS and not depth:
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def masked(text: str) -> str:
    """Numbers inside quotation marks and titles name things (“5050计划”, 《十四五规划》):
    they are blanked out, length kept."""
    return MARKED_OFF.sub(lambda m: re.sub(r"\d", "#", m.group()), text)


def cn_number(text: str) -> Decimal | None:
    """八 -> 8, 十二 -> 12, 七点五 -> 7.5, 8.5 -> 8.5; None when it is no number."""
    if re.fullmatch(_NUM, text):
        return Decimal(text.replace(",", ""))
    whole, _, frac = text.partition("点")
    value = 0
    current = 0
    for ch in whole:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch == "十":
            value += (current or 1) * 10
            current = 0
        elif ch == "百":
            value += current * 100
            current = 0
        else:
            return None
    value += current
    digits = "".join(str(_CN_DIGIT[c]) for c in frac if c in _CN_DIGIT)
    if len(digits) != len(frac):
        return None
    return Decimal(f"{value}.{digits}") if digits else Decimal(value)


def figures(text: str) -> list[Figure]:
    """Every amount with a unit in a (masked) sentence; years, dates and bare numbers are
    not amounts."""
    found: list[Figure] = []
    for match in VALUE.finditer(text):
        amount = _amount(match)
        if amount is None:
            continue
        stretch = None
        if match["lo"] is not None:
            low = _amount_of(match["lo"], amount.unit)
            if low is None or low.value >= amount.value:
                continue
            amount, stretch = low, amount
        start = match.start("num") if match["num"] else match.start("cn_kind")
        if match["lo"] is not None:
            start = match.start("lo")
        end = match.end("suffix") if match["suffix"] else match.end()
        raw = text[start:match.end("suffix") if match["suffix"] else match.end()]
        found.append(Figure(start, end, amount, raw, stretch, match["suffix"] or "",
                            bool(match["approx"])))
    return found


def _amount(match: re.Match[str]) -> Amount | None:
    if match["cn_kind"]:
        number = cn_number(match["cn"])
        if number is None:
            return None
        return Amount(number, "%" if match["cn_kind"] == "百分之" else "‰")
    unit = match["unit"]
    if unit in ("个百分点", "百分点"):
        unit = "百分点"
    return _amount_of(match["num"] + (match["mag"] or ""), unit)


def _amount_of(text: str, unit: str) -> Amount | None:
    try:
        return parse_amount(text.replace(",", "") + unit)
    except BjtrackError:
        return None
