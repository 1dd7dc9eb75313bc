"""Which figures of a sheet an import adds, which it skips as already recorded and which it
flags as differing (`ops.import_spool`), as a person sees them; and that its memory does
not grow with the rows."""

from __future__ import annotations

import itertools
import re
import sqlite3
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bjtrack.files import records as records_file
from bjtrack.index import cache
from bjtrack.ops import import_spool, importing
from bjtrack.ops import load as loading
from conftest import SMALL_PLAN, Runner
from test_import import write_csv

SUMMED = """
[[target]]
id = "new-firms"
name = "新设企业"
target = "5000家"
aggregate = "sum"
start = 2022-01-01
due = 2022-12-31
"""

SHEET = [["指标", "日期", "数值", "口径"],
         ["share", "2022-06", "41.20%", ""],  # row 2: recorded as 41.2%: a duplicate
         ["investment", "2022-06", "150亿", "初步"],  # 3: recorded, but not as 初步: new
         ["investment", "2022-06", "151亿", ""],  # 4: differs from 150亿
         ["investment", "2022-06", "151亿", ""],  # 5: as row 4: a duplicate
         ["investment", "2022-06", "15,000,000,000", ""],  # 6: 150亿 typed otherwise
         ["gdp", "2022-06", "0亿", ""],  # 7: new
         ["gdp", "2022-06", "-0亿", ""],  # 8: 0 again
         ["gdp", "2022-09", "5亿", ""],  # 9: new
         ["gdp", "2022-09", "6亿", ""],  # 10: differs from row 9
         ["gdp", "2022-09", "5.00亿", ""],  # 11: as row 9
         ["new-firms", "2022-06", "100", ""],  # 12: new
         ["new-firms", "2022-06", "120", ""]]  # 13: another 100 of a summed series: new


@pytest.mark.parametrize("cached", [True, False])
def test_duplicates_and_conflicts_as_a_person_sees_them(
        cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool) -> None:
    (tmp_path / "targets.toml").write_text(SMALL_PLAN + SUMMED, encoding="utf-8")
    if not cached:
        monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    for target, value in (("investment", "150亿"), ("share", "41.2%")):
        assert cli("log", target, value, "--date", "2022-06", cwd=tmp_path).code == 0
    sheet = write_csv(tmp_path / "表.csv", SHEET)
    dry = cli("import", str(sheet), "--dry-run", cwd=tmp_path)
    assert dry.code == 0, dry.err
    assert dry.out.splitlines() == [
        "row 3: investment 2022-06-30 150亿元", "row 4: investment 2022-06-30 151亿元",
        "row 7: gdp 2022-06-30 0元", "row 9: gdp 2022-09-30 5亿元",
        "row 10: gdp 2022-09-30 6亿元", "row 12: new-firms 2022-06-30 100家",
        "row 13: new-firms 2022-06-30 120家"]
    result = cli("import", str(sheet), cwd=tmp_path)
    assert result.code == 0, result.err
    for said in (dry.err, result.err):
        assert [line for line in said.splitlines() if "differs" in line] == [
            "warning: row 4: investment 2022-06-30 151亿 differs from the figure already "
            "recorded (`bjtrack check` lists it)",
            "warning: row 10: gdp 2022-09-30 6亿 differs from the figure already recorded "
            "(`bjtrack check` lists it)"]
    assert "imported 7 records from 表.csv (UTF-8); 5 already recorded" in result.err
    again = cli("import", str(sheet), cwd=tmp_path)
    assert "imported 0 records from 表.csv (UTF-8); 12 already recorded" in again.err
    assert "differs" not in again.err


def test_same_is_shared_by_equal_values_only() -> None:
    same = import_spool.same
    assert same(Decimal("41.2")) == same(Decimal("41.20")) == same(Decimal("4.12E1"))
    assert same(Decimal(0)) == same(Decimal("-0")) == same(Decimal("0E+3")) == "0"
    assert same(Decimal("1E+3")) == same(Decimal(1000)) != same(Decimal(1001))
    assert same(Decimal("41.2")) != same(Decimal("41.21")) != same(Decimal("-41.21"))
    wide = "1" + "0" * 40
    assert same(Decimal(wide + "1")) != same(Decimal(wide + "0"))  # never rounded
    assert same(None) == ""


def test_the_ids_of_an_import_are_distinct_and_look_like_any_other() -> None:
    drawn = list(itertools.islice(records_file.distinct_ids(), 100_000))
    assert len(set(drawn)) == len(drawn)
    shape = re.compile("[a-z2-7]{10}")
    assert all(shape.fullmatch(rid) for rid in drawn)
    assert len({rid[0] for rid in drawn}) == 32  # (not a count: the first letters vary)
    assert drawn[:2] != list(itertools.islice(records_file.distinct_ids(), 2))


def _rows(count: int) -> Iterator[dict[str, str]]:
    """`count` figures, all new: three series and four vintages on each date, so that the
    dates (which an import looks up once each) grow slowly."""
    vintages = ("", "预计", "初步", "核实")
    start = date(2000, 1, 31)
    for n in range(count):
        day = (start + timedelta(days=n // 12)).isoformat()
        target, unit = (("investment", "亿"), ("gdp", ""), ("share", "%"))[n % 3]
        yield {"target": target, "date": day, "value": f"{n // 12 % 97 + 1}{unit}",
               "vintage": vintages[n // 3 % 4]}


def _peak(folder: Path, count: int) -> int:
    loaded = loading.load(folder / "targets.toml")
    tracemalloc.start()
    try:
        result = importing.import_rows(loaded, _rows(count), datetime(2026, 1, 1, tzinfo=UTC),
                                       label="rows")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.written and result.added == count and not result.conflicts
    return peak


def test_memory_is_flat_in_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The peak of Python's memory while importing 12,000 rows is about that of 3,000:
    nothing is kept a row (it was 0.4 KB a row: 3.6 MB more here). A margin for the
    dates, looked up once each."""
    monkeypatch.setattr(import_spool, "_PENDING", 500)  # batches well below the rows
    peaks = []
    for count in (3000, 12000):
        folder = tmp_path / str(count)
        folder.mkdir()
        (folder / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
        peaks.append(_peak(folder, count))
    small, big = peaks
    assert big < small * 1.25 + 1_000_000, peaks


def test_a_spool_that_fails_imports_nothing_and_says_why(
        cli: Runner, plan_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = write_csv(plan_dir / "表.csv", SHEET[:4])

    def full(self: import_spool.Spool) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(import_spool.Spool, "close_sheet", full)
    result = cli("import", str(sheet), cwd=plan_dir)
    assert result.code == 1
    assert result.err.splitlines() == [
        "error: the import's working file (a temporary database) failed: database or disk is "
        "full; nothing was imported",
        "  check the free space of the temporary folder (TMPDIR) and import again"]
    assert not (plan_dir / "records.toml").exists()


def test_an_index_that_fails_halfway_is_replaced_by_the_full_parse(
        cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the index gave before it failed is dropped: the parse's figures stand alone."""
    (tmp_path / "targets.toml").write_text(SMALL_PLAN + SUMMED, encoding="utf-8")
    for target, value in (("investment", "150亿"), ("share", "41.2%")):
        assert cli("log", target, value, "--date", "2022-06", cwd=tmp_path).code == 0
    found = cache.RecordIndex.identities
    looks: list[int] = []

    def failing(self: cache.RecordIndex, ranges: list[tuple[str, str, str]]
                ) -> Iterator[tuple[str, str, str | None, str]]:
        looks.append(1)
        yield ("gdp", "2022-09-30", "600000000", "")  # (not in the file: must not count)
        yield from itertools.islice(found(self, ranges), 1)
        raise cache.Unusable("gone")

    monkeypatch.setattr(cache.RecordIndex, "identities", failing)
    result = cli("import", str(write_csv(tmp_path / "表.csv", SHEET)), cwd=tmp_path)
    assert result.code == 0, result.err
    assert "imported 7 records from 表.csv (UTF-8); 5 already recorded" in result.err
    assert sum("differs" in line for line in result.err.splitlines()) == 2
    assert looks  # the index was asked


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What Python would print as 'Exception ignored in …' (an error while a half-read
    generator is cleaned up): collected here, so that a test can say there was none."""
    import sys

    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook",
                        lambda found: seen.append(f"{found.object!r}: {found.exc_value!r}"))
    return seen


def test_a_look_into_the_index_cut_short_leaves_the_index_whole(
        cli: Runner, plan_dir: Path, monkeypatch: pytest.MonkeyPatch,
        unraisable: list[str]) -> None:
    """The spool fails (a full disk) while the index's figures stream into it: one
    message, no traceback after it, and the index stays (the next command need not
    build it again)."""
    import gc

    from bjtrack.index.sqlite import cache_path
    assert cli("log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir).code == 0
    assert cli("status", cwd=plan_dir).code == 0
    index = cache_path(plan_dir / "records.toml")
    assert index.is_file()

    def full(self: import_spool.Spool, held: Iterator[object]) -> None:
        next(iter(held), None)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(import_spool.Spool, "hold", full)
    result = cli("import", str(write_csv(plan_dir / "表.csv", SHEET[:4])), cwd=plan_dir)
    gc.collect()
    assert result.code == 1 and "database or disk is full" in result.err
    assert "Traceback" not in result.err and unraisable == []
    assert index.is_file()


def test_a_write_that_fails_halfway_leaves_no_traceback(
        cli: Runner, plan_dir: Path, monkeypatch: pytest.MonkeyPatch,
        unraisable: list[str]) -> None:
    """The records file cannot take the new figures (a full disk, at the second): the
    message says so, the file is as it was, and nothing more is printed after it."""
    import errno
    import gc

    assert cli("log", "investment", "100亿", "--date", "2022-03", cwd=plan_dir).code == 0
    before = (plan_dir / "records.toml").read_bytes()
    written: list[object] = []
    real = importing.framed_block

    def full(record: object) -> str:
        written.append(record)
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(record)  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "framed_block", full)
    result = cli("import", str(write_csv(plan_dir / "表.csv", SHEET[:4])), cwd=plan_dir)
    gc.collect()
    assert result.code != 0 and "No space left on device" in result.err
    assert "Traceback" not in result.err and unraisable == []
    assert (plan_dir / "records.toml").read_bytes() == before
