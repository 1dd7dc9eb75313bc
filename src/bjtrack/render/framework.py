"""The command-line framework's own words (Typer, with its copy of Click): its help headings,
its notes after an option's help and its usage errors, said in the run's language.

The framework writes these in English, most of them as finished sentences. Each sentence
it can say is a pattern below with the catalog key that says it in our words: a sentence
that matches is said through the catalog with the pieces the pattern picked out (the
option, the value, the command); one that matches nothing is left as the framework wrote
it (tests/test_i18n.py fails on any such sentence in a help or error it shows)."""

from __future__ import annotations

import functools
import re
import string

from rich.cells import cell_len

from bjtrack.render.words import Words

# (what the framework says, the catalog key that says it). A field named `message` is a
# sentence of the framework in its turn; `args` counts the words it holds (the plural).
SAID = (
    ("Options", "cli.section.options"),
    ("Arguments", "cli.section.arguments"),
    ("Commands", "cli.section.commands"),
    ("Show this message and exit.", "cli.help_option"),
    ("default: {default}", "cli.default"),
    ("required", "cli.required"),
    ("env var: {var}", "cli.env_var"),
    ("(dynamic)", "cli.dynamic"),
    ("Install completion for the current shell.", "cli.install_completion"),
    ("Show completion for the current shell, to copy it or customize the installation.",
     "cli.show_completion"),
    ("No such option: {option} (Possible options: {options})", "cli.no_such_option.maybe"),
    ("No such option: {option} Did you mean {options}?", "cli.no_such_option.maybe"),
    ("No such option: {option}", "cli.no_such_option"),
    ("No such command {name}. Did you mean {names}?", "cli.no_such_command.maybe"),
    ("No such command {name}.", "cli.no_such_command"),
    ("Missing command.", "cli.missing_command"),
    ("Missing argument {name}.", "cli.missing_argument"),
    ("Missing option {name}.", "cli.missing_option"),
    ("Missing parameter {name}.", "cli.missing_argument"),
    ("Option {option} requires an argument.", "cli.option_needs_value"),
    ("Option {option} requires {n} arguments.", "cli.option_needs_values"),
    ("Option {option} does not take a value.", "cli.option_takes_no_value"),
    ("Got unexpected extra argument(s) ({args})", "cli.extra_args"),
    ("Got unexpected extra argument ({args})", "cli.extra_args"),
    ("Got unexpected extra arguments ({args})", "cli.extra_args"),
    ("Invalid value for {option}: {message}", "cli.invalid_value"),
    ("Invalid value: {message}", "cli.invalid"),
    ("Value error, {value} is not one of {choices}.", "cli.not_a_choice"),
    ("{value} is not one of {choices}.", "cli.not_a_choice"),
    ("Input should be a valid integer, unable to parse string as an integer", "cli.not_an_integer"),
    ("Input should be a valid integer", "cli.not_an_integer"),
    ("Input should be a valid number, unable to parse string as a number", "cli.not_a_number"),
    ("Could not open file {file}: {reason}", "cli.cannot_open"),
    ("Aborted!", "cli.aborted"),
)


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for said, key in SAID:
        regex = ""
        for literal, name, _spec, _conv in string.Formatter().parse(said):
            regex += re.escape(literal)
            if name:
                regex += f"(?P<{name}>.+?)"
        out.append((re.compile(regex, re.DOTALL), key))
    return tuple(out)


def framework_text(text: str, words: Words) -> str:
    """What the framework said in `text`, in `words`' language (as it was when no pattern
    matches)."""
    for pattern, key in _patterns():
        found = pattern.fullmatch(text)
        if found is None:
            continue
        fields = found.groupdict()
        if "message" in fields:
            fields["message"] = framework_text(fields["message"], words)
        if "args" in fields:
            return words.tn(key, len(fields["args"].split()), **fields)
        return words.t(key, **fields)
    return text


def option_notes(text: str, words: Words) -> str:
    """An option's help with the framework's notes after it (`  [default: table; required]`)
    said in `words`' language; a help that is the framework's own sentence, too."""
    whole = framework_text(text, words)
    if whole != text or not text.endswith("]") or "[" not in text:
        return whole
    help_part, notes = text[:-1].rsplit("[", 1)
    said = words.t("cli.note_separator").join(
        framework_text(note, words) for note in notes.split("; "))
    return help_part.rstrip() + words.t("cli.notes", notes=said)


# what an option takes: the framework's name of its type, or ours (`metavar="<date>"`)
_TYPE = re.compile(r"<(str|int|path|date)>")


def option_term(term: str, words: Words) -> str:
    """An option or argument as its help lists it (`-d, --date <str>`), what it takes
    said in `words`' language (<文本>, <text>) rather than as a Python type."""
    return _TYPE.sub(lambda found: words.t(f"cli.type.{found[1]}"), term)


# One piece of a line that is never broken: a run of spaces, a run of ASCII (an English
# word, an option, a file name), a number with the unit after it (300亿元, 2022年), or one
# other character (a Chinese character).
_PIECE = re.compile(r"\s+|[\x21-\x7e]*\d[^\s\x00-\x7f，。；：、（）“”《》]{0,2}|[\x21-\x7e]+|.")
_NO_BREAK_BEFORE = set("，。；：、）》”’！？")
_NO_BREAK_AFTER = set("（《“‘")


def cells(text: str) -> int:
    """How many terminal cells `text` takes (a Chinese character takes two)."""
    return cell_len(text)


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells, broken at a space or between two Chinese
    characters, never inside an English word, an option, a number or a file name, and
    never before a closing mark such as ，or ）nor after an opening one such as （ (the
    framework's own wrapping counts a Chinese character as one cell and breaks inside
    words)."""
    lines: list[list[str]] = [[]]
    for piece in _PIECE.findall(" ".join(text.split())):
        line = lines[-1]
        if piece == " " or cells("".join(line) + piece) <= width or not line:
            if line or piece != " ":
                line.append(piece)
            continue
        carried: list[str] = []  # a closing mark takes the piece before it along
        while piece in _NO_BREAK_BEFORE and len(line) > 1 and line[-1] != " ":
            carried.insert(0, line.pop())
            piece_before = carried[0]
            if piece_before not in _NO_BREAK_BEFORE:
                break
        while len(line) > 1 and line[-1] in _NO_BREAK_AFTER:  # nor after an opening one
            carried.insert(0, line.pop())
        lines.append([*carried, piece])
    return [said for said in ("".join(line).rstrip() for line in lines) if said]
