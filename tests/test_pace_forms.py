"""Every target form of real plans at its edges: exactly on the target, just above and below
it, on the due date, one day after, no data, a single record, a revision. Each form is driven
through `evaluation.evaluate` with constructed targets and records, and through the CLI
(`status --format json`, the table, `history`) as the user sees it."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bjtrack.domain import evaluation
from bjtrack.domain.model import Kind, Plan, Record, Status, Target, Verdict
from bjtrack.domain.periods import fraction, recurring_periods
from conftest import Runner

D = Decimal
YI = D(10) ** 8  # 亿
START, DUE = date(2022, 1, 1), date(2022, 12, 31)
AFTER = date(2023, 1, 1)  # one day after due
_ids = itertools.count()


def target(**fields: Any) -> Target:
    base: dict[str, Any] = dict(id="t", name="目标", kind=Kind.FLOW, unit="元", series="t",
                                target=300 * YI, comparison=">=", start=START, due=DUE)
    base.update(fields)
    return Target(**base)


def rate(value: str, **fields: Any) -> Target:
    return target(kind=Kind.RATE, unit="%", target=D(value), **fields)


def rec(day: date, value: Decimal | str, series: str = "t", **fields: Any) -> Record:
    return Record(id=f"r{next(_ids)}", series=series, date=day, value=D(value), **fields)


def judge(tg: Target, records: list[Record], as_of: date, **plan_fields: Any) -> Status:
    plan = Plan(path=Path("targets.toml"), records_path=Path("records.toml"), targets=(tg,),
                **plan_fields)
    return evaluation.evaluate(tg, evaluation.by_series(records), as_of, plan)


def write_plan(folder: Path, body: str) -> Path:
    (folder / "targets.toml").write_text(body, encoding="utf-8")
    return folder


def log(cli: Runner, folder: Path, *args: str) -> None:
    result = cli("log", *args, cwd=folder)
    assert result.code == 0, result.err


def status_json(cli: Runner, folder: Path, as_of: str) -> dict[str, dict[str, Any]]:
    result = cli("status", "--as-of", as_of, "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    data = json.loads(result.out, parse_float=Decimal)
    return {row["id"]: row for row in data["targets"]}


def table(cli: Runner, folder: Path, as_of: str, lang: str = "zh") -> str:
    result = cli("--lang", lang, "status", "--as-of", as_of, cwd=folder,
                 env={"COLUMNS": "200"})
    assert result.code == 0, result.err
    return result.out


def check_error(cli: Runner, folder: Path) -> str:
    result = cli("check", cwd=folder)
    assert result.code == 1
    assert "Traceback" not in result.err
    return result.out + result.err


# =========================================================================== 1. rates

@pytest.mark.parametrize(("comparison", "value", "as_of", "verdict"), [
    (">=", "6.0", DUE, Verdict.ON_TRACK),  # exactly on, on the due date
    (">=", "6.0", AFTER, Verdict.ACHIEVED),  # exactly on, one day after
    (">=", "6.1", DUE, Verdict.ON_TRACK),
    (">=", "6.1", AFTER, Verdict.ACHIEVED),
    (">=", "5.9", DUE, Verdict.BEHIND),
    (">=", "5.9", AFTER, Verdict.MISSED),
    (">", "6.0", DUE, Verdict.BEHIND),  # 超6%: exactly 6% is not enough
    (">", "6.0", AFTER, Verdict.MISSED),
    (">", "6.1", AFTER, Verdict.ACHIEVED),
])
def test_rate_edges(comparison: str, value: str, as_of: date, verdict: Verdict) -> None:
    tg = rate("6", comparison=comparison)
    status = judge(tg, [rec(DUE, value)], as_of)
    assert status.verdict is verdict
    assert status.gap == D(value) - 6
    # named 目标, not 增长: a rate other than growth, 完成率 = actual / target (no ceiling's)
    assert status.progress == (None if tg.is_ceiling else fraction(D(value) / 6))
    assert status.time_elapsed is None and status.projected is None


@pytest.mark.parametrize("as_of", [date(2022, 6, 30), AFTER])
def test_rate_without_data_has_no_verdict_before_or_after_due(as_of: date) -> None:
    status = judge(rate("6"), [], as_of)
    assert status.verdict is Verdict.NO_DATA
    assert status.gap is None and status.actual is None


def test_rate_single_record_mid_year_is_judged_by_its_value() -> None:
    status = judge(rate("6"), [rec(date(2022, 6, 30), "5.0")], date(2022, 8, 1))
    assert status.verdict is Verdict.BEHIND
    assert status.gap == D("-1.0")
    assert status.records == 1


def test_rate_latest_figure_counts_not_the_first() -> None:
    records = [rec(date(2022, 6, 30), "5.0"), rec(date(2022, 9, 30), "6.2")]
    status = judge(rate("6"), records, date(2022, 10, 20))
    assert status.verdict is Verdict.ON_TRACK
    assert status.actual == D("6.2") and status.actual_date == date(2022, 9, 30)


def test_rate_revision_replaces_the_figure_it_revises() -> None:
    first = rec(DUE, "5.8", vintage="初步")
    final = rec(DUE, "6.1", vintage="核实", revises=first.id)
    status = judge(rate("6"), [first, final], AFTER)
    assert status.verdict is Verdict.ACHIEVED
    assert status.actual == D("6.1") and status.records == 1


def test_rate_derived_year_on_year_from_levels() -> None:
    tg = rate("6", series="gdp", derive="yoy", start=date(2024, 1, 1), due=date(2024, 12, 31))
    levels = [rec(date(2023, 6, 30), 1000 * YI, "gdp"), rec(date(2024, 6, 30), 1060 * YI, "gdp")]
    status = judge(tg, levels, date(2024, 8, 1))
    assert status.actual == D(6) and status.gap == 0
    assert status.verdict is Verdict.ON_TRACK
    below = judge(tg, [levels[0], rec(date(2024, 6, 30), D("1059.9") * YI, "gdp")],
                  date(2024, 8, 1))
    assert below.verdict is Verdict.BEHIND and below.actual == D("5.99")


def test_rate_derived_without_last_years_figure_has_no_data() -> None:
    tg = rate("6", series="gdp", derive="yoy", start=date(2024, 1, 1), due=date(2024, 12, 31))
    status = judge(tg, [rec(date(2024, 6, 30), 1060 * YI, "gdp")], date(2024, 8, 1))
    assert status.verdict is Verdict.NO_DATA


RATE_PLAN = """\
[[target]]
id = "gdp-growth"
name = "地区生产总值增长"
target = "6%"
start = 2024-01-01
due = 2024-12-31

[[target]]
id = "gdp"
name = "地区生产总值"
unit = "亿元"

[[target]]
id = "gdp-growth-derived"
name = "地区生产总值增长（由总量推算）"
target = "6%"
series = "gdp"
derive = "yoy"
start = 2024-01-01
due = 2024-12-31
"""


def test_rate_through_the_cli(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, RATE_PLAN)
    log(cli, folder, "gdp-growth", "5.0%", "--date", "2024H1")
    log(cli, folder, "gdp", "1000亿", "--date", "2023H1")
    log(cli, folder, "gdp", "1061亿", "--date", "2024H1")
    rows = status_json(cli, folder, "2024-08-01")
    growth = rows["gdp-growth"]
    assert (growth["kind"], growth["verdict"], growth["gap"]) == ("rate", "behind", D("-1"))
    # 完成率 of a growth rate: (100 + 5.0) / (100 + 6)
    assert growth["progress"] == D("0.990566") and growth["time_elapsed"] is None
    assert growth["required_rate"] is None and growth["observed_rate"] is None
    derived = rows["gdp-growth-derived"]
    assert (derived["actual"], derived["verdict"], derived["gap"]) == (
        D("6.1"), "on_track", D("0.1"))
    assert "低于目标1.0个百分点" in table(cli, folder, "2024-08-01")
    assert "0.1 pp above target" in table(cli, folder, "2024-08-01", "en")


def test_rate_derived_from_levels_of_its_own_series(cli: Runner, tmp_path: Path) -> None:
    """A derived rate alone on its series reads every level of the window and the year
    before it, through the index as in a full parse."""
    folder = write_plan(tmp_path, """\
[[target]]
id = "derived"
name = "增长（由总量推算）"
target = "6%"
series = "gdp-level"
derive = "yoy"
start = 2024-01-01
due = 2024-12-31
""")
    for value, day in (("1000亿", "2023H1"), ("1500亿", "2023Q3"), ("1061亿", "2024H1"),
                       ("1590亿", "2024Q3")):
        log(cli, folder, "derived", value, "--date", day)
    row = status_json(cli, folder, "2024-10-20")["derived"]
    assert (row["actual"], row["verdict"], row["records"]) == (D("6"), "on_track", 2)


def test_logging_a_rate_to_a_derived_target_is_refused(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, RATE_PLAN)
    result = cli("log", "gdp-growth-derived", "6%", "--date", "2024H1", cwd=folder)
    assert result.code == 2
    assert "unit mismatch: got 6.0%, but this series is measured in 元" in result.err
    assert "Traceback" not in result.err and not (folder / "records.toml").exists()


# =========================================================================== 2. approximate

@pytest.mark.parametrize(("value", "verdict"), [
    ("5.5", Verdict.ACHIEVED), ("5.4", Verdict.MISSED),  # default ±0.5 percentage point
    ("6.5", Verdict.ACHIEVED), ("6.6", Verdict.MISSED), ("6", Verdict.ACHIEVED),
])
def test_approximate_rate_default_tolerance(value: str, verdict: Verdict) -> None:
    status = judge(rate("6", comparison="~"), [rec(DUE, value)], AFTER)
    assert status.verdict is verdict


@pytest.mark.parametrize(("value", "verdict"), [
    ("285", Verdict.ACHIEVED), ("284.9", Verdict.MISSED),  # default ±5% of 300亿
    ("315", Verdict.ACHIEVED), ("315.1", Verdict.MISSED),
])
def test_approximate_amount_default_tolerance(value: str, verdict: Verdict) -> None:
    status = judge(target(comparison="~"), [rec(DUE, D(value) * YI)], AFTER)
    assert status.verdict is verdict


def test_approximate_on_the_due_date_is_not_yet_missed() -> None:
    status = judge(rate("6", comparison="~"), [rec(DUE, "5.4")], DUE)
    assert status.verdict is Verdict.BEHIND


@pytest.mark.parametrize(("value", "as_of", "verdict"), [
    ("290", DUE, Verdict.ON_TRACK),  # within the band, but the year may still overshoot it
    ("290", AFTER, Verdict.ACHIEVED),
    ("320", DUE, Verdict.BEHIND),  # over the band, and a year-to-date total only grows
    ("320", AFTER, Verdict.MISSED),
])
def test_approximate_amount_is_achieved_only_when_the_period_is_over(
        value: str, as_of: date, verdict: Verdict) -> None:
    status = judge(target(comparison="~"), [rec(DUE, D(value) * YI)], as_of)
    assert status.verdict is verdict


@pytest.mark.parametrize(("value", "verdict"), [
    ("150", Verdict.ON_TRACK),  # 6 of 12 months: projects to 300亿, within 300亿 ± 15亿
    ("157", Verdict.ON_TRACK),  # projects to 314亿: just within
    ("158", Verdict.BEHIND),  # projects to 316亿: heading over the band
    ("135", Verdict.AT_RISK),  # projects to 270亿: short, judged like any floor
    ("130", Verdict.BEHIND),
])
def test_approximate_amount_mid_year_is_judged_on_its_projection(value: str,
                                                                 verdict: Verdict) -> None:
    status = judge(target(comparison="~"), [rec(date(2022, 6, 30), D(value) * YI)],
                   date(2022, 7, 20))
    assert status.verdict is verdict


APPROX_PLAN = """\
[[target]]
id = "growth"
name = "增长"
target = "6%"
comparison = "~"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "growth-tight"
name = "增长（±0.2个百分点）"
target = "6%"
comparison = "~"
tolerance = "0.2%"
series = "growth"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "investment"
name = "投资"
target = "300亿元"
comparison = "~"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "investment-wide"
name = "投资（±10%）"
target = "300亿元"
comparison = "~"
tolerance = "10%"
series = "investment"
start = 2022-01-01
due = 2022-12-31
"""


def test_approximate_through_the_cli_with_tolerances(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, APPROX_PLAN)
    log(cli, folder, "growth", "5.7%", "--date", "2022")
    log(cli, folder, "investment", "280亿", "--date", "2022")
    rows = status_json(cli, folder, "2023-01-01")
    assert (rows["growth"]["tolerance"], rows["growth"]["verdict"]) == (D("0.5"), "achieved")
    assert (rows["growth-tight"]["tolerance"], rows["growth-tight"]["verdict"]) == (
        D("0.2"), "missed")
    assert rows["investment"]["tolerance"] == 1500000000  # 5% of 300亿
    assert rows["investment"]["verdict"] == "missed"
    assert rows["investment-wide"]["tolerance"] == 3000000000  # 10% of 300亿
    assert rows["investment-wide"]["verdict"] == "achieved"
    assert "6.0%左右" in table(cli, folder, "2023-01-01")




# =========================================================================== 3. stretch

@pytest.mark.parametrize(("value", "verdict", "stretch_met"), [
    ("300", Verdict.MISSED, False),  # 超300亿: exactly on the floor is not enough
    ("300.1", Verdict.ACHIEVED, False),
    ("319.9", Verdict.ACHIEVED, False),
    ("320", Verdict.ACHIEVED, True),  # 力争320亿: reaching it is enough
    ("320.1", Verdict.ACHIEVED, True),
])
def test_floor_and_stretch(value: str, verdict: Verdict, stretch_met: bool) -> None:
    tg = target(comparison=">", stretch=320 * YI)
    status = judge(tg, [rec(DUE, D(value) * YI)], AFTER)
    assert (status.verdict, status.stretch_met) == (verdict, stretch_met)


def test_stretch_met_is_null_without_data_or_without_a_stretch() -> None:
    assert judge(target(stretch=320 * YI), [], AFTER).stretch_met is None
    assert judge(target(), [rec(DUE, 330 * YI)], AFTER).stretch_met is None


def test_stretch_of_a_ceiling_lies_below_it() -> None:
    tg = rate("3", comparison="<=", stretch=D("2.5"))
    assert judge(tg, [rec(DUE, "2.5")], AFTER).stretch_met is True
    assert judge(tg, [rec(DUE, "2.6")], AFTER).stretch_met is False


STRETCH_PLAN = """\
[[target]]
id = "investment"
name = "区内投资"
target = "300亿元"
stretch = "{stretch}"
start = 2022-01-01
due = 2022-12-31
"""


def test_stretch_through_the_cli(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, STRETCH_PLAN.format(stretch="320亿元"))
    log(cli, folder, "investment", "310亿", "--date", "2022")
    row = status_json(cli, folder, "2023-01-01")["investment"]
    assert (row["verdict"], row["stretch"], row["stretch_met"]) == (
        "achieved", 32000000000, False)
    shown = table(cli, folder, "2023-01-01")
    assert "300亿元 / 力争 320亿元" in shown and "已完成（未达力争）" in shown
    assert "achieved (stretch not met)" in table(cli, folder, "2023-01-01", "en")
    log(cli, folder, "investment", "320亿", "--date", "2022", "--revise")
    narrow = cli("--lang", "zh", "status", "--as-of", "2023-01-01", cwd=folder,
                 env={"COLUMNS": "80"})
    # the verdict says it at any width (at 80 columns its bracket may start a line)
    lines = narrow.out.splitlines()
    row = next(n for n, line in enumerate(lines) if "已完成" in line)
    assert "（达力争）" in lines[row] or "（达力争）" in lines[row + 1]
    assert "完成/时间" in narrow.out  # a Chinese verdict keeps the columns of 80


def test_a_stretch_easier_than_the_floor_is_refused(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, STRETCH_PLAN.format(stretch="280亿元"))
    assert "stretch '280亿元' is easier than the target" in check_error(cli, folder)


# =========================================================================== 4. ceilings

MARCH_14 = date(2022, 3, 14)  # 73 of 365 days: exactly a fifth of the year (time = "days")


@pytest.mark.parametrize(("comparison", "value", "verdict"), [
    ("<=", "20", Verdict.ON_TRACK),  # projected exactly 100亿: within 不超过100亿
    ("<=", "20.01", Verdict.BEHIND),  # projected 100.05亿
    ("<=", "19.99", Verdict.ON_TRACK),
    ("<", "20", Verdict.BEHIND),  # 低于100亿: a projection of exactly 100亿 breaks it
    ("<=", "100.01", Verdict.BEHIND),  # already over the ceiling
])
def test_flow_ceiling_before_due(comparison: str, value: str, verdict: Verdict) -> None:
    tg = target(target=100 * YI, comparison=comparison, time="days")
    status = judge(tg, [rec(MARCH_14, D(value) * YI)], date(2022, 4, 1))
    assert status.verdict is verdict
    assert status.time_elapsed == D("0.2")
    assert status.remaining is None and status.required_rate is None


@pytest.mark.parametrize(("comparison", "value", "as_of", "verdict"), [
    ("<=", "100", DUE, Verdict.ON_TRACK),  # achieved only once the period has ended
    ("<=", "100", AFTER, Verdict.ACHIEVED),
    ("<=", "100.01", AFTER, Verdict.MISSED),
    ("<", "100", AFTER, Verdict.MISSED),
    ("<", "99.99", AFTER, Verdict.ACHIEVED),
])
def test_flow_ceiling_at_and_after_due(comparison: str, value: str, as_of: date,
                                       verdict: Verdict) -> None:
    tg = target(target=100 * YI, comparison=comparison)
    assert judge(tg, [rec(DUE, D(value) * YI)], as_of).verdict is verdict


@pytest.mark.parametrize("as_of", [date(2022, 6, 30), AFTER])
def test_ceiling_without_data(as_of: date) -> None:
    assert judge(target(comparison="<="), [], as_of).verdict is Verdict.NO_DATA


@pytest.mark.parametrize(("value", "verdict"), [("34", Verdict.ON_TRACK),
                                                ("34.01", Verdict.BEHIND)])
def test_level_ceiling_falling_from_its_baseline(value: str, verdict: Verdict) -> None:
    """PM2.5 控制在30以内 from 35: a fifth of the year in, 34 projects to exactly 30."""
    tg = target(kind=Kind.LEVEL, unit="", target=D(30), baseline=D(35), comparison="<=",
                time="days")
    assert judge(tg, [rec(MARCH_14, value)], date(2022, 4, 1)).verdict is verdict


@pytest.mark.parametrize(("value", "as_of", "verdict"), [
    ("3.0", DUE, Verdict.ON_TRACK), ("3.1", DUE, Verdict.BEHIND),
    ("3.0", AFTER, Verdict.ACHIEVED), ("3.1", AFTER, Verdict.MISSED),
])
def test_rate_ceiling(value: str, as_of: date, verdict: Verdict) -> None:
    """城镇调查失业率控制在3%以内."""
    assert judge(rate("3", comparison="<="), [rec(DUE, value)], as_of).verdict is verdict


def test_ceiling_through_the_cli(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, """\
[[target]]
id = "debt"
name = "新增政府债务"
target = "100亿元"
comparison = "<="
start = 2022-01-01
due = 2022-12-31
""")
    log(cli, folder, "debt", "20亿", "--date", "2022-03-14")
    row = status_json(cli, folder, "2022-04-01")["debt"]
    # 2 months and 14 of March's 31 days: 20亿 projects to 97.89亿
    assert (row["verdict"], row["projected"], row["gap"]) == (
        "on_track", Decimal("9789473684.21"), -8000000000)
    log(cli, folder, "debt", "101亿", "--date", "2022")
    assert status_json(cli, folder, "2023-01-01")["debt"]["verdict"] == "missed"
    assert "不超过100亿元" in table(cli, folder, "2023-01-01")


# =========================================================================== 5. recurring

FUND = target(id="fund", series="fund", target=3 * YI, every="year", due=None)
FUND_RECORDS = [rec(date(2022, 12, 31), 3 * YI, "fund"),  # exactly on: 不少于3亿元
                rec(date(2023, 12, 31), D("2.9") * YI, "fund")]


def test_recurring_status_is_the_current_period() -> None:
    status = judge(FUND, FUND_RECORDS, date(2024, 3, 1))
    assert status.period is not None
    assert (status.period.start, status.period.due) == (date(2024, 1, 1), date(2024, 12, 31))
    assert status.verdict is Verdict.NO_DATA and status.records == 0


def test_recurring_period_on_its_due_date_and_one_day_after() -> None:
    on_due = judge(FUND, FUND_RECORDS, date(2023, 12, 31))
    assert on_due.period is not None and on_due.period.due == date(2023, 12, 31)
    assert on_due.verdict is Verdict.AT_RISK  # 2.9亿 of 3亿 with the year over
    assert on_due.remaining == D("0.1") * YI
    next_day = judge(FUND, FUND_RECORDS, date(2024, 1, 1))
    assert next_day.period is not None and next_day.period.start == date(2024, 1, 1)
    assert next_day.verdict is Verdict.NO_DATA


def test_recurring_history_judges_each_period() -> None:
    plan = Plan(path=Path("targets.toml"), records_path=Path("records.toml"), targets=(FUND,))
    periods = evaluation.history(FUND, evaluation.by_series(FUND_RECORDS), date(2024, 3, 1), plan)
    assert [(s.period.start.year if s.period else None, s.verdict, s.actual)
            for s in periods] == [
        (2022, Verdict.ACHIEVED, 3 * YI),
        (2023, Verdict.MISSED, D("2.9") * YI),
        (2024, Verdict.NO_DATA, None),
    ]


def test_recurring_with_a_due_date_clips_the_last_period() -> None:
    tg = replace(FUND, every="quarter", due=date(2022, 8, 15))
    periods = recurring_periods(tg, date(2030, 1, 1))
    assert [(p.start, p.due) for p in periods] == [
        (date(2022, 1, 1), date(2022, 3, 31)), (date(2022, 4, 1), date(2022, 6, 30)),
        (date(2022, 7, 1), date(2022, 8, 15))]
    status = judge(tg, [], date(2030, 1, 1))  # long after the end: the last period
    assert status.period is not None and status.period.due == date(2022, 8, 15)


FUND_PLAN = """\
[[target]]
id = "two-chain-fund"
name = "“两链”专项资金"
target = "3亿元"
every = "year"
start = 2022-01-01
quote = "每年安排专项资金不少于3亿元"
"""


def test_recurring_through_status_and_history(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, FUND_PLAN)
    log(cli, folder, "two-chain-fund", "3亿", "--date", "2022")
    log(cli, folder, "two-chain-fund", "2.9亿", "--date", "2023")
    row = status_json(cli, folder, "2024-03-01")["two-chain-fund"]
    assert row["period"] == {"start": "2024-01-01", "due": "2024-12-31"}
    assert row["verdict"] == "no_data" and row["due"] is None
    shown = cli("--lang", "zh", "history", "two-chain-fund", "--as-of", "2024-03-01",
                cwd=folder, env={"COLUMNS": "120"})
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    period_rows = [line for line in lines if "~" in line and "20" in line]
    assert len(period_rows) == 3
    assert "2022-01-01 ~ 2022-12-31" in period_rows[0] and "已完成" in period_rows[0]
    assert "2023-01-01 ~ 2023-12-31" in period_rows[1] and "未完成" in period_rows[1]
    assert "2024-01-01 ~ 2024-12-31" in period_rows[2] and "暂无数据" in period_rows[2]
    data = json.loads(cli("history", "two-chain-fund", "--as-of", "2024-03-01", "--format",
                          "json", cwd=folder).out)
    assert [(p["period"]["start"], p["verdict"]) for p in data["periods"]] == [
        ("2022-01-01", "achieved"), ("2023-01-01", "missed"), ("2024-01-01", "no_data")]
    assert "每年不少于3亿元" in table(cli, folder, "2024-03-01")
    assert "本期 2024-01-01 ~ 2024-12-31" in table(cli, folder, "2024-03-01")
    assert "period 2023-01-01 ~ 2023-12-31" in table(cli, folder, "2023-12-31", "en")


# =========================================================================== 6. multi-year

DIGITAL = target(id="digital", series="digital", kind=Kind.ANNUAL, target=6000 * YI,
                 comparison=">", baseline=4000 * YI, start=date(2021, 12, 31),
                 due=date(2025, 12, 31))


def year_end(year: int) -> date:
    return date(year, 12, 31)


def test_multi_year_required_cagr_and_milestones() -> None:
    status = judge(DIGITAL, [rec(year_end(2022), 4400 * YI, "digital")], date(2023, 3, 1))
    assert status.required_rate == D("0.106682")  # (6000/4000)^(1/4) - 1
    assert status.observed_rate == D("0.1")
    assert [d for d, _ in status.milestones] == [year_end(y) for y in range(2022, 2026)]
    in_yi = [(value / YI).quantize(D("0.01")) for _, value in status.milestones]
    assert in_yi == [D("4426.73"), D("4898.98"), D("5421.61"), D("6000.00")]
    assert status.time_elapsed == D("0.25")


@pytest.mark.parametrize(("value", "verdict"), [
    ("4420", Verdict.ON_TRACK),  # 10.5% a year of 10.67% needed: ratio 0.98
    ("4400", Verdict.AT_RISK),  # ratio 0.937
    ("4260", Verdict.AT_RISK),  # ratio 0.609
    ("4250", Verdict.BEHIND),  # ratio 0.586
    ("3900", Verdict.BEHIND),  # shrinking
])
def test_multi_year_verdict_from_the_ratio_of_growth_rates(value: str, verdict: Verdict
                                                           ) -> None:
    status = judge(DIGITAL, [rec(year_end(2022), D(value) * YI, "digital")], date(2023, 3, 1))
    assert status.verdict is verdict


def test_multi_year_cut_offs_are_configurable() -> None:
    records = [rec(year_end(2022), 4400 * YI, "digital")]
    status = judge(DIGITAL, records, date(2023, 3, 1), cagr_on_track=D("0.9"))
    assert status.verdict is Verdict.ON_TRACK


@pytest.mark.parametrize(("value", "as_of", "verdict"), [
    ("6000", year_end(2025), Verdict.MISSED),  # 超6000亿: exactly on is not enough
    ("6000.01", year_end(2025), Verdict.ACHIEVED),
    ("5999", date(2026, 1, 1), Verdict.MISSED),
])
def test_multi_year_judged_on_the_due_years_value(value: str, as_of: date, verdict: Verdict
                                                  ) -> None:
    records = [rec(year_end(2024), 5500 * YI, "digital"),
               rec(year_end(2025), D(value) * YI, "digital")]
    assert judge(DIGITAL, records, as_of).verdict is verdict


def test_multi_year_past_due_without_the_final_value_is_awaiting() -> None:
    records = [rec(year_end(2024), 5500 * YI, "digital")]
    status = judge(DIGITAL, records, date(2026, 1, 1))
    assert status.verdict is Verdict.AWAITING  # the 2025 value decides (issue 12)
    assert status.observed_rate is not None and status.observed_rate > status.required_rate
    assert status.actual_date == year_end(2024)


def test_multi_year_goal_reached_early_is_achieved() -> None:
    records = [rec(year_end(2024), 6100 * YI, "digital")]
    assert judge(DIGITAL, records, date(2025, 3, 1)).verdict is Verdict.ACHIEVED


def test_multi_year_without_baseline_a_single_record_has_no_pace() -> None:
    tg = replace(DIGITAL, baseline=None)
    status = judge(tg, [rec(year_end(2021), 4000 * YI, "digital")], date(2022, 3, 1))
    assert status.verdict is Verdict.NO_PACE
    assert status.required_rate == D("0.106682") and status.observed_rate is None
    two = judge(tg, [rec(year_end(2021), 4000 * YI, "digital"),
                     rec(year_end(2022), 4500 * YI, "digital")], date(2023, 3, 1))
    assert two.observed_rate == D("0.125") and two.verdict is Verdict.ON_TRACK


def test_multi_year_no_data() -> None:
    assert judge(DIGITAL, [], date(2023, 3, 1)).verdict is Verdict.NO_DATA


def test_multi_year_reads_annual_values_only() -> None:
    records = [rec(year_end(2022), 4400 * YI, "digital"),
               rec(date(2023, 6, 30), 2300 * YI, "digital")]  # a half-year figure
    status = judge(DIGITAL, records, date(2023, 8, 1))
    assert status.actual == 4400 * YI and status.records == 1
    assert status.verdict is Verdict.AT_RISK


def test_multi_year_revision_of_an_annual_value() -> None:
    first = rec(year_end(2022), 4400 * YI, "digital", vintage="初步")
    final = rec(year_end(2022), 4430 * YI, "digital", vintage="核实", revises=first.id)
    status = judge(DIGITAL, [first, final], date(2023, 6, 1))
    assert status.actual == 4430 * YI and status.verdict is Verdict.ON_TRACK


def test_multi_year_baseline_given_for_the_first_day_is_last_years_value() -> None:
    tg = replace(DIGITAL, start=date(2022, 1, 1))
    status = judge(tg, [rec(year_end(2022), 4400 * YI, "digital")], date(2023, 3, 1))
    assert (status.required_rate, status.observed_rate) == (D("0.106682"), D("0.1"))


def test_multi_year_ceiling_must_fall_fast_enough() -> None:
    """能耗 到2025年控制在800万吨以内 from 1000万吨: needs -5.43% a year."""
    tg = target(kind=Kind.ANNUAL, unit="吨", target=D(800), baseline=D(1000),
                comparison="<=", start=date(2021, 12, 31), due=year_end(2025))
    assert judge(tg, [rec(year_end(2022), "940")], date(2023, 3, 1)).verdict \
        is Verdict.ON_TRACK
    assert judge(tg, [rec(year_end(2022), "960")], date(2023, 3, 1)).verdict \
        is Verdict.BEHIND
    assert judge(tg, [rec(year_end(2022), "790")], date(2023, 3, 1)).verdict \
        is Verdict.ON_TRACK  # within it early, but achieved only on the final year
    assert judge(tg, [rec(year_end(2025), "800")], date(2026, 1, 1)).verdict \
        is Verdict.ACHIEVED


DIGITAL_PLAN = """\
[[target]]
id = "digital-revenue"
name = "数字经济核心产业主营业务收入"
target = "6000亿元"
comparison = ">"
kind = "annual"
baseline = "4000亿元"
start = 2021-12-31
due = 2025-12-31
"""


def test_multi_year_through_the_cli(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, DIGITAL_PLAN)
    log(cli, folder, "digital-revenue", "4400亿", "--date", "2022")
    row = status_json(cli, folder, "2023-03-01")["digital-revenue"]
    assert (row["kind"], row["verdict"]) == ("annual", "at_risk")
    assert (row["required_rate"], row["observed_rate"]) == (D("0.106682"), D("0.1"))
    assert [m["date"] for m in row["milestones"]] == [
        "2022-12-31", "2023-12-31", "2024-12-31", "2025-12-31"]
    assert row["milestones"][1]["value"] == D("489897948556.64")  # 4000亿 × 1.5^(2/4)
    zh = table(cli, folder, "2023-03-01")
    assert "需年均增长10.7%，实际年均增长10.0%；2023年应达到4898.98亿元" in zh
    en = table(cli, folder, "2023-03-01", "en")
    assert "needs 10.7% a year, growing 10.0% a year; 2023 milestone 4898.98亿元" in en


# =========================================================================== 7. relative

REVENUE = target(id="revenue-growth", series="revenue-growth", kind=Kind.RATE, unit="%",
                 target=None, relative_to="gdp-growth")


@pytest.mark.parametrize(("value", "as_of", "verdict", "gap"), [
    ("8.2", AFTER, Verdict.ACHIEVED, "3.2"),
    ("5.0", AFTER, Verdict.ACHIEVED, "0"),  # 同步: exactly in step is in step
    ("4.9", AFTER, Verdict.MISSED, "-0.1"),
    ("4.9", DUE, Verdict.BEHIND, "-0.1"),
    ("5.0", DUE, Verdict.ON_TRACK, "0"),
])
def test_relative_target_compares_with_the_other_series(value: str, as_of: date,
                                                        verdict: Verdict, gap: str) -> None:
    records = [rec(DUE, "5.0", "gdp-growth"), rec(DUE, value, "revenue-growth")]
    status = judge(REVENUE, records, as_of)
    assert (status.verdict, status.gap, status.target_value) == (verdict, D(gap), D("5.0"))


def test_relative_target_needs_the_other_figure_for_the_same_period() -> None:
    records = [rec(date(2022, 6, 30), "5.0", "gdp-growth"), rec(DUE, "4.0", "revenue-growth")]
    status = judge(REVENUE, records, AFTER)  # GDP's full-year growth is not out yet
    assert status.verdict is Verdict.NO_DATA and status.target_value is None
    assert status.actual == D("4.0")


def test_relative_target_uses_the_revised_other_figure() -> None:
    first = rec(DUE, "5.0", "gdp-growth")
    revised = rec(DUE, "4.5", "gdp-growth", revises=first.id)
    status = judge(REVENUE, [first, revised, rec(DUE, "4.8", "revenue-growth")], AFTER)
    assert (status.verdict, status.target_value) == (Verdict.ACHIEVED, D("4.5"))


def test_relative_target_without_data() -> None:
    assert judge(REVENUE, [rec(DUE, "5.0", "gdp-growth")], AFTER).verdict is Verdict.NO_DATA


def test_relative_target_to_an_unknown_series_is_refused(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, """\
[[target]]
id = "revenue-growth"
name = "一般公共预算收入增长"
target = "series:gdp-grow"
unit = "%"
start = 2024-01-01
due = 2024-12-31
""")
    assert "relative to unknown series 'gdp-grow'" in check_error(cli, folder)


# =========================================================================== 8. seasonal

SHARES = tuple(D(s) for s in (5, 6, 8, 8, 8, 10, 8, 8, 9, 9, 9, 12))  # 45% by June


@pytest.mark.parametrize(("value", "verdict"), [
    ("135", Verdict.ON_TRACK),  # exactly the 45% expected by June 30
    ("134.9", Verdict.AT_RISK),
    ("121.5", Verdict.AT_RISK),  # 0.9 × 45%
    ("121.4", Verdict.BEHIND),
])
def test_seasonal_pace_by_monthly_shares(value: str, verdict: Verdict) -> None:
    status = judge(target(pace=SHARES), [rec(date(2022, 6, 30), D(value) * YI)],
                   date(2022, 7, 20))
    assert status.verdict is verdict
    assert status.expected == D("0.45")


def test_seasonal_pace_changes_the_verdict_a_straight_line_gives() -> None:
    records = [rec(date(2022, 6, 30), 135 * YI)]
    assert judge(target(), records, date(2022, 7, 20)).verdict is Verdict.AT_RISK
    seasonal = judge(target(pace=SHARES), records, date(2022, 7, 20))
    assert seasonal.verdict is Verdict.ON_TRACK
    assert seasonal.projected == 300 * YI  # 135亿 is 45% of the year's shape


def test_seasonal_pace_mid_month_and_a_month_with_no_share() -> None:
    shares = (D(0), *SHARES[1:])
    status = judge(target(pace=shares), [rec(date(2022, 1, 31), D(0))], date(2022, 2, 5))
    assert status.expected == 0 and status.verdict is Verdict.ON_TRACK
    mid = judge(target(pace=SHARES), [rec(date(2022, 2, 14), 8 * YI)], date(2022, 2, 20))
    assert mid.expected == D("0.08")  # 5% + half of February's 6%


def test_seasonal_pace_from_last_years_shape() -> None:
    last_year = [rec(date(2021, 6, 30), 120 * YI), rec(date(2021, 12, 31), 300 * YI)]
    status = judge(target(pace="last-year"), [*last_year, rec(date(2022, 6, 30), 120 * YI)],
                   date(2022, 7, 20))
    assert status.expected == D("0.4") and status.verdict is Verdict.ON_TRACK
    linear = judge(target(pace="last-year"), [rec(date(2022, 6, 30), 120 * YI)],
                   date(2022, 7, 20))  # no figures a year earlier: a straight line
    assert linear.expected == D("0.5") and linear.verdict is Verdict.BEHIND  # 6 of 12 months


def test_seasonal_pace_through_the_cli(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, """\
[[target]]
id = "investment"
name = "区内全年投资"
target = "300亿元"
pace = [5, 6, 8, 8, 8, 10, 8, 8, 9, 9, 9, 12]
start = 2022-01-01
due = 2022-12-31
""")
    log(cli, folder, "investment", "135亿", "--date", "2022-06")
    row = status_json(cli, folder, "2022-07-20")["investment"]
    assert (row["verdict"], row["expected_progress"], row["progress"]) == (
        "on_track", D("0.45"), D("0.45"))
    assert "45.0%" in table(cli, folder, "2022-07-20")


def test_pace_from_last_years_shape_through_the_cli(cli: Runner, tmp_path: Path) -> None:
    """The status reads last year's figures too (through the index, as a full parse)."""
    folder = write_plan(tmp_path, """\
[[target]]
id = "investment"
name = "区内全年投资"
target = "300亿元"
pace = "last-year"
start = 2022-01-01
due = 2022-12-31
""")
    for value, day in (("120亿", "2021-06"), ("300亿", "2021-12"), ("120亿", "2022-06")):
        log(cli, folder, "investment", value, "--date", day)
    row = status_json(cli, folder, "2022-07-20")["investment"]
    assert (row["verdict"], row["expected_progress"], row["progress"], row["records"]) == (
        "on_track", D("0.4"), D("0.4"), 1)


def test_a_pace_that_is_not_twelve_shares_is_refused(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, """\
[[target]]
id = "investment"
name = "区内全年投资"
target = "300亿元"
pace = [5, 6, 8]
start = 2022-01-01
due = 2022-12-31
""")
    assert 'pace must be "last-year" or a list of 12 monthly shares' in check_error(cli, folder)


# =========================================================================== 9. revisions

def test_a_revision_in_a_sum_target_is_not_counted_twice() -> None:
    tg = target(aggregate="sum", target=D(15000), unit="家")
    first = rec(date(2022, 3, 31), "4000")
    second = rec(date(2022, 6, 30), "3000")
    revised = rec(date(2022, 6, 30), "3500", revises=second.id, vintage="核实")
    status = judge(tg, [first, second, revised], date(2022, 7, 20))
    assert status.actual == D(7500) and status.records == 2


def test_a_revision_of_a_revision_and_a_retraction() -> None:
    tg = target(aggregate="sum", target=D(15000), unit="家")
    a = rec(date(2022, 3, 31), "4000", vintage="预计")
    b = rec(date(2022, 3, 31), "4100", vintage="初步", revises=a.id)
    c = rec(date(2022, 3, 31), "4200", vintage="核实", revises=b.id)
    assert judge(tg, [a, b, c], date(2022, 4, 20)).actual == D(4200)
    gone = Record(id="x", series="t", date=None, value=None, retracts=c.id)
    assert judge(tg, [a, b, c, gone], date(2022, 4, 20)).actual == D(4100)


SUM_PLAN = """\
[[target]]
id = "new-firms"
name = "今年新增企业"
target = "1.5万家"
aggregate = "sum"
start = 2022-01-01
due = 2022-12-31
"""


def test_vintages_through_the_cli(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, SUM_PLAN)
    log(cli, folder, "new-firms", "4000", "--date", "2022Q1")
    log(cli, folder, "new-firms", "3000", "--date", "2022Q2", "--vintage", "预计")
    log(cli, folder, "new-firms", "3300", "--date", "2022Q2", "--vintage", "初步")
    log(cli, folder, "new-firms", "3500", "--date", "2022Q2", "--vintage", "核实")
    row = status_json(cli, folder, "2022-07-20")["new-firms"]
    assert (row["actual"], row["records"]) == (7500, 2)
    shown = cli("history", "new-firms", "--format", "json", cwd=folder)
    assert [(r["value"], r["state"]) for r in json.loads(shown.out)["records"]] == [
        (4000, "current"), (3000, "replaced"), (3300, "replaced"), (3500, "current")]
    every = cli("history", "new-firms", "--all", "--format", "json", cwd=folder)
    assert [(r["value"], r["vintage"]) for r in json.loads(every.out)["records"]] == [
        (4000, ""), (3000, "预计"), (3300, "初步"), (3500, "核实")]


def test_revising_nothing_is_refused(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, SUM_PLAN)
    result = cli("log", "new-firms", "3500", "--date", "2022Q2", "--revise", cwd=folder)
    assert result.code == 2 and "nothing to revise" in result.err
    assert not (folder / "records.toml").exists()


# =========================================================================== 10. required pace

def test_required_pace_still_needed_and_per_month() -> None:
    status = judge(target(), [rec(date(2022, 6, 30), 150 * YI)], date(2022, 7, 20))
    assert status.remaining == 150 * YI
    assert status.required_rate == 25 * YI  # six whole months to go
    assert status.no_progress is False


@pytest.mark.parametrize(("comparison", "value", "verdict"), [
    (">=", "300", Verdict.ACHIEVED), (">", "300", Verdict.ON_TRACK), (">", "300.1",
                                                                        Verdict.ACHIEVED)])
def test_nothing_is_still_needed_at_or_beyond_the_target(comparison: str, value: str,
                                                         verdict: Verdict) -> None:
    status = judge(target(comparison=comparison), [rec(date(2022, 6, 30), D(value) * YI)],
                   date(2022, 7, 20))
    assert status.verdict is verdict
    assert status.remaining is None and status.required_rate is None


def test_on_the_due_date_what_is_needed_has_no_months_left() -> None:
    status = judge(target(), [rec(DUE, 290 * YI)], DUE)
    assert status.remaining == 10 * YI and status.required_rate is None


@pytest.mark.parametrize("value", ["8", "7.9"])
def test_no_progress_instead_of_a_projection(value: str) -> None:
    tg = target(kind=Kind.LEVEL, unit="家", target=D(82000), baseline=D(80000))
    status = judge(tg, [rec(date(2022, 6, 30), D(value) * 10000)], date(2022, 7, 20))
    assert status.no_progress is True and status.projected is None
    assert status.verdict is Verdict.BEHIND


def test_required_pace_through_the_cli(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, """\
[[target]]
id = "investment"
name = "区内全年投资"
target = "300亿元"
comparison = ">"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "firms-total"
name = "企业总量"
target = "8.2万家"
kind = "level"
baseline = "8万家"
start = 2022-01-01
due = 2022-12-31
""")
    log(cli, folder, "investment", "150亿", "--date", "2022-06")
    log(cli, folder, "firms-total", "8万", "--date", "2022-06")
    rows = status_json(cli, folder, "2022-07-20")
    assert (rows["investment"]["remaining"], rows["investment"]["required_rate"]) == (
        15000000000, 2500000000)
    firms = rows["firms-total"]
    assert (firms["no_progress"], firms["projected"], firms["required_rate"]) == (
        True, None, D("333.33"))
    zh = table(cli, folder, "2022-07-20")
    assert "还需完成150亿元，月均需完成25亿元" in zh
    assert "尚无进展，无法预计" in zh
    firms_row = next(line for line in zh.splitlines() if line.startswith("│企业总量"))
    assert re.search(r"│\s*无进展 │", firms_row)  # in the projection's place
    en = table(cli, folder, "2022-07-20", "en")
    assert "150亿元 still needed, 25亿元 a month" in en
    assert "no progress yet, no projection" in en


# =========================================================================== bad form keys

@pytest.mark.parametrize(("lines", "message"), [
    ('every = "week"', 'every must be "year", "quarter" or "month"'),
    ('derive = "mom"', 'derive must be "yoy"'),
    ('kind = "annually"', 'kind must be "flow", "level", "rate" or "annual"'),
    ('pace = "next-year"', 'pace must be "last-year" or a list of 12 monthly shares'),
    ('pace = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1]', "pace must be"),
    ('stretch = "8万人"', "stretch '8万人' is not in the target's unit"),
    ('comparison = "about"', "comparison must be one of"),
    ('comparison = "~"\ntolerance = "-1%"', "tolerance must not be negative"),
    ('comparison = "~"\ntolerance = "5万人"', "tolerance '5万人' is not in the target's unit"),
])
def test_bad_form_keys_are_one_clear_message_each(cli: Runner, tmp_path: Path, lines: str,
                                                  message: str) -> None:
    folder = write_plan(tmp_path, f"""\
[[target]]
id = "investment"
name = "区内全年投资"
target = "300亿元"
{lines}
start = 2022-01-01
due = 2022-12-31
""")
    out = check_error(cli, folder)
    assert message in out and "targets.toml:1" in out
    status = cli("status", cwd=folder)
    assert status.code == 1 and message in status.err and "Traceback" not in status.err


# =========================================================================== shipped plan

def test_the_shipped_plan_uses_the_forms_its_wording_calls_for() -> None:
    from bjtrack.files.plan import load_plan

    plan = load_plan(Path(__file__).resolve().parent.parent / "targets.toml")
    fund = plan.by_id("two-chain-fund")  # 每年安排专项资金不少于3亿元
    assert fund is not None and (fund.every, fund.due, fund.target) == ("year", None, 3 * YI)
    revenue = plan.by_id("digital-revenue")  # 到2025年…超6000亿元
    assert revenue is not None
    assert (revenue.kind, revenue.comparison, revenue.due) == (
        Kind.ANNUAL, ">", date(2025, 12, 31))
    share = plan.by_id("industry-share")  # 比重保持40%以上
    assert share is not None
    assert (share.kind, share.hold, share.comparison, share.target) == (
        Kind.RATE, True, ">=", D(40))


# =========================================================================== documented examples

def _readme_forms() -> list[tuple[str, list[tuple[str, str]]]]:
    """The sections of docs/target-forms.md, each as its fenced blocks in order."""
    doc = Path(__file__).resolve().parent.parent / "docs" / "target-forms.md"
    section = doc.read_text(encoding="utf-8")
    out = []
    for part in section.split("\n## ")[1:]:
        title = part.splitlines()[0]
        blocks = re.findall(r"```(\w+)\n(.*?)```", part, flags=re.S)
        if blocks:
            out.append((title, blocks))
    return out


README_FORMS = _readme_forms()


def _shows(output: str, expected: str) -> bool:
    """Each '…'-separated fragment of `expected` appears, in order, on one line of output."""
    fragments = [f.strip() for f in expected.split("…")]
    for line in output.splitlines():
        at = 0
        for fragment in fragments:
            at = line.find(fragment, at)
            if at < 0:
                break
            at += len(fragment)
        else:
            return True
    return False


def test_the_readme_documents_every_form() -> None:
    titles = " ".join(title for title, _ in README_FORMS).lower()
    for form in ("rates", "approximate", "stretch", "ceilings", "recurring", "multi-year",
                 "relative", "seasonal", "revisions", "required pace"):
        assert form in titles


@pytest.mark.parametrize(("title", "blocks"), README_FORMS,
                         ids=[title.split(":")[0] for title, _ in README_FORMS])
def test_readme_example_works_as_shown(cli: Runner, tmp_path: Path, title: str,
                                       blocks: list[tuple[str, str]]) -> None:
    plan = ""
    output = ""
    for lang, body in blocks:
        if lang == "toml":
            plan += body + "\n"
            write_plan(tmp_path, plan)
            assert cli("check", cwd=tmp_path).code == 0
        elif lang == "sh":
            for line in body.splitlines():
                args = shlex.split(line)
                assert args[0] == "bjtrack"
                result = cli(*args[1:], cwd=tmp_path,
                             env={"BJTRACK_LANG": "zh", "COLUMNS": "200"})
                assert result.code == 0, result.err
                output = result.out
        elif lang == "text":
            for expected in body.strip().splitlines():
                assert _shows(output, expected), f"{title}: {expected!r} not in\n{output}"
    assert output, f"{title}: no command shown"
