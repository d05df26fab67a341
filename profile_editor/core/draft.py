"""The one snapshot of what the user entered, taken once per action.

A :class:`Draft` is built from the editor's widgets in one place and loaded back into them in one
place; everything else (requests, presets, history re-opens, the command line) converts through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from profile_editor.core.methods import Method

if TYPE_CHECKING:
    from profile_editor.core.models import ProfileRequest
    from profile_editor.storage.history import HistoryEntry
    from profile_editor.storage.presets import Method as PresetMethod
    from profile_editor.storage.presets import Preset

__all__ = ["EDITABLE_METHODS", "Draft", "DraftError"]

# What the editor can compose; GET is what Load does, never a draft's method.
EDITABLE_METHODS = (Method.POST, Method.PUT, Method.PATCH, Method.DELETE)


class DraftError(ValueError):
    """A stored request that cannot be turned into a draft (said in a sentence)."""


@dataclass(frozen=True, eq=False)
class Draft:
    """Recipient, method, environment, note and body, as the user entered them.

    ``profile`` is the body of Merge and Replace, ``patch`` the operations of Patch; either is
    None while the editor holds text that is not one yet, and ``problem`` then says why.
    Equality is by identity: a 6 MB profile is never compared just to find two drafts alike.
    """

    recipient_id: str = ""
    method: Method = Method.POST
    environment: str | None = None
    note: str = ""
    profile: dict[str, Any] | None = None
    patch: list[dict[str, Any]] | None = None
    problem: str | None = None

    @property
    def body_ready(self) -> bool:
        """Whether the draft holds the body its method needs."""
        if self.method is Method.PATCH:
            return self.patch is not None
        if self.method.has_body:
            return self.profile is not None
        return True

    def to_request(self, base_url: str, *, idempotency_key: str | None = None) -> ProfileRequest:
        from profile_editor.core.models import ProfileRequest

        return ProfileRequest(
            base_url=base_url,
            recipient_id=self.recipient_id,
            method=self.method,
            profile=self.profile if self.method in (Method.POST, Method.PUT) else None,
            patch=self.patch if self.method is Method.PATCH else None,
            idempotency_key=idempotency_key,
        )

    def preview_text(self, base_url: str, api_key: str | None) -> str:
        """The request as the preview pane shows it (key masked), or why it cannot be sent."""
        if self.method.has_body and not self.body_ready:
            return f"Not ready to send:\n{self.problem}"
        return self.to_request(base_url).preview(api_key)

    def to_load_request(self, base_url: str) -> ProfileRequest:
        from profile_editor.core.models import ProfileRequest

        return ProfileRequest(base_url=base_url, recipient_id=self.recipient_id, method=Method.GET)

    def to_preset(self, name: str) -> Preset:
        from profile_editor.storage.presets import Preset

        return Preset(
            name=name,
            recipient_id=self.recipient_id,
            method=cast("PresetMethod", self.method.value),
            environment=self.environment,
            note=self.note,
            profile=self.profile or {},
            patch=self.patch if self.method is Method.PATCH else None,
        )

    @classmethod
    def from_preset(cls, preset: Preset) -> Draft:
        return cls(
            recipient_id=preset.recipient_id,
            method=Method(preset.method),
            environment=preset.environment,
            note=preset.note,
            profile=preset.profile,
            patch=preset.patch,
        )

    @classmethod
    def from_history(cls, entry: HistoryEntry) -> Draft:
        """The request of a history entry, as a draft to edit and send again."""
        if entry.is_lists:
            raise DraftError(
                "List subscription changes are not edited in the editor: use the Lists tab "
                "(Subscribe, Unsubscribe all) instead."
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
        return cls(
            recipient_id=entry.recipient_id,
            method=method,
            environment=entry.environment,
            profile=profile if isinstance(profile, dict) else {},
            patch=patch if isinstance(patch, list) and method is Method.PATCH else None,
        )
