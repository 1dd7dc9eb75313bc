"""The words of one run: its language and number style, made once by the CLI from --lang,
BJTRACK_LANG or the locale, and --units, and handed to everything that renders."""

from __future__ import annotations

from dataclasses import dataclass

from bjtrack.domain.errors import FieldValue, Problem
from bjtrack.render.i18n import LANGS, help_entry, message, option_key, plural_key


@dataclass(frozen=True)
class Words:
    """A language ("zh" or "en") and a number style ("cn": 万/亿; "si": millions, English
    only): every sentence and figure bjtrack shows a person goes through one of these."""

    lang: str = "zh"
    units: str = "cn"

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"unknown language {self.lang!r}")

    @classmethod
    def of(cls, lang: str, units: str = "cn") -> Words:
        """The words for `lang`; Chinese always reads 万/亿, whatever --units says."""
        return cls(lang, units if lang == "en" and units == "si" else "cn")

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    @property
    def sep(self) -> str:
        """Between the clauses of one line: '；' or '; '."""
        return "；" if self.zh else "; "

    def t(self, key: str, /, **fields: object) -> str:
        """The message `key` with its fields, in this language."""
        return message(key, self.lang, **fields)

    def tn(self, key: str, count: int, /, **fields: object) -> str:
        """The counted message `key` in the form for `count` ("1 problem", "2 problems"),
        with `count` as its field {count} unless the fields give that field."""
        fields = {"count": count, **fields}
        return message(plural_key(key, count, self.lang), self.lang, **fields)

    def help(self, key: str) -> str:
        return help_entry(key, self.lang)

    def text(self, problem: Problem) -> str:
        """A problem's message, without where it is or the hint."""
        fields = {name: self._field(value) for name, value in problem.fields}
        in_key = fields.pop("_in_key", "")  # a value's problem at a key or an option
        key = problem.key
        if "count" in fields and fields["count"].isdigit():  # a counted message
            key = plural_key(key, int(fields["count"]), self.lang)
        text = message(key, self.lang, **fields)
        return f"{in_key}: {text}" if in_key else text

    def hint(self, problem: Problem) -> str | None:
        if not problem.hint_key:
            return None
        fields = {name: self._field(value) for name, value in problem.fields}
        key = problem.hint_key
        if fields.get("_in_key", "").startswith("--"):  # given on the command line
            key = option_key(key, self.lang)
        return message(key, self.lang, **fields)

    def describe(self, problem: Problem) -> str:
        """A problem as a person reads it: 'file:line: message', then the hint indented."""
        where = problem.where()
        text = self.text(problem)
        out = f"{where}: {text}" if where else text
        hint = self.hint(problem)
        return out + f"\n  {hint}" if hint else out

    def _field(self, value: FieldValue) -> str:
        if isinstance(value, Problem):
            return self.text(value)
        if isinstance(value, tuple):  # several problems: each said once, in order
            return "; ".join(dict.fromkeys(self.text(item) for item in value))
        return value


def describe(problem: Problem, lang: str) -> str:
    """A problem in `lang`, as `Words.describe` says it."""
    return Words(lang).describe(problem)
