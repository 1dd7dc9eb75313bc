"""A plan with its records, and finding a target in it: what every task starts from."""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

from bjtrack.domain.errors import BjtrackError, Problem, UsageError, problem
from bjtrack.domain.model import Plan, Record, Target
from bjtrack.domain.records import effective
from bjtrack.files import plan as plan_file
from bjtrack.files import records as records_file
from bjtrack.files import writing
from bjtrack.index.cache import FileStat, RecordIndex, Unusable, open_index, unchanged_since
from bjtrack.index.memo import load_plan


class Loaded:
    """A plan with its records as read from disk.

    With an index (bjtrack.index.cache) the records are read from it only when asked for:
    `status` and `log` query it for what they need; `records` gives them all."""

    def __init__(self, plan: Plan, records: records_file.RecordSet | None = None,
                 index: RecordIndex | None = None, read_as: tuple[FileStat, int] | None = None
                 ) -> None:
        assert records is not None or index is not None
        self.plan = plan
        self.index = index
        self._records = records
        self._read_as = read_as  # the file's stat just before it was read in full, and when

    @property
    def records(self) -> records_file.RecordSet:
        if self._records is None:
            assert self.index is not None
            try:
                self._records = self.index.record_set()
            except Unusable:
                self._records = read_records(self.plan.records_path)
        return self._records

    @property
    def torn(self) -> Problem | None:
        if self._records is None and self.index is not None:
            return self.index.torn
        return self.records.torn

    def close(self) -> None:
        """Close the index, if one is open (a Loaded is also a context manager)."""
        if self.index is not None:
            self.index.close()

    def __enter__(self) -> Loaded:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def warnings(self) -> list[Problem]:
        """What a report says before its figures: a torn last record set aside."""
        torn = self.torn
        return [torn] if torn else []

    def indexed(self) -> RecordIndex | None:
        """The index, while the records have not been read in full."""
        return self.index if self._records is None else None

    def on_day(self, series: str, day: date) -> list[Record]:
        """The current records of a series dated `day`, in file order."""
        index = self.indexed()
        if index is not None:
            try:
                return index.on_day(series, day)
            except Unusable:
                pass
        return [r for r in effective(self.records.records)
                if r.series == series and r.date == day]

    def series_records(self, series: str) -> list[Record]:
        """Every record of a series (retracted and replaced ones too), in file order."""
        index = self.indexed()
        if index is not None:
            try:
                return index.series_records(series)
            except Unusable:
                pass
        return [r for r in self.records.records if r.series == series]

    def id_taken(self, record_id: str) -> bool:
        index = self.indexed()
        if index is not None:
            try:
                return index.has_id(record_id)
            except Unusable:
                pass
        return any(r.id == record_id for r in self.records.records)


def load(path: Path, strict: bool = True) -> Loaded:
    """Read a plan and its records. With strict, a damaged record (other than a torn
    last one, which is set aside with a warning) is an error."""
    # plan_file.load_plan, remembered while the file is unchanged
    return _with_records(load_plan(path), strict)


def _with_records(plan: Plan, strict: bool) -> Loaded:
    path = plan.records_path
    index = open_index(path)  # holds no damaged record: nothing to report
    if index is not None:
        return Loaded(plan, index=index)
    try:
        read_as: tuple[FileStat, int] | None = (FileStat.of(path), time.time_ns())
    except OSError:  # no records yet
        read_as = None
    records = read_records(path)
    if strict and records.problems:
        raise BjtrackError(*records.problems, problem("err.fix_records"))
    return Loaded(plan, records, read_as=read_as)


@contextmanager
def decided(loaded: Loaded) -> Iterator[Loaded]:
    """The records file's lock, held while the caller decides and writes, and the plan's
    records as they are under it (`fresh`). Their index is closed once the lock is let go,
    so what closing costs (SQLite folding its log into the file) holds no other command."""
    with ExitStack() as after_lock:
        with writing.locked(loaded.plan.records_path):
            current = fresh(loaded)
            after_lock.callback(current.close)
            yield current


def fresh(loaded: Loaded) -> Loaded:
    """The plan's records read again: what a command decides on under the records file's
    lock (`writing.locked`), so that no other command can change them before it writes.
    Records read in full (no index) are read again only if the file changed since: a
    second full parse of a large file doubled the time of every log without an index."""
    read_as, records = loaded._read_as, loaded._records
    if records is not None and not records.problems and read_as is not None \
            and unchanged_since(loaded.plan.records_path, *read_as):
        return Loaded(loaded.plan, records, read_as=read_as)
    return _with_records(loaded.plan, strict=True)


def read_records(path: Path) -> records_file.RecordSet:
    """Every record of the file. Read without the lock, a block another command is
    appending this moment looks damaged or torn: such a read is done again once that
    command lets go of the lock, and what still looks damaged then is."""
    records = records_file.load_records(path)
    if not records.problems and records.torn is None:
        return records
    try:
        with writing.locked(path):
            return records_file.load_records(path)
    except BjtrackError:  # no lock to be had here (a read-only folder): the first read
        return records


def read_plan(path: Path) -> Plan:
    """The plan alone, for what needs no records (`targets`, `where`, `target edit`)."""
    return plan_file.load_plan(path)


def unique_id(taken: Callable[[str], bool]) -> str:
    """A new record id that `taken` says no record of the file holds."""
    while True:
        candidate = records_file.new_record_id()
        if not taken(candidate):
            return candidate


def resolve_target(plan: Plan, ref: str) -> Target:
    """A target by id, series, exact name, or unique prefix of an id or name."""
    ref = ref.strip()
    for target in plan.targets:
        if ref in (target.id, target.name):
            return target
    for target in plan.targets:
        if ref == target.series:
            return target
    matches = [t for t in plan.targets if t.id.startswith(ref) or t.name.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = ", ".join(f"{t.id} ({t.name})" for t in matches[:8])
        raise UsageError(problem("err.several_targets", hint_key="hint.type_more", ref=ref,
                                 names=names))
    choices = [t.id for t in plan.targets] + [t.name for t in plan.targets]
    close = difflib.get_close_matches(ref, choices, n=3, cutoff=0.4)
    raise UsageError(problem("err.unknown_target", ref=ref, names=", ".join(close),
                             hint_key="hint.did_you_mean" if close else "hint.list_targets"))


def series_target(plan: Plan, series: str) -> Target:
    """The first target or indicator that reads a series."""
    for target in plan.targets:
        if target.series == series:
            return target
    raise BjtrackError(problem("err.unknown_series", hint_key="hint.check", series=series))
