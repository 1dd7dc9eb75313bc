"""Concurrent writers and readers on one plan: no record lost, none doubled, none torn.

Writers log one record at a time or import sheets (a read, copy and rename of the whole
file, which only the lock keeps from losing another writer's records).

Sizes are chosen to run in CI in well under a minute; BJTRACK_SLOW=1 runs them 10x bigger.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from bjtrack.files import records as records_file
from bjtrack.ops import load as loading
from bjtrack.ops.log import log_value
from bjtrack.ops.status import status_report

SCALE = 10 if os.environ.get("BJTRACK_SLOW") else 1
WRITERS = 16
PER_WRITER = 200 * SCALE
READERS = 2
IMPORTERS = 4  # of the writers, these import sheets of 10 rows instead of logging
NOW = datetime(2022, 8, 2, 9, 0, 0).astimezone()

# Each writer logs to its own series (so same-day idempotency cannot merge two writers'
# figures) and gives every record a distinct date and value.
PLAN = "".join(
    f'[[target]]\nid = "w{w:02d}"\nname = "写入者{w:02d}"\nunit = "元"\n\n' for w in range(WRITERS)
)


def _day(i: int) -> date:
    return date(2000, 1, 1) + timedelta(days=i)


def _value(writer: int, i: int) -> Decimal:
    return Decimal(writer * 1_000_000 + i) + Decimal("0.01")


def _writer(plan: str, writer: int, count: int, go: Event) -> None:
    path = Path(plan)
    loaded = loading.load(path)
    go.wait()
    if writer < IMPORTERS:  # these add their records as imports of 10 rows each
        from bjtrack.ops import importing

        for first in range(0, count, 10):
            sheet = path.parent / f"w{writer}-{first}.csv"
            sheet.write_text("指标,日期,数值,备注\n" + "".join(
                f"w{writer:02d},{_day(i).isoformat()},{_value(writer, i)},"
                f"writer {writer} record {i}\n" for i in range(first, min(count, first + 10))),
                encoding="utf-8")
            result = importing.import_file(loaded, sheet, NOW, by="t")
            assert result.written and result.duplicates == 0
        return
    for i in range(count):
        result = log_value(loaded, f"w{writer:02d}", str(_value(writer, i)), _day(i),
                                   NOW, note=f"writer {writer} record {i}")
        assert result.duplicate_of is None


def _reader(plan: str, go: Event, stop: Event, seen: multiprocessing.Queue[str]) -> None:
    """Read the plan over and over while the writers run; report anything but a clean read."""
    path = Path(plan)
    go.wait()
    reads = 0
    problems: list[str] = []
    while not stop.is_set():
        try:
            loaded = loading.load(path)
            status_report(loaded, date(2030, 1, 1))
            if loaded.records.torn is not None:
                problems.append(f"torn: {loaded.records.torn}")
            reads += 1
        except Exception as exc:  # anything at all is a failure of the guarantee
            problems.append(f"{type(exc).__name__}: {exc}")
    seen.put(f"reads={reads}")
    for problem in problems[:5]:
        seen.put(problem)


def _cli_reads(plan_dir: Path, writers: list[BaseProcess]
               ) -> list[subprocess.CompletedProcess[str]]:
    """`bjtrack status --format json` through the real entry point, until the writers end."""
    results = []
    env = dict(os.environ, NO_COLOR="1", LANG="C.UTF-8")
    while any(p.is_alive() for p in writers):
        results.append(subprocess.run(
            [sys.executable, "-m", "bjtrack", "status", "--format", "json", "--as-of", "2030"],
            cwd=plan_dir, env=env, capture_output=True, text=True, timeout=120))
    return results


def test_sixteen_writers_and_readers_lose_nothing(tmp_path: Path) -> None:
    plan = tmp_path / "targets.toml"
    plan.write_text(PLAN, encoding="utf-8")
    ctx = multiprocessing.get_context("fork")
    go, stop = ctx.Event(), ctx.Event()
    queue: multiprocessing.Queue[str] = ctx.Queue()
    writers: list[BaseProcess] = [ctx.Process(target=_writer, args=(str(plan), w, PER_WRITER, go))
               for w in range(WRITERS)]
    readers = [ctx.Process(target=_reader, args=(str(plan), go, stop, queue))
               for _ in range(READERS)]
    for proc in writers + readers:
        proc.start()
    go.set()
    started = time.monotonic()
    cli_results = _cli_reads(tmp_path, writers)
    for proc in writers:
        proc.join(timeout=600)
        assert proc.exitcode == 0, f"a writer failed (exit {proc.exitcode})"
    stop.set()
    reports = [queue.get(timeout=60) for _ in range(READERS)]
    for proc in readers:
        proc.join(timeout=60)
    extra = []
    while not queue.empty():
        extra.append(queue.get())
    elapsed = time.monotonic() - started

    # Readers: every read was clean, and they really did read while writers wrote.
    assert extra == [], extra
    assert all(r.startswith("reads=") and int(r[6:]) > 0 for r in reports), reports
    assert cli_results, "no CLI status ran during the writes"
    for result in cli_results:
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr
        assert result.stdout.startswith("{")

    # Writers: exactly every record, each once, each readable and exact.
    loaded = loading.load(plan)
    assert loaded.records.problems == () and loaded.records.torn is None
    records = loaded.records.records
    assert len(records) == WRITERS * PER_WRITER
    assert len({r.id for r in records}) == len(records)
    got = {(r.series, r.date, r.value, r.note) for r in records}
    expected = {(f"w{w:02d}", _day(i), _value(w, i), f"writer {w} record {i}")
                for w in range(WRITERS) for i in range(PER_WRITER)}
    assert got == expected
    # Each writer's records appear in the order it wrote them (an import's rows too).
    for w in range(WRITERS):
        mine = [r.date for r in records if r.series == f"w{w:02d}"]
        assert mine == sorted(mine)
    text = (tmp_path / "records.toml").read_text(encoding="utf-8")
    assert text.count("\n[[record]]\n") == WRITERS * PER_WRITER
    print(f"{WRITERS}x{PER_WRITER} records in {elapsed:.1f}s, "
          f"{len(cli_results)} CLI reads, readers: {reports}")


CORE_LOGGERS = 8
CORE_EACH = 25 * SCALE

_LOGGER = """
import sys
from datetime import date, timedelta
from bjtrack.cli import main
writer, count = int(sys.argv[1]), int(sys.argv[2])
for i in range(count):
    day = date(2000, 1, 1) + timedelta(days=writer * 10_000 + i)
    try:
        main(["log", "investment", f"{writer}{i:05d}.5", "--date", day.isoformat(),
              "--by", "t", "--note", f"{writer}/{i}", "--exact", "--force"])
    except SystemExit as exc:
        if exc.code:
            sys.exit(exc.code)
"""


def test_eight_cli_loggers_leave_exactly_two_hundred(plan_dir: Path) -> None:
    """The core case through the real command line: 8 processes x 25 `bjtrack log`."""
    env = dict(os.environ, NO_COLOR="1", LANG="C.UTF-8")
    procs = [subprocess.Popen([sys.executable, "-c", _LOGGER, str(w + 1), str(CORE_EACH)],
                              cwd=plan_dir, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for w in range(CORE_LOGGERS)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    check = subprocess.run([sys.executable, "-m", "bjtrack", "check"], cwd=plan_dir, env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    loaded = loading.load(plan_dir / "targets.toml")
    notes = sorted(r.note for r in loaded.records.records)
    assert notes == sorted(f"{w + 1}/{i}" for w in range(CORE_LOGGERS) for i in range(CORE_EACH))
    assert len({r.id for r in loaded.records.records}) == CORE_LOGGERS * CORE_EACH


@pytest.mark.parametrize("count", [0, 1])
def test_lock_is_released_after_each_append(plan_dir: Path, count: int) -> None:
    """A writer that finished leaves no lock held: another process takes it at once."""
    path = plan_dir / "records.toml"
    loaded = loading.load(plan_dir / "targets.toml")
    for i in range(count):
        log_value(loaded, "investment", f"{i + 1}亿", _day(i), NOW, force=True)
    code = ("import sys, time; from pathlib import Path; from bjtrack.files import writing\n"
            "t = time.monotonic()\n"
            f"with writing.locked(Path({str(path)!r})): pass\n"
            "sys.exit(0 if time.monotonic() - t < 5 else 1)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
    assert len(records_file.load_records(path).records) == count
