"""Core status semantics (issue: targets.toml -> log -> status), as `status --format json`
shows them to the user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Runner

PLAN = """\
[plan]
name = "verdicts"
{plan_extra}

[[target]]
id = "inv"
name = "区内全年投资"
target = "300亿元"
comparison = ">"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "firms"
name = "企业总量"
target = "8.2万家"
kind = "level"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "firms-base"
name = "企业总量（有基数）"
target = "8.2万家"
kind = "level"
baseline = "7万家"
series = "firms"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "new"
name = "新增企业"
target = "1.5万家"
aggregate = "sum"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "share"
name = "工业增加值占比"
target = "40%"
hold = true
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "growth"
name = "GDP增速"
target = "6%"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "energy"
name = "能耗总量"
target = "100万吨"
comparison = "<="
start = 2022-01-01
due = 2022-12-31
"""


def make_plan(folder: Path, plan_extra: str = "") -> Path:
    (folder / "targets.toml").write_text(PLAN.format(plan_extra=plan_extra), encoding="utf-8")
    return folder


def status_of(cli: Runner, folder: Path, as_of: str, target_id: str) -> dict[str, Any]:
    result = cli("status", "--as-of", as_of, "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    found: dict[str, Any] = next(t for t in data["targets"] if t["id"] == target_id)
    return found


def log(cli: Runner, folder: Path, *args: str) -> None:
    result = cli("log", *args, cwd=folder)
    assert result.code == 0, result.err


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return make_plan(tmp_path)


def test_no_record_is_no_data_even_past_due(cli: Runner, plan: Path) -> None:
    assert status_of(cli, plan, "2022-06-30", "inv")["verdict"] == "no_data"
    assert status_of(cli, plan, "2023-03-01", "inv")["verdict"] == "no_data"


def test_half_the_year_half_the_target_is_on_track(cli: Runner, plan: Path) -> None:
    log(cli, plan, "inv", "151亿", "--date", "2022-06")
    row = status_of(cli, plan, "2022-08-15", "inv")
    # 1—6月累计 is judged against half a year (6 of 12 months) even when read in August.
    assert row["time_elapsed"] == 0.5
    assert row["progress"] == round(151 / 300, 6)
    assert row["verdict"] == "on_track"
    assert row["actual"] == 15100000000
    assert row["actual_date"] == "2022-06-30"
    assert row["records"] == 1


def test_at_risk_within_the_band_and_behind_below_it(cli: Runner, plan: Path) -> None:
    log(cli, plan, "inv", "140亿", "--date", "2022-06")  # 0.467 vs 0.5: within 0.9×
    assert status_of(cli, plan, "2022-07-01", "inv")["verdict"] == "at_risk"
    log(cli, plan, "inv", "160亿", "--date", "2022-09")  # 0.533 vs 0.75: behind
    assert status_of(cli, plan, "2022-10-01", "inv")["verdict"] == "behind"


def test_at_risk_band_is_configurable(cli: Runner, tmp_path: Path) -> None:
    folder = make_plan(tmp_path, "at_risk_band = 0.5")
    log(cli, folder, "inv", "100亿", "--date", "2022-06")  # 0.333 vs 0.5 ≥ 0.5×
    assert status_of(cli, folder, "2022-07-01", "inv")["verdict"] == "at_risk"


def test_strictly_greater_exactly_on_target_is_not_achieved(cli: Runner, plan: Path) -> None:
    log(cli, plan, "inv", "300亿", "--date", "2022-12")
    row = status_of(cli, plan, "2023-01-31", "inv")
    assert row["verdict"] == "missed"
    assert row["gap"] == 0
    log(cli, plan, "inv", "300.01亿", "--date", "2022-12", "--revise")
    assert status_of(cli, plan, "2023-01-31", "inv")["verdict"] == "achieved"


def test_achieved_before_due_when_the_figure_already_satisfies(cli: Runner, plan: Path) -> None:
    log(cli, plan, "inv", "310亿", "--date", "2022-11")
    row = status_of(cli, plan, "2022-12-01", "inv")
    assert row["verdict"] == "achieved"
    assert row["progress"] > 1


def test_missed_only_after_the_due_date(cli: Runner, plan: Path) -> None:
    log(cli, plan, "inv", "290亿", "--date", "2022-12")
    assert status_of(cli, plan, "2022-12-31", "inv")["verdict"] == "at_risk"
    assert status_of(cli, plan, "2023-01-01", "inv")["verdict"] == "missed"


def test_records_after_due_are_outside_the_window(cli: Runner, plan: Path) -> None:
    log(cli, plan, "inv", "200亿", "--date", "2022-12")
    log(cli, plan, "inv", "50亿", "--date", "2023-02", "--force")
    row = status_of(cli, plan, "2023-03-01", "inv")
    assert row["actual"] == 20000000000 and row["records"] == 1


def test_projection_continues_the_run_rate(cli: Runner, plan: Path) -> None:
    log(cli, plan, "inv", "150亿", "--date", "2022-06")
    row = status_of(cli, plan, "2022-07-01", "inv")
    assert row["projected"] == 300e8  # 150亿 in 6 of 12 months


def test_level_without_baseline_and_one_record_has_no_pace(cli: Runner, plan: Path) -> None:
    log(cli, plan, "firms", "7.5万", "--date", "2022-03")
    row = status_of(cli, plan, "2022-04-01", "firms")
    assert row["verdict"] == "no_pace"
    assert row["progress"] is None
    log(cli, plan, "firms", "7.8万", "--date", "2022-06")
    row = status_of(cli, plan, "2022-07-01", "firms")
    assert row["baseline"] == 75000  # the period's first record
    assert row["progress"] == round(3000 / 7000, 6)


def test_level_single_record_already_satisfying_is_achieved(cli: Runner, plan: Path) -> None:
    log(cli, plan, "firms", "8.3万", "--date", "2022-09")
    assert status_of(cli, plan, "2022-10-01", "firms")["verdict"] == "achieved"


def test_level_with_baseline_measures_progress_from_it(cli: Runner, plan: Path) -> None:
    log(cli, plan, "firms", "7.6万", "--date", "2022-06")
    row = status_of(cli, plan, "2022-07-01", "firms-base")
    assert row["baseline"] == 70000
    assert row["progress"] == 0.5
    assert row["verdict"] == "on_track"


def test_sum_aggregate_adds_increments(cli: Runner, plan: Path) -> None:
    log(cli, plan, "new", "4000", "--date", "2022-03")
    log(cli, plan, "new", "4000", "--date", "2022-06")
    row = status_of(cli, plan, "2022-07-01", "new")
    assert row["actual"] == 8000 and row["records"] == 2


def test_hold_is_breached_by_any_record_below(cli: Runner, plan: Path) -> None:
    log(cli, plan, "share", "41.2%", "--date", "2022-03")
    row = status_of(cli, plan, "2022-04-01", "share")
    assert row["verdict"] == "on_track"
    assert row["progress"] is None and row["time_elapsed"] is None
    log(cli, plan, "share", "40%", "--date", "2022-06")  # 以上 includes 40
    assert status_of(cli, plan, "2023-01-01", "share")["verdict"] == "achieved"
    log(cli, plan, "share", "39.9%", "--date", "2022-09")
    log(cli, plan, "share", "41%", "--date", "2022-12")
    assert status_of(cli, plan, "2023-01-01", "share")["verdict"] == "breached"


def test_rate_compares_the_latest_value(cli: Runner, plan: Path) -> None:
    log(cli, plan, "growth", "5.0%", "--date", "2022H1")
    row = status_of(cli, plan, "2022-08-01", "growth")
    assert row["verdict"] == "behind"
    assert row["gap"] == -1
    log(cli, plan, "growth", "6.1%", "--date", "2022")
    assert status_of(cli, plan, "2023-02-01", "growth")["verdict"] == "achieved"


def test_ceiling_is_behind_once_the_projection_breaks_it(cli: Runner, plan: Path) -> None:
    log(cli, plan, "energy", "40万", "--date", "2022-06")  # projects to ~80.7万: within
    assert status_of(cli, plan, "2022-07-01", "energy")["verdict"] == "on_track"
    log(cli, plan, "energy", "60万", "--date", "2022-07")  # projects to ~103万: breaks
    assert status_of(cli, plan, "2022-08-01", "energy")["verdict"] == "behind"
    log(cli, plan, "energy", "95万", "--date", "2022-12")
    assert status_of(cli, plan, "2022-12-31", "energy")["verdict"] == "on_track"
    assert status_of(cli, plan, "2023-01-01", "energy")["verdict"] == "achieved"


def test_stale_figure_is_marked(cli: Runner, plan: Path) -> None:
    log(cli, plan, "inv", "50亿", "--date", "2022-02")
    assert status_of(cli, plan, "2022-03-15", "inv")["stale"] is False
    assert status_of(cli, plan, "2022-05-15", "inv")["stale"] is True


def test_json_has_the_contract_fields_and_exact_numbers(cli: Runner, shipped: Path) -> None:
    result = cli("status", "--as-of", "2022-08-05", "--format", "json", cwd=shipped)
    data = json.loads(result.out)
    assert data["as_of"] == "2022-08-05"
    contract = {"id", "name", "group", "unit", "comparison", "target", "baseline", "start",
                "due", "actual", "actual_date", "records", "progress", "time_elapsed",
                "stale", "verdict", "projected"}
    for row in data["targets"]:
        assert contract <= set(row)
    investment = next(t for t in data["targets"] if t["id"] == "investment")
    assert investment["target"] == 30000000000 and investment["unit"] == "元"
    assert '"actual": 105620000000' in result.out  # 1056.2亿 written exactly
    indicator_fields = {"id", "name", "group", "unit", "actual", "actual_date", "records"}
    for row in data["indicators"]:
        assert indicator_fields <= set(row)
    assert data["warnings"] == []


def test_a_ceiling_past_due_without_its_last_figure_awaits_it_showing_its_course(
        cli: Runner, plan: Path) -> None:
    log(cli, plan, "energy", "60万", "--date", "2022-06")  # heading to 120万 over 100万
    row = status_of(cli, plan, "2023-01-01", "energy")
    assert (row["verdict"], row["projected"]) == ("awaiting", 1200000)
    log(cli, plan, "energy", "95万", "--date", "2022")
    assert status_of(cli, plan, "2023-01-01", "energy")["verdict"] == "achieved"


def test_evolve_copies_as_dataclasses_replace_does() -> None:
    """Statuses are copied with `model.evolve` (fast); it must give what `replace` gives."""
    import dataclasses
    from datetime import date
    from decimal import Decimal

    from bjtrack.domain.model import Kind, Status, Target, Verdict, evolve

    target = Target(id="inv", name="投资", series="inv", kind=Kind.FLOW, unit="元",
                    target=Decimal("30000000000"), start=date(2022, 1, 1),
                    due=date(2022, 12, 31))
    status = Status(target=target, as_of=date(2022, 6, 30), verdict=Verdict.NO_DATA)
    changed = evolve(status, verdict=Verdict.ON_TRACK, actual=Decimal("1.50"))
    assert changed == dataclasses.replace(status, verdict=Verdict.ON_TRACK,
                                          actual=Decimal("1.50"))
    assert status.verdict is Verdict.NO_DATA  # the original is untouched
    assert evolve(target, due=date(2023, 12, 31)).due == date(2023, 12, 31)
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.verdict = Verdict.MISSED  # type: ignore[misc]
    with pytest.raises(TypeError, match="no field verdictt"):
        evolve(status, verdictt=Verdict.MISSED)
