"""The JSON bodies Courier answers with, read where the client reads them.

Plain checks rather than validation models: the client is on the path of every command-line run
and of the window's first request, and the two shapes are small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ErrorBody", "error_body", "success_status"]


@dataclass(frozen=True)
class ErrorBody:
    """``{"message": "...", "type": "..."}``; ``type`` may be absent."""

    message: str
    type: str | None = None


def success_status(parsed: dict[str, Any]) -> str | None:
    """The ``status`` of ``{"status": "SUCCESS"}``, or None when the body is not that shape."""
    status = parsed.get("status")
    return status if isinstance(status, str) else None


def error_body(parsed: dict[str, Any]) -> ErrorBody | None:
    """Courier's error body, or None when ``parsed`` is not one."""
    message, kind = parsed.get("message"), parsed.get("type")
    if not isinstance(message, str) or not (kind is None or isinstance(kind, str)):
        return None
    return ErrorBody(message, kind)
