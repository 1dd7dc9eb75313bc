"""Large plans on the terminal, and the console script's fast path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from bjtrack.render import table
from conftest import Runner
from test_cache import generate


@pytest.fixture
def large(tmp_path: Path) -> Path:
    generate.write_plan(tmp_path, table.COMPACT_FROM + 10, 40)
    return tmp_path


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160])
def test_large_plan_one_aligned_line_per_target(cli: Runner, large: Path, width: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    shown = cli("status", "--as-of", "2025-06-30", cwd=large)
    data = json.loads(cli("status", "--as-of", "2025-06-30", "--format", "json",
                          cwd=large).out)
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    rows = [line for line in lines if line.startswith("指标")]
    assert len(rows) == len(data["targets"])
    assert sum(line.startswith("│指标") for line in lines) == len(data["indicators"])
    assert all(cell_len(line) <= width for line in lines)
    starts = set()
    for status, line in zip(data["targets"], rows, strict=True):  # every verdict shown
        word = {"on_track": "on track", "no_data": "no data", "no_pace": "no pace"}.get(
            status["verdict"], status["verdict"])
        assert f"  {word}" in line, (word, line)
        starts.add(cell_len(line[: line.index(f"  {word}")]))
        if width >= 80 and status["kind"] == "sum" and status["actual"] is not None:
            assert f" {status['actual']}家 " in line  # figures are never cut short
    assert len(starts) == 1  # the verdicts line up


def test_small_plan_keeps_the_full_table(cli: Runner, tmp_path: Path) -> None:
    generate.write_plan(tmp_path, 12, 3)
    shown = cli("status", "--as-of", "2025-06-30", cwd=tmp_path)
    assert shown.code == 0 and "┃" in shown.out  # Rich's table, with its borders


def test_version_without_loading_the_framework() -> None:
    code = ("import sys; sys.argv = ['bjtrack', '--version']; "
            "from bjtrack.launch import main; main(); "
            "print('typer' in sys.modules, 'rich' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    from bjtrack import __version__

    assert out == f"bjtrack {__version__}\nFalse False\n"


def test_console_script_runs_the_cli_otherwise(shipped: Path) -> None:
    code = ("import sys; sys.argv = ['bjtrack', 'status', '--format', 'json', "
            "'--as-of', '2022-06-30']; from bjtrack.launch import main; main()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=shipped, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2022-06-30"
