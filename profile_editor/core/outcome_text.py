"""How an outcome is put into words, the same in the window, on the command line and in reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from profile_editor.core.jsoncodec import dumps_pretty

if TYPE_CHECKING:
    from profile_editor.core.models import Outcome

# The response pane and the command line show at most this much of an answer's JSON.
BODY_CHARS = 20_000


def describe_outcome(outcome: Outcome) -> str:
    """Status line, type, message, attempts and the answer (or the raw detail), several lines."""
    lines = [outcome.summary]
    if outcome.status_code is not None:
        lines[0] = f"HTTP {outcome.summary}"
    if outcome.error_type:
        lines.append(f"Type: {outcome.error_type}")
    if outcome.message:
        lines.append(f"Message: {outcome.message}")
    if outcome.attempts > 1:
        lines.append(f"Attempts: {outcome.attempts}")
    if outcome.body is not None:
        lines += ["", dumps_pretty(outcome.body)[:BODY_CHARS]]
    elif outcome.detail:
        lines += ["", "Detail:", outcome.detail]
    return "\n".join(lines)


def failure_line(verb: str, outcome: Outcome) -> str:
    """One line saying why ``verb`` ("Send", "Load", …) did not succeed."""
    if outcome.kind.value == "api_error":
        return f"{verb} failed: {outcome.status_code} · {outcome.error_type} — {outcome.message}"
    if outcome.kind.value == "cancelled":
        return f"{verb} cancelled. {outcome.message}"
    return f"{verb} failed: {outcome.summary}. {outcome.message}"
