"""`bjtrack status`: where every target stands, read from the index when there is one
(only the records each series' status needs) or from every record."""

from __future__ import annotations

import difflib
from datetime import date

from bjtrack.domain import evaluation, reads
from bjtrack.domain.errors import UsageError, given_as, problem
from bjtrack.domain.model import Plan, Report, evolve
from bjtrack.index.cache import RecordIndex, Unusable
from bjtrack.ops.load import Loaded


def _check_group(plan: Plan, group: str | None) -> None:
    if group is None or any(t.group == group for t in plan.targets):
        return
    groups = sorted({t.group for t in plan.targets if t.group})
    close = difflib.get_close_matches(group, groups, n=3, cutoff=0.3)
    raise UsageError(given_as("--group", problem(
        "err.status.group", hint_key="hint.status.groups", group=group,
        groups=", ".join(close or groups))))


def _from_index(loaded: Loaded, index: RecordIndex, as_of: date, group: str | None
                ) -> Report:
    """The report from the records each series' status needs, all as of one moment."""
    plan = loaded.plan
    chosen = reads.chosen_targets(plan, group)
    with index.snapshot():
        series = index.figures(reads.reads(chosen, as_of, indicators=False),
                               reads.year_end_reads(chosen, indicators=False),
                               reads.end_reads(plan.targets), reads.sum_reads(plan.targets))
        summaries = {t.id: index.latest(t.series, *reads.indicator_window(t, as_of))
                     for t in chosen if t.is_indicator}
        unread = index.counts(exclude={t.series for t in plan.targets})
    return evaluation.report_series(plan, series, as_of, group, loaded.warnings(), unread,
                                    summaries)


def status_report(loaded: Loaded, as_of: date, group: str | None = None) -> Report:
    _check_group(loaded.plan, group)
    report = None
    index = loaded.indexed()
    if index is not None:
        try:
            report = _from_index(loaded, index, as_of, group)
        except Unusable:
            pass
    if report is None:
        report = evaluation.report(loaded.plan, loaded.records.records, as_of, group,
                                   loaded.warnings())
    notes = [problem("warn.unread", count=count, series=name) for name, count in report.unread]
    return evolve(report, warnings=(*report.warnings, *notes)) if notes else report
