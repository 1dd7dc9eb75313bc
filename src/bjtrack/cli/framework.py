"""The command-line framework in the run's language: its help layout and its usage errors.

Typer (with its copy of Click) writes its help headings, its notes after an option's help
and its usage errors in English. Each run's command tree gets a context class of its own,
made here for that run's Words, whose help formatter says those words through
render.framework; a usage error is shown by `show_framework_error` the same way. Nothing is
kept between runs: the classes belong to the tree built for one run."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console

from bjtrack.render.framework import cells, framework_text, option_notes, option_term, wrap
from bjtrack.render.text import clean
from bjtrack.render.words import Words

# The framework's help formatter (the formatter class of its Context; typer exports the
# Context only).
_Formatter: Any = typer.Context.formatter_class


def context_class(words: Words) -> type[typer.Context]:
    """A Context whose help and usage lines are said in `words`' language."""

    class Formatter(_Formatter):  # type: ignore[misc]  # the framework's class, untyped here
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            prefix = words.t("cli.usage") if prefix is None else prefix
            super().write_usage(prog, args, prefix)

        def write_heading(self, heading: str) -> None:
            said = framework_text(heading, words)
            if said == heading:  # a heading of ours, or one the framework adds later
                said = words.t("cli.heading", heading=heading)
            self.write(f"{'':>{self.current_indent}}{said}\n")

        def write_text(self, text: str) -> None:
            indent = " " * self.current_indent
            width = max(self.width - self.current_indent, 20)
            paragraphs = [part for part in re.split(r"\n\s*\n", text) if part.strip()]
            self.write("\n\n".join("\n".join(indent + line for line in wrap(part, width))
                                   for part in paragraphs) + "\n")

        def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                     col_spacing: int = 2) -> None:
            said = [(option_term(term, words), option_notes(text, words))
                    for term, text in rows]
            first = min(max((cells(term) for term, _ in said), default=0), col_max)
            first += col_spacing
            pad = " " * (first + self.current_indent)
            for term, text in said:
                self.write(f"{'':>{self.current_indent}}{term}")
                if not text:
                    self.write("\n")
                    continue
                if cells(term) <= first - col_spacing:
                    self.write(" " * (first - cells(term)))
                else:
                    self.write("\n" + pad)
                lines = wrap(text, max(self.width - first - 2, 10)) or [""]
                self.write(lines[0] + "\n" + "".join(f"{pad}{line}\n" for line in lines[1:]))

    class Context(typer.Context):
        formatter_class = Formatter

    return Context


def speak(command: Any, words: Words) -> None:
    """Every command of the tree from `command` down lays out its help in `words`, its
    usage line too ([OPTIONS], COMMAND [ARGS]...)."""
    kind = context_class(words)
    todo = [command]
    while todo:
        one = todo.pop()
        one.context_class = kind
        if one.options_metavar:
            one.options_metavar = words.t("cli.options_metavar")
        if getattr(one, "subcommand_metavar", None):
            one.subcommand_metavar = words.t("cli.subcommand_metavar")
        todo.extend(getattr(one, "commands", {}).values())


def show_framework_error(exc: Any, words: Words, err: Console) -> None:
    """An error of the framework (a usage error, a file it cannot open) as the framework
    shows one (the usage line, where help is, the error) in `words`' language, through
    the Console like every other error."""
    ctx = getattr(exc, "ctx", None)
    message = exc.format_message()
    if ctx is not None and message == ctx.get_help():  # a group run without its command
        err.print(clean(message), markup=False, highlight=False, soft_wrap=True)
        return
    if ctx is not None:
        lines = [ctx.get_usage()]
        if ctx.command.get_help_option(ctx) is not None:
            command = f"{ctx.command_path} {ctx.help_option_names[0]}"
            lines.append(words.t("cli.try_help", command=command))
        err.print(clean("\n".join(lines) + "\n"), markup=False, highlight=False,
                  soft_wrap=True)
    said = framework_text(message, words)
    err.print(clean(words.t("error", text=said)), style="red", markup=False,
              highlight=False, soft_wrap=True)
