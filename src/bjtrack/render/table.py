"""Rich tables for the terminal. The only module that knows about Rich renderables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from rich.cells import cell_len, set_cell_size
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bjtrack.domain.amounts import PERCENT, format_amount
from bjtrack.domain.model import Plan, Record, Report, Status, Target, Verdict
from bjtrack.domain.records import RecordState
from bjtrack.render.text import (
    actual_text,
    amount,
    clean,
    detail_text,
    percent,
    points_text,
    qualified,
    target_text,
    verdict_text,
)
from bjtrack.render.words import Words

VERDICT_STYLE = {
    Verdict.ACHIEVED: "bold green",
    Verdict.ON_TRACK: "green",
    Verdict.AT_RISK: "yellow",
    Verdict.BEHIND: "red",
    Verdict.MISSED: "bold red",
    Verdict.AWAITING: "cyan",
    Verdict.BREACHED: "bold red",
    Verdict.NO_PACE: "cyan",
    Verdict.NO_DATA: "dim",
}
BAR_WIDTH = 10

def _cell(text: str, style: str = "") -> Text:
    return Text(clean(text), style=style)


def _bar(status: Status) -> Text:
    if status.progress is None:
        return Text("")
    filled = int(min(Decimal(1), max(Decimal(0), status.progress)) * BAR_WIDTH)
    style = VERDICT_STYLE.get(status.verdict or Verdict.NO_DATA, "")
    bar = Text("█" * filled, style=style) + Text("░" * (BAR_WIDTH - filled), style="dim")
    expected = status.expected if status.expected is not None else status.time_elapsed
    if expected is not None:
        mark = min(BAR_WIDTH - 1, int(expected * BAR_WIDTH))
        bar = bar[:mark] + Text("│", style="bold") + bar[mark + 1:]
    return bar


def _verdict(w: Words, status: Status) -> Text:
    text = verdict_text(w, status)
    if status.stretch_met is not None and status.verdict in (Verdict.ACHIEVED,
                                                             Verdict.ON_TRACK):
        # the floor is met: say whether the stretch level (力争…) is too
        text += w.t("stretch.badge.met" if status.stretch_met else "stretch.badge.not_met")
    if status.stale:
        text += w.t("stale")
    return Text(text, style=VERDICT_STYLE.get(status.verdict or Verdict.NO_DATA, ""))


def _layout(width: int) -> list[str]:
    if width >= 120:
        return ["name", "target", "actual", "progress", "elapsed", "bar", "verdict",
                "projected", "as_of"]
    if width >= 100:
        return ["name", "target", "actual", "progress", "elapsed", "verdict", "projected",
                "as_of"]
    if width >= 80:
        return ["name", "target", "actual", "done_time", "verdict", "as_of"]
    return ["name", "actual", "verdict"]


def _value(w: Words, status: Status, column: str, width: int) -> Text:
    target = status.target
    if column == "name":
        text = _cell(target.name)
        detail = detail_text(w, status, stretch=False) if width >= 100 else ""
        if detail:
            text.append("\n" + clean(detail), style="dim")
        return text
    if column == "target":
        return _cell(target_text(w, target, status.target_value if target.relative_to else None))
    if column == "actual":
        shown = actual_text(w, status)
        if width < 80:
            shown += " / " + target_text(w, target)
        return _cell(shown)
    if column == "progress":
        return _cell(percent(w, status.progress))
    if column == "elapsed":
        share = status.expected if status.expected is not None else status.time_elapsed
        return _cell(percent(w, share))
    if column == "done_time":
        if target.unit == PERCENT and status.gap is not None:
            return _cell(points_text(w, status.gap))  # a rate: its gap, as a narrow table has
        share = status.expected if status.expected is not None else status.time_elapsed
        return _cell(f"{percent(w, status.progress)}/{percent(w, share)}")
    if column == "bar":
        return _bar(status)
    if column == "verdict":
        return _verdict(w, status)
    if column == "projected":
        if status.no_progress:  # say so rather than project a standstill
            return _cell(w.t("no_progress.short"))
        return _cell(amount(w, status.projected, target.unit, exact=False))
    if column == "as_of":
        return _cell(status.actual_date.isoformat() if status.actual_date else w.t("none"))
    raise ValueError(column)


_NO_WRAP = {"progress", "elapsed", "done_time", "bar", "verdict", "as_of", "projected"}
_RIGHT = {"actual", "progress", "elapsed", "done_time", "projected"}


def _heading(w: Words, column: str, plan: Plan) -> str:
    """A column's heading; 时间进度 says whether it counts whole months or days."""
    if column == "elapsed" and plan.time == "days":
        return w.t("col.elapsed.days")
    return w.t(f"col.{column}")


def next_step(w: Words, report: Report) -> str:
    """What to do about targets without a figure: log one, or look at an earlier date."""
    empty = [s.target for s in report.targets if s.verdict is Verdict.NO_DATA]
    if not empty:
        return ""
    return clean(w.t("next.no_data", count=len(empty), id=empty[0].id))


COMPACT_FROM = 150  # more targets than this: one plain line each (see compact_status)
_GAP = "  "


def status_table(w: Words, report: Report, plan: Plan, width: int) -> RenderableType:
    if len(report.targets) > COMPACT_FROM:
        return compact_status(w, report, plan, width)
    columns = _layout(width)
    title = w.t("title.status", plan=clean(plan.name or plan.path.name),
              as_of=report.as_of.isoformat())
    table = Table(title=title, title_style="bold", expand=False, show_lines=False,
                  pad_edge=False)
    for column in columns:
        table.add_column(_heading(w, column, plan), no_wrap=column in _NO_WRAP,
                         justify="right" if column in _RIGHT else "left",
                         ratio=3 if column == "name" else None,
                         overflow="fold" if column in ("name", "target", "actual") else "ellipsis",
                         min_width=6 if column == "name" else None)
    _add_grouped(table, report.targets, lambda s: [_value(w, s, c, width) for c in columns],
                 len(columns))
    parts: list[RenderableType] = [table, Text(summary(w, report.targets))]
    hint = next_step(w, report)
    if hint:
        parts.append(Text(hint, style="dim"))
    if report.indicators:
        parts.append(indicator_table(w, report.indicators))
    return Group(*parts)


def compact_status(w: Words, report: Report, plan: Plan, width: int) -> RenderableType:
    """The status of a large plan (a city's or province's thousand indicators): one line per
    target with the same columns as the table, less the bar and the detail lines, aligned
    here rather than by Rich's table layout, which takes seconds for a thousand rows."""
    columns = [c for c in _layout(width) if c != "bar"]
    rows: list[tuple[str | None, list[str], str]] = []  # (group heading, cells, style)
    current: str | None = None
    for status in report.targets:
        group = status.target.group
        if group and group != current:
            rows.append((clean(group), [], ""))
            current = group
        cells = [clean(status.target.name) if c == "name" else _value(w, status, c, width).plain
                 for c in columns]
        rows.append((None, [c.replace("\n", " ") for c in cells],
                     VERDICT_STYLE.get(status.verdict or Verdict.NO_DATA, "")))
    heads = [_heading(w, c, plan) for c in columns]
    sizes = [max([cell_len(h)] + [cell_len(r[1][i]) for r in rows if r[1]])
             for i, h in enumerate(heads)]
    over = sum(sizes) + len(_GAP) * (len(sizes) - 1) - width
    texts = ("name", "target") if width >= 80 else ("name", "actual")  # never cut a figure
    narrowable = [i for i, c in enumerate(columns) if c in texts]
    while over > 0:  # too wide: narrow the widest text column, down to 8 cells
        widest = max(narrowable, key=lambda i: sizes[i])
        if sizes[widest] <= 8:
            break
        sizes[widest] -= 1
        over -= 1
    right = [c in _RIGHT for c in columns]
    out = Text(no_wrap=True, overflow="crop")
    out.append(w.t("title.status", plan=clean(plan.name or plan.path.name),
                 as_of=report.as_of.isoformat()) + "\n", style="bold")
    out.append(_line(heads, sizes, right) + "\n", style="bold")
    out.append("─" * min(width, sum(sizes) + len(_GAP) * (len(sizes) - 1)) + "\n")
    verdict = columns.index("verdict")
    for heading, cells, style in rows:
        if heading is not None:
            out.append(heading + "\n", style="bold cyan")
            continue
        out.append(_line(cells[:verdict], sizes[:verdict], right[:verdict]) + _GAP)
        out.append(_fit(cells[verdict], sizes[verdict], False), style=style)
        rest = _line(cells[verdict + 1:], sizes[verdict + 1:], right[verdict + 1:])
        out.append((_GAP + rest if rest else "").rstrip() + "\n")
    out.append(summary(w, report.targets))
    hint = next_step(w, report)
    if hint:
        out.append("\n" + hint, style="dim")
    parts: list[RenderableType] = [out]
    if report.indicators:
        parts.append(indicator_table(w, report.indicators))
    return Group(*parts)


def _fit(text: str, size: int, right: bool) -> str:
    """Text padded or cut (with …) to exactly `size` cells; wide characters count two."""
    width = cell_len(text)
    if width > size:
        return set_cell_size(text, size - 1) + "…"
    pad = " " * (size - width)
    return pad + text if right else text + pad


def _line(cells: Sequence[str], sizes: Sequence[int], right: Sequence[bool]) -> str:
    return _GAP.join(_fit(c, n, r) for c, n, r in zip(cells, sizes, right, strict=True))


def _add_grouped(table: Table, statuses: Sequence[Status],
                 row: object, ncols: int) -> None:
    current: str | None = None
    for status in statuses:
        group = status.target.group
        if group and group != current:
            if current is not None:
                table.rows[-1].end_section = True
            table.add_row(Text(clean(group), style="bold cyan"), *[""] * (ncols - 1))
            current = group
        table.add_row(*row(status))  # type: ignore[operator]


def summary(w: Words, statuses: Iterable[Status]) -> str:
    counts: dict[Verdict, int] = {}
    total = 0
    for status in statuses:
        total += 1
        if status.verdict:
            counts[status.verdict] = counts.get(status.verdict, 0) + 1
    sep = "，" if w.zh else ", "
    parts = [f"{w.t('verdict.' + v.value)} {n}" for v in Verdict for n in [counts.get(v, 0)] if n]
    return w.tn("summary", total, total=total, counts=sep.join(parts))


def indicator_table(w: Words, statuses: Sequence[Status]) -> Table:
    table = Table(title=w.t("title.indicators"), title_style="bold", pad_edge=False)
    table.add_column(w.t("col.name"), ratio=3)
    table.add_column(w.t("col.actual"), justify="right")
    table.add_column(w.t("col.as_of"), no_wrap=True)
    for status in statuses:
        date = status.actual_date.isoformat() if status.actual_date else w.t("none")
        if status.stale:
            date += w.t("stale")
        table.add_row(_cell(status.target.name),
                      _cell(actual_text(w, status)), _cell(date))
    return table


def targets_table(w: Words, plan: Plan, width: int) -> Table:
    table = Table(title=w.t("title.targets", plan=clean(plan.name or plan.path.name)),
                  title_style="bold", show_lines=True, pad_edge=False)
    table.add_column(w.t("col.id"), no_wrap=True)
    table.add_column(w.t("col.name"), ratio=2)
    table.add_column(w.t("col.target"), ratio=2)
    table.add_column(w.t("col.period"), no_wrap=width >= 100)
    if width >= 100:
        table.add_column(w.t("col.quote"), ratio=4)
    for target in plan.targets:
        period = _period_text(w, target)
        cells = [_cell(target.id), _cell(target.name), _cell(target_text(w, target)), _cell(period)]
        if width >= 100:
            cells.append(_cell(target.quote, "dim"))
        table.add_row(*cells)
    return table


def _period_text(w: Words, target: Target) -> str:
    if target.start and target.due:
        return f"{target.start.isoformat()} ~ {target.due.isoformat()}"
    if target.start:
        return f"{target.start.isoformat()} ~"
    return w.t("none")


def record_marks(w: Words, records: Sequence[Record], states: Mapping[str, RecordState]
                 ) -> dict[str, tuple[str, bool]]:
    """For `history --all`: what became of each record (with who and when for corrections),
    and whether it is still current."""
    marks: dict[str, tuple[str, bool]] = {}
    for record in records:
        state = states[record.id]
        parts: list[str] = []
        if record.revises or record.retracts:  # a correction: what it did, who, when
            done = (w.t("state.revises", by=record.revises) if record.revises else
                    w.t("state.retraction", by=record.retracts))
            when = record.logged.date().isoformat() if record.logged else ""
            who = " ".join(x for x in (record.by, when) if x)
            parts.append(done + (w.t("state.who", who=who) if who else ""))
        if state.state in ("replaced", "retracted"):
            parts.append(w.t(f"state.{state.state}", by=state.by))
        text = w.sep.join(parts) or w.t("state.current")
        marks[record.id] = (text, state.state == "current")
    return marks


def history_table(w: Words, target: Target, records: Sequence[Record], width: int,
                  marks: Mapping[str, tuple[str, bool]] | None = None) -> Table:
    """marks (history --all): record id -> (what became of it, still current?)."""
    table = Table(title=w.t("title.history", name=clean(target.name)), title_style="bold",
                  pad_edge=False)
    table.add_column(w.t("col.record"), no_wrap=True, style="dim")
    table.add_column(w.t("col.date"), no_wrap=True)
    table.add_column(w.t("col.value"), justify="right")
    table.add_column(w.t("col.vintage"), no_wrap=True)
    table.add_column(w.t("col.note"), ratio=2)
    if width >= 100:
        table.add_column(w.t("col.source"), ratio=2)
    if marks is not None:
        table.add_column(w.t("state.col"), ratio=2)
    for record in records:
        mark, live = marks.get(record.id, ("", True)) if marks is not None else ("", True)
        cells = [
            _cell(record.id),
            _cell(record.date.isoformat() if record.date else ""),
            _cell(qualified(w, amount(w, record.value, record.unit or target.unit),
                            record.qualifier)),
            _cell(record.vintage),
            _cell(record.note),
        ]
        if width >= 100:
            cells.append(_cell(record.source))
        if marks is not None:
            cells.append(_cell(mark))
        table.add_row(*cells, style=None if live else "dim")
    return table


def periods_table(w: Words, statuses: Sequence[Status]) -> Table:
    target = statuses[0].target
    table = Table(title=w.t("title.periods", name=clean(target.name)), title_style="bold",
                  pad_edge=False)
    table.add_column(w.t("col.period"), no_wrap=True)
    table.add_column(w.t("col.actual"), justify="right")
    table.add_column(w.t("col.progress"), justify="right", no_wrap=True)
    table.add_column(w.t("col.verdict"), no_wrap=True)
    for status in statuses:
        period = status.period
        label = f"{period.start.isoformat()} ~ {period.due.isoformat()}" if period else ""
        table.add_row(_cell(label), _cell(actual_text(w, status)),
                      _cell(percent(w, status.progress)), _verdict(w, status))
    return table


def figures_table(w: Words, rows: Sequence[tuple[str, str, date, Decimal, str, str]]) -> Table:
    """Figures found in a text: (series, name, date, value, unit, quote) each."""
    table = Table(show_lines=False)
    for key in ("col.id", "col.name", "col.date", "col.value", "col.quote"):
        table.add_column(w.t(key), overflow="fold")
    for series, name, day, value, unit, quote in rows:
        table.add_row(series, name, day.isoformat(),
                      format_amount(value, unit, exact=True, units=w.units), quote)
    return table
