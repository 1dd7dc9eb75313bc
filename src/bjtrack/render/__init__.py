"""One module per output format; each turns a Report (plain data) into text or bytes."""
