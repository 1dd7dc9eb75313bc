"""Reading and writing the files bjtrack works with."""
