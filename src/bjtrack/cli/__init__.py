"""The command line: the Typer app (root.py), one module per command group, and the entry
point with its one error boundary (main.py)."""

from bjtrack.cli.main import main
from bjtrack.cli.root import app

__all__ = ["app", "main"]
