"""JSON output. Field names are a contract: see the README. Numbers are written exactly
from their Decimal (1056.2 stays 1056.2), never through a float."""

from __future__ import annotations

import functools
import json as _json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from bjtrack.domain.amounts import plain
from bjtrack.domain.model import Record, Report, Status, Target
from bjtrack.render.words import describe

CENTS = Decimal("0.01")


def computed(value: Decimal | None) -> Decimal | None:
    """A computed amount (projection, run rate) rounded to 2 places in the base unit."""
    if value is None:
        return None
    # Room for every integer digit: 10^30-sized figures exceed the default 28.
    room = Context(prec=max(28, value.adjusted() + 4))
    return value.quantize(CENTS, rounding=ROUND_HALF_UP, context=room)


def status_fields(status: Status) -> dict[str, Any]:
    target = status.target
    period = status.period
    return {
        "id": target.id,
        "name": target.name,
        "group": target.group,
        "kind": target.kind.value,
        "unit": target.unit,
        "comparison": target.comparison,
        "target": status.target_value,
        "stretch": target.stretch,
        "tolerance": target.tolerance,
        "hold": target.hold,
        "relative_to": target.relative_to,
        "baseline": status.baseline if status.baseline is not None else target.baseline,
        "start": target.start,
        "due": target.due,
        "period": {"start": period.start, "due": period.due} if period else None,
        "actual": status.actual,
        "actual_date": status.actual_date,
        "records": status.records,
        "progress": status.progress,
        "time_elapsed": status.time_elapsed,
        "time_basis": status.time_basis,
        "expected_progress": status.expected,
        "stale": status.stale,
        "verdict": status.verdict.value if status.verdict else None,
        "projected": computed(status.projected),
        "gap": status.gap,
        "stretch_met": status.stretch_met,
        "within_tolerance": status.within_tolerance,
        "qualifier": status.qualifier,
        "rate": ("growth" if target.is_growth else "level") if target.unit == "%" else None,
        "remaining": computed(status.remaining),
        "required_rate": status.required_rate if target.kind.value == "annual"
        else computed(status.required_rate),
        "observed_rate": status.observed_rate,
        "no_progress": status.no_progress,
        "milestones": [{"date": d, "value": computed(v)} for d, v in status.milestones],
        "quote": target.quote,
    }


def target_fields(target: Target) -> dict[str, Any]:
    """A target's definition, as `bjtrack targets --format json` prints it."""
    return {
        "id": target.id,
        "name": target.name,
        "group": target.group,
        "kind": target.kind.value,
        "series": target.series,
        "unit": target.unit,
        "comparison": target.comparison,
        "target": target.target,
        "relative_to": target.relative_to,
        "stretch": target.stretch,
        "tolerance": target.tolerance,
        "baseline": target.baseline,
        "hold": target.hold,
        "every": target.every,
        "start": target.start,
        "due": target.due,
        "quote": target.quote,
        "line": target.source.line if target.source else None,
    }


def indicator_fields(status: Status) -> dict[str, Any]:
    target = status.target
    return {
        "id": target.id,
        "name": target.name,
        "group": target.group,
        "unit": target.unit,
        "actual": status.actual,
        "actual_date": status.actual_date,
        "records": status.records,
        "stale": status.stale,
        "quote": target.quote,
    }


def report_data(report: Report) -> dict[str, Any]:
    return {
        "as_of": report.as_of,
        "targets": [status_fields(s) for s in report.targets],
        "indicators": [indicator_fields(s) for s in report.indicators],
        "warnings": [describe(p, "en") for p in report.warnings],
    }


def record_fields(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "series": record.series,
        "date": record.date,
        "value": record.value,
        "unit": record.unit,
        "vintage": record.vintage,
        "entered": record.entered,
        "note": record.note,
        "source": record.source,
        "by": record.by,
        "logged": record.logged,
        "revises": record.revises or None,
        "retracts": record.retracts or None,
        "line": record.origin.line if record.origin else None,
    }


_string = _json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes
_SCALARS: dict[type, Any] = {
    str: _string,
    type(None): lambda _: "null",
    bool: lambda value: "true" if value else "false",
    int: int.__repr__,
    Decimal: plain,
    date: lambda value: _string(value.isoformat()),
    datetime: lambda value: _string(value.isoformat()),
}


def _text(value: Any, indent: int) -> str:
    """`value` as JSON text, nested `indent` levels deep, indented as json.dumps(indent=2)
    does. A thousand targets make some 30,000 values: each scalar is written inline."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = _pad(indent + 1)
        heads = _HEADS
        return "{" + pad + ("," + pad).join([
            ((heads.get(key) if type(key) is str else None) or _head(key)) + (
                scalar(item) if (scalar := _SCALARS.get(type(item))) is not None
                else _text(item, indent + 1))
            for key, item in value.items()]) + _pad(indent) + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        pad = _pad(indent + 1)
        return "[" + pad + ("," + pad).join([_text(item, indent + 1) for item in value]) + \
            _pad(indent) + "]"
    scalar = _SCALARS.get(type(value))
    if scalar is not None:
        return str(scalar(value))
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime | date):
        return _string(value.isoformat())
    return _json.dumps(value, ensure_ascii=False)


_HEADS: dict[str, str] = {}  # '"key": ' of each key (a plain str) written so far


def _head(key: object) -> str:
    head = _string(str(key)) + ": "
    if type(key) is str:
        _HEADS[key] = head
    return head


@functools.cache
def _pad(indent: int) -> str:
    return "\n" + "  " * indent


def dumps(data: Any) -> str:
    """JSON text with Decimals written as exact numbers."""
    return _text(data, 0)
