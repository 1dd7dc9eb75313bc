"""The validated plan, remembered beside it: `.bjtrack-cache/<plan file>.plan.pickle`.

A plan of a thousand targets takes a good part of a second to parse and check, which every
`log` and `status` would pay. A plan file read before, byte for byte the same and by the
same code (bjtrack's version and the stat of every source file the plan's reading depends
on), is unpickled from its memo instead; anything else is parsed again (and a plan with a
problem is never remembered). Like the records index, the memo can make reads faster,
never different: delete it and the answer is the same. The memo is written by bjtrack in
the plan's own folder; one that another hand put there is trusted as the plan file is.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import bjtrack
from bjtrack.domain.model import Plan
from bjtrack.files import paths
from bjtrack.files.plan import load_plan as parse_plan

FORMAT = "bjtrack-plan-memo/2"
_PACKAGE = Path(bjtrack.__file__).parent
_CODE = ("domain", "files")  # the folders whose code makes a Plan from the file


def load_plan(path: Path) -> Plan:
    """`files.plan.load_plan`, remembered while the file and the code are unchanged."""
    if not paths.cache_enabled():
        return parse_plan(path)
    try:
        data = path.read_bytes()
    except OSError:
        return parse_plan(path)  # it reports the problem
    memo = path.parent / paths.CACHE_DIR / f"{path.name}.plan.pickle"
    key = plan_key(path, data)
    try:
        with memo.open("rb") as handle:
            saved_key, plan = pickle.load(handle)
        if saved_key == key and isinstance(plan, Plan):
            return plan
    except Exception:  # a damaged or foreign memo, whatever unpickling it raises:
        pass  # the plan is parsed again
    plan = parse_plan(path)  # raises on any problem: nothing is remembered then
    try:
        memo.parent.mkdir(exist_ok=True)
        temp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
        temp.write_bytes(pickle.dumps((key, plan), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temp, memo)
    except (OSError, pickle.PicklingError):
        pass
    return plan


def plan_key(path: Path, data: bytes) -> str:
    """What the validated plan depends on: the file as named, its bytes, and the code."""
    digest = hashlib.sha1(data, usedforsecurity=False)
    digest.update(str(path).encode("utf-8", "surrogateescape"))
    for folder in _CODE:
        for source in sorted((_PACKAGE / folder).glob("*.py")):
            st = source.stat()
            digest.update(f"{source.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    st = Path(__file__).stat()
    digest.update(f"memo:{st.st_size}:{st.st_mtime_ns}".encode())
    return f"{FORMAT}|{bjtrack.__version__}|{digest.hexdigest()}"
