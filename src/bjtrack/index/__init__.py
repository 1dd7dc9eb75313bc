"""The SQLite index of the records file and the plan memo: derived, rebuilt from files/
at any time without changing a result."""
