"""Between a :class:`Draft` and what is stored: presets and history entries.

They live on the storage side so that core never imports storage; the window and the command line
both convert through here.
"""

from __future__ import annotations

from typing import cast

from profile_editor.core.methods import Method
from profile_editor.core.send.draft import EDITABLE_METHODS, Draft, DraftError
from profile_editor.storage.history import HistoryEntry
from profile_editor.storage.presets import Method as PresetMethod
from profile_editor.storage.presets import PreferenceChoice, Preset

__all__ = ["draft_from_history", "draft_from_preset", "draft_to_preset"]


def draft_to_preset(draft: Draft, name: str, preferences: dict[str, str] | None = None) -> Preset:
    """``preferences``: staged preference changes (topic ID → status) kept with the preset."""
    return Preset(
        preferences=cast("dict[str, PreferenceChoice]", preferences) if preferences else None,
        name=name,
        recipient_id=draft.recipient_id,
        method=cast("PresetMethod", draft.method.value),
        environment=draft.environment,
        note=draft.note,
        profile=draft.profile or {},
        patch=draft.patch if draft.method is Method.PATCH else None,
    )


def draft_from_preset(preset: Preset) -> Draft:
    return Draft(
        recipient_id=preset.recipient_id,
        method=Method(preset.method),
        environment=preset.environment,
        note=preset.note,
        profile=preset.profile,
        patch=preset.patch,
    )


_TABS = {"preferences": "Preferences", "tokens": "Devices", "tenants": "Tenants"}


def draft_from_history(entry: HistoryEntry) -> Draft:
    """The request of a history entry, as a draft to edit and send again."""
    if entry.is_lists:
        raise DraftError(
            "List subscription changes are not edited in the editor: use the Lists tab "
            "(Subscribe, Unsubscribe all) instead."
        )
    if entry.resource != "profile":
        # A preference, token or tenant write: its body is not a profile, and re-opening it as
        # one would make a Replace with an empty profile.
        raise DraftError(
            f"Changes to {entry.resource} are not edited in the editor: use the "
            f"{_TABS.get(entry.resource, entry.resource)} tab instead."
        )
    try:
        method = Method(entry.method)
    except ValueError:
        raise DraftError(f"{entry.method} requests are not edited here.") from None
    if method not in EDITABLE_METHODS:
        raise DraftError(f"{entry.method} requests are not edited here.")
    body = entry.request_body if isinstance(entry.request_body, dict) else {}
    profile = body.get("profile")
    patch = body.get("patch")
    return Draft(
        recipient_id=entry.recipient_id,
        method=method,
        environment=entry.environment,
        profile=profile if isinstance(profile, dict) else {},
        patch=patch if isinstance(patch, list) and method is Method.PATCH else None,
    )
