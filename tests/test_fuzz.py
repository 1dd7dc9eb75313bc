"""Hostile and malformed input: property-based tests and the extremes.

Every parser either answers or raises the project's own error (one message, a location
for files); nothing else ever escapes. Example counts stay moderate for CI.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bjtrack.domain.amounts import Amount, format_amount, parse_amount
from bjtrack.domain.dates import parse_date
from bjtrack.domain.errors import BjtrackError
from bjtrack.files import plan as plan_file
from bjtrack.files import records as records_file
from bjtrack.render.words import Words
from conftest import REPO, Runner

ENGLISH = Words("en")  # problems carry keys; the tests read them in English

FAST = settings(max_examples=300, deadline=None)
SLOWER = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])

UNITS = ["", "元", "人", "家", "%", "美元", "条", "千克", "个"]
# What people paste: digits in both widths, magnitudes, units, separators, signs, and the
# characters that make trouble (controls, escapes, bidi marks, zero-width, odd spaces).
ALPHABET = st.sampled_from(list(
    "0123456789０１２３４５６７８９.,，。eE+-−–%％万亿千百十元人家美 \t\n"
    "\x00\x1b\x7f\u200b\u200e\u200f\u202e\u2066\u3000\ufeff∞nanifNaNInf")) | st.characters()


# --------------------------------------------------------------------------- amounts

@st.composite
def amounts(draw: st.DrawFn) -> Amount:
    unit = draw(st.sampled_from(UNITS))
    digits = draw(st.integers(min_value=-(10 ** 31), max_value=10 ** 31))
    places = draw(st.integers(min_value=0, max_value=12))
    return Amount(Decimal(digits).scaleb(-places), unit)


@FAST
@given(amounts())
def test_amount_format_then_parse_is_exact(amount: Amount) -> None:
    shown = format_amount(amount.value, amount.unit, exact=True)
    back = parse_amount(shown)
    assert back.value == amount.value, shown
    assert back.unit == amount.unit, shown
    assert "e" not in shown.lower() or amount.unit == "", shown


@FAST
@given(st.text(ALPHABET, max_size=40))
def test_amount_parser_answers_or_says_why(text: str) -> None:
    try:
        amount = parse_amount(text)
    except BjtrackError as exc:
        assert len(exc.problems) == 1
        assert "cannot read amount" in ENGLISH.text(exc.problems[0])
        assert ENGLISH.hint(exc.problems[0])
        return
    assert amount.value.is_finite()
    assert abs(amount.value) < Decimal(10) ** 60


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity", "sNaN", "1e999",
                                  "1e-999", "1e41", "∞", "", "   ", "亿", "%", "--5", "5-",
                                  "1.2.3", "1,2,3", "\x1b[2J5", "5\x07元", "1e30000000000",
                                  "1亿亿亿亿亿亿"])
def test_amount_rejects_what_is_not_a_finite_number(text: str) -> None:
    with pytest.raises(BjtrackError):
        parse_amount(text)


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("1e30", Decimal(10) ** 30, ""),
    ("1000000000000000000000000000000元", Decimal(10) ** 30, "元"),
    ("0.000000000001", Decimal("1e-12"), ""),
    ("-3.5%", Decimal("-3.5"), "%"),
    ("0", Decimal(0), ""),
    ("-0", Decimal(0), ""),
    ("３００亿元", Decimal(3 * 10 ** 10), "元"),
    ("１．５万家", Decimal(15000), "家"),
    ("４１．２％", Decimal("41.2"), "%"),
    ("\u3000300亿\u3000", Decimal(3 * 10 ** 10), ""),
    ("−3.5%", Decimal("-3.5"), "%"),
    ("5\u202e元", Decimal(5), "元"),  # invisible marks pasted with a figure are dropped
    ("\ufeff1\u200b2\u200e3亿", Decimal(123 * 10 ** 8), ""),
    ("999999999999999999999999999999.99", Decimal("999999999999999999999999999999.99"), ""),
])
def test_amount_extremes_and_full_width(text: str, value: Decimal, unit: str) -> None:
    assert parse_amount(text) == Amount(value, unit)


# --------------------------------------------------------------------------- dates

def _date_forms(day: date) -> tuple[str, ...]:
    return (day.isoformat(), f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d"),
            f"{day.year:04d}－{day.month:02d}－{day.day:02d}")


@FAST
@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9000, 12, 31)))
def test_date_forms_round_trip(day: date) -> None:
    for text in _date_forms(day):
        assert parse_date(text) == day, text


@FAST
@given(st.dates(min_value=date(1, 1, 1), max_value=date(999, 12, 31)) |
       st.dates(min_value=date(9001, 1, 1), max_value=date(9999, 12, 31)))
def test_dates_outside_the_years_1000_to_9000_name_the_range(day: date) -> None:
    for text in (day.isoformat(), f"{day.year:04d}年{day.month}月{day.day}日",
                 f"{day.year:04d}/{day.month}/{day.day}", f"{day.year:04d}年"):
        with pytest.raises(BjtrackError) as caught:
            parse_date(text)
        said = ENGLISH.text(caught.value.problems[0])
        assert said.endswith("bjtrack reads dates between the years 1000 and 9000"), said


@FAST
@given(st.text(ALPHABET | st.sampled_from(list("年月日号季度上下半前第一二三四QH/")),
               max_size=20))
def test_date_parser_answers_or_shows_the_forms(text: str) -> None:
    try:
        day = parse_date(text)
    except BjtrackError as exc:
        assert len(exc.problems) == 1
        assert "accepted forms" in (ENGLISH.hint(exc.problems[0]) or "") or \
            "between the years 1000 and 9000" in ENGLISH.text(exc.problems[0])
        return
    assert isinstance(day, date)


@pytest.mark.parametrize("text", ["2022-02-30", "2022-13", "2022年0月", "0000-01-01",
                                  "2022Q5", "2022H3", "20221301", "2022年13月31日",
                                  "99999-01-01", "\x1b2022", "2022-06-30\x07"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(BjtrackError):
        parse_date(text)


# --------------------------------------------------------------------------- TOML files

def _mutate(text: str, rng: random.Random, count: int) -> str:
    """Random damage of the kinds hands and crashes make."""
    lines = text.splitlines(keepends=True)
    for _ in range(count):
        if not lines:
            break
        i = rng.randrange(len(lines))
        kind = rng.randrange(8)
        line = lines[i]
        pos = rng.randrange(len(line) + 1)
        if kind == 0:  # delete a character
            lines[i] = line[:pos] + line[pos + 1:]
        elif kind == 1:  # insert a troublesome character
            lines[i] = line[:pos] + rng.choice('"[]=#\\\n\x00\x1b{},\'"""') + line[pos:]
        elif kind == 2:  # drop a line
            del lines[i]
        elif kind == 3:  # repeat a line
            lines.insert(i, line)
        elif kind == 4:  # swap two lines
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], line
        elif kind == 5:  # replace a value
            if "=" in line:
                key = line.split("=", 1)[0]
                lines[i] = key + "= " + rng.choice(
                    ['""', "nan", "inf", "-1", "1e30", '"1e30"', "true", "[]", "{}",
                     "2022-02-30", "1979-05-27T07:32:00Z", '"-"', '"abc"', "0", '"0亿元"',
                     '"\u202e"', '"300亿元"', "2022-12-31", '"level"', '"<"']) + "\n"
        elif kind == 6:  # cut the file short
            lines = [*lines[:i], line[:pos]]
        else:  # change a character's byte-level neighbour
            if line:
                lines[i] = line[:pos] + chr((ord(line[pos - 1]) + 1) % 0x10FFFF or 65) \
                    + line[pos:]
    return "".join(lines)


def _assert_clear(exc: BjtrackError, file: str) -> None:
    assert exc.problems
    for problem in exc.problems:
        assert ENGLISH.text(problem)
        assert problem.file == file, problem
        assert "Traceback" not in str(problem)


@SLOWER
@given(st.integers(min_value=0, max_value=2 ** 32), st.integers(min_value=1, max_value=6))
def test_mutated_plan_loads_or_fails_clearly(tmp_path: Path, seed: int, count: int) -> None:
    text = (REPO / "targets.toml").read_text(encoding="utf-8")
    path = tmp_path / "targets.toml"
    path.write_text(_mutate(text, random.Random(seed), count), encoding="utf-8",
                    errors="surrogatepass")
    try:
        plan = plan_file.load_plan(path)
    except BjtrackError as exc:
        _assert_clear(exc, str(path))
        for problem in exc.problems:
            if "TOML" in ENGLISH.text(problem):
                assert problem.line is not None, problem
        return
    assert all(t.id for t in plan.targets)


@SLOWER
@given(st.integers(min_value=0, max_value=2 ** 32), st.integers(min_value=1, max_value=6))
def test_mutated_records_load_or_fail_clearly(tmp_path: Path, seed: int, count: int) -> None:
    text = (REPO / "records.toml").read_text(encoding="utf-8")
    path = tmp_path / "records.toml"
    path.write_text(_mutate(text, random.Random(seed), count), encoding="utf-8",
                    errors="surrogatepass")
    try:
        result = records_file.load_records(path)
    except BjtrackError as exc:
        _assert_clear(exc, str(path))
        return
    for problem in (*result.problems, *([result.torn] if result.torn else [])):
        assert problem.file == str(path)
        assert ENGLISH.text(problem)
    for record in result.records:
        assert record.value is None or record.value.is_finite()


@SLOWER
@given(st.integers(min_value=0, max_value=2 ** 32), st.integers(min_value=1, max_value=4),
       st.booleans())
def test_commands_on_mutated_files_never_trace_back(cli: Runner, tmp_path: Path, seed: int,
                                                    count: int, plan_side: bool) -> None:
    for name in ("targets.toml", "records.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    victim = tmp_path / ("targets.toml" if plan_side else "records.toml")
    victim.write_text(_mutate(victim.read_text(encoding="utf-8"), random.Random(seed), count),
                      encoding="utf-8", errors="surrogatepass")
    for args in (("status", "--as-of", "2022-08-01", "--format", "json"), ("check",),
                 ("history", "gdp")):
        result = cli(*args, cwd=tmp_path)
        assert result.code in (0, 1, 2), (args, result)
        assert "Traceback" not in result.err
        if result.code and args[0] != "check":
            assert result.err.strip(), args
        if result.code == 0 and args[0] == "status":
            json.loads(result.out)


# --------------------------------------------------------------------------- extremes

EXTREME_PLAN = """\
[[target]]
id = "huge"
name = "巨额"
target = "1e30元"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "tiny"
name = "微小"
target = "0.000001元"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "cut"
name = "压减"
target = "-5亿元"
comparison = "<="
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "flat"
name = "持平"
target = "100亿元"
baseline = "100亿元"
kind = "level"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "rate"
name = "增速"
target = "-3.5%"
start = 2022-01-01
due = 2022-12-31
"""


def test_extreme_targets_and_values(cli: Runner, tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text(EXTREME_PLAN, encoding="utf-8")
    for args in (("huge", "999999999999999999999999999999.99"), ("tiny", "0.0000005"),
                 ("cut", "-7亿"), ("flat", "100亿"), ("rate", "-4.1%")):
        result = cli("log", *args, "--date", "2022-06-30", cwd=tmp_path)
        assert result.code == 0, result.err
    result = cli("status", "--as-of", "2022-07-01", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.err
    rows = {row["id"]: row for row in json.loads(result.out, parse_float=Decimal)["targets"]}
    assert rows["huge"]["actual"] == Decimal("999999999999999999999999999999.99")
    assert rows["huge"]["target"] == 10 ** 30
    assert rows["tiny"]["actual"] == Decimal("0.0000005")
    assert rows["cut"]["actual"] == -700000000
    assert rows["flat"]["progress"] is None and rows["flat"]["projected"] is None
    assert rows["rate"]["actual"] == Decimal("-4.1")
    table = cli("status", "--as-of", "2022-07-01", cwd=tmp_path)
    assert table.code == 0, table.err
    assert "e+" not in table.out.lower() and "E+" not in table.out


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "Infinity", "1e99", "∞"])
def test_log_refuses_non_numbers(cli: Runner, plan_dir: Path, value: str) -> None:
    result = cli("log", "investment", value, "--date", "2022-06", cwd=plan_dir)
    assert result.code == 2
    assert "cannot read amount" in result.err
    assert not (plan_dir / "records.toml").exists()


@pytest.mark.parametrize("raw", ['"nan"', '"inf"', '"-Infinity"', '"1e99999"', "nan", "inf"])
def test_records_file_with_non_numbers_names_the_line(cli: Runner, plan_dir: Path,
                                                      raw: str) -> None:
    (plan_dir / "records.toml").write_text(
        '[[record]]\nid = "a"\nseries = "investment"\ndate = 2022-06-30\nvalue = "1"\n\n'
        f'[[record]]\nid = "b"\nseries = "investment"\ndate = 2022-07-31\nvalue = {raw}\n',
        encoding="utf-8")
    result = cli("check", cwd=plan_dir)
    assert result.code == 1
    assert "records.toml:7" in result.out


def test_ten_megabyte_note_with_controls_and_bidi(cli: Runner, plan_dir: Path) -> None:
    note = "前\u202e后\u200f\x07\x1b[2J\t" + "长" * (10 * 1024 * 1024 // 3)
    result = cli("log", "investment", "１５０亿", "--date", "2022年6月", "--note", note,
                 cwd=plan_dir)
    assert result.code == 0, result.err[:500]
    records = records_file.load_records(plan_dir / "records.toml").records
    assert [r.note for r in records] == [note]
    assert records[0].value == Decimal(15_000_000_000)
    history = cli("history", "investment", "--format", "json", cwd=plan_dir)
    assert json.loads(history.out)["records"][0]["note"] == note
    assert cli("check", cwd=plan_dir).code == 0


@pytest.mark.parametrize("name", ["\u202e圳深", "a\x1b]0;owned\x07b", "零宽\u200b字符"])
def test_hostile_target_names_load(cli: Runner, tmp_path: Path, name: str) -> None:
    plan = (f'[[target]]\nid = "x"\nname = {json.dumps(name)}\ntarget = "1亿元"\n'
            'start = 2022-01-01\ndue = 2022-12-31\n')
    (tmp_path / "targets.toml").write_text(plan, encoding="utf-8")
    result = cli("status", "--as-of", "2022-06-30", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\u202e" not in result.out
