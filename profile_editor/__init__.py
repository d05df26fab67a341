"""Profile Editor: look at, edit and send Courier recipient profiles."""

__version__ = "0.1.0"
