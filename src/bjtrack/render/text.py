"""Words and figures shared by every human-readable format (table, Markdown, HTML, XLSX)."""

from __future__ import annotations

import re
from decimal import Decimal

from bjtrack.domain.amounts import PERCENT, format_amount, format_points, is_countable, whole_needed
from bjtrack.domain.model import QUALIFIER_PREFIXES, Kind, Plan, Status, Target, Verdict
from bjtrack.render.words import Words

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


def amount(w: Words, value: Decimal | None, unit: str, exact: bool = True) -> str:
    if value is None:
        return w.t("none")
    return format_amount(value, unit, exact=exact, units=w.units)


def actual_text(w: Words, status: Status) -> str:
    """The actual figure as reports show it: an amount with the word it was published with
    (9.0%左右, 约3.4%), or a rank (第2位)."""
    if status.target.kind is Kind.RANK and status.actual is not None:
        return w.t("rank.actual", n=format_amount(status.actual, ""))
    return qualified(w, amount(w, status.actual, status.target.unit), status.qualifier)


def qualified(w: Words, figure: str, qualifier: str) -> str:
    """A figure with its published qualifier: '9.0%左右', '约3.4%'; in English '9.0% (about)'."""
    if not qualifier:
        return figure
    if not w.zh:
        return f"{figure} ({w.t('qualifier.' + QUALIFIER_KEYS[qualifier])})"
    return qualifier + figure if qualifier in QUALIFIER_PREFIXES else figure + qualifier


QUALIFIER_KEYS = {"左右": "about", "约": "about", "以上": "or_more", "预计": "estimated"}


def percent(w: Words, share: Decimal | None) -> str:
    """A fraction as a percentage with one decimal: 0.4567 -> '45.7%'."""
    if share is None:
        return w.t("none")
    return format_amount(share * 100, PERCENT, places=1)


def goal_text(w: Words, status: Status, plan: Plan) -> str:
    """A status's target as reports show it; a relative one names the series it follows
    and the value that series gave: '与 地区生产总值增长 同步（5.0%）'."""
    target = status.target
    return target_text(w, target, status.target_value if target.relative_to else None, plan)


def target_text(w: Words, target: Target, value: Decimal | None = None,
                plan: Plan | None = None) -> str:
    """'超300亿元', '≥ 3.8万人', '与 地区生产总值增长 同步', '每年不少于3亿元'. A relative
    target names the series it follows by its name in `plan` (by its id without a plan)."""
    if target.relative_to:
        follows = plan.series_name(target.relative_to) if plan else target.relative_to
        text = w.t("relative", series=follows)
        if value is None:
            return text
        figure = amount(w, value, target.unit)
        return text + (f"（{figure}）" if w.zh else f" ({figure})")
    shown = value if value is not None else target.target
    if shown is None:
        return w.t("none")
    if target.change and target.target is not None and value is None:  # +0.3个百分点
        sign = "+" if target.target >= 0 else "-"
        return w.t("change.target", sign=sign, points=format_points(abs(target.target)))
    if target.kind is Kind.RANK:  # 前3位: third or better
        return w.t("rank.target", n=format_amount(shown, ""))
    text = _comparison(w, target, amount(w, shown, target.unit))
    space = "" if w.zh else " "
    if target.hold:
        text = w.t("hold") + space + text
    if target.every:
        text = w.t(f"every.{target.every}") + space + text
    if target.stretch is not None and target.ranged:  # 5.0%—5.5%
        text += ("—" if w.zh else "–") + amount(w, target.stretch, target.unit)
    elif target.stretch is not None:
        text += " / " + w.t("stretch", value=amount(w, target.stretch, target.unit))
    return text


def _comparison(w: Words, target: Target, figure: str) -> str:
    """The figure with its comparison: '超300亿元', '300亿元左右', '≥ 3.8万人'."""
    word = COMPARISON_WORDS[w.lang][target.comparison]
    if target.approx and target.comparison != "~":  # 6%左右 (a floor), 3%左右以内 (a ceiling)
        if not w.zh:
            return word + "~" + figure
        return figure + ("左右以内" if target.is_ceiling else "左右")
    if w.zh and target.hold and target.comparison in (">", ">="):
        return figure + "以上"  # 保持40%以上
    if w.zh and target.hold and target.comparison in ("<", "<="):
        return figure + "以下"
    if w.zh and target.comparison == "~":
        return figure + word
    if w.zh and target.every and target.comparison == ">=":
        return "不少于" + figure  # 每年不少于3亿元
    return word + figure


def verdict_text(w: Words, status: Status) -> str:
    if status.verdict is None:
        return ""
    if status.within_tolerance and status.verdict is Verdict.ACHIEVED:
        return w.t("verdict.achieved.within")  # 基本完成: met within the 左右 slack
    return w.t(f"verdict.{status.verdict.value}")


def gap_text(w: Words, status: Status) -> str:
    """How far a rate is from its target, in percentage points."""
    if status.gap is None:
        return ""
    if status.gap == 0:
        return w.t("gap.equal")
    points = format_points(abs(status.gap))
    return w.t("gap.below" if status.gap < 0 else "gap.above", points=points)


def points_text(w: Words, gap: Decimal) -> str:
    """A rate's gap to its target, signed, in percentage points: '-1.0pp', '+5.1个百分点'."""
    sign = "-" if gap < 0 else "+" if gap > 0 else "±"
    return w.t("gap.short", sign=sign, points=format_points(abs(gap)))


def needed(w: Words, value: Decimal, unit: str) -> str:
    """An amount still needed (in all, or a month): people, firms and other countable
    things in whole units, rounded up (2833.33人 -> '2834人'); other amounts rounded."""
    if not is_countable(unit):
        return amount(w, value, unit, exact=False)
    return amount(w, whole_needed(value, unit), unit, exact=True)  # 23,457人, never 2.35万人


def detail_text(w: Words, status: Status, stretch: bool = True) -> str:
    """One line of what matters beyond the numbers: gap, stretch, what is still needed.
    stretch=False leaves the stretch out (for a table whose verdict already says it)."""
    return w.sep.join(detail_parts(w, status, stretch))


def detail_parts(w: Words, status: Status, stretch: bool = True) -> list[str]:
    """The clauses of `detail_text`, each a whole figure and its words."""
    target = status.target
    parts: list[str] = []
    if status.period is not None:  # a recurring target: which period is judged
        parts.append(w.t("period.current", start=status.period.start.isoformat(),
                       due=status.period.due.isoformat()))
    if target.unit == PERCENT and status.gap is not None:
        parts.append(gap_text(w, status))
    if stretch and status.stretch_met is not None:
        parts.append(w.t("stretch.met" if status.stretch_met else "stretch.not_met"))
    if target.kind is Kind.ANNUAL:
        parts.extend(_annual_detail(w, status))
    elif status.no_progress:
        parts.append(w.t("no_progress"))
    elif status.remaining is not None and status.verdict not in (
            Verdict.MISSED, Verdict.ACHIEVED) and target.unit != PERCENT:
        remaining = needed(w, status.remaining, target.unit)
        if status.required_rate is not None:
            parts.append(w.t("required", remaining=remaining,
                           rate=needed(w, status.required_rate, target.unit)))
        else:
            parts.append(w.t("required.remaining", remaining=remaining))
    return [p for p in parts if p]


def _annual_detail(w: Words, status: Status) -> list[str]:
    """A multi-year goal: the growth it needs a year, the growth so far, the next milestone."""
    if status.required_rate is None:
        return []
    if status.observed_rate is not None:
        parts = [w.t("cagr", required=percent(w, status.required_rate),
                   observed=percent(w, status.observed_rate))]
    else:
        parts = [w.t("cagr.required", required=percent(w, status.required_rate))]
    if status.verdict in (Verdict.ACHIEVED, Verdict.MISSED):
        return parts
    after = status.actual_date or status.as_of
    upcoming = [(day, value) for day, value in status.milestones if day > after]
    if upcoming:
        day, value = upcoming[0]
        parts.append(w.t("milestone", year=day.year,
                       value=amount(w, value, status.target.unit, exact=False)))
    return parts
