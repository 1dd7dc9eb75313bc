"""One module per user task (log, status, history, check, corrections, plan editing,
import): functions over the files and the index, callable and testable without the CLI."""
