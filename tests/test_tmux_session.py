"""A new user's first session, typed into a real terminal (tmux): the session block of
docs/teams.md is the script. Each `$ ` line of it is typed; every other line must appear on
the screen.

Record ids are random, so a `[…]` of ten id characters in the doc matches any id."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import REPO

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(
    TMUX is None and os.environ.get("CI") != "true",
    reason="tmux is not installed (scripts/check installs it; CI=true makes this an error)")

WIDTH, HEIGHT = 100, 50
BEGIN = "<!-- session: typed by tests/test_tmux_session.py -->"
_ID = re.compile(r"\\\[[a-z2-7]{10}\\\]")


def readme_session() -> tuple[list[str], list[str]]:
    """The commands of the session block in docs/teams.md, and the lines it says appear."""
    text = (REPO / "docs" / "teams.md").read_text(encoding="utf-8")
    block = text[text.index(BEGIN):]
    block = block[block.index("```"):]
    body = block.split("\n", 1)[1].split("\n```", 1)[0]
    commands = [line[2:] for line in body.splitlines() if line.startswith("$ ")]
    shown = [line for line in body.splitlines() if line.strip() and not line.startswith("$ ")]
    return commands, shown


def pattern(line: str) -> re.Pattern[str]:
    """A line of the doc as it may appear on screen: any record id, any run of blanks."""
    escaped = re.escape(" ".join(line.split()))
    return re.compile(_ID.sub(r"\\[[a-z2-7]{10}\\]", escaped))


class Terminal:
    def __init__(self, folder: Path) -> None:
        assert TMUX is not None
        self.name = f"bjtrack-{uuid.uuid4().hex[:8]}"
        home = folder / "home"
        home.mkdir()
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home),
               "LANG": "C.UTF-8", "TERM": "xterm-256color", "PS1": "$ ",
               "BJTRACK_NO_CACHE": os.environ.get("BJTRACK_NO_CACHE", "")}
        command = shlex.join(["env", "-i", *(f"{k}={v}" for k, v in env.items()),
                              "bash", "--norc", "--noprofile"])
        subprocess.run([TMUX, "new-session", "-d", "-s", self.name, "-x", str(WIDTH),
                        "-y", str(HEIGHT), "-c", str(folder), command], check=True)
        subprocess.run([TMUX, "set-option", "-t", self.name, "history-limit", "5000"],
                       check=True)
        self.typed = 0
        self.wait_for_prompt()

    def screen(self) -> str:
        assert TMUX is not None
        return subprocess.run([TMUX, "capture-pane", "-p", "-J", "-S", "-", "-t", self.name],
                              capture_output=True, text=True, check=True).stdout

    def prompts(self) -> int:
        return sum(1 for line in self.screen().splitlines()
                   if line.startswith("$ ") or line.rstrip() == "$")

    def wait_for_prompt(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = self.screen().rstrip("\n").splitlines()
            if self.prompts() > self.typed and lines and lines[-1].rstrip() == "$":
                return
            time.sleep(0.05)
        raise AssertionError("the shell did not come back:\n" + self.screen())

    def type(self, command: str) -> None:
        assert TMUX is not None
        subprocess.run([TMUX, "send-keys", "-t", self.name, "-l", command], check=True)
        subprocess.run([TMUX, "send-keys", "-t", self.name, "Enter"], check=True)
        self.typed += 1
        self.wait_for_prompt()

    def close(self) -> None:
        assert TMUX is not None
        subprocess.run([TMUX, "kill-session", "-t", self.name], check=False)


def test_a_new_users_first_session(tmp_path: Path) -> None:
    if TMUX is None:
        pytest.fail("tmux is required when CI=true")
    commands, shown = readme_session()
    assert [c.split()[1] for c in commands if c.startswith("bjtrack")] == [
        "init", "target", "log", "status", "undo", "status"]
    terminal = Terminal(tmp_path)
    try:
        for command in commands:
            terminal.type(command)
        screen = terminal.screen()
    finally:
        terminal.close()
    flat = [" ".join(line.split()) for line in screen.splitlines()]
    position = 0
    for line in shown:  # in order, each on a line of its own
        wanted = pattern(line)
        for index in range(position, len(flat)):
            if wanted.fullmatch(flat[index]):
                position = index + 1
                break
        else:
            raise AssertionError(f"not on screen (in order): {line!r}\n{screen}")
    assert "Traceback" not in screen
    folder = tmp_path / "myplan"
    assert (folder / "records.toml").read_text(encoding="utf-8").count("retracts = ") == 1


def wait_for(terminal: Terminal, text: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if terminal.screen().rstrip().endswith(text):
            return
        time.sleep(0.05)
    raise AssertionError(f"no {text!r} on screen:\n{terminal.screen()}")


def test_target_add_asks_for_what_is_missing_on_a_terminal(tmp_path: Path) -> None:
    if TMUX is None:
        pytest.fail("tmux is required when CI=true")
    assert TMUX is not None
    terminal = Terminal(tmp_path)
    try:
        terminal.type("bjtrack init plan && cd plan")
        subprocess.run([TMUX, "send-keys", "-t", terminal.name, "-l",
                        "bjtrack --lang zh target add --comparison '>'"], check=True)
        subprocess.run([TMUX, "send-keys", "-t", terminal.name, "Enter"], check=True)
        for prompt, answer in (("代号（小写英文，如 investment）:", "investment"),
                               ("名称:", "区内全年投资"),
                               ("目标值（如 300亿元）:", "三百亿"),  # not a number: asked again
                               ("目标值（如 300亿元）:", "300亿元"),
                               ("开始日期:", "2022-01-01"),
                               ("截止日期:", "2022年")):
            wait_for(terminal, prompt)
            subprocess.run([TMUX, "send-keys", "-t", terminal.name, "-l", answer], check=True)
            subprocess.run([TMUX, "send-keys", "-t", terminal.name, "Enter"], check=True)
        terminal.typed += 1
        terminal.wait_for_prompt()
        screen = terminal.screen()
    finally:
        terminal.close()
    assert "错误：无法识别金额“三百亿”" in screen
    assert "已添加目标 investment（区内全年投资，超300亿元）到 targets.toml" in screen
    text = (tmp_path / "plan" / "targets.toml").read_text(encoding="utf-8")
    assert text.endswith('[[target]]\nid = "investment"\nname = "区内全年投资"\n'
                         'target = "300亿元"\ncomparison = ">"\nstart = 2022-01-01\n'
                         'due = 2022-12-31\n')


EDITOR = """\
#!{python}
import sys
from pathlib import Path
state = Path({state!r})
turn = int(state.read_text()) if state.exists() else 0
state.write_text(str(turn + 1))
path = Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
# first save: due before start (invalid); re-opened on that copy, the second fixes it
old, new = ('2022-12-31', '2021-12-31') if turn == 0 else ('2021-12-31', '2023-12-31')
path.write_text(text.replace('\\ndue = ' + old, '\\ndue = ' + new), encoding="utf-8")
"""


def test_target_edit_reopens_the_editor_after_an_invalid_save(tmp_path: Path) -> None:
    if TMUX is None:
        pytest.fail("tmux is required when CI=true")
    assert TMUX is not None
    editor = tmp_path / "fake-editor"
    editor.write_text(EDITOR.format(python=sys.executable, state=str(tmp_path / "turns")),
                      encoding="utf-8")
    editor.chmod(0o755)
    terminal = Terminal(tmp_path)
    try:
        terminal.type("bjtrack init plan && cd plan")
        terminal.type("bjtrack target add --id investment --name 投资 --target 300亿元 "
                      "--start 2022-01-01 --due 2022-12-31")
        subprocess.run([TMUX, "send-keys", "-t", terminal.name, "-l",
                        f"EDITOR={editor} bjtrack --lang en target edit investment"], check=True)
        subprocess.run([TMUX, "send-keys", "-t", terminal.name, "Enter"], check=True)
        wait_for(terminal, "re-open the editor to fix it? [Y/n]:")
        subprocess.run([TMUX, "send-keys", "-t", terminal.name, "Enter"], check=True)
        terminal.typed += 1
        terminal.wait_for_prompt()
        screen = terminal.screen()
    finally:
        terminal.close()
    assert "due 2021-12-31 is before start 2022-01-01" in screen
    assert "saved targets.toml" in screen
    assert "due = 2023-12-31" in (tmp_path / "plan" / "targets.toml").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "plan").iterdir() if p.name.startswith(".")) \
        == [".gitattributes", ".gitignore"]  # no copy left behind
