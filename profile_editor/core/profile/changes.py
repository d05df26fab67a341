"""What a send will do to the stored profile, under Courier's rules for each method."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from profile_editor.core.cooperate import pause
from profile_editor.core.methods import Method
from profile_editor.core.profile.ops import merge_profile

_MISSING: Any = object()


class ChangeKind(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    UNTOUCHED = "untouched"


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    path: str  # dotted path of keys, e.g. "address.locality"
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class ChangeSet:
    changes: list[Change]  # added/changed/removed, in document order
    untouched: list[str]  # top-level keys left as they are
    expected: dict[str, Any] | None  # the stored profile after the send; None: deleted

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def count(self, kind: ChangeKind) -> int:
        return self._counts.get(kind, 0)

    @cached_property
    def _counts(self) -> Counter[ChangeKind]:
        # Counted once (on the worker that made the set, see compute_changes_to), not per call.
        return Counter(change.kind for change in self.changes)


def expected_profile(
    stored: dict[str, Any] | None, profile: dict[str, Any], method: Method
) -> dict[str, Any] | None:
    if method is Method.DELETE:
        return None
    if method is Method.PUT:
        return profile
    return merge_profile(stored or {}, profile)


def compute_changes(
    stored: dict[str, Any] | None, profile: dict[str, Any], method: Method
) -> ChangeSet:
    """Diff the stored profile (None: none yet) against what it will be after the send."""
    return compute_changes_to(stored, expected_profile(stored, profile, method))


def compute_changes_to(stored: dict[str, Any] | None, after: dict[str, Any] | None) -> ChangeSet:
    """Diff the stored profile (None: none yet) against a given result (None: deleted).

    For a PATCH, pass the result of :func:`profile_editor.core.profile.json_patch.preview_patch`.
    """
    before = stored or {}
    changes: list[Change] = []
    _diff(before, after or {}, "", changes)
    # Merges and patches share unchanged values with the stored profile: "is" settles most
    # keys of a large profile without comparing them.
    untouched = [
        key
        for key, old in before.items()
        if after is not None
        and ((new := after.get(key, _MISSING)) is old or (new is not _MISSING and _same(old, new)))
    ]
    result = ChangeSet(changes, untouched, after)
    result.count(ChangeKind.ADDED)  # counts are made here, off the UI thread when this is
    return result


def _same(a: Any, b: Any) -> bool:
    # 1 == 1.0 == True in Python, but not in JSON.
    return type(a) is type(b) and a == b


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _diff(before: dict[str, Any], after: dict[str, Any], prefix: str, out: list[Change]) -> None:
    for index, (key, new) in enumerate(after.items()):
        pause(index)
        old = before.get(key, _MISSING)
        if old is new:
            continue
        path = _join(prefix, key)
        if old is _MISSING:
            out.append(Change(ChangeKind.ADDED, path, None, new))
        elif isinstance(old, dict) and isinstance(new, dict):
            _diff(old, new, path, out)
        elif not _same(old, new):
            out.append(Change(ChangeKind.CHANGED, path, old, new))
    for key, old in before.items():
        if key not in after:
            out.append(Change(ChangeKind.REMOVED, _join(prefix, key), old, None))
