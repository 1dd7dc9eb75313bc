"""Nothing that comes from a file is trusted (issue 14): a plan's folder may be a cloned
repository, so what lies in it can neither run code nor write outside it, and the derived
files in it (the plan memo, the records index) are checked, never believed."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from conftest import Runner

MEMO = Path(".bjtrack-cache") / "targets.toml.plan.pickle"


class _Planted:
    """Unpickling this makes a folder: proof that a planted memo ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


@pytest.mark.parametrize("shape", ["bare pickle", "forged signature"])
def test_planted_memo_never_runs_code(cli: Runner, plan_dir: Path, tmp_path_factory:
                                      pytest.TempPathFactory, shape: str) -> None:
    marker = tmp_path_factory.mktemp("m") / "pwned"
    payload = pickle.dumps(_Planted(marker))
    if shape == "forged signature":
        from bjtrack.index import memo
        payload = memo.MAGIC + bytes(32) + payload
    assert cli("status", cwd=plan_dir).code == 0
    (plan_dir / MEMO).write_bytes(payload)  # as if cloned with the repository
    os.utime(plan_dir / MEMO)
    result = cli("status", cwd=plan_dir)
    assert not marker.exists(), "the planted memo was unpickled"
    assert result.code == 0 and "区内全年投资" in result.out  # the plan was parsed
    assert cli("check", cwd=plan_dir).code == 0
    assert not marker.exists()


def test_memo_signed_with_another_users_key_is_ignored(
        cli: Runner, plan_dir: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("other-user")))
    assert cli("status", cwd=plan_dir).code == 0  # memo signed with the other key
    text = (plan_dir / "targets.toml").read_text(encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("this-user")))
    from bjtrack.index import memo
    assert memo.user_key() is not None
    key_file = memo.key_folder() / memo.KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    plan = memo.load_plan(plan_dir / "targets.toml")  # parsed, not taken from the memo
    assert plan.name == "测试计划" and "测试计划" in text


def test_no_memo_without_a_user_key(cli: Runner, plan_dir: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    result = cli("status", cwd=plan_dir)
    assert result.code == 0 and "区内全年投资" in result.out
    assert not (plan_dir / MEMO).exists()


def _plan_naming(plan_dir: Path, records: str) -> None:
    path = plan_dir / "targets.toml"
    text = path.read_text(encoding="utf-8")
    named = f'name = "测试计划"\nrecords = "{records}"\n'
    path.write_text(text.replace('name = "测试计划"\n', named, 1), encoding="utf-8")


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlinked folder", "symlinked file"])
def test_plan_cannot_name_a_file_outside_its_folder(cli: Runner, tmp_path: Path,
                                                   how: str) -> None:
    plan_dir = tmp_path / "repo"
    plan_dir.mkdir()
    from conftest import SMALL_PLAN
    (plan_dir / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
    home = tmp_path / "fakehome"
    home.mkdir()
    profile = home / ".bash_profile"
    if how == "dotdot":
        _plan_naming(plan_dir, "../fakehome/.bash_profile")
    elif how == "absolute":
        _plan_naming(plan_dir, profile.as_posix())
    elif how == "symlinked folder":
        (plan_dir / "data").symlink_to(home)
        _plan_naming(plan_dir, "data/.bash_profile")
    else:  # a cloned repository may hold records.toml as a link to anywhere
        (plan_dir / "records.toml").symlink_to(profile)
    check = cli("check", cwd=plan_dir)
    assert check.code != 0 and "outside the plan's folder" in check.out + check.err
    logged = cli("log", "investment", "150亿", "--date", "2022-06-30", cwd=plan_dir)
    assert logged.code != 0 and "outside the plan's folder" in logged.err
    assert cli("status", cwd=plan_dir).code != 0
    assert sorted(p.name for p in home.iterdir()) == [], "nothing written outside"
    assert not (tmp_path / ".bjtrack-cache").exists()


def test_records_in_a_subfolder_of_the_plan_are_fine(cli: Runner, plan_dir: Path) -> None:
    (plan_dir / "figures").mkdir()
    _plan_naming(plan_dir, "figures/records.toml")
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", cwd=plan_dir).code == 0
    assert "150" in cli("status", cwd=plan_dir).out
    assert cli("check", cwd=plan_dir).code == 0


def _actual(cli: Runner, plan_dir: Path) -> object:
    import json
    result = cli("status", "--format", "json", cwd=plan_dir)
    assert result.code == 0, result.err
    return next(t for t in json.loads(result.out)["targets"]
                if t["id"] == "investment")["actual"]


def _indexed(plan_dir: Path) -> Path:
    """The index of the plan's records file: in this user's cache folder, not the plan's."""
    from bjtrack.index.sqlite import cache_path
    db = cache_path(plan_dir / "records.toml")
    assert db.is_file()
    assert not (plan_dir / ".bjtrack-cache" / "records.toml.sqlite").exists()
    return db


@pytest.mark.parametrize("how", ["sql update", "sql delete", "sql meta", "flipped bytes"])
def test_tampered_index_is_never_believed(cli: Runner, plan_dir: Path, how: str) -> None:
    import sqlite3
    for day, amount in (("2022-03-31", "100亿"), ("2022-06-30", "150亿")):
        assert cli("log", "investment", amount, "--date", day, cwd=plan_dir).code == 0
    assert _actual(cli, plan_dir) == 15000000000  # the index built and used
    db = _indexed(plan_dir)
    if how == "flipped bytes":  # as a damaged disk or an edited, committed index would
        for part in (db, Path(f"{db}-wal")):
            if part.exists():
                data = part.read_bytes()
                part.write_bytes(data.replace(b"15000000000", b"29900000000"))
    else:
        conn = sqlite3.connect(db)
        if how == "sql update":
            conn.execute("UPDATE records SET value = '29900000000' WHERE value = '15000000000'")
        elif how == "sql delete":
            conn.execute("DELETE FROM records WHERE value = '15000000000'")
        else:
            conn.execute("UPDATE meta SET value = '0' WHERE key = 'checked_ns'")
        conn.commit()
        conn.close()
    for _ in range(2):  # detected, then rebuilt
        assert _actual(cli, plan_dir) == 15000000000
        history = cli("history", "investment", cwd=plan_dir)
        assert "150亿元" in history.out and "299" not in history.out
        assert cli("check", cwd=plan_dir).code == 0
    with sqlite3.connect(_indexed(plan_dir)) as conn:
        assert sorted(v for (v,) in conn.execute("SELECT value FROM records")) == \
            ["10000000000", "15000000000"]


def test_an_index_planted_in_the_plans_folder_is_never_read(cli: Runner, plan_dir: Path
                                                          ) -> None:
    """A folder from a shared repository may hold an index file (committed with git add -f,
    with rows edited or a trigger that edits them): bjtrack keeps its index in the user's
    own cache folder, so a planted one is never opened."""
    import sqlite3

    from bjtrack.index.sqlite import _DDL, INDEXES
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", cwd=plan_dir).code == 0
    planted = plan_dir / ".bjtrack-cache" / "records.toml.sqlite"
    planted.parent.mkdir(exist_ok=True)
    with sqlite3.connect(planted) as conn:
        conn.executescript(_DDL + ";\n".join(INDEXES) + ";")
        conn.execute("CREATE TRIGGER t AFTER INSERT ON records BEGIN UPDATE records SET "
                     "value = '29900000000' WHERE seq = new.seq; END")
    for _ in range(2):
        assert _actual(cli, plan_dir) == 15000000000
    with sqlite3.connect(planted) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone() == (0,)


def test_index_cloned_from_another_user_is_rebuilt(cli: Runner, plan_dir: Path,
                                                  tmp_path_factory: pytest.TempPathFactory,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows another user signed with their own key (their tampering, their MACs and stamp),
    copied where this user's index lies, are not this user's: rebuilt, never read."""
    import shutil
    import sqlite3

    from bjtrack.index import sqlite as index
    from bjtrack.index.memo import user_key
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("me")))
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", cwd=plan_dir).code == 0
    assert _actual(cli, plan_dir) == 15000000000
    mine = _indexed(plan_dir)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("stranger")))
    assert _actual(cli, plan_dir) == 15000000000
    theirs, key = _indexed(plan_dir), user_key()
    assert key is not None
    with sqlite3.connect(theirs, isolation_level=None) as conn:  # tampered and re-signed
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("UPDATE records SET value = '29900000000'")
        rows = conn.execute(f"SELECT {index.SIGNED_COLUMNS} FROM records ORDER BY seq")
        conn.execute("UPDATE blocks SET mac = ? WHERE n = 0",
                     (index.block_mac(key, 0, rows.fetchall()),))
    index._restamp(theirs, key)
    assert _actual(cli, plan_dir) == 29900000000  # believed by its own signer
    monkeypatch.setenv("XDG_CACHE_HOME", str(mine.parent.parent.parent))
    for suffix in ("", ".stamp"):
        shutil.copy(f"{theirs}{suffix}", f"{mine}{suffix}")
    assert _actual(cli, plan_dir) == 15000000000


# ----------------------------------------------------------------- smaller findings

def test_byte_order_mark_at_the_start_of_records(cli: Runner, plan_dir: Path) -> None:
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", cwd=plan_dir).code == 0
    records = plan_dir / "records.toml"
    records.write_bytes(b"\xef\xbb\xbf" + records.read_bytes())  # saved by Notepad
    for env in ("0", "1"):  # through the index and without it
        os.environ["BJTRACK_NO_CACHE"] = env
        try:
            assert _actual(cli, plan_dir) == (15000000000 if env == "0" else 16000000000)
            assert cli("check", cwd=plan_dir).code == 0
            assert cli("log", "investment", "160亿", "--date", f"2022-07-0{int(env) + 1}",
                       cwd=plan_dir).code == 0
        finally:
            del os.environ["BJTRACK_NO_CACHE"]


def test_slug_with_a_trailing_newline_is_refused(cli: Runner, plan_dir: Path) -> None:
    result = cli("target", "add", "--id", "x1\n", "--name", "新指标", "--target", "5%",
                 "--start", "2022-01-01", "--due", "2022-12-31", cwd=plan_dir)
    assert result.code != 0 and "x1" in result.out + result.err
    good = cli("target", "add", "--id", "x1", "--name", "新指标", "--target", "5%",
               "--start", "2022-01-01", "--due", "2022-12-31", cwd=plan_dir)
    assert good.code == 0, good.err
    assert 'id = "x1\\n' not in (plan_dir / "targets.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("amount", ["1.234,567", "12.5,000万"])
def test_comma_after_the_decimal_point_is_an_error(cli: Runner, plan_dir: Path,
                                                  amount: str) -> None:
    result = cli("log", "investment", amount, "--date", "2022-06-30", cwd=plan_dir)
    assert result.code != 0 and amount in result.err
    assert not (plan_dir / "records.toml").exists()


def test_records_on_a_fifo_is_refused_at_once(cli: Runner, plan_dir: Path) -> None:
    import time
    os.mkfifo(plan_dir / "records.toml")
    for args in (("status",), ("check",), ("log", "investment", "1亿", "--date", "2022-06-30")):
        started = time.monotonic()
        result = cli(*args, cwd=plan_dir)
        assert time.monotonic() - started < 5
        assert result.code != 0 and "not a plain file" in result.out + result.err, args


def test_symlinked_records_and_plan_are_written_through(cli: Runner, plan_dir: Path) -> None:
    (plan_dir / "data").mkdir()
    real_plan = plan_dir / "data" / "plan.toml"
    (plan_dir / "targets.toml").rename(real_plan)
    (plan_dir / "targets.toml").symlink_to(Path("data") / "plan.toml")
    real_records = plan_dir / "data" / "figures.toml"
    (plan_dir / "records.toml").symlink_to(Path("data") / "figures.toml")
    sheet = plan_dir / "sheet.csv"
    sheet.write_text("指标,日期,数值\ninvestment,2022-03-31,100亿\n"
                     "investment,2022-06-30,150亿\n", encoding="utf-8")
    assert cli("import", str(sheet), cwd=plan_dir).code == 0  # two records: a rename
    added = cli("target", "add", "--id", "jobs", "--name", "新增就业", "--target", "3万人",
                "--start", "2022-01-01", "--due", "2022-12-31", cwd=plan_dir)
    assert added.code == 0, added.err
    import re
    found = re.search(r'id = "(\w+)"', real_records.read_text(encoding="utf-8"))
    assert found is not None
    record = found[1]
    assert cli("amend", record, "120亿", cwd=plan_dir).code == 0
    amended = re.findall(r'id = "(\w+)"', real_records.read_text(encoding="utf-8"))[-1]
    assert cli("rm", amended, cwd=plan_dir).code == 0  # the amendment and what it replaced
    assert (plan_dir / "targets.toml").is_symlink() and (plan_dir / "records.toml").is_symlink()
    assert 'id = "jobs"' in real_plan.read_text(encoding="utf-8")
    assert real_records.read_text(encoding="utf-8").count("\n[[record]]\n") == 5


def test_leftovers_of_killed_runs_are_cleaned(cli: Runner, plan_dir: Path) -> None:
    old = 1_000_000_000.0  # long ago
    leftovers = [plan_dir / ".records.toml.k3j9x2.tmp", plan_dir / ".targets.toml.a8b.tmp",
                 plan_dir / ".targets.toml.q1w2.check"]
    for leftover in leftovers:
        leftover.write_bytes(b"x" * 4096)
        os.utime(leftover, (old, old))
    fresh = plan_dir / ".records.toml.now.tmp"  # another run's, this moment: left alone
    fresh.write_bytes(b"")
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", cwd=plan_dir).code == 0
    assert cli("target", "add", "--id", "jobs", "--name", "新增就业", "--target", "3万人",
               "--start", "2022-01-01", "--due", "2022-12-31", cwd=plan_dir).code == 0
    assert [p.name for p in leftovers if p.exists()] == []
    assert fresh.exists()


def test_many_bad_import_rows_are_summarised(cli: Runner, plan_dir: Path) -> None:
    sheet = plan_dir / "bad.csv"
    sheet.write_text("指标,日期,数值\n" + "investment,2022-06-30,abc\n" * 20_000,
                     encoding="utf-8")
    result = cli("import", str(sheet), cwd=plan_dir)
    assert result.code != 0
    text = result.out + result.err
    assert "19950 more bad rows" in text and "20000 bad rows of 20000" in text
    assert len(text.splitlines()) < 200
    assert not (plan_dir / "records.toml").exists()


@pytest.mark.parametrize("fmt", ["csv", "html"])
def test_export_to_a_terminal_strips_escapes(cli: Runner, plan_dir: Path, fmt: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    note = "清屏\x1b[2J\x07\x1b]0;title\x07"
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", "--note", note,
               cwd=plan_dir).code == 0
    piped = cli("export", "--format", fmt, "--records", cwd=plan_dir)
    assert piped.code == 0 and "\x1b[2J" in piped.out  # a pipe or file: exact
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    shown = cli("export", "--format", fmt, "--records", cwd=plan_dir)
    assert shown.code == 0 and "清屏" in shown.out
    assert "\x1b" not in shown.out and "\x07" not in shown.out


def test_record_in_another_unit_than_its_series_is_reported(cli: Runner,
                                                            plan_dir: Path) -> None:
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", cwd=plan_dir).code == 0
    assert cli("check", cwd=plan_dir).code == 0
    records = plan_dir / "records.toml"
    text = records.read_text(encoding="utf-8")
    records.write_text(text + '\n[[record]]\nid = "byhand01"\nseries = "investment"\n'
                       'date = 2022-07-31\nunit = "美元"\nvalue = "2000000000"\n',
                       encoding="utf-8")
    result = cli("check", cwd=plan_dir)
    assert result.code != 0
    assert "byhand01 is in 美元" in result.out + result.err


_BY_HAND = '''
[[record]]  # by hand
id = "hand0001"
series = "investment"
date = 2022-03-31
note = "粘贴的\u2028文字\u0085和\u2029段落"
value = "10000000000"

[[ record ]]
id = "hand0002"
series = "investment"
date = 2022-06-30
value = "15000000000"
'''


@pytest.mark.parametrize("tail", ["", "\n[[record]]\nid = \"torn0001\"\nseries = \"inv"])
def test_index_and_full_parse_agree_on_hand_written_blocks(plan_dir: Path, tail: str) -> None:
    """Header spellings TOML reads as one, and line separators other than "\\n" in a
    note: the index and the full parse give the same records, torn tail and lines."""
    from bjtrack.files import records as records_file
    from bjtrack.index import cache
    records = plan_dir / "records.toml"
    records.write_text("# by hand\n" + _BY_HAND + tail, encoding="utf-8")
    full = records_file.load_records(records)
    indexed = cache.load_records(records)
    assert [r.id for r in full.records] == ["hand0001", "hand0002"]
    assert full.records == indexed.records
    assert [r.origin.line for r in full.records if r.origin] == [3, 10]
    assert (full.torn is None) == (tail == "") and full.torn == indexed.torn
    if tail:
        assert full.torn is not None and full.torn.line == 16


@pytest.mark.parametrize("option", ["--note", "--source", "--by"])
def test_text_options_not_utf8_are_an_error(cli: Runner, plan_dir: Path, option: str) -> None:
    bad = b"ab\xffcd".decode("utf-8", "surrogateescape")  # as Python hands it over
    result = cli("log", "investment", "1亿", "--date", "2022-02-01", option, bad, cwd=plan_dir)
    assert result.code == 2 and "not UTF-8" in result.err
    assert not (plan_dir / "records.toml").exists()


@pytest.mark.parametrize("args", [
    ("target", "add", "--id", "x1", "--name", "测试", "--target", "3亿", "--start", "2022",
     "--due", "2022-12-31", "--group", "{bad}"),
    ("log", "{bad}", "1亿"),
    ("log", "investment", "1亿", "--source={bad}")])
def test_no_argument_not_utf8_reaches_a_file(cli: Runner, plan_dir: Path,
                                             args: tuple[str, ...]) -> None:
    """Any argument, not only the text options: --group, a positional, --x=VALUE."""
    bad = b"ab\xffcd".decode("utf-8", "surrogateescape")
    plan = (plan_dir / "targets.toml").read_bytes()
    result = cli(*(arg.replace("{bad}", bad) for arg in args), cwd=plan_dir)
    assert result.code == 2 and "not UTF-8" in result.err and "ab\ufffdcd" in result.err
    assert "Traceback" not in result.err
    assert (plan_dir / "targets.toml").read_bytes() == plan
    assert not (plan_dir / "records.toml").exists()


@pytest.mark.parametrize("where", ["targets.toml", "records.toml"])
def test_brackets_nested_too_deep_are_a_toml_error(cli: Runner, plan_dir: Path,
                                                   where: str) -> None:
    deep = "x = " + "[" * 600 + "]" * 600 + "\n"
    path = plan_dir / where
    path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + deep,
                    encoding="utf-8")
    for command in ("status", "check"):
        result = cli(command, cwd=plan_dir)
        assert result.code != 0 and "nested too deeply" in result.out + result.err, command


def test_xlsx_export_of_a_note_with_controls(cli: Runner, plan_dir: Path) -> None:
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", "--note",
               "响铃\x07转义\x1b[2J", cwd=plan_dir).code == 0
    out = plan_dir / "report.xlsx"
    result = cli("export", "--format", "xlsx", "--records", "-o", str(out), cwd=plan_dir)
    assert result.code == 0, result.err
    from openpyxl import load_workbook
    cells = [c.value for sheet in load_workbook(out) for row in sheet.iter_rows()
             for c in row if isinstance(c.value, str)]
    assert "响铃转义[2J" in cells


def test_exported_long_note_imports_back(cli: Runner, plan_dir: Path,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    note = "长" * 200_000  # 600 KB in UTF-8: over csv's 128 KB field limit
    assert cli("log", "investment", "150亿", "--date", "2022-06-30", "--note", note,
               cwd=plan_dir).code == 0
    sheet = plan_dir / "out.csv"
    exported = cli("export", "--format", "csv", "--records", "-o", str(sheet), cwd=plan_dir)
    assert exported.code == 0, exported.err
    other = tmp_path_factory.mktemp("other")
    from conftest import SMALL_PLAN
    (other / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
    result = cli("import", str(sheet), cwd=other)
    assert result.code == 0, result.err
    assert note in (other / "records.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("dates", ['every = "year"\nstart = 9999-01-01',
                                   'derive = "yoy"\nseries = "gdp"\nstart = "0001"'])
def test_plan_dates_at_the_ends_of_the_calendar(cli: Runner, tmp_path: Path,
                                                dates: str) -> None:
    (tmp_path / "targets.toml").write_text(
        f'[[target]]\nid = "rev"\nname = "收入"\ntarget = "5%"\nkind = "rate"\n{dates}\n\n'
        '[[target]]\nid = "gdp"\nname = "地区生产总值"\nunit = "亿元"\n', encoding="utf-8")
    for command in ("check", "status"):
        result = cli(command, cwd=tmp_path)
        assert result.code != 0 and "between the years 1000 and 9000" in \
            result.out + result.err, command


# ----------------------------------------------------------------- the index's stamp

def _cache(plan_dir: Path) -> Path:
    return plan_dir / ".bjtrack-cache"


def _append_figures(plan_dir: Path, count: int, start: int) -> None:
    """Figures appended to the records file as `log` writes them (ids r<n>), many at once,
    so that the index next adds them as one append."""
    with (plan_dir / "records.toml").open("a", encoding="utf-8") as handle:
        for n in range(start, start + count):
            handle.write(f'\n[[record]]\nid = "r{n}"\nseries = "firms-total"\n'
                         f'date = {2000 + n // 12}-{n % 12 + 1:02d}-28\nvalue = "{n}"\n')


def test_index_left_by_this_user_is_stamped_and_read_as_is(cli: Runner, plan_dir: Path
                                                            ) -> None:
    """A command that lets go of the index stamps it; an index whose stamp is gone is
    checked block by block (every block of an index grown by appends, across block
    boundaries, holds its MAC, so it is kept, not rebuilt) and stamped again."""
    from bjtrack.index.sqlite import BLOCK
    assert cli("log", "investment", "100亿", "--date", "2022-03-31", cwd=plan_dir).code == 0
    assert cli("status", cwd=plan_dir).code == 0
    db = _indexed(plan_dir)
    stamp = Path(f"{db}.stamp")
    assert stamp.is_file()
    at = 0
    for count in (3, BLOCK, 2 * BLOCK + 7, 1):  # each added by the next command's update
        _append_figures(plan_dir, count, at)
        at += count
        assert cli("history", "firms-total", cwd=plan_dir).code == 0
    import sqlite3
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == at + 1
    baseline = cli("history", "firms-total", "--format", "json", cwd=plan_dir).out
    inode = db.stat().st_ino
    stamp.unlink()
    assert cli("history", "firms-total", "--format", "json", cwd=plan_dir).out == baseline
    assert db.stat().st_ino == inode, "a sound index was rebuilt"
    assert stamp.is_file()


def test_index_opened_again_while_open_is_still_trusted(cli: Runner, plan_dir: Path
                                                      ) -> None:
    """Opening the index creates an empty WAL beside it, which changes nothing it says:
    a second opening meanwhile (`log` opens it to decide, then again under the lock; or
    another command reading at the same time) still trusts its stamp and checks no block."""
    from bjtrack.index import cache, sqlite
    assert cli("log", "investment", "100亿", "--date", "2022-03-31", cwd=plan_dir).code == 0
    records = plan_dir / "records.toml"
    an_hour_ago = time.time() - 3600  # (a file written just now is checked again anyway)
    os.utime(records, (an_hour_ago, an_hour_ago))
    for _ in range(2):  # the index brought up to date, stamped, its WAL gone
        assert cli("status", cwd=plan_dir).code == 0
    first = cache.open_index(records)
    assert first is not None
    try:
        second = cache.open_index(records)
        assert second is not None
        with second:
            assert sqlite.trusted(second._conn)
    finally:
        first.close()


@pytest.mark.parametrize("how", ["mtime put back", "forged stamp"])
def test_index_changed_behind_its_stamp_is_checked(cli: Runner, plan_dir: Path, how: str
                                                   ) -> None:
    import sqlite3
    for day, amount in (("2022-03-31", "100亿"), ("2022-06-30", "150亿")):
        assert cli("log", "investment", amount, "--date", day, cwd=plan_dir).code == 0
    assert _actual(cli, plan_dir) == 15000000000
    db = _indexed(plan_dir)
    stamp = Path(f"{db}.stamp")
    before = db.stat()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # all in the file, no log beside it
        conn.execute("UPDATE records SET value = '29900000000' WHERE value = '15000000000'")
    if how == "mtime put back":  # the change time still moves: it cannot be set back
        os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        stamp.write_text("0" * 32, encoding="ascii")
    assert _actual(cli, plan_dir) == 15000000000
    history = cli("history", "investment", cwd=plan_dir)
    assert "150亿元" in history.out and "299" not in history.out


# ----------------------------------------------------------------- the person's records file

@pytest.mark.parametrize("how", ["option", "environment"])
def test_records_file_chosen_by_the_person_may_lie_anywhere(
        cli: Runner, plan_dir: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """`--records-file PATH` or BJTRACK_RECORDS: the person's own choice, unlike a plan's
    `records`, may name a file outside the plan's folder. It is read in full (no index, no
    folder made beside it); the plan's own records file is left alone."""
    import json
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    chosen = elsewhere / "mine.toml"
    root: tuple[str, ...] = ()
    if how == "option":
        root = ("--records-file", str(chosen))
    else:
        monkeypatch.setenv("BJTRACK_RECORDS", str(chosen))
    _plan_naming(plan_dir, "../not-used.toml")  # outside the folder, but not in use
    logged = cli(*root, "log", "investment", "150亿", "--date", "2022-06-30", cwd=plan_dir)
    assert logged.code == 0, logged.err
    assert "150亿元" in cli(*root, "history", "investment", cwd=plan_dir).out
    status = cli(*root, "status", "--format", "json", cwd=plan_dir)
    assert status.code == 0, status.err
    actual = {t["id"]: t["actual"] for t in json.loads(status.out)["targets"]}
    assert actual["investment"] == 15000000000
    assert cli(*root, "check", cwd=plan_dir).code == 0
    assert f"records\t{chosen}" in cli(*root, "where", cwd=plan_dir).out
    assert sorted(p.name for p in elsewhere.iterdir()) == ["mine.toml", "mine.toml.lock"]
    assert not (plan_dir / "records.toml").exists()
    monkeypatch.delenv("BJTRACK_RECORDS", raising=False)
    refused = cli("status", cwd=plan_dir)  # the plan's own choice again: refused
    assert refused.code != 0 and "outside the plan's folder" in refused.err


def test_chosen_records_file_and_the_plans_own_do_not_mix(cli: Runner, plan_dir: Path,
                                                        tmp_path_factory:
                                                        pytest.TempPathFactory) -> None:
    """The remembered plan and the index are the plan's: a run with another records file
    neither reads them as its own nor changes them."""
    import json
    chosen = tmp_path_factory.mktemp("elsewhere") / "mine.toml"

    def actual(*root: str) -> object:
        result = cli(*root, "status", "--format", "json", cwd=plan_dir)
        assert result.code == 0, result.err
        return next(t for t in json.loads(result.out)["targets"]
                    if t["id"] == "investment")["actual"]

    assert cli("log", "investment", "100亿", "--date", "2022-03-31", cwd=plan_dir).code == 0
    assert cli("--records-file", str(chosen), "log", "investment", "150亿", "--date",
               "2022-06-30", cwd=plan_dir).code == 0
    for _ in range(2):
        assert actual() == 10000000000
        assert actual("--records-file", str(chosen)) == 15000000000
