"""Command modules beyond the core ones in cli.py. Each registers its commands on
`bjtrack.cli.app`; cli.py imports them at the end. Keep them thin: parse options, call a
library function, render. Import heavy libraries inside the command function."""
