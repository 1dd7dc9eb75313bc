"""Words and figures shared by every human-readable format (table, Markdown, HTML, XLSX)."""

from __future__ import annotations

import re
from decimal import Decimal

from bjtrack.domain.amounts import PERCENT, format_amount, format_points
from bjtrack.domain.model import Kind, Status, Target, Verdict
from bjtrack.render.i18n import t

# C0/C1 controls (escape sequences among them) and bidi overrides: never reach a terminal.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Text made safe for a terminal: no escape sequences, no bidi overrides. Applied to
    everything bjtrack prints for a person, since names, notes and imported cells are
    user text."""
    return _UNSAFE.sub("", text)


COMPARISON_WORDS = {
    "zh": {">": "超", ">=": "", "<": "低于", "<=": "不超过", "~": "左右"},
    "en": {">": "> ", ">=": "≥ ", "<": "< ", "<=": "≤ ", "~": "≈ "},
}


def amount(value: Decimal | None, unit: str, exact: bool = True) -> str:
    if value is None:
        return t("none")
    return format_amount(value, unit, exact=exact)


def percent(share: Decimal | None) -> str:
    """A fraction as a percentage with one decimal: 0.4567 -> '45.7%'."""
    if share is None:
        return t("none")
    return format_amount(share * 100, PERCENT, places=1)


def target_text(target: Target, value: Decimal | None = None) -> str:
    """'超300亿元', '≥ 3.8万人', '与 gdp-growth 同步', '每年不少于3亿元'."""
    from bjtrack.render.i18n import get_lang

    words = COMPARISON_WORDS[get_lang()]
    if target.relative_to:
        text = t("relative", series=target.relative_to)
        if value is None:
            return text
        return text + (f"（{format_amount(value, target.unit, exact=True)}）"
                       if get_lang() == "zh" else
                       f" ({format_amount(value, target.unit, exact=True)})")
    shown = value if value is not None else target.target
    if shown is None:
        return t("none")
    figure = format_amount(shown, target.unit, exact=True)
    zh = get_lang() == "zh"
    word = words[target.comparison]
    if zh and target.hold and target.comparison in (">", ">="):
        text = figure + "以上"  # 保持40%以上
    elif zh and target.hold and target.comparison in ("<", "<="):
        text = figure + "以下"
    elif zh and target.comparison == "~":
        text = figure + word
    elif zh and target.every and target.comparison == ">=":
        text = "不少于" + figure  # 每年不少于3亿元
    else:
        text = word + figure
    if target.hold:
        text = t("hold") + ("" if zh else " ") + text
    if target.every:
        text = t(f"every.{target.every}") + ("" if zh else " ") + text
    if target.stretch is not None:
        text += " / " + t("stretch", value=format_amount(target.stretch, target.unit, exact=True))
    return text


def verdict_text(status: Status) -> str:
    if status.verdict is None:
        return ""
    return t(f"verdict.{status.verdict.value}")


def gap_text(status: Status) -> str:
    """How far a rate is from its target, in percentage points."""
    if status.gap is None:
        return ""
    if status.gap == 0:
        return t("gap.equal")
    points = format_points(abs(status.gap))
    return t("gap.below" if status.gap < 0 else "gap.above", points=points)


def points_text(gap: Decimal) -> str:
    """A rate's gap to its target, signed, in percentage points: '-1.0pp', '+5.1个百分点'."""
    sign = "-" if gap < 0 else "+" if gap > 0 else "±"
    return t("gap.short", sign=sign, points=format_points(abs(gap)))


def detail_text(status: Status, stretch: bool = True) -> str:
    """One line of what matters beyond the numbers: gap, stretch, what is still needed.
    stretch=False leaves the stretch out (for a table whose verdict already says it)."""
    target = status.target
    parts: list[str] = []
    if status.period is not None:  # a recurring target: which period is judged
        parts.append(t("period.current", start=status.period.start.isoformat(),
                       due=status.period.due.isoformat()))
    if target.unit == PERCENT and status.gap is not None:
        parts.append(gap_text(status))
    if stretch and status.stretch_met is not None:
        parts.append(t("stretch.met" if status.stretch_met else "stretch.not_met"))
    if target.kind is Kind.ANNUAL:
        parts.extend(_annual_detail(status))
    elif status.no_progress:
        parts.append(t("no_progress"))
    elif status.remaining is not None and status.verdict not in (
            Verdict.MISSED, Verdict.ACHIEVED) and target.unit != PERCENT:
        remaining = amount(status.remaining, target.unit, exact=False)
        if status.required_rate is not None:
            parts.append(t("required", remaining=remaining,
                           rate=amount(status.required_rate, target.unit, exact=False)))
        else:
            parts.append(t("required.remaining", remaining=remaining))
    from bjtrack.render.i18n import get_lang

    return ("；" if get_lang() == "zh" else "; ").join(p for p in parts if p)


def _annual_detail(status: Status) -> list[str]:
    """A multi-year goal: the growth it needs a year, the growth so far, the next milestone."""
    if status.required_rate is None:
        return []
    if status.observed_rate is not None:
        parts = [t("cagr", required=percent(status.required_rate),
                   observed=percent(status.observed_rate))]
    else:
        parts = [t("cagr.required", required=percent(status.required_rate))]
    if status.verdict in (Verdict.ACHIEVED, Verdict.MISSED):
        return parts
    after = status.actual_date or status.as_of
    upcoming = [(day, value) for day, value in status.milestones if day > after]
    if upcoming:
        day, value = upcoming[0]
        parts.append(t("milestone", year=day.year,
                       value=amount(value, status.target.unit, exact=False)))
    return parts
