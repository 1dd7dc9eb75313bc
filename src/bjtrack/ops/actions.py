"""What each command does, as functions over a Plan: callable and testable without the CLI."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bjtrack.domain import evaluation
from bjtrack.domain.amounts import PERCENT, Amount, base_unit, parse_amount
from bjtrack.domain.errors import BjtrackError, InputError, Problem, UsageError, problem
from bjtrack.domain.model import VINTAGES, Plan, Record, Report, Target
from bjtrack.files import store

if TYPE_CHECKING:
    from bjtrack.index.cache import RecordIndex


class Loaded:
    """A plan with its records as read from disk.

    With an index (bjtrack.index.cache) the records are read from it only when asked for:
    `status` and `log` query it for what they need; `records` gives them all."""

    def __init__(self, plan: Plan, records: store.RecordSet | None = None,
                 index: RecordIndex | None = None) -> None:
        assert records is not None or index is not None
        self.plan = plan
        self.index = index
        self._records = records

    @property
    def records(self) -> store.RecordSet:
        if self._records is None:
            assert self.index is not None
            from bjtrack.index.cache import Unusable

            try:
                self._records = self.index.record_set()
            except Unusable:
                self._records = store.load_records(self.plan.records_path, cached=False)
        return self._records

    @property
    def torn(self) -> Problem | None:
        if self._records is None and self.index is not None:
            return self.index.torn
        return self.records.torn

    def warnings(self) -> list[str]:
        torn = self.torn
        return [str(torn)] if torn else []

    def _indexed(self) -> RecordIndex | None:
        """The index, while the records have not been read in full."""
        return self.index if self._records is None else None

    def on_day(self, series: str, day: date) -> list[Record]:
        """The current records of a series dated `day`, in file order."""
        index = self._indexed()
        if index is not None:
            from bjtrack.index.cache import Unusable

            try:
                return index.on_day(series, day)
            except Unusable:
                pass
        return [r for r in evaluation.effective(self.records.records)
                if r.series == series and r.date == day]

    def series_records(self, series: str) -> list[Record]:
        """Every record of a series (retracted and replaced ones too), in file order."""
        index = self._indexed()
        if index is not None:
            from bjtrack.index.cache import Unusable

            try:
                return index.series_records(series)
            except Unusable:
                pass
        return [r for r in self.records.records if r.series == series]

    def id_taken(self, record_id: str) -> bool:
        index = self._indexed()
        if index is not None:
            from bjtrack.index.cache import Unusable

            try:
                return index.has_id(record_id)
            except Unusable:
                pass
        return any(r.id == record_id for r in self.records.records)


def load(path: Path, strict: bool = True) -> Loaded:
    """Read a plan and its records. With strict, a damaged record (other than a torn
    last one, which is set aside with a warning) is an error."""
    from bjtrack.index.cache import open_index
    from bjtrack.index.memo import load_plan

    plan = load_plan(path)  # store.load_plan, remembered while the file is unchanged
    index = open_index(plan.records_path)  # holds no damaged record: nothing to report
    if index is not None:
        return Loaded(plan, index=index)
    records = store.load_records(plan.records_path, cached=False)
    if strict and records.problems:
        raise BjtrackError(*records.problems, Problem(
            "fix the record(s) above by hand; `bjtrack check` lists every problem"))
    return Loaded(plan, records)


# --------------------------------------------------------------------------- targets

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


# --------------------------------------------------------------------------- log

@dataclass(frozen=True)
class LogResult:
    record: Record
    target: Target
    duplicate_of: Record | None = None  # the same figure was already there: nothing written
    revised: Record | None = None  # the record this one replaces


def read_value(plan: Plan, target: Target, text: str) -> Amount:
    """What the user typed, in the series' base unit (a bare number takes that unit)."""
    amount = parse_amount(text)
    unit = plan.series_unit(target.series)
    if unit is None:  # a derived rate reads levels in whatever unit they were logged
        if amount.unit == PERCENT:
            raise InputError(Problem(
                f"'{target.id}' derives its rate from levels; log the level, not a %",
                hint="e.g. bjtrack log gdp 1056.2亿元 --date 2022H1"))
        return amount
    return base_unit(amount, unit)


def log_value(loaded: Loaded, ref: str, value: str, day: date, now: datetime, *,
              note: str = "", source: str = "", by: str = "", vintage: str = "",
              revise: bool = False) -> LogResult:
    """Append one figure; a figure already recorded is not recorded twice."""
    plan = loaded.plan
    target = resolve_target(plan, ref)
    amount = read_value(plan, target, value)
    if vintage and vintage not in VINTAGES:
        raise UsageError(Problem(f"unknown vintage '{vintage}'",
                                 hint=f"use one of {', '.join(VINTAGES)}"))
    same_day = loaded.on_day(target.series, day)
    for existing in same_day:
        if existing.value == amount.value and existing.vintage == vintage:
            return LogResult(existing, target, duplicate_of=existing)
    revised = None
    if revise or (vintage and any(r.vintage != vintage for r in same_day)):
        if not same_day:
            raise UsageError(Problem(
                f"nothing to revise: no record of '{target.series}' dated {day}",
                hint="drop --revise to log a new figure"))
        revised = same_day[-1]
    record = Record(
        id=unique_id(loaded.id_taken),
        series=target.series, date=day, value=amount.value, unit=amount.unit,
        entered=value.strip(), note=note, source=source, logged=now, by=by,
        vintage=vintage, revises=revised.id if revised else "",
    )
    store.append_record(plan.records_path, record)
    return LogResult(record, target, revised=revised)


def unique_id(taken: Callable[[str], bool]) -> str:
    """A new record id that `taken` says no record of the file holds."""
    while True:
        candidate = store.new_record_id()
        if not taken(candidate):
            return candidate


# --------------------------------------------------------------------------- status

def status_report(loaded: Loaded, as_of: date, group: str | None = None) -> Report:
    plan = loaded.plan
    if group is not None and all(t.group != group for t in plan.targets):
        groups = sorted({t.group for t in plan.targets if t.group})
        close = difflib.get_close_matches(group, groups, n=3, cutoff=0.3)
        raise UsageError(Problem(f"no group '{group}'",
                                 hint="groups: " + ", ".join(close or groups)))
    index = loaded._indexed()
    if index is not None:  # read only the records each series' status needs
        from bjtrack.index.cache import Unusable

        try:
            chosen = evaluation.chosen_targets(plan, group)
            with index.snapshot():  # all of it as of one moment
                series = index.figures(evaluation.reads(chosen, as_of, indicators=False),
                                       evaluation.year_end_reads(chosen, indicators=False),
                                       evaluation.end_reads(plan.targets))
                summaries = {t.id: index.latest(t.series, *evaluation.indicator_window(t, as_of))
                             for t in chosen if t.is_indicator}
                unread = index.counts(exclude={t.series for t in plan.targets})
            return evaluation.report_series(plan, series, as_of, group, loaded.warnings(), unread,
                                      summaries)
        except Unusable:
            pass
    return evaluation.report(plan, loaded.records.records, as_of, group, loaded.warnings())


def series_records(loaded: Loaded, target: Target, include_retracted: bool = False
                   ) -> list[Record]:
    """A target's figures in date order: the current ones and every earlier vintage of them
    (初步 replaced by 核实; status reads only the current one). With include_retracted also
    what corrections replaced or retracted, and the retractions themselves."""
    from bjtrack.ops.edits import record_states

    records = loaded.series_records(target.series)
    if not include_retracted:
        states = record_states(records)
        by_id = {r.id: r for r in records}

        def shown(record: Record) -> bool:
            state = states[record.id]
            if state.state == "current":
                return True
            replacer = by_id.get(state.by)
            return (state.state == "replaced" and replacer is not None
                    and replacer.vintage != record.vintage)

        records = [r for r in records if shown(r)]
    return sorted(records, key=lambda r: r.date or date.min)


# --------------------------------------------------------------------------- check

def check(path: Path) -> tuple[Plan | None, int, list[Problem]]:
    """Every problem in the plan and its records, all at once."""
    try:
        plan = store.load_plan(path)
    except BjtrackError as exc:
        return None, 0, list(exc.problems)
    result = store.load_records(plan.records_path)
    problems = list(result.problems)
    if result.torn:
        problems.append(result.torn)
    file = str(plan.records_path)
    seen: dict[str, Record] = {}
    for record in result.records:
        if record.id in seen:
            first = seen[record.id].origin
            problems.append(Problem(
                f"duplicate record id '{record.id}' (also at line "
                f"{first.line if first else '?'})", file=file,
                line=record.origin.line if record.origin else None,
                hint="give one of them a new id (any unused short text)"))
        seen[record.id] = record
    known = {t.series for t in plan.targets}
    for record in result.records:
        if record.series not in known and not record.retracts:
            problems.append(Problem(
                f"record for unknown series '{record.series}'", file=file,
                line=record.origin.line if record.origin else None,
                hint="add a target or indicator with that series, or fix the series name"))
    by_key: dict[tuple[str, date | None], list[Record]] = {}
    sums = {t.series for t in plan.targets if t.aggregate == "sum"}
    for record in evaluation.effective(result.records):
        by_key.setdefault((record.series, record.date), []).append(record)
    for (series, day), group in by_key.items():
        values = {r.value for r in group}
        if len(values) > 1 and series not in sums:
            lines = ", ".join(str(r.origin.line) for r in group if r.origin)
            problems.append(Problem(
                f"conflicting figures for '{series}' on {day} (lines {lines})", file=file,
                line=group[-1].origin.line if group[-1].origin else None,
                hint="keep one: `bjtrack log … --revise` or retract the wrong one"))
    return plan, len(result.records), problems
