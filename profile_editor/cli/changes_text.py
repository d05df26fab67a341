"""The window's change preview as text: what sending would do to the stored profile."""

from __future__ import annotations

from typing import Any

from profile_editor.core.profile.changes import ChangeKind, ChangeSet
from profile_editor.core.profile.jsoncodec import dumps_compact

VALUE_CHARS = 80
_MARKS = {ChangeKind.ADDED: "+", ChangeKind.CHANGED: "~", ChangeKind.REMOVED: "-"}


def _short(value: Any) -> str:
    text = dumps_compact(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def changes_lines(changes: ChangeSet) -> list[str]:
    lines = []
    for change in changes.changes:
        mark = _MARKS.get(change.kind, " ")
        if change.kind is ChangeKind.ADDED:
            lines.append(f"{mark} {change.path}: {_short(change.new)}")
        elif change.kind is ChangeKind.CHANGED:
            lines.append(f"{mark} {change.path}: {_short(change.old)} → {_short(change.new)}")
        else:
            lines.append(f"{mark} {change.path} (was {_short(change.old)})")
    if changes.untouched:
        lines.append(f"= untouched: {', '.join(changes.untouched)}")
    if changes.is_empty:
        lines.insert(0, "No changes: the stored profile already holds this.")
    return lines


def changes_doc(changes: ChangeSet) -> dict[str, Any]:
    return {
        "changes": [
            {"kind": c.kind.value, "path": c.path, "old": c.old, "new": c.new}
            for c in changes.changes
        ],
        "untouched": changes.untouched,
        "expected": changes.expected,
    }
