"""The message catalogs: one data file per language under catalog/, looked up by key.

Which language and which number style a run uses travels in render.words.Words; this
module only reads the catalogs and works out the language the environment asks for."""

from __future__ import annotations

import functools
import locale
import os
import tomllib
from pathlib import Path

LANGS = ("zh", "en")

CATALOG = Path(__file__).with_name("catalog")


@functools.cache
def catalog(lang: str) -> dict[str, dict[str, str]]:
    """The words of one language: {"messages": {key: text}, "help": {key: text}}."""
    with (CATALOG / f"{lang}.toml").open("rb") as handle:
        data: dict[str, dict[str, str]] = tomllib.load(handle)
    return data


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


def message(key: str, lang: str, /, **fields: object) -> str:
    """The message `key` in `lang` with its fields filled in (the key itself when the
    catalog lacks it: tests/test_i18n.py fails on any such key used in the code)."""
    text = catalog(lang)["messages"].get(key)
    if text is None:
        return key
    return text.format(**fields) if fields else text


def plural_key(key: str, count: int, lang: str) -> str:
    """The form of the counted message `key` for `count` in `lang`: "key.one" says one
    thing where the language has such a form (English: "1 problem"), "key" says any other
    number (and every number in Chinese, which has one form)."""
    one = f"{key}.one"
    return one if count == 1 and one in catalog(lang)["messages"] else key


def option_key(key: str, lang: str) -> str:
    """The form of hint `key` for a value given as a command-line option ("key.option":
    `--comparison ">"`) where the catalog has one, else `key` (`comparison = ">"`)."""
    option = f"{key}.option"
    return option if option in catalog(lang)["messages"] else key


def help_entry(key: str, lang: str) -> str:
    """The help line `key` in `lang` (the text itself when it is no key: a help written in
    the code, which tests/test_i18n.py refuses)."""
    return catalog(lang)["help"].get(key, key)


def help_key(key: str) -> str:
    """Marks a command's or option's help as the help entry `key`: the CLI looks it up in
    the run's language when it builds the command tree (cli.main)."""
    return key
