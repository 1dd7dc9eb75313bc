"""Deterministic plans of any size for the benchmarks and the cache tests.

    python benchmarks/generate.py OUT_DIR --targets 1000 --records 100

writes OUT_DIR/targets.toml and OUT_DIR/records.toml: N entries of every kind (flows that
report year-to-date totals or increments, levels, `hold` shares, rates, multi-year annual
goals, yearly recurring targets, ceilings, seasonal paces, relative targets, derived growth
rates and indicators) and M records per entry, spread over 2016-2025 and appended in time
order, exactly as `bjtrack log` writes them. The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

FIRST_DAY = date(2016, 1, 1)
LAST_DAY = date(2025, 12, 31)
AS_OF = date(2025, 6, 30)  # the date the benchmarks judge on
HEADER = (
    "# bjtrack records: one [[record]] block per published figure, appended by `bjtrack log`.\n"
    "# Values are exact decimals in the base unit (元, 人, 家, %). Do not reorder blocks.\n"
    "# format = bjtrack-records/1\n"
)
# (kind label, unit of the records, extra TOML lines of the entry)
SHAPES: tuple[tuple[str, str, str], ...] = (
    ("flow", "元", 'target = "{big}亿元"\nkind = "flow"\nstart = 2025-01-01\n'
     "due = 2025-12-31\n"),
    ("sum", "家", 'target = "{small}家"\nkind = "flow"\naggregate = "sum"\n'
     "start = 2025-01-01\ndue = 2025-12-31\n"),
    ("level", "家", 'target = "{small}家"\nkind = "level"\ncomparison = ">"\n'
     "start = 2025-01-01\ndue = 2025-12-31\n"),
    ("hold", "%", 'target = "40%"\nhold = true\nkind = "rate"\nstart = 2025-01-01\n'
     "due = 2025-12-31\n"),
    ("rate", "%", 'target = "6%"\nkind = "rate"\nstart = 2025-01-01\ndue = 2025-12-31\n'),
    ("annual", "元", 'target = "{big}亿元"\nkind = "annual"\nstart = 2021-12-31\n'
     "due = 2025-12-31\n"),
    ("yearly", "元", 'target = "{big}亿元"\nkind = "flow"\nevery = "year"\n'
     "start = 2016-01-01\n"),
    ("ceiling", "%", 'target = "3%"\ncomparison = "<="\nkind = "rate"\n'
     "start = 2025-01-01\ndue = 2025-12-31\n"),
    ("seasonal", "元", 'target = "{big}亿元"\nkind = "flow"\nstart = 2025-01-01\n'
     "due = 2025-12-31\npace = [5, 6, 8, 8, 8, 10, 8, 8, 9, 9, 9, 12]\n"),
    ("indicator", "元", 'unit = "亿元"\n'),
)
GROUPS = ("创新", "产业", "民生", "生态", "开放")


def kinds(only: str | None) -> tuple[tuple[str, str, str], ...]:
    """The shapes a plan cycles through: all of them, or only the one labelled `only`."""
    if only is None:
        return SHAPES
    return tuple(shape for shape in SHAPES if shape[0] == only)


def series_shapes(targets: int, only: str | None = None) -> list[tuple[str, str, str]]:
    """(series id, kind label, unit) of each entry, in plan order."""
    out = []
    shapes = kinds(only)
    for n in range(targets):
        label, unit, _ = shapes[n % len(shapes)]
        out.append((f"s{n:06d}-{label}", label, unit))
    return out


def plan_text(targets: int, name: str = "基准计划", only: str | None = None) -> str:
    lines = [f'[plan]\nname = "{name} {targets}"\nrecords = "records.toml"\n']
    rng = random.Random(targets)
    shapes = series_shapes(targets, only)
    bodies = kinds(only)
    for n, (series, label, _unit) in enumerate(shapes):
        _, _, body = bodies[n % len(bodies)]
        group = GROUPS[(n // len(SHAPES)) % len(GROUPS)]
        lines.append(
            f'[[target]]\nid = "{series}"\nname = "指标{n:06d}（{label}）"\n'
            + body.format(big=rng.randint(50, 500), small=rng.randint(1000, 9000))
            + f'group = "{group}"\n')
        if label == "indicator" and n % 2:
            # a relative target and a derived growth rate reading this indicator
            lines.append(
                f'[[target]]\nid = "{series}-vs"\nname = "指标{n:06d}（相对）"\n'
                f'target = "series:{series}"\nseries = "{shapes[n - 1][0]}"\nkind = "level"\n'
                f'start = 2025-01-01\ndue = 2025-12-31\ngroup = "{group}"\n')
            lines.append(
                f'[[target]]\nid = "{series}-yoy"\nname = "指标{n:06d}（增速）"\n'
                f'target = "5%"\nkind = "rate"\nderive = "yoy"\nseries = "{series}"\n'
                f'start = 2025-01-01\ndue = 2025-12-31\ngroup = "{group}"\n')
    return "\n".join(lines)


def _value(rng: random.Random, label: str, k: int, per_year: int, level: int) -> str:
    if label in ("hold", "rate", "ceiling"):
        return f"{rng.randint(-50, 600) / 10:.1f}"
    if label == "sum":
        return str(rng.randint(1, 40))
    if label == "level":
        return str(level + k * 3)
    # year-to-date totals in 元 that grow through each year
    step = k % per_year + 1
    return str(rng.randint(1, 9) * 10**8 * step + rng.randint(0, 10**6))


def record_day(k: int, records: int, span: int) -> date:
    """Month ends (quarterly or monthly figures) up to 120 records, else every few days."""
    back = records - 1 - k
    if records <= 120:
        month = 119 - back * 120 // records
        first_next = date(2016 + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        return first_next - timedelta(days=1)
    return LAST_DAY - timedelta(days=back * span // (records - 1))


def record_blocks(targets: int, records: int, only: str | None = None) -> Iterator[str]:
    """Every record block, in the order they would have been logged (by date)."""
    shapes = series_shapes(targets, only)
    rng = random.Random(records * 7919 + targets)
    span = (LAST_DAY - FIRST_DAY).days
    per_year = max(1, records // 10)
    levels = [rng.randint(500, 5000) for _ in shapes]
    for k in range(records):
        day = record_day(k, records, span)
        for n, (series, label, unit) in enumerate(shapes):
            value = _value(rng, label, k, per_year, levels[n])
            hour = (n * 7 + k) % 24
            yield (f'[[record]]\nid = "g{n}-{k}"\nseries = "{series}"\ndate = {day.isoformat()}\n'
                   f'entered = "{value}"\nunit = "{unit}"\nsource = "统计月报 {day:%Y年%m月}"\n'
                   f'by = "bench"\nlogged = {day.isoformat()} {hour:02d}:00:00+08:00\n'
                   f'value = "{value}"\n')


def csv_rows(targets: int, records: int) -> Iterator[str]:
    """The same figures as CSV rows for `bjtrack import` (header first)."""
    yield "指标,日期,数值,来源\n"
    for block in record_blocks(targets, records):
        fields = dict(line.split(" = ", 1) for line in block.splitlines()[1:])
        value = fields["value"].strip('"') + fields["unit"].strip('"')
        yield f'{fields["series"].strip(chr(34))},{fields["date"]},{value},月报\n'


def write_plan(folder: Path, targets: int, records: int, only: str | None = None) -> Path:
    """Write targets.toml and records.toml into `folder` (every entry of the kind labelled
    `only`, if given: "sum" for summed flows); returns the plan's path."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = folder / "targets.toml"
    plan.write_text(plan_text(targets, only=only), encoding="utf-8")
    with (folder / "records.toml").open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(HEADER)
        chunk: list[str] = []
        for block in record_blocks(targets, records, only):
            chunk.append("\n" + block)
            if len(chunk) >= 10000:
                handle.write("".join(chunk))
                chunk.clear()
        handle.write("".join(chunk))
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--targets", type=int, default=1000, help="entries in the plan")
    parser.add_argument("--records", type=int, default=100, help="records per entry")
    parser.add_argument("--only", choices=[shape[0] for shape in SHAPES],
                        help="every entry of this kind (e.g. sum: summed flows)")
    args = parser.parse_args()
    plan = write_plan(args.folder, args.targets, args.records, args.only)
    print(f"{plan} ({args.targets} entries × {args.records} records)")


if __name__ == "__main__":
    main()
