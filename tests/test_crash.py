"""Crashes: a writer killed at any point never costs a committed record.

Two kinds of test. The first cuts an append short at every byte, as a crash mid-write
would, and checks what `check`, `status`, `log` and `check --repair` make of it. The
second really kills writers (SIGKILL) at random moments of `log`, `import`, `amend`,
`target add` and `init`, a few hundred times: some with writes slowed to a trickle so
that kills land mid-write, some with a 10 MB note. BJTRACK_SLOW=1 kills 10x as often.
"""

from __future__ import annotations

import itertools
import os
import random
import select
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from bjtrack.cli import main
from bjtrack.files import plan as plan_file
from bjtrack.files import records as records_file
from bjtrack.files import repair as repairing
from bjtrack.files import writing
from conftest import Runner

SCALE = 10 if os.environ.get("BJTRACK_SLOW") else 1
LOG_KILLS = 100 * SCALE
BIG_NOTE_KILLS = 4 * SCALE
IMPORT_KILLS = 40 * SCALE
AMEND_KILLS = 30 * SCALE
PLAN_KILLS = 20 * SCALE
BIG = 10 * 1024 * 1024


def _records(path: Path) -> list[tuple[object, ...]]:
    result = records_file.load_records(path)
    return [(r.id, r.series, r.date, r.value, r.note, r.entered) for r in result.records]


def _torn_line(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


# --------------------------------------------------------------------------- every cut

def _cut_points(before: bytes, after: bytes) -> range:
    assert after.startswith(before) and len(after) > len(before)
    return range(len(before) + 1, len(after))


def _assert_cut_handled(path: Path, before: bytes, after: bytes, end: int, repair: bool
                        ) -> None:
    """The records file holds the first `end` bytes of `after` (an append to `before`
    cut short): the committed records are all read, and either the new record is whole
    (only comment lines after it were cut) or a fragment is torn, which repair moves to a
    backup with nothing thrown away."""
    cut = after[:end]
    committed = _records_of(before)
    path.write_bytes(cut)
    # What every command reads (through the cache) for some cuts; the parser for the rest.
    result = (records_file.load_records(path) if repair
              else records_file.parse_record_bytes(cut, str(path)))
    assert result.problems == (), (end - len(before), result.problems)
    got = [(r.id, r.series, r.date, r.value, r.note, r.entered) for r in result.records]
    tail = writing.check_tail(path)
    if result.torn is None:
        assert tail is None
        if got == _records_of(after) and got != committed:
            # The whole record landed; only part of the comment line after it did not.
            assert _comments_only(after[after.rfind(b"\n", 0, end) + 1:]), end
            return
        assert got == committed, end - len(before)
        # Only blank lines or part of a comment (the header, or the frame before a
        # record) landed: harmless.
        assert _comments_only(cut[len(before):]), end - len(before)
        return
    assert got == committed, end - len(before)
    assert tail is not None, f"check_tail missed a torn tail cut at {end - len(before)}"
    assert result.torn_offset is not None and result.torn_offset >= len(before) - 1
    assert result.torn.line == tail.line == _torn_line(cut, result.torn_offset)
    if not repair:
        return
    backup = repairing.repair(path, "t")
    assert backup is not None
    fixed = path.read_bytes()
    assert _kept_all(fixed, backup.read_bytes(), cut)
    assert fixed.startswith(before.rstrip(b"\n"))
    assert _comments_only(fixed[len(before.rstrip(b"\n")):])  # nothing but comments kept
    assert records_file.load_records(path).torn is None
    assert _records(path) == committed
    backup.unlink()


def _comments_only(text: bytes) -> bool:
    lines = [line.strip() for line in text.split(b"\n")]
    return all(not line or line.startswith(b"#") for line in lines)


def _kept_all(fixed: bytes, fragment: bytes, damaged: bytes) -> bool:
    """Repair threw nothing away: the file and the backup together are what was there
    (but for the blank line that separated the torn block)."""
    return damaged in (fixed + fragment, fixed + b"\n" + fragment)


def _records_of(data: bytes) -> list[tuple[object, ...]]:
    result = records_file.parse_record_bytes(data, "records.toml")
    return [(r.id, r.series, r.date, r.value, r.note, r.entered) for r in result.records]


def test_every_cut_point_of_an_append(cli: Runner, plan_dir: Path) -> None:
    path = plan_dir / "records.toml"
    states = [b""]
    for args in (("investment", "150亿", "--date", "2022-06", "--note", "上半年 “快报”"),
                 ("firms-total", "7.9万", "--date", "2022Q2", "--source", "区市场监管局"),
                 ("share", "41.2%", "--date", "2022H1", "--note", "占比 ﹪ 全角")):
        assert cli("log", *args, cwd=plan_dir).code == 0
        states.append(path.read_bytes())
    cuts = 0
    for before, after in itertools.pairwise(states):
        for end in _cut_points(before, after):
            _assert_cut_handled(path, before, after, end, repair=end % 4 == 0)
            cuts += 1
    assert cuts > 600


def test_a_cut_inside_a_character_is_torn_not_undecodable(cli: Runner, plan_dir: Path
                                                          ) -> None:
    path = plan_dir / "records.toml"
    assert cli("log", "investment", "100亿", "--date", "2022-03", cwd=plan_dir).code == 0
    before = path.read_bytes()
    assert cli("log", "investment", "150亿", "--date", "2022-06", "--note", "统计快报",
               cwd=plan_dir).code == 0
    after = path.read_bytes()
    mid = after.index("统".encode()) + 1  # one byte into a three-byte character
    path.write_bytes(after[:mid])
    line = _torn_line(after, after.rindex(b"[[record]]"))

    checked = cli("check", cwd=plan_dir)
    assert checked.code == 1
    assert f"records.toml:{line}" in checked.out
    status = cli("status", "--as-of", "2022-07-01", "--format", "json", cwd=plan_dir)
    assert status.code == 0, status.err
    assert '"actual": 10000000000' in status.out
    assert f"records.toml:{line}" in status.err
    refused = cli("log", "investment", "160亿", "--date", "2022-07", cwd=plan_dir)
    assert refused.code == 1
    assert "check --repair" in refused.err
    assert path.read_bytes() == after[:mid]
    repaired = cli("check", "--repair", cwd=plan_dir)
    assert repaired.code == 0, repaired.out + repaired.err
    backups = list(plan_dir.glob("records.toml.torn-*"))
    assert len(backups) == 1
    assert _kept_all(path.read_bytes(), backups[0].read_bytes(), after[:mid])
    assert path.read_bytes().rstrip(b"\n") == before.rstrip(b"\n")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_torn_tail_through_the_command_line(cli: Runner, plan_dir: Path, fraction: float
                                            ) -> None:
    """What a person sees after a crash mid-write: check names the line, status answers
    with a warning, log refuses, check --repair sets the fragment aside."""
    path = plan_dir / "records.toml"
    assert cli("log", "investment", "100亿", "--date", "2022-03", cwd=plan_dir).code == 0
    before = path.read_bytes()
    assert cli("log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir).code == 0
    after = path.read_bytes()
    header = after.index(b"[[record]]", len(before))  # after the blank line and the frame
    cut = after[: header + int((len(after) - header) * fraction)]
    path.write_bytes(cut)
    line = after[:header].count(b"\n") + 1

    checked = cli("check", cwd=plan_dir)
    assert checked.code == 1
    assert f"records.toml:{line}" in checked.out
    status = cli("status", "--as-of", "2022-07-01", "--format", "json", cwd=plan_dir)
    assert status.code == 0
    assert '"actual": 10000000000' in status.out
    assert f"records.toml:{line}" in status.err
    assert "records.toml" in status.out  # the warning is in the JSON too
    refused = cli("log", "investment", "160亿", "--date", "2022-07", cwd=plan_dir)
    assert refused.code == 1
    assert "check --repair" in refused.err
    assert refused.err.count(f"records.toml:{line}") == 1  # one message, not a warning too
    assert path.read_bytes() == cut
    repaired = cli("check", "--repair", cwd=plan_dir)
    assert repaired.code == 0
    backup = next(plan_dir.glob("records.toml.torn-*"))
    assert backup.name in repaired.err
    assert _kept_all(path.read_bytes(), backup.read_bytes(), cut)
    assert cli("check", cwd=plan_dir).code == 0
    assert cli("log", "investment", "160亿", "--date", "2022-07", cwd=plan_dir).code == 0


# --------------------------------------------------------------------------- SIGKILL

def _watch_writes(chunk: int, signal_fd: int) -> None:
    """In the child only: say (one byte on a pipe) when the first write to a file starts;
    with `chunk`, every os.write then moves at most that many bytes and pauses, as a slow
    or busy disk would, so that a kill lands mid-write. The writer's loop must cope."""
    real = os.write
    told = False

    def write(fd: int, data: bytes | memoryview) -> int:
        nonlocal told
        if not told and fd not in (1, 2, signal_fd):
            told = True
            real(signal_fd, b"w")
        if not chunk:
            return real(fd, data)
        written = real(fd, bytes(memoryview(data)[:chunk]))
        time.sleep(0.0003)
        return written

    os.write = write  # type: ignore[assignment]


@dataclass
class Run:
    code: int  # exit code, or -signal when killed
    seconds: float  # from start to end
    writing: float | None  # from the first write to the end (None: never wrote)


def _run(argv: list[str], delay: float | None, chunk: int = 0, *,
         after_write: bool = False) -> Run:
    """Run `bjtrack ARGV` in a forked child; SIGKILL it `delay` seconds after it starts
    (or after its first write, with `after_write`); `delay` None lets it finish."""
    started = time.monotonic()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.close(read_end)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            _watch_writes(chunk, write_end)
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            code = 99
        os._exit(code)
    os.close(write_end)
    wrote_at: float | None = None
    if delay is not None:
        if after_write:
            ready, _, _ = select.select([read_end], [], [], 30)
            if ready and os.read(read_end, 1):
                wrote_at = time.monotonic()
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    else:
        if os.read(read_end, 1):
            wrote_at = time.monotonic()
    _, status = os.waitpid(pid, 0)
    os.close(read_end)
    ended = time.monotonic()
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return Run(code, ended - started, ended - wrote_at if wrote_at else None)


def _outcome(path: Path, before: bytes, committed: list[tuple[object, ...]],
             new: Callable[[list[tuple[object, ...]]], bool]) -> str:
    """After a kill: every committed record is intact, and the file is unchanged, holds
    exactly the new record(s), or has a torn tail that repair sets aside."""
    after = path.read_bytes() if path.exists() else b""
    assert after.startswith(before), "bytes already committed were changed"
    if after == before:
        return "unchanged"
    result = records_file.load_records(path)
    assert result.problems == ()
    records = [(r.id, r.series, r.date, r.value, r.note, r.entered) for r in result.records]
    assert records[: len(committed)] == committed
    if result.torn is None:
        added = after[len(before):]
        if len(records) == len(committed) and b"[[record]]" not in added:
            assert added.strip(b"\n").startswith(b"# ")  # only a record's opening frame
            return "unchanged"
        assert new(records[len(committed):]), records[len(committed):]
        return "complete"
    assert records == committed
    assert writing.check_tail(path) is not None
    backup = repairing.repair(path, "k")
    assert backup is not None
    assert _kept_all(path.read_bytes(), backup.read_bytes(), after)
    assert _records(path) == committed
    assert records_file.load_records(path).torn is None
    backup.unlink()
    return "torn"


def _kill_loop(path: Path, trials: int, make: Callable[[int], tuple[list[str], int,
               Callable[[list[tuple[object, ...]]], bool]]], rng: random.Random,
               limit: int = 0) -> dict[str, int]:
    """Half the kills land anywhere in the run, half once writing has begun."""
    counts = {"unchanged": 0, "complete": 0, "torn": 0}
    calibrated: dict[int, Run] = {}
    for trial in range(trials):
        argv, chunk, new = make(trial)
        before = path.read_bytes() if path.exists() else b""
        committed = _records(path)
        if chunk not in calibrated:  # how long one uninterrupted run takes
            calibrated[chunk] = run = _run(argv, None, chunk)
            assert run.code == 0
            _outcome(path, before, committed, new)
        else:
            full = calibrated[chunk]
            if trial % 2 and full.writing is not None:
                run = _run(argv, rng.uniform(0, full.writing * 1.2), chunk, after_write=True)
            else:
                run = _run(argv, rng.uniform(0, full.seconds * 1.2), chunk)
            assert run.code in (0, -signal.SIGKILL), run
            counts[_outcome(path, before, committed, new)] += 1
        if limit and path.stat().st_size > limit:  # keep every load quick
            path.write_bytes(before)
    return counts


def test_sigkill_during_log(plan_dir: Path) -> None:
    path = plan_dir / "records.toml"
    plan = str(plan_dir / "targets.toml")
    rng = random.Random()

    def make(trial: int) -> tuple[list[str], int, Callable[[list[tuple[object, ...]]], bool]]:
        note = f"第{trial}次 “快报” " + "数" * rng.choice([0, 10, 200, 2000])
        value = f"{trial + 1}.5"
        argv = ["-f", plan, "log", "gdp", value + "亿元", "--date",
                f"{1900 + trial // 12}-{trial % 12 + 1:02d}", "--note", note, "--by", "t"]
        chunk = rng.choice([0, 7, 64])

        def new(added: list[tuple[object, ...]]) -> bool:
            return len(added) == 1 and added[0][4] == note and added[0][5] == value + "亿元"

        return argv, chunk, new

    counts = _kill_loop(path, LOG_KILLS, make, rng)
    print("log kills:", counts)
    assert counts["torn"] > 0, counts  # kills did land mid-write
    assert counts["complete"] > 0 and counts["unchanged"] > 0, counts


def test_sigkill_during_log_of_a_ten_megabyte_note(plan_dir: Path) -> None:
    path = plan_dir / "records.toml"
    plan = str(plan_dir / "targets.toml")
    rng = random.Random()
    for i in range(3):
        assert _run(["-f", plan, "log", "gdp", f"{i}00亿", "--date", f"{1990 + i}", "--by", "t"],
                    None).code == 0
    committed_base = path.read_bytes()

    def make(trial: int) -> tuple[list[str], int, Callable[[list[tuple[object, ...]]], bool]]:
        note = chr(0x4E00 + trial) + "x" * BIG
        argv = ["-f", plan, "log", "gdp", f"{trial}.25亿", "--date", f"{2000 + trial}",
                "--note", note, "--by", "t"]

        def new(added: list[tuple[object, ...]]) -> bool:
            return len(added) == 1 and added[0][4] == note

        return argv, 1 << 20, new

    counts = _kill_loop(path, BIG_NOTE_KILLS, make, rng, limit=len(committed_base) + 1)
    print("10 MB note kills:", counts)
    assert sum(counts.values()) >= BIG_NOTE_KILLS - 2
    assert path.read_bytes().startswith(committed_base)


def test_sigkill_during_import(plan_dir: Path) -> None:
    path = plan_dir / "records.toml"
    plan = str(plan_dir / "targets.toml")
    rng = random.Random()
    rows = 40

    def make(trial: int) -> tuple[list[str], int, Callable[[list[tuple[object, ...]]], bool]]:
        sheet = plan_dir / f"import-{trial}.csv"
        lines = ["指标,日期,数值,备注"] + [
            f"gdp,{date(1000, 1, 1) + timedelta(days=trial * rows + i)},{i + 1}.{trial}亿元,"
            f"第{trial}批第{i}行"
            for i in range(rows)]
        sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
        chunk = rng.choice([0, 64, 512])

        def new(added: list[tuple[object, ...]]) -> bool:  # all rows or none
            return [a[4] for a in added] == [f"第{trial}批第{i}行" for i in range(rows)]

        return ["-f", plan, "import", str(sheet), "--by", "t"], chunk, new

    counts = _kill_loop(path, IMPORT_KILLS, make, rng)
    print("import kills:", counts)
    # An import replaces the file in one rename: never a torn tail, never part of a sheet.
    assert counts["torn"] == 0 and counts["complete"] > 0 and counts["unchanged"] > 0, counts
    assert not [p for p in plan_dir.iterdir() if p.name.startswith(".records.toml.")
                and p.stat().st_size > path.stat().st_size + 100_000]


def test_sigkill_during_amend(plan_dir: Path) -> None:
    path = plan_dir / "records.toml"
    plan = str(plan_dir / "targets.toml")
    rng = random.Random()
    assert _run(["-f", plan, "log", "gdp", "1亿", "--date", "2022", "--by", "t"], None).code == 0

    def make(trial: int) -> tuple[list[str], int, Callable[[list[tuple[object, ...]]], bool]]:
        current = str(_records(path)[-1][0])  # each amend replaces the one before
        value, note = f"{trial + 2}亿", f"第{trial}次更正"
        argv = ["-f", plan, "amend", current, value, "--note", note, "--by", "t"]

        def new(added: list[tuple[object, ...]]) -> bool:
            return len(added) == 1 and added[0][4] == note and added[0][5] == value

        return argv, rng.choice([0, 16, 64]), new

    counts = _kill_loop(path, AMEND_KILLS, make, rng)
    print("amend kills:", counts)
    assert counts["complete"] > 0 and counts["unchanged"] > 0, counts


def test_sigkill_during_target_add(plan_dir: Path) -> None:
    """targets.toml is replaced in one rename: after a kill it is the old file or the
    new one, never a mix, and it always loads."""
    path = plan_dir / "targets.toml"
    rng = random.Random()

    def argv(n: int) -> list[str]:
        return ["-f", str(path), "target", "add", "--id", f"t{n}", "--name", f"目标{n}",
                "--target", f"{n + 1}亿元", "--start", "2022-01-01", "--due", "2022-12-31"]

    full = _run(argv(0), None)
    assert full.code == 0
    counts = {"unchanged": 0, "complete": 0, "killed": 0}
    for trial in range(1, PLAN_KILLS):
        before = path.read_bytes()
        ids = [t.id for t in plan_file.load_plan(path).targets]
        run = _run(argv(trial), rng.uniform(0.3, 1.3) * full.seconds)
        assert run.code in (0, -signal.SIGKILL), run
        counts["killed"] += run.code == -signal.SIGKILL
        after = path.read_bytes()
        now = [t.id for t in plan_file.load_plan(path).targets]
        if after == before:
            counts["unchanged"] += 1
            assert now == ids
        else:
            counts["complete"] += 1
            assert now == [*ids, f"t{trial}"]
            assert after.startswith(before.rstrip(b"\n"))  # comments and layout kept
    print("target add kills:", counts)
    assert counts["killed"] > 0, counts


def test_sigkill_during_init(tmp_path: Path) -> None:
    """Each file init writes is absent or whole after a kill, and what is there loads."""
    rng = random.Random()
    reference = tmp_path / "whole"
    full = _run(["init", str(reference), "--name", "计划"], None)
    assert full.code == 0
    made = {p.name: p.read_bytes() for p in reference.iterdir() if p.is_file()}
    assert {"targets.toml", "records.toml"} <= set(made)
    counts = {"none": 0, "partial": 0, "complete": 0, "killed": 0}
    for trial in range(PLAN_KILLS):
        folder = tmp_path / f"p{trial}"
        run = _run(["init", str(folder), "--name", "计划"], rng.uniform(0.3, 1.3) * full.seconds)
        assert run.code in (0, -signal.SIGKILL), run
        counts["killed"] += run.code == -signal.SIGKILL
        present = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()
                   and not p.name.endswith(".tmp")} if folder.exists() else {}
        for name, data in present.items():
            assert data == made[name], name  # whole, never half-written
        if "targets.toml" in present:
            plan_file.load_plan(folder / "targets.toml")
            assert records_file.load_records(folder / "records.toml").records == ()
        counts["none" if not present else
               "complete" if set(present) == set(made) else "partial"] += 1
    print("init kills:", counts)
    assert counts["killed"] > 0, counts


def test_fork_runner_reports_exit_codes(plan_dir: Path) -> None:
    plan = str(plan_dir / "targets.toml")
    assert _run(["-f", plan, "log", "nope", "1"], None).code == 2
    assert _run(["-f", plan, "log", "gdp", "1亿", "--date", "2022"], None).code == 0
    assert _run(["-f", plan, "log", "gdp", "2亿", "--date", "2023"], 0.0).code in (
        0, -signal.SIGKILL)


if sys.platform != "linux":  # pragma: no cover
    pytestmark = pytest.mark.skip("fork and SIGKILL tests need Linux")
