"""The validated plan, remembered beside it: `.bjtrack-cache/<plan file>.plan.json`.

A plan of a thousand targets takes a fraction of a second to parse and check, which every
`log` and `status` would pay. A plan file read before, byte for byte the same and by the
same code, is rebuilt from its memo instead; anything else is parsed again (and a plan with
a problem is never remembered). Like the records index, the memo can make reads faster,
never different: delete it and the answer is the same.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import MISSING, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from bjtrack.domain import amounts, dates, model
from bjtrack.domain.model import Kind, Plan, Source, Target, built
from bjtrack.files import store

FORMAT = "bjtrack-plan-memo/1"
_T = TypeVar("_T")


def load_plan(path: Path) -> Plan:
    """`store.load_plan`, remembered: a plan file read and validated before, byte for byte
    the same (and by the same code), is rebuilt from `.bjtrack-cache/<name>.plan.json`
    instead of being parsed again. A thousand targets take a fraction of a second to
    parse, which every `log` and `status` would pay."""
    if not store.cache_enabled():
        return store.load_plan(path)
    try:
        data = path.read_bytes()
    except OSError:
        return store.load_plan(path)  # it reports the problem
    memo = path.parent / store.CACHE_DIR / f"{path.name}.plan.json"
    key = _plan_key(path, data)
    try:
        saved = json.loads(memo.read_text(encoding="utf-8"))
        if saved["key"] == key:
            return _thaw(saved["plan"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
        pass
    plan = store.load_plan(path)  # raises on any problem: nothing is remembered then
    try:
        text = json.dumps({"key": key, "plan": _freeze(plan)}, ensure_ascii=False)
        memo.parent.mkdir(exist_ok=True)
        temp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, memo)
    except (OSError, TypeError):
        pass
    return plan


def _plan_key(path: Path, data: bytes) -> str:
    """What the validated plan depends on: the file as named, its bytes, and the code."""
    code = [f"{p.stat().st_size}:{p.stat().st_mtime_ns}"
            for p in (Path(store.__file__), Path(__file__), Path(model.__file__),
                      Path(amounts.__file__), Path(dates.__file__))]
    digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    return "|".join([FORMAT, str(path), digest, *code])


def _freeze(plan: Plan) -> dict[str, Any]:
    """The plan as JSON: the plan's own fields, then a row per target, each holding the
    fields that differ from their default, Decimals and dates as text."""
    return {"plan": _fields_of(plan, skip="targets"),
            "targets": [_fields_of(target) for target in plan.targets]}


def _fields_of(obj: Plan | Target, skip: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if f.name == skip or (type(value) is type(f.default) and value == f.default
                              and not isinstance(value, Decimal)):
            continue
        if isinstance(value, Decimal | Path | Kind):
            value = str(value)
        elif type(value) is date:
            value = value.isoformat()
        elif isinstance(value, tuple):  # a pace: twelve monthly shares
            value = [str(share) for share in value]
        elif isinstance(value, Source):
            value = [value.file, value.line]
        elif value is not None and type(value) not in (str, int, bool):
            raise TypeError(f"cannot remember a {type(value).__name__}")
        row[f.name] = value
    return row


def _kind(text: str) -> Kind:
    return _KINDS[text]


def _pace(value: list[str] | str) -> tuple[Decimal, ...] | str:
    return tuple(map(Decimal, value)) if isinstance(value, list) else value


def _source(value: list[Any]) -> Source:
    file, line = value
    return built(Source, {"file": file, "line": line})


_KINDS = {kind.value: kind for kind in Kind}
_AMOUNTS = dict.fromkeys(("at_risk_band", "cagr_on_track", "cagr_at_risk"), Decimal)
_DECODE: dict[Any, dict[str, Any]] = {  # the fields `_fields_of` turned into text, and back
    Plan: {"path": Path, "records_path": Path, "published": date.fromisoformat, **_AMOUNTS},
    Target: {**dict.fromkeys(("target", "baseline", "stretch", "tolerance"), Decimal),
             "start": date.fromisoformat, "due": date.fromisoformat, "kind": _kind,
             "pace": _pace, "source": _source}}
_DEFAULTS: dict[Any, dict[str, Any]] = {
    kind: {f.name: f.default for f in fields(kind) if f.default is not MISSING}
    for kind in (Plan, Target)}
_NAMES: dict[Any, set[str]] = {kind: {f.name for f in fields(kind)} for kind in (Plan, Target)}


def _thaw(saved: dict[str, Any]) -> Plan:
    """`_freeze` undone. Anything else raises (ValueError, KeyError, TypeError…)."""
    targets = tuple(_made(Target, row) for row in saved["targets"])
    return _made(Plan, dict(saved["plan"], targets=targets))


def _made(kind: type[_T], row: dict[str, Any]) -> _T:
    values = dict(_DEFAULTS[kind])
    decoders = _DECODE[kind]
    for name, value in row.items():
        decode = decoders.get(name)
        values[name] = value if decode is None or value is None else decode(value)
    if len(values) != len(_NAMES[kind]) or not values.keys() <= _NAMES[kind]:
        raise TypeError(f"not a {kind.__name__}")  # as kind(**values) would: read again
    return built(kind, values)
