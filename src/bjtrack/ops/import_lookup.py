"""What the records file holds that an import needs to know, looked up without reading the
whole file where its index can answer: the figures already recorded on the sheet's dates,
and record ids no record holds."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from pathlib import Path

from bjtrack.domain.records import effective
from bjtrack.files import records as records_file
from bjtrack.index import cache
from bjtrack.ops.import_spool import Held

Window = tuple[str, str, str]  # a series, its first and its last ISO date


def recorded(path: Path, windows: list[Window], hold: Callable[[Iterable[Held]], None]
             ) -> None:
    """Give `hold` the figures of the current records of the file dated within these
    windows: from the index when it can answer, as a stream (however big the file, they
    are never all in memory), else from a full parse. Should the index fail halfway,
    `hold` is given the full parse, in place of what it had."""
    if not windows:  # no figure in the sheet
        hold(())
        return
    index = cache.open_index(path)
    if index is not None:
        try:  # the look closed before the index, however `hold` leaves it
            with closing(index.identities(windows)) as found:
                hold((series, day or "", None if value is None else Decimal(value), vintage)
                     for series, day, value, vintage in found)
            return
        except cache.Unusable:
            pass
        finally:
            index.close()
    hold((r.series, r.date.isoformat() if r.date else "", r.value, r.vintage)
         for r in effective(records_file.load_records(path).records))


@contextmanager
def fresh_ids(path: Path) -> Iterator[Iterator[str]]:
    """Record ids the records file does not hold, drawn a thousand at a time and each
    thousand checked against the file (its index, else a full parse): under the lock, so
    that no record written meanwhile holds one. The index is closed on leaving, however
    the ids' user leaves."""
    index = cache.open_index(path)
    try:
        yield _checked_ids(path, index)
    finally:
        if index is not None:
            index.close()


def _checked_ids(path: Path, index: cache.RecordIndex | None) -> Iterator[str]:
    drawn = records_file.distinct_ids()
    known: set[str] | None = None
    while True:
        batch = list(itertools.islice(drawn, 1000))
        taken: set[str] = set()
        if index is not None:
            try:
                taken = index.ids_taken(batch)
            except cache.Unusable:
                index = None  # (closed by fresh_ids)
        if index is None:
            if known is None:
                known = {r.id for r in records_file.load_records(path).records}
            taken = known.intersection(batch)
        yield from (rid for rid in batch if rid not in taken)
