"""The documentation is complete and true: every command and option has its place in
docs/commands.md, the README stays a short front door, every relative link leads somewhere,
and the README's tour prints what it shows.

A command's *section* in docs/commands.md is the text from its heading (a heading whose first
`code span` is the command's full name, e.g. ### `bjtrack target add`) to the next heading of
the same or a higher level. Headings inside fenced code blocks are not headings."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from bjtrack.cli import app
from conftest import REPO, Runner

COMMANDS_DOC = REPO / "docs" / "commands.md"
README = REPO / "README.md"
README_LIMIT = 250

_HEADING = re.compile(r"(#{1,6}) +(.*?)\s*#*\s*$")
_CODE_SPAN = re.compile(r"`([^`]+)`")


# --------------------------------------------------------------------------- markdown

def headings(text: str) -> list[tuple[int, int, str]]:
    """(line index, level, text) of every heading outside fenced code blocks."""
    found, fence = [], ""
    for at, line in enumerate(text.splitlines()):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = "" if fence == marker else (fence or marker)
            continue
        match = _HEADING.fullmatch(line)
        if not fence and match:
            found.append((at, len(match.group(1)), match.group(2)))
    return found


def sections(text: str) -> dict[str, str]:
    """Each command heading's full name → its section (heading line included)."""
    lines = text.splitlines()
    marks = headings(text)
    out: dict[str, str] = {}
    for i, (at, level, title) in enumerate(marks):
        span = _CODE_SPAN.search(title)
        if not span or not span.group(1).startswith("bjtrack"):
            continue
        end = next((a for a, lv, _ in marks[i + 1:] if lv <= level), len(lines))
        assert span.group(1) not in out, f"two headings for {span.group(1)!r}"
        out[span.group(1)] = "\n".join(lines[at:end])
    return out


def slug(title: str) -> str:
    """GitHub's anchor for a heading."""
    title = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return title.replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for _, _, title in headings(text):
        base = slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f"{base}-{count}")
    return out


def relative_links(text: str) -> Iterator[str]:
    """Targets of the Markdown links and images outside code (code spans and blocks)."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    for target in re.findall(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", text):
        if not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # http:, mailto: …
            yield target


# --------------------------------------------------------------------------- the command tree

# Typer 0.28 builds on click, 0.29 on its own copy of it: both have the same shape.
Command = Any


def walk(command: Command, name: str) -> Iterator[tuple[str, Command]]:
    """The command and, for a group, every command under it, each with its full name."""
    yield name, command
    subcommands = getattr(command, "commands", None) or {}
    for sub in sorted(subcommands):
        yield from walk(subcommands[sub], f"{name} {sub}")


COMMANDS = list(walk(typer.main.get_command(app), "bjtrack"))


def long_names(command: Command) -> list[str]:
    """The long name of every option (--help, which every command has, aside)."""
    names = []
    for param in command.params:
        if param.param_type_name == "option":
            opts = [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
            names += [o for o in opts if o != "--help"] or param.opts[:1]
    return names


def mentions(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def test_the_tree_is_walked() -> None:
    names = [name for name, _ in COMMANDS]
    assert {"bjtrack", "bjtrack status", "bjtrack target", "bjtrack target add"} <= set(names)
    assert len(names) >= 15


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_option_is_documented(name: str, command: Command) -> None:
    documented = sections(COMMANDS_DOC.read_text(encoding="utf-8"))
    assert name in documented, f"docs/commands.md has no heading for `{name}`"
    missing = [o for o in long_names(command) if not mentions(documented[name], o)]
    assert not missing, f"`{name}`: {missing} not documented in its section of commands.md"


def test_help_is_documented_once() -> None:
    assert mentions(COMMANDS_DOC.read_text(encoding="utf-8"), "--help")


def test_a_missing_option_fails() -> None:
    """The check above can fail: drop one option from a section and it is noticed."""
    text = COMMANDS_DOC.read_text(encoding="utf-8")
    section = sections(text)["bjtrack status"]
    assert mentions(section, "--as-of")
    cut = text.replace(section, re.sub(r"(?<![\w-])--as-of(?![\w-])", "--as_of", section))
    assert not mentions(sections(cut)["bjtrack status"], "--as-of")


def test_sections_end_at_the_next_heading_of_their_level() -> None:
    doc = ("# Commands\n## `bjtrack a`\n--x\n```\n## not a heading --y\n```\n"
           "### `bjtrack a b`\n--z\n## `bjtrack c`\n--w\n")
    found = sections(doc)
    assert mentions(found["bjtrack a"], "--y") and mentions(found["bjtrack a"], "--z")
    assert not mentions(found["bjtrack a"], "--w")
    assert not mentions(found["bjtrack a b"], "--x") and mentions(found["bjtrack c"], "--w")


# --------------------------------------------------------------------------- README and links

def test_readme_is_a_front_door() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < README_LIMIT, f"README.md has {len(lines)} lines"


DOCS = [README, *sorted((REPO / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=[d.relative_to(REPO).as_posix() for d in DOCS])
def test_relative_links_lead_somewhere(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for link in relative_links(text):
        path, _, anchor = link.partition("#")
        target = (doc.parent / path).resolve() if path else doc
        assert target.exists(), f"{doc.name}: {link} leads nowhere"
        assert REPO in target.parents or target == REPO, f"{doc.name}: {link} leaves the repo"
        if anchor and target.suffix == ".md":
            assert anchor in anchors(target.read_text(encoding="utf-8")), (
                f"{doc.name}: no heading for #{anchor} in {target.name}")


def test_links_are_found() -> None:
    text = "see [a](docs/a.md#x), ![img](b.png), [web](https://x.org), `[no](c.md)`\n"
    assert list(relative_links(text)) == ["docs/a.md#x", "b.png"]
    assert slug("`bjtrack target add`") == "bjtrack-target-add"
    assert slug("Ceilings: 控制在…以内, 下降…") == "ceilings-控制在以内-下降"


# --------------------------------------------------------------------------- the README's tour

TOUR = "<!-- tour: run by tests/test_docs.py -->"
_ID = r"[a-z2-7]{10}"


def tour_steps() -> list[tuple[str, list[str]]]:
    """Each `$ ` line of the README's tour block and the lines shown after it."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(TOUR):]
    block = block[block.index("```"):]
    body = block.split("\n", 1)[1].split("\n```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line.rstrip())
    return steps


def test_the_readme_tour_prints_what_it_shows(cli: Runner, tmp_path: Path) -> None:
    """Run in the README's terminal: 100 columns, English. Record ids are random: an id the
    README shows stands for the one bjtrack draws at that place."""
    steps = tour_steps()
    assert len(steps) >= 6
    here = tmp_path
    ids: dict[str, str] = {}
    env = {"COLUMNS": "100", "BJTRACK_LANG": "en", "BJTRACK_TODAY": "2022-08-05"}
    for line, shown in steps:
        command, _, comment = line.partition("  # ")
        args = shlex.split(command)
        if args[0] == "cd":
            here = here / args[1]
            continue
        assert args[0] == "bjtrack", line
        result = cli(*args[1:], cwd=here, env=env)
        expected_code = int(comment.split()[-1]) if comment.startswith("exit") else 0
        assert result.code == expected_code, (line, result.err)
        printed = [row.rstrip() for row in (result.out + result.err).splitlines()]
        assert len(printed) == len(shown), (line, "\n".join(printed))
        for want, got in zip(shown, printed, strict=True):
            for readme_id, real in ids.items():
                want = want.replace(readme_id, real)
            unknown = [i for i in re.findall(rf"\[({_ID})[],]", want) if i not in ids.values()]
            if unknown:
                pattern = re.escape(want)
                for readme_id in unknown:
                    pattern = pattern.replace(readme_id, f"({_ID})", 1)
                match = re.fullmatch(pattern, got)
                assert match, f"{line}:\n  README: {want}\n  bjtrack: {got}"
                for readme_id, real in zip(unknown, match.groups(), strict=True):
                    ids[readme_id] = real
                    want = want.replace(readme_id, real)
            assert got == want, f"{line}:\n  README: {want}\n  bjtrack: {got}"


def extract_steps() -> list[tuple[str, list[str]]]:
    """Each `$ ` line of the README's extract example and the lines shown after it."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("$ cat seed.txt"):].split("\n```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line.rstrip())
    return steps


def test_the_readme_extract_example_prints_what_it_shows(cli: Runner, tmp_path: Path) -> None:
    """The seed written as `cat` shows it; extract's words, the drafted block and the
    status rows (abridged: each shown cell is in the row of that target) as shown."""
    steps = dict(extract_steps())
    (tmp_path / "seed.txt").write_text("\n".join(steps["cat seed.txt"]) + "\n",
                                       encoding="utf-8")
    env = {"BJTRACK_LANG": "zh", "COLUMNS": "200"}
    drafted = cli("extract", "seed.txt", "--year", "2022", "-o", "targets.toml",
                  cwd=tmp_path, env=env)
    assert drafted.code == 0, drafted.err
    assert drafted.err.splitlines() == steps[
        "bjtrack extract seed.txt --year 2022 -o targets.toml"]
    lines = (tmp_path / "targets.toml").read_text(encoding="utf-8").splitlines()
    assert lines[16:26] == steps["sed -n '17,26p' targets.toml"]
    for args in (("qy-total", "7.9万"), ("jn-new-firms", "8000")):
        assert cli("log", *args, "--date", "2022-06-30", cwd=tmp_path, env=env).code == 0
    shown = next(rows for line, rows in steps.items() if line.startswith("BJTRACK_TODAY"))
    status = cli("status", cwd=tmp_path, env={**env, "BJTRACK_TODAY": "2022-07-01"})
    printed = status.out.splitlines()
    for row in shown[1:-1]:
        name, *cells = row.split()
        got = next(line for line in printed if name in line)
        assert all(cell in got for cell in cells), (row, got)
    assert shown[-1] in printed
