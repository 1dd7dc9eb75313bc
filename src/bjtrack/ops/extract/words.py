"""The words plans use around a figure: what is filler, what is a comparison, what marks
the past, the future, a context figure. Word lists only; the rules that use them are in
`clauses`."""

from __future__ import annotations

import re

# Stripped from the front of an indicator's name, repeatedly.
LEAD_FILLER = (
    "主要预期目标是", "主要预期目标为", "预期目标是", "预期目标为", "主要目标是", "主要目标为",
    "目标是", "目标为", "其中", "同时", "力争", "争取", "确保", "努力", "全力", "力求", "实现",
    "完成", "按计划", "计划", "预计", "预期", "进一步", "继续", "持续", "全市", "全区", "全县",
    "全省", "全州", "全旗", "全盟", "我市", "我区", "我县", "我省", "我州", "本市", "本区",
    "该市", "该区", "每年", "年内", "安排", "将", "要", "并", "和", "及", "以及", "是", "使",
)
# Time words that open a name unless a verb follows them (全年引进人才 keeps 全年).
LEAD_TIME = ("今年", "全年", "明年", "当年", "年末", "年底")
LEAD_PATTERN = re.compile(
    r"^(?:[—\-·•●▲■□◆\s]+|[(（]?[一二三四五六七八九十\d]{1,2}[)）、.．]|[一二三四五六七八九十]是"
    r"|[①-⑳]|(?:到|至|在)?(?:19|20)\d\d年(?:末|底|前)?|“?十[一二三四五六]五”?(?:期间|末)?"
    r"|(?:按|在)?(?:不变|可比)价格?(?:计算)?)"
)
# Verbs that stay at the head of a name: 引进人才, 新增企业, 推进改革试点.
VERBS = ("新开工", "引进", "新增", "招引", "打造", "推进", "培育", "建设", "建成", "新建",
         "开工", "实施", "创建", "改造", "吸引", "接待", "引育", "认定", "签约", "新培育",
         "新认定", "招募", "培训", "提供", "解决", "帮扶", "治理", "造林", "完成造林")

# Words between a name and its figure, longest first: (word, comparison, hold).
COMPARISON_WORDS: tuple[tuple[str, str | None, bool], ...] = (
    ("控制在", "<=", False), ("保持在", ">=", True), ("稳定在", ">=", True),
    ("提高到", ">=", False), ("提升到", ">=", False), ("提高至", ">=", False),
    ("提升至", ">=", False), ("增加到", ">=", False), ("增加至", ">=", False),
    ("降低到", "<=", False), ("降低至", "<=", False), ("下降到", "<=", False),
    ("下降至", "<=", False), ("降到", "<=", False), ("降至", "<=", False),
    ("达到", ">=", False), ("超过", ">", False), ("突破", ">", False), ("不少于", ">=", False),
    ("不低于", ">=", False), ("不小于", ">=", False), ("至少", ">=", False),
    ("不超过", "<=", False), ("不高于", "<=", False), ("不大于", "<=", False),
    ("低于", "<", False), ("少于", "<", False), ("小于", "<", False), ("大于", ">", False),
    ("高于", ">", False), ("多于", ">", False), ("保持", ">=", True), ("稳定", ">=", True),
    ("增至", ">=", False), ("超", ">", False), ("达", ">=", False), ("约", None, False),
    ("为", None, False), ("在", None, False), ("是", None, False), ("到", None, False),
    ("分别", None, False), ("均", None, False), ("都", None, False), ("总计", None, False),
    ("合计", None, False), ("以", None, False),
)
SUFFIX_COMPARISON = {"及以上": ">=", "以上": ">=", "以内": "<=", "以下": "<=", "左右": "~",
                     "上下": "~"}
# Words that end a name and stay in it: the figure is a change.
CHANGE_WORDS = ("年均增长", "实际增长", "名义增长", "增长", "上涨", "涨幅", "增幅", "增速",
                "下降", "降低", "减少", "提高", "提升", "增加", "回落")
DECLINE = ("下降", "降低", "减少", "回落")
# Names that say nothing alone: they belong to the indicator just before (增幅12%以上).
BARE_MEASURES = frozenset((
    *CHANGE_WORDS, "总量", "总额", "总数", "规模", "比重", "占比", "数量", "总值", "增加值", "收入",
    "产值"))
# Indicators whose 左右 is a ceiling, not a floor.
CEILINGS = re.compile(r"价格|物价|CPI|通胀|失业率|人口自然增长率|赤字|负债率|能耗|排放|PM2\.5")
# Within this much of a figure's name, these mark a figure as the past or the present.
PAST = re.compile(
    r"去年|前年|过去|(?<![比较同于])上年|已经|已|(?<![为除])了(?!解)|成绩单|回顾"
    r"|上半年|下半年|[一二三四1-4]季度|前三季度|1\s*[-—－~～至到]\s*\d{1,2}\s*月|\d{1,2}\s*月份"
    r"|\d{1,2}月末|截至|截止|目前|同比|比上年同期|较上年同期|仅|预计全年|面积|累计|现有|拥有"
)
FUTURE = re.compile(
    r"力争|争取|确保|(?<![即必])将|要|计划|目标|预期|预计到|每年|今年|明年|全年|年内"
    r"|(?:到|至)(?:19|20)\d\d年|十[四五六]五"
)
STRONG_FUTURE = re.compile(
    r"力争|争取|确保|(?<![即必])将|要|计划|目标|预计到|每年|(?:到|至)20\d\d年")
# A figure quoted as the setting of another's target: 根据…确定的…增长7%的…目标.
CONTEXT = re.compile(r"根据|按照|依据|中央|全国|省定|省下达|上级下达")
# A figure compared with another place or period, not a level or a rate of its own.
RELATIVE_FIGURE = re.compile(r"高于|低于|快于|慢于|超出|领先|比.{0,12}(?:提高|增加|下降|降低|回落)")
REVIEW_FLIP = re.compile(r"力争|确保|(?<![即必])将|要|预计到|每年|(?:到|至)20\d\d年")
REVIEW_OPENER = re.compile(r"^(?:过去的?一年|过去五年|一年来|回顾过去|(?:19|20)\d\d年工作回顾)")
PLAN_RESUME = re.compile(r"(?:预期|主要|发展)目标(?:是|为)|今年是|今年(?:政府)?工作的?总体要求"
                         r"|(?:19|20)\d\d年(?:政府)?工作(?:的)?(?:总体要求|总体思路|安排)")
REVIEW_HEADING = re.compile(r"回顾|成绩单|过去一年|过去五年|去年工作|上年工作|工作总结|执行情况")
PLAN_HEADING = re.compile(r"安排|目标|任务|计划草案|工作重点|总体要求|主要预期|展望")
TARGET_HEADING = re.compile(r"预期目标|主要目标|目标任务|主要指标")
TARGET_INTRO = re.compile(r"(?:预期|主要|发展)目标(?:是|为)[：:]?")
LIST_INTRO = re.compile(r"目标|指标|任务")
SKIP_VERBS = re.compile(r"控制在|降低|下降|提高|同步|高于|低于|完成|不低于|不超过|以内")
EVERY_YEAR = re.compile(r"每年|年均(?!增长)")
HORIZON = re.compile(r"(?:到|至)((?:19|20)\d\d)年|((?:19|20)\d\d)年(?:前|末|底)")
SYNC = re.compile(r"^(?P<name>.{2,20}?)(?:与|和|同)(?P<other>.{2,12}?)(?:增长)?(?:基本)?同步")
ABBREVIATIONS = {"有效国企": "有效国家高新技术企业", "国高企": "国家高新技术企业"}
GENERIC_FUNDS = frozenset({"专项资金", "资金", "经费", "专项经费", "扶持资金", "引导资金"})
