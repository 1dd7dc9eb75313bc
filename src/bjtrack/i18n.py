"""Every user-facing word in both languages, in one place.

`t("key", **fields)` looks a message up in the current language (set once by the CLI).
"""

from __future__ import annotations

import locale
import os

LANGS = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # verdicts
    "verdict.achieved": {"zh": "已完成", "en": "achieved"},
    "verdict.on_track": {"zh": "进度正常", "en": "on track"},
    "verdict.at_risk": {"zh": "略有滞后", "en": "at risk"},
    "verdict.behind": {"zh": "滞后", "en": "behind"},
    "verdict.missed": {"zh": "未完成", "en": "missed"},
    "verdict.breached": {"zh": "未守住", "en": "breached"},
    "verdict.no_pace": {"zh": "待判断", "en": "no pace"},
    "verdict.no_data": {"zh": "暂无数据", "en": "no data"},
    # status table
    "col.name": {"zh": "指标", "en": "Target"},
    "col.target": {"zh": "目标", "en": "Target value"},
    "col.actual": {"zh": "实际", "en": "Actual"},
    "col.progress": {"zh": "完成率", "en": "Done"},
    "col.elapsed": {"zh": "时间进度", "en": "Time"},
    "col.done_time": {"zh": "完成/时间", "en": "Done/Time"},
    "col.bar": {"zh": "进度", "en": "Progress"},
    "col.verdict": {"zh": "状态", "en": "Status"},
    "col.projected": {"zh": "预计全期", "en": "Projected"},
    "col.as_of": {"zh": "截至", "en": "As of"},
    "col.id": {"zh": "代号", "en": "ID"},
    "col.period": {"zh": "期间", "en": "Period"},
    "col.quote": {"zh": "原文", "en": "Quote"},
    "col.date": {"zh": "日期", "en": "Date"},
    "col.value": {"zh": "数值", "en": "Value"},
    "col.note": {"zh": "备注", "en": "Note"},
    "col.source": {"zh": "来源", "en": "Source"},
    "col.vintage": {"zh": "口径", "en": "Vintage"},
    "col.record": {"zh": "记录号", "en": "Record"},
    "col.kind": {"zh": "类型", "en": "Kind"},
    "title.status": {"zh": "{plan} 目标执行情况（截至 {as_of}）",
                     "en": "{plan}: where the targets stand as of {as_of}"},
    "title.indicators": {"zh": "监测指标", "en": "Indicators"},
    "title.targets": {"zh": "{plan} 目标清单", "en": "{plan}: targets"},
    "title.history": {"zh": "{name} 历史记录", "en": "{name}: records"},
    "title.periods": {"zh": "{name} 各期完成情况", "en": "{name}: each period"},
    "summary": {"zh": "共 {total} 项目标：{counts}", "en": "{total} targets: {counts}"},
    "stale": {"zh": "（数据已过期）", "en": " (stale)"},
    "stretch": {"zh": "力争 {value}", "en": "stretch {value}"},
    "stretch.met": {"zh": "已达力争目标", "en": "stretch met"},
    "stretch.not_met": {"zh": "未达力争目标", "en": "stretch not met"},
    "gap.below": {"zh": "低于目标{points}个百分点", "en": "{points} pp below target"},
    "gap.above": {"zh": "高于目标{points}个百分点", "en": "{points} pp above target"},
    "gap.equal": {"zh": "与目标持平", "en": "level with target"},
    "gap.short": {"zh": "{sign}{points}个百分点", "en": "{sign}{points}pp"},
    "required": {"zh": "还需完成{remaining}，月均需完成{rate}",
                 "en": "{remaining} still needed, {rate} a month"},
    "required.remaining": {"zh": "还需完成{remaining}", "en": "{remaining} still needed"},
    "no_progress": {"zh": "尚无进展，无法预计", "en": "no progress yet, no projection"},
    "no_progress.short": {"zh": "无进展", "en": "no progress"},
    "cagr": {"zh": "需年均增长{required}，实际年均增长{observed}",
             "en": "needs {required} a year, growing {observed} a year"},
    "cagr.required": {"zh": "需年均增长{required}", "en": "needs {required} a year"},
    "milestone": {"zh": "{year}年应达到{value}", "en": "{year} milestone {value}"},
    "relative": {"zh": "与 {series} 同步", "en": "in step with {series}"},
    "every.year": {"zh": "每年", "en": "every year"},
    "every.quarter": {"zh": "每季度", "en": "every quarter"},
    "every.month": {"zh": "每月", "en": "every month"},
    "kind.flow": {"zh": "累计", "en": "flow"},
    "kind.level": {"zh": "总量", "en": "level"},
    "kind.rate": {"zh": "比率", "en": "rate"},
    "kind.annual": {"zh": "多年目标", "en": "multi-year"},
    "kind.indicator": {"zh": "监测", "en": "indicator"},
    "hold": {"zh": "保持", "en": "hold"},
    "none": {"zh": "—", "en": "—"},
    # command messages
    "log.done": {"zh": "已记录 {name} {value}（截至 {date}）[{id}]",
                 "en": "logged {name} {value} as of {date} [{id}]"},
    "log.revised": {"zh": "已修订 {name} {value}（截至 {date}，替换 {old}）[{id}]",
                    "en": "revised {name} {value} as of {date} (replaces {old}) [{id}]"},
    "log.duplicate": {"zh": "已有相同记录 {id}，未重复记录",
                      "en": "the same figure is already recorded as {id}; nothing added"},
    "check.ok": {"zh": "{plan}：{targets} 项目标，{records} 条记录，未发现问题",
                 "en": "{plan}: {targets} targets, {records} records, no problems"},
    "check.problems": {"zh": "发现 {count} 个问题", "en": "{count} problem(s) found"},
    "check.repaired": {"zh": "已把残缺的最后一条记录移到 {backup}",
                       "en": "moved the torn last record to {backup}"},
    "check.nothing_to_repair": {"zh": "无需修复", "en": "nothing to repair"},
    "warn.torn": {"zh": "警告：{problem}（已忽略这条残缺记录）",
                  "en": "warning: {problem} (that torn record is ignored)"},
    "error": {"zh": "错误", "en": "error"},
}


class _State:
    lang = "zh"


def detect_lang(explicit: str | None = None) -> str:
    """--lang, then BJTRACK_LANG, then the locale (Chinese when it starts with zh)."""
    for choice in (explicit, os.environ.get("BJTRACK_LANG")):
        if choice:
            return "en" if choice.lower().startswith("en") else "zh"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith("zh") else "en"


def set_lang(lang: str) -> None:
    _State.lang = lang if lang in LANGS else "zh"


def get_lang() -> str:
    return _State.lang


def t(key: str, **fields: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(_State.lang) or entry["zh"]
    return text.format(**fields) if fields else text
