"""The `bjtrack` console script. `bjtrack --version` is answered here, without loading
the command-line framework; everything else goes to `bjtrack.cli.main`."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from bjtrack import __version__

        sys.stdout.write(f"bjtrack {__version__}\n")
        return
    from bjtrack.cli import main as run

    run()
