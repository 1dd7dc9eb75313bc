"""The index and a full parse of the records file are one reader (issue 14, finding 3).

Valid records files are damaged at random, seeded, in the ways hands, editors and crashes
damage them: flipped bits, control characters, Unicode spaces and line separators, header
spellings, truncation, datetime offsets, duplicated blocks. For each damaged file the
records read through the index (built afresh, and brought up to date from the undamaged
file) must be the full parse's, problem for problem, and the full parse must agree with
TOML itself (tomllib is the format's definition): a file tomllib rejects is never read
as clean, and a torn tail `check --repair` would move never holds a whole record. A few
of the files also go through the commands: `status` and `history` say the same with and
without the index, and `check` agrees with them.

Sized for CI (a few seconds); BJTRACK_SLOW=1 runs ten times as many files.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from bjtrack.domain.errors import BjtrackError
from bjtrack.domain.model import Record
from bjtrack.files import records as records_file
from bjtrack.index import cache
from conftest import Runner

SCALE = 10 if os.environ.get("BJTRACK_SLOW") else 1
SEEDS = 100 * SCALE  # damaged files read in-process, each three ways
COMMAND_SEEDS = 6 * SCALE  # damaged files also run through status, history and check

_ZONES = (timezone(timedelta(hours=8)), UTC, timezone(timedelta(hours=-5)))


def _records(escapes: bool) -> list[Record]:
    quoted = 'note "quoted" \\ back' if escapes else "占比"
    rows = [("investment", date(2022, 3, 31), "10000000000", "元", "100亿", "一季度"),
            ("investment", date(2022, 6, 30), "15000000000", "元", "150亿", "上半年\u3000累计"),
            ("firms-total", date(2022, 6, 30), "81000", "家", "8.1万家", ""),
            ("share", date(2022, 6, 30), "38.5", "%", "38.5%", quoted),
            ("gdp", date(2022, 6, 30), "105620000000", "元", "1056.2亿元", "行\u2028分隔"),
            ("investment", date(2022, 9, 30), "21000000000", "元", "210亿", "")]
    out = []
    for n, (series, day, value, unit, entered, note) in enumerate(rows):
        logged = datetime(2022, 10, 1, 9, n, 5, tzinfo=_ZONES[n % len(_ZONES)])
        out.append(Record(id=f"rec{n:07d}", series=series, date=day, value=Decimal(value),
                          unit=unit, entered=entered, note=note, by="测试", logged=logged))
    return out


def valid_file(escapes: bool = False) -> str:
    """A records file as `bjtrack log` writes it: the header, then framed blocks. The
    index reads it in one pass (`index.build.scan_written`); with `escapes` (a note with
    quotes and a backslash) block by block."""
    return records_file.RECORDS_HEADER + "".join(
        "\n" + records_file.framed_block(record) for record in _records(escapes))


_CONTROLS = [chr(c) for c in (*range(0x20), 0x7F) if chr(c) != "\n"]
_SPACES = ["\u00a0", "\u3000", "\x0c", "\x0b", "\u2028", "\u2029", "\u0085", "\ufeff",
           "\r", "\t", "\u200b", " "]
_HEADERS = ["[[ record ]]", "[[record]] # by hand", " [[record]]", "\t[[record]]",
            "[[record]]\r", "[[record]]\t", "[[record]]\x0c", "[[record]]\u00a0",
            "[record]", "[[records]]", "[[record]] # \x7f", "[[record]] # \u3000", "[[rec"]
_OFFSETS = ["+08:60", "+08:99", "+24:00", "+23:59", "-00:00", "Z", "z", "+8:00", "+08",
            "+0800", "", ".5+08:00", "+08:00:00", "+\u0660\u0668:00"]


def _lines_where(lines: list[str], start: str) -> list[int]:
    return [i for i, line in enumerate(lines) if line.startswith(start)]


def _pick(rng: random.Random, candidates: list[int]) -> list[int]:
    return [rng.choice(candidates)] if candidates else []


def _damage_lines(text: str, kind: int, rng: random.Random) -> str:
    """Damage to one line: a header, a comment, a time, or the line itself."""
    lines = text.splitlines(keepends=True)
    if kind == 0:  # a header spelled another way
        for i in _pick(rng, _lines_where(lines, "[[record]]")):
            lines[i] = rng.choice(_HEADERS) + "\n"
    elif kind == 1:  # a frame or header comment with a character TOML may refuse
        for i in _pick(rng, _lines_where(lines, "#")):
            lines[i] = lines[i].rstrip("\n") + rng.choice(
                ["\x7f", "\x01", "\x0c", "\r", "\rx", "\u00a0", "\u3000", "\t"]) + "\n"
    elif kind == 2:  # a `logged` time with another offset
        for i in _pick(rng, _lines_where(lines, "logged = ")):
            lines[i] = lines[i][:len("logged = 2022-10-01 09:00:05")] + \
                rng.choice(_OFFSETS) + "\n"
    elif lines:  # a line deleted or doubled
        i = rng.randrange(len(lines))
        lines[i:i + 1] = [] if rng.random() < 0.5 else [lines[i]] * 2
    return "".join(lines)


def _damage_text(text: str, kind: int, rng: random.Random) -> str:
    """Damage anywhere in the text: a character put in, a block doubled, a cut."""
    at = rng.randrange(len(text) + 1)
    if kind == 0:  # a control character anywhere
        return text[:at] + rng.choice(_CONTROLS) + text[at:]
    if kind == 1:  # a Unicode space or line separator anywhere, or as a line
        space = rng.choice(_SPACES)
        return text[:at] + (space if rng.random() < 0.5 else f"\n{space}\n") + text[at:]
    if kind == 2:  # a block written twice, here or at the end
        blocks = text.split("\n\n")
        i = rng.randrange(len(blocks))
        blocks.insert(rng.choice([i, len(blocks)]), blocks[i].rstrip("\n") + "\n")
        return "\n\n".join(blocks)
    if kind == 3:  # a date or value nudged out of shape
        return text.replace(rng.choice(["2022-06-30", "-30\n", '"1', "value", "date", ' = "']),
                            rng.choice(["2022-02-30", "-3\n", '"+1', "valu", "Date", " = '",
                                        "9999-06-30", "0999-06-30"]),
                            1)
    return text[:at]  # the file cut short (a crash), anywhere


def mutate(text: str, rng: random.Random) -> bytes:
    """One to three kinds of damage, as UTF-8 bytes (a flipped bit may break the UTF-8)."""
    flips = 0
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(10)
        if kind < 4:
            text = _damage_lines(text, kind, rng)
        elif kind < 9:
            text = _damage_text(text, kind - 4, rng)
        else:
            flips += 1
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(flips):  # a flipped bit, in the bytes
        if data:
            i = rng.randrange(len(data))
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    return data


def _outcome(read: object) -> object:
    """What a reading of the records file gives: the records, every problem and the torn
    tail, or the problems it raised."""
    try:
        result = read()  # type: ignore[operator]
    except BjtrackError as exc:
        return ("error", exc.problems)
    assert isinstance(result, records_file.RecordSet)
    return (result.records, result.problems, result.torn, result.torn_offset)


def _tomllib_says(data: bytes) -> bool:
    """Whether TOML itself reads the file (less a byte-order mark)."""
    try:
        tomllib.loads(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return True


def _holds_a_whole_record(fragment: bytes) -> bool:
    """Is this (a torn tail) a complete, valid record that a repair would move out?"""
    if not fragment.endswith(b"\n"):
        return False  # cut short: a crash's
    try:
        data = tomllib.loads(fragment.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    entries = data.get("record")
    if not isinstance(entries, list):
        return False
    return any(records_file.to_record(e, "f", 1)[1] is None and not records_file.incomplete(e)
               for e in entries)


def _compare(folder: Path, base: bytes, data: bytes) -> None:
    path = folder / "records.toml"
    db = cache.cache_path(path)
    path.write_bytes(data)
    full = _outcome(lambda: records_file.load_records(path))
    shutil.rmtree(db.parent, ignore_errors=True)
    fresh = _outcome(lambda: cache.load_records(path))
    again = _outcome(lambda: cache.load_records(path))  # read through the index just built
    path.write_bytes(base)
    assert cache.load_records(path).problems == ()  # the index of the undamaged file
    path.write_bytes(data)
    os.utime(path, ns=(0, 0))
    updated = _outcome(lambda: cache.load_records(path))
    shown = data.decode("utf-8", "backslashreplace")
    assert fresh == full, shown
    assert again == full, shown
    assert updated == full, shown
    if isinstance(full[0], str):
        return
    _, problems, torn, torn_offset = full  # type: ignore[misc]
    if not _tomllib_says(data):
        assert problems or torn is not None, f"tomllib refuses, read as clean:\n{shown}"
    if torn_offset is not None:
        assert not _holds_a_whole_record(data[torn_offset:]), \
            f"a repair would move a whole record out:\n{shown}"


def test_index_and_full_parse_agree_on_damaged_files(plan_dir: Path) -> None:
    for seed in range(SEEDS):
        text = valid_file(escapes=seed % 3 == 2)
        _compare(plan_dir, text.encode("utf-8"), mutate(text, random.Random(seed)))


_FINDING_3 = {  # the cases the finding names; each a complete record (the second one)
    "offset +08:60": ("logged = 2022-10-01 09:01:05+00:00", "logged = 2022-10-01 09:01:05+08:60"),
    "offset +08:99": ("logged = 2022-10-01 09:01:05+00:00", "logged = 2022-10-01 09:01:05+08:99"),
    "DEL in a frame": ("rec0000001 2022-10-01T09:01:05+00:00 end\n",
                       "rec0000001 2022-10-01T09:01:05+00:00 end\x7f\n"),
    "\\x01 in a frame": ("rec0000001 2022-10-01T09:01:05+00:00 end\n",
                         "rec0000001 2022-10-01T09:01:05+00:00 end\x01\n"),
    "form feed in a frame": ("rec0000001 2022-10-01T09:01:05+00:00 end\n",
                             "rec0000001 2022-10-01T09:01:05+00:00 end\x0c\n"),
    "lone CR in a frame": ("rec0000001 2022-10-01T09:01:05+00:00 end\n",
                           "rec0000001 2022-10-01T09:01:05+00:00 end\rx\n"),
    "no-break space as a header line": ("format = bjtrack-records/1\n",
                                        "format = bjtrack-records/1\n\u00a0\n"),
    "U+3000 before a comment": ("# Values", "\u3000# Values"),
    "form feed in a header comment": ("format = bjtrack-records/1\n",
                                      "format = bjtrack-records/1\x0c\n"),
    "form feed as a blank line": ("format = bjtrack-records/1\n",
                                  "format = bjtrack-records/1\n\x0c\n"),
    "U+3000 as a blank line between records": ("+08:00 end\n\n# rec0000001",
                                               "+08:00 end\n\u3000\n# rec0000001"),
    "form feed after a header": ('[[record]]\nid = "rec0000001"',
                                 '[[record]]\x0c\nid = "rec0000001"'),
    "no-break space after a header": ('[[record]]\nid = "rec0000001"',
                                      '[[record]]\u00a0\nid = "rec0000001"'),
    "form feed in a header's comment": ('[[record]]\nid = "rec0000001"',
                                        '[[record]] # \x0c\nid = "rec0000001"'),
}


def test_the_index_reads_the_valid_files(plan_dir: Path) -> None:
    from bjtrack.index import build
    for escapes in (False, True):
        text = valid_file(escapes)
        assert _tomllib_says(text.encode("utf-8"))
        assert (build.scan_written(text, 0) is None) == escapes  # each way of reading
        _compare(plan_dir, text.encode("utf-8"), text.encode("utf-8"))
        assert len(records_file.load_records(plan_dir / "records.toml").records) == 6


@pytest.mark.parametrize("escapes", [False, True], ids=["one pass", "by block"])
@pytest.mark.parametrize("last", [False, True], ids=["middle", "last"])
@pytest.mark.parametrize("case", sorted(_FINDING_3))
def test_finding_3_cases(plan_dir: Path, case: str, last: bool, escapes: bool) -> None:
    """Each case in the second record of six, and in the last of two: the same answer with
    and without the index, and a complete record is never taken for a torn one."""
    old, new = _FINDING_3[case]
    text = valid_file(escapes)
    if last:
        text = text[:text.index("\n# rec0000002")] + "\n"
    assert old in text
    data = text.replace(old, new, 1).encode("utf-8")
    assert not _tomllib_says(data)
    _compare(plan_dir, text.encode("utf-8"), data)
    full = records_file.load_records(plan_dir / "records.toml")
    assert full.torn is None, "a whole record taken for a torn one"
    assert full.problems and all(p.line for p in full.problems)


def _run_all(cli: Runner, folder: Path, env: dict[str, str]) -> list[tuple[int, str, str]]:
    out = []
    for args in (("status", "--as-of", "2022-12-31", "--format", "json"),
                 ("history", "investment", "--format", "json"), ("check",)):
        result = cli(*args, cwd=folder, env=env)
        assert "Traceback" not in result.err
        out.append((result.code, result.out, result.err))
    return out


def test_commands_agree_with_and_without_the_index(cli: Runner, plan_dir: Path) -> None:
    path = plan_dir / "records.toml"
    rng = random.Random(4)
    for n in range(COMMAND_SEEDS):
        base = valid_file(escapes=n % 2 == 1)
        data = base.encode("utf-8") if n == 0 else mutate(base, rng)
        path.write_bytes(data)
        shutil.rmtree(plan_dir / ".bjtrack-cache", ignore_errors=True)
        built = _run_all(cli, plan_dir, {"BJTRACK_NO_CACHE": "0"})
        indexed = _run_all(cli, plan_dir, {"BJTRACK_NO_CACHE": "0"})
        parsed = _run_all(cli, plan_dir, {"BJTRACK_NO_CACHE": "1"})
        shown = data.decode("utf-8", "backslashreplace")
        assert built == parsed and indexed == parsed, shown
        (status_code, status_out, status_err), _, (check_code, check_out, check_err) = parsed
        if status_code == 0:
            json.loads(status_out)
        if check_code == 0:  # check finds nothing: status reads every record, no warning
            assert status_code == 0 and not status_err.strip(), shown
        if status_code != 0:  # a records file status refuses, check refuses too
            assert check_code != 0 and status_err.strip(), shown
        if "cut short" in status_err:
            assert "cut short" in check_out + check_err, shown
    assert path.read_bytes() == data  # nothing here writes the records



@pytest.mark.parametrize("case", sorted(_FINDING_3))
def test_repair_never_moves_a_whole_record(cli: Runner, plan_dir: Path, case: str) -> None:
    """The cases as the last record: `check` names the line, `status` refuses the file with
    the same problem with or without the index, and `check --repair` moves nothing."""
    old, new = _FINDING_3[case]
    text = valid_file()
    text = text[:text.index("\n# rec0000002")] + "\n"
    path = plan_dir / "records.toml"
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))
    before = path.read_bytes()
    checked = cli("check", cwd=plan_dir)
    assert checked.code == 1 and "cut short" not in checked.out + checked.err
    said = [line for line in checked.out.splitlines() if line.startswith("records.toml:")]
    assert said, checked.out
    for off in ("0", "1", "0"):
        status = cli("status", cwd=plan_dir, env={"BJTRACK_NO_CACHE": off})
        assert status.code == 1 and said[0] in status.err, (off, status.err)
    repaired = cli("check", "--repair", cwd=plan_dir)
    assert repaired.code == 1 and "Traceback" not in repaired.err
    assert path.read_bytes() == before
    assert not [p.name for p in plan_dir.iterdir() if ".torn-" in p.name]
