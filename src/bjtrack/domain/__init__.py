"""The domain: plans, targets, records, amounts, dates and how a target is judged.
Pure: no I/O, no clock, no Rich, no message text."""
