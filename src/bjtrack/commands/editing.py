"""Commands that start a plan and correct records (init, target, undo, amend, rm, where)."""
