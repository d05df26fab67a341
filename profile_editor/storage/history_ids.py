"""History entry ids, shared by the entry model and the database without importing either."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence


def new_entry_id() -> str:
    """32 hex digits: the time in microseconds, then random ones. In time order, so the
    database's index of ids grows at its end (a random id would touch a page anywhere)."""
    return entry_ids([time.time_ns() // 1000])[0]


def entry_ids(times_us: Sequence[int]) -> list[str]:
    """One id like :func:`new_entry_id`'s for each time given (microseconds since 1970): a bulk
    run's rows get theirs in one go, from the times they were sent, with one call for all the
    random digits instead of one per row."""
    digits = os.urandom(9 * len(times_us)).hex()
    return [f"{t:014x}{digits[18 * i : 18 * i + 18]}" for i, t in enumerate(times_us)]
