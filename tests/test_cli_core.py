"""The core commands through the real entry point: what the user sees, and every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import REPO, Runner, records_text


def test_log_echoes_what_it_understood(cli: Runner, plan_dir: Path) -> None:
    result = cli("log", "investment", "150亿", "--date", "2022年6月", cwd=plan_dir)
    assert result.code == 0
    assert result.out.startswith("logged 区内全年投资 150亿元 as of 2022-06-30 [")
    text = records_text(plan_dir)
    assert 'value = "15000000000"' in text and 'entered = "150亿"' in text
    assert "[[record]]" in text and "format = bjtrack-records/1" in text


def test_log_in_chinese(cli: Runner, plan_dir: Path) -> None:
    result = cli("--lang", "zh", "log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir)
    assert "已记录 区内全年投资 150亿元（截至 2022-06-30）" in result.out


def test_log_by_unique_name_prefix_and_series(cli: Runner, plan_dir: Path) -> None:
    assert cli("log", "区内", "1亿", "--date", "2022-01", cwd=plan_dir).code == 0
    assert cli("log", "企业", "8万", "--date", "2022-01", cwd=plan_dir).code == 0
    assert 'series = "firms-total"' in records_text(plan_dir)


def test_log_defaults_to_the_end_of_the_last_complete_month(cli: Runner,
                                                            plan_dir: Path) -> None:
    """A figure published on July 20 covers 1—6月: without --date it is dated June 30, and
    log says so (issue 12; it was dated today)."""
    result = cli("log", "gdp", "500亿", cwd=plan_dir, env={"BJTRACK_TODAY": "2022-07-20"})
    assert "as of 2022-06-30" in result.out
    assert "no --date given: dated 2022-06-30, the end of the last complete month" in result.out
    for lang, said in (("en", "(default: the end of the last complete month)"),
                       ("zh", "（默认：上一个完整月份的月末）")):  # --help said: today
        shown = " ".join(cli("--lang", lang, "log", "--help").out.split())
        assert said in shown.replace("月 末", "月末") and "today" not in shown
        assert "今天" not in shown


def test_log_keeps_note_source_and_who(cli: Runner, plan_dir: Path) -> None:
    cli("log", "investment", "1亿", "--date", "2022-01", "--note", "1月快报",
        "--source", "区统计局", "--by", "张三", cwd=plan_dir)
    text = records_text(plan_dir)
    assert 'note = "1月快报"' in text and 'source = "区统计局"' in text
    assert 'by = "张三"' in text and "logged = " in text


def test_identical_figure_is_logged_once(cli: Runner, plan_dir: Path) -> None:
    cli("log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir)
    again = cli("log", "investment", "15000000000", "--date", "2022-06-30", cwd=plan_dir)
    assert again.code == 0
    assert "already recorded" in again.err
    assert records_text(plan_dir).count("\n[[record]]\n") == 1


# --------------------------------------------------------------------------- bad inputs

def _unchanged(plan_dir: Path, action: list[str], cli: Runner) -> tuple[int, str]:
    cli("log", "investment", "1亿", "--date", "2022-01", cwd=plan_dir)
    before = records_text(plan_dir), (plan_dir / "targets.toml").read_text(encoding="utf-8")
    result = cli(*action, cwd=plan_dir)
    after = records_text(plan_dir), (plan_dir / "targets.toml").read_text(encoding="utf-8")
    assert before == after, "a failed command must leave the files unchanged"
    assert "Traceback" not in result.err
    assert result.out == ""
    return result.code, result.err


def test_unknown_target_suggests(cli: Runner, plan_dir: Path) -> None:
    code, err = _unchanged(plan_dir, ["log", "investmnet", "1亿"], cli)
    assert code == 2
    assert "unknown target 'investmnet'" in err and "did you mean: investment" in err


def test_ambiguous_prefix_lists_the_matches(cli: Runner, plan_dir: Path) -> None:
    (plan_dir / "targets.toml").write_text(
        (plan_dir / "targets.toml").read_text(encoding="utf-8").replace(
            'id = "gdp"\nname = "地区生产总值"', 'id = "gdp"\nname = "区内生产总值"'),
        encoding="utf-8")
    code, err = _unchanged(plan_dir, ["log", "区内", "1亿"], cli)
    assert code == 2 and "matches several targets" in err


def test_bad_amount(cli: Runner, plan_dir: Path) -> None:
    code, err = _unchanged(plan_dir, ["log", "investment", "三百亿", "--date", "2022-02"], cli)
    assert code == 2
    assert "cannot read amount '三百亿'" in err and "accepted forms" in err


def test_unit_mismatch(cli: Runner, plan_dir: Path) -> None:
    code, err = _unchanged(plan_dir, ["log", "investment", "5万人", "--date", "2022-02"], cli)
    assert code == 2 and "unit mismatch" in err and "元" in err


def test_bad_date(cli: Runner, plan_dir: Path) -> None:
    code, err = _unchanged(plan_dir, ["log", "investment", "1亿", "--date", "June"], cli)
    assert code == 2 and "cannot read date 'June'" in err and "2022Q2" in err


def test_missing_plan_file(cli: Runner, tmp_path: Path) -> None:
    result = cli("status", cwd=tmp_path)
    assert result.code == 2
    assert "no targets.toml in this folder or any parent" in result.err
    assert "bjtrack init" in result.err
    result = cli("--file", str(tmp_path / "nope.toml"), "status", cwd=tmp_path)
    assert result.code == 2 and "plan file not found" in result.err


def test_command_line_mistakes_are_usage_errors(cli: Runner, plan_dir: Path) -> None:
    """The framework's own errors (an unknown option, a missing argument) pass the one error
    boundary as usage errors, exit 2, however --lang is placed."""
    unknown = cli("status", "--bogus", cwd=plan_dir)
    assert unknown.code == 2 and "no such option: --bogus" in unknown.err
    missing = cli("log", "investment", "--lang", "en", cwd=plan_dir)
    assert missing.code == 2 and "missing argument 'value'" in missing.err
    refused = cli("status", "--lang", "fr", cwd=plan_dir, env={"BJTRACK_LANG": "en"})
    assert refused.code == 2 and "unknown language 'fr'" in refused.err
    assert "use --lang zh or en" in refused.err


def test_plan_found_in_a_parent_folder_and_by_env(cli: Runner, plan_dir: Path) -> None:
    child = plan_dir / "a" / "b"
    child.mkdir(parents=True)
    assert cli("status", "--format", "json", cwd=child).code == 0
    other = plan_dir.parent
    result = cli("status", "--format", "json", cwd=other,
                 env={"BJTRACK_FILE": str(plan_dir / "targets.toml")})
    assert result.code == 0 and '"id": "investment"' in result.out


def _plan_error(cli: Runner, folder: Path, text: str) -> str:
    (folder / "targets.toml").write_text(text, encoding="utf-8")
    result = cli("status", cwd=folder)
    assert result.code == 1
    assert "Traceback" not in result.err
    return result.err


def test_malformed_toml_has_line_and_column(cli: Runner, tmp_path: Path) -> None:
    err = _plan_error(cli, tmp_path, '[[target]]\nid = "x"\nname = "未闭合\n')
    assert "targets.toml:3:" in err and "malformed TOML" in err


def test_missing_and_duplicate_keys_are_all_reported(cli: Runner, tmp_path: Path) -> None:
    err = _plan_error(cli, tmp_path, """\
[[target]]
id = "a"
target = "1亿元"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "a"
name = "重复"
target = "1亿元"
start = 2022-01-01
due = 2022-12-31

[[target]]
id = "b"
name = "无截止"
target = "1亿元"
start = 2022-01-01
""")
    assert "targets.toml:1: target 'a': missing required key 'name'" in err
    assert "targets.toml:7: duplicate target id 'a'" in err
    assert "targets.toml:14: target 'b': missing required key 'due'" in err


def test_due_before_start(cli: Runner, tmp_path: Path) -> None:
    err = _plan_error(cli, tmp_path, """\
[[target]]
id = "a"
name = "倒置"
target = "1亿元"
start = 2022-12-31
due = 2022-01-01
""")
    assert "due 2022-01-01 is before start 2022-12-31" in err


def test_unknown_key_and_float_target(cli: Runner, tmp_path: Path) -> None:
    err = _plan_error(cli, tmp_path, """\
[[target]]
id = "a"
name = "投资"
target = 300.5
comparsion = ">"
start = 2022-01-01
due = 2022-12-31
""")
    assert "unknown key 'comparsion'" in err and "did you mean 'comparison'" in err
    assert "must be written as a string" in err


# --------------------------------------------------------------------------- torn record

TORN = '\n[[record]]\nid = "zzzz"\nseries = "investment"\ndate = 2022-0'


def test_torn_last_record(cli: Runner, plan_dir: Path) -> None:
    cli("log", "investment", "100亿", "--date", "2022-03", cwd=plan_dir)
    cli("log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir)
    path = plan_dir / "records.toml"
    good = path.read_text(encoding="utf-8")
    torn_line = good.count("\n") + 2
    path.write_text(good + TORN, encoding="utf-8")

    check = cli("check", cwd=plan_dir)
    assert check.code == 1
    assert f"records.toml:{torn_line}" in check.out

    status = cli("status", "--as-of", "2022-07-01", "--format", "json", cwd=plan_dir)
    assert status.code == 0
    data = json.loads(status.out)
    investment = next(t for t in data["targets"] if t["id"] == "investment")
    assert investment["actual"] == 15000000000 and investment["records"] == 2
    assert f"records.toml:{torn_line}" in status.err
    assert any(f"records.toml:{torn_line}" in w for w in data["warnings"])

    refused = cli("log", "investment", "200亿", "--date", "2022-09", cwd=plan_dir)
    assert refused.code == 1 and "check --repair" in refused.err
    assert path.read_text(encoding="utf-8") == good + TORN

    repaired = cli("check", "--repair", cwd=plan_dir)
    assert repaired.code == 0, repaired.out + repaired.err
    assert path.read_text(encoding="utf-8") == good
    backups = list(plan_dir.glob("records.toml.torn-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == TORN.lstrip("\n")
    assert cli("log", "investment", "200亿", "--date", "2022-09", cwd=plan_dir).code == 0


def test_damaged_record_in_the_middle_is_an_error_with_its_line(cli: Runner,
                                                              plan_dir: Path) -> None:
    cli("log", "investment", "100亿", "--date", "2022-03", cwd=plan_dir)
    cli("log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir)
    path = plan_dir / "records.toml"
    text = path.read_text(encoding="utf-8").replace('value = "10000000000"', 'value = "1O"')
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("[[record]]") + 1
    result = cli("status", cwd=plan_dir)
    assert result.code == 1 and f"records.toml:{line}" in result.err
    assert "'1O' is not a decimal number" in result.err
    check = cli("check", cwd=plan_dir)
    assert check.code == 1 and f"records.toml:{line}" in check.out


# --------------------------------------------------------------------------- listings

def test_status_table_on_the_shipped_plan_at_80_columns(cli: Runner, shipped: Path) -> None:
    result = cli("--lang", "zh", "status", "--as-of", "2022-08-05", cwd=shipped,
                 env={"COLUMNS": "80"})
    assert result.code == 0
    lines = result.out.splitlines()
    table = [line for line in lines if line[:1] in "┏┃┡│├└"]
    from rich.cells import cell_len

    assert table and all(cell_len(line) <= 80 for line in lines)
    assert len({cell_len(line) for line in table[:20]}) == 1, "rows must stay aligned"
    for text in ("全年引进人才", "区内全年投资", "企业总量", "累计上市企业", "1056.2亿元",
                 "超300亿元", "保持40.0%以上", "每年不少于3亿元", "暂无数据"):
        assert text in result.out
    assert "共 12 项目标" in result.out


@pytest.mark.parametrize("width", ["60", "100", "120", "160"])
def test_status_table_fits_any_width(cli: Runner, shipped: Path, width: str) -> None:
    result = cli("status", "--as-of", "2022-08-05", cwd=shipped, env={"COLUMNS": width})
    from rich.cells import cell_len

    assert result.code == 0
    assert all(cell_len(line) <= int(width) for line in result.out.splitlines())


def test_targets_lists_quotes(cli: Runner, shipped: Path) -> None:
    result = cli("targets", "--format", "json", cwd=shipped)
    data = json.loads(result.out)
    assert len([t for t in data if t["target"] is not None]) == 12
    investment = next(t for t in data if t["id"] == "investment")
    assert "力争区内全年投资超300亿元" in investment["quote"]
    table = cli("targets", cwd=shipped, env={"COLUMNS": "160"})
    assert "talent" in table.out and "3.8万人" in table.out


def test_history_in_date_order(cli: Runner, plan_dir: Path) -> None:
    cli("log", "investment", "150亿", "--date", "2022-06", "--note", "半年", cwd=plan_dir)
    cli("log", "investment", "50亿", "--date", "2022-03", cwd=plan_dir)
    result = cli("history", "investment", "--format", "json", cwd=plan_dir)
    dates = [r["date"] for r in json.loads(result.out)["records"]]
    assert dates == ["2022-03-31", "2022-06-30"]
    table = cli("history", "investment", cwd=plan_dir)
    assert table.out.index("50亿元") < table.out.index("150亿元") and "半年" in table.out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [60, 80])
def test_history_on_a_narrow_terminal_cuts_nothing_short(cli: Runner, plan_dir: Path, lang: str,
                                                        width: int) -> None:
    """history --all at 60 columns cut record ids and states with … ('retr… ipew…'), and
    below 100 columns dropped the sources even where they fit."""
    logged = cli("log", "investment", "150亿", "--date", "2022-06", "--by", "amy",
                 "--source", "区统计局 2022年7月快报", cwd=plan_dir)
    first = logged.out.split("[")[1][:10]
    amended = cli("amend", first, "151亿", "--by", "amy", cwd=plan_dir)
    second = amended.out.split("[")[1][:10]
    shown = cli("--lang", lang, "history", "investment", "--all", cwd=plan_dir,
                env={"COLUMNS": str(width)})
    assert shown.code == 0, shown.err
    assert "…" not in shown.out
    assert shown.out.count(first) == 2 and shown.out.count(second) == 2  # each id whole
    lines = [line for line in shown.out.splitlines() if line[:1] in "┏┃┡│└"]
    assert max(cell_len(line) for line in lines) <= width
    if width == 80:
        assert "区统计局" in shown.out


def test_check_clean_plan(cli: Runner, shipped: Path) -> None:
    result = cli("check", cwd=shipped)
    assert result.code == 0 and "no problems" in result.err


def test_version_and_help(cli: Runner) -> None:
    assert cli("--version").out.startswith("bjtrack ")
    for command in ("log", "status", "targets", "history", "check"):
        result = cli(command, "--help")
        assert result.code == 0 and "Example: bjtrack" in result.out


def test_python_dash_m_and_console_script() -> None:
    result = subprocess.run([sys.executable, "-m", "bjtrack", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("bjtrack ")
    script = Path(sys.executable).parent / "bjtrack"
    result = subprocess.run([str(script), "status", "--format", "json", "--as-of",
                             "2022-08-05"], capture_output=True, text=True, check=False,
                            cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["targets"]) == 12


def test_history_shows_every_vintage_and_status_the_latest(cli: Runner, plan_dir: Path) -> None:
    cli("log", "investment", "150亿", "--date", "2022-06", "--vintage", "初步", cwd=plan_dir)
    revised = cli("log", "investment", "152亿", "--date", "2022-06", "--vintage", "核实",
                  cwd=plan_dir)
    assert revised.code == 0 and "revised" in revised.out
    result = cli("history", "investment", "--format", "json", cwd=plan_dir)
    rows = json.loads(result.out)["records"]
    assert [(r["vintage"], r["state"]) for r in rows] == [("初步", "replaced"),
                                                          ("核实", "current")]
    table = cli("history", "investment", cwd=plan_dir)
    assert "150亿元" in table.out and "152亿元" in table.out
    status = cli("status", "--as-of", "2022-07-01", "--format", "json", cwd=plan_dir)
    investment = json.loads(status.out)["targets"][0]
    assert investment["actual"] == 15200000000 and investment["records"] == 1


@pytest.mark.parametrize(
    ("written", "comparison", "value"),
    [("超300亿元", ">", 30000000000), ("8.2万家以上", ">=", 82000),
     ("不少于3亿元", ">=", 300000000), ("控制在5%以内", "<=", 5), ("增长6%左右", ">=", 6),
     ("力争突破2000家", ">", 2000), ("达到8.2万家", ">=", 82000), ("低于3%", "<", 3)],
)
def test_targets_written_as_the_plan_words_them(cli: Runner, tmp_path: Path, written: str,
                                                comparison: str, value: int) -> None:
    (tmp_path / "targets.toml").write_text(f"""\
[[target]]
id = "t"
name = "指标"
target = "{written}"
stretch = "力争{written}"
start = 2022-01-01
due = 2022-12-31
""", encoding="utf-8")
    result = cli("targets", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.err
    row = json.loads(result.out)[0]
    assert (row["comparison"], row["target"]) == (comparison, value)


def test_worded_comparison_that_disagrees_is_an_error(cli: Runner, tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text("""\
[[target]]
id = "t"
name = "投资"
target = "超300亿元"
comparison = "<="
start = 2022-01-01
due = 2022-12-31
""", encoding="utf-8")
    result = cli("status", cwd=tmp_path)
    assert result.code == 1
    assert "targets.toml:1:" in result.err and 'says comparison ">"' in result.err


def test_a_city_plan_table_reaches_the_reported_verdicts(cli: Runner, tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text("""\
[[target]]
id = "gdp-growth"
name = "地区生产总值增长"
target = "增长5.5%左右"
start = 2023-01-01
due = 2023-12-31

[[target]]
id = "cpi"
name = "居民消费价格涨幅"
target = "3%左右"
comparison = "<="   # 左右 on a price index is a ceiling: 0.2% is within it
start = 2023-01-01
due = 2023-12-31

[[target]]
id = "income-growth"
name = "居民人均可支配收入增长"
target = "series:gdp-growth"   # 与经济增长同步: a % like the series it keeps pace with
start = 2023-01-01
due = 2023-12-31
""", encoding="utf-8")
    for args in (("gdp-growth", "5.6%"), ("cpi", "0.2%"), ("income-growth", "5.9%")):
        assert cli("log", *args, "--date", "2023", cwd=tmp_path).code == 0
    result = cli("status", "--as-of", "2024-03-01", "--format", "json", cwd=tmp_path)
    rows = {t["id"]: t for t in json.loads(result.out)["targets"]}
    assert {k: (r["verdict"], r["gap"]) for k, r in rows.items()} == {
        "gdp-growth": ("achieved", 0.1), "cpi": ("achieved", -2.8),
        "income-growth": ("achieved", 0.3)}
    assert rows["income-growth"]["unit"] == "%"


def test_a_plan_saved_by_notepad_with_bom_and_crlf(cli: Runner, plan_dir: Path) -> None:
    path = plan_dir / "targets.toml"
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert cli("log", "investment", "1亿", "--date", "2022-03", cwd=plan_dir).code == 0
    result = cli("check", cwd=plan_dir)
    assert result.code == 0 and "no problems" in result.err


def test_target_periods_written_as_words(cli: Runner, tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text("""\
[[target]]
id = "t"
name = "投资"
target = "300亿元"
start = "2022年"
due = "2022年"
""", encoding="utf-8")
    row = json.loads(cli("targets", "--format", "json", cwd=tmp_path).out)[0]
    assert (row["start"], row["due"]) == ("2022-01-01", "2022-12-31")


def test_no_escape_sequence_reaches_the_terminal_from_any_message(cli: Runner,
                                                                  tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text("""\
[[target]]
id = "a"
name = "X\\u001b[2JY\\u202eZ"
target = "1亿元"
start = 2022-01-01
due = 2022-12-31
""", encoding="utf-8")
    outputs = [cli("log", "a", "1亿", "--date", "2022-03", cwd=tmp_path),
               cli("log", "a", "1亿", "--date", "2022-03", cwd=tmp_path),
               cli("export", "--format", "markdown", "--as-of", "2022-04-01", cwd=tmp_path),
               cli("status", "--as-of", "2022-04-01", cwd=tmp_path)]
    sheet = tmp_path / "hostile.csv"
    sheet.write_text("target,date,value\n\x1b[2Jpwned,2022-03,1亿\na,2022-04,1\x1b[31m亿\n",
                     encoding="utf-8")
    outputs.append(cli("import", str(sheet), cwd=tmp_path))
    assert outputs[0].code == 0 and "X[2JYZ" in outputs[0].out
    assert outputs[-1].code != 0 and "pwned" in outputs[-1].err
    for result in outputs:
        assert "\x1b" not in result.out + result.err and "\u202e" not in result.out + result.err


def test_output_to_a_full_disk_is_one_message(shipped: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "bjtrack", "status", "--as-of",
                                 "2022-08-01"], stdout=full, stderr=subprocess.PIPE,
                                text=True, cwd=shipped, check=False)
    assert result.returncode == 1
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr


def test_a_figure_outside_the_targets_period_is_refused_or_forced_with_a_note(
        cli: Runner, plan_dir: Path) -> None:
    refused = cli("log", "investment", "1亿", "--date", "2021-06", cwd=plan_dir)
    assert refused.code == 2 and "would count nowhere" in refused.err
    assert "--force" in refused.err
    result = cli("log", "investment", "1亿", "--date", "2021-06", "--force", cwd=plan_dir)
    assert result.code == 0
    assert "2021-06-30 is outside the period of 区内全年投资 (2022-01-01 ~ 2022-12-31)" \
        in result.err
    inside = cli("log", "investment", "1亿", "--date", "2022-06", cwd=plan_dir)
    assert inside.err == ""


@pytest.mark.parametrize(("args", "en", "zh"), [
    (("log", "investment", "150亿", "--dat", "2022-06"),
     "error: no such option: --dat (did you mean: --date", "错误：没有这个选项：--dat"),
    (("log", "investment", "--bogus", "150亿"), "error: no such option: --bogus",
     "错误：没有这个选项：--bogus"),
    (("log", "investment", "150亿", "-q"), "error: no such option: -q", "没有这个选项：-q"),
])
def test_a_mistyped_option_of_log_is_called_one(cli: Runner, plan_dir: Path,
                                                args: tuple[str, ...], en: str, zh: str) -> None:
    """log reads a negative VALUE, so it let unknown options through: --dat 2022-06 was
    'unexpected extra arguments', and --bogus before the value was taken for the value."""
    for lang, said in (("en", en), ("zh", zh)):
        result = cli("--lang", lang, *args, cwd=plan_dir)
        assert result.code == 2 and said in result.err, result.err
        assert "extra" not in result.err and "多余" not in result.err
    assert records_text(plan_dir) == ""


def test_negative_figures_are_values_of_log_and_amend(cli: Runner, plan_dir: Path) -> None:
    """amend RECORD -3.5% said 'no such option: -3'."""
    logged = cli("log", "share", "-1.5%", "--date", "2022-06", "--note", "-", cwd=plan_dir)
    assert logged.code == 0, logged.err
    first = logged.out.split("[")[1][:10]
    amended = cli("amend", first, "-3.5%", cwd=plan_dir)
    assert amended.code == 0, amended.err
    assert "-1.5% → -3.5% as of 2022-06-30" in amended.out
    again = cli("log", "share", "-2%", "-d2022-07", cwd=plan_dir)
    assert again.code == 0 and "-2.0% as of 2022-07-31" in again.out, again.err


def test_history_without_records_has_no_state_column(cli: Runner, plan_dir: Path) -> None:
    """A target with no records showed an empty 状态 (State) column, as if something had
    been corrected."""
    for lang, state in (("en", "State"), ("zh", "状态")):
        shown = cli("--lang", lang, "history", "investment", cwd=plan_dir)
        assert shown.code == 0 and state not in shown.out, shown.out
