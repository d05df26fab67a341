"""``profile-editor-sandbox --seed FILE``: a known state in one step.

A seed is a JSON object::

    {"topics": [{"topic_id", "topic_name", "section_id", "section_name", "default_status",
                 "digest_schedules"?: [schedule IDs]}],
     "profiles": {recipient: profile},
     "lists": {recipient: [list IDs]},
     "preferences": {recipient: [{"topic_id", "status", "has_custom_routing"?,
                                  "custom_routing"?, "digest_schedule_id"?, "tenant_id"?}]},
     "tokens": {recipient: [UserToken]},
     "tenants": {recipient: [TenantAssociation]}}

Every member is optional. Loading it upserts the topics and replaces, for each recipient it
names, the parts it names (other recipients, and parts it leaves out, stay). A bad seed is
refused whole, with the file and what is wrong in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from profile_editor.core.users.paths import segment_problem, user_id_problem
from profile_editor.core.users.preferences import Channel
from profile_editor.core.users.tenants import TenantAssociation
from profile_editor.core.users.tokens import UserToken, expiry_day
from profile_editor.sandbox import users_store as rows
from profile_editor.sandbox.lists import now_iso
from profile_editor.sandbox.store import ProfileStore

__all__ = ["Seed", "SeedError", "apply_seed", "load_seed", "parse_seed"]


class SeedError(ValueError):
    """The seed cannot be loaded; the message names the file and what is wrong."""


class SeedTopic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    topic_id: str = Field(min_length=1)
    topic_name: str
    section_id: str = ""
    section_name: str = ""
    default_status: Literal["OPTED_IN", "OPTED_OUT", "REQUIRED"]
    digest_schedules: list[str] = Field(default_factory=list)


class SeedOverride(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    topic_id: str = Field(min_length=1)
    status: Literal["OPTED_IN", "OPTED_OUT"]
    has_custom_routing: bool = False
    custom_routing: list[Channel] = Field(default_factory=list)
    digest_schedule_id: str | None = None
    tenant_id: str = ""  # "" is the unscoped preference


class Seed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    topics: list[SeedTopic] = Field(default_factory=list)
    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    lists: dict[str, list[str]] = Field(default_factory=dict)
    preferences: dict[str, list[SeedOverride]] = Field(default_factory=dict)
    tokens: dict[str, list[UserToken]] = Field(default_factory=dict)
    tenants: dict[str, list[TenantAssociation]] = Field(default_factory=dict)


def load_seed(path: Path) -> Seed:
    """Read and check a seed file; SeedError says which file and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SeedError(f"{path}: cannot read the seed file: {reason}") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise SeedError(f"{path}: not valid JSON: {exc}") from None
    return parse_seed(document, str(path))


def parse_seed(document: Any, source: str = "seed") -> Seed:
    if not isinstance(document, dict):
        raise SeedError(f"{source}: a seed is a JSON object, with topics, profiles, lists, ...")
    try:
        seed = Seed.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise SeedError(f"{source}: {where}: {error['msg']}{more}") from None
    problem = _consistency_problem(seed)
    if problem is not None:
        raise SeedError(f"{source}: {problem}")
    return seed


def _consistency_problem(seed: Seed) -> str | None:
    # IDs the app could never send (an empty recipient, a tenant " t", a token "..") would be
    # seeded state nobody can reach; a repeated tenant used to stop the start with a traceback.
    for part in ("profiles", "lists", "preferences", "tokens", "tenants"):
        for recipient in getattr(seed, part):
            problem = user_id_problem(recipient)
            if problem is not None:
                return f"{part}: the recipient {recipient!r}: {problem}"
    topics = {topic.topic_id: topic for topic in seed.topics}
    if len(topics) != len(seed.topics):
        return "topics: a topic_id appears more than once."
    for index, t in enumerate(seed.topics):
        problem = segment_problem(t.topic_id, "topic ID")
        if problem is not None:
            return f"topics.{index}.topic_id: {problem}"
    for recipient, overrides in seed.preferences.items():
        scoped: set[tuple[str, str]] = set()
        for index, o in enumerate(overrides):
            where = f"preferences.{recipient}.{index}"
            if (o.topic_id, o.tenant_id) in scoped:
                return f"{where}: topic {o.topic_id!r} appears twice for this recipient" + (
                    f" in tenant {o.tenant_id!r}." if o.tenant_id else "."
                )
            scoped.add((o.topic_id, o.tenant_id))
            if o.tenant_id:
                problem = segment_problem(o.tenant_id, "tenant ID")
                if problem is not None:
                    return f"{where}.tenant_id: {problem}"
            topic = topics.get(o.topic_id)
            if topic is None:
                return f"{where}.topic_id: {o.topic_id!r} is not one of the seed's topics."
            if o.status == "OPTED_OUT" and topic.default_status == "REQUIRED":
                return f"{where}: topic {o.topic_id!r} is REQUIRED and cannot be opted out."
            if (
                o.digest_schedule_id is not None
                and o.digest_schedule_id not in topic.digest_schedules
            ):
                return (
                    f"{where}.digest_schedule_id: {o.digest_schedule_id!r} is not one of the "
                    f"topic's digest_schedules."
                )
    for recipient, tokens in seed.tokens.items():
        seen: set[str] = set()
        for index, token in enumerate(tokens):
            where = f"tokens.{recipient}.{index}"
            if not token.token:
                return f"{where}.token: a token cannot be empty."
            problem = segment_problem(token.token, "token")
            if problem is not None:
                return f"{where}.token: {problem}"
            if token.token in seen:
                return f"{where}.token: the same token appears twice for this recipient."
            seen.add(token.token)
            expiry = token.expiry_date
            if isinstance(expiry, str) and expiry_day(expiry) is None:
                return f"{where}.expiry_date: {expiry!r} is not an ISO 8601 date (or false)."
    for recipient, tenants in seed.tenants.items():
        members: set[str] = set()
        for index, tenant in enumerate(tenants):
            where = f"tenants.{recipient}.{index}.tenant_id"
            if not tenant.tenant_id:
                return f"{where}: a tenant ID cannot be empty."
            problem = segment_problem(tenant.tenant_id, "tenant ID")
            if problem is not None:
                return f"{where}: {problem}"
            if tenant.tenant_id in members:
                return f"{where}: tenant {tenant.tenant_id!r} appears twice for this recipient."
            members.add(tenant.tenant_id)
    return None


def apply_seed(store: ProfileStore, seed: Seed) -> None:
    """Upsert the topics; replace what the seed names for each recipient."""
    rows.put_topics(
        store,
        [
            rows.Topic(
                t.topic_id,
                t.topic_name,
                t.section_id,
                t.section_name,
                t.default_status,
                tuple(t.digest_schedules),
            )
            for t in seed.topics
        ],
    )
    for recipient, profile in seed.profiles.items():
        store.put(recipient, profile)
    now = now_iso()
    for recipient, list_ids in seed.lists.items():
        store.unsubscribe_all(recipient)
        store.subscribe(recipient, [(list_id, None) for list_id in list_ids], now)
    for recipient in {*seed.preferences, *seed.tokens, *seed.tenants}:
        overrides = seed.preferences.get(recipient)
        tokens = seed.tokens.get(recipient)
        tenants = seed.tenants.get(recipient)
        rows.seed_recipient(
            store,
            recipient,
            overrides=None
            if overrides is None
            else [
                (
                    o.tenant_id,
                    rows.Override(
                        o.topic_id,
                        o.status,
                        o.has_custom_routing,
                        tuple(c.value for c in o.custom_routing) if o.has_custom_routing else (),
                        o.digest_schedule_id,
                    ),
                )
                for o in overrides
            ],
            tokens=None if tokens is None else [_token_row(t) for t in tokens],
            tenants=None if tenants is None else [(t.tenant_id, t.profile) for t in tenants],
        )


def _token_row(token: UserToken) -> dict[str, Any]:
    data = token.model_dump(mode="json", exclude_none=True)
    data.setdefault("status", "active")
    return data
