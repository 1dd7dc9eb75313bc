"""Long tables through a pager, as git shows its logs: only when stdout is a terminal and the
output is taller than it; `$BJTRACK_PAGER`, else `$PAGER`, else `less -FRX`. `--no-pager`,
or `BJTRACK_PAGER=cat` (or empty), prints straight to the terminal."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence

from rich.console import Console, RenderableType

DEFAULT = "less -FRX"  # quit if it fits, keep colours, leave the screen as it was


def pager_command(env: Mapping[str, str]) -> str | None:
    """The pager to run, or None for none: BJTRACK_PAGER, else PAGER, else less."""
    command = env.get("BJTRACK_PAGER", env.get("PAGER", DEFAULT)).strip()
    return None if command in ("", "cat") else command




def show(console: Console, renderables: Sequence[RenderableType], enabled: bool) -> None:
    """Print the renderables, through the pager when the output is long on a terminal."""
    if not (enabled and console.is_terminal and sys.stdout.isatty()):
        for renderable in renderables:
            console.print(renderable)
        return
    with console.capture() as captured:
        for renderable in renderables:
            console.print(renderable)
    text = captured.get()
    command = pager_command(os.environ)
    if command is None or text.count("\n") < console.height:  # it fits: no pager
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    page(command, text)


def page(command: str, text: str) -> None:
    """Hand the text to the pager; if it cannot be started, print it."""
    if not _found(command):  # no such pager: the text, without the shell's complaint
        sys.stdout.write(text)
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git does: a bare `less` also keeps colours
    env.setdefault("LV", "-c")
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode(sys.stdout.encoding or "utf-8", errors="replace"))
        proc.stdin.close()
    except BrokenPipeError:  # the reader quit the pager before the end: fine
        pass
    while True:
        try:
            if proc.wait() == 127:  # the shell found no such pager: print it after all
                sys.stdout.write(text)
            return
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager while it runs
            continue


def _found(command: str) -> bool:
    """Whether the pager's program exists (a command the shell must read is let be)."""
    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return True
    return "=" in program or shutil.which(program) is not None
