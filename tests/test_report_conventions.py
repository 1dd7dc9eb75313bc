"""Targets judged the way a government's 计划执行情况 report judges them (issue 12):
时间进度 in whole months, 左右 with a direction, ranges, 完成率 of growth rates, unfinished
years, share changes and ranks, as `status` shows them to the user."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import Runner

YEAR = """\
start = 2022-01-01
due = 2022-12-31
"""


def write_plan(folder: Path, targets: str, plan: str = "") -> Path:
    (folder / "targets.toml").write_text(
        f'[plan]\nname = "conventions"\n{plan}\n{targets}', encoding="utf-8")
    return folder


def target(tid: str, name: str, goal: str, extra: str = "") -> str:
    return f'[[target]]\nid = "{tid}"\nname = "{name}"\ntarget = "{goal}"\n{extra}\n{YEAR}\n'


def log(cli: Runner, folder: Path, *args: str) -> str:
    result = cli("log", *args, cwd=folder)
    assert result.code == 0, result.err
    return result.out


def status(cli: Runner, folder: Path, as_of: str) -> dict[str, dict[str, Any]]:
    result = cli("status", "--as-of", as_of, "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    data = json.loads(result.out, parse_float=Decimal)
    return {row["id"]: row for row in data["targets"]}


def table(cli: Runner, folder: Path, as_of: str, lang: str) -> str:
    result = cli("--lang", lang, "status", "--as-of", as_of, cwd=folder,
                 env={"COLUMNS": "160"})
    assert result.code == 0, result.err
    return result.out


# --------------------------------------------------------------------------- 时间进度

@pytest.mark.parametrize(("month", "shown"), [
    ("2022-06", "0.5"), ("2022-09", "0.75"), ("2022-04", "0.333333"), ("2022-03", "0.25"),
    ("2022-12", "1")])
def test_time_is_counted_in_whole_months_as_reports_do(
        cli: Runner, tmp_path: Path, month: str, shown: str) -> None:
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元"))
    log(cli, folder, "inv", "100亿", "--date", month)
    row = status(cli, folder, "2023-01-20" if month == "2022-12" else "2022-12-20")["inv"]
    assert row["time_elapsed"] == Decimal(shown)
    assert row["time_basis"] == "months"


def test_half_the_target_at_june_is_double_half(cli: Runner, tmp_path: Path) -> None:
    """双过半: 50% done by a 1—6月 figure is on pace (by days it was 49.6%)."""
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元"))
    log(cli, folder, "inv", "150亿", "--date", "2022-06")
    row = status(cli, folder, "2022-07-20")["inv"]
    assert row["progress"] == Decimal("0.5") and row["time_elapsed"] == Decimal("0.5")
    assert row["verdict"] == "on_track"
    zh = table(cli, folder, "2022-07-20", "zh")
    assert "时间进度(月)" in zh and "50.0%" in zh
    assert "Time (months)" in table(cli, folder, "2022-07-20", "en")


def test_with_no_record_the_months_completed_by_the_as_of_date(
        cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元"))
    assert status(cli, folder, "2022-07-20")["inv"]["time_elapsed"] == Decimal("0.5")
    assert status(cli, folder, "2022-07-31")["inv"]["time_elapsed"] == Decimal("0.583333")


def test_a_quarter_is_counted_in_months_too(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, '[[target]]\nid = "q"\nname = "季度投资"\n'
                        'target = "90亿元"\nstart = 2022-01-01\nevery = "quarter"\n')
    log(cli, folder, "q", "20亿", "--date", "2022-05")
    assert status(cli, folder, "2022-06-10")["q"]["time_elapsed"] == Decimal("0.666667")


def test_a_plan_may_count_days(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元"), 'time = "days"')
    log(cli, folder, "inv", "150亿", "--date", "2022-06")
    row = status(cli, folder, "2022-07-20")["inv"]
    assert row["time_elapsed"] == Decimal(str(round(181 / 365, 6)))
    assert row["time_basis"] == "days"
    assert "时间进度(日)" in table(cli, folder, "2022-07-20", "zh")


def test_a_target_may_count_days_on_its_own(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元", 'time = "days"'))
    log(cli, folder, "inv", "150亿", "--date", "2022-06")
    assert status(cli, folder, "2022-07-20")["inv"]["time_basis"] == "days"


def test_time_must_be_months_or_days(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元"), 'time = "weeks"')
    result = cli("status", cwd=folder)
    assert result.code != 0 and 'time must be "months"' in result.err


def test_seasonal_pace_weights_whole_months(cli: Runner, tmp_path: Path) -> None:
    pace = "pace = [5, 6, 8, 8, 8, 10, 8, 8, 9, 9, 9, 12]"
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元", pace))
    log(cli, folder, "inv", "135亿", "--date", "2022-06")
    row = status(cli, folder, "2022-07-20")["inv"]
    assert row["expected_progress"] == Decimal("0.45")
    assert row["verdict"] == "on_track"
    log(cli, folder, "inv", "140亿", "--date", "2022-07-15")
    # a figure dated within July takes July's share by its days, as its 时间进度 does
    row = status(cli, folder, "2022-07-20")["inv"]
    assert row["expected_progress"] == Decimal("0.488710")


# --------------------------------------------------------------------------- 左右

@pytest.mark.parametrize(("value", "verdict", "within", "zh"), [
    ("10.7%", "achieved", False, "已完成"),  # 重庆 2016: 10%左右, grew 10.7%: 达到预期目标
    ("10%", "achieved", False, "已完成"),
    ("9.6%", "achieved", True, "基本完成"),  # within the 0.5 pp slack
    ("9.5%", "achieved", True, "基本完成"),
    ("9.4%", "missed", False, "未完成"),
])
def test_about_a_floor_is_met_from_the_slack_up(
        cli: Runner, tmp_path: Path, value: str, verdict: str, within: bool, zh: str) -> None:
    folder = write_plan(tmp_path, target("gdp-growth", "地区生产总值增长", "10%左右"))
    log(cli, folder, "gdp-growth", value, "--date", "2022")
    row = status(cli, folder, "2023-03-01")["gdp-growth"]
    assert (row["verdict"], row["within_tolerance"]) == (verdict, within)
    assert row["comparison"] == ">=" and row["tolerance"] == Decimal("0.5")
    shown = table(cli, folder, "2023-03-01", "zh")
    assert zh in shown and "10.0%左右" in shown
    if within:
        assert "met within tolerance" in table(cli, folder, "2023-03-01", "en")


@pytest.mark.parametrize(("value", "verdict", "within"), [
    ("2.0%", "achieved", False), ("3.4%", "achieved", True), ("3.5%", "achieved", True),
    ("3.6%", "missed", False)])
def test_about_a_ceiling_is_met_up_to_the_slack(
        cli: Runner, tmp_path: Path, value: str, verdict: str, within: bool) -> None:
    folder = write_plan(tmp_path, target("cpi", "居民消费价格涨幅", "3%左右",
                                         'comparison = "<="'))
    log(cli, folder, "cpi", value, "--date", "2022")
    row = status(cli, folder, "2023-03-01")["cpi"]
    assert (row["verdict"], row["within_tolerance"]) == (verdict, within)
    assert "3.0%左右以内" in table(cli, folder, "2023-03-01", "zh")


def test_about_within_a_ceiling_in_the_plans_own_words(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("cpi", "居民消费价格涨幅", "3%左右以内"))
    log(cli, folder, "cpi", "3.4%", "--date", "2022")
    row = status(cli, folder, "2023-03-01")["cpi"]
    assert (row["comparison"], row["verdict"], row["within_tolerance"]) == ("<=", "achieved",
                                                                            True)


def test_the_two_sided_band_stays_with_tilde(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("g", "地区生产总值增长", "10%", 'comparison = "~"'))
    log(cli, folder, "g", "10.7%", "--date", "2022")
    assert status(cli, folder, "2023-03-01")["g"]["verdict"] == "missed"


def test_a_tolerance_with_any_comparison(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元",
                                         'tolerance = "10%"'))
    log(cli, folder, "inv", "275亿", "--date", "2022")
    row = status(cli, folder, "2023-03-01")["inv"]
    assert (row["verdict"], row["within_tolerance"]) == ("achieved", True)
    log(cli, folder, "inv", "265亿", "--date", "2022", "--revise")
    assert status(cli, folder, "2023-03-01")["inv"]["verdict"] == "missed"


# --------------------------------------------------------------------------- ranges

@pytest.mark.parametrize("written", ["5%—5.5%", "5%-5.5%", "5~5.5%", "5%到5.5%", "增长5%—5.5%",
                                     "5%～5.5%"])
@pytest.mark.parametrize(("value", "verdict", "stretch_met"), [
    ("4.9%", "missed", False), ("5.2%", "achieved", False), ("5.5%", "achieved", True),
    ("5.6%", "achieved", True)])
def test_a_range_is_a_floor_and_a_stretch_level(
        cli: Runner, tmp_path: Path, written: str, value: str, verdict: str,
        stretch_met: bool) -> None:
    folder = write_plan(tmp_path, target("g", "地区生产总值增长", written))
    log(cli, folder, "g", value, "--date", "2022")
    row = status(cli, folder, "2023-03-01")["g"]
    assert (row["target"], row["stretch"]) == (Decimal("5"), Decimal("5.5"))
    assert (row["verdict"], row["stretch_met"]) == (verdict, stretch_met)


def test_a_range_is_shown_as_written(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("g", "地区生产总值增长", "5%—5.5%"))
    log(cli, folder, "g", "5.2%", "--date", "2022")
    zh = table(cli, folder, "2023-03-01", "zh")
    assert "5.0%—5.5%" in zh and "已完成（未达力争）" in zh
    assert "stretch not met" in table(cli, folder, "2023-03-01", "en")


def test_a_range_upside_down_is_refused(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("g", "地区生产总值增长", "5.5%—5%"))
    result = cli("check", cwd=folder)
    assert result.code != 0 and "not a range from a lower to a higher level" in result.out


# --------------------------------------------------------------------------- 完成率 of rates

@pytest.mark.parametrize(("name", "goal", "value", "extra", "progress", "shown"), [
    ("地区生产总值增长", "6.5%", "5.0%", "", "0.985915", "98.6%"),  # (100+5.0)/(100+6.5)
    ("规上工业增加值增速", "6%", "6%", "", "1", "100.0%"),
    ("研发投入增幅", "10%", "12%", "", "1.018182", "101.8%"),
    ("数字经济增加值占比", "40%", "30%", "", "0.75", "75.0%"),  # a share: actual/target
    ("消费增长贡献率", "60%", "45%", 'rate = "level"', "0.75", "75.0%"),
    ("投资", "10%", "5%", 'rate = "growth"', "0.954545", "95.5%"),
])
def test_the_progress_of_a_rate_as_reports_state_it(
        cli: Runner, tmp_path: Path, name: str, goal: str, value: str, extra: str,
        progress: str, shown: str) -> None:
    folder = write_plan(tmp_path, target("r", name, goal, extra))
    log(cli, folder, "r", value, "--date", "2022")
    row = status(cli, folder, "2023-03-01")["r"]
    assert row["progress"] == Decimal(progress)
    assert shown in table(cli, folder, "2023-03-01", "zh")


def test_rate_must_be_growth_or_level(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("r", "增长", "6%", 'rate = "share"'))
    result = cli("check", cwd=folder)
    assert result.code != 0 and 'rate must be "growth"' in result.out


# --------------------------------------------------------------------------- awaiting

def test_a_june_figure_read_the_next_march_is_awaiting(cli: Runner, tmp_path: Path) -> None:
    """全年引进人才: 2.11万 by June projects 4.22万 against 3.8万; the year's figure decides."""
    folder = write_plan(tmp_path, target("talent", "全年引进人才", "3.8万人")
                        + target("gdp-growth", "地区生产总值增长", "6%"))
    log(cli, folder, "talent", "2.11万", "--date", "2022-06")
    log(cli, folder, "gdp-growth", "2.5%", "--date", "2022-06")
    rows = status(cli, folder, "2023-03-01")
    talent = rows["talent"]
    assert (talent["verdict"], talent["actual_date"]) == ("awaiting", "2022-06-30")
    assert talent["projected"] == Decimal("42200")
    assert rows["gdp-growth"]["verdict"] == "awaiting"
    zh = table(cli, folder, "2023-03-01", "zh")
    assert "待最终数据" in zh and "4.22万人" in zh and "2022-06-30" in zh
    assert "awaiting the final figure" in table(cli, folder, "2023-03-01", "en")
    quiet = cli("status", "--as-of", "2023-03-01", "--fail-on", "missed", cwd=folder)
    assert quiet.code == 0, quiet.err  # not missed: not known yet
    log(cli, folder, "talent", "3.6万", "--date", "2022")
    log(cli, folder, "gdp-growth", "6.1%", "--date", "2022")
    rows = status(cli, folder, "2023-03-01")
    assert (rows["talent"]["verdict"], rows["gdp-growth"]["verdict"]) == ("missed", "achieved")
    log(cli, folder, "talent", "3.9万", "--date", "2022", "--revise")
    assert status(cli, folder, "2023-03-01")["talent"]["verdict"] == "achieved"
    log(cli, folder, "talent", "3.6万", "--date", "2022", "--revise")
    alert = cli("status", "--as-of", "2023-03-01", "--fail-on", "missed", cwd=folder)
    assert alert.code != 0  # once missed, it alerts


def test_a_target_met_before_the_year_ends_is_achieved_without_the_years_figure(
        cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("talent", "全年引进人才", "3.8万人"))
    log(cli, folder, "talent", "3.9万", "--date", "2022-11")
    assert status(cli, folder, "2023-03-01")["talent"]["verdict"] == "achieved"


def test_a_ceiling_without_its_years_figure_is_awaiting(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("debt", "新增政府债务", "100亿元", 'comparison = "<="'))
    log(cli, folder, "debt", "60亿", "--date", "2022-06")
    assert status(cli, folder, "2023-03-01")["debt"]["verdict"] == "awaiting"


# --------------------------------------------------------------------------- log

@pytest.mark.parametrize(("lang", "said"), [
    ("en", "did you mean 150亿元?"), ("zh", "是否想写 150亿元？")])
def test_a_bare_number_implausible_for_the_target_is_refused(
        cli: Runner, tmp_path: Path, lang: str, said: str) -> None:
    folder = write_plan(tmp_path, target("inv", "区内全年投资", "300亿元"))
    refused = cli("--lang", lang, "log", "inv", "150", "--date", "2022-06", cwd=folder)
    assert refused.code == 2 and said in refused.err and "--exact" in refused.err
    assert not (folder / "records.toml").exists() or "150" not in (
        folder / "records.toml").read_text(encoding="utf-8")
    exact = cli("log", "inv", "150", "--date", "2022-06", "--exact", cwd=folder)
    assert exact.code == 0 and "150元" in exact.out


def test_a_bare_number_of_a_plausible_size_is_taken_in_the_targets_unit(
        cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("talent", "全年引进人才", "3.8万人"))
    assert "2.11万人" in log(cli, folder, "talent", "21100", "--date", "2022-06")
    refused = cli("log", "talent", "2.11", "--date", "2022-06", "--revise", cwd=folder)
    assert refused.code == 2 and "did you mean 2.11万人?" in refused.err


# --------------------------------------------------------------------------- shipped plan

def test_the_shipped_plan_tells_the_story_of_2022(cli: Runner, shipped: Path) -> None:
    """Read today: talent achieved on the published 3.8万; GDP's 2184.8亿 and 1.8% are in
    with their sources; the targets without a figure say what to do next."""
    rows = status(cli, shipped, "2026-12-02")
    assert (rows["talent"]["verdict"], rows["talent"]["actual"]) == ("achieved", 38000)
    assert all(row["verdict"] in ("achieved", "awaiting", "no_data") for row in rows.values())
    result = cli("status", "--as-of", "2026-12-02", "--format", "json", cwd=shipped)
    indicators = {r["id"]: r for r in json.loads(result.out, parse_float=Decimal)["indicators"]}
    assert indicators["gdp"]["actual"] == Decimal("218480000000")
    assert indicators["gdp-growth"]["actual"] == Decimal("1.8")
    en = table(cli, shipped, "2026-12-02", "en")
    assert "achieved 1" in en and "bjtrack log" in en and "--as-of" in en
    zh = table(cli, shipped, "2026-12-02", "zh")
    assert "已完成 1" in zh and "暂无数据" in zh and "bjtrack log" in zh
    history = cli("history", "talent", cwd=shipped)
    assert history.code == 0 and "2022-12-31" in history.out
    records = (shipped / "records.toml").read_text(encoding="utf-8")
    assert "新引进各类人才3.8万人" in records and "www.hhtz.gov.cn，2023-02-03" in records
    assert "全区地区生产总值(GDP)达2184.8亿元,增长1.8%" in records


# --------------------------------------------------------------------------- ranks

@pytest.mark.parametrize(("written", "value", "verdict"), [
    ("3", "2", "achieved"), ("3", "3", "achieved"), ("第3位", "4", "missed"),
    ("前3位", "1", "achieved")])
def test_a_rank_is_met_at_its_place_or_better(
        cli: Runner, tmp_path: Path, written: str, value: str, verdict: str) -> None:
    folder = write_plan(tmp_path, target("rank", "增速位居全市位次", written, 'kind = "rank"'))
    log(cli, folder, "rank", value, "--date", "2022")
    row = status(cli, folder, "2023-03-01")["rank"]
    assert (row["kind"], row["comparison"], row["verdict"]) == ("rank", "<=", verdict)
    assert row["progress"] is None
    zh = table(cli, folder, "2023-03-01", "zh")
    assert "前3位" in zh and f"第{value}位" in zh
    assert f"No. {value}" in table(cli, folder, "2023-03-01", "en")


def test_a_rank_has_no_unit(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("rank", "位次", "3家", 'kind = "rank"'))
    result = cli("check", cwd=folder)
    assert result.code != 0 and "a rank has no unit" in result.out


# --------------------------------------------------------------------------- share changes

@pytest.mark.parametrize(("written", "value", "verdict", "gap"), [
    ("+0.3个百分点", "40.3%", "achieved", "0"),
    ("+0.3个百分点", "40.5%", "achieved", "0.2"),
    ("提高0.3个百分点", "40.2%", "missed", "-0.1"),
    ("下降0.3个百分点", "39.7%", "achieved", "0"),
    ("下降0.3个百分点", "39.8%", "missed", "0.1"),
])
def test_a_share_change_against_the_year_before(
        cli: Runner, tmp_path: Path, written: str, value: str, verdict: str, gap: str) -> None:
    folder = write_plan(tmp_path, target("share", "数字经济增加值占比", written))
    log(cli, folder, "share", "40%", "--date", "2021")  # the year before: counted
    log(cli, folder, "share", value, "--date", "2022")
    row = status(cli, folder, "2023-03-01")["share"]
    assert (row["verdict"], row["gap"]) == (verdict, Decimal(gap))
    assert row["baseline"] == Decimal("40")
    assert "较上年" in table(cli, folder, "2023-03-01", "zh")


def test_a_share_change_with_an_explicit_baseline(cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("share", "数字经济增加值占比", "+0.3个百分点",
                                         'baseline = "40%"'))
    log(cli, folder, "share", "40.4%", "--date", "2022")
    row = status(cli, folder, "2023-03-01")["share"]
    assert (row["verdict"], row["target"]) == ("achieved", Decimal("40.3"))


def test_a_share_change_without_the_year_before_has_no_level_yet(
        cli: Runner, tmp_path: Path) -> None:
    folder = write_plan(tmp_path, target("share", "数字经济增加值占比", "+0.3个百分点"))
    log(cli, folder, "share", "40.4%", "--date", "2022")
    row = status(cli, folder, "2023-03-01")["share"]
    assert row["target"] is None and row["verdict"] == "no_data"


# --------------------------------------------------------------------------- qualifiers

@pytest.mark.parametrize(("typed", "value", "qualifier", "zh", "en"), [
    ("9%左右", "9", "左右", "9.0%左右", "9.0% (about)"),
    ("约3.4%", "3.4", "约", "约3.4%", "3.4% (about)"),
    ("7%以上", "7", "以上", "7.0%以上", "7.0% (or more)"),
    ("预计6.5%", "6.5", "预计", "预计6.5%", "6.5% (estimated)"),
])
def test_a_figure_keeps_the_word_it_was_published_with(
        cli: Runner, tmp_path: Path, typed: str, value: str, qualifier: str, zh: str,
        en: str) -> None:
    folder = write_plan(tmp_path, target("gdp-growth", "地区生产总值增长", "6%"))
    assert "logged" in log(cli, folder, "gdp-growth", typed, "--date", "2022")
    row = status(cli, folder, "2023-03-01")["gdp-growth"]
    assert (row["actual"], row["qualifier"]) == (Decimal(value), qualifier)
    assert zh in table(cli, folder, "2023-03-01", "zh")
    assert en in table(cli, folder, "2023-03-01", "en")
    history = cli("--lang", "zh", "history", "gdp-growth", cwd=folder,
                  env={"COLUMNS": "160"})
    assert zh in history.out
    exported = cli("export", "--format", "json", "--as-of", "2023-03-01", cwd=folder)
    assert f'"qualifier": "{qualifier}"' in exported.out
    for fmt in ("markdown", "html"):  # the reports an office reads show the word too
        report = cli("--lang", "zh", "export", "--format", fmt, "--as-of", "2023-03-01",
                     cwd=folder)
        assert zh in report.out, fmt
