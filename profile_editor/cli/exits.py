"""Exit codes of ``profile-editor-cli``, and which one an outcome ends with."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from profile_editor.core.http.models import Outcome


class Exit(IntEnum):
    OK = 0
    API_ERROR = 1  # the API answered with an error (after retries)
    USAGE = 2  # bad usage or bad input: nothing was sent
    UNREACHABLE = 3  # connection, DNS, TLS or timeout: no answer
    MISMATCH = 4  # sent, but the stored profile is not what the send should have left
    INTERRUPTED = 130  # Ctrl+C, as shells report SIGINT


def exit_for(outcome: Outcome) -> Exit:
    kind = outcome.kind.value
    if kind == "success":
        return Exit.OK
    if kind == "network_error":
        return Exit.UNREACHABLE
    if kind == "refused":
        return Exit.USAGE
    if kind == "cancelled":
        return Exit.INTERRUPTED
    return Exit.API_ERROR  # Courier's error, another error page, or an unexpected 2xx


class UsageError(Exception):
    """Bad usage or bad input, said in a sentence; exits 2 with nothing sent."""
