"""Domain errors. The CLI turns these into one message on stderr and an exit code."""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_ALERT = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is and what to do about it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    # The i18n keys of message and hint, with their fields: the CLI shows the problem in
    # the person's language (i18n.localize); `message`/`hint` keep the English text.
    key: str = ""
    hint_key: str = ""
    fields: tuple[tuple[str, str], ...] = ()

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
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  {self.hint}"
        return text


def problem(key: str, *, hint_key: str = "", file: str | None = None, line: int | None = None,
            column: int | None = None, **fields: object) -> Problem:
    """A Problem whose message (and hint) are the i18n entries `key` (`hint_key`)."""
    from bjtrack.render.i18n import message

    shown = {name: str(value) for name, value in fields.items()}
    return Problem(message(key, "en", **shown), file=file, line=line, column=column,
                   hint=message(hint_key, "en", **shown) if hint_key else None,
                   key=key, hint_key=hint_key, fields=tuple(shown.items()))


class BjtrackError(Exception):
    """An error the user can fix; carries one or more problems."""

    exit_code = EXIT_DATA

    def __init__(self, *problems: Problem) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def simple(cls, message: str, hint: str | None = None, file: str | None = None,
               line: int | None = None) -> BjtrackError:
        return cls(Problem(message, file=file, line=line, hint=hint))


class UsageError(BjtrackError):
    """The command line itself is wrong (unknown target, bad option value)."""

    exit_code = EXIT_USAGE


class InputError(BjtrackError):
    """A value typed by the user (amount, date) cannot be understood."""

    exit_code = EXIT_USAGE
