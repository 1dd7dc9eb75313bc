"""Every user-facing word in both languages, in one place.

`t("key", **fields)` looks a message up in the current language (set once by the CLI).
"""

from __future__ import annotations

import functools
import locale
import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bjtrack.domain.errors import Problem

LANGS = ("zh", "en")

CATALOG = Path(__file__).with_name("catalog")


@functools.cache
def catalog(lang: str) -> dict[str, dict[str, str]]:
    """The words of one language: {"messages": {key: text}, "help": {key: text}}."""
    with (CATALOG / f"{lang}.toml").open("rb") as handle:
        data: dict[str, dict[str, str]] = tomllib.load(handle)
    return data


class _State:
    lang = "zh"


def detect_lang(explicit: str | None = None) -> str:
    """--lang, then BJTRACK_LANG, then the locale (Chinese when it starts with zh)."""
    for choice in (explicit, os.environ.get("BJTRACK_LANG")):
        if choice:
            return "en" if choice.lower().startswith("en") else "zh"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith("zh") else "en"


def set_lang(lang: str) -> None:
    _State.lang = lang if lang in LANGS else "zh"


def get_lang() -> str:
    return _State.lang


def message(key: str, lang: str, /, **fields: object) -> str:
    """`key` in the given language (the library's own texts are English)."""
    text = catalog(lang)["messages"].get(key)
    if text is None:
        return key
    return text.format(**fields) if fields else text


def help_text(key: str) -> str:
    """A help line in the language chosen at start-up (see `lang_from_argv`)."""
    return catalog(_State.lang)["help"][key]


def lang_from_argv(argv: list[str]) -> str | None:
    """The value of `--lang` among the arguments, if any (help texts need it early)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def localize(problem: Problem) -> str:
    """A problem in the current language: keyed messages and hints are translated."""
    fields = dict(problem.fields)
    in_key = fields.pop("_in_key", "")  # a value's problem at a key of a file
    text = message(problem.key, _State.lang, **fields) if problem.key else problem.message
    if problem.key and in_key:
        text = f"{in_key}: {text}"
    hint = (message(problem.hint_key, _State.lang, **fields) if problem.hint_key
            else problem.hint)
    where = problem.where()
    out = f"{where}: {text}" if where else text
    return out + f"\n  {hint}" if hint else out


def t(key: str, **fields: object) -> str:
    return message(key, _State.lang, **fields)
