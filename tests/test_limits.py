"""The ends of what bjtrack reads (issue 14): the largest and smallest figures, a full
disk under `target add`, `target edit`, `init` and under the index, and plan and record
dates at the ends of the calendar. Each ends in an answer or one clear message, never a
traceback, and never a changed file after a failed write."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Runner

# --------------------------------------------------------------- figures near the limits

LIMITS_PLAN = """\
[[target]]
id = "tiny"
name = "微小"
target = "1e-40元"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "rate"
name = "增速"
target = "1e-40%"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "level"
name = "水平"
target = "100亿元"
baseline = "99.9999999999亿元"
kind = "level"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "growth"
name = "增长"
target = "5%"
kind = "rate"
derive = "yoy"
series = "base"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "base"
name = "基数"
unit = "元"
"""


@pytest.mark.parametrize("value", ["1e22", "9.999999999999999999999999999999999999999e40"])
def test_huge_figures_and_ratios_in_every_report(cli: Runner, tmp_path: Path,
                                                 value: str) -> None:
    """A figure of 10^22 or the largest one there is (10^40) against a target of 10^-40:
    progress of 10^62 to 10^80, past Decimal's 28 digits. Every report answers."""
    (tmp_path / "targets.toml").write_text(LIMITS_PLAN, encoding="utf-8")
    for args in (("tiny", value), ("rate", value + "%"), ("level", value),
                 ("base", "1e-40"), ("base", value)):
        day = "2021-06-30" if args[1] == "1e-40" else "2022-06-30"
        logged = cli("log", *args, "--date", day, "--exact", "--force", cwd=tmp_path)
        assert logged.code == 0, logged.err
    env = {"BJTRACK_TODAY": "2022-12-31"}
    status = cli("status", "--format", "json", cwd=tmp_path, env=env)
    assert status.code == 0, status.err
    rows = {t["id"]: t for t in json.loads(status.out, parse_float=Decimal)["targets"]}
    assert Decimal(str(rows["tiny"]["progress"])) == Decimal(value) / Decimal("1e-40")
    assert rows["growth"]["actual"] is not None  # a growth rate of 10^60 % and more
    for args in (("status",), ("targets",), ("history", "tiny"), ("history", "growth"),
                 ("history", "tiny", "--chart"), ("history", "rate", "--chart"),
                 ("check",)):
        result = cli(*args, cwd=tmp_path, env=env)
        assert result.code == 0 and "Traceback" not in result.err, (args, result.err)
    for fmt in ("json", "csv", "markdown", "html", "xlsx", "docx"):
        out = tmp_path / f"report.{fmt}"
        result = cli("export", "--format", fmt, "-o", str(out), cwd=tmp_path, env=env)
        assert result.code == 0 and out.stat().st_size, (fmt, result.err)


def test_figures_past_the_limit_are_refused_with_the_limit(cli: Runner, tmp_path: Path
                                                          ) -> None:
    (tmp_path / "targets.toml").write_text(LIMITS_PLAN, encoding="utf-8")
    for value in ("1e41", "1e-41"):
        result = cli("log", "tiny", value, "--date", "2022-06-30", "--exact", cwd=tmp_path)
        assert result.code == 2 and "out of range (at most 10^40)" in result.err
    assert not (tmp_path / "records.toml").exists()
