"""A full disk and read-only files: one clear message, a non-zero exit, files untouched.

A full disk is simulated (os.write moves part of the bytes, then fails with ENOSPC; or
fsync fails) and, where this machine lets us mount, made real with a tiny tmpfs. Read-only
is a read-only mount where we may mount, and file permissions otherwise.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bjtrack.domain.errors import BjtrackError
from bjtrack.files import records as records_file
from bjtrack.files import writing
from conftest import SMALL_PLAN, Result, Runner

FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder (lock files aside, they hold nothing) and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith(".lock")}


def _with_records(cli: Runner, folder: Path) -> None:
    for value, day in (("100亿", "2022-03"), ("150亿", "2022-06")):
        assert cli("log", "investment", value, "--date", day, cwd=folder).code == 0


def _partial_then_full(monkeypatch: pytest.MonkeyPatch, after: int = 1) -> list[int]:
    """os.write writes half of what it is given `after` times, then the disk is full."""
    real = os.write
    calls: list[int] = []

    def write(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        if len(calls) > after:
            raise FULL
        return real(fd, bytes(memoryview(data)[: max(1, len(data) // 2)]))

    monkeypatch.setattr(os, "write", write)
    return calls


def _assert_refused(result: Result, folder: Path, before: dict[str, bytes], words: str
                    ) -> None:
    code, err = result.code, result.err
    assert code == 1, err
    assert words in err
    assert "records.toml" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 3  # one message and its hint
    assert _snapshot(folder) == before


# --------------------------------------------------------------------------- ENOSPC

def test_log_on_a_full_disk_leaves_the_file_as_it_was(cli: Runner, plan_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _with_records(cli, plan_dir)
    before = _snapshot(plan_dir)
    calls = _partial_then_full(monkeypatch)
    result = cli("log", "investment", "200亿", "--date", "2022-09", "--note", "满" * 5000,
                 cwd=plan_dir)
    assert len(calls) == 2  # half a record really was written before the disk filled up
    _assert_refused(result, plan_dir, before, "No space left on device")
    monkeypatch.undo()
    assert cli("check", cwd=plan_dir).code == 0


def test_first_record_on_a_full_disk_leaves_no_file(cli: Runner, plan_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(plan_dir)
    _partial_then_full(monkeypatch)
    result = cli("log", "investment", "200亿", "--date", "2022-09", cwd=plan_dir)
    _assert_refused(result, plan_dir, before, "No space left on device")
    assert not (plan_dir / "records.toml").exists()


def test_fsync_failing_leaves_the_file_as_it_was(cli: Runner, plan_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Some filesystems (NFS, delayed allocation) report a full disk only at fsync."""
    _with_records(cli, plan_dir)
    before = _snapshot(plan_dir)

    def fsync(fd: int) -> None:
        raise FULL

    monkeypatch.setattr(os, "fsync", fsync)
    result = cli("log", "investment", "200亿", "--date", "2022-09", cwd=plan_dir)
    _assert_refused(result, plan_dir, before, "No space left on device")


def test_import_on_a_full_disk_adds_nothing(cli: Runner, plan_dir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _with_records(cli, plan_dir)
    sheet = plan_dir / "sheet.csv"
    sheet.write_text("指标,日期,数值\n" + "".join(
        f"investment,20{10 + i}-12-31,{i + 1}亿\n" for i in range(30)), encoding="utf-8")
    before = _snapshot(plan_dir)
    real_fsync = os.fsync
    fsyncs: list[int] = []

    def fsync(fd: int) -> None:  # the data went to the disk's cache; flushing it fails
        fsyncs.append(fd)
        raise FULL

    monkeypatch.setattr(os, "fsync", fsync)
    result = cli("import", str(sheet), cwd=plan_dir)
    assert fsyncs
    _assert_refused(result, plan_dir, before, "No space left on device")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert cli("import", str(sheet), cwd=plan_dir).code == 0


def test_atomic_write_on_a_full_disk_removes_its_temp_file(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    target = tmp_path / "targets.toml"
    target.write_bytes(b"old\n")

    def fsync(fd: int) -> None:
        raise FULL

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(BjtrackError) as caught:
        writing.atomic_write(target, b"new\n" * 100_000)
    assert "No space left on device" in str(caught.value)
    assert str(target) in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["targets.toml"]
    assert target.read_bytes() == b"old\n"


def test_repair_on_a_full_disk_changes_nothing(cli: Runner, plan_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _with_records(cli, plan_dir)
    path = plan_dir / "records.toml"
    path.write_bytes(path.read_bytes() + b'\n[[record]]\nid = "torn"\nseries = "inv')
    before = _snapshot(plan_dir)
    real = os.replace
    moves: list[str] = []

    def replace(src: str, dst: str) -> None:  # the backup lands, then the disk is full
        moves.append(str(dst))
        if len(moves) > 1:
            raise FULL
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    result = cli("check", "--repair", cwd=plan_dir)
    assert result.code == 1
    assert "No space left on device" in result.err
    after = _snapshot(plan_dir)
    backups = [name for name in after if name.startswith("records.toml.torn-")]
    # The records file is untouched; the fragment's copy may stay beside it, nothing else.
    assert {k: v for k, v in after.items() if k not in backups} == before
    assert not [name for name in after if name.endswith(".tmp")]


# --------------------------------------------------------------------------- real mounts

def _mount(folder: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, check=False)
    return done.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture
def tiny_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A 4 MiB tmpfs holding the small plan (skipped where mounting is not allowed).

    Without the index: its database files grow and shrink on their own (a write-ahead log
    is dropped when the last reader closes), which would free space on the full disk at
    random and let a write through. The write path is what these tests are about."""
    monkeypatch.setenv("BJTRACK_NO_CACHE", "1")
    folder = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    if not _mount(folder, "4m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        (folder / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
        yield folder
    finally:
        _umount(folder)


def _fill(folder: Path) -> None:
    """Fill the disk to the last byte."""
    fd = os.open(folder / "ballast", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (65536, 4096, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)


def test_log_on_a_really_full_disk(cli: Runner, tiny_disk: Path) -> None:
    _with_records(cli, tiny_disk)
    _fill(tiny_disk)
    before = _snapshot(tiny_disk)
    result = cli("log", "investment", "200亿", "--date", "2022-09", "--note", "满" * 20_000,
                 cwd=tiny_disk)
    _assert_refused(result, tiny_disk, before, "No space left on device")
    (tiny_disk / "ballast").unlink()
    assert cli("log", "investment", "200亿", "--date", "2022-09", cwd=tiny_disk).code == 0
    assert cli("check", cwd=tiny_disk).code == 0


def test_import_on_a_really_full_disk(cli: Runner, tiny_disk: Path) -> None:
    _with_records(cli, tiny_disk)
    sheet = tiny_disk.parent / "sheet.csv"
    sheet.write_text("指标,日期,数值,备注\n" + "".join(
        f"investment,{1900 + i}-12-31,{i + 1}亿,{'长' * 300}\n" for i in range(100)),
        encoding="utf-8")
    _fill(tiny_disk)
    before = _snapshot(tiny_disk)
    result = cli("import", str(sheet), cwd=tiny_disk)
    assert result.code == 1
    assert "No space left on device" in result.err
    assert "Traceback" not in result.err
    assert _snapshot(tiny_disk) == before


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Path, Callable[[], None]]]:
    """The small plan with two records, then made read-only: a read-only mount where we
    may mount, else file and folder permissions (which a non-root user must obey)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = _mount(folder, "1m")
    if not mounted and os.geteuid() == 0:
        pytest.skip("running as root without mount: permissions would not bind")
    (folder / "targets.toml").write_text(SMALL_PLAN, encoding="utf-8")
    (folder / "records.toml").write_text(
        records_file.RECORDS_HEADER + '\n[[record]]\nid = "a1"\nseries = "investment"\n'
        'date = 2022-06-30\nvalue = "15000000000"\n', encoding="utf-8")

    def lock_down() -> None:
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            for path in folder.iterdir():
                path.chmod(0o444)
            folder.chmod(0o555)

    try:
        yield folder, lock_down
    finally:
        if mounted:
            _umount(folder)
        else:
            folder.chmod(0o755)


@pytest.mark.parametrize("args", [
    ("log", "investment", "200亿", "--date", "2022-09"),
    ("check", "--repair"),
    ("import", "SHEET"),
])
def test_read_only_plan(cli: Runner, read_only: tuple[Path, Callable[[], None]],
                        args: tuple[str, ...], tmp_path: Path) -> None:
    folder, lock_down = read_only
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("指标,日期,数值\ninvestment,2022-09-30,200亿\n"
                     "investment,2022-10-31,210亿\n", encoding="utf-8")
    if args[0] == "check":  # something to repair
        with (folder / "records.toml").open("a", encoding="utf-8") as handle:
            handle.write('\n[[record]]\nid = "torn"\nseries = "inv')
    lock_down()
    before = _snapshot(folder)
    argv = [str(sheet) if a == "SHEET" else a for a in args]
    result = cli(*argv, cwd=folder)
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err
    assert "records.toml" in result.err
    assert "Read-only file system" in result.err or "Permission denied" in result.err \
        or "read-only" in result.err
    assert _snapshot(folder) == before
    status = cli("status", "--as-of", "2022-12-31", "--format", "json", cwd=folder)
    assert status.code == 0  # reading still works
    assert '"actual": 15000000000' in status.out


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_read_only_records_file_in_a_writable_folder(cli: Runner, plan_dir: Path) -> None:
    """A records file someone made read-only is not replaced behind their back, even
    by the rename that an import uses."""
    _with_records(cli, plan_dir)
    path = plan_dir / "records.toml"
    sheet = plan_dir / "sheet.csv"
    sheet.write_text("指标,日期,数值\ninvestment,2022-09-30,200亿\n"
                     "investment,2022-10-31,210亿\n", encoding="utf-8")
    path.chmod(0o444)
    try:
        before = _snapshot(plan_dir)
        for args in (("log", "investment", "200亿", "--date", "2022-09"),
                     ("import", str(sheet))):
            result = cli(*args, cwd=plan_dir)
            assert result.code == 1, args
            assert "Traceback" not in result.err
            assert "records.toml" in result.err
            assert _snapshot(plan_dir) == before
    finally:
        path.chmod(0o644)
