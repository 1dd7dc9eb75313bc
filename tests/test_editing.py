"""init, target add/edit, where, and corrections that keep history (undo, amend, rm)."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from bjtrack.domain.dates import parse_date
from bjtrack.domain.errors import BjtrackError, Problem
from bjtrack.domain.model import Record
from bjtrack.files import plan as plan_file
from bjtrack.files import records as records_file
from bjtrack.files import writing
from bjtrack.ops import plan_edit
from bjtrack.render.words import Words
from conftest import REPO, Runner, records_text

PACKAGED = REPO / "src" / "bjtrack" / "examples"

ENGLISH = Words("en")  # problems carry keys; the tests read them in English


def add_investment(cli: Runner, folder: Path, *extra: str) -> None:
    result = cli("--lang", "en", "target", "add", "--id", "investment", "--name", "区内全年投资",
                 "--target", "300亿元", "--comparison", ">", "--start", "2022-01-01",
                 "--due", "2022-12-31", *extra, cwd=folder)
    assert result.code == 0, result.err


def log(cli: Runner, folder: Path, value: str, day: str, by: str = "amy") -> str:
    result = cli("--lang", "en", "log", "investment", value, "--date", day, "--by", by,
                 cwd=folder)
    assert result.code == 0, result.err
    found = re.search(r"\[(\w+)\]", result.out)
    assert found, result.out
    return found[1]


def status_actual(cli: Runner, folder: Path) -> object:
    result = cli("status", "--as-of", "2022-08-01", "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    return json.loads(result.out)["targets"][0]["actual"]


# --------------------------------------------------------------------------- init

def test_init_blank_writes_a_plan_records_and_git_settings(cli: Runner, tmp_path: Path) -> None:
    result = cli("--lang", "en", "init", "myplan", cwd=tmp_path)
    assert result.code == 0, result.err
    folder = tmp_path / "myplan"
    for name in ("targets.toml", "records.toml", ".gitattributes", ".gitignore"):
        assert f"created myplan/{name}" in result.err
    assert result.out == ""
    assert "records.toml merge=union" in (folder / ".gitattributes").read_text().splitlines()
    assert (folder / ".gitignore").read_text().splitlines() == ["*.lock", ".bjtrack-cache/"]
    assert (folder / "records.toml").read_text(encoding="utf-8") == records_file.RECORDS_HEADER
    assert (folder / "targets.toml").stat().st_mode & 0o044  # readable by the team, not 0600
    checked = cli("check", cwd=folder)
    assert checked.code == 0, checked.err
    assert "0 targets, 0 records, no problems" in checked.err


def test_init_in_chinese(cli: Runner, tmp_path: Path) -> None:
    result = cli("--lang", "zh", "init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "已创建 targets.toml" in result.err and "下一步：bjtrack target add" in result.err


def test_blank_plan_explains_every_key(tmp_path: Path) -> None:
    plan_edit.init_plan(tmp_path, name='名 "quoted"')
    text = (tmp_path / "targets.toml").read_text(encoding="utf-8")
    commented = set(re.findall(r"^#\s*(\w+)\s*=", text, re.M))
    assert plan_file.TARGET_KEYS <= commented, plan_file.TARGET_KEYS - commented
    assert (plan_file.PLAN_KEYS - {"name"}) <= commented, plan_file.PLAN_KEYS - commented
    assert plan_file.load_plan(tmp_path / "targets.toml").name == '名 "quoted"'


def test_init_refuses_to_overwrite(cli: Runner, plan_dir: Path) -> None:
    before = (plan_dir / "targets.toml").read_bytes()
    for lang, words in (("en", "already exists; not overwritten"), ("zh", "文件已存在，未覆盖")):
        result = cli("--lang", lang, "init", cwd=plan_dir)
        assert result.code == 1
        assert f"targets.toml: {words}" in result.err
    assert (plan_dir / "targets.toml").read_bytes() == before
    assert not (plan_dir / "records.toml").exists()
    assert not (plan_dir / ".gitattributes").exists()


def test_init_refuses_when_only_records_exist(cli: Runner, tmp_path: Path) -> None:
    (tmp_path / "records.toml").write_text("# mine\n", encoding="utf-8")
    result = cli("--lang", "en", "init", cwd=tmp_path)
    assert result.code == 1 and "records.toml: already exists" in result.err
    assert (tmp_path / "records.toml").read_text() == "# mine\n"
    assert not (tmp_path / "targets.toml").exists()


def test_init_keeps_existing_git_settings(cli: Runner, tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("build/", encoding="utf-8")
    (tmp_path / ".gitattributes").write_text("records.toml merge=union\n", encoding="utf-8")
    result = cli("--lang", "en", "init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert (tmp_path / ".gitignore").read_text() == "build/\n*.lock\n.bjtrack-cache/\n"
    assert "added a line to .gitignore" in result.err
    assert (tmp_path / ".gitattributes").read_text() == "records.toml merge=union\n"
    assert ".gitattributes" not in result.err


def test_packaged_example_is_the_shipped_plan() -> None:
    assert (PACKAGED / "binjiang-2022.toml").read_bytes() == (REPO / "targets.toml").read_bytes()
    assert (PACKAGED / "binjiang-2022.records.toml").read_bytes() == \
        (REPO / "records.toml").read_bytes()


def test_init_example_gives_the_shipped_status(cli: Runner, tmp_path: Path, shipped: Path
                                              ) -> None:
    result = cli("init", "--example", "binjiang-2022", str(tmp_path / "new"), cwd=tmp_path)
    assert result.code == 0, result.err
    fresh = cli("status", "--as-of", "2022-08-01", "--format", "json", cwd=tmp_path / "new")
    original = cli("status", "--as-of", "2022-08-01", "--format", "json", cwd=shipped)
    assert fresh.code == 0 and fresh.out == original.out
    assert len(json.loads(fresh.out)["targets"]) >= 12


def test_init_bad_choices_are_usage_errors(cli: Runner, tmp_path: Path) -> None:
    both = cli("--lang", "en", "init", "--example", "binjiang-2022", "--blank", cwd=tmp_path)
    assert both.code == 2 and "--example and --blank cannot be used together" in both.err
    unknown = cli("--lang", "zh", "init", "--example", "nowhere", cwd=tmp_path)
    assert unknown.code == 2 and "没有名为“nowhere”的示例" in unknown.err
    assert "binjiang-2022" in unknown.err
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- target add

def test_target_add_appends_and_keeps_comments(cli: Runner, plan_dir: Path) -> None:
    path = plan_dir / "targets.toml"
    path.write_text("# my notes about the plan\n" + path.read_text(encoding="utf-8") +
                    "# trailing remark, no newline", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    result = cli("--lang", "en", "target", "add", "--id", "new-firms", "--name", "今年新增企业",
                 "--target", "1.5万家", "--start", "2022-01-01", "--due", "2022年",
                 "--group", "产业", "--quote", '今年新增企业1.5万家 "quoted"', cwd=plan_dir)
    assert result.code == 0, result.err
    assert "added target new-firms (今年新增企业, ≥ 1.5万家) to targets.toml" in result.out
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before + "\n")
    block = after[len(before):]
    assert block == ('\n\n[[target]]\nid = "new-firms"\nname = "今年新增企业"\n'
                     'target = "1.5万家"\nstart = 2022-01-01\ndue = 2022-12-31\n'
                     'group = "产业"\nquote = "今年新增企业1.5万家 \\"quoted\\""\n')
    listed = json.loads(cli("targets", "--format", "json", cwd=plan_dir).out)
    assert [t["id"] for t in listed][-1] == "new-firms"
    logged = cli("--lang", "en", "log", "new-firms", "8000", "--date", "2022-06", cwd=plan_dir)
    assert logged.code == 0 and "今年新增企业 8000家 as of 2022-06-30" in logged.out


def test_target_add_in_chinese(cli: Runner, plan_dir: Path) -> None:
    result = cli("--lang", "zh", "target", "add", "--id", "talent", "--name", "全年引进人才",
                 "--target", "3.8万人", "--start", "2022-01-01", "--due", "2022-12-31",
                 cwd=plan_dir)
    assert result.code == 0, result.err
    assert "已添加目标 talent（全年引进人才，3.8万人）到 targets.toml" in result.out


@pytest.mark.parametrize(("args", "code", "words"), [
    (("--id", "investment"), 2, "--id: target id 'investment' already exists"),
    (("--id", "late", "--due", "2021-12-31"), 2,
     "--due: target 'late': due 2021-12-31 is before start 2022-01-01"),
    (("--id", "Bad Id"), 2, "--id: id 'Bad Id' is not a lowercase slug"),
    (("--id", "money", "--target", "三百亿"), 2, "--target: cannot read amount '三百亿'"),
    (("--id", "when", "--start", "soon"), 2, "--start: cannot read date 'soon'"),
    (("--id", "approx", "--comparison", "=>"), 2, "--comparison: comparison must be one of"),
    (("--id", "kinded", "--kind", "stock"), 2, "--kind: kind must be"),
    (("--id", "based", "--baseline", "some"), 2, "--baseline: cannot read amount 'some'"),
])
def test_target_add_rejects_bad_input_and_leaves_the_plan(
        cli: Runner, plan_dir: Path, args: tuple[str, ...], code: int, words: str) -> None:
    path = plan_dir / "targets.toml"
    before = path.read_bytes()
    fields = {"--id": "x", "--name": "某指标", "--target": "10亿元", "--start": "2022-01-01",
              "--due": "2022-12-31"}
    fields.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [part for pair in fields.items() for part in pair]
    result = cli("--lang", "en", "target", "add", *flat, cwd=plan_dir)
    assert result.code == code, result.err
    assert result.err.startswith(f"error: {words}"), result.err
    assert "targets.toml:" not in result.err  # a line the person never wrote
    assert "Traceback" not in result.err
    assert path.read_bytes() == before
    assert [p.name for p in plan_dir.iterdir() if p.name.startswith(".")] == []


def test_target_add_problem_names_the_option(cli: Runner, plan_dir: Path) -> None:
    """The new target is checked by the plan reader, which places a problem at a line of
    targets.toml: the person typed an option, and the message names that option."""
    result = cli("--lang", "zh", "target", "add", "--id", "Late", "--name", "迟到",
                 "--target", "1亿元", "--start", "2022-06-01", "--due", "2022-01-01",
                 cwd=plan_dir)
    assert result.code == 2
    assert result.err.startswith("错误：--id: id 'Late' 不是小写短名")
    assert "\n错误：--due: 目标 'Late'：截止日期 2022-01-01 早于开始日期 2022-06-01" in result.err
    assert "targets.toml" not in result.err


def test_target_add_without_a_terminal_needs_the_required_options(cli: Runner, plan_dir: Path
                                                                   ) -> None:
    result = cli("--lang", "en", "target", "add", "--id", "x", "--name", "某指标", cwd=plan_dir)
    assert result.code == 2
    assert "missing required options: --target, --start, --due" in result.err
    zh = cli("--lang", "zh", "target", "add", cwd=plan_dir)
    assert zh.code == 2 and "缺少必填项：--id, --name, --target, --start, --due" in zh.err


# --------------------------------------------------------------------------- target edit

FAKE_EDITOR = """\
import sys
from pathlib import Path
args = sys.argv[1:]
Path({log!r}).write_text(" ".join(args), encoding="utf-8")
path = Path(args[-1])
text = path.read_text(encoding="utf-8")
path.write_text(text.replace({old!r}, {new!r}), encoding="utf-8")
sys.exit({status})
"""


def fake_editor(folder: Path, old: str, new: str, status: int = 0, name: str = "vi") -> str:
    """An $EDITOR that records its arguments and replaces `old` by `new` in the file."""
    script = folder / f"{name}"
    script.write_text(FAKE_EDITOR.format(log=str(folder / "editor.log"), old=old, new=new,
                                         status=status), encoding="utf-8")
    return f"{sys.executable} {script}"


def test_target_edit_opens_the_editor_at_the_target(cli: Runner, plan_dir: Path,
                                                    tmp_path_factory: pytest.TempPathFactory
                                                    ) -> None:
    tools = tmp_path_factory.mktemp("tools")
    # the editor is "vi" by name, so it is given +LINE
    script = tools / "vi"
    script.write_text(f"#!{sys.executable}\n" + FAKE_EDITOR.format(
        log=str(tools / "editor.log"), old='"8.2万家"', new='"8.5万家"', status=0),
        encoding="utf-8")
    script.chmod(0o755)
    text = (plan_dir / "targets.toml").read_text(encoding="utf-8")
    line = text[: text.index('id = "firms-total"')].count("\n")  # the [[target]] line
    before_mode = (plan_dir / "targets.toml").stat().st_mode
    result = cli("--lang", "en", "target", "edit", "firms", cwd=plan_dir,
                 env={"EDITOR": str(script), "VISUAL": "", "PATH": f"{Path(sys.executable).parent}"
                      f":{tools}:/usr/bin:/bin"})
    assert result.code == 0, result.err
    assert "saved targets.toml" in result.err
    args = (tools / "editor.log").read_text(encoding="utf-8").split()
    assert args[0] == f"+{line}"
    assert Path(args[1]).parent == plan_dir and Path(args[1]).name != "targets.toml"
    assert not Path(args[1]).exists()  # the copy is cleaned up
    assert '"8.5万家"' in (plan_dir / "targets.toml").read_text(encoding="utf-8")
    assert (plan_dir / "targets.toml").stat().st_mode == before_mode
    shown = cli("--lang", "en", "targets", cwd=plan_dir)
    assert "8.5万家" in shown.out


def test_target_edit_never_leaves_an_invalid_plan(cli: Runner, plan_dir: Path) -> None:
    before = (plan_dir / "targets.toml").read_bytes()
    editor = fake_editor(plan_dir.parent, 'due = 2022-12-31', 'due = 2021-12-31',
                         name="other-editor")
    result = cli("--lang", "en", "target", "edit", "investment", cwd=plan_dir,
                 env={"EDITOR": editor, "VISUAL": ""})
    assert result.code == 1
    assert "is before start" in result.err
    assert "invalid edit; the plan is unchanged" in result.err
    kept = re.search(r"your edits are kept in (\S+)", result.err)
    assert kept and "due = 2021-12-31" in Path(kept[1]).read_text(encoding="utf-8")
    assert (plan_dir / "targets.toml").read_bytes() == before
    # other-editor is not known to take +LINE: only the file is passed
    assert (plan_dir.parent / "editor.log").read_text(encoding="utf-8").count(" ") == 0


def test_target_edit_editor_failure_and_no_change(cli: Runner, plan_dir: Path) -> None:
    before = (plan_dir / "targets.toml").read_bytes()
    failing = fake_editor(plan_dir.parent, "x", "y", status=3, name="failing")
    result = cli("--lang", "zh", "target", "edit", "investment", cwd=plan_dir,
                 env={"EDITOR": failing, "VISUAL": ""})
    assert result.code == 1 and "编辑器异常退出（状态 3），计划未改动" in result.err
    assert result.err.count("计划未改动") == 1  # said once, not again as the hint
    same = fake_editor(plan_dir.parent, "nothing-here", "x", name="same")
    result = cli("--lang", "en", "target", "edit", "investment", cwd=plan_dir,
                 env={"EDITOR": same, "VISUAL": ""})
    assert result.code == 0 and "no changes" in result.err
    assert (plan_dir / "targets.toml").read_bytes() == before
    assert sorted(p.name for p in plan_dir.iterdir()) == ["targets.toml"]


def test_edit_plan_reopens_until_valid(plan_dir: Path) -> None:
    path = plan_dir / "targets.toml"
    saves = ['name = "区内全年投资"\nbroken = [', 'name = "全区投资"']
    lines: list[int] = []

    def run_editor(copy: Path, line: int) -> int:
        lines.append(line)
        text = path.read_text(encoding="utf-8")
        copy.write_text(text.replace('name = "区内全年投资"', saves[len(lines) - 1]),
                        encoding="utf-8")
        return 0

    asked: list[Sequence[Problem]] = []

    def retry(problems: Sequence[Problem]) -> bool:
        asked.append(problems)
        return True

    result = plan_edit.edit_plan(path, 5, run_editor, retry)
    assert result.changed and len(asked) == 1
    assert "malformed TOML" in ENGLISH.text(asked[0][0]) and asked[0][0].file == str(path)
    assert lines[0] == 5 and lines[1] == asked[0][0].line  # re-opened at the problem
    assert plan_file.load_plan(path).by_id("investment").name == "全区投资"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- where

def test_where_prints_the_files_in_use(cli: Runner, plan_dir: Path) -> None:
    sub = plan_dir / "sub"
    sub.mkdir()
    en = cli("--lang", "en", "where", cwd=sub)
    assert en.code == 0
    assert en.out == (f"plan\t{plan_dir / 'targets.toml'}\n"
                      f"records\t{plan_dir / 'records.toml'} (not created yet)\n")
    (plan_dir / "records.toml").write_text(records_file.RECORDS_HEADER, encoding="utf-8")
    zh = cli("--lang", "zh", "where", cwd=sub)
    assert zh.out == (f"计划文件\t{plan_dir / 'targets.toml'}\n"
                      f"记录文件\t{plan_dir / 'records.toml'}\n")
    other = cli("--lang", "en", "--file", str(plan_dir / "targets.toml"), "where", cwd=sub.parent)
    assert other.out.startswith(f"plan\t{plan_dir / 'targets.toml'}\n")
    missing = cli("--lang", "en", "where", cwd=plan_dir.parent)
    assert missing.code == 2 and "no targets.toml in this folder or any parent" in missing.err


# --------------------------------------------------------------------------- corrections

def test_undo_retracts_my_last_figure_and_keeps_it_on_file(cli: Runner, plan_dir: Path) -> None:
    first = log(cli, plan_dir, "150亿", "2022-06")
    second = log(cli, plan_dir, "160亿", "2022-07")
    other = log(cli, plan_dir, "1亿", "2022-05", by="bob")
    assert status_actual(cli, plan_dir) == 16000000000
    before = records_text(plan_dir)
    result = cli("--lang", "en", "undo", "--by", "amy", "--why", "typo", cwd=plan_dir)
    assert result.code == 0, result.err
    assert f"retracted 区内全年投资 160亿元 as of 2022-07-31 [{second}]" in result.out
    assert status_actual(cli, plan_dir) == 15000000000
    after = records_text(plan_dir)
    assert after.startswith(before)  # appended, nothing rewritten
    block = tomllib.loads(after)["record"][-1]
    assert block["retracts"] == second and block["by"] == "amy" and block["note"] == "typo"
    assert "value" not in block and "logged" in block
    again = cli("--lang", "zh", "undo", "--by", "amy", cwd=plan_dir)
    assert again.code == 0
    assert f"已撤回 区内全年投资 150亿元（截至 2022-06-30）[{first}]" in again.out
    nothing = cli("--lang", "en", "undo", "--by", "amy", cwd=plan_dir)
    assert nothing.code == 1 and "nothing to undo: no current record logged by amy" in nothing.err
    assert status_actual(cli, plan_dir) == 100000000  # bob's figure is untouched
    listed = json.loads(cli("history", "investment", "--all", "--format", "json",
                            cwd=plan_dir).out)["records"]
    states = {r["id"]: r["state"] for r in listed}
    assert states[first] == states[second] == "retracted" and states[other] == "current"


def test_undo_defaults_to_the_person_who_logs(cli: Runner, plan_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from bjtrack.cli import core as cli_module

    monkeypatch.setattr(cli_module, "who", lambda: "carol")
    monkeypatch.setattr("bjtrack.cli.editing.who", lambda: "carol")
    log(cli, plan_dir, "5亿", "2022-03", by="dave")
    kept = cli("--lang", "en", "log", "investment", "7亿", "--date", "2022-04", cwd=plan_dir)
    assert kept.code == 0
    assert 'by = "carol"' in records_text(plan_dir)
    assert cli("undo", cwd=plan_dir).code == 0
    assert status_actual(cli, plan_dir) == 500000000


def test_amend_replaces_and_history_all_shows_both(cli: Runner, plan_dir: Path) -> None:
    old = log(cli, plan_dir, "150亿", "2022-06")
    result = cli("--lang", "en", "amend", old[:4], "152亿", "--note", "revised release",
                 "--by", "amy", cwd=plan_dir)
    assert result.code == 0, result.err
    new = re.search(r"\[(\w+), replaces", result.out)
    assert new and "amended 区内全年投资: 150亿元 → 152亿元 as of 2022-06-30" in result.out
    assert status_actual(cli, plan_dir) == 15200000000
    block = tomllib.loads(records_text(plan_dir))["record"][-1]
    assert block["revises"] == old and block["value"] == "15200000000"
    assert block["note"] == "revised release" and block["by"] == "amy"

    current = cli("--lang", "en", "history", "investment", cwd=plan_dir)
    assert new[1] in current.out and old not in current.out
    everything = cli("--lang", "en", "history", "investment", "--all", cwd=plan_dir)
    assert f"replaced by {new[1]}" in everything.out
    assert f"replaces {old}" in everything.out and "revised release" in everything.out
    zh = cli("--lang", "zh", "history", "investment", "--all", cwd=plan_dir)
    assert f"已被 {new[1]} 替换" in zh.out and "状态" in zh.out

    again = cli("--lang", "en", "amend", old, "153亿", cwd=plan_dir)
    assert again.code == 2 and f"record {old} was replaced by {new[1]}" in again.err
    moved = cli("--lang", "en", "amend", new[1], "152亿", "--date", "2022-05", cwd=plan_dir)
    assert moved.code == 0 and "as of 2022-05-31" in moved.out
    same = cli("--lang", "en", "amend", moved.out.split("[")[1][:10], "152亿", cwd=plan_dir)
    assert same.code == 2 and "nothing changed" in same.err


def test_undo_of_an_amendment_brings_the_original_back(cli: Runner, plan_dir: Path) -> None:
    first = log(cli, plan_dir, "150亿", "2022-06")
    assert cli("amend", first, "1500亿", "--by", "amy", cwd=plan_dir).code == 0
    assert status_actual(cli, plan_dir) == 150000000000
    assert cli("undo", "--by", "amy", cwd=plan_dir).code == 0
    assert status_actual(cli, plan_dir) == 15000000000


def test_rm_retracts_with_a_reason(cli: Runner, plan_dir: Path) -> None:
    first = log(cli, plan_dir, "150亿", "2022-06")
    log(cli, plan_dir, "10亿", "2022-07", by="bob")
    result = cli("--lang", "en", "rm", first, "--why", "logged twice", "--by", "bob",
                 cwd=plan_dir)
    assert result.code == 0, result.err
    assert f"retracted 区内全年投资 150亿元 as of 2022-06-30 [{first}]" in result.out
    everything = cli("--lang", "en", "history", "investment", "--all", cwd=plan_dir)
    assert "retracted by" in everything.out and "logged twice" in everything.out
    assert f"retracts {first} (bob " in everything.out  # who retracted it, and when
    assert first not in cli("history", "investment", cwd=plan_dir).out
    again = cli("--lang", "en", "rm", first, cwd=plan_dir)
    assert again.code == 2 and f"record {first} was already retracted by" in again.err
    retraction = tomllib.loads(records_text(plan_dir))["record"][-1]["id"]
    itself = cli("--lang", "zh", "rm", retraction, cwd=plan_dir)
    assert itself.code == 2 and f"记录 {retraction} 是对 {first} 的撤回" in itself.err


def test_record_ids_accept_unique_prefixes_only(cli: Runner, plan_dir: Path) -> None:
    path = plan_dir / "records.toml"
    for rid, day in (("abc111", "2022-03-31"), ("abc222", "2022-04-30")):
        writing.append_record(path, Record(id=rid, series="investment", date=parse_date(day),
                                         value=Decimal(100), unit="元"))
    ambiguous = cli("--lang", "en", "rm", "abc", cwd=plan_dir)
    assert ambiguous.code == 2 and "'abc' matches several records: abc111, abc222" in ambiguous.err
    unknown = cli("--lang", "zh", "rm", "zzz", cwd=plan_dir)
    assert unknown.code == 2 and "没有编号为“zzz”的记录" in unknown.err
    assert cli("rm", "abc2", cwd=plan_dir).code == 0
    assert tomllib.loads(records_text(plan_dir))["record"][-1]["retracts"] == "abc222"


def test_short_records_are_written_as_tables(tmp_path: Path) -> None:
    path = tmp_path / "records.toml"
    figure = Record(id="a1", series="s", date=parse_date("2022-06"), value=Decimal(1))
    writing.append_record(path, figure)
    writing.append_record(path, Record(id="b2", series="s", date=None, value=None,
                                     retracts="a1"))
    loaded = records_file.load_records(path)
    assert loaded.problems == () and loaded.torn is None
    assert [r.id for r in loaded.records] == ["a1", "b2"]
    assert path.read_text(encoding="utf-8").splitlines().count("[[record]]") == 2


def test_logging_the_same_figure_again_is_a_no_op(cli: Runner, plan_dir: Path) -> None:
    first = log(cli, plan_dir, "150亿", "2022-06")
    before = records_text(plan_dir)
    for lang, words in (("en", f"the same figure is already recorded as {first}; nothing added"),
                        ("zh", f"已有相同记录 {first}，未重复记录")):
        again = cli("--lang", lang, "log", "investment", "1.5e10", "--date", "2022年6月",
                    cwd=plan_dir)
        assert again.code == 0 and words in again.err and again.out == ""
    assert records_text(plan_dir) == before
    changed = cli("--lang", "en", "log", "investment", "151亿", "--date", "2022-06",
                  cwd=plan_dir)
    assert changed.code == 0 and records_text(plan_dir) != before


# --------------------------------------------------------------------------- exit codes

def test_each_exit_code(cli: Runner, plan_dir: Path) -> None:
    log(cli, plan_dir, "10亿", "2022-06")
    assert cli("status", "--as-of", "2022-07-01", cwd=plan_dir).code == 0
    alert = cli("status", "--as-of", "2022-07-01", "--fail-on", "behind", cwd=plan_dir)
    assert alert.code == 3 and "behind" in alert.out
    assert cli("status", "--as-of", "2022-07-01", "--fail-on", "missed", cwd=plan_dir).code == 0
    assert cli("log", "nowhere", "1", cwd=plan_dir).code == 2
    assert cli("status", "--format", "yaml", cwd=plan_dir).code == 2
    assert cli("--lang", "fr", "status", cwd=plan_dir).code == 2
    (plan_dir / "records.toml").write_text("[[record]]\nid = 1\n", encoding="utf-8")
    broken = cli("check", cwd=plan_dir)
    assert broken.code == 1
    (plan_dir / "targets.toml").write_text("[plan\n", encoding="utf-8")
    assert cli("status", cwd=plan_dir).code == 1


def test_targets_added_at_once_are_all_kept(plan_dir: Path) -> None:
    import subprocess

    runs = [subprocess.Popen(
        [sys.executable, "-m", "bjtrack", "-q", "target", "add", "--id", f"t{n}", "--name",
         f"指标{n}", "--target", f"{n + 1}亿元", "--start", "2022-01-01", "--due", "2022-12-31"],
        cwd=plan_dir, stderr=subprocess.PIPE, text=True) for n in range(6)]
    for run in runs:
        assert run.wait(timeout=60) == 0, run.stderr.read() if run.stderr else ""
    plan = plan_file.load_plan(plan_dir / "targets.toml")
    assert {f"t{n}" for n in range(6)} <= {t.id for t in plan.targets}


def test_edit_plan_refuses_when_the_plan_changed_meanwhile(plan_dir: Path) -> None:
    path = plan_dir / "targets.toml"

    def run_editor(copy: Path, line: int) -> int:
        copy.write_text(copy.read_text(encoding="utf-8").replace("测试计划", "我的计划"),
                        encoding="utf-8")
        path.write_text(path.read_text(encoding="utf-8") + "\n# a colleague's note\n",
                        encoding="utf-8")
        return 0

    with pytest.raises(BjtrackError) as caught:
        plan_edit.edit_plan(path, 1, run_editor, lambda problems: False)
    problem = caught.value.problems[0]
    assert ENGLISH.text(problem) == "the plan changed while you were editing; not saved"
    kept = Path(ENGLISH.hint(problem).removeprefix(  # type: ignore[union-attr]
        "your edits are kept in "))
    assert "我的计划" in kept.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").endswith("# a colleague's note\n")
    assert "测试计划" in path.read_text(encoding="utf-8")


def test_target_add_with_a_year_spans_the_whole_year(cli: Runner, plan_dir: Path) -> None:
    result = cli("target", "add", "--id", "rd", "--name", "研发投入", "--target", "50亿元",
                 "--start", "2022", "--due", "2022", cwd=plan_dir)
    assert result.code == 0, result.err
    text = (plan_dir / "targets.toml").read_text(encoding="utf-8")
    assert "start = 2022-01-01" in text and "due = 2022-12-31" in text


def test_rm_of_an_amended_figure_removes_the_figure_not_just_the_correction(
        cli: Runner, plan_dir: Path) -> None:
    first = log(cli, plan_dir, "150亿", "2022-06")
    amended = cli("--lang", "en", "amend", first, "152亿", cwd=plan_dir)
    assert amended.code == 0, amended.err
    second = re.findall(r"\[(\w+)", amended.out)[0]
    removed = cli("--lang", "en", "rm", second, "--why", "wrong target", cwd=plan_dir)
    assert removed.code == 0, removed.err
    assert status_actual(cli, plan_dir) is None
    states = {r["id"]: r["state"] for r in json.loads(cli(
        "history", "investment", "--all", "--format", "json", cwd=plan_dir).out)["records"]}
    assert states[first] == "retracted" and states[second] == "retracted"
    assert cli("check", cwd=plan_dir).code == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_option_value_is_hinted_as_an_option(cli: Runner, plan_dir: Path,
                                                   lang: str) -> None:
    """The hint for a value given on the command line shows the option to write, not the
    plan file's key = value the person never wrote."""
    result = cli("--lang", lang, "target", "add", "--id", "x1", "--name", "测试", "--target",
                 "300亿", "--comparison", ">>", "--start", "2022-01-01", "--due", "2022-12-31",
                 cwd=plan_dir)
    assert result.code == 2
    assert '--comparison ">"' in result.err and 'comparison = ">"' not in result.err
