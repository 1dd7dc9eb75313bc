"""Operations: what a command does, callable without the command line."""
