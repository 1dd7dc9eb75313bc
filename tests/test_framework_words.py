"""The command-line framework's own words in the chosen language: every command's and
subcommand's --help, and the framework's usage errors (a bad option, a missing argument, a
bad choice, a bad type), which name the option."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rich.cells import cell_len

from bjtrack.cli.main import command_tree
from bjtrack.render.words import Words
from conftest import Runner

# What an English word may be in a Chinese help: what the person types, not prose.
VALUES = {
    "json", "csv", "xlsx", "docx", "html", "markdown", "md", "txt", "table",  # formats
    "behind", "missed", "cn", "si", "zh", "en", "mn", "bn",  # choices and units
    "flow", "level", "rate", "annual", "latest", "sum",  # kinds and aggregates
    "toml", "binjiang",  # the plan's format, the example plan's name
    "revises", "retracts",  # keys of records.toml
    "target", "date", "value", "note", "source", "vintage", "unit",  # import's English headers
    "git", "shell", "word", "excel", "windows",  # programs
}
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(=\S*)?")
_METAVAR = re.compile(r"<[^>]*>|\{[^}]*\}|\b[A-Z][A-Z0-9_]+\b")
_FILE = re.compile(r"[\w/~-]*\.\w[\w.]*")  # a file name, an extension, git's user.name
_CODE = re.compile(r"`[^`]*`")
_EXAMPLE = re.compile(r"(示例：|^\s*)(EDITOR=\S+ )?bjtrack\b.*$")
_WORD = re.compile(r"[A-Za-z]{2,}")


def command_names() -> set[str]:
    names: set[str] = {"bjtrack"}

    def walk(group: Any) -> None:
        for name, command in getattr(group, "commands", {}).items():
            names.add(name)
            names.update(p.name for p in command.params if not hasattr(p, "opts") or
                         not any(o.startswith("-") for o in p.opts))  # its arguments
            walk(command)

    walk(command_tree(Words("zh")))
    return names


def every_command() -> list[list[str]]:
    """Every command and subcommand, as the words that name it ([] is bjtrack itself)."""
    out: list[list[str]] = [[]]

    def walk(group: Any, prefix: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            out.append([*prefix, name])
            walk(command, [*prefix, name])

    walk(command_tree(Words("en")), [])
    return out


def untranslated(text: str, names: set[str]) -> list[str]:
    """The English words of a Chinese text that are not something the person types: an
    option, a metavar, a command or file name, a format or a value, an example command."""
    found = []
    for line in text.splitlines():
        rest = _EXAMPLE.sub(r"\1", _CODE.sub("", line))
        rest = _FILE.sub("", _METAVAR.sub("", _OPTION.sub("", rest)))
        found += [(word, line) for word in _WORD.findall(rest)
                  if word not in names and word.lower() not in VALUES]
    return [f"{word!r} in {line!r}" for word, line in found]


def test_the_check_finds_english() -> None:
    """The check can fail: each of the framework's English words is found."""
    names = command_names()
    for english in ("Usage: bjtrack status [选项]", "Options:", "Arguments:",
                    "  --help  Show this message and exit.",
                    "  --format <table|json>  格式。  [default: table]",
                    "  --id <str>  代号。 [required]",
                    "Try 'bjtrack status --help' for help.", "Error: 没有这个选项",
                    "错误：No such option: --bogus", "错误：缺少参数 'value'. Missing"):
        assert untranslated(english, names), english
    assert untranslated("[env var: BJTRACK_FILE]", names) == [
        "'env' in '[env var: BJTRACK_FILE]'", "'var' in '[env var: BJTRACK_FILE]'"]
    assert not untranslated("  示例：bjtrack log investment 150亿 --date 2022-06", names)
    assert not untranslated("  --format <table|json>  table（表格）或 json。 ［默认：table］",
                            names)


@pytest.mark.parametrize("command", every_command(), ids=lambda c: " ".join(c) or "bjtrack")
def test_every_help_is_chinese_under_zh(cli: Runner, command: list[str]) -> None:
    shown = cli("--lang", "zh", *command, "--help", env={"COLUMNS": "100"})
    assert shown.code == 0, shown.err
    # wrapped by display width (a Chinese character takes two cells), never inside a word
    assert max(cell_len(line) for line in shown.out.splitlines()) <= 80, shown.out
    assert shown.out.startswith("用法：bjtrack"), shown.out
    assert "选项：" in shown.out and "显示本帮助并退出。" in shown.out
    assert not untranslated(shown.out, command_names()), shown.out
    # what an option takes is said too (<文本>, <日期>), never the framework's type names
    assert not re.search(r"<(?:str|int|path|date|text)>", shown.out), shown.out


@pytest.mark.parametrize("command", every_command(), ids=lambda c: " ".join(c) or "bjtrack")
def test_every_help_is_english_under_en(cli: Runner, command: list[str]) -> None:
    shown = cli("--lang", "en", *command, "--help", env={"COLUMNS": "100"})
    assert shown.code == 0, shown.err
    assert shown.out.startswith("Usage: bjtrack") and "Options:" in shown.out
    assert "Show this message and exit." in shown.out
    for chinese in ("用法", "选项：", "显示本帮助", "默认：", "必填", "环境变量"):
        assert chinese not in shown.out, (chinese, shown.out)


def test_notes_after_an_option_are_said_in_chinese(cli: Runner) -> None:
    shown = cli("--lang", "zh", "--help", env={"COLUMNS": "200"})
    assert "［环境变量：BJTRACK_FILE］" in shown.out
    assert "［环境变量：BJTRACK_UNITS；默认：cn］" in shown.out
    assert "为当前 shell 安装命令补全。" in shown.out and "命令：" in shown.out
    assert shown.out.startswith("用法：bjtrack [选项] 命令 [参数]...")
    status = cli("--lang", "zh", "status", "--help", env={"COLUMNS": "200"})
    assert "［默认：table］" in status.out and "default" not in status.out


# (what is typed, the English error, the Chinese error): each names the option, the
# argument or the command.
MISTAKES = [
    (["status", "--bogus"], "no such option: --bogus", "没有这个选项：--bogus"),
    (["log", "investment"], "missing argument 'value'", "缺少参数 'value'"),
    (["status", "--format", "yaml"],
     "invalid value for '--format': 'yaml' is not one of 'table', 'json'",
     "'--format' 的值无效：'yaml' 不是可选值（'table', 'json'）之一"),
    (["extract", "plan.txt", "--year", "next"], "invalid value for '--year': not a whole number",
     "'--year' 的值无效：应为整数"),
    (["log", "investment", "1亿", "--date"], "option '--date' needs a value",
     "选项 '--date' 需要一个值"),
    (["where", "a", "b"], "unexpected extra arguments: a b", "多余的参数：a b"),
    (["where", "a"], "unexpected extra argument: a", "多余的参数：a"),
    (["stat"], "no such command: 'stat' (did you mean: 'status'",
     "没有这个命令：'stat'（是否要找：'status'"),
]


@pytest.mark.parametrize(("args", "english", "chinese"), MISTAKES,
                         ids=[" ".join(m[0]) for m in MISTAKES])
def test_the_frameworks_errors_in_both_languages(cli: Runner, args: list[str], english: str,
                                                 chinese: str) -> None:
    zh = cli("--lang", "zh", *args)
    assert zh.code == 2 and zh.out == ""
    assert f"错误：{chinese}" in zh.err, zh.err
    assert not untranslated(zh.err, command_names() | set(args)), zh.err
    en = cli(*args, "--lang", "en")
    assert en.code == 2 and en.out == ""
    assert f"error: {english}" in en.err, en.err
    assert "Usage" not in zh.err and "Try" not in zh.err


def test_a_usage_error_says_where_help_is(cli: Runner) -> None:
    zh = cli("--lang", "zh", "status", "--bogus")
    assert zh.err.startswith("用法：bjtrack status [选项]\n运行 'bjtrack status --help' 查看帮助。")
    en = cli("--lang", "en", "status", "--bogus")
    assert en.err.startswith("Usage: bjtrack status [OPTIONS]\n"
                             "Try 'bjtrack status --help' for help.")


def test_help_lines_wrap_by_display_width_and_keep_words_whole() -> None:
    from bjtrack.render.framework import wrap

    assert wrap("覆盖已有的输出文件（若是链接，只替换链接本身）。", 44) == [
        "覆盖已有的输出文件（若是链接，只替换链接本", "身）。"]  # no line starts with ）or 。
    assert wrap("json、html、xlsx 总是包含记录", 10) == ["json、", "html、xlsx", "总是包含记", "录"]
    assert wrap("--name 区内全年投资 --target 300亿元", 16) == [
        "--name 区内全年", "投资 --target", "300亿元"]
    # nor does one end with （: log --date's help ended its line with '…（'
    assert wrap("数据截至日期：2022Q2、2022H1 …（默认：上一个完整月份的月末）", 32) == [
        "数据截至日期：2022Q2、2022H1 …", "（默认：上一个完整月份的月末）"]


def test_a_group_without_its_command_shows_its_help(cli: Runner) -> None:
    zh = cli("--lang", "zh", "target")
    assert zh.code == 2 and zh.out == ""
    assert zh.err.startswith("用法：bjtrack target [选项] 命令 [参数]...\n")
    assert "添加或修改计划中的目标。" in zh.err and "错误" not in zh.err
    en = cli("--lang", "en")
    assert en.code == 2 and "error: missing command" in en.err


def test_a_yes_or_no_question_in_chinese(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from bjtrack.cli.editing import yes

    monkeypatch.setattr("sys.stdin", io.StringIO("maybe\n否\n"))
    assert yes(Words("zh"), "prompt.reopen") is False
    shown = capsys.readouterr()
    assert "重新打开编辑器修改？ [Y/n]" in shown.out
    assert "请回答 y（是）或 n（否）" in shown.err and "invalid input" not in shown.err
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert yes(Words("en"), "prompt.reopen") is True


def test_what_an_option_takes_is_named_in_words(cli: Runner) -> None:
    """`--date <日期>`, `--note <文本>`: a date is called a date, text text, in English as
    in Chinese; Python's type names (`<str>`) never show."""
    zh = cli("--lang", "zh", "log", "--help", env={"COLUMNS": "100"}).out
    assert "-d, --date <日期>" in zh and "-n, --note <文本>" in zh
    en = cli("--lang", "en", "log", "--help", env={"COLUMNS": "100"}).out
    assert "-d, --date <date>" in en and "-n, --note <text>" in en and "<str>" not in en
