"""Words and figures shared by every human-readable format (table, Markdown, HTML, XLSX)."""

from __future__ import annotations

from decimal import Decimal

from bjtrack.amounts import PERCENT, format_amount, format_points
from bjtrack.i18n import t
from bjtrack.model import Status, Target, Verdict

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
    from bjtrack.i18n import get_lang

    words = COMPARISON_WORDS[get_lang()]
    if target.relative_to and value is None:
        return t("relative", series=target.relative_to)
    shown = value if value is not None else target.target
    if shown is None:
        return t("none")
    figure = format_amount(shown, target.unit, exact=True)
    word = words[target.comparison]
    if target.comparison == "~" and get_lang() == "zh":
        text = figure + word
    else:
        text = word + figure
    if target.hold:
        text = t("hold") + " " + text
    if target.every:
        text = t(f"every.{target.every}") + " " + text
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


def detail_text(status: Status) -> str:
    """One line of what matters beyond the numbers: gap, stretch, what is still needed."""
    target = status.target
    parts: list[str] = []
    if target.unit == PERCENT and status.gap is not None:
        parts.append(gap_text(status))
    if status.stretch_met is not None:
        parts.append(t("stretch.met" if status.stretch_met else "stretch.not_met"))
    if status.required_rate is not None and status.observed_rate is not None:
        parts.append(t("cagr", required=percent(status.required_rate),
                       observed=percent(status.observed_rate)))
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
    return "；".join(p for p in parts if p) if parts else ""
