"""Repair of the records file: a torn last block (left by a crash mid-write) moves to a
backup file; everything before it stays byte for byte."""

from __future__ import annotations

from pathlib import Path

from bjtrack.files.records import load_records
from bjtrack.files.writing import atomic_write, locked


def repair(path: Path, stamp: str) -> Path | None:
    """Move a torn last block to `<records>.torn-<stamp>` and keep everything before it."""
    with locked(path):
        result = load_records(path)
        if result.torn is None or result.torn_offset is None:
            return None
        data = path.read_bytes()
        start = result.torn_offset
        frame = data.rfind(b"\n", 0, max(start - 1, 0)) + 1
        if data[frame:start].startswith(b"#"):  # the torn record's frame goes with it
            start = frame
        fragment = data[start:]
        backup = path.with_name(f"{path.name}.torn-{stamp}")
        atomic_write(backup, fragment)
        kept = data[:start]
        if kept.endswith(b"\n\n"):
            kept = kept[:-1]  # the blank line that separated the torn block
        atomic_write(path, kept)
        return backup
