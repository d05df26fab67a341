"""History entry ids, shared by the entry model and the database without importing either."""

from __future__ import annotations

import os
import time


def new_entry_id() -> str:
    """32 hex digits: the time in microseconds, then random ones. In time order, so the
    database's index of ids grows at its end (a random id would touch a page anywhere)."""
    return f"{time.time_ns() // 1000:014x}{os.urandom(9).hex()}"
