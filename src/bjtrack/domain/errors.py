"""Domain errors. A problem is a message key and its fields, never a sentence: render/
words them in the person's language, and the CLI shows them on stderr with an exit code."""

from __future__ import annotations

import errno
from dataclasses import dataclass, replace
from typing import TypeAlias

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_ALERT = 3

# A field's value: text, or problems whose messages stand in the sentence (an import row's
# reasons, a value's problem at a key of a file).
FieldValue: TypeAlias = "str | Problem | tuple[Problem, ...]"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the message key with its fields, where it is, and the
    key of what to do about it."""

    key: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint_key: str = ""
    fields: tuple[tuple[str, FieldValue], ...] = ()

    def where(self) -> str:
        if self.file is None:
            return ""
        out = self.file
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out

    def __str__(self) -> str:
        """The key and fields, for debugging; render.words says it in a language."""
        where = self.where()
        shown = ", ".join(f"{name}={value!s}" for name, value in self.fields)
        text = f"{self.key}({shown})" if shown else self.key
        text = f"{where}: {text}" if where else text
        return text + f" [{self.hint_key}]" if self.hint_key else text


def problem(key: str, *, hint_key: str = "", file: str | None = None, line: int | None = None,
            column: int | None = None, **fields: object) -> Problem:
    """A Problem with the message `key` (and hint `hint_key`); field values other than
    problems are kept as text."""
    shown = tuple((name, _field(value)) for name, value in fields.items())
    return Problem(key, file=file, line=line, column=column, hint_key=hint_key, fields=shown)


def given_as(option: str, found: Problem) -> Problem:
    """`found`, a problem with a value the person gave as `option` on the command line: said
    after the option's name (`--id: …`), at no line of a file, which they never wrote."""
    fields = tuple((name, value) for name, value in found.fields if name != "_in_key")
    return replace(found, file=None, line=None, column=None,
                   fields=(*fields, ("_in_key", option)))


# The reasons the operating system gives that bjtrack says in words of its own (its
# strerror text is English whatever the language of the run).
OS_REASONS = frozenset({"ENOENT", "EACCES", "EPERM", "ENOSPC", "EDQUOT", "EROFS", "EISDIR",
                        "ENOTDIR", "EEXIST", "EIO", "EBUSY", "ENAMETOOLONG", "ELOOP"})


def os_reason(exc: BaseException) -> Problem:
    """Why the operating system refused, as a problem to word: "os.ENOSPC" for a reason
    of OS_REASONS, else "os.other" with the system's own text."""
    name = errno.errorcode.get(getattr(exc, "errno", None) or 0, "")
    text = getattr(exc, "strerror", None) or str(exc)
    return problem(f"os.{name}" if name in OS_REASONS else "os.other", text=text)


def _field(value: object) -> FieldValue:
    if isinstance(value, Problem):
        return value
    if isinstance(value, tuple) and value and all(isinstance(v, Problem) for v in value):
        return tuple(v for v in value if isinstance(v, Problem))
    return str(value)


class BjtrackError(Exception):
    """An error the user can fix; carries one or more problems."""

    exit_code = EXIT_DATA

    def __init__(self, *problems: Problem) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class UsageError(BjtrackError):
    """The command line itself is wrong (unknown target, bad option value)."""

    exit_code = EXIT_USAGE


class InputError(BjtrackError):
    """A value typed by the user (amount, date) cannot be understood."""

    exit_code = EXIT_USAGE
