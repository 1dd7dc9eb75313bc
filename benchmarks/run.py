"""Measure every performance goal side by side in one run and print each ratio.

    .venv/bin/python benchmarks/run.py              # everything (the 1M-record plan too)
    .venv/bin/python benchmarks/run.py --quick      # skip the 1,000,000-record plan
    .venv/bin/python benchmarks/run.py --runs 9     # more runs per measurement

Each command runs as a fresh process, as a person would run it; the runs of the two
sides of a ratio alternate, and each figure is the median of the runs: wall time, CPU
time (user + system, steadier on a busy machine) and peak memory (max RSS). Plans are
generated (benchmarks/generate.py) into a temporary folder, never into the repository.
hledger and ledger are measured when installed (`apt-get install hledger ledger`).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

BIN = Path(sys.executable).parent
BJTRACK = str(BIN / "bjtrack") if (BIN / "bjtrack").exists() else "bjtrack"
SHIPPED_AS_OF = "2022-06-30"
AS_OF = generate.AS_OF.isoformat()

MINIMAL_APP = '''\
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()


@app.command()
def status() -> None:
    """Print a one-row table."""
    table = Table(title="status")
    table.add_column("name")
    table.add_column("value", justify="right")
    table.add_row("区内全年投资", "150亿元")
    Console().print(table)


if __name__ == "__main__":
    app()
'''


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss: int  # peak resident memory, KiB


@dataclass(frozen=True)
class Measure:
    label: str
    runs: tuple[Run, ...]

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss(self) -> int:
        return int(statistics.median(r.rss for r in self.runs))


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(NO_COLOR="1", COLUMNS="120", LANG="C.UTF-8", BJTRACK_LANG="en")
    for var in ("BJTRACK_FILE", "BJTRACK_TODAY", "BJTRACK_NO_CACHE"):
        env.pop(var, None)
    return env


def run_once(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
             check: bool = True) -> Run:
    """One process, its wall time, CPU time and peak memory (from wait4)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env or environment(), stdout=null,
                                stderr=subprocess.PIPE)
        assert proc.stderr is not None
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.returncode = os.waitstatus_to_exitcode(status)
    if check and proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}\n{err}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def side_by_side(runs: int, *sides: tuple[str, Callable[[], Run]]) -> list[Measure]:
    """Alternate the sides run by run (after one warm-up each), so that a busy moment of
    the machine weighs on all of them alike."""
    for _, fn in sides:
        fn()
    results: list[list[Run]] = [[] for _ in sides]
    for _ in range(runs):
        for n, (_, fn) in enumerate(sides):
            results[n].append(fn())
    return [Measure(label, tuple(r)) for (label, _), r in zip(sides, results, strict=True)]


@dataclass
class Row:
    goal: str
    measured: Measure
    base: Measure | None
    limit: float | None = None
    note: str = ""

    def ratio(self, cpu: bool = False) -> float | None:
        if self.base is None:
            return None
        if cpu:
            return self.measured.cpu / self.base.cpu
        return self.measured.wall / self.base.wall


ROWS: list[Row] = []


def report_row(row: Row) -> None:
    ROWS.append(row)
    print(format_row(row), flush=True)


def format_row(row: Row) -> str:
    m, b = row.measured, row.base
    text = f"{row.goal}\n    {m.label}: {m.wall * 1000:.0f} ms (cpu {m.cpu * 1000:.0f} ms, " \
           f"{m.rss / 1024:.0f} MB)"
    if b is not None:
        ratio, ratio_cpu = row.ratio(), row.ratio(cpu=True)
        assert ratio is not None and ratio_cpu is not None
        text += (f"\n    {b.label}: {b.wall * 1000:.0f} ms (cpu {b.cpu * 1000:.0f} ms, "
                 f"{b.rss / 1024:.0f} MB)\n    ratio {ratio:.2f}× wall, {ratio_cpu:.2f}× cpu")
        if row.limit is not None:
            verdict = "ok" if ratio <= row.limit else "OVER"
            text += f"  (goal ≤ {row.limit:g}×: {verdict})"
    if row.note:
        text += f"\n    {row.note}"
    return text


def summary_table() -> str:
    lines = ["| goal | measured (median) | baseline (median) | ratio wall | ratio cpu | goal |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in ROWS:
        m, b = row.measured, row.base
        base = f"{b.wall * 1000:.0f} ms" if b else ""
        ratio, ratio_cpu = row.ratio(), row.ratio(cpu=True)
        lines.append(
            f"| {row.goal} | {m.wall * 1000:.0f} ms, {m.rss / 1024:.0f} MB | {base} | "
            f"{f'{ratio:.2f}×' if ratio is not None else ''} | "
            f"{f'{ratio_cpu:.2f}×' if ratio_cpu is not None else ''} | "
            f"{f'≤ {row.limit:g}×' if row.limit is not None else row.note} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- set-up

def make_plan(root: Path, name: str, targets: int, records: int,
              only: str | None = None) -> Path:
    folder = root / name
    started = time.perf_counter()
    generate.write_plan(folder, targets, records, only)
    size = (folder / "records.toml").stat().st_size / 1e6
    print(f"  generated {name}: {targets} entries × {records} records, {size:.0f} MB, "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


def bj(folder: Path, *args: str) -> list[str]:
    return [BJTRACK, "--file", str(folder / "targets.toml"), *args]


def shipped_copy(root: Path) -> Path:
    folder = root / "shipped"
    folder.mkdir()
    for name in ("targets.toml", "records.toml"):
        shutil.copy(REPO / name, folder / name)
    return folder


def drop_cache(folder: Path) -> None:
    """No cache at all, as in a fresh clone: the plan memo beside the plan and the records
    index in the user's cache folder."""
    from bjtrack.index.sqlite import cache_path, discard

    shutil.rmtree(folder / ".bjtrack-cache", ignore_errors=True)
    discard(cache_path(folder / "records.toml"))


# --------------------------------------------------------------------------- goals

def goal_startup(root: Path, shipped: Path, runs: int) -> None:
    app = root / "minimal_app.py"
    app.write_text(MINIMAL_APP, encoding="utf-8")
    python = sys.executable
    status, minimal, version, bare = side_by_side(
        runs,
        ("bjtrack status (shipped plan, table)",
         lambda: run_once(bj(shipped, "status", "--as-of", SHIPPED_AS_OF), shipped)),
        ("minimal Typer app, one-row Rich table", lambda: run_once([python, str(app)], root)),
        ("bjtrack --version", lambda: run_once([BJTRACK, "--version"], root)),
        ("python -c pass", lambda: run_once([python, "-c", "pass"], root)),
    )
    report_row(Row("1. start-up: status on the shipped plan vs a minimal Typer app", status,
                   minimal, 1.3))
    report_row(Row("1b. bjtrack --version (fast path) vs a minimal Typer app", version,
                   minimal))
    report_row(Row("1c. python -c pass (the interpreter's floor)", bare, minimal))


def goal_100k(root: Path, shipped: Path, runs: int) -> Path:
    big = make_plan(root, "plan-100k", 1000, 100)
    json_args = ("status", "--format", "json", "--as-of", AS_OF)
    run_once(bj(big, *json_args), big)  # build the index once
    counter = iter(range(10**6))

    def after_log() -> Run:
        n = next(counter)
        day = f"2025-05-{n % 28 + 1:02d}"
        run_once(bj(big, "log", "s000001-sum", str(n % 50 + 1), "--date", day,
                    "--note", f"bench {n}", "--by", "bench", "--exact"), big)
        return run_once(bj(big, *json_args), big)

    def cold() -> Run:
        drop_cache(big)
        return run_once(bj(big, *json_args), big)

    shipped_json, warm, fresh = side_by_side(
        runs,
        ("status --format json, shipped plan",
         lambda: run_once(bj(shipped, "status", "--format", "json", "--as-of",
                             SHIPPED_AS_OF), shipped)),
        ("status --format json, 100k records, right after a log", after_log),
        ("status --format json, 100k records, no cache (fresh clone)", cold),
    )
    report_row(Row("2a. 100,000 records: status right after a log", warm, shipped_json, 2))
    report_row(Row("2b. 100,000 records: status with no cache at all", fresh, shipped_json, 6))

    def log_on(folder: Path, target: str) -> Callable[[], Run]:
        def run() -> Run:
            n = next(counter)
            return run_once(bj(folder, "log", target, str(n % 90 + 1), "--date",
                               f"2025-06-{n % 28 + 1:02d}", "--by", "bench", "--exact",
                               "--force"), folder)
        return run

    def status_then_log() -> Run:  # as people work: look, then log
        run_once(bj(big, *json_args), big)
        return log_on(big, "s000001-sum")()

    log_small, log_big, log_after = side_by_side(
        runs, ("log, shipped plan", log_on(shipped, "new-firms")),
        ("log, 100k-record plan", log_on(big, "s000001-sum")),
        ("log right after a status, 100k-record plan", status_then_log))
    report_row(Row("4. log on the 100,000-record plan vs the shipped plan", log_big, log_small,
                   1.2))
    report_row(Row("4b. the same right after a status", log_after, log_small, 1.2))

    table_args = ("status", "--as-of", AS_OF)
    small_table, big_table, big_json = side_by_side(
        runs,
        ("status table, shipped plan",
         lambda: run_once(bj(shipped, "status", "--as-of", SHIPPED_AS_OF), shipped)),
        ("status table, 1,000 targets", lambda: run_once(bj(big, *table_args), big)),
        ("status --format json, 1,000 targets", lambda: run_once(bj(big, *json_args), big)),
    )
    report_row(Row("5. status table for 1,000 targets vs the shipped plan's table", big_table,
                   small_table, 4))
    report_row(Row("5b. status --format json for 1,000 targets (no rendering) vs the same "
                   "table", big_json, big_table))
    return big


def goal_import(root: Path, shipped: Path, runs: int) -> None:
    folder = root / "import-100k"
    folder.mkdir()
    (folder / "targets.toml").write_text(generate.plan_text(1000), encoding="utf-8")
    csv_path = root / "figures.csv"
    with csv_path.open("w", encoding="utf-8") as handle:
        handle.writelines(generate.csv_rows(1000, 100))

    def fresh_import() -> Run:
        for name in ("records.toml", "records.toml.lock"):
            (folder / name).unlink(missing_ok=True)
        drop_cache(folder)
        return run_once(bj(folder, "import", str(csv_path), "--by", "bench"), folder)

    shipped_json, imported = side_by_side(
        max(1, runs // 2),
        ("status --format json, shipped plan",
         lambda: run_once(bj(shipped, "status", "--format", "json", "--as-of",
                             SHIPPED_AS_OF), shipped)),
        ("import of 100,000 CSV rows", fresh_import))
    report_row(Row("7. import of 100,000 CSV rows vs status on the shipped plan", imported,
                   shipped_json, 10))
    import_memory(root, folder, imported)


def import_memory(root: Path, folder: Path, small: Measure) -> None:
    """Peak memory of an import is flat in its rows: 400,000 rows against the 100,000 of
    goal 7 (one run: memory barely varies), then the same 400,000 again, every one a
    duplicate found in the records file's index (built first by a status: building it is
    not the import's memory)."""
    csv_path = root / "figures-400k.csv"
    with csv_path.open("w", encoding="utf-8") as handle:
        handle.writelines(generate.csv_rows(1000, 400))
    for name in ("records.toml", "records.toml.lock"):
        (folder / name).unlink(missing_ok=True)
    drop_cache(folder)
    big = run_once(bj(folder, "import", str(csv_path), "--by", "bench"), folder)
    run_once(bj(folder, "status", "--format", "json", "--as-of", AS_OF), folder)
    again = run_once(bj(folder, "import", str(csv_path), "--by", "bench"), folder)
    print(f"    peak memory: 100,000 rows {small.rss / 1024:.0f} MB, 400,000 rows "
          f"{big.rss / 1024:.0f} MB ({big.rss / small.rss:.2f}×; flat: ≤ 1.3×), "
          f"400,000 again, all duplicates (index built) {again.rss / 1024:.0f} MB "
          f"({big.wall:.1f} s and {again.wall:.1f} s)", flush=True)
    ROWS.append(Row("7b. import's peak memory, 400,000 vs 100,000 rows",
                    Measure("import of 400,000 CSV rows", (big,)), None,
                    note=f"{big.rss / small.rss:.2f}× (flat: ≤ 1.3×)"))


def goal_sums(root: Path, shipped: Path, runs: int) -> None:
    """Summed targets read their sums from the index: status on 100,000 records over 1,000
    summed flows, warm and right after a log, against the shipped plan's status."""
    sums = make_plan(root, "plan-sums", 1000, 100, only="sum")
    json_args = ("status", "--format", "json", "--as-of", AS_OF)
    run_once(bj(sums, *json_args), sums)  # build the index once
    counter = iter(range(10**6))

    def after_log() -> Run:
        n = next(counter)
        run_once(bj(sums, "log", "s000001-sum", str(n % 50 + 1), "--date",
                    f"2025-05-{n % 28 + 1:02d}", "--by", "bench", "--exact"), sums)
        return run_once(bj(sums, *json_args), sums)

    shipped_json, warm, logged = side_by_side(
        runs,
        ("status --format json, shipped plan",
         lambda: run_once(bj(shipped, "status", "--format", "json", "--as-of",
                             SHIPPED_AS_OF), shipped)),
        ("status --format json, 1,000 summed targets, 100k records",
         lambda: run_once(bj(sums, *json_args), sums)),
        ("status --format json, 1,000 summed targets, right after a log", after_log),
    )
    report_row(Row("8. 1,000 summed targets over 100,000 records: status", warm,
                   shipped_json, 2))
    report_row(Row("8b. 1,000 summed targets: status right after a log", logged,
                   shipped_json, 2))


def goal_million(root: Path, shipped: Path, runs: int) -> None:
    huge = make_plan(root, "plan-1m", 1000, 1000)
    json_args = ("status", "--format", "json", "--as-of", AS_OF)
    started = time.perf_counter()
    first = run_once(bj(huge, *json_args), huge)
    print(f"  first status on 1M records (builds the index): {time.perf_counter() - started:.1f}"
          f" s, {first.rss / 1024:.0f} MB", flush=True)
    time.sleep(2.1)  # past the window in which a file just written is re-hashed
    shipped_json, warm = side_by_side(
        max(3, runs // 2),
        ("status --format json, shipped plan",
         lambda: run_once(bj(shipped, "status", "--format", "json", "--as-of",
                             SHIPPED_AS_OF), shipped)),
        ("status --format json, 1M records, warm cache",
         lambda: run_once(bj(huge, *json_args), huge)))
    report_row(Row("3. 1,000,000 records, warm cache (peak memory goal ≤ 300 MB)", warm,
                   shipped_json, 3, note=f"peak memory {warm.rss / 1024:.0f} MB"))


def journal(root: Path, accounts: int, postings: int) -> Path:
    """The same amount of data for hledger/ledger: postings over accounts, with a yearly
    budget rule for each account."""
    path = root / "peers.journal"
    with path.open("w", encoding="utf-8") as out:
        out.write("~ yearly\n")
        for a in range(accounts):
            out.write(f"    expenses:a{a:04d}    {1000 + a} CNY\n")
        out.write("    assets:bank\n\n")
        per = postings // accounts
        for k in range(per):
            day = generate.record_day(k, per, (generate.LAST_DAY - generate.FIRST_DAY).days)
            for a in range(accounts):
                out.write(f"{day.isoformat()} figure {k}\n    expenses:a{a:04d}    "
                          f"{(a * 7 + k) % 97 + 1} CNY\n    assets:bank\n\n")
    return path


def goal_peers(root: Path, big: Path, runs: int) -> None:
    tools = {name: shutil.which(name) for name in ("hledger", "ledger")}
    if not any(tools.values()):
        print("6. peers: neither hledger nor ledger is installed (apt-get install hledger "
              "ledger); skipped", flush=True)
        return
    path = journal(root, 1000, 100_000)
    json_args = ("status", "--format", "json", "--as-of", AS_OF)
    sides: list[tuple[str, Callable[[], Run]]] = [
        ("bjtrack status, 100k records, warm", lambda: run_once(bj(big, *json_args), big))]
    hledger, ledger = tools["hledger"], tools["ledger"]
    if hledger:
        sides.append(("hledger balance --budget -Y", lambda: run_once(
            [hledger, "-f", str(path), "balance", "--budget", "-Y"], root)))
    if ledger:
        sides.append(("ledger balance", lambda: run_once(
            [ledger, "-f", str(path), "balance"], root)))
        sides.append(("ledger budget -Y", lambda: run_once(
            [ledger, "-f", str(path), "budget", "-Y"], root)))
    measures = side_by_side(max(1, runs // 2), *sides)
    ours, peers = measures[0], {m.label: m for m in measures[1:]}
    for label, measure in peers.items():
        limit = 1.0 if label == "ledger balance" else None
        note = ""
        if label.startswith("hledger"):
            note = (f"memory: bjtrack {ours.rss / 1024:.0f} MB vs hledger "
                    f"{measure.rss / 1024:.0f} MB (goal ≤ 1/3: "
                    f"{'ok' if ours.rss * 3 <= measure.rss else 'OVER'})")
        report_row(Row(f"6. peers: bjtrack warm status vs {label}", ours, measure, limit,
                       note))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement")
    parser.add_argument("--quick", action="store_true", help="skip the 1M-record plan")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--only", nargs="+", metavar="GOAL",
                        choices=("startup", "100k", "import", "peers", "sums", "million"),
                        help="run only these groups of goals")
    args = parser.parse_args()
    only = set(args.only or ())

    def wanted(name: str) -> bool:
        return not only or name in only

    # bytecode for bjtrack's own modules, as an installed package has it: an editable
    # install under PYTHONDONTWRITEBYTECODE would compile them again in every run
    compileall.compile_dir(REPO / "src", quiet=1)
    root = Path(tempfile.mkdtemp(prefix="bjtrack-bench-"))
    print(f"bjtrack benchmarks in {root} ({os.cpu_count()} CPUs, {args.runs} runs each)\n",
          flush=True)
    try:
        shipped = shipped_copy(root)
        if wanted("startup"):
            goal_startup(root, shipped, args.runs)
        if wanted("100k") or wanted("peers"):
            big = goal_100k(root, shipped, args.runs)
            if wanted("peers"):
                goal_peers(root, big, args.runs)
        if wanted("import"):
            goal_import(root, shipped, args.runs)
        if wanted("sums"):
            goal_sums(root, shipped, args.runs)
        if not args.quick and wanted("million"):
            goal_million(root, shipped, args.runs)
        print("\n" + summary_table())
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
