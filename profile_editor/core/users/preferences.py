"""Subscription preferences per topic: ``/users/{id}/preferences[/{topic_id}]``.

A workspace's topics have a default status; a user may override it. ``REQUIRED`` is a topic's
default, never a user's choice: Courier answers 400 to opting a user out of a REQUIRED topic, and
the plans refuse it before sending (see :mod:`profile_editor.core.users.plan`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from profile_editor.core.lists.requests import Paging, PreferenceStatus
from profile_editor.core.methods import Method
from profile_editor.core.users.base import (
    UsersRequestBase,
    plural,
    tenant_query,
    tenant_segments,
)

__all__ = [
    "MAX_BULK_TOPICS",
    "Channel",
    "GetPreferencesRequest",
    "GetTopicPreferenceRequest",
    "PreferenceStatus",
    "PreferencesAnswer",
    "PreferencesRequest",
    "PutTopicPreferenceRequest",
    "ReplacePreferencesRequest",
    "ResetTopicPreferenceRequest",
    "TopicPreference",
    "TopicUpdate",
    "UpdatePreferencesRequest",
    "bulk_errors",
    "by_topic",
    "parse_channels",
    "parse_status",
]

MAX_BULK_TOPICS = 50  # Courier's limit on the bulk POST and PUT


class Channel(StrEnum):
    DIRECT_MESSAGE = "direct_message"
    EMAIL = "email"
    PUSH = "push"
    SMS = "sms"
    WEBHOOK = "webhook"
    INBOX = "inbox"


class TopicPreference(BaseModel):
    """A user's effective preference for one topic, as reads report it; other members kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    topic_id: str
    topic_name: str = ""
    status: PreferenceStatus
    default_status: PreferenceStatus
    has_custom_routing: bool | None = None
    custom_routing: tuple[Channel, ...] | None = None
    section_id: str | None = None
    section_name: str | None = None
    digest_schedule_id: str | None = None  # omitted (not null) by Courier when none

    @property
    def name(self) -> str:
        """What to call the topic in a sentence: its display name, else its ID."""
        return self.topic_name or self.topic_id

    @property
    def routing(self) -> tuple[Channel, ...] | None:
        """The custom channels when custom routing is on, else None (the topic's routing)."""
        return tuple(self.custom_routing or ()) if self.has_custom_routing else None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class PreferencesAnswer(BaseModel):
    """``GET /users/{id}/preferences``: the topics the user has overridden."""

    model_config = ConfigDict(frozen=True)

    items: list[TopicPreference]
    paging: Paging | None = None  # deprecated by Courier; never more than one page


def _loaded_preferences(parsed: Any) -> str | None:
    try:
        answer = PreferencesAnswer.model_validate(parsed)
    except ValidationError:
        return None
    return plural(len(answer.items), "topic") + " overridden"


def _loaded_topic(parsed: Any) -> str | None:
    if not isinstance(parsed, dict):
        return None
    try:
        topic = TopicPreference.model_validate(parsed.get("topic"))
    except ValidationError:
        return None
    return f"{topic.name}: {topic.status.value}"


# --- reading what a user typed ------------------------------------------------------------

_STATUS_WORDS = {status.value: status for status in PreferenceStatus}


def parse_status(text: str) -> PreferenceStatus:
    """A status as typed ("opted_out", "Opted-Out", " OPTED OUT "); a ValueError naming the
    allowed values otherwise."""
    word = "_".join(text.strip().upper().replace("-", " ").replace("_", " ").split())
    status = _STATUS_WORDS.get(word)
    if status is None:
        shown = text.strip() or "(empty)"
        raise ValueError(
            f"“{shown}” is not a preference status; use OPTED_IN or OPTED_OUT "
            "(REQUIRED is the workspace's, not a user's choice)."
        )
    return status


def parse_channels(text: str) -> tuple[Channel, ...]:
    """Channels as typed: separated by commas, spaces or ``|``, case-insensitive, each once, in
    the order given. "" is no channels. A ValueError names the unknown one and the choices."""
    channels: list[Channel] = []
    for word in text.replace("|", ",").replace(";", ",").replace(" ", ",").split(","):
        word = word.strip().lower().replace("-", "_")
        if not word:
            continue
        try:
            channel = Channel(word)
        except ValueError:
            choices = ", ".join(c.value for c in Channel)
            raise ValueError(f"“{word}” is not a channel; use one of {choices}.") from None
        if channel not in channels:
            channels.append(channel)
    return tuple(channels)


# --- requests -------------------------------------------------------------------------------


class _PreferencesRequest(UsersRequestBase):
    resource: ClassVar[str] = "preferences"
    tenant_id: str | None = None  # scopes the read or write to a tenant

    def tail_segments(self) -> tuple[str, ...]:
        return ("preferences",)

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        return tenant_segments(self.tenant_id)

    def query(self) -> dict[str, str]:
        return tenant_query(self.tenant_id)


class _TopicRequest(_PreferencesRequest):
    topic_id: str

    def tail_segments(self) -> tuple[str, ...]:
        return ("preferences", self.topic_id)

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        return (("topic ID", self.topic_id), *tenant_segments(self.tenant_id))


class GetPreferencesRequest(_PreferencesRequest):
    """``GET /users/{id}/preferences[?tenant_id=]``: every topic the user has overridden."""

    method: ClassVar[Method] = Method.GET
    verb: ClassVar[str] = "Read preferences"

    @staticmethod
    def loaded(parsed: Any) -> str | None:
        return _loaded_preferences(parsed)


class GetTopicPreferenceRequest(_TopicRequest):
    """``GET /users/{id}/preferences/{topic_id}``: the override, or the topic's default."""

    method: ClassVar[Method] = Method.GET
    verb: ClassVar[str] = "Read a topic preference"

    @staticmethod
    def loaded(parsed: Any) -> str | None:
        return _loaded_topic(parsed)


class PutTopicPreferenceRequest(_TopicRequest):
    """``PUT /users/{id}/preferences/{topic_id}``: set one topic's status and routing.

    The routing fields are replaced. ``digest_schedule_id``: leave it out to keep the user's
    digest choice; pass None to clear it (Courier's ``null``); a schedule ID to choose one.
    """

    method: ClassVar[Method] = Method.PUT
    verb: ClassVar[str] = "Set preference"
    status: PreferenceStatus
    custom_routing: tuple[Channel, ...] | None = None
    has_custom_routing: bool | None = None
    digest_schedule_id: str | None = None

    def payload(self) -> dict[str, Any]:
        topic: dict[str, Any] = {"status": self.status.value}
        if self.has_custom_routing is not None:
            topic["has_custom_routing"] = self.has_custom_routing
        if self.custom_routing is not None:
            topic["custom_routing"] = [channel.value for channel in self.custom_routing]
        if "digest_schedule_id" in self.model_fields_set:  # None given: clear the choice
            topic["digest_schedule_id"] = self.digest_schedule_id
        return {"topic": topic}


class ResetTopicPreferenceRequest(_TopicRequest):
    """``DELETE /users/{id}/preferences/{topic_id}``: the topic falls back to its default."""

    method: ClassVar[Method] = Method.DELETE
    verb: ClassVar[str] = "Reset preference"


class TopicUpdate(BaseModel):
    """One topic of a bulk body: ``{"topic_id", "status", "has_custom_routing"?,
    "custom_routing"?}``."""

    model_config = ConfigDict(frozen=True)

    topic_id: str = Field(min_length=1)
    status: PreferenceStatus
    has_custom_routing: bool | None = None
    custom_routing: tuple[Channel, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class _BulkRequest(_PreferencesRequest):
    topics: tuple[TopicUpdate, ...]

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        # The topic IDs travel in the body, but an empty one is refused as it would be in a path.
        topics = tuple(("topic ID", topic.topic_id) for topic in self.topics)
        return topics + tenant_segments(self.tenant_id)

    def payload(self) -> dict[str, Any]:
        return {"topics": [topic.to_json() for topic in self.topics]}


class UpdatePreferencesRequest(_BulkRequest):
    """``POST /users/{id}/preferences``: set 1 to 50 topics; topics left out keep their values.
    Courier answers ``{"items": [applied], "errors": [{"topic_id", "reason"}]}``."""

    method: ClassVar[Method] = Method.POST
    verb: ClassVar[str] = "Update preferences"
    topics: tuple[TopicUpdate, ...] = Field(min_length=1, max_length=MAX_BULK_TOPICS)


class ReplacePreferencesRequest(_BulkRequest):
    """``PUT /users/{id}/preferences``: the complete set of 0 to 50 overrides; every override not
    listed is reset to its default (an empty set resets all)."""

    method: ClassVar[Method] = Method.PUT
    verb: ClassVar[str] = "Replace preferences"
    topics: tuple[TopicUpdate, ...] = Field(max_length=MAX_BULK_TOPICS)


PreferencesRequest = (
    GetPreferencesRequest
    | GetTopicPreferenceRequest
    | PutTopicPreferenceRequest
    | ResetTopicPreferenceRequest
    | UpdatePreferencesRequest
    | ReplacePreferencesRequest
)


def bulk_errors(body: Any) -> list[tuple[str, str]]:
    """``(topic_id, reason)`` of each topic a bulk POST could not apply (its 200 answer)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    return [
        (str(e.get("topic_id", "")), str(e.get("reason", "")))
        for e in errors
        if isinstance(e, dict)
    ]


def by_topic(preferences: Sequence[TopicPreference]) -> dict[str, TopicPreference]:
    return {preference.topic_id: preference for preference in preferences}
