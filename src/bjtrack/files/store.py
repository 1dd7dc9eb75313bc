"""Plain-text files: the plan (targets.toml) and its records (records.toml).

The records file is append-only: each figure is one `[[record]]` block, written by the
TOML serializer in one write under a lock and fsynced. Nothing here rewrites a record;
`repair` only moves a torn last block (left by a crash mid-write) to a backup file.
"""

from __future__ import annotations

import base64
import difflib
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from bjtrack.domain.amounts import (
    MAX_EXPONENT,
    PERCENT,
    Amount,
    parse_amount,
    plain,
    split_comparison,
)
from bjtrack.domain.dates import parse_date
from bjtrack.domain.errors import BjtrackError, InputError, Problem, UsageError, problem
from bjtrack.domain.model import COMPARISONS, VINTAGES, Kind, Plan, Record, Source, Target

PLAN_FILE = "targets.toml"
RECORDS_FILE = "records.toml"
RECORDS_HEADER = (
    "# bjtrack records: one [[record]] block per published figure, appended by `bjtrack log`.\n"
    "# Values are exact decimals in the base unit (元, 人, 家, %). Do not reorder blocks.\n"
    "# format = bjtrack-records/1\n"
)
LOCK_TIMEOUT = 60.0
LOCK_POLL = 0.01

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HEADER = "[[record]]"
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_END = re.compile(r"\(at end of document\)")

TARGET_KEYS = frozenset({
    "id", "name", "target", "comparison", "start", "due", "kind", "aggregate", "baseline",
    "hold", "series", "quote", "group", "unit_note", "unit", "stretch", "tolerance", "every",
    "derive", "pace",
})
PLAN_KEYS = frozenset({
    "name", "source", "published", "records", "at_risk_band", "stale_days",
    "cagr_on_track", "cagr_at_risk",
})
# Derived files (the records index, the remembered plan) live in this folder beside the
# plan; `BJTRACK_NO_CACHE=1` turns them off.
CACHE_DIR = ".bjtrack-cache"
NO_CACHE_ENV = "BJTRACK_NO_CACHE"


def cache_enabled() -> bool:
    return os.environ.get(NO_CACHE_ENV, "") in ("", "0")


RECORD_KEYS = frozenset({
    "id", "series", "date", "value", "unit", "entered", "note", "source", "logged", "by",
    "vintage", "revises", "retracts",
})


# --------------------------------------------------------------------------- discovery

def find_plan(explicit: str | None, cwd: Path) -> Path:
    """The plan file: the one named, else targets.toml here or in a parent folder."""
    if explicit:
        path = Path(explicit)
        if path.is_dir():
            path = path / PLAN_FILE
        if not path.is_file():
            raise UsageError(problem("err.plan_not_found", hint_key="hint.plan_not_found",
                                     path=explicit))
        return path
    for folder in (cwd, *cwd.parents):
        candidate = folder / PLAN_FILE
        if candidate.is_file():
            relative = Path(os.path.relpath(candidate, cwd))
            return relative if len(str(relative)) < len(str(candidate)) else candidate
    raise UsageError(problem("err.no_plan", hint_key="hint.no_plan", name=PLAN_FILE))


# --------------------------------------------------------------------------- plan

def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BjtrackError(problem("err.file_not_found", file=str(path))) from None
    except UnicodeDecodeError as exc:
        raise BjtrackError(Problem(
            f"not UTF-8 text (byte {exc.start})", file=str(path),
            hint="save the file as UTF-8",
        )) from None
    except OSError as exc:
        raise BjtrackError(Problem(f"cannot read: {exc.strerror}", file=str(path))) from None


def _toml_problem(exc: tomllib.TOMLDecodeError, file: str, line_offset: int = 0,
                  source: str = "") -> Problem:
    text = str(exc)
    match = _TOML_POSITION.search(text)
    message = _TOML_POSITION.sub("", text).strip()
    line = int(match[1]) + line_offset if match else None
    column = int(match[2]) if match else None
    if match is None and _TOML_END.search(text):  # "(at end of document)": the last line
        message = _TOML_END.sub("", message).strip()
        line = len(source.splitlines()) + line_offset or None
    return problem("err.toml", hint_key="hint.toml", file=file, line=line, column=column,
                   detail=message)


def _header_lines(text: str, header: str) -> list[int]:
    """1-based line numbers of each `[[header]]` table, in order."""
    return [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == header]


def load_plan(path: Path) -> Plan:
    """Read and validate targets.toml; report every problem at once."""
    file = str(path)
    text = _read_text(path).removeprefix("\ufeff")  # Notepad's byte-order mark
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BjtrackError(_toml_problem(exc, file, source=text)) from None
    problems: list[Problem] = []
    meta = data.get("plan", {})
    if not isinstance(meta, dict):
        meta = {}
        problems.append(Problem("[plan] must be a table", file=file))
    entries = data.get("target", [])
    if not isinstance(entries, list):
        problems.append(Problem("`target` must be an array of [[target]] tables", file=file,
                                hint="write each target under its own [[target]] header"))
        entries = []
    lines = _header_lines(text, "[[target]]")
    for key in data:
        if key not in ("plan", "target"):
            problems.append(Problem(f"unknown top-level key '{key}'", file=file,
                                    hint="expected [plan] and [[target]] tables"))
    targets: list[Target] = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if len(lines) == len(entries) else None
        raw_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(raw_id, str) and raw_id in seen:
            problems.append(Problem(
                f"duplicate target id '{raw_id}' (first at line {seen[raw_id]})",
                file=file, line=line, hint="give each target a unique id"))
            continue
        if isinstance(raw_id, str):
            seen[raw_id] = line
        parsed = _parse_target(entry, file, line, problems)
        if parsed is not None:
            targets.append(parsed)
    targets = _relative_units(targets)
    _check_series(targets, file, problems)
    plan_meta = _parse_plan_meta(meta, path, problems)
    if problems:
        raise BjtrackError(*problems)
    return Plan(targets=tuple(targets), **plan_meta)


def _parse_plan_meta(meta: Mapping[str, Any], path: Path, problems: list[Problem]
                     ) -> dict[str, Any]:
    file = str(path)
    out: dict[str, Any] = {"path": path, "records_path": path.parent / RECORDS_FILE}
    for key in meta:
        if key not in PLAN_KEYS:
            problems.append(_unknown_key(key, PLAN_KEYS, "[plan]", file, None))
    for key in ("name", "source"):
        if key in meta:
            out[key] = str(meta[key])
    if "published" in meta:
        out["published"] = _date_value(meta["published"], "published", file, None, problems)
    if "records" in meta:
        out["records_path"] = path.parent / str(meta["records"])
    for key in ("at_risk_band", "cagr_on_track", "cagr_at_risk"):
        if key in meta:
            number = _decimal_setting(meta[key])
            if number is None or not 0 <= number <= 1:
                problems.append(Problem(f"[plan] {key} must be a number from 0 to 1",
                                        file=file, hint=f"for example {key} = 0.9"))
            else:
                out[key] = number
    if "stale_days" in meta:
        days = meta["stale_days"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            problems.append(Problem("[plan] stale_days must be a whole number of days",
                                    file=file, hint="for example stale_days = 45"))
        else:
            out["stale_days"] = days
    return out


def _decimal_setting(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return None


def _unknown_key(key: str, known: frozenset[str], where: str, file: str, line: int | None
                 ) -> Problem:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
    return Problem(f"unknown key '{key}' in {where}", file=file, line=line, hint=hint)


def _date_value(value: object, key: str, file: str, line: int | None,
                problems: list[Problem]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value, first_day=key == "start")
        except InputError as exc:
            problems.append(_in_key(key, exc.problems[0], file, line))
            return None
    problems.append(Problem(f"{key} must be a date", file=file, line=line,
                            hint=f"for example {key} = 2022-12-31"))
    return None


def _in_key(key: str, problem: Problem, file: str, line: int | None) -> Problem:
    """A value's problem, placed at `key` of the file (its i18n key kept: see localize)."""
    return replace(problem, message=f"{key}: {problem.message}", file=file, line=line,
                   fields=(*problem.fields, ("_in_key", key)))


def _amount_value(value: object, key: str, file: str, line: int | None,
                  problems: list[Problem]) -> Amount | None:
    if isinstance(value, bool) or isinstance(value, float):
        problems.append(Problem(
            f"{key} must be written as a string, not a TOML float", file=file, line=line,
            hint=f'quote it so it stays exact: {key} = "{value}"'))
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        problems.append(Problem(f"{key} must be an amount such as \"300亿元\"", file=file,
                                line=line))
        return None
    try:
        return parse_amount(value)
    except InputError as exc:
        problems.append(_in_key(key, exc.problems[0], file, line))
        return None


def _worded(value: object, key: str, file: str, line: int | None,
            problems: list[Problem]) -> tuple[str | None, object]:
    """Split '超300亿元' into ('>', '300亿元'); other values pass through unchanged."""
    if not isinstance(value, str):
        return None, value
    try:
        return split_comparison(value)
    except InputError as exc:
        problems.append(Problem(f"{key}: {exc.problems[0].message}", file=file, line=line,
                                hint='write the amount alone and the comparison apart: '
                                'target = "300亿元", comparison = ">"'))
        return None, value


def _str_field(entry: Mapping[str, Any], key: str, file: str, line: int | None,
               problems: list[Problem]) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        problems.append(Problem(f"{key} must be a string", file=file, line=line))
        return ""
    return value


def _parse_target(entry: object, file: str, line: int | None, problems: list[Problem]
                  ) -> Target | None:
    if not isinstance(entry, dict):
        problems.append(Problem("each target must be a table", file=file, line=line))
        return None
    before = len(problems)
    for key in entry:
        if key not in TARGET_KEYS:
            problems.append(_unknown_key(key, TARGET_KEYS, "[[target]]", file, line))
    target_id = entry.get("id")
    if not isinstance(target_id, str) or not target_id:
        problems.append(Problem("missing required key 'id'", file=file, line=line,
                                hint='add id = "a-lowercase-slug"'))
        target_id = ""
    elif not _SLUG.match(target_id):
        problems.append(Problem(f"id '{target_id}' is not a lowercase slug", file=file,
                                line=line, hint="use a-z, 0-9, '-' and '_', e.g. \"new-firms\""))
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(f"target '{target_id}': missing required key 'name'",
                                file=file, line=line, hint='add name = "区内全年投资"'))
        name = target_id

    amount: Amount | None = None
    relative_to: str | None = None
    worded: str | None = None  # a comparison the target's own words state (超, 以上, 左右)
    raw_target = entry.get("target")
    if isinstance(raw_target, str) and raw_target.startswith("series:"):
        relative_to = raw_target.removeprefix("series:").strip()
    elif raw_target is not None:
        worded, raw_target = _worded(raw_target, "target", file, line, problems)
        amount = _amount_value(raw_target, "target", file, line, problems)

    declared_unit: str | None = None
    if "unit" in entry:
        unit_text = _str_field(entry, "unit", file, line, problems)
        declared = _amount_value("1" + unit_text, "unit", file, line, problems)
        declared_unit = declared.unit if declared else None
    unit = amount.unit if amount else (declared_unit or "")
    if amount and declared_unit is not None and declared_unit != amount.unit:
        problems.append(Problem(
            f"unit '{entry['unit']}' disagrees with target '{raw_target}'", file=file,
            line=line, hint="drop `unit`; the target's own unit is used"))

    comparison = entry.get("comparison", worded or ">=")
    if comparison not in COMPARISONS:
        problems.append(Problem(f"comparison must be one of {', '.join(COMPARISONS)}",
                                file=file, line=line, hint='for 超300亿 write comparison = ">"'))
        comparison = ">="
    elif worded and worded != "~" and comparison != worded:  # 3%左右 may be a ceiling
        problems.append(Problem(
            f"target '{entry.get('target')}' says comparison \"{worded}\", "
            f"but comparison = \"{comparison}\"", file=file, line=line,
            hint="drop one of them, or make them agree"))

    is_indicator = amount is None and relative_to is None
    kind = _kind(entry, unit, is_indicator, file, line, problems)
    every = entry.get("every")
    if every is not None and every not in ("year", "quarter", "month"):
        problems.append(Problem("every must be \"year\", \"quarter\" or \"month\"",
                                file=file, line=line))
        every = None

    start = due = None
    for key in ("start", "due"):
        if key in entry:
            value = _date_value(entry[key], key, file, line, problems)
            if key == "start":
                start = value
            else:
                due = value
        elif not is_indicator and not (key == "due" and every):
            problems.append(Problem(f"target '{target_id}': missing required key '{key}'",
                                    file=file, line=line, hint=f"add {key} = 2022-12-31"))
    if start and due and due < start:
        problems.append(Problem(f"target '{target_id}': due {due} is before start {start}",
                                file=file, line=line, hint="swap the dates or correct one"))

    aggregate = entry.get("aggregate", "latest")
    if aggregate not in ("latest", "sum"):
        problems.append(Problem('aggregate must be "latest" or "sum"', file=file, line=line))
    hold = entry.get("hold", False)
    if not isinstance(hold, bool):
        problems.append(Problem("hold must be true or false", file=file, line=line))
        hold = False

    def unit_amount(key: str) -> Decimal | None:
        if key not in entry:
            return None
        raw = entry[key]
        if key == "stretch":  # 力争8%: the words say nothing the floor does not
            raw = _worded(raw, key, file, line, problems)[1]
        value = _amount_value(raw, key, file, line, problems)
        if value is None:
            return None
        if value.unit not in ("", unit) and not (key == "tolerance" and value.unit == PERCENT):
            problems.append(Problem(f"{key} '{entry[key]}' is not in the target's unit "
                                    f"({unit or 'bare number'})", file=file, line=line))
            return None
        return value.value

    baseline = unit_amount("baseline")
    stretch = unit_amount("stretch")
    tolerance = _tolerance(entry, unit, amount.value if amount else None, comparison, file,
                           line, problems)
    if stretch is not None and amount is not None and (
            stretch < amount.value if comparison in (">", ">=") else
            stretch > amount.value if comparison in ("<", "<=") else False):
        problems.append(Problem(
            f"stretch '{entry['stretch']}' is easier than the target '{raw_target}'",
            file=file, line=line, hint="the stretch level (力争…) lies beyond the floor: "
            'target = "7.5%", stretch = "8%"'))
    derive = entry.get("derive")
    if derive is not None and derive != "yoy":
        problems.append(Problem('derive must be "yoy"', file=file, line=line))
        derive = None
    pace = _pace(entry.get("pace"), file, line, problems)
    series = entry.get("series", target_id)
    if not isinstance(series, str) or not series:
        problems.append(Problem("series must be a non-empty string", file=file, line=line))
        series = target_id
    if len(problems) > before:
        return None
    return Target(
        id=target_id, name=name.strip(), kind=kind, unit=unit, series=series,
        target=amount.value if amount else None, relative_to=relative_to,
        comparison=comparison, start=start, due=due, aggregate=aggregate,
        baseline=baseline, hold=hold, stretch=stretch, tolerance=tolerance, every=every,
        derive=derive, pace=pace,
        quote=_str_field(entry, "quote", file, line, problems),
        group=_str_field(entry, "group", file, line, problems),
        unit_note=_str_field(entry, "unit_note", file, line, problems),
        source=Source(file, line),
    )


def _tolerance(entry: Mapping[str, Any], unit: str, goal: Decimal | None, comparison: str,
               file: str, line: int | None, problems: list[Problem]) -> Decimal | None:
    """The tolerance of an approximate (~, 左右) target in the target's unit.

    Given in the target's unit it is used as is; given as a % on an amount target it is
    that share of the target. Left out, a rate gets ±0.5 percentage point and an amount
    ±5% of the target."""
    from bjtrack.domain.evaluation import DEFAULT_AMOUNT_TOLERANCE, DEFAULT_RATE_TOLERANCE

    if "tolerance" not in entry:
        if comparison != "~":
            return None
        if unit == PERCENT:
            return DEFAULT_RATE_TOLERANCE
        return abs(goal) * DEFAULT_AMOUNT_TOLERANCE if goal is not None else None
    value = _amount_value(entry["tolerance"], "tolerance", file, line, problems)
    if value is None:
        return None
    if comparison != "~":
        problems.append(Problem("tolerance applies only to comparison = \"~\" (左右)",
                                file=file, line=line, hint='add comparison = "~" or drop it'))
        return None
    if value.value < 0:
        problems.append(Problem("tolerance must not be negative", file=file, line=line,
                                hint='e.g. tolerance = "0.5%"'))
        return None
    if value.unit in ("", unit):
        return value.value
    if value.unit == PERCENT and goal is not None:
        return abs(goal) * value.value / 100
    problems.append(Problem(f"tolerance '{entry['tolerance']}' is not in the target's unit "
                            f"({unit or 'bare number'}) nor a % of it", file=file, line=line))
    return None


def _kind(entry: Mapping[str, Any], unit: str, is_indicator: bool, file: str,
          line: int | None, problems: list[Problem]) -> Kind:
    if is_indicator:
        return Kind.INDICATOR
    raw = entry.get("kind")
    if raw is None:
        return Kind.RATE if unit == PERCENT else Kind.FLOW
    try:
        kind = Kind(raw)
    except ValueError:
        problems.append(Problem('kind must be "flow", "level", "rate" or "annual"',
                                file=file, line=line))
        return Kind.FLOW
    if kind is Kind.INDICATOR:
        problems.append(Problem("an indicator is an entry without `target`; drop `kind`",
                                file=file, line=line))
    if unit == PERCENT and kind in (Kind.FLOW, Kind.LEVEL):
        return Kind.RATE
    return kind


def _pace(raw: object, file: str, line: int | None, problems: list[Problem]
          ) -> tuple[Decimal, ...] | str | None:
    if raw is None:
        return None
    if raw == "last-year":
        return "last-year"
    if isinstance(raw, list) and len(raw) == 12:
        shares: list[Decimal] = []
        for item in raw:
            share = _decimal_setting(item)
            if share is None or share < 0:
                break
            shares.append(share)
        if len(shares) == 12 and sum(shares) > 0:
            return tuple(shares)
    problems.append(Problem('pace must be "last-year" or a list of 12 monthly shares',
                            file=file, line=line, hint="e.g. pace = [5, 6, 8, 8, 8, 10, "
                            "8, 8, 9, 9, 9, 12]"))
    return None


def _relative_units(targets: list[Target]) -> list[Target]:
    """A relative target (与经济增长同步) without a unit of its own is measured in the unit of
    the series it keeps pace with; a % makes it a rate."""
    units = {t.series: t.unit for t in targets if t.unit and not t.derive}
    out = []
    for target in targets:
        if target.relative_to and not target.unit and target.relative_to in units:
            unit = units[target.relative_to]
            kind = Kind.RATE if unit == PERCENT else target.kind
            target = replace(target, unit=unit, kind=kind)
        out.append(target)
    return out


def _check_series(targets: list[Target], file: str, problems: list[Problem]) -> None:
    units: dict[str, tuple[str, str]] = {}
    ids = {t.id for t in targets} | {t.series for t in targets}
    for target in targets:
        if target.relative_to and target.relative_to not in ids:
            problems.append(Problem(
                f"target '{target.id}' is relative to unknown series '{target.relative_to}'",
                file=file, line=target.source.line if target.source else None,
                hint="define that series as an indicator (an entry without `target`)"))
        if target.derive:
            continue
        seen = units.setdefault(target.series, (target.unit, target.id))
        if target.unit and seen[0] and seen[0] != target.unit:
            problems.append(Problem(
                f"target '{target.id}' reads series '{target.series}' in {target.unit}, "
                f"but '{seen[1]}' reads it in {seen[0]}", file=file,
                line=target.source.line if target.source else None,
                hint="one series holds one unit; give the other target its own series"))


# --------------------------------------------------------------------------- records

@dataclass(frozen=True)
class RecordSet:
    """What the records file holds: valid records, problems, and a torn tail if any."""

    records: tuple[Record, ...]
    problems: tuple[Problem, ...] = ()
    torn: Problem | None = None  # a last block cut short by a crash
    torn_offset: int | None = None  # byte offset where the torn block starts


def load_records(path: Path, cached: bool = True) -> RecordSet:
    """Read every record; collect problems instead of stopping at the first.

    With `cached`, through the index beside the file (bjtrack.index.cache) when it can answer:
    the same records, problems and torn tail as a full parse, without re-parsing the file."""
    if not path.exists():
        return RecordSet(())
    if cached:
        from bjtrack.index import cache

        found = cache.load_records(path)
        if found is not None:
            return found
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BjtrackError(Problem(f"cannot read: {exc.strerror}", file=str(path))) from None
    return parse_record_bytes(data, str(path))


def parse_record_bytes(data: bytes, file: str) -> RecordSet:
    """Decode and parse the records file. A crash mid-write may cut the last line inside
    a character: that is a torn tail like any other, not an unreadable file."""
    try:
        return parse_records(data.decode("utf-8"), file)
    except UnicodeDecodeError as exc:
        bad = exc.start
    if b"\n" in data[bad:]:  # damage before the last line: not a crash, say where
        raise BjtrackError(Problem(
            f"not UTF-8 text (byte {bad})", file=file, line=data[:bad].count(b"\n") + 1,
            hint="save the file as UTF-8"))
    good = data[:bad].decode("utf-8")
    result = parse_records(good, file)
    if result.torn is not None:
        return result
    start = good.rfind("\n") + 1
    torn = Problem("the last line is cut short inside a character", file=file,
                   line=good.count("\n") + 1,
                   hint="run `bjtrack check --repair` to move it to a backup file")
    return RecordSet(result.records, result.problems, torn, len(good[:start].encode("utf-8")))


def parse_records(text: str, file: str) -> RecordSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return _parse_blocks(text, file)
    entries = data.get("record", [])
    lines = _header_lines(text, _HEADER)
    problems: list[Problem] = []
    if not isinstance(entries, list):
        return RecordSet((), (Problem("`record` must be [[record]] tables", file=file),))
    for key in data:
        if key != "record":
            problems.append(Problem(f"unknown top-level key '{key}'", file=file,
                                    hint="the records file holds only [[record]] tables"))
    records: list[Record] = []
    torn: Problem | None = None
    torn_offset: int | None = None
    for index, entry in enumerate(entries):
        line = lines[index] if len(lines) == len(entries) else None
        record, problem = _to_record(entry, file, line)
        is_last = index == len(entries) - 1
        if problem and is_last and _incomplete(entry):
            torn, torn_offset = problem, _line_offset(text, line)
        elif problem:
            problems.append(problem)
        elif record:
            records.append(record)
    if torn is None and text and not text.endswith("\n") and lines and \
            not _cut_in_frame(text):
        torn = Problem("the last record is cut short (no final newline)", file=file,
                       line=lines[-1], hint="run `bjtrack check --repair`")
        torn_offset = _line_offset(text, lines[-1])
        if records:
            records.pop()
    return RecordSet(tuple(records), tuple(problems), torn, torn_offset)


def _cut_in_frame(text: str) -> bool:
    """Did a crash cut the text inside the comment that opens a new record (see `framed`)?
    Then the records before it are whole and nothing of the new one was written."""
    last = text.rfind("\n")
    return text[last + 1:].startswith("#") and text[:last + 1].endswith("\n\n")


def _line_offset(text: str, line: int | None) -> int | None:
    if line is None:
        return None
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return len(text[:offset].encode("utf-8"))


def _incomplete(entry: object) -> bool:
    """A block that lacks what bjtrack always writes last: a crash cut it short."""
    if not isinstance(entry, dict):
        return True
    return "value" not in entry and "retracts" not in entry


def _parse_blocks(text: str, file: str) -> RecordSet:
    """Slow path for a file that does not parse whole: parse block by block."""
    all_lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(all_lines) if line.strip() == _HEADER]
    last = all_lines[-1] if all_lines else ""
    if last.strip() and not last.endswith("\n") and _HEADER.startswith(last.strip()) \
            and len(all_lines) - 1 not in starts:
        starts.append(len(all_lines) - 1)  # a header cut short: "[[rec"
    problems: list[Problem] = []
    records: list[Record] = []
    torn: Problem | None = None
    torn_offset: int | None = None
    head = "".join(all_lines[: starts[0]] if starts else all_lines)
    try:
        tomllib.loads(head)
    except tomllib.TOMLDecodeError as exc:
        problems.append(_toml_problem(exc, file, source=head))
    for n, begin in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(all_lines)
        block = "".join(all_lines[begin:end])
        is_last = n == len(starts) - 1
        try:
            entries = tomllib.loads(block).get("record", [{}])
            entry = entries[0] if entries else {}
        except tomllib.TOMLDecodeError as exc:
            bad = _toml_problem(exc, file, line_offset=begin, source=block)
            if is_last:
                torn = Problem(f"the last record is cut short or malformed: {bad.message}",
                               file=file, line=begin + 1,
                               hint="run `bjtrack check --repair` to move it to a backup file")
                torn_offset = len("".join(all_lines[:begin]).encode("utf-8"))
            else:
                problems.append(bad)
            continue
        record, problem = _to_record(entry, file, begin + 1)
        if problem and is_last and _incomplete(entry):
            torn = problem
            torn_offset = len("".join(all_lines[:begin]).encode("utf-8"))
        elif problem:
            problems.append(problem)
        elif record:
            records.append(record)
    return RecordSet(tuple(records), tuple(problems), torn, torn_offset)


def _to_record(entry: object, file: str, line: int | None) -> tuple[Record | None, Problem | None]:
    if not isinstance(entry, dict):
        return None, Problem("a record must be a table", file=file, line=line)
    unknown = [k for k in entry if k not in RECORD_KEYS]
    if unknown:
        return None, _unknown_key(unknown[0], RECORD_KEYS, "[[record]]", file, line)
    for key in ("id", "series"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            return None, Problem(f"record is missing '{key}'", file=file, line=line,
                                 hint="every [[record]] needs id, series, date and value")
    strings = {}
    for key in ("unit", "entered", "note", "source", "by", "vintage", "revises", "retracts"):
        value = entry.get(key, "")
        if not isinstance(value, str):
            return None, Problem(f"record key '{key}' must be a string", file=file, line=line)
        strings[key] = value
    if strings["vintage"] and strings["vintage"] not in VINTAGES:
        return None, Problem(f"vintage must be one of {', '.join(VINTAGES)}", file=file,
                             line=line)
    logged = entry.get("logged")
    if logged is not None and not isinstance(logged, datetime):
        return None, Problem("logged must be a date-time", file=file, line=line)
    if strings["retracts"]:
        return Record(id=entry["id"], series=entry["series"], date=None, value=None,
                      logged=logged, origin=Source(file, line), **strings), None
    raw_date = entry.get("date")
    if isinstance(raw_date, datetime):
        raw_date = raw_date.date()
    if not isinstance(raw_date, date):
        return None, Problem("record needs a date (e.g. date = 2022-06-30)", file=file,
                             line=line)
    raw_value = entry.get("value")
    if isinstance(raw_value, int) and not isinstance(raw_value, bool):
        raw_value = str(raw_value)
    if not isinstance(raw_value, str):
        return None, Problem("record value must be an exact decimal in a string",
                             file=file, line=line, hint='e.g. value = "30000000000"')
    try:
        value = Decimal(raw_value.strip())
        if not value.is_finite() or abs(value.adjusted()) > MAX_EXPONENT:
            raise InvalidOperation
    except InvalidOperation:
        return None, Problem(f"record value '{raw_value[:40]}' is not a decimal number",
                             file=file, line=line, hint='e.g. value = "30000000000"')
    return Record(id=entry["id"], series=entry["series"], date=raw_date, value=value,
                  logged=logged, origin=Source(file, line), **strings), None


# --------------------------------------------------------------------------- writing

def new_record_id() -> str:
    """A short random id (50 bits): 10 lowercase base32 characters."""
    return base64.b32encode(os.urandom(7)).decode("ascii")[:10].lower()


def record_block(record: Record) -> str:
    """The record as one TOML block, written by the serializer. `value` comes last, so a
    block cut short by a crash lacks it and is recognised as torn."""
    import tomli_w

    fields: dict[str, Any] = {"id": record.id, "series": record.series}
    if record.date is not None:
        fields["date"] = record.date
    for key in ("entered", "unit", "vintage", "revises", "note", "source", "by"):
        value = getattr(record, key)
        if value:
            fields[key] = value
    if record.logged is not None:
        fields["logged"] = record.logged
    if record.retracts:
        fields["retracts"] = record.retracts
    if record.value is not None:
        fields["value"] = plain(record.value)
    # The header is written by hand: tomli_w would turn a short table into an inline
    # `record = [{…}]` array, which cannot follow [[record]] tables in the same file.
    return _HEADER + "\n" + tomli_w.dumps(fields)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the records file's lock (a sibling `.lock` file) for a read-modify-write."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT)
    try:
        # Poll often: a queue of writers otherwise idles 50 ms per hand-over.
        lock.acquire(poll_interval=LOCK_POLL)
    except Timeout:
        raise BjtrackError(Problem(
            f"another bjtrack is writing {path.name}; gave up after {LOCK_TIMEOUT:.0f}s",
            file=str(path), hint=f"if no other bjtrack runs, delete {path.name}.lock")) from None
    except OSError as exc:  # a read-only folder or disk: nothing can be written there
        raise BjtrackError(Problem(
            f"cannot write here: {exc.strerror}", file=str(path),
            hint="the folder of the records file must be writable; nothing was changed"
        )) from None
    try:
        yield
    finally:
        lock.release()


def check_tail(path: Path) -> Problem | None:
    """Is the last block of the records file whole? Reads only the end of the file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    chunk = 1 << 16
    with path.open("rb") as handle:
        while True:
            start = max(0, size - chunk)
            handle.seek(start)
            data = handle.read()
            at = data.rfind(b"\n" + _HEADER.encode())
            if at >= 0 or start == 0:
                break
            chunk *= 4
    block_start = start + at + 1 if at >= 0 else 0
    tail = data[at + 1:] if at >= 0 else data
    try:
        torn = parse_record_bytes(tail, str(path)).torn
    except BjtrackError as exc:  # not UTF-8 before its last line: damaged, not torn
        torn = exc.problems[0]
    if torn is None:
        return None
    with path.open("rb") as handle:
        base = handle.read(block_start).count(b"\n")
    line = base + torn.line if torn.line is not None else None
    return Problem(torn.message, file=str(path), line=line, hint=torn.hint)


def framed(record: Record, block: str) -> str:
    """A record's block between two comment lines naming it (id and time logged).

    Teams merge records files with git's union merge (`init` sets it up). That joins the
    text each branch appended line by line, but writes the lines both branches' additions
    share at their start or end only once: two records that both begin with `[[record]]`
    or end with the same `value` would fuse into one broken table. The frame makes the
    first and last line of every record its own."""
    name = f"{record.id} {record.logged.isoformat()}" if record.logged else record.id
    return f"# {name}\n{block}# {name} end\n"


def append_record(path: Path, record: Record) -> None:
    """Append one record: under the lock, one write, fsync. The file is never rewritten."""
    block = framed(record, record_block(record)).encode("utf-8")
    with locked(path):
        torn = check_tail(path)
        if torn is not None:
            raise BjtrackError(Problem(
                f"refusing to append behind a damaged last record: {torn.message}",
                file=torn.file, line=torn.line,
                hint="run `bjtrack check --repair` to move it to a backup file, then log again"))
        _append_bytes(path, block)


def append_records(path: Path, records: Sequence[Record],
                   render: Callable[[Record], str] | None = None) -> None:
    """Append many records at once (import): all or none of them land. `render` may
    replace `framed(record, record_block(record))` with a faster writer of the same text."""
    if not records:
        return
    with locked(path):
        write_records(path, records, render)


def write_records(path: Path, records: Sequence[Record],
                  render: Callable[[Record], str] | None = None) -> None:
    """`append_records` for a caller that holds the lock already (an import checks what
    the file holds and writes in one hold of it)."""
    torn = check_tail(path)
    if torn is not None:
        raise BjtrackError(Problem(
            f"refusing to append behind a damaged last record: {torn.message}",
            file=torn.file, line=torn.line, hint="run `bjtrack check --repair` first"))
    write = render or _framed_block
    if len(records) == 1:
        _append_bytes(path, write(records[0]).encode("utf-8"))
    elif records:
        _append_together(path, records, write)


def _framed_block(record: Record) -> str:
    return framed(record, record_block(record))


def _append_together(path: Path, records: Sequence[Record],
                     write: Callable[[Record], str]) -> None:
    """Several records land together or not at all. An append cut short by a crash would
    leave the first of them whole (only the last one torn), so instead the file plus the
    new records is written beside it and renamed over it: the old bytes stay exactly as
    they were, and a crash leaves either the old file or the new one. The old bytes are
    copied by the kernel and the new ones written a batch at a time: memory stays flat
    however big the file or the import."""

    def fill(handle: BinaryIO) -> None:
        if not _copy_into(path, handle):
            handle.write(RECORDS_HEADER.encode())
        batch: list[str] = []
        for record in records:
            batch += ("\n", write(record))
            if len(batch) >= 2000:
                handle.write("".join(batch).encode("utf-8"))
                batch.clear()
        handle.write("".join(batch).encode("utf-8"))

    _replace(path, fill)


def _copy_into(path: Path, handle: BinaryIO) -> int:
    """Write the bytes of the file at `path` (none if there is no file) to `handle`, by the
    kernel where it can; how many there were."""
    try:
        source = path.open("rb")
    except FileNotFoundError:
        return 0
    with source:
        size = os.fstat(source.fileno()).st_size
        handle.flush()
        send = getattr(os, "sendfile", None)
        done = 0
        try:
            while send is not None and done < size:
                sent = send(handle.fileno(), source.fileno(), done, size - done)
                if not sent:
                    break
                done += sent
        except OSError:
            pass  # not between these two files: through memory below (a real error recurs)
        handle.seek(0, os.SEEK_END)  # past what the kernel wrote
        source.seek(done)
        shutil.copyfileobj(source, handle)
        return source.tell()


def _append_bytes(path: Path, block: bytes) -> None:
    created = not path.exists()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        size = os.fstat(fd).st_size
        payload = (RECORDS_HEADER.encode() if size == 0 else b"") + b"\n" + block
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, size)  # leave the file exactly as it was
            except OSError:
                pass  # what is left is a torn tail, which check reports and repair moves
            if created:
                path.unlink(missing_ok=True)
            raise _cannot_write(path, exc) from None
    finally:
        os.close(fd)
    if created:
        _fsync_dir(path.parent)


def _cannot_write(path: Path, exc: OSError) -> BjtrackError:
    return BjtrackError(Problem(
        f"cannot write: {exc.strerror or exc}", file=str(path),
        hint="free disk space or fix permissions; nothing was written"))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace a file's content all at once: temp file in the same folder, fsync, rename.
    A read-only file is refused, not replaced behind its owner's back."""
    _replace(path, lambda handle: handle.write(data))


def _replace(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """`atomic_write` of what `fill` writes to the temp file."""
    if path.exists() and not os.access(path, os.W_OK):
        raise BjtrackError(Problem("cannot write: the file is read-only", file=str(path),
                                   hint="make it writable first; nothing was changed"))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise BjtrackError(Problem(f"cannot write: {exc.strerror or exc}", file=str(path),
                                   hint="nothing was changed")) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:  # a new file gets the usual permissions, not mkstemp's private 0600
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise BjtrackError(Problem(f"cannot write: {exc.strerror}", file=str(path),
                                   hint="nothing was changed")) from None
    _fsync_dir(path.parent)


def repair(path: Path, stamp: str) -> Path | None:
    """Move a torn last block to `<records>.torn-<stamp>` and keep everything before it."""
    with locked(path):
        result = load_records(path)
        if result.torn is None or result.torn_offset is None:
            return None
        data = path.read_bytes()
        start = result.torn_offset
        frame = data.rfind(b"\n", 0, max(start - 1, 0)) + 1
        if data[frame:start].startswith(b"#"):  # the torn record's frame goes with it
            start = frame
        fragment = data[start:]
        backup = path.with_name(f"{path.name}.torn-{stamp}")
        atomic_write(backup, fragment)
        kept = data[:start]
        if kept.endswith(b"\n\n"):
            kept = kept[:-1]  # the blank line that separated the torn block
        atomic_write(path, kept)
        return backup
