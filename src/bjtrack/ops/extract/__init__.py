"""`bjtrack extract`: draft a plan's targets from its prose, and propose a bulletin's
figures for the plan's series. Rules over the amount and date parsers; no network."""

from bjtrack.ops.extract.draft import Draft, DraftTarget, Skipped, draft_plan
from bjtrack.ops.extract.plans import (
    Appended,
    append_plan,
    apply_records,
    as_target,
    plan_toml,
    write_plan,
)
from bjtrack.ops.extract.records import Proposal, propose_records, records_csv

__all__ = [
    "Appended", "Draft", "DraftTarget", "Proposal", "Skipped", "append_plan",
    "apply_records", "as_target", "draft_plan", "plan_toml", "propose_records",
    "records_csv", "write_plan",
]
