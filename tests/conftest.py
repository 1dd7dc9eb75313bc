"""Shared fixtures: a temp plan folder and an in-process runner for the real entry point."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bjtrack.cli import main
from bjtrack.index.sqlite import open_connections

REPO = Path(__file__).resolve().parent.parent

SMALL_PLAN = """\
[plan]
name = "测试计划"

[[target]]
id = "investment"
name = "区内全年投资"
target = "300亿元"
comparison = ">"
start = 2022-01-01
due = 2022-12-31
group = "产业"

[[target]]
id = "firms-total"
name = "企业总量"
target = "8.2万家"
kind = "level"
start = 2022-01-01
due = 2022-12-31
group = "产业"

[[target]]
id = "share"
name = "工业增加值占比"
target = "40%"
hold = true
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "gdp"
name = "地区生产总值"
unit = "亿元"
"""


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Runner = Callable[..., Result]


@pytest.fixture(scope="session")
def _user_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The user's own cache folder (the plan memo's key lives there): one per test run."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, _user_cache: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(_user_cache))
    for var in ("BJTRACK_FILE", "BJTRACK_LANG", "BJTRACK_TODAY", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    """A folder holding the small test plan (no records yet)."""
    (tmp_path / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
    return tmp_path


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped Binjiang plan and its records."""
    for name in ("targets.toml", "records.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run `bjtrack ARGS` in-process through the real entry point, in folder `cwd`."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        opened = open_connections()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        assert open_connections() == opened, f"bjtrack {' '.join(args)} left its index open"
        return Result(code, captured.out, captured.err)

    return run


def records_text(folder: Path) -> str:
    path = folder / "records.toml"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def env_without_color() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    return env
