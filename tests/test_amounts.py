"""Amounts as people type them, and as reports display them."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bjtrack.domain import amounts
from bjtrack.domain.amounts import Amount, base_unit, format_amount, parse_amount
from bjtrack.domain.errors import InputError
from bjtrack.render.words import Words

ENGLISH = Words("en")  # problems carry keys; the tests read them in English


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("300亿", "30000000000", ""),
        ("300亿元", "30000000000", "元"),
        ("3,000,000万", "30000000000", ""),
        ("３００亿", "30000000000", ""),
        ("0.03万亿", "30000000000", ""),
        ("1.5万家", "15000", "家"),
        ("15000", "15000", ""),
        ("1.5e4", "15000", ""),
        ("41.2%", "41.2", "%"),
        ("-3.5%", "-3.5", "%"),
        ("2.3万亿元", "2300000000000", "元"),
        ("9.1亿美元", "910000000", "美元"),
        ("12,345.6", "12345.6", ""),
        ("1056.2亿元", "105620000000", "元"),
        ("3.8万人", "38000", "人"),
        ("42859人", "42859", "人"),
        ("5千万元", "50000000", "元"),
        ("10条", "10", "条"),
        ("32个", "32", "个"),
        ("５．２％", "5.2", "%"),
        ("−2.5%", "-2.5", "%"),
        (" 150 亿元 ", "15000000000", "元"),
    ],
)
def test_parse_forms(text: str, value: str, unit: str) -> None:
    assert parse_amount(text) == Amount(Decimal(value), unit)


def test_magnitude_characters_that_begin_a_unit_stay_in_the_unit() -> None:
    assert parse_amount("5千克") == Amount(Decimal(5), "千克")
    assert parse_amount("1.2百分点") == Amount(Decimal("1.2"), "百分点")
    assert parse_amount("3万千瓦") == Amount(Decimal(30000), "千瓦")


def test_parsing_is_exact_not_float() -> None:
    # 0.1 + 0.2 style errors would show up here if a float were involved anywhere.
    assert parse_amount("0.3亿").value == Decimal("30000000")
    assert parse_amount("1234567890.123456789").value == Decimal("1234567890.123456789")


@pytest.mark.parametrize("text", ["", "abc", "亿", "1,5", "nan", "inf", "1e999", "5%万",
                                  "12 34", "1.2.3", "--5", "万5"])
def test_bad_amounts_say_what_is_accepted(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_amount(text)
    problem = caught.value.problems[0]
    hint = ENGLISH.hint(problem)
    assert "cannot read amount" in ENGLISH.text(problem)
    assert hint and "300亿元" in hint


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("30000000000", "元", "300亿元"),
        ("38000", "人", "3.8万人"),
        ("42859", "人", "42,859人"),
        ("40", "%", "40.0%"),
        ("5.05", "%", "5.05%"),
        ("105620000000", "元", "1056.2亿元"),
        ("600000000000", "元", "6000亿元"),
        ("2300000000000", "元", "2.3万亿元"),
        ("150", "元", "150元"),
        ("2000", "家", "2000家"),
        ("82000", "家", "8.2万家"),
        ("910000000", "美元", "9.1亿美元"),
        ("-350000000", "元", "-3.5亿元"),
        ("1000000000000000000000000000000", "元", "1000000000000000000万亿元"),
    ],
)
def test_display_follows_chinese_convention(value: str, unit: str, shown: str) -> None:
    assert format_amount(Decimal(value), unit, exact=True) == shown


def test_computed_figures_are_rounded_at_the_chosen_magnitude() -> None:
    assert format_amount(Decimal("31245670000.5"), "元") == "312.46亿元"
    assert format_amount(Decimal("45123.4"), "人") == "4.51万人"


def test_never_exponent_notation() -> None:
    assert "e" not in format_amount(Decimal("3E+10"), "元", exact=True).lower()
    assert format_amount(Decimal("1.5E+4"), "", exact=True) == "1.5万"


def test_round_trip_display_then_parse() -> None:
    for text in ["300亿元", "3.8万人", "42,859人", "40.0%", "1056.2亿元", "9.1亿美元"]:
        amount = parse_amount(text)
        assert parse_amount(format_amount(amount.value, amount.unit, exact=True)) == amount


def test_bare_number_takes_the_series_unit() -> None:
    assert base_unit(parse_amount("150"), "元") == Amount(Decimal(150), "元")


def test_unit_mismatch_is_an_error_with_an_example() -> None:
    with pytest.raises(InputError) as caught:
        base_unit(parse_amount("5万人"), "元")
    problem = caught.value.problems[0]
    text, hint = ENGLISH.text(problem), ENGLISH.hint(problem)
    assert "unit mismatch" in text and "5万人" in text
    assert hint and "150亿元" in hint


_UNITS = st.one_of(st.sampled_from(["", "元", "%", "家", "千克", "亿元", "万", "百分点", "十分",
                                    "\u0301元", "元\u0301", "\uf900", "\u200b", "％", "\u3000",
                                    "℃", "㎏", "\ufeff", "²", "٣"]),
                   st.text(st.characters(codec="utf-8"), max_size=4))


@settings(max_examples=500, deadline=None)
@given(sign=st.sampled_from(["", "-", "+"]), whole=st.text("0123456789", min_size=1, max_size=17),
       fraction=st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=9)),
       unit=_UNITS)
def test_the_usual_shapes_read_as_the_general_reading_reads_them(
        sign: str, whole: str, fraction: str, unit: str) -> None:
    text = sign + whole + ("." + fraction if fraction else "") + unit
    assert _outcome(parse_amount, text) == _outcome(amounts._parse_amount, text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(codec="utf-8"), max_size=12))
def test_any_text_reads_as_the_general_reading_reads_it(text: str) -> None:
    assert _outcome(parse_amount, text) == _outcome(amounts._parse_amount, text)


def _outcome(parse: Callable[[str], Amount], text: str) -> tuple[object, ...]:
    """The value with its exact digits and exponent, and the unit; or the error."""
    try:
        amount = parse(text)
    except InputError as exc:
        return ("error", str(exc.problems[0]))
    return (amount.value.as_tuple(), amount.unit)
