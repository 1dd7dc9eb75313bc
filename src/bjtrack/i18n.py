"""Every user-facing word in both languages, in one place.

`t("key", **fields)` looks a message up in the current language (set once by the CLI).
"""

from __future__ import annotations

import locale
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bjtrack.errors import Problem

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
    "title.status": {"zh": "{plan}执行情况（截至 {as_of}）",
                     "en": "{plan}: where the targets stand as of {as_of}"},
    "title.indicators": {"zh": "监测指标", "en": "Indicators"},
    "title.targets": {"zh": "{plan} 目标清单", "en": "{plan}: targets"},
    "title.history": {"zh": "{name} 历史记录", "en": "{name}: records"},
    "title.periods": {"zh": "{name} 各期完成情况", "en": "{name}: each period"},
    "summary": {"zh": "共 {total} 项目标：{counts}", "en": "{total} targets: {counts}"},
    "summary.one": {"zh": "共 {total} 项目标：{counts}", "en": "{total} target: {counts}"},
    "stale": {"zh": "（数据已过期）", "en": " (stale)"},
    "stretch": {"zh": "力争 {value}", "en": "stretch {value}"},
    "stretch.met": {"zh": "已达力争目标", "en": "stretch met"},
    "stretch.not_met": {"zh": "未达力争目标", "en": "stretch not met"},
    "stretch.badge.met": {"zh": "（达力争）", "en": " (stretch met)"},
    "stretch.badge.not_met": {"zh": "（未达力争）", "en": " (stretch not met)"},
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
    "period.current": {"zh": "本期 {start} ~ {due}", "en": "period {start} ~ {due}"},
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
    "warn.outside": {"zh": "注意：{date} 不在“{name}”的考核期（{start} ~ {due}）内，"
                           "这条记录不计入其完成情况",
                     "en": "note: {date} is outside the period of {name} ({start} ~ {due}); "
                           "this figure does not count towards it"},
    "warn.torn": {"zh": "警告：{problem}（已忽略这条残缺记录）",
                  "en": "warning: {problem} (that torn record is ignored)"},
    # ---- export and import (reports)
    "col.group": {"zh": "分组", "en": "Group"},
    "col.target_text": {"zh": "目标表述", "en": "Target as stated"},
    "col.unit": {"zh": "单位", "en": "Unit"},
    "col.records": {"zh": "记录数", "en": "Records"},
    "col.series": {"zh": "序列", "en": "Series"},
    "col.entered": {"zh": "原始录入", "en": "As entered"},
    "col.by": {"zh": "录入人", "en": "By"},
    "sheet.status": {"zh": "执行情况", "en": "Status"},
    "sheet.records": {"zh": "记录", "en": "Records"},
    "title.records": {"zh": "数据记录", "en": "Records"},
    "html.total": {"zh": "共 {total} 项目标", "en": "{total} targets"},
    "html.generated": {"zh": "生成时间：{time}", "en": "Generated {time}"},
    "html.source": {"zh": "来源：{source}", "en": "Source: {source}"},
    "html.ungrouped": {"zh": "其他目标", "en": "Other targets"},
    "html.latest": {"zh": "仅列出最近 {shown} 条（共 {total} 条）；全部记录见 csv 或 xlsx 导出",
                    "en": "the latest {shown} of {total} figures; the csv and xlsx exports "
                          "hold them all"},
    "chart.actual": {"zh": "实际", "en": "actual"},
    "chart.target": {"zh": "目标", "en": "target"},
    "chart.pace": {"zh": "进度线", "en": "pace"},
    "chart.unit": {"zh": "单位：{unit}", "en": "unit: {unit}"},
    "chart.no_data": {"zh": "暂无数据记录", "en": "no figures recorded yet"},
    "export.written": {"zh": "已导出 {format}：{path}", "en": "exported {format} to {path}"},
    "import.done": {"zh": "已从 {file}（{encoding}）导入 {added} 条记录；{duplicates} 条已存在，"
                          "未重复导入（共 {rows} 行）",
                    "en": "imported {added} record(s) from {file} ({encoding}); {duplicates} "
                          "already recorded, not added again ({rows} rows)"},
    "import.dry_run": {"zh": "试运行：{file}（{encoding}）共 {rows} 行，将导入 {added} 条，"
                             "{duplicates} 条已存在；未写入任何内容",
                       "en": "dry run: {file} ({encoding}) has {rows} rows; {added} would be "
                             "imported, {duplicates} already recorded; nothing written"},
    "import.ignored": {"zh": "警告：已忽略列“{column}”",
                       "en": "warning: column '{column}' ignored"},
    "import.conflict": {"zh": "警告：{detail}（`bjtrack check` 会列出）",
                        "en": "warning: {detail} (`bjtrack check` lists it)"},
    "import.progress": {"zh": "正在检查", "en": "checking rows"},
    "import.more_conflicts": {"zh": "警告：另有 {count} 行与已有数据不同",
                              "en": "warning: {count} more row(s) differ from recorded figures"},
    "err.export.format": {"zh": "未知的格式“{fmt}”", "en": "unknown format '{fmt}'"},
    "hint.export.formats": {"zh": "可用：{formats}", "en": "use {formats}"},
    "err.export.protected": {"zh": "不能把导出写到 {name} 上", "en": "refusing to write the "
                                                                 "export over {name}"},
    "hint.export.other": {"zh": "请换一个输出文件", "en": "choose another output file"},
    "err.export.folder": {"zh": "这是一个文件夹", "en": "is a folder"},
    "hint.export.name": {"zh": "请给出文件名，如 -o report.html",
                         "en": "give a file name, e.g. -o report.html"},
    "err.export.no_folder": {"zh": "所在文件夹不存在", "en": "the folder does not exist"},
    "hint.export.no_folder": {"zh": "先建好文件夹，或换一个路径",
                              "en": "create the folder first or choose another path"},
    "err.export.symlink": {"zh": "这是一个符号链接，不会经由它写入",
                           "en": "is a symbolic link; refusing to write through it"},
    "hint.export.symlink": {"zh": "删除链接或换个文件名；或加 --force 替换链接本身"
                                  "（链接指向的文件不动）",
                            "en": "remove the link, choose another name, or pass --force to "
                                  "replace the link itself (what it points to is left alone)"},
    "err.export.exists": {"zh": "文件已存在", "en": "already exists"},
    "hint.export.force": {"zh": "加 --force 覆盖，或换一个文件名",
                          "en": "pass --force to replace it, or choose another name"},
    "err.export.bom": {"zh": "--bom 只用于 csv", "en": "--bom applies to csv only"},
    "hint.export.bom": {"zh": "去掉 --bom，或用 --format csv",
                        "en": "drop --bom, or use --format csv"},
    "err.export.binary": {"zh": "{fmt} 是二进制格式，需要指定输出文件",
                          "en": "{fmt} is a binary format; it needs an output file"},
    "hint.export.output": {"zh": "加上 -o report.{fmt}", "en": "add -o report.{fmt}"},
    "err.import.missing": {"zh": "找不到文件", "en": "file not found"},
    "hint.import.file": {"zh": "请给出 .csv 或 .xlsx 文件的路径",
                         "en": "give the path of a .csv or .xlsx file"},
    "err.import.xls": {"zh": "无法读取旧版 .xls 工作簿", "en": "old .xls workbooks cannot be read"},
    "hint.import.xls": {"zh": "在 Excel/WPS 中另存为 .xlsx 或 .csv 再导入",
                        "en": "save it as .xlsx or .csv in Excel or WPS and import that"},
    "err.import.encoding": {"zh": "无法按 UTF-8 或 GBK 读取该文件（第 {byte} 字节）",
                            "en": "cannot read the file as UTF-8 or GBK text (byte {byte})"},
    "hint.import.encoding": {"zh": "在 Excel/WPS 中另存为“CSV UTF-8”或 .xlsx",
                             "en": "save it from Excel/WPS as 'CSV UTF-8', or as .xlsx"},
    "err.import.workbook": {"zh": "无法读取该工作簿：{error}",
                            "en": "cannot read the workbook: {error}"},
    "hint.import.workbook": {"zh": "在 Excel/WPS 中打开后重新另存为 .xlsx",
                             "en": "open it in Excel/WPS and save it again as .xlsx"},
    "err.import.both": {"zh": "“{first}”和“{second}”两列都是{field}",
                        "en": "columns '{first}' and '{second}' both give the {field}"},
    "hint.import.both": {"zh": "改名或删去其中一列", "en": "rename or delete one of them"},
    "err.import.columns": {"zh": "表头缺少这些列：{missing}（现有：{found}）",
                           "en": "the header row lacks a column for {missing} (found: {found})"},
    "hint.import.columns": {"zh": "可用的表头——{accepted}", "en": "accepted headers — {accepted}"},
    "err.import.row": {"zh": "第 {row} 行：{reason}", "en": "row {row}: {reason}"},
    "err.import.rows": {"zh": "{total} 行中有 {bad} 行有误：未导入任何内容",
                        "en": "{bad} bad row(s) of {total}: nothing was imported"},
    "hint.import.rows": {"zh": "改正以上各行后重新导入",
                         "en": "fix the rows above and import the file again"},
    "import.no_target": {"zh": "缺少指标", "en": "no target"},
    "import.no_date": {"zh": "缺少日期", "en": "no date"},
    "import.no_value": {"zh": "缺少数值", "en": "no value"},
    "import.vintage": {"zh": "未知的口径“{vintage}”", "en": "unknown vintage '{vintage}'"},
    "import.vintages": {"zh": "可用：{vintages}", "en": "use one of {vintages}"},
    "import.hint": {"zh": "{hint}", "en": "{hint}"},
    "error": {"zh": "错误", "en": "error"},
    # ---- errors shown through errors.problem(key, …): English is the library's own text
    "err.unknown_target": {"zh": "未知的目标“{ref}”", "en": "unknown target '{ref}'"},
    "err.several_targets": {"zh": "“{ref}”匹配到多个目标：{names}",
                            "en": "'{ref}' matches several targets: {names}"},
    "hint.did_you_mean": {"zh": "是否要找：{names}？", "en": "did you mean: {names}?"},
    "hint.list_targets": {"zh": "`bjtrack targets` 列出全部目标",
                          "en": "`bjtrack targets` lists every target"},
    "hint.type_more": {"zh": "请多输入几个字符（代号或名称）", "en": "type more of the id or name"},
    "err.amount.form": {"zh": "无法识别金额“{text}”：应为数字，可带万/亿和单位",
                        "en": "cannot read amount '{text}': expected a number, optionally "
                              "with 万/亿 and a unit"},
    "err.amount.range": {"zh": "无法识别金额“{text}”：数值超出范围（最多10^{max}）",
                         "en": "cannot read amount '{text}': the number is out of range "
                               "(at most 10^{max})"},
    "err.amount.unit": {"zh": "无法识别金额“{text}”：“{unit}”不是单位",
                        "en": "cannot read amount '{text}': '{unit}' is not a unit"},
    "err.amount.percent": {"zh": "无法识别金额“{text}”：百分数不能带万/亿",
                           "en": "cannot read amount '{text}': a percentage cannot carry 万/亿"},
    "hint.forms": {"zh": "可用写法：{forms}", "en": "accepted forms: {forms}"},
    "err.unit_mismatch": {"zh": "单位不符：输入的是 {got}，该指标以{expected}计",
                          "en": "unit mismatch: got {got}, but this series is measured in "
                                "{expected}"},
    "err.unit_mismatch.bare": {"zh": "单位不符：输入的是 {got}，该指标是不带单位的数",
                               "en": "unit mismatch: got {got}, but this series is measured "
                                     "in bare numbers"},
    "hint.unit": {"zh": "请以{unit}填写，例如 {example}",
                  "en": "write the value in {unit}, e.g. {example}"},
    "hint.unit.bare": {"zh": "请填写不带单位的数，例如 {example}",
                       "en": "write the value in a bare number, e.g. {example}"},
    "err.date.form": {"zh": "无法识别日期“{text}”：不是可识别的日期写法",
                      "en": "cannot read date '{text}': not a date form bjtrack knows"},
    "err.date.invalid": {"zh": "无法识别日期“{text}”：日期无效（{why}）",
                         "en": "cannot read date '{text}': {why}"},
    "err.plan_not_found": {"zh": "找不到计划文件：{path}", "en": "plan file not found: {path}"},
    "hint.plan_not_found": {"zh": "用 --file 指向一个已有的 targets.toml，或运行 `bjtrack init`",
                            "en": "pass --file PATH to an existing targets.toml, or run "
                                  "`bjtrack init`"},
    "err.no_plan": {"zh": "当前文件夹及其上级都没有 {name}",
                    "en": "no {name} in this folder or any parent"},
    "hint.no_plan": {"zh": "用 --file 指定计划文件（或设置 BJTRACK_FILE），"
                           "或运行 `bjtrack init` 新建计划",
                     "en": "pass --file PATH (or set BJTRACK_FILE), or run `bjtrack init` to "
                           "start a plan"},
    "err.file_not_found": {"zh": "文件不存在", "en": "file not found"},
    "err.toml": {"zh": "TOML 格式错误：{detail}", "en": "malformed TOML: {detail}"},
    "hint.toml": {"zh": "检查该行的引号、括号和 `键 = 值` 写法",
                  "en": "check quotes, brackets and `key = value` syntax on that line"},
    "err.unknown_lang": {"zh": "未知的语言“{lang}”", "en": "unknown language '{lang}'"},
    "hint.lang": {"zh": "请用 --lang zh 或 en", "en": "use --lang zh or en"},
    # ---- init, target add/edit, where
    "err.exists": {"zh": "文件已存在，未覆盖", "en": "already exists; not overwritten"},
    "hint.exists": {"zh": "换一个文件夹，或用 --file 使用已有的计划",
                    "en": "choose another folder, or use the existing plan with --file"},
    "err.unknown_example": {"zh": "没有名为“{name}”的示例", "en": "no example named '{name}'"},
    "hint.examples": {"zh": "可用示例：{names}", "en": "examples: {names}"},
    "err.example_and_blank": {"zh": "--example 和 --blank 只能选一个",
                              "en": "--example and --blank cannot be used together"},
    "err.cannot_write": {"zh": "无法写入：{why}", "en": "cannot write: {why}"},
    "init.created": {"zh": "已创建 {path}", "en": "created {path}"},
    "init.appended": {"zh": "已补充 {path}", "en": "added a line to {path}"},
    "init.next": {"zh": "下一步：bjtrack target add，然后 bjtrack log 目标 数值",
                  "en": "next: bjtrack target add, then bjtrack log TARGET VALUE"},
    "err.missing_fields": {"zh": "缺少必填项：{keys}", "en": "missing required option(s): {keys}"},
    "hint.target_add": {"zh": "例如 bjtrack target add --id investment --name 区内全年投资 "
                              "--target 300亿元 --start 2022-01-01 --due 2022-12-31",
                        "en": "e.g. bjtrack target add --id investment --name 区内全年投资 "
                              "--target 300亿元 --start 2022-01-01 --due 2022-12-31"},
    "err.target_exists": {"zh": "目标代号“{id}”已存在", "en": "target id '{id}' already exists"},
    "hint.target_edit": {"zh": "用 bjtrack target edit {id} 修改它，或换一个代号",
                         "en": "change it with bjtrack target edit {id}, or pick another id"},
    "target.added": {"zh": "已添加目标 {id}（{name}，{target}）到 {path}",
                     "en": "added target {id} ({name}, {target}) to {path}"},
    "target.saved": {"zh": "已保存 {path}", "en": "saved {path}"},
    "target.unchanged": {"zh": "没有改动", "en": "no changes"},
    "prompt.id": {"zh": "代号（小写英文，如 investment）", "en": "id (a lowercase slug)"},
    "prompt.name": {"zh": "名称", "en": "name"},
    "prompt.target": {"zh": "目标值（如 300亿元）", "en": "target (e.g. 300亿元)"},
    "prompt.start": {"zh": "开始日期", "en": "start date"},
    "prompt.due": {"zh": "截止日期", "en": "due date"},
    "prompt.reopen": {"zh": "重新打开编辑器修改？", "en": "re-open the editor to fix it?"},
    "err.editor_failed": {"zh": "编辑器异常退出（状态 {status}），计划未改动",
                          "en": "the editor exited with status {status}; the plan is unchanged"},
    "err.edit_abandoned": {"zh": "修改无效，计划未改动",
                           "en": "invalid edit; the plan is unchanged"},
    "err.changed_meanwhile": {"zh": "编辑期间计划文件被他人修改，未保存",
                              "en": "the plan changed while you were editing; not saved"},
    "err.not_utf8": {"zh": "不是 UTF-8 文本", "en": "not UTF-8 text"},
    "err.no_editor": {"zh": "无法启动编辑器 {editor}：{why}",
                      "en": "cannot start the editor {editor}: {why}"},
    "hint.editor": {"zh": "设置 EDITOR，例如 export EDITOR=nano",
                    "en": "set EDITOR, e.g. export EDITOR=nano"},
    "hint.kept": {"zh": "你的修改保存在 {path}", "en": "your edits are kept in {path}"},
    "hint.unchanged": {"zh": "计划未改动", "en": "the plan is unchanged"},
    "where.plan": {"zh": "计划文件", "en": "plan"},
    "where.records": {"zh": "记录文件", "en": "records"},
    "where.missing": {"zh": "（尚未创建）", "en": " (not created yet)"},
    # ---- corrections
    "err.unknown_record": {"zh": "没有编号为“{ref}”的记录", "en": "no record '{ref}'"},
    "hint.record_ids": {"zh": "`bjtrack history 目标 --all` 显示记录编号",
                        "en": "`bjtrack history TARGET --all` shows record ids"},
    "err.ambiguous_record": {"zh": "“{ref}”匹配到多条记录：{ids}",
                             "en": "'{ref}' matches several records: {ids}"},
    "hint.more_chars": {"zh": "请多输入几位编号", "en": "type more of the id"},
    "err.is_retraction": {"zh": "记录 {id} 是对 {of} 的撤回，不是数值",
                          "en": "record {id} is the retraction of {of}, not a figure"},
    "err.already_retracted": {"zh": "记录 {id} 已被 {by} 撤回",
                              "en": "record {id} was already retracted by {by}"},
    "hint.relog": {"zh": "需要时用 bjtrack log 重新记录",
                   "en": "log the figure again with bjtrack log if needed"},
    "err.replaced": {"zh": "记录 {id} 已被 {by} 替换", "en": "record {id} was replaced by {by}"},
    "hint.use_current": {"zh": "请改用当前记录 {by}", "en": "use the current record {by}"},
    "err.unknown_series": {"zh": "记录所属序列“{series}”不在计划中",
                           "en": "the record's series '{series}' is not in the plan"},
    "hint.check": {"zh": "运行 bjtrack check 查看问题", "en": "run bjtrack check"},
    "err.amend_same": {"zh": "新数值、日期和备注与记录 {id} 相同，未修改",
                       "en": "value, date and note are those of record {id}; nothing changed"},
    "hint.amend": {"zh": "例如 bjtrack amend {id} 151亿 --note 快报修正",
                   "en": "e.g. bjtrack amend {id} 151亿 --note 'revised release'"},
    "err.nothing_to_undo": {"zh": "没有可撤销的记录（记录人 {by}）",
                            "en": "nothing to undo: no current record logged by {by}"},
    "hint.undo": {"zh": "用 --by 指定记录人，或用 bjtrack rm 编号 撤回指定记录",
                  "en": "pass --by NAME, or retract a given record with bjtrack rm RECORD"},
    "undo.done": {"zh": "已撤回 {name} {value}（截至 {date}）[{old}]，撤回记录 [{id}]",
                  "en": "retracted {name} {value} as of {date} [{old}] by record [{id}]"},
    "amend.done": {"zh": "已修正 {name}：{old_value} → {value}（截至 {date}）[{id}，替换 {old}]",
                   "en": "amended {name}: {old_value} → {value} as of {date} "
                         "[{id}, replaces {old}]"},
    "state.col": {"zh": "状态", "en": "State"},
    "state.current": {"zh": "有效", "en": "current"},
    "state.replaced": {"zh": "已被 {by} 替换", "en": "replaced by {by}"},
    "state.retracted": {"zh": "已被 {by} 撤回", "en": "retracted by {by}"},
    "state.retraction": {"zh": "撤回 {by}", "en": "retracts {by}"},
    "state.revises": {"zh": "替换 {by}", "en": "replaces {by}"},
    "state.who": {"zh": "（{who}）", "en": " ({who})"},
    # ---- extract
    "extract.drafted": {"zh": "已从 {file} 起草 {count} 项目标（{year}年），请逐项核对原句",
                        "en": "drafted {count} target(s) for {year} from {file}; check each "
                              "against its sentence"},
    "extract.skipped": {"zh": "未起草（没有数字）：{clause}",
                        "en": "not drafted (no number): {clause}"},
    "extract.skipped.relative_unresolved": {"zh": "未起草（所跟随的指标不在文中）：{clause}",
                                            "en": "not drafted (the series it follows is not "
                                                  "in the text): {clause}"},
    "extract.skipped.label": {"zh": "未起草（没有数字）：", "en": "not drafted (no number): "},
    "extract.plan_name": {"zh": "{name} 目标（草稿）", "en": "{name} targets (draft)"},
    "extract.written": {"zh": "已写入 {path}：{count} 项目标", "en": "wrote {count} target(s) "
                                                               "to {path}"},
    "extract.appended": {"zh": "已向 {path} 追加 {added} 项目标；{present} 项已在计划中",
                         "en": "added {added} target(s) to {path}; {present} already there"},
    "extract.found": {"zh": "从 {file} 提取到 {count} 条数据", "en": "{count} figure(s) from "
                                                               "{file}"},
    "extract.none": {"zh": "{file} 中没有计划指标的数据", "en": "no figures for the plan's "
                                                        "series in {file}"},
    "extract.applied": {"zh": "已导入 {added} 条记录；{duplicates} 条已存在",
                        "en": "imported {added} record(s); {duplicates} already recorded"},
    "err.extract.missing": {"zh": "找不到文件", "en": "file not found"},
    "err.extract.folder": {"zh": "这是一个文件夹", "en": "is a folder"},
    "err.extract.unreadable": {"zh": "无法读取：{why}", "en": "cannot read it: {why}"},
    "hint.extract.file": {"zh": "请给出 .txt、.md、.html 或 .docx 文件的路径，或用 - 读标准输入",
                          "en": "give the path of a .txt, .md, .html or .docx file, or - for "
                                "stdin"},
    "err.extract.encoding": {"zh": "无法按 UTF-8 或 GBK 读取该文件（第 {byte} 字节）",
                             "en": "cannot read the file as UTF-8 or GBK text (byte {byte})"},
    "hint.extract.encoding": {"zh": "另存为 UTF-8 文本再试", "en": "save it as UTF-8 text and "
                                                               "try again"},
    "err.extract.docx": {"zh": "无法读取该 Word 文档", "en": "cannot read this Word document"},
    "hint.extract.docx": {"zh": "在 Word/WPS 中另存为 .docx 或 .txt 再试",
                          "en": "save it again from Word/WPS as .docx or .txt"},
    "hint.extract.append": {"zh": "加 --append 追加到该计划，或换一个文件名",
                            "en": "pass --append to add to that plan, or choose another name"},
    "err.extract.no_input": {"zh": "请给出规划原文，或用 --records 给出统计公报",
                             "en": "give a plan's text, or a bulletin with --records"},
    "hint.extract.usage": {"zh": "示例：bjtrack extract 报告.txt --year 2025",
                           "en": "e.g. bjtrack extract report.txt --year 2025"},
    "err.extract.format": {"zh": "--format {fmt} 不适用于此处（可用：{allowed}）",
                           "en": "--format {fmt} does not apply here (use {allowed})"},
    "err.extract.with_records": {"zh": "{option} 不能与 --records 同用",
                                 "en": "{option} cannot be used with --records"},
    "err.extract.needs_records": {"zh": "{option} 只用于 --records",
                                  "en": "{option} applies to --records only"},
}

# Help texts of commands and options (looked up when the commands are registered).
HELP: dict[str, dict[str, str]] = {
    "app": {"zh": "对照已公布的数据，跟踪规划中的量化目标。\n\n"
                  "示例：bjtrack status --as-of 2022-06-30",
            "en": "Track a plan's quantitative targets against the figures published for "
                  "them.\n\nExample: bjtrack status --as-of 2022-06-30"},
    "opt.file": {"zh": "计划文件（targets.toml）。默认：当前文件夹或上级文件夹中的 targets.toml。",
                 "en": "The plan (targets.toml). Default: targets.toml here or in a parent "
                       "folder."},
    "opt.lang": {"zh": "zh 或 en（环境变量 BJTRACK_LANG；默认按系统语言）。",
                 "en": "zh or en (env BJTRACK_LANG; default from the locale)."},
    "opt.units": {"zh": "cn：金额用万/亿（默认）；si：英文界面改用 mn/bn（百万/十亿）。",
                  "en": "cn: amounts in 万/亿 (default); si: English shows mn/bn (millions, "
                        "billions)."},
    "opt.quiet": {"zh": "只输出数据，不输出提示。", "en": "Print only data."},
    "opt.version": {"zh": "显示版本号并退出。", "en": "Show the version and exit."},
    "opt.format": {"zh": "table（表格）或 json。", "en": "table or json."},
    "opt.as_of": {"zh": "以该日期为准（默认：今天）。",
                  "en": "Judge as of this date (default: today)."},
    "opt.note": {"zh": "与数值一起保存的备注。", "en": "A remark kept with the figure."},
    "opt.by": {"zh": "记录人（默认：git user.name 或登录名）。",
               "en": "Who logs it (default: git user.name or login name)."},
    "arg.target": {"zh": "目标代号、序列名或名称的唯一前缀。",
                   "en": "Target id, series or unique name prefix."},
    "log": {"zh": "记录一个已公布的数据。\n\n示例：bjtrack log investment 150亿 --date 2022-06 "
                  "--source \"区统计局 2022年7月\"",
            "en": "Record a published figure for a target.\n\nExample: bjtrack log investment "
                  "150亿 --date 2022-06 --source \"区统计局 2022年7月\""},
    "log.value": {"zh": "数值：150亿、1.5万、41.2%、15000 …",
                  "en": "The figure: 150亿, 1.5万, 41.2%, 15000 …"},
    "log.date": {"zh": "数据截至日期：2022-06-30、2022年6月、2022Q2、2022H1 …（默认：今天）",
                 "en": "As-of date: 2022-06-30, 2022年6月, 2022Q2, 2022H1 … (default: today)"},
    "log.source": {"zh": "发布来源。", "en": "Where it was published."},
    "log.vintage": {"zh": "预计、初步或核实。",
                    "en": "预计 (estimate), 初步 (preliminary) or 核实 (final)."},
    "log.revise": {"zh": "替换同一日期的现有数值。",
                   "en": "Replace the current figure of the same date."},
    "status": {"zh": "显示每个目标的完成率、时间进度、状态和预计值。\n\n"
                     "示例：bjtrack status --as-of 2022-06-30 --format json",
               "en": "Show where every target stands: progress, time elapsed, verdict, "
                     "projection.\n\nExample: bjtrack status --as-of 2022-06-30 --format json"},
    "status.group": {"zh": "只看这一组。", "en": "Only this group."},
    "status.fail_on": {"zh": "有目标滞后（或更差）/未完成时以状态码 3 退出。",
                       "en": "Exit 3 if any target is behind (or worse) / missed."},
    "targets": {"zh": "列出计划中的目标和监测指标及其原文。\n\n示例：bjtrack targets --format json",
                "en": "List the plan's targets and indicators with the sentence each came "
                      "from.\n\nExample: bjtrack targets --format json"},
    "history": {"zh": "按日期列出一个目标的记录（周期性目标另列各期结果）。\n\n"
                      "示例：bjtrack history investment --all",
                "en": "Show a target's records in date order (and each period's result if it "
                      "recurs).\n\nExample: bjtrack history investment --all"},
    "history.all": {"zh": "也显示已撤回和已替换的记录。",
                    "en": "Also show retracted and replaced records."},
    "history.as_of": {"zh": "各期结果的判断日期。", "en": "For period results."},
    "check": {"zh": "检查计划和记录文件，一次列出全部问题（含文件和行号）。\n\n"
                    "示例：bjtrack check --repair",
              "en": "Validate the plan and its records; list every problem with file and "
                    "line.\n\nExample: bjtrack check --repair"},
    "check.repair": {"zh": "把残缺的最后一条记录移到记录文件旁的备份文件。",
                     "en": "Move a torn last record to a backup file beside the records."},
    "init": {"zh": "新建计划：带注释的 targets.toml、空的记录文件和团队用的 git 设置。\n\n"
                   "示例：bjtrack init myplan --example binjiang-2022",
             "en": "Start a plan: a commented targets.toml, an empty records file and the git "
                   "settings a team needs.\n\nExample: bjtrack init myplan --example "
                   "binjiang-2022"},
    "init.dir": {"zh": "新计划所在文件夹（默认：当前文件夹）。",
                 "en": "Folder for the new plan (default: this folder)."},
    "init.example": {"zh": "用示例计划开始：binjiang-2022。",
                     "en": "Start from an example plan: binjiang-2022."},
    "init.blank": {"zh": "空白计划，注释说明每个键（默认）。",
                   "en": "A blank plan whose comments explain every key (the default)."},
    "init.name": {"zh": "计划名称（默认：文件夹名）。",
                  "en": "The plan's name (default: the folder's)."},
    "target": {"zh": "添加或修改计划中的目标。", "en": "Add or edit the plan's targets."},
    "target.add": {"zh": "在 targets.toml 末尾追加一个目标，不改动已有内容和注释；"
                         "终端中会询问缺少的必填项。\n\n示例：bjtrack target add --id investment "
                         "--name 区内全年投资 --target 300亿元 --comparison \">\" "
                         "--start 2022-01-01 --due 2022-12-31",
                   "en": "Append a target to targets.toml, leaving its comments and layout as "
                         "they are; on a terminal, asks for missing required values.\n\n"
                         "Example: bjtrack target add --id investment --name 区内全年投资 "
                         "--target 300亿元 --comparison \">\" --start 2022-01-01 "
                         "--due 2022-12-31"},
    "target.id": {"zh": "代号：唯一的小写英文（a-z、0-9、- 和 _）。",
                  "en": "Unique lowercase slug (a-z, 0-9, - and _)."},
    "target.name": {"zh": "名称，如 区内全年投资。",
                    "en": "The name people use, e.g. 区内全年投资."},
    "target.target": {"zh": "目标值，如 300亿元、3.8万人、40%。",
                      "en": "The target amount, e.g. 300亿元, 3.8万人, 40%."},
    "target.comparison": {"zh": "> (超)、>= (默认)、<、<=、~ (左右)。",
                          "en": "> (more than), >= (default), <, <=, ~ (about)."},
    "target.start": {"zh": "开始日期，如 2022-01-01。", "en": "Start date, e.g. 2022-01-01."},
    "target.due": {"zh": "截止日期，如 2022-12-31。", "en": "Due date, e.g. 2022-12-31."},
    "target.kind": {"zh": "flow（累计，默认）、level（总量）、rate（比率）或 annual。",
                    "en": "flow (default), level, rate or annual."},
    "target.aggregate": {"zh": "累计类：latest（累计数，默认）或 sum（增量相加）。",
                         "en": "Flows: latest (year-to-date totals, default) or sum."},
    "target.baseline": {"zh": "期初值。", "en": "Value at start."},
    "target.hold": {"zh": "每次记录都须达到（保持…以上）。",
                    "en": "The level must hold at every record."},
    "target.series": {"zh": "读取的记录序列（默认：代号）。",
                      "en": "The records it reads (default: its id)."},
    "target.group": {"zh": "分组，如 产业。", "en": "Group heading, e.g. 产业."},
    "target.quote": {"zh": "目标出处的原句。", "en": "The sentence it comes from."},
    "target.edit": {"zh": "用 $EDITOR 打开计划并定位到该目标；保存时校验，无效则不写入。\n\n"
                          "示例：EDITOR=nano bjtrack target edit investment",
                    "en": "Open the plan in $EDITOR at that target; validated on save, never "
                          "left invalid.\n\nExample: EDITOR=nano bjtrack target edit "
                          "investment"},
    "where": {"zh": "显示正在使用的计划文件和记录文件。\n\n示例：bjtrack where",
              "en": "Print the plan and records files in use.\n\nExample: bjtrack where"},
    "undo": {"zh": "撤回你最近记录的一个数值（追加一条撤回记录，历史保留）。\n\n示例：bjtrack undo",
             "en": "Retract the last figure you logged (a retraction is appended; history is "
                   "kept).\n\nExample: bjtrack undo"},
    "undo.by": {"zh": "撤回此人最近记录的数值（默认：你）。",
                "en": "Undo the last figure logged by this name (default: you)."},
    "why": {"zh": "原因（记入撤回记录）。", "en": "Why (kept in the retraction)."},
    "amend": {"zh": "修正一条记录：追加替换它的新记录（revises），原记录保留。\n\n"
                    "示例：bjtrack amend 3kx9 151亿 --note 快报修正",
              "en": "Correct a record: append a replacement (revises) and keep the original."
                    "\n\nExample: bjtrack amend 3kx9 151亿 --note 'revised release'"},
    "record.id": {"zh": "记录编号或其唯一前缀（见 bjtrack history）。",
                  "en": "Record id or a unique prefix of it (see bjtrack history)."},
    "amend.value": {"zh": "正确的数值。", "en": "The right figure."},
    "amend.date": {"zh": "正确的截至日期（默认：原日期）。",
                   "en": "The right as-of date (default: the record's)."},
    "amend.note": {"zh": "备注（默认：原备注）。", "en": "A note (default: the record's)."},
    "rm": {"zh": "撤回一条记录：追加一条撤回记录（retracts），原记录保留。\n\n"
                 "示例：bjtrack rm 3kx9 --why 重复录入",
           "en": "Retract a record: append a retraction (retracts) and keep the original.\n\n"
                 "Example: bjtrack rm 3kx9 --why 'logged twice'"},
    # ---- export and import (reports)
    "history.chart": {"zh": "同时画出记录、目标线和进度线。",
                      "en": "Also draw the records against the target and the pace line."},
    "export": {"zh": "导出执行情况和数据记录，用于开会或表格处理。\n\n"
                     "示例：bjtrack export --format xlsx -o 执行情况.xlsx --as-of 2022-06-30",
               "en": "Export the status and records for a meeting or a spreadsheet.\n\n"
                     "Example: bjtrack export --format xlsx -o report.xlsx --as-of 2022-06-30"},
    "export.format": {"zh": "csv、json、markdown（默认）、html 或 xlsx。",
                      "en": "csv, json, markdown (default), html or xlsx."},
    "export.output": {"zh": "写入此文件（xlsx 必须指定）。默认：标准输出。",
                      "en": "Write to this file (required for xlsx). Default: stdout."},
    "export.records": {"zh": "csv：只导出数据记录（不导出执行情况）；markdown：追加记录表。"
                             "json、html、xlsx 总是包含记录。",
                       "en": "csv: the records instead of the status rows; markdown: add a "
                             "records table (json, html and xlsx always include them)."},
    "export.bom": {"zh": "csv：文件开头加 BOM，便于 Windows 上的 Excel/WPS 识别 UTF-8。",
                   "en": "csv: start with a byte-order mark, for Excel/WPS on Windows."},
    "export.force": {"zh": "覆盖已有的输出文件（若是链接，只替换链接本身）。",
                     "en": "Replace an existing output file (a link is replaced, not what it "
                           "points to)."},
    "import": {"zh": "从表格批量导入已公布的数据：要么全部导入，要么一条不导入。\n\n"
                     "列（表头中英文均可）：指标/target、日期/date、数值/value，"
                     "可选 备注/note、来源/source、口径/vintage、单位/unit。\n\n"
                     "示例：bjtrack import 2022年6月数据.csv --dry-run",
               "en": "Import published figures from a spreadsheet: all rows or none.\n\n"
                     "Columns (header in Chinese or English): 指标/target, 日期/date, "
                     "数值/value, and optionally 备注/note, 来源/source, 口径/vintage, "
                     "单位/unit.\n\nExample: bjtrack import figures.csv --dry-run"},
    "import.file": {"zh": ".csv（UTF-8 或 GBK）或 .xlsx 文件。",
                    "en": "A .csv (UTF-8 or GBK) or .xlsx file."},
    "import.dry_run": {"zh": "检查每一行并说明将导入什么，但不写入。",
                       "en": "Check every row and say what would be added; write nothing."},
    # ---- extract
    "extract": {"zh": "从规划、报告原文起草目标（每项附原句，供人工核对）；"
                      "或用 --records 从统计公报提取计划指标的数据。\n\n"
                      "示例：bjtrack extract 政府工作报告.txt --year 2025 -o targets.toml",
                "en": "Draft targets from a plan's text (each with its sentence, for review); or "
                      "with --records propose a statistics bulletin's figures for the plan's "
                      "series.\n\nExample: bjtrack extract report.txt --year 2025 -o targets.toml"},
    "extract.file": {"zh": "规划原文：.txt、.md、.html 或 .docx（UTF-8 或 GBK）；- 为标准输入。",
                     "en": "The plan's text: .txt, .md, .html or .docx (UTF-8 or GBK); - for "
                           "stdin."},
    "extract.year": {"zh": "规划年份（默认：原文所写，否则今年）。",
                     "en": "The plan's year (default: as the text says, else this year)."},
    "extract.format": {"zh": "起草：toml（默认）或 json；--records：table（默认）、csv 或 json。",
                       "en": "Drafting: toml (default) or json; --records: table (default), "
                             "csv or json."},
    "extract.output": {"zh": "把起草的计划写入此新文件（加 --append 则追加到它）。",
                       "en": "Write the drafted plan to this new file (with --append: add to "
                             "it)."},
    "extract.append": {"zh": "追加到已有计划（-o 指定，或当前计划），已有的目标不重复添加。",
                       "en": "Add to an existing plan (-o, or the plan in use); targets already "
                             "there are not added again."},
    "extract.records": {"zh": "统计公报或计划执行情况报告：提取计划各指标的数据。",
                        "en": "A statistics bulletin or progress report: propose figures for "
                              "the plan's series."},
    "extract.date": {"zh": "数据的截至日期（默认：原文的上半年、1—9月等）。",
                     "en": "The figures' as-of date (default: from 上半年, 1—9月 … in the text)."},
    "extract.apply": {"zh": "把提取的数据导入记录文件（全部或全不，已有的不重复）。",
                      "en": "Import the proposed figures (all or none; each only once)."},
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


def message(key: str, lang: str, /, **fields: object) -> str:
    """`key` in the given language (the library's own texts are English)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["zh"]
    return text.format(**fields) if fields else text


def help_text(key: str) -> str:
    """A help line in the language chosen at start-up (see `lang_from_argv`)."""
    entry = HELP[key]
    return entry.get(_State.lang) or entry["en"]


def lang_from_argv(argv: list[str]) -> str | None:
    """The value of `--lang` among the arguments, if any (help texts need it early)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def localize(problem: Problem) -> str:
    """A problem in the current language: keyed messages and hints are translated."""
    fields = dict(problem.fields)
    in_key = fields.pop("_in_key", "")  # a value's problem at a key of a file
    text = message(problem.key, _State.lang, **fields) if problem.key else problem.message
    if problem.key and in_key:
        text = f"{in_key}: {text}"
    hint = (message(problem.hint_key, _State.lang, **fields) if problem.hint_key
            else problem.hint)
    where = problem.where()
    out = f"{where}: {text}" if where else text
    return out + f"\n  {hint}" if hint else out


def t(key: str, **fields: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(_State.lang) or entry["zh"]
    return text.format(**fields) if fields else text
