"""The `bjtrack` console script. `bjtrack --version` is answered here, without loading
the command-line framework; everything else goes to `bjtrack.cli.main`."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from bjtrack import __version__

        sys.stdout.write(f"bjtrack {__version__}\n")
        return
    # A command is short-lived and allocates a lot while it imports and reads: collect
    # cycles less often, and never look again at what the imports made.
    gc.set_threshold(20_000, 10, 10)
    try:
        from bjtrack.cli.main import main as run
    except KeyboardInterrupt:  # Ctrl-C while Python loads the program: no traceback
        sys.exit(130)

    gc.freeze()
    run()
