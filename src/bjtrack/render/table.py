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
from bjtrack.domain.model import Plan, Record, Report, Status, Target, Verdict, verdict_counts
from bjtrack.domain.records import RecordState
from bjtrack.render.grid import FIXED, FOLD, WORDS, Column, Grid, Row
from bjtrack.render.text import (
    actual_text,
    amount,
    clean,
    detail_parts,
    goal_text,
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
BAR_WIDTH = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _cell(text: str, style: str = "") -> Text:
    return Text(clean(text), style=style)


def bar_cells(share: Decimal, width: int = BAR_WIDTH) -> str:
    """A share as a bar of `width` cells, to an eighth of a cell: full blocks, one partial
    block, then light shade for what is not done."""
    eighths = int(min(Decimal(1), max(Decimal(0), share)) * width * 8)
    full, part = divmod(eighths, 8)
    drawn = "█" * full + (_EIGHTHS[part] if part else "")
    return drawn + "░" * (width - cell_len(drawn))


def _bar(status: Status) -> Text:
    """The progress bar, and under it a ▲ where time (or the seasonal pace) says progress
    should be: on its own line, so the marker never hides any of the fill."""
    if status.progress is None:
        return Text("")
    style = VERDICT_STYLE.get(status.verdict or Verdict.NO_DATA, "")
    cells = bar_cells(status.progress)
    done = cells.rstrip("░")
    bar = Text(done, style=style) + Text(cells[len(done):], style="dim")
    if status.pace is not None:
        at = min(BAR_WIDTH - 1, int(min(Decimal(1), max(Decimal(0), status.pace)) * BAR_WIDTH))
        bar.append("\n" + " " * at)
        bar.append("▲", style="bold")
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


_LAYOUTS = (  # the widest that fits the terminal is used
    (120, ("name", "target", "actual", "progress", "elapsed", "bar", "verdict", "projected",
           "as_of")),
    (100, ("name", "target", "actual", "progress", "elapsed", "verdict", "projected",
           "as_of")),
    (80, ("name", "target", "actual", "done_time", "verdict", "as_of")),
    (0, ("name", "actual", "verdict")),
)


def _layout(width: int) -> list[str]:
    return list(next(columns for least, columns in _LAYOUTS if width >= least))


def _value(w: Words, status: Status, column: str, columns: Sequence[str], plan: Plan
           ) -> Text:
    target = status.target
    if column == "name":
        return _cell(target.name)
    if column == "target":
        return _cell(goal_text(w, status, plan))
    if column == "actual":
        shown = actual_text(w, status)
        if "target" not in columns:  # the target after the figure, then
            shown += " / " + goal_text(w, status, plan)
        return _cell(shown)
    if column == "progress":
        return _cell(percent(w, status.progress))
    if column == "elapsed":
        return _cell(percent(w, status.pace))
    if column == "done_time":
        if target.unit == PERCENT and status.gap is not None:
            return _cell(points_text(w, status.gap))  # a rate: its gap, as a narrow table has
        return _cell(f"{percent(w, status.progress)} / {percent(w, status.pace)}")
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


# How each column wraps (render/grid.py): figures never, words between words, names anywhere
_WRAP = {"name": FOLD, "target": WORDS, "actual": WORDS, "verdict": WORDS, "done_time": WORDS}
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


NAME_LEAST = 8  # four Chinese characters: narrower, and a table drops columns instead
NAME_EASY = 12  # six: the bar is drawn only if names keep at least this much
NOTE_LEAST = 8  # a note or source wraps to four Chinese characters a line at the least
ID_CELLS = 10  # a record id, kept whole on its line
COMPACT_FROM = 150  # more targets than this: one plain line each (see compact_status)
_GAP = "  "


def clauses(w: Words, parts: Sequence[str]) -> tuple[str, ...]:
    """Clauses to set on a spanning line, each but the last with its separator."""
    cleaned = [clean(p) for p in parts if p]
    return tuple(p + w.sep.rstrip() + (" " if not w.zh else "")
                 for p in cleaned[:-1]) + tuple(cleaned[-1:])


def _status_grid(w: Words, report: Report, plan: Plan,
                 columns: Sequence[str], names: int) -> Grid:
    title = w.t("title.status", plan=clean(plan.name or plan.path.name),
              as_of=report.as_of.isoformat())
    grid = Grid([Column(_heading(w, c, plan), _WRAP.get(c, FIXED), c in _RIGHT, names)
                 for c in columns], title)
    current: str | None = None
    for status in report.targets:
        group = status.target.group
        if group and group != current:
            heading = Text(clean(group), style="bold cyan")
            grid.add(Row((heading, *[Text("")] * (len(columns) - 1)), section=True))
            current = group
        cells = tuple(_value(w, status, c, columns, plan) for c in columns)
        grid.add(Row(cells, span=clauses(w, detail_parts(w, status, stretch=False))))
    return grid


def status_table(w: Words, report: Report, plan: Plan, width: int) -> RenderableType:
    """The status as a table that fits `width`: the most columns that fit with every figure
    whole; what a target still needs on a line of its own under it."""
    if len(report.targets) > COMPACT_FROM:
        return compact_status(w, report, plan, width)
    layouts = [list(c) for least, c in _LAYOUTS if least <= width]
    for columns in layouts:  # the bar, a picture of figures shown, only where names have room
        names = NAME_EASY if "bar" in columns else NAME_LEAST
        grid = _status_grid(w, report, plan, columns, names)
        if grid.fits(width):
            break
    parts: list[RenderableType] = [grid, Text(summary(w, report.targets))]
    hint = next_step(w, report)
    if hint:
        parts.append(Text(hint, style="dim"))
    if report.indicators:
        parts.append(indicator_table(w, report.indicators))
    return Group(*parts)


def compact_status(w: Words, report: Report, plan: Plan, width: int) -> RenderableType:
    """The status of a large plan (a city's or province's thousand indicators): one line per
    target with the same columns as the table, less the bar and the detail lines, aligned
    here rather than by Rich's table layout, which takes seconds for a thousand rows. Only
    names are cut short (…) to fit; where figures would not fit, columns are dropped."""
    layouts = [([c for c in columns if c != "bar"], False) for least, columns in _LAYOUTS
               if least <= width]
    layouts.append((layouts[-1][0], True))  # last: the figure alone, without its target
    for columns, bare in layouts:
        rows = _compact_rows(w, report, plan, columns, bare)
        heads = [_heading(w, c, plan) for c in columns]
        sizes = _compact_sizes(heads, rows, columns, width)
        if sum(sizes) + len(_GAP) * (len(sizes) - 1) <= width:
            break
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


_CompactRow = tuple[str | None, list[str], str]  # (group heading, cells, style)


def _compact_rows(w: Words, report: Report, plan: Plan, columns: Sequence[str], bare: bool
                  ) -> list[_CompactRow]:
    """The cells of each line; `bare`: the actual figure without the target after it."""
    shown = [*columns, "target"] if bare else columns  # _value: no target after the figure
    rows: list[_CompactRow] = []
    current: str | None = None
    for status in report.targets:
        group = status.target.group
        if group and group != current:
            rows.append((clean(group), [], ""))
            current = group
        cells = [clean(status.target.name) if c == "name"
                 else _value(w, status, c, shown, plan).plain for c in columns]
        rows.append((None, [c.replace("\n", " ") for c in cells],
                     VERDICT_STYLE.get(status.verdict or Verdict.NO_DATA, "")))
    return rows


def _compact_sizes(heads: Sequence[str], rows: Sequence[_CompactRow], columns: Sequence[str],
                   width: int) -> list[int]:
    """Each column as wide as its widest cell; to fit, the names narrowed (down to 8 cells),
    then the targets, never past the figure each ends with (see _fit)."""
    sizes = [max([cell_len(h)] + [cell_len(r[1][i]) for r in rows if r[1]])
             for i, h in enumerate(heads)]
    over = sum(sizes) + len(_GAP) * (len(sizes) - 1) - width
    name = columns.index("name")
    cut = max(0, min(over, sizes[name] - NAME_LEAST))
    sizes[name] -= cut
    over -= cut
    if "target" in columns and over > 0:
        at = columns.index("target")
        least = max([cell_len(heads[at])] + [_least_fit(r[1][at]) for r in rows if r[1]])
        sizes[at] -= max(0, min(over, sizes[at] - least))
    return sizes


def _least_fit(text: str) -> int:
    """The narrowest `_fit` cuts `text` to: '… ' and the figure it ends with."""
    head, _, tail = text.rpartition(" ")
    return cell_len(tail) + 2 if head else cell_len(text)


def _fit(text: str, size: int, right: bool) -> str:
    """Text padded or cut (with …) to exactly `size` cells; wide characters count two."""
    width = cell_len(text)
    if width > size:
        head, _, tail = text.rpartition(" ")
        if head and cell_len(tail) + 2 <= size:  # the words cut, the figure at the end whole
            return set_cell_size(head, size - cell_len(tail) - 2) + "… " + tail
        return set_cell_size(text, size - 1) + "…"
    pad = " " * (size - width)
    return pad + text if right else text + pad


def _line(cells: Sequence[str], sizes: Sequence[int], right: Sequence[bool]) -> str:
    return _GAP.join(_fit(c, n, r) for c, n, r in zip(cells, sizes, right, strict=True))


def summary(w: Words, statuses: Iterable[Status]) -> str:
    statuses = list(statuses)
    sep = "，" if w.zh else ", "
    parts = [f"{w.t('verdict.' + v.value)} {n}" for v, n in verdict_counts(statuses).items()]
    return w.tn("summary", len(statuses), total=len(statuses), counts=sep.join(parts))


def indicator_table(w: Words, statuses: Sequence[Status]) -> Grid:
    grid = Grid([Column(w.t("col.name"), FOLD), Column(w.t("col.actual"), WORDS, right=True),
                 Column(w.t("col.as_of"), WORDS)], w.t("title.indicators"))
    for status in statuses:
        date = status.actual_date.isoformat() if status.actual_date else w.t("none")
        if status.stale:
            date += w.t("stale")
        grid.add(Row((_cell(status.target.name), _cell(actual_text(w, status)), _cell(date))))
    return grid


def targets_table(w: Words, plan: Plan, width: int) -> Grid:
    """The plan's targets, each with the whole sentence it came from on a line under it
    (and its period there too when the terminal is too narrow for a column of them)."""
    title = w.t("title.targets", plan=clean(plan.name or plan.path.name))
    grid = Grid([])
    for narrow in (False, True):
        grid = Grid([Column(w.t("col.id")), Column(w.t("col.name"), FOLD, least=NAME_LEAST),
                     Column(w.t("col.target"), WORDS)]
                    + ([] if narrow else [Column(w.t("col.period"), WORDS)]), title)
        for target in plan.targets:
            cells = (_cell(target.id), _cell(target.name),
                     _cell(target_text(w, target, plan=plan)))
            period = _period_text(w, target)
            span = [period, target.quote] if narrow else [target.quote]
            grid.add(Row(cells if narrow else (*cells, _cell(period)), span=clauses(w, span),
                         section=True))
        if grid.fits(width):
            break
    return grid


def _period_text(w: Words, target: Target) -> str:
    if target.start and target.due:
        return f"{target.start.isoformat()} ~ {target.due.isoformat()}"
    if target.start:
        return w.t("period.from", start=target.start.isoformat())  # open-ended (每年)
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
                  marks: Mapping[str, tuple[str, bool]] | None = None) -> Grid:
    """marks (history --all): record id -> (what became of it, still current?). Nothing is
    cut short: notes, sources and states wrap (a record id stays whole); on a narrow
    terminal the sources go first, then an empty vintage column."""
    title = w.t("title.history", name=clean(target.name))
    vintages = any(record.vintage for record in records)
    grid = Grid([])
    for source, vintage in ((True, True), (False, True), (False, vintages)):
        columns = [Column(w.t("col.record")), Column(w.t("col.date")),
                   Column(w.t("col.value"), right=True)]  # a figure: whole
        columns += [Column(w.t("col.vintage"))] if vintage else []
        columns += [Column(w.t("col.note"), FOLD, least=NOTE_LEAST)]
        columns += [Column(w.t("col.source"), FOLD, least=NOTE_LEAST)] if source else []
        columns += [Column(w.t("state.col"), FOLD, least=ID_CELLS)] if marks is not None else []
        grid = Grid(columns, title)
        for record in records:
            mark, live = marks.get(record.id, ("", True)) if marks is not None else ("", True)
            style = "" if live else "dim"
            value = qualified(w, amount(w, record.value, record.unit or target.unit),
                              record.qualifier)
            cells = [_cell(record.id, "dim"),
                     _cell(record.date.isoformat() if record.date else "", style),
                     _cell(value, style)]
            cells += [_cell(record.vintage, style)] if vintage else []
            cells += [_cell(record.note, style)]
            cells += [_cell(record.source, style)] if source else []
            cells += [_cell(mark, style)] if marks is not None else []
            grid.add(Row(tuple(cells)))
        if grid.fits(width):
            break
    return grid


def periods_table(w: Words, statuses: Sequence[Status]) -> Table:
    target = statuses[0].target
    table = Table(title=w.t("title.periods", name=clean(target.name)), title_style="bold",
                  pad_edge=False)
    table.add_column(w.t("col.period"), no_wrap=True)
    table.add_column(w.t("col.actual"), justify="right", no_wrap=True)
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
