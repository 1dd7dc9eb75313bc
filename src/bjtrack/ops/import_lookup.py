"""What the records file holds that an import needs to know, looked up without reading the
whole file where its index can answer: the figures already recorded on the sheet's dates,
and record ids no record holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from bjtrack.domain.records import effective
from bjtrack.files import records as records_file
from bjtrack.files.records import new_ids
from bjtrack.index import cache

Identity = tuple[str, date | None, Decimal | None, str]  # series, date, value, vintage


def recorded(path: Path, keys: list[Identity]) -> list[Identity]:
    """The identities of the current records of the file dated within the dates these
    figures span for their series: from the index when it can answer (a few hundred series
    and a few thousand of the sheet's dates at a time, so that only identities are kept),
    else from a full parse."""
    if not keys:
        return []
    index = cache.open_index(path)
    if index is not None:
        current: list[Identity] = []
        try:
            for windows in _windows(keys):
                for found in index.windows(windows).values():
                    current += (r.identity for r in found)
            return current
        except cache.Unusable:
            pass
        finally:
            index.close()
    return [r.identity for r in effective(records_file.load_records(path).records)]


WINDOW_DATES = 5000  # the sheet's dates of a series that one look into the index spans


def _windows(keys: list[Identity]) -> Iterator[dict[str, tuple[date | None, date | None]]]:
    """The spans of dates to look up, each series' dates cut into runs of WINDOW_DATES:
    each look brings back a bounded share of the file's records, however many it holds."""
    days: dict[str, set[date]] = {}
    for series, day, _, _ in keys:
        assert day is not None
        days.setdefault(series, set()).add(day)
    runs: dict[str, list[tuple[date | None, date | None]]] = {}
    for series, dated in days.items():
        ordered = sorted(dated)
        runs[series] = [(ordered[at], ordered[min(at + WINDOW_DATES, len(ordered)) - 1])
                        for at in range(0, len(ordered), WINDOW_DATES)]
    del days
    names = list(runs)
    for at in range(0, len(names), 300):
        group = names[at: at + 300]
        for turn in range(max(len(runs[n]) for n in group)):
            yield {n: runs[n][turn] for n in group if turn < len(runs[n])}


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
    drawn = new_ids(set())
    known: set[str] | None = None
    while True:
        batch = [next(drawn) for _ in range(1000)]
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
