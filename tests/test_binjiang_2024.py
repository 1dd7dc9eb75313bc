"""The Binjiang 2024 plan-execution table: for every row, `status` must reach the verdict and
the gap the district's own report implies (tests/data/binjiang-2024, transcribed from Table 1
of the report published 2025-06-06)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from conftest import Runner

DATA = Path(__file__).parent / "data" / "binjiang-2024"
REPORTED = "2025-06-06"  # the day the report was published


@pytest.fixture
def binjiang(tmp_path: Path) -> Path:
    """A copy of the 2024 plan and its records in a temp folder."""
    for name in ("targets.toml", "records.toml"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _status(cli: Runner, folder: Path, as_of: str = REPORTED) -> dict[str, Any]:
    result = cli("status", "--as-of", as_of, "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out, parse_float=Decimal)
    return data


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


# id, verdict, target (base unit), actual (base unit), gap = actual - target
TABLE = [
    ("gdp-growth", "missed", Decimal("6"), Decimal("5.0"), Decimal("-1.0")),
    ("investment-district", "achieved", Decimal("30000000000"), Decimal("33710000000"),
     Decimal("3710000000")),
    ("investment-all", "achieved", Decimal("35000000000"), Decimal("41480000000"),
     Decimal("6480000000")),
    ("budget-revenue-growth", "achieved", Decimal("5.0"), Decimal("8.2"), Decimal("3.2")),
    ("talent", "achieved", Decimal("42000"), Decimal("42859"), Decimal("859")),
]


@pytest.mark.parametrize(("target_id", "verdict", "target", "actual", "gap"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_each_row_reaches_the_reported_verdict_and_gap(
        cli: Runner, binjiang: Path, target_id: str, verdict: str, target: Decimal,
        actual: Decimal, gap: Decimal) -> None:
    row = _by_id(_status(cli, binjiang)["targets"])[target_id]
    assert row["verdict"] == verdict
    assert row["target"] == target
    assert row["actual"] == actual
    assert row["gap"] == gap
    assert row["actual_date"] == "2024-12-31"


def test_every_row_of_the_table_is_a_target(cli: Runner, binjiang: Path) -> None:
    targets = _status(cli, binjiang)["targets"]
    assert sorted(t["id"] for t in targets) == sorted(row[0] for row in TABLE)


def test_rates_are_rates_and_the_relative_target_reads_gdp_growth(
        cli: Runner, binjiang: Path) -> None:
    rows = _by_id(_status(cli, binjiang)["targets"])
    assert rows["gdp-growth"]["kind"] == "rate"
    # 完成率 of a growth rate as the reports state it: (100 + 5.0) / (100 + 6)
    assert rows["gdp-growth"]["progress"] == Decimal("0.990566")
    assert rows["gdp-growth"]["rate"] == "growth"
    revenue = rows["budget-revenue-growth"]
    assert revenue["kind"] == "rate"
    assert revenue["relative_to"] == "gdp-growth"
    assert revenue["unit"] == "%"


def test_the_indicators_of_the_report(cli: Runner, binjiang: Path) -> None:
    indicators = _by_id(_status(cli, binjiang)["indicators"])
    expected = {
        "gdp": "288780000000",
        "industry-value-added": "91320000000",
        "industry-value-added-growth": "6.0",
        "services-value-added": "192850000000",
        "services-value-added-growth": "4.4",
        "retail-sales": "66620000000",
        "retail-sales-growth": "5.6",
        "fiscal-revenue": "52156000000",
        "fiscal-revenue-growth": "12.8",
        "budget-revenue": "26199000000",
    }
    assert {k: indicators[k]["actual"] for k in expected} == \
        {k: Decimal(v) for k, v in expected.items()}
    assert all(indicators[k]["actual_date"] == "2024-12-31" for k in expected)


def test_on_the_due_date_the_year_is_not_over_yet(cli: Runner, binjiang: Path) -> None:
    rows = _by_id(_status(cli, binjiang, as_of="2024-12-31")["targets"])
    assert rows["gdp-growth"]["verdict"] == "behind"  # 5.0% < 6%, judged again after the year
    assert rows["budget-revenue-growth"]["verdict"] == "on_track"
    assert rows["investment-all"]["verdict"] == "achieved"  # 414.8亿 already exceeds 350亿


def test_one_day_after_due_the_verdicts_are_final(cli: Runner, binjiang: Path) -> None:
    rows = _by_id(_status(cli, binjiang, as_of="2025-01-01")["targets"])
    assert [rows[row[0]]["verdict"] for row in TABLE] == [row[1] for row in TABLE]


def test_the_table_states_the_gaps_in_percentage_points(cli: Runner, binjiang: Path) -> None:
    zh = cli("--lang", "zh", "status", "--as-of", REPORTED, cwd=binjiang,
             env={"COLUMNS": "140"})
    assert zh.code == 0, zh.err
    assert "低于目标1.0个百分点" in zh.out
    assert "高于目标3.2个百分点" in zh.out
    assert "未完成 1" in zh.out and "已完成 4" in zh.out
    en = cli("--lang", "en", "status", "--as-of", REPORTED, cwd=binjiang,
             env={"COLUMNS": "200"})
    assert en.code == 0, en.err
    assert "1.0 pp below target" in en.out
    assert "3.2 pp above target" in en.out
    assert "in step with 地区生产总值增长 (5.0%)" in en.out  # the series by its name
    assert "gdp-growth" not in en.out
    assert "achieved 4, missed 1" in en.out


@pytest.mark.parametrize(("lang", "below", "above"), [
    ("zh", "-1.0个百分点", "+3.2个百分点"), ("en", "-1.0pp", "+3.2pp")])
def test_a_narrow_table_shows_a_rates_gap_in_place_of_progress(
        cli: Runner, binjiang: Path, lang: str, below: str, above: str) -> None:
    result = cli("--lang", lang, "status", "--as-of", REPORTED, cwd=binjiang,
                 env={"COLUMNS": "80"})
    assert result.code == 0, result.err
    rows = [line for line in result.out.splitlines() if "5.0%" in line or "8.2%" in line]
    assert below in rows[0] and above in rows[1]
    assert all(cell_len(line) <= 80 for line in result.out.splitlines())


def test_a_floor_with_a_stretch_level(cli: Runner, tmp_path: Path) -> None:
    """7.5%以上，力争8%: the verdict is on the floor, stretch_met on the stretch level."""
    (tmp_path / "targets.toml").write_text("""\
[[target]]
id = "gdp-growth"
name = "地区生产总值增长"
target = "7.5%"
stretch = "8%"
start = 2024-01-01
due = 2024-12-31
quote = "地区生产总值增长7.5%以上，力争8%"
""", encoding="utf-8")
    seen = []
    for n, value in enumerate(("7.4%", "7.5%", "7.9%", "8%", "8.3%")):
        revise = ("--revise",) if n else ()  # each figure replaces the one before
        logged = cli("log", "gdp-growth", value, "--date", "2024", *revise, cwd=tmp_path)
        assert logged.code == 0, logged.err
        row = _status(cli, tmp_path, as_of="2025-01-01")["targets"][0]
        assert row["stretch"] == Decimal("8")
        assert row["records"] == 1  # a revision is never counted twice
        seen.append((value, row["verdict"], row["stretch_met"]))
    assert seen == [
        ("7.4%", "missed", False),
        ("7.5%", "achieved", False),
        ("7.9%", "achieved", False),
        ("8%", "achieved", True),
        ("8.3%", "achieved", True),
    ]
    table = cli("--lang", "zh", "status", "--as-of", "2025-01-01", cwd=tmp_path,
                env={"COLUMNS": "140"})
    assert "7.5% / 力争 8.0%" in table.out
    assert "已完成（达力争）" in table.out and "高于目标0.8个百分点" in table.out
