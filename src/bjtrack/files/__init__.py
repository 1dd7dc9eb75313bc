"""The plan file and the records file: the one reader and writer of each format."""
