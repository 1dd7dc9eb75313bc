"""No code or markup injection, and safe paths.

Text people type (names, notes, sources) reaches the terminal without escape sequences,
the records file only through the TOML serializer (a note cannot forge a record), HTML
escaped, CSV and XLSX neutralised against formulas; `-o` does not write through a link;
`import` reads only the file it is given.
"""

from __future__ import annotations

import builtins
import csv
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bjtrack.files import records as records_file
from bjtrack.render.table import clean
from conftest import Runner

ESCAPES = ["\x1b[2J", "\x1b]0;owned\x07", "\x1b[31m", "\x9b2J", "\x07", "\x08\x08",
           "\r", "\u202e", "\u2066"]
FORGERIES = ['"""', "]]", "\n[[record]]\n", '\n[[record]]\nid = "forged"\nseries = '
             '"investment"\ndate = 2022-12-31\nvalue = "999"\n', "'''", '\\"', "\\",
             '" \nvalue = "1', "\x00", "\r\n[[record]]\r\n", "# comment", "\u2028[[record]]"]


def _log(cli: Runner, folder: Path, note: str, date: str = "2022-06", value: str = "150亿",
         source: str = "") -> None:
    result = cli("log", "investment", value, "--date", date, "--note", note,
                 "--source", source, cwd=folder)
    assert result.code == 0, result.err


@pytest.mark.parametrize("escape", ESCAPES)
def test_history_strips_escape_sequences(cli: Runner, plan_dir: Path, escape: str) -> None:
    _log(cli, plan_dir, f"前{escape}后", source=f"源{escape}")
    result = cli("history", "investment", cwd=plan_dir, env={"COLUMNS": "140"})
    assert result.code == 0, result.err
    assert escape not in result.out
    assert "\x1b" not in result.out and "\x9b" not in result.out
    assert "前" in result.out and "后" in result.out  # the rest of the note is shown
    # JSON keeps the note exactly as typed (escaped by the serializer, not stripped).
    data = json.loads(cli("history", "investment", "--format", "json", cwd=plan_dir).out)
    assert data["records"][0]["note"] == f"前{escape}后"


def test_clear_screen_note_never_reaches_a_terminal_in_colour(cli: Runner, plan_dir: Path
                                                              ) -> None:
    """Even with colour on (FORCE_COLOR), only our own styling escapes are emitted."""
    _log(cli, plan_dir, "\x1b[2J\x1b[H清屏")
    result = cli("history", "investment", cwd=plan_dir,
                 env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert result.code == 0
    assert "\x1b[2J" not in result.out and "\x1b[H" not in result.out
    assert "清屏" in result.out


@pytest.mark.parametrize("escape", ESCAPES)
def test_status_and_targets_strip_escapes_in_names(cli: Runner, tmp_path: Path, escape: str
                                                   ) -> None:
    name = f"投资{escape}总额"
    (tmp_path / "targets.toml").write_text(
        f'[plan]\nname = {json.dumps("计划" + escape)}\n\n'
        f'[[target]]\nid = "investment"\nname = {json.dumps(name)}\ntarget = "300亿元"\n'
        f'start = 2022-01-01\ndue = 2022-12-31\ngroup = {json.dumps("组" + escape)}\n'
        f'quote = {json.dumps("原文" + escape)}\n', encoding="utf-8")
    for args in (("status", "--as-of", "2022-06-30"), ("targets",)):
        result = cli(*args, cwd=tmp_path, env={"COLUMNS": "140"})
        assert result.code == 0, result.err
        assert escape not in result.out, args
        assert "\x1b" not in result.out


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=50))
def test_clean_leaves_no_control_or_bidi_character(text: str) -> None:
    cleaned = clean(text)
    assert not any(ord(ch) < 0x20 and ch not in "\n\t" for ch in cleaned)
    assert not any(0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert not any(ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                   for ch in cleaned)


@pytest.mark.parametrize("note", FORGERIES)
def test_a_note_cannot_forge_a_record(cli: Runner, plan_dir: Path, note: str) -> None:
    _log(cli, plan_dir, note, source=note)
    records = records_file.load_records(plan_dir / "records.toml").records
    assert len(records) == 1
    assert records[0].note == note and records[0].source == note
    assert records[0].value == 15_000_000_000
    assert cli("check", cwd=plan_dir).code == 0
    _log(cli, plan_dir, "next", date="2022-07", value="160亿")  # appends still line up
    assert [r.note for r in records_file.load_records(plan_dir / "records.toml").records] == [
        note, "next"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
def test_any_note_survives_the_round_trip(cli: Runner, plan_dir: Path, note: str) -> None:
    path = plan_dir / "records.toml"
    path.unlink(missing_ok=True)
    (plan_dir / ".bjtrack-cache").mkdir(exist_ok=True)
    _log(cli, plan_dir, note)
    records = records_file.load_records(path).records
    assert [(r.note, r.value) for r in records] == [(note, 15_000_000_000)]


@pytest.mark.parametrize("note", FORGERIES[:4])
def test_an_imported_note_cannot_forge_a_record(cli: Runner, plan_dir: Path, note: str
                                                ) -> None:
    sheet = plan_dir / "sheet.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["指标", "日期", "数值", "备注"])
        writer.writerow(["investment", "2022-06-30", "150亿", note])
        writer.writerow(["investment", "2022-07-31", "160亿", "plain"])
    result = cli("import", str(sheet), cwd=plan_dir)
    assert result.code == 0, result.err
    records = records_file.load_records(plan_dir / "records.toml").records
    assert [r.note for r in records] == [note.strip(), "plain"]  # cells are trimmed
    assert cli("check", cwd=plan_dir).code == 0


# --------------------------------------------------------------------------- exports

SCRIPT = '<script>alert("x")</script>'
FORMULAS = ["=HYPERLINK(\"http://evil\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "=1+1"]


def _hostile(cli: Runner, folder: Path) -> None:
    for i, note in enumerate([SCRIPT, *FORMULAS]):
        _log(cli, folder, note, date=f"2022-{i + 1:02d}", value=f"{i + 1}00亿")


def test_html_export_escapes_markup(cli: Runner, plan_dir: Path) -> None:
    _hostile(cli, plan_dir)
    out = plan_dir / "report.html"
    result = cli("export", "--format", "html", "-o", str(out), "--as-of", "2022-12-31",
                 cwd=plan_dir)
    assert result.code == 0, result.err
    html = out.read_text(encoding="utf-8")
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert" not in html.replace(" ", "")


def test_csv_export_neutralises_formulas(cli: Runner, plan_dir: Path) -> None:
    _hostile(cli, plan_dir)
    result = cli("export", "--format", "csv", "--records", "--as-of", "2022-12-31",
                 cwd=plan_dir)
    assert result.code == 0, result.err
    cells = [cell for row in csv.reader(io.StringIO(result.out)) for cell in row]
    for formula in FORMULAS:
        assert formula not in cells, formula
        assert any(cell.endswith(formula) and cell != formula for cell in cells), formula
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]


def test_xlsx_export_neutralises_formulas(cli: Runner, plan_dir: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    _hostile(cli, plan_dir)
    out = plan_dir / "report.xlsx"
    result = cli("export", "--format", "xlsx", "-o", str(out), "--as-of", "2022-12-31",
                 cwd=plan_dir)
    assert result.code == 0, result.err
    book = openpyxl.load_workbook(out)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    for formula in FORMULAS:
        assert any(formula in text for text in texts), formula


# --------------------------------------------------------------------------- paths

def test_output_does_not_follow_a_symlink_over_a_file(cli: Runner, plan_dir: Path) -> None:
    _log(cli, plan_dir, "x")
    victim = plan_dir / "precious.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = plan_dir / "out.csv"
    link.symlink_to(victim)
    result = cli("export", "--format", "csv", "-o", str(link), cwd=plan_dir)
    assert result.code != 0
    assert "Traceback" not in result.err
    assert victim.read_text(encoding="utf-8") == "keep me"
    forced = cli("export", "--format", "csv", "-o", str(link), "--force", cwd=plan_dir)
    assert forced.code == 0, forced.err
    assert victim.read_text(encoding="utf-8") == "keep me"  # the link went, not the file
    assert not link.is_symlink() and link.read_text(encoding="utf-8").strip()


def test_import_reads_only_the_file_given(cli: Runner, plan_dir: Path, tmp_path: Path
                                          ) -> None:
    """Paths and formulas inside a sheet are data: nothing they name is opened."""
    secret = tmp_path / "secret.csv"
    secret.write_text("指标,日期,数值\ninvestment,2022-01-31,999亿\n", encoding="utf-8")
    sheet = plan_dir / "sheet.csv"
    sheet.write_text(
        "指标,日期,数值,备注,来源\n"
        f"investment,2022-06-30,150亿,{secret},file://{secret}\n"
        f"investment,2022-07-31,160亿,=IMPORTDATA(\"{secret}\"),../../{secret.name}\n",
        encoding="utf-8")
    opened: list[str] = []
    real_open = os.open

    def watch(path: str | os.PathLike[str], *args: object, **kwargs: object) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    real_builtin_open = builtins.open

    def watch_builtin(file: object, *args: object, **kwargs: object) -> object:
        if isinstance(file, str | os.PathLike):
            opened.append(os.fspath(file))  # type: ignore[arg-type]
        return real_builtin_open(file, *args, **kwargs)  # type: ignore[call-overload]

    mp = pytest.MonkeyPatch()
    mp.setattr(os, "open", watch)
    mp.setattr(builtins, "open", watch_builtin)
    try:
        result = cli("import", str(sheet), cwd=plan_dir)
    finally:
        mp.undo()
    assert result.code == 0, result.err
    assert not [p for p in opened if "secret" in str(p)], opened
    values = [r.value for r in records_file.load_records(plan_dir / "records.toml").records]
    assert values == [15_000_000_000, 16_000_000_000]


def test_import_refuses_a_folder_and_a_missing_file(cli: Runner, plan_dir: Path) -> None:
    for target in (str(plan_dir), str(plan_dir / "nope.csv")):
        result = cli("import", target, cwd=plan_dir)
        assert result.code != 0
        assert "Traceback" not in result.err
        assert result.err.strip()
    assert not (plan_dir / "records.toml").exists()
