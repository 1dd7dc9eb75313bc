"""Corrections at the same moment (issue 14): each command decides on the records it read
under the records file's lock, so two at once act as one after the other. Each race is run
RUNS times, its processes started together."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from datetime import date, datetime
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from bjtrack.domain.errors import BjtrackError
from bjtrack.domain.records import effective
from bjtrack.ops import corrections
from bjtrack.ops import load as loading
from bjtrack.ops.log import log_value

RUNS = 12 * (10 if os.environ.get("BJTRACK_SLOW") else 1)
NOW = datetime(2022, 8, 2, 9, 0, 0).astimezone()
PLAN = '[[target]]\nid = "gdp"\nname = "地区生产总值"\nunit = "亿元"\n'

Step = Callable[[loading.Loaded], object]


def _run(plan: str, step: Step, go: Event, out: multiprocessing.Queue[str]) -> None:
    loaded = loading.load(Path(plan))  # read before the others write, as a command would
    go.wait()
    try:
        step(loaded)
        out.put("ok")
    except BjtrackError as exc:
        out.put(exc.problems[0].key)


def _together(plan: Path, steps: list[Step]) -> list[str]:
    """Run each step in its own process, all let go at once; what each ended with."""
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    out: multiprocessing.Queue[str] = ctx.Queue()
    procs = [ctx.Process(target=_run, args=(str(plan), step, go, out)) for step in steps]
    for proc in procs:
        proc.start()
    go.set()
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=120)
        assert proc.exitcode == 0
    return sorted(results)


def _fresh_plan(folder: Path, figures: int) -> tuple[Path, list[str]]:
    folder.mkdir()
    plan = folder / "targets.toml"
    plan.write_text(PLAN, encoding="utf-8")
    ids = [log_value(loading.load(plan), "gdp", f"{100 + n}亿", date(2022, 1 + n, 28),
                     NOW.replace(minute=n), by="t").record.id for n in range(figures)]
    return plan, ids


def _records(plan: Path) -> tuple[object, ...]:
    loaded = loading.load(plan)
    return loaded.records.records


def test_two_undos_never_retract_the_same_record(tmp_path: Path) -> None:
    for run in range(RUNS):
        plan, ids = _fresh_plan(tmp_path / f"r{run}", 3)
        step: Step = lambda loaded: corrections.undo(loaded, NOW, by="t")  # noqa: E731
        assert _together(plan, [step, step]) == ["ok", "ok"]
        records = loading.load(plan).records.records
        retracted = [r.retracts for r in records if r.retracts]
        assert sorted(retracted) == sorted(ids[1:]), f"run {run}: {retracted}"
        assert [r.id for r in effective(records)] == ids[:1]


def test_two_amends_leave_one_current_figure(tmp_path: Path) -> None:
    for run in range(RUNS):
        plan, (first,) = _fresh_plan(tmp_path / f"r{run}", 1)
        steps: list[Step] = [
            lambda loaded, v=v, ref=first: corrections.amend(loaded, ref, v, NOW, by="t")
            for v in ("111亿", "222亿")]
        results = _together(plan, steps)
        assert results == ["err.replaced", "ok"], f"run {run}: {results}"
        current = effective(loading.load(plan).records.records)
        assert len(current) == 1 and current[0].revises == first


def test_rm_and_amend_of_one_record_do_not_both_succeed(tmp_path: Path) -> None:
    for run in range(RUNS):
        plan, (first,) = _fresh_plan(tmp_path / f"r{run}", 1)
        steps: list[Step] = [
            lambda loaded, ref=first: corrections.retract(loaded, ref, NOW, by="t"),
            lambda loaded, ref=first: corrections.amend(loaded, ref, "333亿", NOW, by="t")]
        results = _together(plan, steps)
        assert results.count("ok") == 1, f"run {run}: {results}"
        current = effective(loading.load(plan).records.records)
        # rm first: the amend finds it retracted, nothing is current; amend first: rm
        # finds it replaced, and the amendment is the current figure
        if "err.already_retracted" in results:
            assert current == [], f"run {run}: {current}"
        else:
            assert results == ["err.replaced", "ok"], f"run {run}: {results}"
            assert [r.revises for r in current] == [first], f"run {run}: {current}"


@pytest.mark.parametrize("count", [200])
def test_identical_logs_at_once_keep_one(tmp_path: Path, count: int) -> None:
    plan, _ = _fresh_plan(tmp_path / "p", 0)
    step: Step = lambda loaded: log_value(loaded, "gdp", "150亿", date(2022, 6, 30), NOW)  # noqa: E731
    assert _together(plan, [step] * count) == ["ok"] * count
    records = loading.load(plan).records.records
    assert len(records) == 1, f"{len(records)} records kept of {count} identical logs"


def test_records_read_in_full_are_read_again_only_if_the_file_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an index, a command that writes decides under the lock on the records it
    read only while the file is as it was then (not parsed twice); a figure another
    command appended in between is seen, and the same figure logged again is no second
    record."""
    import time

    monkeypatch.setenv("BJTRACK_NO_CACHE", "1")
    plan, ids = _fresh_plan(tmp_path / "p", 2)
    an_hour_ago = time.time() - 3600  # (a file written this very moment is read again)
    os.utime(plan.parent / "records.toml", (an_hour_ago, an_hour_ago))
    loaded = loading.load(plan)
    assert loaded.index is None
    with loading.decided(loaded) as current:
        assert current.records is loaded.records
    log_value(loading.load(plan), "gdp", "200亿", date(2022, 9, 30), NOW, by="other")
    with loading.decided(loaded) as current:
        assert [r.id for r in current.records.records][:2] == ids
        assert len(current.records.records) == 3
    again = log_value(loaded, "gdp", "200亿", date(2022, 9, 30), NOW, by="me")
    assert again.duplicate_of is not None
    assert len(_records(plan)) == 3
