"""Markdown export: a 计划执行情况 table per group, ready to paste into a document."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bjtrack.domain.model import Plan, Record, Report, Status
from bjtrack.render.table import summary
from bjtrack.render.text import actual_text, amount, clean, goal_text, percent, verdict_text
from bjtrack.render.words import Words

STATUS_COLUMNS = ("col.name", "col.target", "col.actual", "col.progress", "col.elapsed",
                  "col.verdict", "col.as_of")

# Markdown punctuation that could start a link, emphasis, a code span or raw HTML.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!])")


def escape(text: str) -> str:
    """User text as one inert table cell: punctuation escaped, line breaks flattened."""
    flat = " ".join(clean(text).split())
    return _SPECIAL.sub(r"\\\1", flat)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    rule = ["---:" if i in right else "---" for i in range(len(headers))]
    return [_row(headers), _row(rule), *(_row(r) for r in rows)]


def status_cells(w: Words, status: Status, plan: Plan) -> list[str]:
    target = status.target
    shown = goal_text(w, status, plan)
    verdict = verdict_text(w, status) + (w.t("stale") if status.stale else "")
    return [
        escape(target.name),
        escape(shown),
        escape(actual_text(w, status)),
        percent(w, status.progress),
        percent(w, status.pace),
        escape(verdict),
        status.actual_date.isoformat() if status.actual_date else w.t("none"),
    ]


def render(w: Words, report: Report, plan: Plan, records: Sequence[Record] = (),
           names: Mapping[str, str] | None = None) -> str:
    """The whole report: title, one table per group, summary, indicators, records."""
    title = w.t("title.status", plan=plan.name or plan.path.name, as_of=report.as_of.isoformat())
    lines = [f"# {escape(title)}", ""]
    headers = [w.t(key) for key in STATUS_COLUMNS]
    groups: dict[str, list[Status]] = {}
    for status in report.targets:
        groups.setdefault(status.target.group, []).append(status)
    for group, statuses in groups.items():
        if group:
            lines += [f"## {escape(group)}", ""]
        lines += _table(headers, [status_cells(w, s, plan) for s in statuses], {2, 3, 4})
        lines.append("")
    if report.targets:
        lines += [escape(summary(w, report.targets)), ""]
    if report.indicators:
        lines += [f"## {w.t('title.indicators')}", ""]
        rows = [[escape(s.target.name), escape(amount(w, s.actual, s.target.unit)),
                 (s.actual_date.isoformat() if s.actual_date else w.t("none"))
                 + (w.t("stale") if s.stale else "")] for s in report.indicators]
        lines += _table([w.t("col.name"), w.t("col.actual"), w.t("col.as_of")], rows, {1})
        lines.append("")
    if records:
        lines += [f"## {w.t('title.records')}", ""]
        names = names or {}
        rows = [[r.date.isoformat() if r.date else "", escape(names.get(r.series, r.series)),
                 escape(amount(w, r.value, r.unit)), escape(r.vintage), escape(r.note),
                 escape(r.source)] for r in records]
        lines += _table([w.t("col.date"), w.t("col.name"), w.t("col.value"), w.t("col.vintage"),
                         w.t("col.note"), w.t("col.source")], rows, {2})
        lines.append("")
    for warning in report.warnings:
        lines += [f"> {escape(w.describe(warning))}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
