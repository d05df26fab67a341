"""A recipient's timeline: the stored profile as it was after each request of the history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from profile_editor.core.methods import Method
from profile_editor.core.profile.changes import expected_profile
from profile_editor.core.profile.json_patch import preview_patch
from profile_editor.storage.history import HistoryEntry

__all__ = ["TimelinePoint", "profile_states"]


@dataclass(frozen=True)
class TimelinePoint:
    """One request and the profile after it. ``known``: read back from Courier (a verified
    send); otherwise worked out from the request and the state before it, or unknown (None)."""

    entry: HistoryEntry
    profile: dict[str, Any] | None
    known: bool
    changed: bool  # the request could have changed the profile (a successful write)


def profile_states(entries: list[HistoryEntry]) -> list[TimelinePoint]:
    """``entries`` oldest first (with bodies) → the profile after each of them."""
    points: list[TimelinePoint] = []
    state: dict[str, Any] | None = None
    for entry in entries:
        if entry.resource != "profile":
            # Lists, preferences, tokens...: their states are not the profile's.
            points.append(TimelinePoint(entry, state, False, False))
            continue
        writes = entry.outcome == "success" and entry.method in ("POST", "PUT", "PATCH", "DELETE")
        if entry.profile_before is not None:
            state = entry.profile_before  # what was stored just before, when it was read
        if entry.profile_after is not None:
            state, known = entry.profile_after, True
        elif writes:
            state, known = _worked_out(state, entry), False
        elif entry.method == "DELETE" and entry.status == 404:
            state, known = None, False
        else:
            known = entry.profile_before is not None
        points.append(TimelinePoint(entry, state, known, writes))
    return points


def _worked_out(state: dict[str, Any] | None, entry: HistoryEntry) -> dict[str, Any] | None:
    body = entry.request_body if isinstance(entry.request_body, dict) else {}
    method = Method(entry.method)
    if method is Method.PATCH:
        result = preview_patch(state, body.get("patch"))
        return result.result if result.result is not None else state
    profile = body.get("profile")
    if method is Method.DELETE:
        return None
    if not isinstance(profile, dict):
        return state
    return expected_profile(state, profile, method)
