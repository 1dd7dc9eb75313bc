"""CSV export: one row per target (every field of `status --format json`), or the records.

Numbers are written exactly (plain decimals in the base unit), dates as ISO text. Text
that a spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading
apostrophe; a real number such as -3.5 is a number field and is left alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bjtrack.domain.amounts import plain
from bjtrack.domain.model import Record, Report
from bjtrack.render.jsondata import indicator_fields, record_fields, status_fields

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d,]*)?(\.\d+)?%?$")


def inert(text: str) -> str:
    """Text that no spreadsheet will run as a formula: a leading apostrophe where needed.
    Text that reads as a plain number (-3.5, +2%) is left as it is."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def cell(value: Any) -> str:
    """One field as CSV text: exact numbers, ISO dates, true/false, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return inert("; ".join(_milestone(item) for item in value))
    return inert(str(value))


def _milestone(item: Any) -> str:
    """A milestone {date, value} as '2023-12-31 1234.5'."""
    if isinstance(item, Mapping):
        return f"{cell(item.get('date'))} {cell(item.get('value'))}"
    return cell(item)


def flatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Nested objects become prefixed columns: period -> period_start, period_due."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, Mapping):
            for sub, item in value.items():
                out[f"{key}_{sub}"] = item
        elif key == "period" and value is None:
            out["period_start"] = None
            out["period_due"] = None
        else:
            out[key] = value
    return out


def status_rows(report: Report) -> list[dict[str, Any]]:
    """Targets, then indicators (with the target columns left empty), flattened."""
    rows = [flatten(status_fields(s)) for s in report.targets]
    columns = list(rows[0]) if rows else list(flatten(status_fields_template(report)))
    for status in report.indicators:
        fields = indicator_fields(status)
        row = dict.fromkeys(columns)
        row.update(fields)
        row["kind"] = status.target.kind.value
        rows.append(row)
    return rows


def status_fields_template(report: Report) -> dict[str, Any]:
    statuses = report.targets or report.indicators
    if not statuses:
        return {"id": None}
    return status_fields(statuses[0])


def record_rows(records: Iterable[Record], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per record: every field of `history --format json`, plus the target name."""
    rows = []
    for record in records:
        fields = record_fields(record)
        row = {"name": names.get(record.series, "")}
        row.update(fields)
        rows.append(row)
    return rows


def write(rows: Sequence[Mapping[str, Any]], bom: bool = False) -> str:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    if not rows:
        return out.getvalue()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = list(rows[0])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return out.getvalue()
