"""The ends of what bjtrack reads (issue 14): the largest and smallest figures, a full
disk under `target add`, `target edit`, `init` and under the index, and plan and record
dates at the ends of the calendar. Each ends in an answer or one clear message, never a
traceback, and never a changed file after a failed write."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import SMALL_PLAN, Runner
from test_disk import _fill, _mount, _umount

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


# --------------------------------------------------------------- a full disk, plan edits

def _disk_full_after(monkeypatch: pytest.MonkeyPatch, files: int) -> None:
    """Every temp file after the first `files` is on a full disk: its writes fail with
    ENOSPC (the file descriptor is /dev/full's)."""
    real = tempfile.mkstemp
    made: list[str] = []

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)
        made.append(name)
        if len(made) > files:
            full = os.open("/dev/full", os.O_WRONLY)
            os.dup2(full, fd)
            os.close(full)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under the folder (lock files aside: they hold nothing) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock") and p.name != "ballast"}


_PLAN_EDITS = {
    "target add": ("target", "add", "--id", "new", "--name", "新增", "--target", "5%",
                   "--start", "2022", "--due", "2022"),
    "target edit": ("target", "edit", "investment"),
}


@pytest.fixture
def full_disk(request: pytest.FixtureRequest, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder with the small plan on a disk that is full: simulated (/dev/full), or a
    real tmpfs filled to the last byte where this machine lets us mount one."""
    monkeypatch.setenv("EDITOR", "sed -i s/300亿元/400亿元/")
    monkeypatch.setenv("BJTRACK_NO_CACHE", "1")  # the index's files would free space
    if request.param == "simulated":
        if not Path("/dev/full").exists():
            pytest.skip("no /dev/full here")
        (tmp_path / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
        _disk_full_after(monkeypatch, 0)
        yield tmp_path
        return
    folder = tmp_path / "disk"
    folder.mkdir()
    if not _mount(folder, "4m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        (folder / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
        _fill(folder)
        yield folder
    finally:
        _umount(folder)


@pytest.mark.parametrize("full_disk", ["simulated", "tmpfs"], indirect=True)
@pytest.mark.parametrize("command", sorted(_PLAN_EDITS))
def test_plan_edit_on_a_full_disk_names_the_plan(cli: Runner, full_disk: Path,
                                                 command: str) -> None:
    before = _files(full_disk)
    result = cli(*_PLAN_EDITS[command], cwd=full_disk)
    assert result.code == 1, result
    assert "targets.toml: cannot write: No space left on device" in result.err
    assert "nothing was changed" in result.err and "Traceback" not in result.err
    assert _files(full_disk) == before  # no copy of the plan left beside it either


@pytest.mark.parametrize("fits", [1, 2], ids=["check copy", "new plan"])
def test_target_edit_that_fills_the_disk_keeps_the_edit(cli: Runner, plan_dir: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        fits: int) -> None:
    """The editor saved, then the disk is full (for the plan's check copy, or for the new
    plan): the plan is as it was, the message names it, and the edit is kept beside it."""
    monkeypatch.setenv("EDITOR", "sed -i s/300亿元/400亿元/")
    before = (plan_dir / "targets.toml").read_bytes()
    _disk_full_after(monkeypatch, fits)
    result = cli("target", "edit", "investment", cwd=plan_dir)
    assert result.code == 1, result
    assert "targets.toml: cannot write: No space left on device" in result.err
    assert (plan_dir / "targets.toml").read_bytes() == before
    kept = [p for p in plan_dir.iterdir() if p.name.startswith(".targets.edit-")]
    assert len(kept) == 1 and f"your edits are kept in {kept[0]}" in result.err
    assert "400亿元" in kept[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("full_disk", ["simulated", "tmpfs"], indirect=True)
def test_init_on_a_full_disk_leaves_nothing(cli: Runner, full_disk: Path) -> None:
    before = _files(full_disk)
    result = cli("init", str(full_disk / "plans" / "new"), cwd=full_disk)
    assert result.code == 1, result
    assert "new/targets.toml: cannot write: No space left on device" in result.err
    assert "Traceback" not in result.err
    assert _files(full_disk) == before and not (full_disk / "plans").exists()


@pytest.mark.parametrize("fits", [1, 2, 3])
def test_init_that_fills_the_disk_part_way_takes_its_files_back(
        cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fits: int) -> None:
    """The plan fits, then the records file (or the git settings) do not: the files init
    made go again, the settings it changed are as they were, and the message names the
    file that did not fit."""
    (tmp_path / ".gitignore").write_text("mine/\n", encoding="utf-8")
    before = _files(tmp_path)
    _disk_full_after(monkeypatch, fits)
    result = cli("init", str(tmp_path), cwd=tmp_path)
    name = ("records.toml", ".gitattributes", ".gitignore")[fits - 1]
    assert result.code == 1 and f"{name}: cannot write: No space left on device" in result.err
    assert "nothing was changed" in result.err
    assert _files(tmp_path) == before


# --------------------------------------------------------------- a full disk, the index

def _commands(cli: Runner, folder: Path, env: dict[str, str]) -> list[tuple[int, str, str]]:
    out = []
    for args in (("status", "--format", "json"), ("history", "investment", "--format", "json"),
                 ("check",), ("targets",)):
        result = cli(*args, cwd=folder, env=env)
        out.append((result.code, result.out, result.err))
    return out


def _logged_plan(cli: Runner, folder: Path) -> None:
    (folder / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
    for n in range(1, 25):
        day = f"2022-{(n - 1) % 12 + 1:02d}-{n:02d}"
        assert cli("log", "investment", f"{n}亿", "--date", day, "--note", "满" * 200,
                   cwd=folder, env={"BJTRACK_NO_CACHE": "1"}).code == 0


@pytest.mark.parametrize("when", ["building it", "adding to it"])
def test_index_that_fills_its_disk_reads_the_file(cli: Runner, plan_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  when: str) -> None:
    """SQLite says 'database or disk is full' (its file, or the write-ahead log, cannot
    grow by a page) while it builds the index or adds appended records to it: every
    command answers as without the index, and `log` still logs."""
    import sqlite3

    from bjtrack.index import cache
    monkeypatch.setenv("BJTRACK_TODAY", "2022-12-31")
    _logged_plan(cli, plan_dir)
    env = {"BJTRACK_NO_CACHE": "0"}
    if when == "adding to it":
        assert cli("status", cwd=plan_dir, env=env).code == 0  # the index, built
        for n in range(1, 13):
            assert cli("log", "firms-total", f"{n}万家", "--date", f"2022-{n:02d}-28",
                       "--note", "满" * 2000, cwd=plan_dir,
                       env={"BJTRACK_NO_CACHE": "1"}).code == 0
    without = _commands(cli, plan_dir, {"BJTRACK_NO_CACHE": "1"})
    real, sync, full = cache.connect, cache._sync, []

    def small(db: Path, key: bytes) -> sqlite3.Connection:
        conn = real(db, key)
        conn.execute("PRAGMA max_page_count = 1")  # no page more than it has now
        return conn

    def noted(*args: Any) -> object:
        try:
            return sync(*args)
        except sqlite3.OperationalError as exc:
            full.append(str(exc))
            raise

    monkeypatch.setattr(cache, "connect", small)
    monkeypatch.setattr(cache, "_sync", noted)
    for _ in range(2):
        assert _commands(cli, plan_dir, env) == without
    assert full and set(full) == {"database or disk is full"}
    logged = cli("log", "investment", "30亿", "--date", "2022-12-31", cwd=plan_dir, env=env)
    assert logged.code == 0, logged.err
    assert '"actual": 3000000000' in cli("status", "--format", "json", cwd=plan_dir).out


def test_index_on_a_really_full_disk_reads_the_file(cli: Runner, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BJTRACK_TODAY", "2022-12-31")
    folder = tmp_path / "disk"
    folder.mkdir()
    if not _mount(folder, "1m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        _logged_plan(cli, folder)
        without = _commands(cli, folder, {"BJTRACK_NO_CACHE": "1"})
        _fill(folder)
        for _ in range(2):
            assert _commands(cli, folder, {"BJTRACK_NO_CACHE": "0"}) == without
        cache = folder / ".bjtrack-cache"
        assert not [p.name for p in cache.iterdir() if p.name.endswith(".tmp")]
    finally:
        _umount(folder)


# --------------------------------------------------------------- the ends of the calendar

EDGE_PLAN = """\
[[target]]
id = "rev"
name = "收入"
target = "5%"
kind = "rate"
every = "year"
start = 9000-12-31

[[target]]
id = "growth"
name = "增长"
target = "5%"
kind = "rate"
derive = "yoy"
series = "gdp"
start = 1000-01-01
due = 1000-12-31

[[target]]
id = "gdp"
name = "地区生产总值"
unit = "亿元"
"""


@pytest.mark.parametrize("args", [("status", "--as-of", "9999-12-31"),
                                  ("history", "rev", "--as-of", "0999-12-31", "--chart"),
                                  ("log", "gdp", "5亿", "--date", "9999-12-31", "--force"),
                                  ("log", "gdp", "5亿", "--date", "0001", "--force")])
def test_dates_past_the_calendar_on_the_command_line(cli: Runner, tmp_path: Path,
                                                     args: tuple[str, ...]) -> None:
    (tmp_path / "targets.toml").write_text(EDGE_PLAN, encoding="utf-8")
    result = cli(*args, cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.err, result
    assert "bjtrack reads dates between the years 1000 and 9000" in result.err
    assert not (tmp_path / "records.toml").exists()


def test_dates_at_the_ends_of_the_calendar_answer(cli: Runner, tmp_path: Path) -> None:
    """A yearly target from 9000-12-31 judged on 9000-12-31 (its period ends in 9001), a
    growth rate in the year 1000 (read against 999): answered, charted, checked."""
    (tmp_path / "targets.toml").write_text(EDGE_PLAN, encoding="utf-8")
    for day in ("9000-12-31", "1000-12-31", "1000-01-01"):
        logged = cli("log", "gdp", "5亿", "--date", day, "--force", cwd=tmp_path)
        assert logged.code == 0, logged.err
    assert cli("log", "rev", "6%", "--date", "9000-12-31", "--force", cwd=tmp_path).code == 0
    for args in (("status", "--as-of", "9000-12-31"), ("status", "--as-of", "1000-12-31"),
                 ("history", "rev", "--as-of", "9000-12-31", "--chart"),
                 ("history", "growth", "--as-of", "9000-12-31", "--chart"), ("check",)):
        result = cli(*args, cwd=tmp_path)
        assert result.code == 0 and "Traceback" not in result.err, (args, result.err)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0999-12-31", "9001-01-01"])
@pytest.mark.parametrize("cache", ["0", "1"])
def test_records_dated_past_the_calendar_are_named(cli: Runner, tmp_path: Path, day: str,
                                                   cache: str) -> None:
    """A record the hand dated 9999: `status` and `check` name its line, with the index
    and without; nothing fails in a period or a chart later on."""
    (tmp_path / "targets.toml").write_text(EDGE_PLAN, encoding="utf-8")
    env = {"BJTRACK_NO_CACHE": cache}
    assert cli("log", "gdp", "5亿", "--date", "9000-12-31", "--force", cwd=tmp_path,
               env=env).code == 0
    with (tmp_path / "records.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[[record]]\nid = "byhand0001"\nseries = "gdp"\ndate = {day}\n'
                     'value = "500000000"\n')
    said = f"records.toml:17: record dated {day}: bjtrack reads dates between the years " \
           "1000 and 9000"
    for args in (("status", "--as-of", "9000-12-31"), ("check",),
                 ("history", "growth", "--as-of", "9000-12-31", "--chart")):
        result = cli(*args, cwd=tmp_path, env=env)
        assert result.code == 1 and "Traceback" not in result.err, (args, result)
        assert said in result.out + result.err, args
