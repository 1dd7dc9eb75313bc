"""Where the files are and how their text is read: the plan's name and folder, the derived
files' folder, reading UTF-8 text with a problem for each way it can fail, and TOML errors
placed at their line."""

from __future__ import annotations

import difflib
import functools
import os
import re
import stat
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from bjtrack.domain.errors import BjtrackError, Problem, UsageError, os_reason, problem

PLAN_FILE = "targets.toml"
RECORDS_FILE = "records.toml"
# Derived files (the records index, the remembered plan) live in this folder beside the
# plan; `BJTRACK_NO_CACHE=1` turns them off.
CACHE_DIR = ".bjtrack-cache"
NO_CACHE_ENV = "BJTRACK_NO_CACHE"

# The records file the person chose for this run (`--records-file`, `BJTRACK_RECORDS`): it
# replaces the plan's own and may lie anywhere, being theirs, not the plan's.
_CHOSEN_RECORDS: ContextVar[Path | None] = ContextVar("chosen_records", default=None)

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_END = re.compile(r"\(at end of document\)")
# What the TOML parser says (in English), as messages of the catalog: toml.<name>, with
# the key or character it names as {what}. A message not listed is shown as it is.
_TOML_REASONS = [(re.compile(pattern), name) for pattern, name in (
    (r"^Invalid value$", "value"),
    (r"^Invalid statement$", "statement"),
    (r"^Expected '=' after a key", "equals"),
    (r"^Expected newline or end of document", "newline"),
    (r"^Expected '\]' at the end of a table", "table_end"),
    (r"^Expected '\]\]' at the end of an array", "array_table_end"),
    (r"^Unterminated string$", "string"),
    (r"^Unclosed array$", "array"),
    (r"^Unclosed inline table$", "inline_table"),
    (r"^Invalid date or datetime$", "date"),
    (r"^Invalid initial character for a key part$", "key_start"),
    (r"^Cannot overwrite a value$", "twice"),
    (r"^Cannot declare \((?P<what>.+?),?\) twice$", "declared"),
    (r"^(?:Illegal|Found invalid) character (?P<what>.+)$", "character"),
    (r"^brackets or tables nested too deeply$", "nested"),
)]


def cache_enabled() -> bool:
    return os.environ.get(NO_CACHE_ENV, "") in ("", "0")


def choose_records(path: Path | None) -> None:
    """Use this records file (the person's choice) instead of the plan's, for this run."""
    _CHOSEN_RECORDS.set(path)


def chosen_records() -> Path | None:
    """The records file the person chose for this run, if any."""
    return _CHOSEN_RECORDS.get()


def inside_folder(folder: Path, path: Path) -> bool:
    """Whether `path`, every symbolic link followed, lies inside `folder` (also resolved)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop, an unreadable folder
        return False


def find_plan(explicit: str | None, cwd: Path) -> Path:
    """The plan file: the one named, else targets.toml here or in a parent folder."""
    if explicit:
        path = Path(explicit)
        if path.is_dir():
            path = path / PLAN_FILE
        if not path.is_file():
            raise UsageError(problem("err.plan_not_found", hint_key="hint.plan_not_found",
                                     path=explicit))
        return path
    for folder in (cwd, *cwd.parents):
        candidate = folder / PLAN_FILE
        if candidate.is_file():
            relative = Path(os.path.relpath(candidate, cwd))
            return relative if len(str(relative)) < len(str(candidate)) else candidate
    raise UsageError(problem("err.no_plan", hint_key="hint.no_plan", name=PLAN_FILE))


def read_text(path: Path) -> str:
    """The file's text; a problem naming the file when it is missing, unreadable or not
    UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BjtrackError(problem("err.file_not_found", file=str(path))) from None
    except UnicodeDecodeError as exc:
        raise BjtrackError(problem("err.not_utf8_at", hint_key="hint.save_utf8",
                                   file=str(path), byte=exc.start)) from None
    except OSError as exc:
        raise BjtrackError(cannot_read(path, exc)) from None


def refuse_special(path: Path) -> None:
    """A pipe, device or folder where a plain file belongs is refused before it is opened:
    reading a FIFO waits forever, /dev/zero never ends."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BjtrackError(cannot_read(path, exc)) from None
    if not stat.S_ISREG(mode):
        raise BjtrackError(problem("err.not_regular_file", hint_key="hint.not_regular_file",
                                   file=str(path)))


def cannot_read(path: Path, exc: OSError) -> Problem:
    return problem("err.cannot_read", file=str(path), why=os_reason(exc))


def loads_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads`, with brackets nested too deep for its recursion a TOML error like
    any other (a RecursionError traceback otherwise)."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("brackets or tables nested too deeply") from None


def toml_problem(exc: tomllib.TOMLDecodeError, file: str, line_offset: int = 0,
                 source: str = "") -> Problem:
    """A TOML syntax error at its line (and column) of the file."""
    text = str(exc)
    match = _TOML_POSITION.search(text)
    detail = _TOML_POSITION.sub("", text).strip()
    line = int(match[1]) + line_offset if match else None
    column = int(match[2]) if match else None
    if match is None and _TOML_END.search(text):  # "(at end of document)": the last line
        detail = _TOML_END.sub("", detail).strip()
        line = len(split_lines(source)) + line_offset or None
    return problem("err.toml", hint_key="hint.toml", file=file, line=line, column=column,
                   detail=_toml_reason(detail))


def _toml_reason(detail: str) -> Problem | str:
    """The parser's reason as a message of the catalog, so that it is said in the run's
    language; else its own words."""
    for pattern, name in _TOML_REASONS:
        found = pattern.match(detail)
        if found:
            what = found.groupdict().get("what") or ""
            if name == "declared":  # the parser's tuple of key parts: 'plan', 'x'
                what = ".".join(part.strip(" '\"") for part in what.split(","))
            return problem(f"toml.{name}", what=what)
    return detail


def split_lines(text: str) -> list[str]:
    """The lines of a TOML text, each with its "\n": split at "\n" only, as TOML does
    (`str.splitlines` also splits at U+2028, U+0085, form feeds… that a note may hold)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


@functools.cache
def _header_pattern(header: str) -> re.Pattern[str]:
    name = re.escape(header.strip("[]"))
    # `[[record]]`, `[[ record ]]`, `[[record]]  # by hand`: one header to TOML
    return re.compile(rf"[ \t]*\[\[[ \t]*{name}[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?\n?")


def is_header(line: str, header: str) -> bool:
    """Is this line (with or without its "\n") a `[[header]]` table header, in any of the
    spellings TOML reads as the same?"""
    return _header_pattern(header).fullmatch(line) is not None


def header_lines(text: str, header: str) -> list[int]:
    """1-based line numbers of each `[[header]]` table, in order."""
    return [i for i, line in enumerate(split_lines(text), 1) if is_header(line, header)]


def unknown_key(key: str, known: frozenset[str], where: str, file: str, line: int | None
                ) -> Problem:
    """An unknown key, with the closest known one or the list of them."""
    close = difflib.get_close_matches(key, sorted(known), n=1)
    if close:
        return problem("err.unknown_key", hint_key="hint.did_you_mean_key", file=file,
                       line=line, field=key, where=where, close=close[0])
    return problem("err.unknown_key", hint_key="hint.known_keys", file=file, line=line,
                   field=key, where=where, keys=", ".join(sorted(known)))
