"""The records index beside records.toml can make reads faster, never different.

Each test changes the cache or the records file the way people and tools do, then checks
that what bjtrack answers (status JSON, warnings, check, log) equals a full re-parse of the
file with the cache turned off (BJTRACK_NO_CACHE=1).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bjtrack.domain import evaluation, reads
from bjtrack.domain.model import Target
from bjtrack.files import plan as plan_file
from bjtrack.files import records as records_file
from bjtrack.index import build, cache, memo
from bjtrack.ops import load as loading
from bjtrack.ops.status import status_report
from conftest import REPO, Result, Runner

JUNE = "2025-06-30"
JULY = "2025-07-31"
NO_CACHE = {cache.NO_CACHE_ENV: "1"}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  REPO / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _generator()


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """A generated plan of every kind of entry: 30 entries × 40 records."""
    generate.write_plan(tmp_path, 30, 40)
    return tmp_path


def db(folder: Path) -> Path:
    return cache.cache_path(folder / "records.toml")


def full(cli: Runner, folder: Path, *args: str) -> Result:
    result = cli(*args, cwd=folder, env=NO_CACHE)
    os.environ.pop(cache.NO_CACHE_ENV, None)
    return result


def same_status(cli: Runner, folder: Path, as_of: str = JUNE) -> dict[str, Any]:
    """Status JSON through the cache equals a full parse; returns it."""
    cached = cli("status", "--format", "json", "--as-of", as_of, cwd=folder)
    parsed = full(cli, folder, "status", "--format", "json", "--as-of", as_of)
    assert (cached.code, cached.out, cached.err) == (parsed.code, parsed.out, parsed.err)
    assert cached.code == 0, cached.err
    data: dict[str, Any] = json.loads(cached.out)
    return data


def target(data: dict[str, Any], target_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in data["targets"] if t["id"] == target_id)
    return found


LATEST_FLOW = 'series = "s000000-flow"\ndate = 2025-06-30'


def edit_latest_flow(folder: Path, value: str) -> None:
    """Rewrite by hand the value of the first series' figure of 2025-06-30."""
    path = folder / "records.toml"
    text = path.read_text(encoding="utf-8")
    at = text.index("value = ", text.index(LATEST_FLOW))
    end = text.index("\n", at)
    path.write_text(text[:at] + f'value = "{value}"' + text[end:], encoding="utf-8")


def append(folder: Path, text: str) -> None:
    with (folder / "records.toml").open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_index_built_then_reused_gives_the_same_status(cli: Runner, big: Path) -> None:
    assert not db(big).exists()
    first = same_status(cli, big)
    assert db(big).is_file()
    assert same_status(cli, big) == first
    verdicts = {t["verdict"] for t in first["targets"]}
    assert {"on_track", "behind", "breached"} <= verdicts  # every kind was exercised
    assert len(first["indicators"]) == 3
    assert target(first, "s000000-flow")["actual"] == 800477572


def test_deleted_cache(cli: Runner, big: Path) -> None:
    before = same_status(cli, big)
    shutil.rmtree(big / cache.CACHE_DIR)
    assert same_status(cli, big) == before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "foreign"])
def test_corrupt_cache(cli: Runner, big: Path, tmp_path_factory: pytest.TempPathFactory,
                       damage: str) -> None:
    before = same_status(cli, big)
    path = db(big)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x00\xffnot a database" * 500)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # the index of another records file, copied over this one
        other = tmp_path_factory.mktemp("other")
        generate.write_plan(other, 12, 40)
        same_status(cli, other)
        shutil.copy(db(other), path)
    assert same_status(cli, big) == before


def test_garbage_in_the_middle_of_the_cache(cli: Runner, big: Path) -> None:
    before = same_status(cli, big)
    path = db(big)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))
    assert same_status(cli, big) == before


def test_unwritable_cache_folder(cli: Runner, big: Path) -> None:
    (big / cache.CACHE_DIR).write_text("a file where the cache folder would go")
    before = same_status(cli, big)
    assert (big / cache.CACHE_DIR).is_file()  # left alone; the file was read in full
    edit_latest_flow(big, "99000000000")
    assert target(same_status(cli, big), "s000000-flow")["actual"] == 99000000000
    assert same_status(cli, big) != before


def test_edit_in_the_middle_same_size_same_mtime(cli: Runner, big: Path) -> None:
    before = same_status(cli, big)
    path = big / "records.toml"
    stat = path.stat()
    edit_latest_flow(big, "900477572")  # one digit changed: same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old mtime put back
    assert path.stat().st_size == stat.st_size
    after = same_status(cli, big)
    assert target(after, "s000000-flow")["actual"] == 900477572 != \
        target(before, "s000000-flow")["actual"]


def test_edit_in_the_middle_other_size(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    edit_latest_flow(big, "123456789012")
    assert target(same_status(cli, big), "s000000-flow")["actual"] == 123456789012


def test_edit_in_the_middle_then_append(cli: Runner, big: Path) -> None:
    same_status(cli, big, JULY)
    edit_latest_flow(big, "1")
    append(big, '\n[[record]]\nid = "late"\nseries = "s000001-sum"\ndate = 2025-07-01\n'
                'value = "4"\n')
    after = same_status(cli, big, JULY)
    assert target(after, "s000000-flow")["actual"] == 1
    assert target(after, "s000001-sum")["actual_date"] == "2025-07-01"


def test_append_by_hand_in_other_layouts(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    append(big, "\n# figures typed in by hand\n"
                "[[record]]\n"
                "id = 'hand1'   # a literal string and a comment\n"
                "series = \"s000000-flow\"\n"
                "date = 2025-07-15\n"
                "value = \"3.5E10\"\n"
                "\n"
                "  [[record]]\n"
                "  id = \"hand2\"\n"
                "  series = \"s000002-level\"\n"
                "  date = 2025-07-16\n"
                "  note = \"带 \\\"引号\\\" 的备注\"\n"
                "  value = 9999\n")
    after = same_status(cli, big, JULY)
    assert target(after, "s000000-flow")["actual"] == 35000000000
    assert target(after, "s000002-level")["actual"] == 9999
    # and again: the hand-written part is now indexed, and still read the same way
    assert same_status(cli, big, JULY) == after


def test_appended_records_are_indexed_incrementally(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    for n, value in enumerate(["150亿", "160亿", "170亿"]):
        result = cli("log", "s000000-flow", value, "--date", f"2025-07-0{n + 1}", cwd=big)
        assert result.code == 0, result.err
        data = same_status(cli, big, JULY)
        assert target(data, "s000000-flow")["actual"] == int(value[:3]) * 10**8


def test_git_union_merge(cli: Runner, big: Path, tmp_path_factory: pytest.TempPathFactory
                         ) -> None:
    """Two people log in their own copies; git merges records.toml with merge=union."""
    same_status(cli, big)
    base = (big / "records.toml").read_text(encoding="utf-8")
    theirs_dir = tmp_path_factory.mktemp("theirs")
    shutil.copy(big / "targets.toml", theirs_dir / "targets.toml")
    (theirs_dir / "records.toml").write_text(base, encoding="utf-8")
    for n in range(3):
        assert cli("log", "s000000-flow", f"{200 + n}亿", "--date", f"2025-07-1{n}",
                   cwd=big).code == 0
        assert cli("log", "s000001-sum", f"{n + 5}", "--date", f"2025-07-2{n}", "--exact",
                   cwd=theirs_dir).code == 0
    same_status(cli, big, JULY)  # the index now holds our three records
    ours = (big / "records.toml").read_text(encoding="utf-8")
    theirs = (theirs_dir / "records.toml").read_text(encoding="utf-8")
    (big / "base.toml").write_text(base, encoding="utf-8")
    merged = subprocess.run(
        ["git", "merge-file", "--union", "-p", str(big / "records.toml"),
         str(big / "base.toml"), str(theirs_dir / "records.toml")],
        capture_output=True, text=True, check=False)
    assert merged.stdout.startswith(base)
    (big / "records.toml").write_text(merged.stdout, encoding="utf-8")
    # whatever git made of the two tails (it may interleave their lines), the same answer
    cached = cli("status", "--format", "json", "--as-of", JULY, cwd=big)
    assert cached == full(cli, big, "status", "--format", "json", "--as-of", JULY)
    # their blocks landing between the base and ours, each block whole
    (big / "records.toml").write_text(base + theirs[len(base):] + ours[len(base):],
                                      encoding="utf-8")
    after = same_status(cli, big, JULY)
    assert target(after, "s000000-flow")["actual"] == 202 * 10**8
    assert target(after, "s000001-sum")["actual_date"] == "2025-07-22"
    assert target(after, "s000001-sum")["records"] == 5


def test_file_renamed_over_or_replaced(cli: Runner, big: Path,
                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    before = same_status(cli, big)
    other = tmp_path_factory.mktemp("other")
    generate.write_plan(other, 30, 41)  # same plan, one more record per entry
    path = big / "records.toml"
    stat = path.stat()
    os.replace(other / "records.toml", path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    replaced = same_status(cli, big)
    assert replaced != before
    # and back: the old file renamed into place again
    generate.write_plan(other, 30, 40)
    os.replace(other / "records.toml", path)
    assert same_status(cli, big) == before


def test_torn_tail_warns_the_same_and_repairs(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    append(big, '\n[[record]]\nid = "torn1"\nseries = "s000000-flow"\ndate = 2025-06-')
    cached = cli("status", "--format", "json", "--as-of", JUNE, cwd=big)
    parsed = full(cli, big, "status", "--format", "json", "--as-of", JUNE)
    assert cached == parsed
    assert "records.toml" in cached.err and json.loads(cached.out)["warnings"]
    assert cli("check", cwd=big) == full(cli, big, "check")
    assert cli("check", cwd=big).code == 1
    logged = cli("log", "s000000-flow", "1亿", "--date", "2025-06-01", cwd=big)
    assert logged.code != 0 and "--repair" in logged.err
    assert cli("check", "--repair", cwd=big).code == 0
    after = same_status(cli, big)
    assert after["warnings"] == []


def test_damaged_record_in_the_middle_same_error(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    path = big / "records.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("date = 2020-", 'date = "last spring"\n# ', 1),
                    encoding="utf-8")
    cached = cli("status", "--format", "json", "--as-of", JUNE, cwd=big)
    parsed = full(cli, big, "status", "--format", "json", "--as-of", JUNE)
    assert cached == parsed and cached.code == 1
    header = text[: text.index("date = 2020-")].count("\n") - 2  # its [[record]] line
    assert f"records.toml:{header}: record needs a date" in cached.err
    assert cli("check", "--format", "json", cwd=big) == \
        full(cli, big, "check", "--format", "json")


def test_log_idempotent_through_the_index(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    first = cli("log", "s000002-level", "5000家", "--date", "2025-06-20", cwd=big)
    assert first.code == 0
    size = (big / "records.toml").stat().st_size
    again = cli("log", "s000002-level", "5000", "--date", "2025-06-20", cwd=big)
    assert again.code == 0 and (big / "records.toml").stat().st_size == size
    again_full = full(cli, big, "log", "s000002-level", "5000", "--date", "2025-06-20")
    assert again_full.code == 0 and (big / "records.toml").stat().st_size == size
    assert again.err == again_full.err


def test_retractions_and_revisions_read_the_same(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    text = (big / "records.toml").read_text(encoding="utf-8")
    start = text.index(LATEST_FLOW)
    rid = text[text.rindex('id = "', 0, start) + 6: text.rindex('"', 0, start)]
    assert cli("log", "s000000-flow", "321亿", "--date", JUNE, "--revise", cwd=big).code == 0
    revised = same_status(cli, big)
    assert target(revised, "s000000-flow")["actual"] == 321 * 10**8
    new = (big / "records.toml").read_text(encoding="utf-8")
    new_id = new[new.rindex('[[record]]\nid = "') + 17:].split('"')[0]
    # a retracted revision no longer replaces anything: the original figure counts again
    append(big, f'\n[[record]]\nid = "rt1"\nseries = "s000000-flow"\nretracts = "{new_id}"\n')
    restored = same_status(cli, big)
    assert target(restored, "s000000-flow")["actual"] == 800477572
    append(big, f'\n[[record]]\nid = "rt2"\nseries = "s000000-flow"\nretracts = "{rid}"\n')
    withdrawn = same_status(cli, big)
    assert target(withdrawn, "s000000-flow")["actual_date"] == "2025-03-31"


def test_history_and_check_through_the_index(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    for args in (("history", "s000006-yearly", "--format", "json", "--as-of", JUNE),
                 ("history", "s000000-flow", "--all", "--format", "json"),
                 ("check", "--format", "json")):
        assert cli(*args, cwd=big) == full(cli, big, *args)


def test_shipped_plan(cli: Runner, shipped: Path) -> None:
    for as_of in ("2022-06-30", "2022-12-31", "2026-01-01"):
        cached = cli("status", "--format", "json", "--as-of", as_of, cwd=shipped)
        assert cached == full(cli, shipped, "status", "--format", "json", "--as-of", as_of)


@pytest.mark.parametrize("as_of", [date(2016, 3, 31), date(2020, 2, 29), date(2024, 12, 31),
                                   date(2025, 6, 30), date(2030, 1, 1)])
def test_windows_give_the_full_report(big: Path, as_of: date) -> None:
    """Library level: the status from only the records `evaluation.reads` asks for equals the
    status from every record, for every kind of entry and many dates."""
    records_path = big / "records.toml"
    loaded = loading.load(big / "targets.toml")
    assert loaded.index is not None
    windowed = status_report(loaded, as_of)
    everything = records_file.load_records(records_path).records
    assert windowed == evaluation.report(loaded.plan, everything, as_of)
    assert loaded.records.records == everything  # read in full on demand, same records
    loaded.index.close()


@pytest.mark.parametrize("edited", [False, True])
def test_figures_are_the_windows_status_reads(cli: Runner, big: Path, edited: bool) -> None:
    """Library level: `figures` holds each window's records (series, date, value and unit, in
    the same order) whether or not a record revises or retracts another, and the status
    from them equals the status from every record, for every kind of entry."""
    if edited:
        assert cli("log", "s000000-flow", "321亿", "--date", JUNE, "--revise", cwd=big).code == 0
        append(big, '\n[[record]]\nid = "rt9"\nseries = "s000001-sum"\n'
               f'retracts = "{_first_id(big, "s000001-sum")}"\n')
    loaded = loading.load(big / "targets.toml")
    index = loaded.index
    assert index is not None
    everything = records_file.load_records(big / "records.toml").records
    for as_of in (date(2020, 2, 29), date(2024, 12, 31), date(2025, 6, 30)):
        spans = reads.reads(loaded.plan.targets, as_of)
        with index.snapshot():
            figures = index.figures(spans)
        windows = index.windows(spans)
        assert list(figures) == list(windows)
        for name, records in windows.items():
            assert [(r.series, r.date, r.value, r.unit) for r in figures[name]] == \
                [(r.series, r.date, r.value, r.unit) for r in records]
        assert status_report(loaded, as_of) == evaluation.report(loaded.plan, everything,
                                                                   as_of)
        ends = reads.end_reads(loaded.plan.targets)
        with index.snapshot():
            thin = index.figures(spans, ends=ends)
        assert list(thin) == list(windows)
        for name in ends & set(windows):  # the first, then the last in place of each other
            first, *_, last = windows[name] if len(windows[name]) > 1 else windows[name] * 2
            assert [(r.date, r.value) for r in thin[name]] == \
                [(first.date, first.value)] + [(last.date, last.value)] * (len(windows[name]) - 1)
    # read whole: a sum, a held share, a derived rate, a pace by last year's shape, a series
    # two targets read, or one a relative target compares with
    assert {name.split("-")[1] for name in ends} == {"flow", "level", "rate", "ceiling", "yearly"}
    days = reads.year_end_reads(loaded.plan.targets, indicators=False)
    assert days and set(days.values()) == {(12, 31)}  # the multi-year goals' series
    with index.snapshot():
        year_ends = index.figures(spans, days)
    for name, records in figures.items():
        assert year_ends.get(name, []) == (
            [r for r in records if (r.date.month, r.date.day) == (12, 31)] if name in days
            else records)
    index.close()


@pytest.mark.parametrize("values", [
    ("1.50", "-0.25", "1E+2", "0.000", "-0", "7"),  # exponents of every sign
    ("12345678901234567890", "1"),  # a value too long to add as an integer: read whole
    ("9" * 20 + ".5", "0.0000000001"),  # a sum beyond 26 digits: read whole
])
def test_sums_read_from_the_index_are_exact(cli: Runner, big: Path,
                                            values: tuple[str, ...]) -> None:
    """A summed series is added up by the index digit for digit as Python adds its
    records (the same Decimal, exponent included), the first and last record in place."""
    for n, value in enumerate(values):
        append(big, f'\n[[record]]\nid = "v{n}"\nseries = "s000001-sum"\n'
               f'date = 2025-06-{n + 1:02d}\nvalue = "{value}"\n')
    append(big, '\n[[record]]\nid = "rt9"\nseries = "s000001-sum"\nretracts = "v1"\n')
    same_status(cli, big)
    loaded = loading.load(big / "targets.toml")
    index = loaded.index
    assert index is not None
    spans = reads.reads(loaded.plan.targets, date(2025, 6, 30))
    sums = reads.sum_reads(loaded.plan.targets)
    assert sums == {"s000001-sum", "s000011-sum", "s000021-sum"}
    with index.snapshot():
        summed = index.figures(spans, sums=sums)
    windows = index.windows(spans)
    assert list(summed) == list(windows)
    for name in sums:
        whole, thin = windows[name], summed[name]
        total = sum((r.value for r in whole if r.value is not None), Decimal(0))
        assert str(sum((r.value for r in thin if r.value is not None), Decimal(0))) == str(total)
        assert len(thin) == len(whole)
        if name == "s000001-sum" and values[0] == "1.50":  # added up by the index:
            assert len(whole) > 3 and thin[1] is thin[-2]  # one record stands for each
        elif name == "s000001-sum":  # read whole
            assert [(r.date, r.value) for r in thin] == [(r.date, r.value) for r in whole]
        assert (thin[0].date, thin[-1].date, thin[-1].value) == \
            (whole[0].date, whole[-1].date, whole[-1].value)
    assert status_report(loaded, date(2025, 6, 30)) == evaluation.report(
        loaded.plan, records_file.load_records(big / "records.toml").records, date(2025, 6, 30))
    index.close()


def _first_id(folder: Path, series: str) -> str:
    text = (folder / "records.toml").read_text(encoding="utf-8")
    at = text.index(f'series = "{series}"')
    return text[text.rindex('id = "', 0, at) + 6: text.rindex('"', 0, at)]


def test_plan_remembered_equals_the_parsed_plan(big: Path, shipped: Path) -> None:
    for folder in (big, shipped):
        path = folder / "targets.toml"
        parsed = plan_file.load_plan(path)
        assert memo.load_plan(path) == parsed  # parsed, then remembered
        saved = path.parent / cache.CACHE_DIR / "targets.toml.plan.pickle"
        assert saved.is_file()
        again = memo.load_plan(path)
        assert again == parsed
        assert [(t.kind, t.source, t.pace) for t in again.targets] == \
            [(t.kind, t.source, t.pace) for t in parsed.targets]


EVERY_FIELD = """\
[plan]
name = "每个字段"
source = "政府工作报告"
published = 2024-01-15
records = "figures/records.toml"
at_risk_band = 0.8
stale_days = 60
cagr_on_track = 0.9
cagr_at_risk = "0.5"
time = "days"

[[target]]
id = "gdp"
name = "地区生产总值增长"
target = "7.5%以上"
stretch = "8%"
series = "gdp-growth"
kind = "rate"
start = 2024-01-01
due = 2024-12-31
quote = "增长7.5%以上，力争8%"
group = "经济"
unit_note = "可比价"

[[target]]
id = "cpi"
name = "居民消费价格涨幅"
target = "3%左右"
comparison = "~"
tolerance = "0.5%"
kind = "rate"
every = "year"
start = 2024-01-01

[[target]]
id = "level"
name = "企业总量"
target = "8.2万家"
kind = "level"
baseline = "7万家"
start = 2024-01-01
due = 2024-12-31
pace = "last-year"
time = "months"

[[target]]
id = "share"
name = "比重"
target = "40%"
hold = true
rate = "level"
start = 2024-01-01
due = 2024-12-31

[[target]]
id = "derived"
name = "增长（推算）"
target = "6%—6.5%"
kind = "rate"
derive = "yoy"
series = "gdp-level"
start = 2024-01-01
due = 2024-12-31

[[target]]
id = "revenue"
name = "财政收入"
target = "series:gdp-growth"
kind = "rate"
start = 2024-01-01
due = 2024-12-31

[[target]]
id = "investment"
name = "投资"
target = "300亿元"
aggregate = "sum"
pace = [5, 6, 8, 8, 8, 10, 8, 8, 9, 9, 9, 12]
start = 2024-01-01
due = 2024-12-31

[[target]]
id = "gdp-level"
name = "地区生产总值"
unit = "亿元"

[[target]]
id = "digital-share"
name = "数字经济占比"
target = "+0.3个百分点"
start = 2024-01-01
due = 2024-12-31
"""


def test_plan_with_every_field_remembered(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(EVERY_FIELD, encoding="utf-8")
    parsed = plan_file.load_plan(path)
    assert memo.load_plan(path) == parsed  # parsed, then remembered
    again = memo.load_plan(path)
    assert (tmp_path / cache.CACHE_DIR / "targets.toml.plan.pickle").is_file()
    assert again == parsed
    for remembered, read in [(again, parsed), *zip(again.targets, parsed.targets, strict=True)]:
        for field in dataclasses.fields(read):  # compare=False fields too, and types
            value = getattr(remembered, field.name)
            assert (type(value), value) == (type(getattr(read, field.name)),
                                            getattr(read, field.name)), field.name
    defaults = {f.name: f.default for f in dataclasses.fields(Target)}
    assert all(any(getattr(t, name) != default for t in parsed.targets)
               for name, default in defaults.items() if name != "unit"), \
        "each field of a target is set somewhere in this plan"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other plan"])
def test_plan_memo_damaged(cli: Runner, big: Path, damage: str,
                           tmp_path_factory: pytest.TempPathFactory) -> None:
    before = same_status(cli, big)
    saved = big / cache.CACHE_DIR / "targets.toml.plan.pickle"
    data = saved.read_bytes()
    if damage == "garbage":
        saved.write_bytes(os.urandom(300))
    elif damage == "truncated":
        saved.write_bytes(data[: len(data) // 2])
    else:  # the memo of another plan copied over this one
        other = tmp_path_factory.mktemp("other")
        generate.write_plan(other, 12, 40)
        memo.load_plan(other / "targets.toml")
        shutil.copy(other / cache.CACHE_DIR / "targets.toml.plan.pickle", saved)
    assert same_status(cli, big) == before


def test_plan_edited_same_size_is_read_again(cli: Runner, big: Path) -> None:
    same_status(cli, big)
    path = big / "targets.toml"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace('name = "指标000000（flow）"', 'name = "指标000000（FLOW）"', 1)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert target(same_status(cli, big), "s000000-flow")["name"] == "指标000000（FLOW）"


def test_plan_with_a_problem_is_never_remembered(cli: Runner, big: Path) -> None:
    path = big / "targets.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('kind = "flow"', 'kind = "flows"', 1), encoding="utf-8")
    for _ in range(2):
        result = cli("status", "--format", "json", cwd=big)
        assert result.code != 0 and "targets.toml:5: kind must be" in result.err
    assert not (big / cache.CACHE_DIR / "targets.toml.plan.pickle").exists()


@pytest.mark.parametrize("chunk", [64, 997, 1 << 22])
def test_read_in_chunks_of_any_size(cli: Runner, big: Path, chunk: int,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is indexed a few MB at a time; where the chunks end never matters."""
    monkeypatch.setattr(build, "CHUNK", chunk)
    first = same_status(cli, big, JULY)
    assert cli("log", "s000000-flow", "99亿", "--date", "2025-07-02", cwd=big).code == 0
    append(big, "\n# by hand\n[[record]]\nid = 'h1'\nseries = \"s000001-sum\"\n"
                "date = 2025-07-03\nvalue = \"7\"\n")
    after = same_status(cli, big, JULY)
    assert target(after, "s000000-flow")["actual"] == 99 * 10**8 != \
        target(first, "s000000-flow")["actual"]
    shutil.rmtree(big / cache.CACHE_DIR)
    assert same_status(cli, big, JULY) == after
    append(big, '\n[[record]]\nid = "torn"\nseries = "s000001-sum"\ndate = 2025-07-0')
    cached = cli("status", "--format", "json", "--as-of", JULY, cwd=big)
    assert cached == full(cli, big, "status", "--format", "json", "--as-of", JULY)
    assert "line" in cached.err or "records.toml:" in cached.err


@pytest.mark.parametrize("value", ["7", "-7", "007", "0", "-0", "0.5", "1.50", "-2.25",
                                   "0.0000001", "0.000", "1e3", "1E+2", " 12 ", "+5", "12.",
                                   ".5", "1" * 41, "1" * 42, "9" * 41 + ".5", "１２", "abc",
                                   "", "NaN", "Infinity", "1e-41"])
@pytest.mark.parametrize("logged", ["", "logged = 2025-07-01 08:00:00+08:00\n"])
def test_one_pass_scan_reads_blocks_as_each_block_is_read(value: str, logged: str) -> None:
    """The one-pass reader of written blocks (remembering dates, timestamps and values it
    has checked) keeps exactly the rows the block-by-block reader keeps, else gives way."""
    def block(rid: str, day: str, extra: str = "", end: str = "\n") -> str:
        return (f'[[record]]\nid = "{rid}"\nseries = "s1"\ndate = {day}\n{extra}{logged}'
                f'value = "{value}"\n{end}')
    blocks = [block("a", "2025-06-30", 'unit = "元"\nnote = "n"\n'), block("b", "2025-06-30"),
              block("c", "2025-07-01", 'vintage = "预计"\n', "# a comment\n\n")]
    text = "# head\n\n" + "".join(blocks)
    expected: list[Any] = []
    line = 3
    for one in blocks:
        expected.append(build.read_block(one, "records.toml", line))
        line += one.count("\n")
    scan = build.scan_written(text, 0)
    if None in expected:
        assert scan is None
    else:
        assert scan is not None and scan.rows == expected
        assert scan.end_bytes == len(text.encode()) and scan.lines == text.count("\n")
    bad_day = text.replace("2025-07-01", "2025-02-30")
    assert build.scan_written(bad_day, 0) is None


# --------------------------------------------------------------------------- rebuilds

HAND_WRITTEN = ("\n# typed in by hand\n[[record]]\nid = 'hand1'   # literal\n"
                "series = \"s000001-sum\"\ndate = 2025-06-20\nvalue = \"3.5E1\"\n\n")


def index_rows(folder: Path) -> list[tuple[Any, ...]]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db(folder))) as conn:
        return conn.execute("SELECT * FROM records ORDER BY seq").fetchall()


def test_rebuild_in_small_pieces_equals_one(cli: Runner, big: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild read a few hundred bytes at a time gives the index, row for row (lines and
    file order included), that one read of the whole file gives, and the status of a full
    parse."""
    text = (big / "records.toml").read_text(encoding="utf-8")
    middle = len(text) * 3 // 4  # a hand-written block late in the file
    at = text.index("\n[[record]]\n", middle) + 1
    (big / "records.toml").write_text(text[:at] + HAND_WRITTEN.lstrip("\n") + text[at:],
                                      encoding="utf-8")
    monkeypatch.setattr(build, "CHUNK", 997)
    pieces = same_status(cli, big)
    rows = index_rows(big)
    assert len(rows) == 30 * 40 + 1 and [row[0] for row in rows] == list(range(1, len(rows) + 1))

    shutil.rmtree(big / cache.CACHE_DIR)
    monkeypatch.setattr(build, "CHUNK", 1 << 26)  # one read of the whole file
    assert same_status(cli, big) == pieces
    assert index_rows(big) == rows


def test_rebuild_damaged_or_torn(cli: Runner, big: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A damaged record late or early in the file gives the error of a full parse; a torn
    last record, its warning."""
    monkeypatch.setattr(build, "CHUNK", 997)
    path = big / "records.toml"
    text = path.read_text(encoding="utf-8")
    for share in (3, 1):
        at = text.index("date = 202", len(text) * share // 4)
        path.write_text(text[:at] + 'date = "last spring"\n# ' + text[at:], encoding="utf-8")
        cached = cli("status", "--format", "json", "--as-of", JUNE, cwd=big)
        assert cached == full(cli, big, "status", "--format", "json", "--as-of", JUNE)
        assert cached.code == 1 and "record needs a date" in cached.err

    path.write_text(text + '\n[[record]]\nid = "torn"\nseries = "s000001-sum"\ndate = 2025-0',
                    encoding="utf-8")
    cached = cli("status", "--format", "json", "--as-of", JUNE, cwd=big)
    assert cached == full(cli, big, "status", "--format", "json", "--as-of", JUNE)
    assert cached.code == 0 and "records.toml:" in cached.err
