"""As-of dates in the forms statistical publications use."""

import re
from datetime import date
from pathlib import Path

import pytest

from bjtrack.domain.dates import parse_date
from bjtrack.domain.errors import InputError
from bjtrack.render.words import Words
from conftest import Runner

ENGLISH = Words("en")  # problems carry keys; the tests read them in English


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-06-30", date(2022, 6, 30)),
        ("2022/6/30", date(2022, 6, 30)),
        ("2022年6月30日", date(2022, 6, 30)),
        ("2022年6月", date(2022, 6, 30)),
        ("2022-06", date(2022, 6, 30)),
        ("2022-02", date(2022, 2, 28)),
        ("2024-02", date(2024, 2, 29)),
        ("2022Q2", date(2022, 6, 30)),
        ("2022q4", date(2022, 12, 31)),
        ("2022年二季度", date(2022, 6, 30)),
        ("2022年第三季度", date(2022, 9, 30)),
        ("2022年前三季度", date(2022, 9, 30)),
        ("2022H1", date(2022, 6, 30)),
        ("2022H2", date(2022, 12, 31)),
        ("2022年上半年", date(2022, 6, 30)),
        ("2022年下半年", date(2022, 12, 31)),
        ("2022", date(2022, 12, 31)),
        ("2022年", date(2022, 12, 31)),
        ("2022年1-6月", date(2022, 6, 30)),
        ("2022年1—9月", date(2022, 9, 30)),
        ("２０２２年６月", date(2022, 6, 30)),
    ],
)
def test_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2022-13", "2022-02-30", "2022Q5",
                                  "2022年13月", "22-6-30", "6/30/2022"])
def test_bad_dates_list_the_accepted_forms(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(text)
    problem = caught.value.problems[0]
    hint = ENGLISH.hint(problem)
    assert "cannot read date" in ENGLISH.text(problem)
    assert hint and "2022年上半年" in hint and "2022Q2" in hint


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2022", date(2022, 1, 1)), ("2022年", date(2022, 1, 1)), ("2022-07", date(2022, 7, 1)),
     ("2022Q3", date(2022, 7, 1)), ("2022年下半年", date(2022, 7, 1)),
     ("2022年1-6月", date(2022, 1, 1)), ("2022年前三季度", date(2022, 1, 1)),
     ("2022-03-15", date(2022, 3, 15))],
)
def test_a_period_as_a_start_is_its_first_day(text: str, expected: date) -> None:
    assert parse_date(text, first_day=True) == expected


def test_month_days_is_the_calendar_s() -> None:
    import calendar

    from bjtrack.domain.dates import month_days

    assert [month_days(y, m) for y in range(1896, 2105) for m in range(1, 13)] == \
        [calendar.monthrange(y, m)[1] for y in range(1896, 2105) for m in range(1, 13)]
    assert month_days(2000, 2) == 29 and month_days(1900, 2) == 28 and month_days(2024, 2) == 29


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2022, 1, 31), 1, date(2022, 2, 28)),  # clamped to the shorter month
    (date(2022, 2, 28), 1, date(2022, 3, 31)),  # a month end stays one
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2023, 2, 28), 12, date(2024, 2, 29)),
    (date(2022, 3, 15), -3, date(2021, 12, 15)),
    (date(2022, 4, 30), -2, date(2022, 2, 28)),
    (date(2022, 1, 30), 1, date(2022, 2, 28)),
])
def test_add_months_keeps_month_ends(day: date, months: int, expected: date) -> None:
    from bjtrack.domain.dates import add_months

    assert add_months(day, months) == expected


@pytest.mark.parametrize(("day", "years", "expected"), [
    (date(2024, 2, 29), 1, date(2025, 2, 28)),  # Feb 29 becomes Feb 28
    (date(2024, 2, 29), -4, date(2020, 2, 29)),
    (date(2023, 2, 28), 1, date(2024, 2, 29)),  # a month end stays one
    (date(2022, 6, 30), -1, date(2021, 6, 30)),
    (date(2022, 3, 15), 3, date(2025, 3, 15)),
])
def test_add_years_keeps_month_ends(day: date, years: int, expected: date) -> None:
    from bjtrack.domain.dates import add_years

    assert add_years(day, years) == expected


@pytest.mark.parametrize(("text", "en", "zh"), [
    ("2022年13月", "there is no month 13", "没有13月"),
    ("2022-00", "there is no month 0", "没有0月"),
    ("2022-02-30", "month 2 of 2022 has no day 30", "2022年2月没有30日"),
    ("2022/4/31", "month 4 of 2022 has no day 31", "2022年4月没有31日"),
    ("0000-01-01", "between the years 1000 and 9000", "日期须在 1000 年到 9000 年之间"),
])
def test_a_date_that_does_not_exist_is_said_in_the_runs_language(cli: Runner, plan_dir: Path,
                                                                 text: str, en: str,
                                                                 zh: str) -> None:
    """The Chinese message said 日期无效（month 13 is out of range）: Python's English."""
    for lang, said in (("en", en), ("zh", zh)):
        result = cli("--lang", lang, "log", "investment", "1亿", "--date", text, cwd=plan_dir)
        assert result.code == 2 and said in result.err, result.err
    chinese = cli("--lang", "zh", "status", "--as-of", text, cwd=plan_dir).err
    assert not re.search(r"[A-Za-z]{3,}", chinese.split("\n")[0].replace("--as-of", ""))
