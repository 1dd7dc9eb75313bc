"""Both languages everywhere: messages, headings, verdicts, help, errors; units; table widths;
shell completion, --quiet and the JSON listings."""

from __future__ import annotations

import ast
import json
import os
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from bjtrack.cli.main import command_tree, lang_first, run_lang
from bjtrack.render.i18n import catalog, detect_lang
from bjtrack.render.words import Words
from conftest import REPO, Runner


def _table(part: str) -> dict[str, dict[str, str]]:
    """One part of the catalogs as {key: {lang: text}}: a key missing in a language is missing
    from its entry."""
    both = {lang: catalog(lang)[part] for lang in ("zh", "en")}
    keys = set(both["zh"]) | set(both["en"])
    return {key: {lang: words[key] for lang, words in both.items() if key in words}
            for key in keys}


MESSAGES, HELP = _table("messages"), _table("help")


def fields_of(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", [MESSAGES, HELP], ids=["messages", "help"])
def test_every_entry_has_both_languages_with_the_same_fields(
        table: dict[str, dict[str, str]]) -> None:
    for key, entry in table.items():
        if key.endswith(".one"):  # English's form for exactly one; Chinese has one form
            assert set(entry) == {"en"}, key
            assert fields_of(entry["en"]) == fields_of(table[key[:-4]]["en"]), key
            continue
        assert set(entry) == {"zh", "en"}, key
        assert entry["zh"].strip() and entry["en"].strip(), key
        assert fields_of(entry["zh"]) == fields_of(entry["en"]), key


COUNTED = ["summary", "check.problems", "count.targets", "count.records", "count.rows",
           "warn.unread", "html.total", "import.more_conflicts", "err.import.rows",
           "err.import.more_rows", "docx.summary", "extract.drafted", "extract.written",
           "extract.found", "cli.extra_args"]


def test_counted_messages_say_one_and_many_in_english() -> None:
    """Every English message that counts something has a form for one; no message says
    "(s)" for a count it knows."""
    for key, entry in MESSAGES.items():
        assert "(s)" not in entry.get("en", ""), key
    for key in COUNTED:
        assert f"{key}.one" in MESSAGES, key
    en, zh = Words("en"), Words("zh")
    assert en.tn("check.problems", 1) == "1 problem found"
    assert en.tn("check.problems", 2) == "2 problems found"
    assert en.tn("check.problems", 0) == "0 problems found"
    assert zh.tn("check.problems", 1) == "发现 1 个问题" == zh.tn("check.problems", 1)
    assert en.t("check.ok", plan="p", targets=en.tn("count.targets", 1),
                records=en.tn("count.records", 2)) == "p: 1 target, 2 records, no problems"
    from bjtrack.domain.errors import problem  # a problem with a count says it the same way

    assert en.text(problem("warn.unread", count=1, series="s")).startswith("1 record for")
    assert en.text(problem("warn.unread", count=3, series="s")).startswith("3 records for")


def test_language_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    assert detect_lang("en") == "en" and detect_lang("zh") == "zh"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert detect_lang() == "zh"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert detect_lang() == "en"
    monkeypatch.setenv("BJTRACK_LANG", "zh")
    assert detect_lang() == "zh" and detect_lang("en") == "en"
    # the language of a run comes from the arguments it is given, not from sys.argv
    assert run_lang(["-f", "x", "--lang", "en", "status"]) == "en"
    assert run_lang(["--lang=zh"]) == "zh" and run_lang(["--lang=en"]) == "en"
    assert run_lang(["--lang", "fr", "status"]) == "zh"  # refused later, in BJTRACK_LANG's
    assert run_lang(lang_first(["log", "--", "--lang", "en"])) == "zh"  # a value, not --lang
    # --lang after the command name counts too (`bjtrack status --lang en`)
    assert lang_first(["-q", "status", "--lang", "en", "--as-of", "2022-06-30"]) == [
        "-q", "--lang", "en", "status", "--as-of", "2022-06-30"]
    assert run_lang(lang_first(["status", "--lang=en"])) == "en"


# --------------------------------------------------------------------------- help

def run_module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("BJTRACK_", "LC_"))}
    full.update({"LANG": "C.UTF-8", "NO_COLOR": "1", "COLUMNS": "100"}, **(env or {}))
    return subprocess.run([sys.executable, "-m", "bjtrack", *args], capture_output=True,
                          text=True, env=full, cwd=REPO, timeout=60, check=False)


COMMANDS = ["log", "status", "targets", "history", "check", "init", "where", "undo", "amend",
            "rm"]


def test_help_in_chinese() -> None:
    top = run_module("--lang", "zh", "--help")
    assert top.returncode == 0, top.stderr
    assert "对照已公布的数据，跟踪规划中的量化目标。" in top.stdout
    assert "计划文件（targets.toml）" in top.stdout and "只输出数据" in top.stdout
    for command in COMMANDS:
        assert f"{command} " in top.stdout
    assert "撤回你最近记录的一个数值" in top.stdout and "Record a published" not in top.stdout
    sub = run_module("log", "--help", env={"BJTRACK_LANG": "zh"})
    assert "记录一个已公布的数据" in sub.stdout and "示例：bjtrack log investment" in sub.stdout
    assert "数据截至日期" in sub.stdout
    add = run_module("--lang", "zh", "target", "add", "--help")
    assert "在 targets.toml 末尾追加一个目标" in add.stdout and "目标值，如 300亿元" in add.stdout


def test_help_in_english() -> None:
    top = run_module("--help", env={"LANG": "en_US.UTF-8"})
    assert "Track a plan's quantitative targets" in top.stdout
    assert "Retract the last figure you logged" in top.stdout and "撤回你最近" not in top.stdout
    sub = run_module("--lang", "en", "amend", "--help")
    assert "Correct a record: append a replacement" in sub.stdout
    assert "Example: bjtrack amend" in sub.stdout


def test_every_command_help_has_an_example_in_the_current_language() -> None:
    for key in [*COMMANDS, "target.add", "target.edit"]:
        assert "Example: bjtrack" in HELP[key]["en"] or "Example: EDITOR" in HELP[key]["en"]
        assert "示例：" in HELP[key]["zh"], key


# --------------------------------------------------------------------------- output

@pytest.fixture
def logged(cli: Runner, plan_dir: Path) -> Path:
    for args in (("investment", "100亿", "2022-06"), ("firms-total", "7.9万家", "2022-03"),
                 ("firms-total", "8万家", "2022-06"), ("share", "41.2%", "2022-06"),
                 ("gdp", "1056.2亿元", "2022H1")):
        result = cli("log", *args[:2], "--date", args[2], "--by", "amy", cwd=plan_dir)
        assert result.code == 0, result.err
    return plan_dir


def test_status_in_both_languages(cli: Runner, logged: Path) -> None:
    zh = cli("--lang", "zh", "status", "--as-of", "2022-07-01", cwd=logged)
    assert zh.code == 0
    for words in ("测试计划执行情况（截至 2022-07-01）", "指标", "目标", "实际", "完成率",
                  "时间进度", "状态", "预计全期", "截至", "区内全年投资", "超300亿元", "100亿元",
                  "滞后", "共 3 项目标", "监测指标", "1056.2亿元", "产业"):
        assert words in zh.out, words
    en = cli("--lang", "en", "status", "--as-of", "2022-07-01", cwd=logged)
    for words in ("测试计划: where the targets stand as of 2022-07-01", "Target value", "Actual",
                  "Done", "Time", "Status", "Projected", "As of", "> 300亿元", "behind",
                  "3 targets:", "Indicators", "1056.2亿元"):
        assert words in en.out, words
    assert "滞后" not in en.out and "behind" not in zh.out


def test_listings_in_both_languages(cli: Runner, logged: Path) -> None:
    zh = cli("--lang", "zh", "targets", cwd=logged)
    assert "测试计划 目标清单" in zh.out and "代号" in zh.out and "期间" in zh.out
    en = cli("--lang", "en", "targets", cwd=logged)
    assert "测试计划: targets" in en.out and "ID" in en.out and "Period" in en.out
    zh = cli("--lang", "zh", "history", "firms", cwd=logged)
    assert "企业总量 历史记录" in zh.out and "记录号" in zh.out and "8万家" in zh.out
    en = cli("--lang", "en", "history", "firms", cwd=logged)
    assert "企业总量: records" in en.out and "Record" in en.out and "Value" in en.out
    zh = cli("--lang", "zh", "check", cwd=logged)
    assert zh.code == 0 and "4 项目标，5 条记录，未发现问题" in zh.err
    en = cli("--lang", "en", "check", cwd=logged)
    assert en.code == 0 and "4 targets, 5 records, no problems" in en.err


def test_log_messages_in_both_languages(cli: Runner, plan_dir: Path) -> None:
    zh = cli("--lang", "zh", "log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir)
    assert "已记录 区内全年投资 150亿元（截至 2022-06-30）" in zh.out
    en = cli("--lang", "en", "log", "investment", "160亿", "--date", "2022-07", cwd=plan_dir)
    assert "logged 区内全年投资 160亿元 as of 2022-07-31" in en.out
    revised = cli("--lang", "zh", "log", "investment", "161亿", "--date", "2022-07",
                  "--revise", cwd=plan_dir)
    assert "已修订 区内全年投资 161亿元（截至 2022-07-31，替换" in revised.out


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


ERRORS = [
    ("unknown target", ("log", "investmnt", "1"), None, 2,
     "unknown target 'investmnt'", "did you mean: investment?",
     "未知的目标“investmnt”", "是否要找：investment？"),
    ("no suggestion", ("history", "zzzz"), None, 2,
     "unknown target 'zzzz'", "`bjtrack targets` lists every target",
     "未知的目标“zzzz”", "`bjtrack targets` 列出全部目标"),
    ("bad amount", ("log", "investment", "一百亿"), None, 2,
     "cannot read amount '一百亿'", "accepted forms: 300亿元",
     "无法识别金额“一百亿”：应为数字，可带万/亿和单位", "可用写法：300亿元"),
    ("bad date", ("log", "investment", "1亿", "--date", "next june"), None, 2,
     "cannot read date 'next june': not a date form", "accepted forms: 2022-06-30",
     "无法识别日期“next june”：不是可识别的日期写法", "可用写法：2022-06-30"),
    ("no such day", ("log", "investment", "1亿", "--date", "2022-02-30"), None, 2,
     "cannot read date '2022-02-30'", "accepted forms",
     "无法识别日期“2022-02-30”：2022年2月没有30日", "可用写法"),
    ("unit mismatch", ("log", "investment", "5万人"), None, 2,
     "unit mismatch: got 5万人, but this series is measured in 元", "e.g. 150亿元",
     "单位不符：输入的是 5万人，该指标以元计", "请以元填写，例如 150亿元"),
    ("missing file", ("--file", "nowhere.toml", "status"), None, 2,
     "plan file not found: nowhere.toml", "run `bjtrack init`",
     "找不到计划文件：nowhere.toml", "或运行 `bjtrack init`"),
    ("malformed TOML", ("status",), "[plan]\nname = \"x\n", 1,
     "targets.toml:2:", "malformed TOML", "TOML 格式错误", "检查该行的引号"),
    ("bad date in the plan", ("status",),
     "[[target]]\nid = \"a\"\nname = \"甲\"\ntarget = \"1亿元\"\nstart = 2022-01-01\n"
     "due = \"someday\"\n", 1,
     "targets.toml:1: due: cannot read date 'someday'", "accepted forms",
     "targets.toml:1: due: 无法识别日期“someday”", "可用写法"),
    ("bad amount in the plan", ("targets",),
     "[[target]]\nid = \"a\"\nname = \"甲\"\ntarget = \"三百亿\"\nstart = 2022-01-01\n"
     "due = 2022-12-31\n", 1,
     "targets.toml:1: target: cannot read amount '三百亿'", "accepted forms",
     "targets.toml:1: target: 无法识别金额“三百亿”", "可用写法"),
    ("bad language", ("--lang", "fr", "status"), None, 2,
     "unknown language 'fr'", "use --lang zh or en", "未知的语言“fr”", "请用 --lang zh 或 en"),
]


@pytest.mark.parametrize(("args", "plan", "code", "en1", "en2", "zh1", "zh2"),
                         [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_in_both_languages(cli: Runner, plan_dir: Path, args: tuple[str, ...],
                                  plan: str | None, code: int, en1: str, en2: str, zh1: str,
                                  zh2: str) -> None:
    if plan is not None:
        write(plan_dir, "targets.toml", plan)
    en = cli(*args, cwd=plan_dir, env={"BJTRACK_LANG": "en"})
    assert en.code == code and en.out == ""
    assert en.err.startswith("error: ") and en1 in en.err and en2 in en.err
    zh = cli(*args, cwd=plan_dir, env={"BJTRACK_LANG": "zh"})
    assert zh.code == code and zh.out == ""
    assert zh.err.startswith("错误：") and zh1 in zh.err and zh2 in zh.err
    assert "Traceback" not in en.err + zh.err


def test_check_lists_problems_in_chinese(cli: Runner, plan_dir: Path) -> None:
    write(plan_dir, "targets.toml", "[plan]\nname = 'x'\n\n[[target]]\nid = \"a\"\n"
          "name = a\nstart = 2022-01-01\n")
    result = cli("--lang", "zh", "check", cwd=plan_dir)
    assert result.code == 1
    assert "targets.toml:6:8: TOML 格式错误" in result.out
    assert "发现 1 个问题" in result.err
    as_json = json.loads(cli("--lang", "zh", "check", "--format", "json", cwd=plan_dir).out)
    assert as_json["ok"] is False and as_json["problems"][0]["line"] == 6
    assert as_json["problems"][0]["message"].startswith("malformed TOML")  # stable for scripts


def test_no_plan_anywhere(cli: Runner, tmp_path: Path) -> None:
    zh = cli("--lang", "zh", "status", cwd=tmp_path)
    assert zh.code == 2 and "当前文件夹及其上级都没有 targets.toml" in zh.err
    en = cli("--lang", "en", "status", cwd=tmp_path)
    assert "no targets.toml in this folder or any parent" in en.err


# --------------------------------------------------------------------------- units

def test_units_si_shows_millions_and_billions_in_english(cli: Runner, logged: Path) -> None:
    si = cli("--lang", "en", "--units", "si", "status", "--as-of", "2022-07-01", cwd=logged)
    assert si.code == 0
    assert "> 30bn元" in si.out and "10bn元" in si.out
    assert "105.62bn元" in si.out and "82,000家" in si.out
    assert "亿" not in si.out.replace("杭州", "")
    plain = cli("--lang", "en", "status", "--as-of", "2022-07-01", cwd=logged)
    assert "> 300亿元" in plain.out and "bn元" not in plain.out
    zh = cli("--lang", "zh", "status", "--as-of", "2022-07-01", cwd=logged,
             env={"BJTRACK_UNITS": "si"})
    assert "超300亿元" in zh.out and "bn元" not in zh.out
    data = cli("--lang", "en", "--units", "si", "status", "--as-of", "2022-07-01",
               "--format", "json", cwd=logged)
    assert json.loads(data.out)["targets"][0]["target"] == 30000000000
    history = cli("--lang", "en", "--units", "si", "history", "gdp", cwd=logged)
    assert "105.62bn元" in history.out


# --------------------------------------------------------------------------- tables

LONG = ("数字经济核心产业主营业务收入（含软件和信息技术服务业、电子信息制造业）"
        "力争突破六千亿元并持续保持全省领先地位")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [60, 80, 120])
def test_tables_stay_aligned_with_chinese_text(cli: Runner, shipped: Path, lang: str,
                                               width: int) -> None:
    with (shipped / "targets.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[[target]]\nid = "long"\nname = "{LONG}"\ntarget = "6000亿元"\n'
                     'start = 2022-01-01\ndue = 2025-12-31\nkind = "level"\n')
    result = cli("--lang", lang, "log", "long", "4000亿", "--date", "2022-06", cwd=shipped)
    assert result.code == 0
    for command in (("status", "--as-of", "2022-08-01"), ("targets",), ("history", "long")):
        shown = cli("--lang", lang, *command, cwd=shipped, env={"COLUMNS": str(width)})
        assert shown.code == 0, shown.err
        tables: list[list[str]] = []
        for line in shown.out.splitlines():
            if line.startswith("┏"):
                tables.append([])
            if line[:1] in "┏┃┡│├└" and tables:
                tables[-1].append(line)
        assert tables, shown.out
        for table in tables:
            assert table[-1].startswith("└")
            assert {cell_len(line) for line in table} == {cell_len(table[0])}, (command, table)
            assert cell_len(table[0]) <= width
        assert LONG not in shown.out or (width >= 120 and command == ("targets",))  # it wrapped
        assert "数字经济" in shown.out


# --------------------------------------------------------------------------- shell

def complete(cli: Runner, folder: Path, words: str, shell: str = "bash") -> str:
    env = {"_BJTRACK_COMPLETE": f"complete_{shell}", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
           "_TYPER_COMPLETE_ARGS": words}
    result = cli(cwd=folder, env=env)
    assert result.code == 0, result.err
    return result.out


def test_completion_of_commands_targets_and_records(cli: Runner, logged: Path) -> None:
    first = json.loads(cli("history", "gdp", "--format", "json", cwd=logged).out)
    record = first["records"][0]["id"]
    assert complete(cli, logged, "bjtrack un").split() == ["undo"]
    assert sorted(complete(cli, logged, "bjtrack ta").split()) == ["target", "targets"]
    assert complete(cli, logged, "bjtrack log inv").split() == ["investment"]
    assert complete(cli, logged, "bjtrack history f").split() == ["firms-total"]
    assert "区内全年投资" in complete(cli, logged, "bjtrack log 区", shell="zsh")
    assert "firms-total" in complete(cli, logged, "bjtrack target edit fi")
    assert complete(cli, logged, f"bjtrack rm {record[:3]}").split() == [record]
    assert complete(cli, logged.parent, "bjtrack log inv").split() == []  # no plan: nothing


def test_quiet_keeps_data_and_drops_messages(cli: Runner, plan_dir: Path) -> None:
    quiet = cli("-q", "log", "investment", "1亿", "--date", "2022-06", cwd=plan_dir)
    assert quiet.code == 0 and quiet.out == "" and quiet.err == ""
    again = cli("--quiet", "log", "investment", "1亿", "--date", "2022-06", cwd=plan_dir)
    assert again.out == "" and again.err == ""
    assert cli("--quiet", "undo", cwd=plan_dir).out == ""
    data = cli("--quiet", "status", "--format", "json", "--as-of", "2022-07-01", cwd=plan_dir)
    assert json.loads(data.out)["targets"][0]["actual"] is None  # the figure was retracted
    assert cli("-q", "check", cwd=plan_dir).err == ""


def test_json_listings(cli: Runner, logged: Path) -> None:
    listed = json.loads(cli("targets", "--format", "json", cwd=logged).out)
    assert [t["id"] for t in listed] == ["investment", "firms-total", "share", "gdp"]
    history = json.loads(cli("history", "firms", "--format", "json", cwd=logged).out)
    assert history["target"] == "firms-total"
    assert [r["value"] for r in history["records"]] == [79000, 80000]
    assert {r["state"] for r in history["records"]} == {"current"}
    checked = json.loads(cli("check", "--format", "json", cwd=logged).out)
    assert checked == {"ok": True, "records": 5, "problems": []}


def test_corrections_in_both_languages(cli: Runner, plan_dir: Path) -> None:
    logged = cli("--lang", "zh", "log", "investment", "150亿", "--date", "2022-06", "--by", "amy",
                 cwd=plan_dir)
    first = logged.out.rsplit("[", 1)[1].split("]")[0]
    amended = cli("--lang", "zh", "amend", first[:5], "152亿", "--note", "快报修正",
                  cwd=plan_dir)
    assert amended.code == 0
    assert "已修正 区内全年投资：150亿元 → 152亿元（截至 2022-06-30）" in amended.out
    assert f"替换 {first}]" in amended.out
    second = amended.out.split("[", 1)[1].split("，", 1)[0]
    removed = cli("--lang", "zh", "rm", second, "--why", "录错目标", cwd=plan_dir)
    assert removed.code == 0
    assert f"已撤回 区内全年投资 152亿元（截至 2022-06-30）[{second}]，撤回记录 [" in removed.out
    en = cli("--lang", "en", "history", "investment", "--all", cwd=plan_dir)
    # rm removes the figure: the replacement and the original it corrected are retracted
    assert en.out.count("retracted by") == 2 and "replaced by" not in en.out
    zh = cli("--lang", "zh", "history", "investment", "--all", cwd=plan_dir)
    assert "录错目标" in zh.out and "撤回" in zh.out and "有效" not in zh.out
    data = json.loads(cli("status", "--as-of", "2022-07-01", "--format", "json",
                          cwd=plan_dir).out)
    assert data["targets"][0]["actual"] is None
    nothing = cli("--lang", "zh", "undo", "--by", "nobody", cwd=plan_dir)
    assert nothing.code == 1 and "没有可撤销的记录（记录人 nobody）" in nothing.err


def _helps(lang: str) -> dict[str, list[str]]:
    """Every help line of the command tree built for `lang`, by command."""
    root = command_tree(Words(lang))
    out = {"": [root.help] + [p.help for p in root.params if p.name in ("file", "lang", "units",
                                                                       "quiet", "version")]}

    def walk(group: Any, prefix: str) -> None:
        for name, cmd in group.commands.items():
            key = (prefix + " " + name).strip()
            out[key] = [cmd.help] + [p.help for p in cmd.params if p.help and p.name != "help"]
            if hasattr(cmd, "commands"):
                walk(cmd, key)

    walk(root, "")
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_help_line_is_in_the_chosen_language(lang: str) -> None:
    helps = _helps(lang)
    allowed = {entry[lang] for entry in HELP.values()}
    assert {*COMMANDS, "target add", "target edit"} <= set(helps)
    for command, texts in helps.items():  # every command, whoever added it
        for text in texts:
            assert text in allowed, (command, text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_answers_help_in_the_chosen_language(cli: Runner, lang: str) -> None:
    helps = _helps(lang)
    for command, texts in helps.items():
        shown = cli("--lang", lang, *command.split(), "--help")
        assert shown.code == 0, (command, shown.err)
        assert " ".join(texts[0].split())[:10] in " ".join(shown.out.split()), command


def test_one_process_speaks_both_languages(cli: Runner, logged: Path) -> None:
    """No language is kept between runs: each run builds its words and help texts anew,
    the framework's own words too."""
    for lang, word, usage in (("zh", "记录一个已公布的数据", "用法："),
                              ("en", "Record a published", "Usage: "),
                              ("zh", "记录一个已公布的数据", "用法：")):
        shown = cli("--lang", lang, "log", "--help", cwd=logged)
        assert shown.code == 0 and word in shown.out, shown.out
        assert shown.out.startswith(usage + "bjtrack log"), shown.out
    for lang, said in (("en", "error: no such option: --bogus"),
                       ("zh", "错误：没有这个选项：--bogus"),
                       ("en", "error: no such option: --bogus")):
        wrong = cli("--lang", lang, "status", "--bogus", cwd=logged)
        assert wrong.code == 2 and said in wrong.err, wrong.err
    zh, en = (cli("--lang", lang, "status", "--as-of", "2022-07-01", cwd=logged)
              for lang in ("zh", "en"))
    assert "截至" in zh.out and "As of" in en.out and "截至" not in en.out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lang_after_the_command_name(cli: Runner, logged: Path, lang: str) -> None:
    before = cli("--lang", lang, "status", "--as-of", "2022-07-01", cwd=logged)
    after = cli("status", "--as-of", "2022-07-01", "--lang", lang, cwd=logged)
    assert after.code == 0 and after.out == before.out
    helped = cli("history", "--help", f"--lang={lang}", cwd=logged)
    assert helped.code == 0 and HELP["history"][lang][:12] in helped.out


# --------------------------------------------------------------------------- every key

SRC = REPO / "src" / "bjtrack"
_LOOKUPS = {"problem", "Problem", "t", "tn", "message", "help_key", "help"}
_MESSAGE_KEYS = ("err.", "hint.", "warn.")


def _key(node: ast.expr) -> tuple[str, bool] | None:
    """A key written in the code: ("err.x", True) for a literal, ("verdict.", False) for
    the fixed start of an f-string such as f"verdict.{name}"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value, True
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value, False
    return None


def keys_in_source() -> dict[str, set[tuple[str, bool]]]:
    """Every catalog key the code names: the first argument of problem(), Problem(), t(),
    message(), help_key() and help(), any first argument naming an error's or a hint's
    key, and every hint_key=, by part of the catalog."""
    found: dict[str, set[tuple[str, bool]]] = {"messages": set(), "help": set()}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            part = "help" if name in ("help_key", "help") else "messages"
            first = [(node.args[0], name in _LOOKUPS)] if node.args else []
            hints = [(k.value, True) for k in node.keywords if k.arg == "hint_key"]
            for expr, surely in first + hints:
                key = _key(expr)
                # any call handing on an error's or hint's key counts (a helper's add("err.…"))
                if key is not None and (surely or key[0].startswith(_MESSAGE_KEYS)):
                    found[part].add(key)
    return found


def test_every_key_the_code_names_is_in_both_catalogs() -> None:
    from bjtrack.render.framework import SAID

    used = keys_in_source()
    assert len(used["messages"]) > 100 and len(used["help"]) > 50
    used["messages"] |= {(key, True) for _, key in SAID}  # the framework's words, by key
    for part, keys in used.items():
        table = MESSAGES if part == "messages" else HELP
        both = {key for key, entry in table.items() if set(entry) == {"zh", "en"}}
        missing = sorted(key for key, whole in keys if whole and key not in both)
        assert not missing, (part, missing)
        # a key made at run time (f"verdict.{name}"): some key of both catalogs starts so
        unknown = sorted(start for start, whole in keys
                         if not whole and not any(k.startswith(start) for k in both))
        assert not unknown, (part, unknown)


def test_problems_are_said_in_the_language_asked_for() -> None:
    from bjtrack.domain.errors import problem

    found = problem("err.unknown_lang", hint_key="hint.lang", file="targets.toml", line=3,
                    lang="fr")
    assert Words("en").describe(found) == (
        "targets.toml:3: " + MESSAGES["err.unknown_lang"]["en"].format(lang="fr")
        + "\n  " + MESSAGES["hint.lang"]["en"])
    assert Words("zh").text(found) == MESSAGES["err.unknown_lang"]["zh"].format(lang="fr")
    assert "unknown language" not in str(found)  # a key and fields, never a sentence
    row = problem("err.import.row", hint_key="import.hint", row=2, reason=(found, found),
                  hint=(problem("hint.lang"),))
    assert Words("en").text(row) == MESSAGES["err.import.row"]["en"].format(
        row=2, reason=Words("en").text(found))  # each reason said once


def test_the_systems_reasons_are_said_in_the_language_asked_for() -> None:
    """The operating system's strerror is English; bjtrack says the common reasons itself."""
    import errno

    from bjtrack.domain.errors import os_reason, problem

    full = OSError(errno.ENOSPC, "No space left on device")
    wrote = problem("err.cannot_write", file="records.toml", why=os_reason(full))
    assert Words("zh").text(wrote) == "无法写入：磁盘空间不足"
    assert Words("en").text(wrote) == "cannot write: No space left on device"
    odd = OSError(errno.ETIMEDOUT, "Connection timed out")
    assert Words("zh").text(os_reason(odd)) == "Connection timed out"  # as the system says
    assert "No space left on device" in str(wrote)  # the key and fields keep the text


def test_chinese_errors_and_warnings_take_the_same_full_width_colon(cli: Runner,
                                                                    plan_dir: Path) -> None:
    """错误 was followed by an ASCII colon and a space ('错误: '), 警告 and 注意 by '：'."""
    result = cli("--lang", "zh", "log", "investment", "5万人", cwd=plan_dir)
    assert result.err.startswith("错误：单位不符") and "错误: " not in result.err
    framework = cli("--lang", "zh", "status", "--bogus", cwd=plan_dir)
    assert "\n错误：没有这个选项：--bogus" in framework.err
    english = cli("--lang", "en", "log", "investment", "5万人", cwd=plan_dir)
    assert english.err.startswith("error: unit mismatch")


@pytest.mark.parametrize(("line", "zh", "en"), [
    ("name = 区内", "不是 TOML 能识别的值", "not a value TOML knows"),
    ("x = 1 2", "值后面应换行", "expected the line to end after the value"),
    ("[[target]", "[[表]] 表头末尾缺少“]]”", "expected ']]' at the end of the [[table]] header"),
    ("foo", "键后缺少“=”", "expected '=' after the key"),
    ("x = {a = 1", "内联表 { … } 没有闭合", "an inline table { … } is not closed"),
    ('id = "x"', "同一个键重复赋值", "a key is given a second value"),
    ("[plan]", "表 [plan] 重复声明", "the table [plan] is declared twice"),
])
def test_a_malformed_plan_is_said_in_the_runs_language(cli: Runner, shipped: Path, line: str,
                                                       zh: str, en: str) -> None:
    """The TOML parser's reason was its English inside the Chinese message
    (TOML 格式错误：Invalid value); and '{ … }' in a message must not break its formatting."""
    plan = shipped / "targets.toml"
    before = plan.read_bytes()
    plan.write_bytes(before + line.encode() + b"\n")
    for lang, said in (("zh", zh), ("en", en)):
        result = cli("--lang", lang, "status", cwd=shipped)
        assert result.code == 1 and said in result.err, result.err
        assert "targets.toml:192" in result.err and "Traceback" not in result.err
    assert plan.read_bytes() == before + line.encode() + b"\n"
