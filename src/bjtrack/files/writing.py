"""Writing the records file safely: under its lock, appended in one write and fsynced,
or replaced whole through a temp file in the same folder (fsync, then rename). Nothing here
rewrites a record; `check_tail` says whether the last block is whole."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from bjtrack.domain.errors import BjtrackError, Problem, os_reason, problem
from bjtrack.domain.model import Record
from bjtrack.files.paths import refuse_special
from bjtrack.files.records import HEADER, RECORDS_HEADER, framed_block, parse_record_bytes

LOCK_TIMEOUT = 60.0
LOCK_POLL = 0.01


_HELD: dict[str, int] = {}  # the lock files this process holds, and how deep


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the records file's lock (a sibling `.lock` file) for a read-modify-write.

    Re-entrant within the process: a command that decides under the lock (is this figure
    logged already? is that record still current?) and then appends takes it once."""
    from filelock import FileLock, Timeout

    name = os.path.abspath(str(path) + ".lock")
    if _HELD.get(name):
        _HELD[name] += 1
        try:
            yield
        finally:
            _HELD[name] -= 1
        return
    lock = FileLock(name, timeout=LOCK_TIMEOUT)
    try:
        # Poll often: a queue of writers otherwise idles 50 ms per hand-over.
        lock.acquire(poll_interval=LOCK_POLL)
    except Timeout:
        raise BjtrackError(problem("err.lock_timeout", hint_key="hint.lock_timeout",
                                   file=str(path), name=path.name,
                                   seconds=f"{LOCK_TIMEOUT:.0f}")) from None
    except OSError as exc:  # a read-only folder or disk: nothing can be written there
        raise BjtrackError(problem("err.cannot_write_here", hint_key="hint.writable_folder",
                                   file=str(path), why=os_reason(exc))) from None
    _HELD[name] = 1
    _clean_leftovers(path)
    try:
        yield
    finally:
        del _HELD[name]
        lock.release()


LEFTOVER_AGE = 10.0  # seconds: a temp file this old, seen under the lock, is a dead run's


def _clean_leftovers(path: Path) -> None:
    """Delete what a killed run left beside the file: the temp copy of an import, repair or
    plan edit (`.<name>.*.tmp`) and a plan check's copy (`.<name>.*.check`). Every writer
    of these holds this lock while they exist, and it is ours now; the age is a margin."""
    try:
        leftovers = [*path.parent.glob(f".{glob.escape(path.name)}.*.tmp"),
                     *path.parent.glob(f".{glob.escape(path.name)}.*.check")]
        now = time.time()
        for leftover in leftovers:
            st = leftover.lstat()
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > LEFTOVER_AGE:
                leftover.unlink(missing_ok=True)
    except OSError:
        pass  # a folder that cannot be listed or written: nothing to clean there


def check_tail(path: Path) -> Problem | None:
    """Is the last block of the records file whole? Reads only the end of the file."""
    refuse_special(path)  # every write checks the tail first: never a pipe or a device
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    chunk = 1 << 16
    with path.open("rb") as handle:
        while True:
            start = max(0, size - chunk)
            handle.seek(start)
            data = handle.read()
            at = data.rfind(b"\n" + HEADER.encode())
            if at >= 0 or start == 0:
                break
            chunk *= 4
    block_start = start + at + 1 if at >= 0 else 0
    tail = data[at + 1:] if at >= 0 else data
    try:
        torn = parse_record_bytes(tail, str(path)).torn
    except BjtrackError as exc:  # not UTF-8 before its last line: damaged, not torn
        torn = exc.problems[0]
    if torn is None:
        return None
    with path.open("rb") as handle:
        base = handle.read(block_start).count(b"\n")
    line = base + torn.line if torn.line is not None else None
    return replace(torn, file=str(path), line=line, column=None)


def append_record(path: Path, record: Record) -> None:
    """Append one record: under the lock, one write, fsync. The file is never rewritten."""
    block = framed_block(record).encode("utf-8")
    with locked(path):
        torn = check_tail(path)
        if torn is not None:
            raise BjtrackError(problem("err.damaged_last", hint_key="hint.repair_then_log",
                                       file=torn.file, line=torn.line, problem=torn))
        _append_bytes(path, block)


def append_records(path: Path, records: Sequence[Record],
                   render: Callable[[Record], str] | None = None) -> None:
    """Append many records at once (import): all or none of them land. `render` may
    replace `framed_block` with another writer of the same text."""
    if not records:
        return
    with locked(path):
        write_records(path, records, render)


def write_records(path: Path, records: Iterable[Record],
                  render: Callable[[Record], str] | None = None) -> None:
    """`append_records` for a caller that holds the lock already (an import checks what
    the file holds and writes in one hold of it). The records may be made as they are
    written (an import's stream): all of them land, or none if making one fails."""
    torn = check_tail(path)
    if torn is not None:
        raise BjtrackError(problem("err.damaged_last", hint_key="hint.repair_first",
                                   file=torn.file, line=torn.line, problem=torn))
    write = render or framed_block
    items = iter(records)
    first = next(items, None)
    if first is None:
        return
    second = next(items, None)
    if second is None:
        _append_bytes(path, write(first).encode("utf-8"))
    else:
        _append_together(path, itertools.chain((first, second), items), write)


def _append_together(path: Path, records: Iterable[Record],
                     write: Callable[[Record], str]) -> None:
    """Several records land together or not at all. An append cut short by a crash would
    leave the first of them whole (only the last one torn), so instead the file plus the
    new records is written beside it and renamed over it: the old bytes stay exactly as
    they were, and a crash leaves either the old file or the new one. The old bytes are
    copied by the kernel and the new ones written a batch at a time: memory stays flat
    however big the file or the import."""

    def fill(handle: BinaryIO) -> None:
        if not _copy_into(path, handle):
            handle.write(RECORDS_HEADER.encode())
        batch: list[str] = []
        for record in records:
            batch += ("\n", write(record))
            if len(batch) >= 2000:
                handle.write("".join(batch).encode("utf-8"))
                batch.clear()
        handle.write("".join(batch).encode("utf-8"))

    _replace(path, fill)


def _copy_into(path: Path, handle: BinaryIO) -> int:
    """Write the bytes of the file at `path` (none if there is no file) to `handle`, by the
    kernel where it can; how many there were."""
    try:
        source = path.open("rb")
    except FileNotFoundError:
        return 0
    with source:
        size = os.fstat(source.fileno()).st_size
        handle.flush()
        send = getattr(os, "sendfile", None)
        done = 0
        try:
            while send is not None and done < size:
                sent = send(handle.fileno(), source.fileno(), done, size - done)
                if not sent:
                    break
                done += sent
        except OSError:
            pass  # not between these two files: through memory below (a real error recurs)
        handle.seek(0, os.SEEK_END)  # past what the kernel wrote
        source.seek(done)
        shutil.copyfileobj(source, handle)
        return source.tell()


def _append_bytes(path: Path, block: bytes) -> None:
    created = not path.exists()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        size = os.fstat(fd).st_size
        payload = (RECORDS_HEADER.encode() if size == 0 else b"") + b"\n" + block
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, size)  # leave the file exactly as it was
            except OSError:
                pass  # what is left is a torn tail, which check reports and repair moves
            if created:
                path.unlink(missing_ok=True)
            raise _cannot_write(path, exc) from None
    finally:
        os.close(fd)
    if created:
        _fsync_dir(path.parent)


def _cannot_write(path: Path, exc: OSError) -> BjtrackError:
    return BjtrackError(problem("err.cannot_write", hint_key="hint.nothing_written",
                                file=str(path), why=os_reason(exc)))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, through_links: bool = True) -> None:
    """Replace a file's content all at once: temp file in the same folder, fsync, rename.
    A read-only file is refused, not replaced behind its owner's back. A symbolic link is
    written through (the file it points to is replaced, the link stays) unless
    `through_links` is off (`export --force` replaces the link itself)."""
    _replace(path, lambda handle: handle.write(data), through_links)


def _replace(path: Path, fill: Callable[[BinaryIO], object], through_links: bool = True
             ) -> None:
    """`atomic_write` of what `fill` writes to the temp file."""
    if through_links and path.is_symlink():  # a link the user made stays a link
        path = Path(os.path.realpath(path))
    if path.exists() and not os.access(path, os.W_OK):
        raise BjtrackError(problem("err.read_only", hint_key="hint.read_only",
                                   file=str(path)))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise BjtrackError(problem("err.cannot_write", hint_key="hint.nothing_changed",
                                   file=str(path), why=os_reason(exc))) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:  # a new file gets the usual permissions, not mkstemp's private 0600
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise BjtrackError(problem("err.cannot_write", hint_key="hint.nothing_changed",
                                   file=str(path), why=os_reason(exc))) from None
    except BaseException:  # what `fill` wrote cannot be made whole: the file stays as it was
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
