"""Each case of the README's "Exit codes" table, run through the CLI: the exit code, and a
message that names what is wrong (the option, the file, the target, the record)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from bjtrack.domain.dates import parse_date
from bjtrack.domain.model import Record
from bjtrack.files import writing
from conftest import REPO, Runner

NEW = ("target", "add", "--name", "某指标", "--target", "10亿元", "--start", "2022-01-01",
       "--due", "2022-12-31")


def _broken_plan(folder: Path) -> None:
    (folder / "targets.toml").write_text('[plan]\nname = "x\n', encoding="utf-8")


def _logged(folder: Path) -> None:
    """Two records whose ids share a prefix; investment is behind on 2022-07-01."""
    path = folder / "records.toml"
    for rid, day in (("abc111", "2022-03-31"), ("abc222", "2022-04-30")):
        writing.append_record(path, Record(id=rid, series="investment", date=parse_date(day),
                                           value=Decimal(1_000_000_000), unit="元"))


def _bad_sheet(folder: Path) -> None:
    (folder / "bad.csv").write_text("指标,日期,数值\ninvestment,2022-06,一百亿\n",
                                    encoding="utf-8")


def _retracted(folder: Path) -> None:
    _logged(folder)
    retraction = Record(id="abc333", series="investment", date=None, value=None,
                        retracts="abc111", by="amy")
    writing.append_record(folder / "records.toml", retraction)


def _old_workbook(folder: Path) -> None:
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")


def _report(folder: Path) -> None:
    (folder / "out.md").write_text("old\n", encoding="utf-8")


def _plan_text(folder: Path) -> None:
    (folder / "plan.txt").write_text("今年新增企业1.5万家。\n", encoding="utf-8")


def _no_plan(folder: Path) -> None:
    (folder / "targets.toml").unlink()


@dataclass(frozen=True)
class Case:
    readme: str  # the words of the README's row that name this case
    args: tuple[str, ...]
    code: int
    en: str  # what the English message says (naming the option, file, target or record)
    zh: str = ""  # what the Chinese one says, for the cases run in both languages
    setup: Callable[[Path], None] | None = field(default=None)
    labelled: bool = True  # said as an error (check lists problems, then counts them)


CASES = [
    Case("done", ("status", "--as-of", "2022-07-01"), 0, ""),
    Case("a file is malformed or invalid", ("status",), 1, "targets.toml:2:",
         "targets.toml:2:", setup=_broken_plan),
    Case("`check` found problems", ("check",), 1, "1 problem found", "发现 1 个问题",
         setup=_broken_plan, labelled=False),
    Case("an import with bad rows", ("import", "bad.csv"), 1, "bad.csv: row 2",
         setup=_bad_sheet),
    Case("nothing to undo", ("undo", "--by", "nobody"), 1, "no current record logged by nobody",
         "没有可撤销的记录（记录人 nobody）"),
    Case("`init` or `extract -o` would overwrite", ("init", "."), 1,
         "targets.toml: already exists"),
    Case("`init` or `extract -o` would overwrite",
         ("extract", "plan.txt", "-o", "targets.toml"), 1, "targets.toml: already exists",
         "targets.toml: 文件已存在", setup=_plan_text),
    Case("an unknown command", ("stat",), 2, "no such command: 'stat'",
         "没有这个命令：'stat'"),
    Case("option", ("status", "--bogus"), 2, "no such option: --bogus", "没有这个选项：--bogus"),
    Case("or target", ("log", "investmnt", "1亿"), 2, "unknown target 'investmnt'",
         "未知的目标“investmnt”"),
    Case("a missing argument", ("log", "investment"), 2, "missing argument 'value'",
         "缺少参数 'value'"),
    Case("a bad option value", ("status", "--format", "yaml"), 2,
         "invalid value for '--format': 'yaml' is not one of", "'--format' 的值无效：'yaml'"),
    Case("a bad option value", ("status", "--group", "nogroup"), 2, "--group: no group 'nogroup'",
         "--group: 没有分组“nogroup”"),
    Case("a bad option value", ("init", "fresh", "--example", "nowhere"), 2,
         "--example: no example named 'nowhere'"),
    Case("the message names the option", ("status", "--as-of", "someday"), 2,
         "--as-of: cannot read date 'someday'", "--as-of: 无法识别日期“someday”"),
    Case("a `target add` whose options make an invalid target", (*NEW, "--id", "Bad_ID"), 2,
         "--id: id 'Bad_ID' is not a lowercase slug", "--id: id 'Bad_ID' 不是小写短名"),
    Case("a `target add` whose options make an invalid target", (*NEW, "--id", "x",
                                                                  "--kind", "stock"), 2,
         "--kind: kind must be"),
    Case("repeat an existing id", (*NEW, "--id", "investment"), 2,
         "--id: target id 'investment' already exists"),
    Case("no plan file found", ("status",), 2, "no targets.toml in this folder or any parent",
         "当前文件夹及其上级都没有 targets.toml", setup=_no_plan),
    Case("a file to import or extract from that does not exist", ("import", "nothing.csv"), 2,
         "nothing.csv: file not found"),
    Case("a file to import or extract from that does not exist", ("extract", "nothing.txt"), 2,
         "nothing.txt: file not found"),
    Case("an amount or date that cannot be read", ("log", "investment", "一百亿"), 2,
         "cannot read amount '一百亿'", "无法识别金额“一百亿”"),
    Case("an amount or date that cannot be read",
         ("log", "investment", "1亿", "--date", "next june"), 2,
         "--date: cannot read date 'next june'", "--date: 无法识别日期“next june”"),
    Case("a unit mismatch", ("log", "investment", "5万人", "--date", "2022-06"), 2,
         "unit mismatch: got 5万人", "单位不符：输入的是 5万人"),
    Case("an unknown or ambiguous record id", ("rm", "zzz"), 2, "no record 'zzz'",
         "没有编号为“zzz”的记录"),
    Case("an unknown or ambiguous record id", ("rm", "abc"), 2,
         "'abc' matches several records: abc111, abc222", setup=_logged),
    Case("a file to import of a kind bjtrack does not read (`.xls`)", ("import", "old.xls"), 2,
         "old.xls: old .xls workbooks cannot be read", setup=_old_workbook),
    Case("a record already retracted", ("rm", "abc111"), 2,
         "record abc111 was already retracted by", setup=_retracted),
    Case("`--revise` with nothing to revise",
         ("log", "investment", "1亿", "--date", "2022-06", "--revise"), 2,
         "nothing to revise: no record of 'investment' dated 2022-06-30"),
    Case("a figure `log` refuses without `--force` or `--exact`",
         ("log", "investment", "1亿", "--date", "2030-01"), 2, "add --force"),
    Case("a figure `log` refuses without `--force` or `--exact`",
         ("log", "investment", "1", "--date", "2022-06"), 2, "add --exact"),
    Case("an export that would replace a file without `--force`", ("export", "-o", "out.md"), 2,
         "out.md: already exists", setup=_report),
    Case("found targets in that state", ("status", "--fail-on", "behind", "--as-of",
                                         "2022-07-01"), 3, "", setup=_logged),
]


def _readme_rows() -> dict[int, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    rows = [re.match(r"\| (\d+) \| (.*) \|$", line) for line in table.splitlines()[2:]]
    return {int(row[1]): row[2] for row in rows if row}


def test_the_readme_table_is_the_one_tested() -> None:
    rows = _readme_rows()
    assert sorted(rows) == [0, 1, 2, 3, 130]
    for case in CASES:
        assert case.readme in rows[case.code], (case.code, case.readme)


@pytest.mark.parametrize("case", CASES, ids=[
    " ".join(c.args).replace(" ".join(NEW), "target add …")[:40] for c in CASES])
def test_each_case_of_the_readme_table(cli: Runner, plan_dir: Path, case: Case) -> None:
    if case.setup is not None:
        case.setup(plan_dir)
    langs = [("en", case.en), ("zh", case.zh)] if case.zh else [("en", case.en)]
    for lang, words in langs:
        result = cli("--lang", lang, *case.args, cwd=plan_dir)
        assert result.code == case.code, (lang, result.err)
        if case.code in (1, 2):
            label = "错误：" if lang == "zh" else "error: "
            assert words in result.err, (lang, result.err)
            assert (label in result.err) == case.labelled, (lang, result.err)
        else:
            assert "error" not in result.err and "错误" not in result.err, result.err


def test_ctrl_c_while_the_program_loads_is_no_traceback(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    """Ctrl-C before the error boundary exists (Python still loading the command-line
    framework): exit 130 as after it, and nothing on the screen but the shell's ^C."""
    import gc
    import importlib.abc
    import sys

    from bjtrack import launch

    class Interrupted(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, *_: object) -> None:
            if name == "bjtrack.cli.main":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "bjtrack.cli.main")
    monkeypatch.setattr(sys, "meta_path", [Interrupted(), *sys.meta_path])
    monkeypatch.setattr(sys, "argv", ["bjtrack", "status"])
    threshold = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as exited:
            launch.main()
    finally:
        gc.set_threshold(*threshold)
    assert exited.value.code == 130
    assert capsys.readouterr() == ("", "")
