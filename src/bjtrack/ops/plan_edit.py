"""`bjtrack init`, `target add` and `target edit`: starting a plan and editing its targets.

Plan edits are validated with `plan_file.load_plan` before the file is replaced atomically, so
an invalid targets.toml is never left behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from bjtrack.domain.errors import BjtrackError, Problem, UsageError, given_as, os_reason, problem
from bjtrack.domain.model import Plan, Target
from bjtrack.files import paths, writing
from bjtrack.files import plan as plan_file
from bjtrack.files import records as records_file
from bjtrack.ops.load import resolve_target

EXAMPLES = ("binjiang-2022",)
GITATTRIBUTES_LINE = f"{paths.RECORDS_FILE} merge=union"
GITIGNORE_LINES = ("*.lock",)  # and the records index folder, see init_plan

# --------------------------------------------------------------------------- init

BLANK_PLAN = """\
# bjtrack plan: the targets to track, one [[target]] table each.
# `bjtrack target add` appends targets here; `bjtrack check` validates this file.
# Figures are logged with `bjtrack log TARGET VALUE` into the records file.

[plan]
name = "{name}"          # shown in report titles
# source = "…"           # the document the targets come from
# published = 2022-08-05 # when it was published
# records = "records.toml"   # the records file, relative to this one (default)
# at_risk_band = 0.9     # 略有滞后 (at risk) when progress >= 0.9 x time elapsed
# stale_days = 45        # a figure older than this many days is marked stale
# cagr_on_track = 0.95   # multi-year goals: on track when observed/required growth >= this
# cagr_at_risk = 0.6     # … and at risk when it is at least this

# Each target is one [[target]] table. Keys (id, name, start and due are required for a
# target; an entry without `target` is an indicator: tracked, no verdict, dates optional):
#
# [[target]]
# id = "investment"        # required: unique lowercase slug (a-z, 0-9, - and _)
# name = "区内全年投资"       # required: the name people use
# target = "300亿元"         # the amount with magnitude and unit; omit for an indicator;
#                          # "series:gdp-growth" keeps pace with another series
# comparison = ">"         # ">" (超), ">=" (default, 达到/不少于), "<", "<=" (ceiling), "~" (左右)
# start = 2022-01-01       # required for a target: the period begins
# due = 2022-12-31         # required for a target: the period ends
# kind = "flow"            # "flow" (default): accumulates from zero over the period;
#                          # "level": a stock that must reach the target (企业总量);
#                          # "rate": a % (share or growth; implied by a % target);
#                          # "annual": a multi-year goal on the final year's value
# unit = "亿元"              # an indicator's unit (a target takes its unit from `target`)
# stretch = "8%"           # a stretch level (力争) beyond the target
# tolerance = "0.5%"       # how close counts as met: the band of "~", the slack of 左右
# time = "days"            # 时间进度 by days; default "months", as reports count it
# rate = "growth"          # a rate target: "growth" (完成率 (100+actual)/(100+target)) or
#                          # "level" (a share: actual/target); default from the name
# every = "year"           # recurring: "year", "quarter" or "month", one period each
# derive = "yoy"           # a rate computed from level records, against a year before
# pace = "last-year"       # expected progress by date: "last-year" or 12 monthly shares
# aggregate = "latest"     # flows: "latest" (year-to-date totals, default) or "sum"
# baseline = "250亿元"      # optional value at start; progress is measured from it
# hold = false             # true: the level must hold at every record (保持…以上)
# series = "investment"    # the records this target reads (default: its id)
# group = "产业"             # a heading to group targets under
# quote = "…"              # the sentence the target comes from
# unit_note = "…"          # what the unit means, if not obvious
"""


@dataclass(frozen=True)
class Written:
    path: Path
    action: str  # "created" or "appended"


def example_files(name: str) -> tuple[str, str]:
    """The packaged example plan and its records, as text."""
    if name not in EXAMPLES:
        raise UsageError(given_as("--example", problem(
            "err.unknown_example", hint_key="hint.examples", name=name,
            names=", ".join(EXAMPLES))))
    folder = resources.files("bjtrack") / "examples"
    plan = (folder / f"{name}.toml").read_text(encoding="utf-8")
    records = (folder / f"{name}.records.toml").read_text(encoding="utf-8")
    return plan, records


def init_plan(folder: Path, example: str | None = None, name: str = "") -> list[Written]:
    """Write a new plan into `folder`: targets.toml, an empty (or the example's) records
    file, and the git settings a team needs. Refuses to overwrite a plan or records file."""
    plan_path = folder / paths.PLAN_FILE
    records_path = folder / paths.RECORDS_FILE
    existing = [p for p in (plan_path, records_path) if p.exists()]
    if existing:
        raise BjtrackError(*(problem("err.exists", hint_key="hint.exists", file=str(p))
                             for p in existing))
    if example:
        plan_text, records_text = example_files(example)
    else:
        plan_text = BLANK_PLAN.replace("{name}", (name or folder.resolve().name)
                                       .replace("\\", "\\\\").replace('"', '\\"'))
        records_text = records_file.RECORDS_HEADER
    made = _new_folders(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BjtrackError(problem("err.cannot_write", hint_key="hint.nothing_changed",
                                   why=os_reason(exc), file=str(folder))) from None
    settings = (folder / ".gitattributes", folder / ".gitignore")
    before = {path: path.read_bytes() if path.is_file() else None for path in settings}
    written: list[Written] = []
    try:
        for path, text in ((plan_path, plan_text), (records_path, records_text)):
            writing.atomic_write(path, text.encode("utf-8"))
            written.append(Written(path, "created"))
        for path, lines in zip(settings, ((GITATTRIBUTES_LINE,),
                                          (*GITIGNORE_LINES, paths.CACHE_DIR + "/")),
                               strict=True):
            result = _ensure_lines(path, lines)
            if result:
                written.append(result)
    except BjtrackError:  # a full disk: what this init wrote goes, so nothing has changed
        _take_back(written, before, made)
        raise
    return written


def _new_folders(folder: Path) -> list[Path]:
    """The folders `mkdir(parents=True)` of `folder` would make, deepest first."""
    missing = []
    for each in (folder, *folder.parents):
        if each.exists():
            break
        missing.append(each)
    return missing


def _take_back(written: Sequence[Written], before: Mapping[Path, bytes | None],
               made: Sequence[Path]) -> None:
    """Undo an init that failed part way: remove the files it created, put back the git
    settings it changed, remove the folders it made (each only if empty)."""
    for done in written:
        old = before.get(done.path)
        try:
            if old is None:
                done.path.unlink(missing_ok=True)
            else:
                writing.atomic_write(done.path, old)
        except (OSError, BjtrackError):
            pass  # the disk is full: the new file stays, the message names what failed
    for folder in made:
        try:
            folder.rmdir()
        except OSError:
            break


def _ensure_lines(path: Path, lines: Sequence[str]) -> Written | None:
    """Add `lines` to a small settings file unless they are already there."""
    if not path.exists():
        writing.atomic_write(path, "".join(x + "\n" for x in lines).encode("utf-8"))
        return Written(path, "created")
    text = path.read_text(encoding="utf-8")
    present = {x.strip() for x in text.splitlines()}
    missing = [x for x in lines if x not in present]
    if not missing:
        return None
    sep = "" if text.endswith("\n") or not text else "\n"
    writing.atomic_write(path, (text + sep + "".join(x + "\n" for x in missing)).encode("utf-8"))
    return Written(path, "appended")


# --------------------------------------------------------------------------- targets

# The order keys are written in, as in the README.
TARGET_FIELD_ORDER = ("id", "name", "target", "comparison", "stretch", "start", "due",
                      "every", "kind", "aggregate", "baseline", "hold", "series", "group",
                      "quote", "unit_note")
REQUIRED_FIELDS = ("id", "name", "target", "start", "due")


def target_block(fields: Mapping[str, Any]) -> str:
    """One `[[target]]` table as TOML text, keys in the documented order."""
    import tomli_w

    ordered = {k: fields[k] for k in TARGET_FIELD_ORDER
               if k in fields and fields[k] is not None and fields[k] != ""}
    # The header is written by hand: tomli_w would turn a short table into an inline
    # `target = [{…}]` array, which cannot follow [[target]] tables.
    return "[[target]]\n" + tomli_w.dumps(ordered)


def appended(old: str, blocks: Sequence[str]) -> str:
    """A plan's text with these `[[target]]` blocks after its last byte, a blank line
    before each: what is there is left as it is."""
    sep = "" if not old or old.endswith("\n") else "\n"
    return old + sep + "".join("\n" + block for block in blocks)


def validated(path: Path, text: str) -> Plan:
    """Load `text` as if it were the plan at `path` without touching `path`; raise
    BjtrackError with the problems (located in `path`) when it is not valid."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        plan = plan_file.load_plan(Path(tmp))
    except BjtrackError as exc:
        raise BjtrackError(*(_relocate(p, tmp, path) for p in exc.problems)) from None
    except OSError as exc:  # the copy did not fit on the disk
        raise _cannot_write(path, exc) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return replace(plan, path=path)  # the copy sits beside the plan: same records path


class NotWritten(BjtrackError):
    """The plan's copy could not be written beside it (a full disk): the disk's fault, not
    the edit's."""


def _cannot_write(path: Path, exc: OSError) -> NotWritten:
    """The plan could not be written (its copy beside it: the same disk): nothing was."""
    return NotWritten(problem("err.cannot_write", hint_key="hint.nothing_changed",
                              file=str(path), why=os_reason(exc)))


def _relocate(problem: Problem, tmp: str, path: Path) -> Problem:
    return replace(problem, file=str(path)) if problem.file == tmp else problem


def add_target(path: Path, fields: Mapping[str, Any]) -> Target:
    """Append a [[target]] to the plan as text, leaving everything above it untouched."""
    missing = [k for k in REQUIRED_FIELDS if fields.get(k) in (None, "")]
    if missing:
        raise UsageError(problem("err.missing_fields", hint_key="hint.target_add",
                                 keys=", ".join(f"--{k}" for k in missing),
                                 count=len(missing)))
    with writing.locked(path):  # two people adding at once: neither addition is lost
        old = path.read_bytes().decode("utf-8")
        plan = plan_file.load_plan(path)
        if plan.by_id(str(fields["id"])):
            raise UsageError(given_as("--id", problem(
                "err.target_exists", hint_key="hint.target_edit", id=fields["id"])))
        new = appended(old, [target_block(fields)])
        try:
            checked = validated(path, new)
        except NotWritten:
            raise
        except BjtrackError as exc:  # the plan was valid: the options made it invalid
            raise UsageError(*(given_as(option_of(p), p) for p in exc.problems)) from None
        writing.atomic_write(path, new.encode("utf-8"))
    added = checked.by_id(str(fields["id"]))
    assert added is not None
    return added


# The key of a new target a problem of the plan reader is about, when its fields do not say
# (`_in_key` or `field` do); target add's options are named after the keys.
_KEY_OF = {
    "err.plan.missing_id": "id", "err.plan.slug": "id", "err.plan.missing_name": "name",
    "err.plan.comparison": "comparison", "err.plan.worded_comparison": "comparison",
    "err.plan.due_before_start": "due", "err.plan.aggregate": "aggregate",
    "err.plan.hold": "hold", "err.plan.kind": "kind", "err.plan.kind_indicator": "kind",
    "err.plan.range": "target", "err.plan.unit_disagrees": "target",
    "err.plan.rank_unit": "target", "err.plan.stretch_easier": "target",
    "err.plan.series": "series",
}


def option_of(found: Problem) -> str:
    """The option of `target add` whose value `found` (a problem of the new target) is
    about: `--kind`; `target add` when no single option is."""
    named = dict(found.fields)
    key = named.get("_in_key") or named.get("field") or _KEY_OF.get(found.key)
    return f"--{key}".replace("_", "-") if isinstance(key, str) else "target add"


def target_line(plan: Plan, ref: str) -> tuple[Target, int]:
    target = resolve_target(plan, ref)
    line = target.source.line if target.source and target.source.line else 1
    return target, line


EditorRun = Callable[[Path, int], int]
Retry = Callable[[Sequence[Problem]], bool]


@dataclass(frozen=True)
class EditResult:
    changed: bool


def edit_plan(path: Path, line: int, run_editor: EditorRun, retry: Retry) -> EditResult:
    """Let the person edit a copy of the plan; replace the plan only with a valid result.

    `run_editor(copy, line)` edits the copy and returns the editor's exit status;
    `retry(problems)` says whether to re-open the editor after an invalid save."""
    original = path.read_bytes()
    copy = _edit_copy(path, original)
    keep = False
    try:
        while True:
            status = run_editor(copy, line)
            edited = copy.read_bytes()
            if status != 0:
                keep = edited != original
                raise BjtrackError(problem(
                    "err.editor_failed", hint_key="hint.kept" if keep else "",
                    status=status, path=copy))
            if edited == original:
                return EditResult(False)
            try:
                validated(path, edited.decode("utf-8"))
            except UnicodeDecodeError:
                problems: Sequence[Problem] = (problem("err.not_utf8", file=str(path)),)
            except NotWritten as exc:  # a full disk: the edit stays in its copy
                keep = True
                raise _kept(exc, copy) from None
            except BjtrackError as exc:
                problems = exc.problems
            else:
                keep = True  # until the plan holds the edit
                _save(path, original, edited, copy)
                keep = False
                return EditResult(True)
            line = next((p.line for p in problems if p.line), line)
            if not retry(problems):
                keep = True
                raise BjtrackError(*problems, problem("err.edit_abandoned",
                                                      hint_key="hint.kept", path=copy))
    finally:
        if not keep:
            copy.unlink(missing_ok=True)


def _save(path: Path, original: bytes, edited: bytes, copy: Path) -> None:
    """Replace the plan with the edited copy, unless it changed since the copy was made."""
    with writing.locked(path):
        if path.read_bytes() != original:
            raise BjtrackError(problem("err.changed_meanwhile", file=str(path),
                                       hint_key="hint.kept", path=copy))
        try:
            writing.atomic_write(path, edited)
        except BjtrackError as exc:  # a full disk: the plan is as it was
            raise _kept(exc, copy) from None


def _kept(exc: BjtrackError, copy: Path) -> BjtrackError:
    """The plan could not take the edit: why, and where the edit is kept."""
    first, *rest = exc.problems
    return BjtrackError(replace(first, hint_key="hint.kept",
                                fields=(*first.fields, ("path", str(copy)))), *rest)


def _edit_copy(path: Path, original: bytes) -> Path:
    """A copy of the plan beside it, for the editor; on a full disk, none is left."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.edit-", suffix=".toml",
                                        dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(original)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    return Path(tmp_name)


def editor_command() -> list[str]:
    """$VISUAL or $EDITOR (with its own arguments), else vi."""
    import shlex

    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(raw)


# Editors known to accept `+LINE` before the file name.
LINE_EDITORS = frozenset({"vi", "vim", "nvim", "view", "nano", "emacs", "emacsclient",
                          "micro", "kak", "joe", "ne", "mg", "jed", "helix", "hx"})


def run_editor(copy: Path, line: int) -> int:
    import subprocess

    command = editor_command()
    if Path(command[0]).name in LINE_EDITORS:
        command.append(f"+{line}")
    try:
        return subprocess.run([*command, str(copy)], check=False).returncode
    except OSError as exc:
        raise BjtrackError(problem("err.no_editor", hint_key="hint.editor",
                                   editor=command[0], why=os_reason(exc))) from None


def edit_target(path: Path, ref: str, run_editor: EditorRun, retry: Retry) -> EditResult:
    """`edit_plan` with the editor opened at the target `ref`."""
    _, line = target_line(plan_file.load_plan(path), ref)
    return edit_plan(path, line, run_editor, retry)
