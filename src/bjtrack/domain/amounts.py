"""Amounts as people write them ("300亿元", "1.5万家", "41.2%") <-> exact Decimal + base unit.

Values are always kept in the base unit (元, 人, 家, %, 美元 …): "300亿元" is
Decimal(30000000000) with unit "元". Magnitudes (十/百/千/万/亿 and their
combinations such as 千万 or 万亿) are folded into the value; they are never part
of a unit, except where a unit itself begins with such a character (千克, 百分点).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
    getcontext,
    localcontext,
)

from bjtrack.domain.errors import InputError, problem

MAGNITUDES: dict[str, Decimal] = {
    "十": Decimal(10),
    "百": Decimal(100),
    "千": Decimal(1000),
    "万": Decimal(10_000),
    "亿": Decimal(100_000_000),
}

# Units that begin with a magnitude character: "5千克" is five kilograms, not 5000 克.
UNITS_STARTING_WITH_MAGNITUDE = ("千克", "千米", "千瓦时", "千瓦", "百分点", "千公顷", "十分")

PERCENT = "%"
MONEY_UNITS = frozenset({"元", "美元", "欧元", "港元", "日元"})
# Units that count whole things (people, firms, projects …): what is still needed of them
# is a whole number, rounded up, since 2833.33人 means 2834 more people.
COUNTABLE_UNITS = frozenset({
    "人", "名", "位", "家", "户", "个", "项", "件", "套", "条", "所", "座", "台", "辆",
    "只", "头", "张", "间", "栋", "幢", "处", "批", "次", "篇", "部", "款", "枚", "棵", "株",
    "场", "届", "例", "宗", "起", "支", "艘", "架", "把", "本", "份", "块", "口",
})

# Largest exponent accepted: well past any economic figure (10^30), small enough that
# arithmetic on it stays exact and fast.
MAX_EXPONENT = 40

_NUMBER = re.compile(
    r"""^(?P<sign>[+-]?)\s*
        (?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
        \s*(?P<rest>.*)$""",
    re.VERBOSE | re.DOTALL,
)
_GROUPED = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
# A comma after the decimal point groups nothing: `1.234,567` (a European decimal comma)
# or `12.5,000万` is a typo, not 1.234567 or 12.5万
_COMMA_AFTER_POINT = re.compile(r"\d*\.\d*,")
_UNIT = re.compile(r"^[^\d\s.,+\-]{1,12}$")

ACCEPTED_FORMS = "300亿元, 3,000,000万, 1.5万家, 15000, 1.5e4, 41.2%, -3.5%, 9.1亿美元"


@dataclass(frozen=True)
class Amount:
    """An exact value in its base unit ("" for a bare number)."""

    value: Decimal
    unit: str

    def __str__(self) -> str:
        return format_amount(self.value, self.unit, exact=True)


def normalise_text(text: str) -> str:
    """Fold full-width forms and typographic minus signs to ASCII; trim blanks."""
    # Invisible format characters pasted from web pages (zero-width spaces, bidi marks,
    # a BOM) carry no meaning in a figure or a date; they would only hide what it says.
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return folded.replace("\u2212", "-").replace("\u2013", "-").strip()


class _Invisible(dict[int, int | None]):
    """A `str.translate` table that drops format characters (category Cf) and keeps every
    other one, filled in as characters are met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Cf" else code
        self[code] = kept
        return kept


_INVISIBLE = _Invisible()


def _room(value: Decimal) -> Context:
    """A decimal context wide enough to keep every digit of `value` (the default 28
    significant digits would silently round 10^30-sized figures)."""
    ctx = getcontext().copy()
    if value.is_finite():
        _, digits, exponent = value.as_tuple()
        ctx.prec = min(1000, max(ctx.prec, len(digits) + abs(int(exponent)) + 12))
    return ctx


def _split_magnitude(rest: str) -> tuple[Decimal, str]:
    factor = Decimal(1)
    i = 0
    while i < len(rest) and rest[i] in MAGNITUDES:
        if rest[i:].startswith(UNITS_STARTING_WITH_MAGNITUDE):
            break
        factor *= MAGNITUDES[rest[i]]
        i += 1
    return factor, rest[i:].strip()


# The usual shapes of a figure (150, 800808771元, 41.2%, -3.5%) are read directly; anything
# else (and any unit the general reading would not keep as it is) takes the general path.
_SIMPLE = re.compile(r"(-?)([0-9]{1,15}(?:\.[0-9]{1,8})?)([^\x00-\x7f]{0,4}|%)")


def parse_amount(text: str) -> Amount:
    """Parse what a person typed into an exact Amount; raise InputError if impossible."""
    simple = _SIMPLE.fullmatch(text)
    if simple is not None and _kept_unit(simple[3]):
        sign, digits, unit = simple.groups()
        number = Decimal(digits)
        if sign:
            number = -number
        return Amount(_exact(number) if "." in digits else number, unit)
    return _parse_amount(text)


@functools.lru_cache(maxsize=256)
def _kept_unit(unit: str) -> bool:
    """Does the general reading of a plain number followed by `unit` keep the unit as it is
    and the number as written? Then so it does for every number of the simple shape: the
    unit is in normal form and starts with a character that combines with no digit."""
    if unit and (unicodedata.combining(unit[0]) or not unicodedata.is_normalized("NFKC", unit)):
        return False
    try:
        return _parse_amount("1" + unit) == Amount(Decimal(1), unit)
    except InputError:
        return False


def _parse_amount(text: str) -> Amount:
    """`parse_amount` of any text."""
    raw = text
    cleaned = normalise_text(text)
    if "," in cleaned:
        if _COMMA_AFTER_POINT.match(cleaned.lstrip("+- ")):
            raise _bad(raw, "form")
        cleaned = _GROUPED.sub("", cleaned)
    match = _NUMBER.match(cleaned)
    if not match or not cleaned:
        raise _bad(raw, "form")
    try:
        number = Decimal(match["num"])
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        raise _bad(raw, "form") from None
    exponent = number.adjusted()
    if abs(exponent) > MAX_EXPONENT:
        raise _bad(raw, "range")
    if match["sign"] == "-":
        number = -number
    factor, unit = _split_magnitude(match["rest"].strip())
    if unit and not _good_unit(unit):
        raise _bad(raw, "unit", unit)
    if unit == PERCENT and factor != 1:
        raise _bad(raw, "percent")
    _, digits, places = number.as_tuple()
    assert isinstance(places, int)  # a finite number
    if len(digits) + abs(places) + 12 + factor.adjusted() <= getcontext().prec:
        value = number * factor  # fits the context as it is: exact, as in the room
        if places:  # else a whole number already in the form _exact gives
            value = _exact(value)
    else:
        room = _room(number)
        room.prec = min(1000, room.prec + factor.adjusted())
        with localcontext(room):
            value = _exact(number * factor)
    if value and abs(value.adjusted()) > MAX_EXPONENT:  # 1亿亿亿亿亿亿
        raise _bad(raw, "range")
    return Amount(value, unit)


@functools.lru_cache(maxsize=256)
def _good_unit(unit: str) -> bool:
    """A unit a figure may carry (a few letters, no digits, no control characters)."""
    return bool(_UNIT.match(unit)) and (PERCENT not in unit or unit == PERCENT) and not any(
        unicodedata.category(ch).startswith("C") for ch in unit)


def _exact(value: Decimal) -> Decimal:
    """Drop a trailing-zero fraction and exponent form without changing the value."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _bad(raw: str, reason: str, unit: str = "") -> InputError:
    """reason: "form", "range", "unit" or "percent" (the i18n entries err.amount.*)."""
    shown = raw if len(raw) <= 60 else raw[:57] + "…"
    return InputError(problem(f"err.amount.{reason}", hint_key="hint.forms", text=shown,
                              forms=ACCEPTED_FORMS, unit=unit, max=MAX_EXPONENT))


# How plans phrase a comparison around an amount: 超300亿元, 8.2万家以上, 控制在5%以内, 6%左右.
_COMPARISON_PREFIXES = (
    ("不少于", ">="), ("不低于", ">="), ("不小于", ">="), ("至少", ">="), ("达到", ">="),
    ("不超过", "<="), ("不高于", "<="), ("不大于", "<="), ("控制在", "<="), ("最多", "<="),
    ("超过", ">"), ("突破", ">"), ("高于", ">"), ("大于", ">"), ("多于", ">"), ("超", ">"),
    ("低于", "<"), ("少于", "<"), ("小于", "<"), ("约", "~"),
)
_COMPARISON_SUFFIXES = (("及以上", ">="), ("以上", ">="), ("以下", "<="), ("以内", "<="),
                        ("左右", "~"))
_FILLER_PREFIXES = ("力争", "确保", "争取", "实现", "增长", "保持")


def split_approx(text: str) -> tuple[bool, str]:
    """Take the words of an approximate level (左右, 约) out of an amount as a plan writes it:
    '6%左右' -> (True, '6%'), '3%左右以内' -> (True, '3%以内'), '300亿元' -> (False, …).
    Which way the slack goes is the comparison's business, not these words'."""
    rest = normalise_text(text)
    approx = "左右" in rest
    rest = rest.replace("左右", "")
    for word in ("约", "大约"):
        if rest.startswith(word):
            rest, approx = rest[len(word):], True
    return approx, rest.strip()


_RANGE = re.compile(r"^([^~\u2014\u2015\uff5e到至]+?)\s*"
                    r"(?:[\u2014\u2015]+|~|\uff5e|到|至|(?<=[\d%\u4e00-\u9fff])-)"
                    r"\s*(\d[^~\u2014\u2015\uff5e到至]*)$")


def split_range(text: str) -> tuple[str, str] | None:
    """A range as plans write it, '5%—5.5%', '5%-5.5%', '5~5.5%', '5%到5.5%', as its lower
    and upper amounts ('5%', '5.5%'); a bare lower bound takes the upper one's unit.
    None when the text is not a range."""
    found = _RANGE.match(normalise_text(text))
    if found is None:
        return None
    low, high = found.group(1).strip(), found.group(2).strip()
    unit = re.match(r"^[\d.,]+(.*)$", high)
    if re.fullmatch(r"[\d.,]+", low) and unit is not None:
        low += unit.group(1)
    return low, high


def split_comparison(text: str) -> tuple[str | None, str]:
    """Separate the words of a comparison from an amount as a plan writes it:
    '超300亿元' -> ('>', '300亿元'), '40%以上' -> ('>=', '40%'), '力争8%' -> (None, '8%').
    Returns (None, text) when no such word is there; raises InputError on a contradiction."""
    rest = normalise_text(text)
    found: list[str] = []
    changed = True
    while changed:
        changed = False
        for word in _FILLER_PREFIXES:
            if rest.startswith(word):
                rest, changed = rest[len(word):].strip(), True
        for word, comparison in _COMPARISON_PREFIXES:
            if rest.startswith(word):
                rest, changed = rest[len(word):].strip(), True
                found.append(comparison)
                break
    for word, comparison in _COMPARISON_SUFFIXES:
        if rest.endswith(word):
            rest = rest[: -len(word)].strip()
            found.append(comparison)
            break
    if len(set(found)) > 1:
        raise _bad(text, "it says two different comparisons")
    return (found[0] if found else None), rest


def plain(value: Decimal) -> str:
    """The exact decimal as plain text, never in exponent form: 3E+10 -> '30000000000'."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def _grouped(value: Decimal) -> str:
    text = plain(value)
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, frac = text.partition(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}"
    return sign + whole + ("." + frac if frac else "")


def _round(value: Decimal, places: int) -> Decimal:
    return rounded(value, Decimal(1).scaleb(-places))


def rounded(value: Decimal, places: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """`value` rounded half up to the exponent of `places` (0.01: two decimals), however
    large it is. A ratio of two figures in range (|exponent| up to MAX_EXPONENT each) may
    reach 10^80: quantize in the default 28 digits fails (InvalidOperation) past 10^22."""
    room = Context(prec=max(28, value.adjusted() - places.adjusted() + 2))
    return value.quantize(places, rounding=rounding, context=room)


def _decimals(value: Decimal) -> int:
    exp = value.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


_SCALES = (("万亿", Decimal(10) ** 12), ("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4))
# `--units si` (English only): millions and billions instead of 万 and 亿, written
# compactly ("30bn元") so a figure never wraps inside a table cell.
_SI_SCALES = (("tn", Decimal(10) ** 12), ("bn", Decimal(10) ** 9), ("mn", Decimal(10) ** 6))


def format_amount(value: Decimal, unit: str, exact: bool = False, places: int = 2,
                  units: str = "cn") -> str:
    """Display a value the way a Chinese report writes it (see `_format_amount`), with
    every digit kept however large the value."""
    with localcontext(_room(value)):
        return _format_amount(value, unit, exact, places, units)


def _format_amount(value: Decimal, unit: str, exact: bool, places: int, units: str) -> str:
    """Display a value the way a Chinese report writes it.

    exact=True (a figure as published) shows every digit: 33710000000 元 -> '337.1亿元',
    42859 人 -> '42,859人'. exact=False (a computed figure) rounds to `places` decimals
    at the chosen magnitude: '312.46亿元'. units: "cn" scales by 万/亿 (the default),
    "si" by millions and billions.
    """
    if unit == PERCENT:
        shown = value if exact else _round(value, places)
        text = plain(shown)
        if "." not in text:
            text += ".0"
        return text + PERCENT
    size = abs(value)
    for name, scale in _SI_SCALES if units == "si" else _SCALES:
        if size < scale:
            continue
        scaled = value / scale
        if exact and _decimals(scaled) > 2:
            continue
        if not exact:
            scaled = _round(scaled, places)
        return plain(scaled) + name + unit
    shown = value if exact or value == value.to_integral_value() else _round(value, places)
    return _grouped(shown) + unit


def is_countable(unit: str) -> bool:
    """Does the unit count whole things (人, 家, 个, 项 …) rather than measure an amount?"""
    return unit in COUNTABLE_UNITS


def whole_needed(value: Decimal, unit: str) -> Decimal:
    """What is still needed, in whole things when the unit counts them: rounded up, so
    that doing it is enough (2833.33人 -> 2834). Other units keep their value."""
    if not is_countable(unit) or value == value.to_integral_value():
        return value
    with localcontext(_room(value)):
        return value.to_integral_value(rounding=ROUND_CEILING)


def format_points(value: Decimal, places: int = 1) -> str:
    """A difference of two percentages, in percentage points: '1.0'."""
    text = plain(_round(value, places))
    if "." not in text:
        text += ".0"
    return text


def base_unit(amount: Amount, expected: str) -> Amount:
    """Give a bare number the expected unit; reject a different unit."""
    if amount.unit == "" or amount.unit == expected:
        return Amount(amount.value, expected)
    bare = "" if expected else ".bare"
    raise InputError(problem(
        "err.unit_mismatch" + bare, hint_key="hint.unit" + bare,
        got=format_amount(amount.value, amount.unit, exact=True), expected=expected,
        unit=expected, example=_example(expected)))


def _example(unit: str) -> str:
    if unit == PERCENT:
        return "5.2%"
    if unit in MONEY_UNITS:
        return f"150亿{unit}"
    return f"1.5万{unit}" if unit else "150"
