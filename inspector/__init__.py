"""inspector: a local debugger for Segment analytics events."""

__version__ = "0.1.0"
