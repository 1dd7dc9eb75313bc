"""How long `bjtrack extract` takes on a 50-page report (the goal: under one second).

    .venv/bin/python benchmarks/extract.py            # library call and the whole command
    .venv/bin/python benchmarks/extract.py --pages 200

The report is built from the example texts in tests/data/extract, repeated with the
year changed so no two pages are the same, into a temporary folder (never the repo).
A page is about 1,500 characters; the command is timed as a fresh process. CPU time is the
steadier figure on a busy machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO / "tests" / "data" / "extract"
PAGE = 1500


def report(pages: int) -> str:
    pieces = [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.txt"))]
    text = "\n".join(pieces)
    out: list[str] = []
    size = 0
    page = 0
    while size < pages * PAGE:
        chunk = text.replace("2010年", f"{1990 + page % 30}年")
        out.append(chunk)
        size += len(chunk)
        page += 1
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = report(args.pages)
    sys.path.insert(0, str(REPO / "src"))
    from bjtrack.ops.extract import draft_plan

    times = []
    cpu = []
    for _ in range(args.runs):
        start, used = time.perf_counter(), time.process_time()
        draft = draft_plan(text, 2010)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
    print(f"{len(text):,} characters (~{args.pages} pages): draft_plan "
          f"{statistics.median(times) * 1000:.0f} ms wall, "
          f"{statistics.median(cpu) * 1000:.0f} ms CPU (medians), {len(draft.targets)} targets")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.txt"
        path.write_text(text, encoding="utf-8")
        runs = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bjtrack", "extract", str(path), "--year",
                            "2010", "--format", "json"], check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
    print(f"bjtrack extract (fresh process, json): {statistics.median(runs) * 1000:.0f} ms "
          "median")


if __name__ == "__main__":
    main()
