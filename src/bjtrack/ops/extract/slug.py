"""Target ids from names: short English for the usual indicators, else pinyin initials.

The initials come from the order of GB2312's first level, which is sorted by pinyin: the
code of a character says its initial letter, with no table of readings to ship."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Longest first; each phrase found in a name gives its word (地区生产总值增长 -> gdp-growth).
_WORDS = (
    ("地区生产总值", "gdp"), ("国内生产总值", "gdp"), ("生产总值", "gdp"), ("GDP", "gdp"),
    ("规上工业增加值", "industry"), ("规模以上工业增加值", "industry"),
    ("规模工业增加值", "industry"), ("工业增加值", "industry"), ("工业总产值", "industry-output"),
    ("规模工业总产值", "industry-output"), ("服务业增加值", "services"),
    ("全社会固定资产投资", "investment"), ("固定资产投资", "investment"), ("投资", "investment"),
    ("社会消费品零售总额", "retail"), ("进出口总额", "trade"), ("外贸出口", "exports"),
    ("出口", "exports"), ("进口", "imports"), ("实际利用外资", "fdi"), ("利用外资", "fdi"),
    ("地方级财政收入", "local-revenue"), ("一般公共预算收入", "budget-revenue"),
    ("财政总收入", "revenue"), ("财政收入", "revenue"), ("居民消费价格", "cpi"),
    ("城镇登记失业率", "unemployment"), ("城镇调查失业率", "unemployment"),
    ("失业率", "unemployment"), ("城镇新增就业", "new-jobs"), ("人口自然增长率", "birth-rate"),
    ("城镇居民人均可支配收入", "urban-income"), ("农村居民人均可支配收入", "rural-income"),
    ("农民人均纯收入", "rural-income"), ("农牧民人均纯收入", "rural-income"),
    ("居民人均可支配收入", "income"), ("农业总产值", "agriculture"), ("粮食", "grain"),
    ("能耗", "energy"), ("森林覆盖率", "forest"), ("引进人才", "talent"), ("新增企业", "new-firms"),
    ("研发", "rd"), ("数字经济", "digital"), ("增长", "growth"), ("涨幅", "growth"),
    ("增幅", "growth"), ("上涨", "growth"), ("下降", "decline"), ("降低", "decline"),
    ("比重", "share"), ("总量", "total"),
)
_GB_BOUNDS = (
    (0xB0A1, "a"), (0xB0C5, "b"), (0xB2C1, "c"), (0xB4EE, "d"), (0xB6EA, "e"), (0xB7A2, "f"),
    (0xB8C1, "g"), (0xB9FE, "h"), (0xBBF7, "j"), (0xBFA6, "k"), (0xC0AC, "l"), (0xC2E8, "m"),
    (0xC4C3, "n"), (0xC5B6, "o"), (0xC5BE, "p"), (0xC6DA, "q"), (0xC8BB, "r"), (0xC8F6, "s"),
    (0xCBFA, "t"), (0xCDDA, "w"), (0xCEF4, "x"), (0xD1B9, "y"), (0xD4D1, "z"),
)
_LEVEL_ONE_END = 0xD7FA


def initial(ch: str) -> str:
    """The pinyin initial of a common character; ASCII letters and digits as themselves;
    '' for anything else."""
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    try:
        raw = ch.encode("gb2312")
    except UnicodeEncodeError:
        return ""
    if len(raw) != 2:
        return ""
    code = raw[0] * 256 + raw[1]
    if not _GB_BOUNDS[0][0] <= code < _LEVEL_ONE_END:
        return ""
    letter = ""
    for bound, found in _GB_BOUNDS:
        if code >= bound:
            letter = found
    return letter


def slug(name: str) -> str:
    """gdp-growth, talent, or the initials (qnyjrc) when no word is known."""
    parts: list[str] = []
    rest = name
    for phrase, word in _WORDS:
        if phrase in rest:
            before, _, rest = rest.partition(phrase)
            parts.append(_initials(before))
            parts.append(word)
    parts.append(_initials(rest))
    text = "-".join(p for p in parts if p)
    text = re.sub(r"-+", "-", text).strip("-")[:40]
    return text or "target"


def _initials(text: str) -> str:
    return "".join(initial(ch) for ch in text)


def unique(base: str, taken: Iterable[str]) -> str:
    used = set(taken)
    if base not in used:
        return base
    number = 2
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"
