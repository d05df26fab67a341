"""What an input file yields: rows to send, and rows that cannot be sent (with the reason)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

# What the rows of a file set: a recipient's profile, or one topic of its preferences.
Kind = Literal["profile", "preferences"]


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based line of the file where the row starts
    recipient_id: str
    profile: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    recipient_id: str  # as far as it could be read ("" when there is none)
    reason: str


class InputError(ValueError):
    """The file as a whole cannot be read (no recipient_id column, an unknown column type, …)."""
