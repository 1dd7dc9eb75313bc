"""Plain-text files, by their usual names: the plan (files.plan) and its records
(files.records, files.writing, files.repair), found and read by files.paths.

The records file is append-only: each figure is one `[[record]]` block, written in one
write under a lock and fsynced. Nothing here rewrites a record; `repair` only moves a torn
last block (left by a crash mid-write) to a backup file.
"""

from __future__ import annotations

from bjtrack.domain.model import Target
from bjtrack.files.paths import (
    CACHE_DIR,
    NO_CACHE_ENV,
    PLAN_FILE,
    RECORDS_FILE,
    cache_enabled,
    find_plan,
)
from bjtrack.files.plan import PLAN_KEYS, TARGET_KEYS, load_plan
from bjtrack.files.records import (
    RECORD_KEYS,
    RECORDS_HEADER,
    RecordSet,
    framed,
    framed_block,
    load_records,
    new_ids,
    new_record_id,
    parse_record_bytes,
    parse_records,
    record_block,
    serialized_block,
)
from bjtrack.files.repair import repair
from bjtrack.files.writing import (
    LOCK_POLL,
    LOCK_TIMEOUT,
    append_record,
    append_records,
    atomic_write,
    check_tail,
    locked,
    write_records,
)

__all__ = [
    "CACHE_DIR", "LOCK_POLL", "LOCK_TIMEOUT", "NO_CACHE_ENV", "PLAN_FILE", "PLAN_KEYS",
    "RECORDS_FILE", "RECORDS_HEADER", "RECORD_KEYS", "TARGET_KEYS", "RecordSet", "Target",
    "append_record", "append_records", "atomic_write", "cache_enabled", "check_tail",
    "find_plan", "framed", "framed_block", "load_plan", "load_records", "locked", "new_ids",
    "new_record_id", "parse_record_bytes", "parse_records", "record_block", "repair",
    "serialized_block", "write_records",
]
