"""bjtrack: track the quantitative targets of local-government plans."""

__version__ = "0.1.0"
