"""A team keeps its plan in git: records from two branches merge (merge=union from `init`),
the merged file parses, and `check` passes or reports exactly the conflict it should."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bjtrack.domain.model import Record
from bjtrack.files import writing
from conftest import Runner, records_text

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=check, timeout=60)


@pytest.fixture
def repo(cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plan made by `bjtrack init` with two targets, committed on main."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # no personal git settings
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    folder = tmp_path / "plan"
    assert cli("init", str(folder), cwd=tmp_path).code == 0
    for args in (("--id", "investment", "--name", "区内全年投资", "--target", "300亿元",
                  "--comparison", ">"),
                 ("--id", "new-firms", "--name", "今年新增企业", "--target", "1.5万家")):
        added = cli("target", "add", *args, "--start", "2022-01-01", "--due", "2022-12-31",
                    cwd=folder)
        assert added.code == 0, added.err
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "team@example.org")
    git(folder, "config", "user.name", "Team")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "plan")
    return folder


def log_on_branch(cli: Runner, folder: Path, branch: str, *logs: tuple[str, str, str]) -> None:
    git(folder, "checkout", "-q", "-B", branch, "main")
    for target, value, day in logs:
        result = cli("log", target, value, "--date", day, "--by", branch, cwd=folder)
        assert result.code == 0, result.err
    git(folder, "commit", "-q", "-am", f"{branch}'s figures")
    git(folder, "checkout", "-q", "main")


def test_init_ships_the_union_merge_and_ignores_locks(cli: Runner, repo: Path) -> None:
    assert git(repo, "check-attr", "merge", "records.toml").stdout.strip() == \
        "records.toml: merge: union"
    assert cli("log", "investment", "1亿", "--date", "2022-01", cwd=repo).code == 0
    assert git(repo, "status", "--porcelain").stdout == " M records.toml\n"  # no lock, no cache


def test_records_from_two_branches_merge_and_pass_check(cli: Runner, repo: Path) -> None:
    log_on_branch(cli, repo, "amy", ("investment", "100亿", "2022-03"),
                  ("investment", "150亿", "2022-06"))
    log_on_branch(cli, repo, "bob", ("new-firms", "4000", "2022-03"),
                  ("new-firms", "8000", "2022-06"))
    git(repo, "merge", "-q", "amy")
    merged = git(repo, "merge", "-q", "--no-edit", "bob", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    records = tomllib.loads(records_text(repo))["record"]
    assert sorted((r["by"], r["value"]) for r in records) == [
        ("amy", "10000000000"), ("amy", "15000000000"), ("bob", "4000"), ("bob", "8000")]
    checked = cli("--lang", "en", "check", cwd=repo)
    assert checked.code == 0, checked.out + checked.err
    assert "2 targets, 4 records, no problems" in checked.err
    status = json.loads(cli("status", "--as-of", "2022-07-01", "--format", "json",
                            cwd=repo).out)
    assert [t["actual"] for t in status["targets"]] == [15000000000, 8000]


def test_without_the_union_attribute_the_same_merge_conflicts(cli: Runner, repo: Path) -> None:
    (repo / ".gitattributes").unlink()
    git(repo, "commit", "-q", "-am", "no attributes")
    log_on_branch(cli, repo, "amy", ("investment", "100亿", "2022-03"))
    log_on_branch(cli, repo, "bob", ("new-firms", "4000", "2022-03"))
    git(repo, "merge", "-q", "amy")
    assert git(repo, "merge", "--no-edit", "bob", check=False).returncode != 0


def test_check_reports_same_date_conflicts_after_a_merge(cli: Runner, repo: Path) -> None:
    log_on_branch(cli, repo, "amy", ("investment", "150亿", "2022-06"))
    log_on_branch(cli, repo, "bob", ("investment", "155亿", "2022-06"))
    git(repo, "merge", "-q", "amy")
    assert git(repo, "merge", "-q", "--no-edit", "bob", check=False).returncode == 0
    en = cli("--lang", "en", "check", cwd=repo)
    assert en.code == 1
    assert "conflicting figures for 'investment' on 2022-06-30" in en.out
    assert "1 problem found" in en.err
    zh = cli("--lang", "zh", "check", cwd=repo)
    assert zh.code == 1 and "发现 1 个问题" in zh.err
    bob = next(r["id"] for r in tomllib.loads(records_text(repo))["record"] if r["by"] == "bob")
    assert cli("rm", bob, "--why", "amy's figure is the published one", cwd=repo).code == 0
    assert cli("check", cwd=repo).code == 0
    status = json.loads(cli("status", "--as-of", "2022-07-01", "--format", "json",
                            cwd=repo).out)
    assert status["targets"][0]["actual"] == 15000000000


def test_check_reports_duplicate_ids_after_a_merge(cli: Runner, repo: Path) -> None:
    log_on_branch(cli, repo, "amy", ("investment", "150亿", "2022-06"))
    git(repo, "checkout", "-q", "amy")
    taken = tomllib.loads(records_text(repo))["record"][0]["id"]
    git(repo, "checkout", "-q", "-B", "bob", "main")
    # bob's script reused amy's id for a different figure
    writing.append_record(repo / "records.toml", Record(
        id=taken, series="new-firms", date=date(2022, 5, 31), value=Decimal(5000), unit="家",
        by="bob script", logged=datetime(2022, 6, 2, 9, 0, tzinfo=UTC)))
    git(repo, "commit", "-q", "-am", "bob")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "amy")
    assert git(repo, "merge", "-q", "--no-edit", "bob", check=False).returncode == 0
    checked = cli("--lang", "en", "check", "--format", "json", cwd=repo)
    assert checked.code == 1
    problems = json.loads(checked.out)["problems"]
    assert len(problems) == 1 and problems[0]["message"].startswith(
        f"duplicate record id '{taken}'")


def test_log_records_who_from_git(cli: Runner, repo: Path) -> None:
    git(repo, "config", "user.name", "张三")
    assert cli("log", "investment", "1亿", "--date", "2022-01", cwd=repo).code == 0
    assert tomllib.loads(records_text(repo))["record"][-1]["by"] == "张三"
    undone = cli("--lang", "en", "undo", cwd=repo)
    assert undone.code == 0 and "retracted 区内全年投资 1亿元" in undone.out
    assert tomllib.loads(records_text(repo))["record"][-1]["by"] == "张三"


def test_the_same_figure_on_both_branches_is_reported_not_hidden(cli: Runner, repo: Path
                                                                 ) -> None:
    """The one merge the frame cannot keep apart (documented in the README): identical
    lines in a row on both sides. check must say where, never pass a damaged file."""
    log_on_branch(cli, repo, "amy", ("investment", "150亿", "2022-06"))
    log_on_branch(cli, repo, "bob", ("investment", "150亿", "2022-06"))
    git(repo, "merge", "-q", "amy")
    assert git(repo, "merge", "-q", "--no-edit", "bob", check=False).returncode == 0
    checked = cli("--lang", "en", "check", "--format", "json", cwd=repo)
    parsed = json.loads(checked.out)
    if checked.code == 0:  # git kept the copies apart after all: two equal figures
        assert parsed["records"] == 2
        return
    assert checked.code == 1 and parsed["problems"]
    assert all(p["file"] == "records.toml" and p["line"] for p in parsed["problems"])
