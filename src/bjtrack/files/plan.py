"""The plan file (targets.toml): read, validated, every problem reported at once."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from bjtrack.domain.amounts import PERCENT
from bjtrack.domain.errors import BjtrackError, Problem, problem
from bjtrack.domain.model import Kind, Plan, Target
from bjtrack.files.paths import (
    RECORDS_FILE,
    chosen_records,
    header_lines,
    inside_folder,
    loads_toml,
    read_text,
    toml_problem,
    unknown_key,
)
from bjtrack.files.plan_fields import (
    TARGET_KEYS,
    Fields,
    decimal_setting,
    parse_target,
    time_basis,
)

__all__ = ["PLAN_KEYS", "TARGET_KEYS", "load_plan"]

PLAN_KEYS = frozenset({
    "name", "source", "published", "records", "at_risk_band", "stale_days",
    "cagr_on_track", "cagr_at_risk", "time",
})


def load_plan(path: Path) -> Plan:
    """Read and validate targets.toml; report every problem at once."""
    file = str(path)
    text = read_text(path).removeprefix("\ufeff")  # Notepad's byte-order mark
    try:
        data = loads_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise BjtrackError(toml_problem(exc, file, source=text)) from None
    problems: list[Problem] = []
    meta = data.get("plan", {})
    if not isinstance(meta, dict):
        meta = {}
        problems.append(problem("err.plan.meta_table", file=file))
    entries = data.get("target", [])
    if not isinstance(entries, list):
        problems.append(problem("err.plan.target_array", hint_key="hint.plan.target_array",
                                file=file))
        entries = []
    for key in data:
        if key not in ("plan", "target"):
            problems.append(problem("err.top_key", hint_key="hint.plan.top_keys", file=file,
                                    field=key))
    targets = _targets(entries, header_lines(text, "[[target]]"), file, problems)
    targets = _relative_units(targets)
    _check_series(targets, file, problems)
    plan_meta = _parse_plan_meta(meta, path, problems)
    if problems:
        raise BjtrackError(*problems)
    return Plan(targets=tuple(targets), **plan_meta)


def _targets(entries: list[Any], lines: list[int], file: str, problems: list[Problem]
             ) -> list[Target]:
    targets: list[Target] = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if len(lines) == len(entries) else None
        raw_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(raw_id, str) and raw_id in seen:
            problems.append(problem("err.plan.duplicate_id", hint_key="hint.plan.unique_id",
                                    file=file, line=line, id=raw_id, first=seen[raw_id]))
            continue
        if isinstance(raw_id, str):
            seen[raw_id] = line
        parsed = parse_target(entry, Fields(file, line, problems))
        if parsed is not None:
            targets.append(parsed)
    return targets


def _parse_plan_meta(meta: Mapping[str, Any], path: Path, problems: list[Problem]
                     ) -> dict[str, Any]:
    file = str(path)
    out: dict[str, Any] = {"path": path}
    for key in meta:
        if key not in PLAN_KEYS:
            problems.append(unknown_key(key, PLAN_KEYS, "[plan]", file, None))
    for key in ("name", "source"):
        if key in meta:
            out[key] = str(meta[key])
    if "published" in meta:
        out["published"] = Fields(file, None, problems).date_value(meta["published"],
                                                                   "published")
    out["records_path"] = _records_path(meta, path, problems)
    for key in ("at_risk_band", "cagr_on_track", "cagr_at_risk"):
        if key in meta:
            number = decimal_setting(meta[key])
            if number is None or not 0 <= number <= 1:
                problems.append(problem("err.plan.share", hint_key="hint.plan.share",
                                        file=file, field=key))
            else:
                out[key] = number
    if "time" in meta:
        basis = time_basis(meta["time"], Fields(file, None, problems))
        if basis is not None:
            out["time"] = basis
    if "stale_days" in meta:
        days = meta["stale_days"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            problems.append(problem("err.plan.stale_days", hint_key="hint.plan.stale_days",
                                    file=file))
        else:
            out["stale_days"] = days
    return out


def _records_path(meta: Mapping[str, Any], path: Path, problems: list[Problem]) -> Path:
    """The records file: the one the person chose for this run (`--records-file`), which
    may lie anywhere, else the plan's, which must lie in the plan's folder (a plan may come
    from a cloned repository: it names no file outside its folder)."""
    chosen = chosen_records()
    if chosen is not None:
        return chosen
    records = path.parent / str(meta.get("records", RECORDS_FILE))
    if not inside_folder(path.parent, records):
        problems.append(problem("err.plan.records_outside", hint_key="hint.plan.records_outside",
                                file=str(path), path=str(records)))
    return records


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
        line = target.source.line if target.source else None
        if target.relative_to and target.relative_to not in ids:
            problems.append(problem("err.plan.relative_unknown",
                                    hint_key="hint.plan.relative_unknown", file=file,
                                    line=line, id=target.id, series=target.relative_to))
        if target.derive:
            continue
        seen = units.setdefault(target.series, (target.unit, target.id))
        if target.unit and seen[0] and seen[0] != target.unit:
            problems.append(problem("err.plan.series_units", hint_key="hint.plan.series_units",
                                    file=file, line=line, id=target.id, series=target.series,
                                    unit=target.unit, other=seen[1], other_unit=seen[0]))
