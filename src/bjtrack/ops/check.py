"""`bjtrack check`: every problem of a plan and its records, all at once; `--repair`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bjtrack.domain.errors import BjtrackError, Problem, problem
from bjtrack.domain.model import Plan, Record
from bjtrack.domain.records import effective
from bjtrack.files import plan as plan_file
from bjtrack.files import records as records_file
from bjtrack.files import repair as repairing


@dataclass(frozen=True)
class CheckResult:
    path: Path
    plan: Plan | None  # None when the plan itself cannot be read
    records: int
    problems: tuple[Problem, ...]
    backup: Path | None = None  # where --repair kept the damaged file
    repaired: bool = False  # --repair was asked for


def _line(record: Record) -> int | None:
    return record.origin.line if record.origin else None


def _duplicates(records: Sequence[Record], file: str) -> list[Problem]:
    seen: dict[str, Record] = {}
    out = []
    for record in records:
        if record.id in seen:
            first = _line(seen[record.id])
            out.append(problem("err.check.duplicate_id", hint_key="hint.check.new_id",
                               file=file, line=_line(record), id=record.id,
                               first=first if first else "?"))
        seen[record.id] = record
    return out


def _unknown_series(plan: Plan, records: Sequence[Record], file: str) -> list[Problem]:
    known = {t.series for t in plan.targets}
    return [problem("err.check.unknown_series", hint_key="hint.check.add_series", file=file,
                    line=_line(r), series=r.series)
            for r in records if r.series not in known and not r.retracts]


def _conflicts(plan: Plan, records: Sequence[Record], file: str) -> list[Problem]:
    by_key: dict[tuple[str, date | None], list[Record]] = {}
    sums = {t.series for t in plan.targets if t.aggregate == "sum"}
    for record in effective(records):
        by_key.setdefault((record.series, record.date), []).append(record)
    out = []
    for (series, day), group in by_key.items():
        if len({r.value for r in group}) > 1 and series not in sums:
            lines = ", ".join(str(r.origin.line) for r in group if r.origin)
            out.append(problem("err.check.conflict", hint_key="hint.check.keep_one", file=file,
                               line=_line(group[-1]), series=series, date=day, lines=lines))
    return out


def check(path: Path, repair_at: datetime | None = None) -> CheckResult:
    """Every problem in the plan and its records; with `repair_at`, the records file is
    repaired first (the damaged one kept beside it, named by that time)."""
    backup = None
    if repair_at is not None:
        records_path = plan_file.load_plan(path).records_path
        backup = repairing.repair(records_path, repair_at.strftime("%Y%m%d%H%M%S"))
    try:
        plan = plan_file.load_plan(path)
    except BjtrackError as exc:
        return CheckResult(path, None, 0, tuple(exc.problems), backup, repair_at is not None)
    result = records_file.load_records(plan.records_path)
    problems = list(result.problems)
    if result.torn:
        problems.append(result.torn)
    file = str(plan.records_path)
    problems += _duplicates(result.records, file)
    problems += _unknown_series(plan, result.records, file)
    problems += _conflicts(plan, result.records, file)
    return CheckResult(path, plan, len(result.records), tuple(problems), backup,
                       repair_at is not None)
