"""bjtrack extract: targets drafted from a plan's prose, figures from a bulletin."""

from __future__ import annotations

import json
import os
import tomllib
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from bjtrack.ops.extract import draft_plan
from conftest import REPO, Runner, records_text

DATA = REPO / "tests" / "data" / "extract"
GOLD = json.loads((DATA / "gold.json").read_text(encoding="utf-8"))
SEED = DATA / "binjiang-2022-article.txt"

Key = tuple[str, Decimal, str, str]


def keys(text: str, year: int | None = None) -> set[Key]:
    return {(t.name, t.value, t.unit, t.comparison) for t in draft_plan(text, year).targets
            if t.value is not None}


def gold_keys(name: str) -> set[Key]:
    return {(g["name"], Decimal(str(g["target"])), g["unit"], g["comparison"])
            for g in GOLD[name]}


def json_targets(cli: Runner, folder: Path, *args: str) -> dict[str, object]:
    result = cli("--lang", "en", "extract", *args, "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


@pytest.mark.parametrize("name", ["zhangzhou-2010.txt", "region-2004.txt"])
def test_each_example_gives_its_gold_and_nothing_more(cli: Runner, tmp_path: Path,
                                                      name: str) -> None:
    data = json_targets(cli, tmp_path, str(DATA / name))
    targets = data["targets"]
    assert isinstance(targets, list)
    got = {(t["name"], Decimal(str(t["target"])), t["unit"], t["comparison"]) for t in targets}
    assert got == gold_keys(name)
    with_tolerance = {t["name"]: Decimal(str(t["tolerance"])) for t in targets
                      if t["tolerance"] is not None}
    assert with_tolerance == {g["name"]: Decimal(str(g["tolerance"])) for g in GOLD[name]
                              if "tolerance" in g}


def test_the_seed_gives_back_the_twelve_shipped_targets(cli: Runner, tmp_path: Path) -> None:
    shipped = tomllib.loads((REPO / "targets.toml").read_text(encoding="utf-8"))["target"]
    data = json_targets(cli, tmp_path, str(SEED), "--year", "2022")
    targets = data["targets"]
    assert isinstance(targets, list)
    got = {t["name"]: t for t in targets}
    wanted = [s for s in shipped if "target" in s]
    assert len(wanted) == 12 and len(targets) == 12
    from bjtrack.domain.amounts import parse_amount, split_comparison

    for entry in wanted:
        drafted = got[entry["name"]]
        amount = parse_amount(split_comparison(entry["target"])[1])
        assert Decimal(str(drafted["target"])) == amount.value, entry["name"]
        assert drafted["unit"] == amount.unit
        assert drafted["comparison"] == entry.get("comparison", ">=")
        assert drafted["every"] == entry.get("every")
        if entry["name"] == "数字经济核心产业主营业务收入":
            assert drafted["due"] == "2025-12-31"
    facts = {s["name"] for s in shipped if "target" not in s}
    assert not facts & set(got)


def test_past_figures_context_targets_and_background_counts_are_not_targets() -> None:
    text = ("去年全市地区生产总值增长8.0%，财政收入增长10%。2021年规上工业增加值增长9.5%。\n"
            "根据中央确定的全国增长7%的宏观调控目标，今年主要预期目标是：地区生产总值增长6%以上，"
            "城镇调查失业率控制在5.5%以内。\n区划面积72平方公里的土地上，累计培育上市企业达65家。")
    assert keys(text, 2022) == {("地区生产总值增长", Decimal(6), "%", ">="),
                                ("城镇调查失业率", Decimal("5.5"), "%", "<=")}


def test_a_review_section_gives_no_target() -> None:
    text = ("一、2024年工作回顾\n地区生产总值增长5.5%，一般公共预算收入增长7%。\n"
            "预计全年社会消费品零售总额增长6%。\n二、2025年工作安排\n"
            "今年经济社会发展的主要预期目标是：地区生产总值增长5.5%左右。")
    assert keys(text) == {("地区生产总值增长", Decimal("5.5"), "%", ">=")}
    assert draft_plan(text).year == 2025


def test_conventions_of_many_plans() -> None:
    text = ("主要预期目标是：地区生产总值增长6%以上，力争6.5%；规上工业增加值增长5%—5.5%；"
            "城乡居民人均可支配收入分别增长7%、8%；森林覆盖率、绿地率均达到40%；"
            "财政总收入达到20亿元、增幅12%以上；单位地区生产总值能耗下降3%；"
            "居民消费价格涨幅3%左右；外贸出口百分之8；实际利用外资超5亿美元；"
            "粮食产量稳定在1.3万亿斤；居民收入增长与经济增长同步；单位GDP二氧化碳排放进一步降低。")
    draft = draft_plan(text, 2025)
    got = {t.name: t for t in draft.targets}
    assert got["地区生产总值增长"].stretch == Decimal("6.5")
    industry = got["规上工业增加值增长"]
    assert (industry.value, industry.stretch) == (5, Decimal("5.5"))
    assert got["城镇居民人均可支配收入增长"].value == 7
    assert got["农村居民人均可支配收入增长"].value == 8
    assert got["森林覆盖率"].value == got["绿地率"].value == 40
    assert got["财政总收入"].value == Decimal("2000000000")
    assert (got["财政总收入增幅"].value, got["财政总收入增幅"].comparison) == (12, ">=")
    energy = got["单位地区生产总值能耗下降"]
    assert (energy.value, energy.comparison) == (3, ">=")
    cpi = got["居民消费价格涨幅"]
    assert (cpi.comparison, cpi.tolerance) == ("<=", Decimal("0.5"))
    assert got["外贸出口"].value == 8
    assert (got["实际利用外资"].unit, got["实际利用外资"].comparison) == ("美元", ">")
    assert got["粮食产量"].value == Decimal("1300000000000") and got["粮食产量"].hold
    assert got["居民收入增长"].relative_to == got["地区生产总值增长"].id
    assert [s.reason for s in draft.skipped] == ["no_number"]


def test_a_target_stated_twice_is_drafted_once() -> None:
    text = ("今年地区生产总值力争增长6%以上。\n"
            "主要预期目标是：地区生产总值增长6%以上；失业率控制在5%以内。")
    names = [t.name for t in draft_plan(text, 2025).targets]
    assert names.count("地区生产总值增长") == 1


def test_the_bulletin_gives_no_target(cli: Runner, tmp_path: Path) -> None:
    data = json_targets(cli, tmp_path, str(DATA / "hangzhou-2022h1-bulletin.txt"))
    assert data["targets"] == []


BULLETIN_PLAN = """\
[plan]
name = "杭州 2022"

[[target]]
id = "gdp"
name = "地区生产总值"
unit = "亿元"

[[target]]
id = "gdp-growth"
name = "地区生产总值增长"
target = "5.5%"
start = 2022-01-01
due = 2022-12-31
"""


def bulletin_plan(folder: Path) -> Path:
    lines = [BULLETIN_PLAN]
    for number, record in enumerate(GOLD["hangzhou-2022h1-bulletin.txt"]["records"]):
        if record["name"].startswith("地区生产总值"):
            continue
        if record["unit"] == "%":
            lines.append(f'[[target]]\nid = "s{number}"\nname = "{record["name"]}"\n'
                         'target = "5%"\nstart = 2022-01-01\ndue = 2022-12-31\n')
        else:
            lines.append(f'[[target]]\nid = "s{number}"\nname = "{record["name"]}"\n'
                         'unit = "亿元"\n')
    lines.append('[[target]]\nid = "private-exports"\nname = "民营企业货物出口"\nunit = "亿元"\n')
    (folder / "targets.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


def test_records_from_the_bulletin_for_the_plans_series(cli: Runner, tmp_path: Path) -> None:
    folder = bulletin_plan(tmp_path)
    result = cli("extract", "--records", str(DATA / "hangzhou-2022h1-bulletin.txt"),
                 "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    got = {(r["date"], Decimal(str(r["value"])), r["unit"]) for r in json.loads(result.out)}
    wanted = {("2022-06-30", Decimal(str(r["value"])), r["unit"])
              for r in GOLD["hangzhou-2022h1-bulletin.txt"]["records"]}
    assert got == wanted
    series = {r["series"] for r in json.loads(result.out)}
    assert "private-exports" not in series


def test_apply_imports_once_with_quote_and_source(cli: Runner, tmp_path: Path) -> None:
    folder = bulletin_plan(tmp_path)
    bulletin = DATA / "hangzhou-2022h1-bulletin.txt"
    first = cli("--lang", "en", "extract", "--records", str(bulletin), "--apply", cwd=folder)
    assert first.code == 0, first.err
    assert "imported 13 records; 0 already recorded" in first.err
    text = records_text(folder)
    assert "hangzhou-2022h1-bulletin.txt" in text and "同比增长1.2%" in text
    again = cli("--lang", "en", "extract", "--records", str(bulletin), "--apply", cwd=folder)
    assert "imported 0 records; 13 already recorded" in again.err
    assert records_text(folder) == text
    csv = cli("extract", "--records", str(bulletin), "--format", "csv", cwd=folder)
    assert csv.out.splitlines()[0] == "series,date,value,unit,note,source"


def test_toml_output_passes_check_and_append_twice_adds_nothing(cli: Runner,
                                                               tmp_path: Path) -> None:
    made = cli("--lang", "en", "extract", str(SEED), "--year", "2022", "-o", "targets.toml",
               cwd=tmp_path)
    assert made.code == 0, made.err
    plan = (tmp_path / "targets.toml").read_text(encoding="utf-8")
    assert "# 预计到今年年底，力争全年引进人才3.8万人" in plan
    assert cli("--lang", "en", "check", cwd=tmp_path).code == 0
    extra = DATA / "zhangzhou-2010.txt"
    once = cli("--lang", "en", "extract", str(extra), "--append", cwd=tmp_path)
    assert "added 15 targets" in once.err
    after = (tmp_path / "targets.toml").read_bytes()
    assert after.startswith(plan.encode("utf-8"))
    twice = cli("--lang", "en", "extract", str(extra), "--append", cwd=tmp_path)
    assert "added 0 targets to targets.toml; 15 already there" in twice.err
    assert (tmp_path / "targets.toml").read_bytes() == after
    assert cli("--lang", "en", "check", cwd=tmp_path).code == 0


def test_gbk_html_docx_and_stdin_inputs(cli: Runner, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = (DATA / "zhangzhou-2010.txt").read_text(encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk"))
    html = "<html><head><style>p{}</style></head><body>" + "".join(
        f"<p>{line}</p>" for line in text.splitlines()) + "<script>增长99%</script></body></html>"
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    body = "".join(f'<w:p><w:r><w:t>{line}</w:t></w:r></w:p>' for line in text.splitlines())
    with zipfile.ZipFile(tmp_path / "report.docx", "w") as docx:
        docx.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats'
                      f'.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    for name in ("gbk.txt", "page.html", "report.docx"):
        data = json_targets(cli, tmp_path, name)
        targets = data["targets"]
        assert isinstance(targets, list) and len(targets) == 15, name
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    data = json_targets(cli, tmp_path, "-")
    assert isinstance(data["targets"], list) and len(data["targets"]) == 15


@pytest.mark.parametrize(("content", "message"), [
    (None, "error: missing.txt: file not found"),
    (b"\xff\xfe\xfa\x00\x81", "cannot read the file as UTF-8 or GBK text"),
])
def test_errors_are_one_clear_message(cli: Runner, tmp_path: Path, content: bytes | None,
                                      message: str) -> None:
    if content is not None:
        (tmp_path / "missing.txt").write_bytes(content)
    result = cli("--lang", "en", "extract", "missing.txt", cwd=tmp_path)
    assert result.code != 0
    assert message in result.err
    assert "Traceback" not in result.err


def test_a_review_opened_without_a_heading_and_its_sub_headings_give_no_target() -> None:
    text = ("一年来，全市地区生产总值完成4700亿元、增长6.1%，全年粮食总产量达到93亿斤以上，"
            "争取增发国债项目69个。\n（一）经济实力实现新跃升\n全年固定资产投资增长8.3%左右。\n"
            "二、2025年工作安排\n今年全市经济社会发展的主要预期目标是：地区生产总值增长6%左右。"
            "一般公共预算收入增长5%。")
    assert keys(text, 2025) == {("地区生产总值增长", Decimal(6), "%", ">="),
                                ("一般公共预算收入增长", Decimal(5), "%", ">=")}


def test_a_target_restated_in_the_explanation_is_drafted_once() -> None:
    text = ("今年发展主要预期目标是：国内生产总值(GDP)增长5%左右；"
            "城镇调查失业率全年控制在5.5%以内。\n经济增长预期目标为5%左右，考虑了就业需要。")
    assert keys(text, 2025) == {("国内生产总值增长", Decimal(5), "%", ">="),
                                ("城镇调查失业率", Decimal("5.5"), "%", "<=")}


@pytest.mark.parametrize(("period", "day"), [
    ("上半年", "2022-06-30"), ("前三季度", "2022-09-30"), ("一季度", "2022-03-31"),
    ("1-11月", "2022-11-30"), ("1至9月", "2022-09-30"), ("8月份", "2022-08-31"),
    ("2021年下半年", "2021-12-31"), ("全年", "2022-12-31")])
def test_a_bulletins_period_is_dated_as_log_reads_it(cli: Runner, tmp_path: Path,
                                                     period: str, day: str) -> None:
    folder = bulletin_plan(tmp_path)
    text = tmp_path / "bulletin.txt"
    text.write_text(f"{period}，全市地区生产总值同比增长2.5%。", encoding="utf-8")
    result = cli("extract", "--records", str(text), "--format", "json", cwd=folder)
    assert result.code == 0, result.err
    assert [(r["series"], r["date"]) for r in json.loads(result.out)] == [("gdp-growth", day)]


def test_a_pipe_named_as_the_text_is_refused_at_once(cli: Runner, tmp_path: Path) -> None:
    """Reading a FIFO would wait forever: it is refused before it is opened."""
    fifo = tmp_path / "plan.txt"
    os.mkfifo(fifo)
    result = cli("extract", str(fifo), cwd=tmp_path)
    assert result.code != 0 and "plan.txt" in result.err
