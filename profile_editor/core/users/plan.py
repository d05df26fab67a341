"""What a write to a recipient's preferences, devices or tenants will change, decided Qt-free:
the staged changes as sentences, the refusals before sending, the questions to ask, the check
of the re-read after a write, and the one-line summary of a whole recipient.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass
from datetime import date
from typing import Any

from profile_editor.core.lists.requests import PreferenceStatus
from profile_editor.core.methods import Method
from profile_editor.core.send.plan import (
    Confirmation,
    Refusal,
    RefusalField,
    Target,
    protected_confirmation,
    target_problem,
)
from profile_editor.core.users.base import plural
from profile_editor.core.users.execute import UsersRequest
from profile_editor.core.users.preferences import (
    Channel,
    PutTopicPreferenceRequest,
    ResetTopicPreferenceRequest,
    TopicPreference,
    TopicUpdate,
    UpdatePreferencesRequest,
    by_topic,
)
from profile_editor.core.users.tenants import TenantAssociation
from profile_editor.core.users.tokens import UserToken, expiry_day, shorten_token

__all__ = [
    "PreferenceChange",
    "StagedPreference",
    "UsersPlan",
    "check_preferences",
    "check_tenant",
    "check_token",
    "describe",
    "plan_preferences",
    "plan_request",
    "preference_requests",
    "recipient_summary",
    "update_request",
]

_FIELD: dict[str, RefusalField] = {
    "preferences": "preferences",
    "tokens": "tokens",
    "tenants": "tenants",
}


# --- preferences: staged → changes → requests --------------------------------------------


@dataclass(frozen=True)
class StagedPreference:
    """What the user staged for one topic: a status (and channels, None = keep the current
    routing), or ``reset`` to drop the override and fall back to the topic's default."""

    topic_id: str
    status: PreferenceStatus | None = None
    custom_routing: tuple[Channel, ...] | None = None
    reset: bool = False
    topic_name: str = ""  # for sentences when the topic is not among the current ones


@dataclass(frozen=True)
class PreferenceChange:
    """One topic's change, old → new. Routing None: the topic's own routing (no custom one)."""

    topic_id: str
    topic_name: str
    old_status: PreferenceStatus | None  # None: not known (no override read for the topic)
    new_status: PreferenceStatus
    old_routing: tuple[Channel, ...] | None = None
    new_routing: tuple[Channel, ...] | None = None
    default_status: PreferenceStatus | None = None
    reset: bool = False

    @property
    def name(self) -> str:
        return self.topic_name or self.topic_id


def _routing_text(routing: tuple[Channel, ...] | None) -> str:
    if routing is None:
        return "topic routing"
    return ", ".join(channel.value for channel in routing) or "no channels"


def describe(change: PreferenceChange) -> str:
    """ "Weekly digest: OPTED_IN → OPTED_OUT" (with the channels when they change)."""
    old = change.old_status.value if change.old_status else "(not overridden)"
    text = f"{change.name}: {old} → {change.new_status.value}"
    if change.reset:
        return text + " (reset to the default)"
    if change.new_routing != change.old_routing:
        text += (
            f"; channels {_routing_text(change.old_routing)} → {_routing_text(change.new_routing)}"
        )
    return text


def plan_preferences(
    staged: Iterable[StagedPreference], current: Sequence[TopicPreference]
) -> list[PreferenceChange] | Refusal:
    """The changes the staged edits make to ``current`` (topics left as they are drop out), or
    why nothing may be sent: a REQUIRED topic cannot be opted out, and REQUIRED is never a
    user's choice (Courier answers 400 to both)."""
    known = by_topic(current)
    changes: list[PreferenceChange] = []
    for edit in staged:
        now = known.get(edit.topic_id)
        name = (now.name if now else "") or edit.topic_name or edit.topic_id
        old_routing = now.routing if now else None
        if edit.reset:
            if now is None:
                continue  # no override: already the default
            changes.append(
                PreferenceChange(
                    edit.topic_id,
                    name,
                    now.status,
                    now.default_status,
                    old_routing,
                    None,
                    now.default_status,
                    reset=True,
                )
            )
            continue
        if edit.status is None:
            continue
        if edit.status is PreferenceStatus.REQUIRED:
            return Refusal(
                f"{name}: REQUIRED is a topic's default set by the workspace, not a user's "
                "choice; choose OPTED_IN or OPTED_OUT. Nothing was sent.",
                "preferences",
            )
        required = now is not None and PreferenceStatus.REQUIRED in (now.status, now.default_status)
        if edit.status is PreferenceStatus.OPTED_OUT and required:
            return Refusal(
                f"{name} is REQUIRED: the workspace requires it for everyone, so it cannot be "
                "opted out. Nothing was sent.",
                "preferences",
            )
        new_routing = edit.custom_routing if edit.custom_routing is not None else old_routing
        if now is not None and now.status is edit.status and new_routing == old_routing:
            continue
        changes.append(
            PreferenceChange(
                edit.topic_id,
                name,
                now.status if now else None,
                edit.status,
                old_routing,
                new_routing,
                now.default_status if now else None,
            )
        )
    return changes


def preference_requests(
    changes: Iterable[PreferenceChange],
    *,
    base_url: str,
    user_id: str,
    tenant_id: str | None = None,
) -> list[PutTopicPreferenceRequest | ResetTopicPreferenceRequest]:
    """One request per topic: PUT (status and routing; the digest choice left alone) or DELETE
    for a reset."""
    requests: list[PutTopicPreferenceRequest | ResetTopicPreferenceRequest] = []
    for change in changes:
        common: dict[str, Any] = {
            "base_url": base_url,
            "user_id": user_id,
            "tenant_id": tenant_id,
            "topic_id": change.topic_id,
        }
        if change.reset:
            requests.append(ResetTopicPreferenceRequest(**common))
        else:
            routing = change.new_routing
            requests.append(
                PutTopicPreferenceRequest(
                    **common,
                    status=change.new_status,
                    has_custom_routing=routing is not None,
                    custom_routing=routing,
                )
            )
    return requests


def update_request(
    changes: Sequence[PreferenceChange],
    *,
    base_url: str,
    user_id: str,
    tenant_id: str | None = None,
) -> UpdatePreferencesRequest:
    """The bulk POST for 1 to 50 changes (resets go one by one: a ValueError here)."""
    if any(change.reset for change in changes):
        raise ValueError("A reset is a DELETE per topic; the bulk update cannot carry it.")
    topics = tuple(
        TopicUpdate(
            topic_id=change.topic_id,
            status=change.new_status,
            has_custom_routing=change.new_routing is not None,
            custom_routing=change.new_routing,
        )
        for change in changes
    )
    return UpdatePreferencesRequest(
        base_url=base_url,
        user_id=user_id,
        tenant_id=tenant_id,
        topics=topics,
        idempotency_key=str(uuid.uuid4()),
    )


# --- any request: refusals and questions before sending -----------------------------------


@dataclass(frozen=True, eq=False)
class UsersPlan:
    """One request under ``/users/{id}``, where it goes, and what to ask before sending it."""

    request: UsersRequest
    target: Target
    confirmations: tuple[Confirmation, ...] = ()

    @property
    def recipient_id(self) -> str:
        return self.request.user_id

    @property
    def verb(self) -> str:
        return self.request.verb


def plan_request(
    request: UsersRequest, target: Target, what: str, *, ask: Confirmation | None = None
) -> UsersPlan | Refusal:
    """The checks every request makes (user ID, key, plain HTTP, IDs in the path), then for a
    write the protected environment's question (``what`` is what it will do, as a sentence
    without a full stop) and ``ask`` (e.g. "Delete this device?")."""
    field = _FIELD.get(request.resource, "recipient")
    problem = target_problem(request.user_id, target)
    if problem is not None:
        reason, where = problem
        joiner = ", " if where == "key" else ". "
        return Refusal(f"{request.verb}: not sent{joiner}{reason}", where)
    own = request.problem()
    if own is not None:
        return Refusal(f"{request.verb}: not sent. {own}", field)
    asks: tuple[Confirmation, ...] = ()
    if request.method is not Method.GET:
        protected = protected_confirmation(target, what, f"Send to {target.environment}")
        if protected is not None:
            asks += (protected,)
        if ask is not None:
            asks += (ask,)
    return UsersPlan(request, target, asks)


# --- after a write: is the stored state what was asked? ------------------------------------


def check_preferences(
    asked: Sequence[PreferenceChange], reread: Sequence[TopicPreference]
) -> list[str]:
    """What differs between the changes asked and the preferences read back (empty: stored
    as asked). ``reread`` may be the overrides list or per-topic reads."""
    stored = by_topic(reread)
    problems: list[str] = []
    for change in asked:
        got = stored.get(change.topic_id)
        if change.reset:
            if got is not None and (got.status is not got.default_status or got.has_custom_routing):
                problems.append(
                    f"{change.name}: asked to reset to the default, but {got.status.value} "
                    "is still stored."
                )
            continue
        if got is None:
            problems.append(
                f"{change.name}: asked {change.new_status.value}, but nothing is stored for it."
            )
            continue
        if got.status is not change.new_status:
            problems.append(
                f"{change.name}: asked {change.new_status.value}, stored {got.status.value}."
            )
        if got.routing != change.new_routing:
            problems.append(
                f"{change.name}: asked channels {_routing_text(change.new_routing)}, stored "
                f"{_routing_text(got.routing)}."
            )
    return problems


def _same_expiry(asked: Any, stored: Any) -> bool:
    if asked == stored:
        return True
    day = expiry_day(asked)
    return day is not None and day == expiry_day(stored)


def check_token(
    asked: UserToken | None, reread: UserToken | None, token: str | None = None
) -> list[str]:
    """What differs between the token asked and the one read back (empty: stored as asked).
    ``asked`` None: it was deleted, so nothing may be read back. Members the write left out
    are not compared."""
    value = token or (asked.token if asked else None) or (reread.token if reread else "")
    name = f"Token {shorten_token(value)}"
    if asked is None:
        return [] if reread is None else [f"{name} is still stored after the delete."]
    if reread is None:
        return [f"{name} was not found after the write."]
    wanted = asked.model_dump(mode="json", exclude_none=True, exclude={"status_reason"})
    got = reread.model_dump(mode="json", exclude_none=True)
    problems: list[str] = []
    for key, value_asked in wanted.items():
        value_got = got.get(key)
        if key == "expiry_date" and _same_expiry(value_asked, value_got):
            continue
        if value_got != value_asked:
            problems.append(f"{name}: {key} asked {value_asked!r}, stored {value_got!r}.")
    return problems


def check_tenant(
    asked: TenantAssociation | None, reread: TenantAssociation | None, tenant_id: str = ""
) -> list[str]:
    """What differs between the membership asked and the one read back (empty: as asked).
    ``asked`` None: it was removed, so it may not be read back."""
    tid = tenant_id or (asked.tenant_id if asked else "") or (reread.tenant_id if reread else "")
    if asked is None:
        return [] if reread is None else [f"Tenant “{tid}” is still a membership after removal."]
    if reread is None:
        return [f"Tenant “{tid}” is not among the memberships after the write."]
    if asked.profile is not None and reread.profile != asked.profile:
        return [f"Tenant “{tid}”: the stored profile is not the one sent."]
    return []


# --- the one-line summary ----------------------------------------------------------------


def _count(value: Sized | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return len(value)


def _devices(tokens: Sequence[UserToken], today: date) -> str:
    text = "no devices" if not tokens else plural(len(tokens), "device")
    if not tokens:
        return text
    days = [day for t in tokens if (day := expiry_day(t.expiry_date)) is not None]
    expired = sum(1 for day in days if day < today)
    failing = sum(1 for t in tokens if t.status in ("failed", "revoked"))
    notes: list[str] = []
    if expired:
        notes.append(f"{expired} expired")
    if failing:
        notes.append(f"{failing} failed or revoked")
    future = sorted(day for day in days if day >= today)
    if future:
        left = (future[0] - today).days
        when = "today" if left == 0 else f"in {plural(left, 'day')}"
        lead = "expires" if len(tokens) == 1 else "next expires"
        notes.append(f"{lead} {when}")
    elif not days and all(t.expiry_date is False for t in tokens):
        notes.append("never expires" if len(tokens) == 1 else "none expire")
    return ", ".join([text, *notes])


def recipient_summary(
    lists: Sized | int | None,
    preferences: Sequence[TopicPreference] | None,
    tokens: Sequence[UserToken] | None,
    tenants: Sized | int | None,
    today: date,
) -> str:
    """ "3 lists · 2 topics overridden (1 opted out) · 1 device, expires in 12 days · 2 tenants".

    ``preferences``: the overrides ``GET /users/{id}/preferences`` reported. None for any part:
    not read (it failed or was not loaded), and the line says so.
    """
    parts: list[str] = []
    count = _count(lists)
    parts.append("lists not read" if count is None else plural(count, "list"))
    if preferences is None:
        parts.append("preferences not read")
    else:
        out = sum(1 for p in preferences if p.status is PreferenceStatus.OPTED_OUT)
        text = (
            plural(len(preferences), "topic") + " overridden"
            if preferences
            else "no topics overridden"
        )
        parts.append(text + (f" ({out} opted out)" if out else ""))
    parts.append("devices not read" if tokens is None else _devices(tokens, today))
    count = _count(tenants)
    parts.append("tenants not read" if count is None else plural(count, "tenant"))
    return " · ".join(parts)
