"""HTML export: one self-contained page (no network) for a browser and A4 print.

A summary of the verdicts and an overview table (one row per target, linked to its card,
sorted by a click on a heading: the page's one small inline script, allowed by its hash
alone), then each target with its figures, a chart when it has figures
(inline SVG written as text, see render/svgchart.py) and its records with their sources; then
the indicators. Every piece of user text goes through `escape`."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Mapping, Sequence
from decimal import Decimal

from bjtrack.domain.amounts import plain
from bjtrack.domain.model import Plan, Record, Report, Status, Verdict, verdict_counts
from bjtrack.render.chart import ACTUAL_COLOUR, PACE_COLOUR, TARGET_COLOUR, chart_for
from bjtrack.render.svgchart import svg_chart
from bjtrack.render.text import actual_text, amount, detail_text, goal_text, percent, verdict_text
from bjtrack.render.words import Words

MAX_RECORDS = 24  # records listed under a chart; the CSV and XLSX exports hold them all

# Always shown in the summary, in this order; other verdicts follow when present.
SUMMARY_VERDICTS = (Verdict.ACHIEVED, Verdict.ON_TRACK, Verdict.BEHIND, Verdict.MISSED)

VERDICT_CLASS = {
    Verdict.ACHIEVED: "good", Verdict.ON_TRACK: "good", Verdict.AT_RISK: "warn",
    Verdict.BEHIND: "bad", Verdict.MISSED: "bad", Verdict.BREACHED: "bad",
    Verdict.NO_PACE: "info", Verdict.AWAITING: "info", Verdict.NO_DATA: "none",
}

CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; color: #222; margin: 0 auto;
  max-width: 190mm; padding: 8mm 4mm; font-size: 10.5pt; line-height: 1.45; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; border-bottom: 2px solid #1f5fbf; padding-bottom: 1mm; margin: 7mm 0 3mm; }
h3 { font-size: 11.5pt; margin: 0 0 1.5mm; }
.meta { color: #555; font-size: 9pt; }
.summary { display: flex; flex-wrap: wrap; gap: 3mm; margin: 4mm 0; }
.count { border: 1px solid #ccc; border-radius: 2mm; padding: 2mm 4mm; min-width: 28mm; }
.count b { display: block; font-size: 18pt; }
.good b { color: #1e7b34; } .warn b { color: #b7791f; } .bad b { color: #c0392b; }
.info b { color: #1f5fbf; } .none b { color: #777; }
.target { border: 1px solid #ddd; border-radius: 2mm; padding: 3mm 4mm; margin: 0 0 4mm;
  break-inside: avoid; page-break-inside: avoid; }
.quote { color: #555; font-size: 9pt; margin: 0 0 2mm; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #ddd; padding: 1mm 2mm; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
td.num { text-align: right; white-space: nowrap; }
.verdict { font-weight: bold; white-space: nowrap; }
.verdict.good { color: #1e7b34; } .verdict.warn { color: #b7791f; }
.verdict.bad { color: #c0392b; } .verdict.info { color: #1f5fbf; } .verdict.none { color: #777; }
.chart svg { width: 100%; height: auto; display: block; }
.legend { font-size: 8.5pt; color: #555; margin: 1mm 0 2mm; }
.legend span { margin-right: 4mm; white-space: nowrap; }
.swatch { display: inline-block; width: 7mm; height: 0; vertical-align: middle;
  margin-right: 1mm; border-top: 2px solid; }
.records td, .records th { font-size: 8.5pt; }
.warnings { color: #8a5a00; }
.overview td.name a { color: #1f5fbf; text-decoration: none; }
.overview td.name a:hover { text-decoration: underline; }
.overview th button { font: inherit; color: inherit; background: none; border: 0; padding: 0;
  margin: 0; cursor: pointer; text-align: inherit; white-space: nowrap; }
.overview th button::after { content: " \\2195"; color: #999; font-weight: normal; }
.overview th[aria-sort="ascending"] button::after { content: " \\25B2"; color: #1f5fbf; }
.overview th[aria-sort="descending"] button::after { content: " \\25BC"; color: #1f5fbf; }
.overview th.num { text-align: right; }
.overview td { white-space: nowrap; }
.overview td.name { white-space: normal; min-width: 28mm; }
.overview td.goal { white-space: normal; word-break: keep-all; }  /* breaks at spaces only */
.hint { color: #777; font-size: 8.5pt; margin: 1mm 0 0; }
@media print {
  body { padding: 0; max-width: none; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .overview th button { cursor: default; }
  .overview th button::after, .overview th[aria-sort] button::after { content: none; }
  .overview td.name a { color: inherit; }
  .hint { display: none; }
}
"""

# Sorts the overview when a heading's button is clicked: by each cell's data-sort (a number
# where the heading says data-type="number"), rows without a value last, ties in report
# order; a second click reverses. No network, no other script on the page.
SCRIPT = """
(function () {
  var table = document.getElementById("overview");
  if (!table) { return; }
  var heads = table.tHead.rows[0].cells;
  var lang = document.documentElement.lang;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.querySelector("button").addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var numeric = th.getAttribute("data-type") === "number";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort");
        var y = b.cells[col].getAttribute("data-sort");
        if (x === "" || y === "") { return (x === "") - (y === "") || a.rowIndex - b.rowIndex; }
        var d = numeric ? Number(x) - Number(y) : x.localeCompare(y, lang);
        return (up ? d : -d) || a.rowIndex - b.rowIndex;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
"""
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()


# The order of the overview's 状态 column, sorted up: done, fine, waiting, worrying, failed.
VERDICT_RANK = {v: n for n, v in enumerate((
    Verdict.ACHIEVED, Verdict.ON_TRACK, Verdict.NO_PACE, Verdict.AWAITING, Verdict.AT_RISK,
    Verdict.BEHIND, Verdict.MISSED, Verdict.BREACHED, Verdict.NO_DATA))}

OVERVIEW = (  # column key, its class, sorted as
    ("col.name", "name", "text"), ("col.target", "goal", "text"), ("col.actual", "num", "text"),
    ("col.progress", "num", "number"), ("col.elapsed", "num", "number"),
    ("col.verdict", "", "number"), ("col.as_of", "", "text"))


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def _verdict(w: Words, status: Status) -> str:
    text = verdict_text(w, status) + (w.t("stale") if status.stale else "")
    css = VERDICT_CLASS.get(status.verdict or Verdict.NO_DATA, "none")
    return f'<span class="verdict {css}">{escape(text)}</span>'


def _summary(w: Words, report: Report) -> str:
    counts = verdict_counts(report.targets)
    shown = list(SUMMARY_VERDICTS) + [v for v in Verdict
                                      if v not in SUMMARY_VERDICTS and counts.get(v)]
    cards = "".join(
        f'<div class="count {VERDICT_CLASS[v]}" data-verdict="{v.value}">'
        f'<b>{counts.get(v, 0)}</b>{escape(w.t("verdict." + v.value))}</div>' for v in shown)
    total = escape(w.tn("html.total", len(report.targets), total=len(report.targets)))
    return f'<p class="total">{total}</p><div class="summary">{cards}</div>'


def _overview_row(w: Words, status: Status, plan: Plan) -> str:
    """One target in the overview: its name linked to its card, each cell with the value
    the table sorts it by."""
    target = status.target
    day = status.actual_date.isoformat() if status.actual_date else ""
    goal, actual = goal_text(w, status, plan), actual_text(w, status)
    shown = [  # (text, sort key); an empty key sorts last
        (f'<a href="#t-{escape(target.id)}">{escape(target.name)}</a>', target.name),
        (escape(goal), goal),
        (escape(actual), actual if status.actual is not None else ""),
        (escape(percent(w, status.progress)), _key(status.progress)),
        (escape(percent(w, status.pace)), _key(status.pace)),
        (_verdict(w, status), str(VERDICT_RANK.get(status.verdict or Verdict.NO_DATA, 0))),
        (escape(day or w.t("none")), day),
    ]
    cells = "".join(f'<td class="{css}" data-sort="{escape(key)}">{text}</td>'
                    for (text, key), (_, css, _) in zip(shown, OVERVIEW, strict=True))
    return f'<tr data-id="{escape(target.id)}">{cells}</tr>'


def _key(share: Decimal | None) -> str:
    return "" if share is None else plain(share)


def _overview(w: Words, report: Report, plan: Plan) -> str:
    """The table at the top: one row per target, in the report's order until a heading's
    button sorts it."""
    heads = "".join(
        f'<th scope="col" class="{css}" data-type="{kind}">'
        f'<button type="button" title="{escape(w.t("html.sort.by", column=w.t(key)))}">'
        f"{escape(w.t(key))}</button></th>" for key, css, kind in OVERVIEW)
    rows = "".join(_overview_row(w, s, plan) for s in report.targets)
    return (f"<h2>{escape(w.t('html.overview'))}</h2>"
            f'<table class="overview" id="overview"><thead><tr>{heads}</tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            f'<p class="hint">{escape(w.t("html.sort"))}</p>')


def _figures(w: Words, status: Status, plan: Plan) -> str:
    target = status.target
    cells = [
        (w.t("col.target"), goal_text(w, status, plan)),
        (w.t("col.actual"), actual_text(w, status)),
        (w.t("col.progress"), percent(w, status.progress)),
        (w.t("col.elapsed"), percent(w, status.pace)),
        (w.t("col.projected"), amount(w, status.projected, target.unit, exact=False)),
        (w.t("col.as_of"), status.actual_date.isoformat() if status.actual_date else w.t("none")),
    ]
    head = "".join(f"<th>{escape(k)}</th>" for k, _ in cells) + \
        f"<th>{escape(w.t('col.verdict'))}</th>"
    body = "".join(f'<td class="num">{escape(v)}</td>' for _, v in cells) + \
        f"<td>{_verdict(w, status)}</td>"
    return f"<table class=\"figures\"><tr>{head}</tr><tr>{body}</tr></table>"


def _legend(w: Words, unit: str, has_target: bool, has_pace: bool) -> str:
    parts = [f'<span><i class="swatch" style="border-color:{ACTUAL_COLOUR}"></i>'
             f'{escape(w.t("chart.actual"))}</span>']
    if has_target:
        parts.append(f'<span><i class="swatch" style="border-color:{TARGET_COLOUR};'
                     f'border-top-style:dashed"></i>{escape(w.t("chart.target"))}</span>')
    if has_pace:
        parts.append(f'<span><i class="swatch" style="border-color:{PACE_COLOUR};'
                     f'border-top-style:dotted"></i>{escape(w.t("chart.pace"))}</span>')
    if unit:
        parts.append(f"<span>{escape(w.t('chart.unit', unit=unit))}</span>")
    return '<div class="legend">' + "".join(parts) + "</div>"


def _records(w: Words, records: Sequence[Record], unit: str) -> str:
    """The figures behind a chart with their sources: the latest MAX_RECORDS of them."""
    if not records:
        return f'<p class="meta">{escape(w.t("chart.no_data"))}</p>'
    more = ""
    if len(records) > MAX_RECORDS:
        note = w.t("html.latest", shown=MAX_RECORDS, total=len(records))
        more = f'<p class="meta">{escape(note)}</p>'
        records = records[-MAX_RECORDS:]
    head = "".join(f"<th>{escape(w.t(k))}</th>" for k in
                   ("col.date", "col.value", "col.vintage", "col.note", "col.source"))
    rows = "".join(
        f"<tr><td>{escape(r.date.isoformat() if r.date else '')}</td>"
        f'<td class="num">{escape(amount(w, r.value, r.unit or unit))}</td>'
        f"<td>{escape(r.vintage)}</td><td>{escape(r.note)}</td>"
        f"<td>{escape(r.source)}</td></tr>" for r in records)
    return f'<table class="records"><tr>{head}</tr>{rows}</table>{more}'


def _target(w: Words, status: Status, series: Sequence[Record], plan: Plan) -> str:
    target = status.target
    chart = chart_for(status, series)
    detail = detail_text(w, status)
    shown = [r for r in series if r.date is not None and r.date <= status.as_of
             and (chart.start is None or r.date >= chart.start)
             and (chart.due is None or r.date <= chart.due)]
    parts = [f'<section class="target" id="t-{escape(target.id)}">',
             f"<h3>{escape(target.name)}</h3>"]
    if target.quote:
        parts.append(f'<p class="quote">{escape(target.quote)}</p>')
    parts.append(_figures(w, status, plan))
    if detail:
        parts.append(f'<p class="meta">{escape(detail)}</p>')
    if chart.points:  # no figure, no chart: the records table says so
        parts.append(f'<div class="chart">{svg_chart(w, chart, target.id, target.name)}</div>')
        parts.append(_legend(w, chart.unit, chart.target is not None, bool(chart.pace)))
    parts.append(_records(w, shown, target.unit))
    parts.append("</section>")
    return "\n".join(parts)


def _indicators(w: Words, statuses: Sequence[Status]) -> str:
    head = "".join(f"<th>{escape(w.t(k))}</th>" for k in ("col.name", "col.actual", "col.as_of"))
    rows = "".join(
        f"<tr><td>{escape(s.target.name)}</td>"
        f'<td class="num">{escape(amount(w, s.actual, s.target.unit))}</td>'
        f"<td>{escape(s.actual_date.isoformat() if s.actual_date else w.t('none'))}"
        f"{escape(w.t('stale')) if s.stale else ''}</td></tr>" for s in statuses)
    return f"<table><tr>{head}</tr>{rows}</table>"


def render(w: Words, report: Report, plan: Plan, series: Mapping[str, Sequence[Record]],
           generated: str) -> str:
    """The report page. `series`: current records per series; `generated`: a timestamp."""
    name = plan.name or plan.path.name
    title = w.t("title.status", plan=name, as_of=report.as_of.isoformat())
    body = [f"<h1>{escape(title)}</h1>"]
    meta = [w.t("html.generated", time=generated)]
    if plan.source:
        meta.append(w.t("html.source", source=plan.source))
    body.append(f'<p class="meta">{"<br>".join(escape(m) for m in meta)}</p>')
    body.append(_summary(w, report))
    if report.targets:
        body.append(_overview(w, report, plan))
    if report.warnings:
        items = "".join(f"<li>{escape(w.describe(p))}</li>" for p in report.warnings)
        body.append(f'<ul class="warnings">{items}</ul>')
    current: str | None = None
    for status in report.targets:
        group = status.target.group
        if group != current:
            body.append(f"<h2>{escape(group or w.t('html.ungrouped'))}</h2>")
            current = group
        body.append(_target(w, status, series.get(status.target.series, ()), plan))
    if report.indicators:
        body.append(f"<h2>{escape(w.t('title.indicators'))}</h2>")
        body.append(_indicators(w, report.indicators))
    lang = "zh-CN" if w.zh else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"style-src 'unsafe-inline'; img-src data:; script-src '{SCRIPT_HASH}'\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body) + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
