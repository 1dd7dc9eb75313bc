"""A draft as a plan: TOML `bjtrack check` accepts (each target after its quote as a
comment), the JSON of `bjtrack targets --format json`, and additions to a plan on disk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from bjtrack.domain.amounts import format_amount, plain
from bjtrack.domain.errors import BjtrackError, problem
from bjtrack.domain.model import Kind, Plan, Target
from bjtrack.files import paths, writing
from bjtrack.files import plan as plan_file
from bjtrack.ops import plan_edit
from bjtrack.ops.extract.draft import _RATES, Draft, DraftTarget
from bjtrack.ops.extract.records import Proposal, record_rows
from bjtrack.ops.extract.slug import unique

if TYPE_CHECKING:
    from bjtrack.ops.importing import ImportResult
    from bjtrack.ops.load import Loaded

@dataclass(frozen=True)
class Appended:
    path: Path
    added: tuple[str, ...]  # ids of the targets added
    present: int  # drafted targets the plan already had


def as_target(draft: DraftTarget) -> Target:
    """The draft as the model's Target (what `bjtrack targets` would list)."""
    return Target(
        id=draft.id, name=draft.name, kind=Kind(draft.kind), unit=draft.unit,
        series=draft.id, target=draft.value, relative_to=draft.relative_to,
        comparison=draft.comparison, start=draft.start, due=draft.due, hold=draft.hold,
        stretch=draft.stretch, tolerance=draft.tolerance, every=draft.every,
        quote=draft.quote)


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" for line in text.splitlines() if line.strip())


def target_block(draft: DraftTarget) -> str:
    """One `[[target]]` after its quote as a comment."""
    fields: dict[str, Any] = {
        "id": draft.id, "name": draft.name, "target": draft.target,
        "comparison": draft.comparison, "start": draft.start, "due": draft.due,
        "every": draft.every, "kind": draft.kind, "hold": draft.hold or None,
        "quote": draft.quote}
    if draft.stretch is not None:
        fields["stretch"] = (plain(draft.stretch) + draft.unit if draft.unit in _RATES
                             else format_amount(draft.stretch, draft.unit, exact=True))
    return _comment(draft.quote) + plan_edit.target_block(fields)


def plan_toml(draft: Draft, name: str, source: str, skipped_label: str) -> str:
    """A whole plan: a [plan] table, the targets, and the skipped sentences as comments."""
    head = tomli_w.dumps({"plan": {"name": name, "source": source,
                                   "records": paths.RECORDS_FILE}})
    blocks = [target_block(t) for t in draft.targets]
    tail = "".join(_comment(f"{skipped_label}{s.clause}") for s in draft.skipped)
    return "\n".join([head, *blocks]) + ("\n" + tail if tail else "")


def write_plan(path: Path, text: str) -> Plan:
    """Write a new plan, checked first; never over an existing file."""
    if path.exists():
        raise BjtrackError(problem("err.exists", hint_key="hint.extract.append",
                                   file=str(path)))
    checked = plan_edit.validated(path, text)
    writing.atomic_write(path, text.encode("utf-8"))
    return checked


def _present(plan: Plan, draft: DraftTarget) -> bool:
    return any(t.name == draft.name and t.comparison == draft.comparison
               and t.target == draft.value and t.unit == draft.unit
               for t in plan.targets)


def append_plan(path: Path, draft: Draft) -> Appended:
    """Add the drafted targets the plan lacks after its last byte, under the plan's lock;
    what is there is left as it is."""
    with writing.locked(path):
        old = path.read_bytes().decode("utf-8")
        plan = plan_file.load_plan(path)
        ids = [t.id for t in plan.targets]
        added: list[DraftTarget] = []
        for target in draft.targets:
            if _present(plan, target) or any(a.name == target.name for a in added):
                continue
            new_id = unique(target.id, ids)
            ids.append(new_id)
            added.append(replace(target, id=new_id))
        added = [_relinked(t, draft, added) for t in added]
        if added:
            new = plan_edit.appended(old, [target_block(t) for t in added])
            plan_edit.validated(path, new)
            writing.atomic_write(path, new.encode("utf-8"))
    return Appended(path, tuple(t.id for t in added), len(draft.targets) - len(added))


def _relinked(target: DraftTarget, draft: Draft, added: Sequence[DraftTarget]) -> DraftTarget:
    """A relative target points at the id its series got in the plan."""
    if target.relative_to is None:
        return target
    follows = next((t for t in draft.targets if t.id == target.relative_to), None)
    match = next((a for a in added if follows and a.name == follows.name), None)
    if match is None:
        return target
    return replace(target, relative_to=match.id, target="series:" + match.id)


def apply_records(loaded: Loaded, proposals: Sequence[Proposal], source: str,
                  now: datetime, by: str) -> ImportResult:
    """Import the proposals as `bjtrack import` would: all or none, each once."""
    from bjtrack.ops.importing import import_rows

    return import_rows(loaded, record_rows(proposals, source), now, label=source, by=by)
