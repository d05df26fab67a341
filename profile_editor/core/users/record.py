"""One write to a recipient's preferences, devices or tenants, as history records it: narrow,
so the history store can change beneath it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from profile_editor.core.http.models import Outcome
from profile_editor.core.users.execute import UsersRequest

__all__ = ["UsersChanged"]


@dataclass(frozen=True)
class UsersChanged:
    """``before``/``after``: the resource as read before the write and re-read after it (JSON
    values; None when not read). The API key is never part of it."""

    resource: str  # "preferences" | "tokens" | "tenants"
    method: str
    url: str
    recipient_id: str
    body: dict[str, Any] | None
    outcome: Outcome
    before: Any = None
    after: Any = None

    @classmethod
    def of(
        cls, request: UsersRequest, outcome: Outcome, before: Any = None, after: Any = None
    ) -> UsersChanged:
        return cls(
            request.resource,
            request.method.value,
            request.url,
            request.user_id,
            request.payload(),
            outcome,
            before,
            after,
        )
