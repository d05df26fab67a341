"""The one snapshot of what the user entered, taken once per action.

A :class:`Draft` is built from the editor's widgets in one place and loaded back into them in one
place; everything else (requests, presets, history re-opens, the command line) converts through it.
Conversions to and from stored things live on the storage side (``storage/conversions.py``): core
never imports storage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from profile_editor.core.methods import Method

if TYPE_CHECKING:
    from profile_editor.core.http.models import ProfileRequest

__all__ = ["EDITABLE_METHODS", "Draft", "DraftError"]

T = TypeVar("T")

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
    # What was worked out about the body (its bytes and why they cannot be sent, whether it is
    # quick to plan), shared with the copies for other recipients, which send the same body: a
    # run of sends that changes only the ID works each out once.
    _body_facts: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def body_ready(self) -> bool:
        """Whether the draft holds the body its method needs."""
        if self.method is Method.PATCH:
            return self.patch is not None
        if self.method.has_body:
            return self.profile is not None
        return True

    def with_recipient(self, recipient_id: str) -> Draft:
        """The same request to another recipient (the body and its cache are shared, not
        copied). Made on every keystroke in the ID: a copy of the fields, without the checks
        ``dataclasses.replace`` runs."""
        draft = object.__new__(Draft)
        draft.__dict__.update(self.__dict__)
        object.__setattr__(draft, "recipient_id", recipient_id)  # frozen
        return draft

    def body_fact(self, name: str, work: Callable[[], T]) -> T:
        """``work()``, worked out once for this body whichever recipient it goes to."""
        facts = self._body_facts
        if name not in facts:
            facts[name] = work()
        result: T = facts[name]
        return result

    def sent_body(self, request: ProfileRequest) -> tuple[bytes, str | None] | None:
        """``request.body_bytes()`` for a request made by :meth:`to_request`, with why those
        bytes cannot be sent (``body_problem``; None: they can): worked out once for this body,
        whichever recipient it goes to. None: the request has no body."""
        sent = self.body_fact("sent", lambda: _measured(request.body_bytes()))
        if sent is not None:
            request.use_encoded(sent[0])  # a copy's request sends the bytes encoded first
        return sent

    def to_request(self, base_url: str, *, idempotency_key: str | None = None) -> ProfileRequest:
        from profile_editor.core.http.models import ProfileRequest

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
        from profile_editor.core.http.models import ProfileRequest

        return ProfileRequest(base_url=base_url, recipient_id=self.recipient_id, method=Method.GET)


def _measured(body: bytes | None) -> tuple[bytes, str | None] | None:
    """A request's bytes with why they cannot be sent (None: they can); None: no body."""
    from profile_editor.core.http.models import body_problem

    return None if body is None else (body, body_problem(body))
