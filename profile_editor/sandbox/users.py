"""``/users/{id}/preferences|tokens|tenants`` of the sandbox: routes, body rules and answers,
as Courier gives them (see docs/users-api.md). The HTTP side lives in :mod:`.handler`, the rows
in :mod:`.users_store`; this module holds the rules.

Errors Courier documents are answered the same: opting a user out of a REQUIRED topic is a 400,
an unknown token a 404 (to read or patch it; deleting is idempotent), an ``expiry_date`` that is
not a date (or ``true``) a 400, a tenant cursor the sandbox did not issue a 400.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, replace
from typing import Any

from profile_editor.core.profile.jsoncodec import MAX_DEPTH, nesting_depth
from profile_editor.core.users.tokens import expiry_day
from profile_editor.sandbox import users_store as rows
from profile_editor.sandbox.lists import CursorCodec, ListsRequestError
from profile_editor.sandbox.models import json_type_phrase as _a
from profile_editor.sandbox.store import ProfileStore, json_text

__all__ = [
    "CHANNELS",
    "PROVIDERS",
    "USERS_PREFIX",
    "UsersApi",
    "UsersRequestError",
    "UsersRoute",
    "route_users",
]

USERS_PREFIX = "/users/"
CHANNELS = ("direct_message", "email", "push", "sms", "webhook", "inbox")
PROVIDERS = ("firebase-fcm", "apn", "expo", "onesignal")
TOKEN_STATUSES = ("active", "unknown", "failed", "revoked")
USER_STATUSES = ("OPTED_IN", "OPTED_OUT")
MAX_BULK_TOPICS = 50
TENANT_PAGE = 20
MAX_TENANT_PAGE = 100
_DEVICE = ("app_id", "ad_id", "device_id", "platform", "manufacturer", "model")
_TRACKING = ("os_version", "ip", "lat", "long")

_ALLOWED: dict[tuple[str, bool], tuple[str, ...]] = {
    ("preferences", False): ("GET", "POST", "PUT"),
    ("preferences", True): ("GET", "PUT", "DELETE"),
    ("tokens", False): ("GET", "PUT"),
    ("tokens", True): ("GET", "PUT", "PATCH", "DELETE"),
    ("tenants", False): ("GET", "PUT", "DELETE"),
    ("tenants", True): ("PUT", "DELETE"),
}
_WHAT = {"preferences": "topic ID", "tokens": "token", "tenants": "tenant ID"}


class UsersRequestError(ValueError):
    """Answer with Courier's error body: ``status`` and a message saying what is wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class UsersRoute:
    user_id: str
    resource: str  # "preferences" | "tokens" | "tenants"
    item: str | None  # the decoded topic ID, token or tenant ID

    @property
    def allowed(self) -> tuple[str, ...]:
        return _ALLOWED[(self.resource, self.item is not None)]


def _decode(segment: str, what: str) -> str | None:
    if not segment or segment in (".", ".."):
        return None
    try:
        return urllib.parse.unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise UsersRequestError(400, f"The {what} is not valid percent-encoded UTF-8.") from None


def route_users(path: str) -> UsersRoute | None:
    """The route of a raw ``/users/...`` path, or None for no endpoint (a 404)."""
    parts = path[len(USERS_PREFIX) :].split("/")
    if len(parts) not in (2, 3) or parts[1] not in _WHAT:
        return None
    user_id = _decode(parts[0], "user ID")
    item = _decode(parts[2], _WHAT[parts[1]]) if len(parts) == 3 else None
    if user_id is None or (len(parts) == 3 and item is None):
        return None
    return UsersRoute(user_id, parts[1], item)


def _query(target: str) -> dict[str, str]:
    query = target.partition("?")[2]
    parsed = urllib.parse.parse_qs(query, keep_blank_values=True) if query else {}
    return {name: values[-1] for name, values in parsed.items()}


def _parse(body: bytes, *, empty: Any = None) -> Any:
    if not body:
        if empty is not None:
            return empty
        raise UsersRequestError(400, "The request body is empty; expected a JSON object.")
    try:
        text = body.decode("utf-8")
        document = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsersRequestError(400, f"The request body is not valid JSON: {exc}") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise UsersRequestError(400, f"The request body is nested deeper than {MAX_DEPTH} levels.")
    return document


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UsersRequestError(400, f"{where} must be an object, not {_a(value)}.")
    return value


def _dump(value: Any) -> bytes:
    return json_text(value).encode()


class UsersApi:
    """Answers one ``/users/`` request: ``(status, body)`` or a UsersRequestError."""

    def __init__(self, store: ProfileStore, cursors: CursorCodec) -> None:
        self.store = store
        self.cursors = cursors

    def answer(self, method: str, route: UsersRoute, target: str, body: bytes) -> tuple[int, bytes]:
        handler = getattr(self, f"_{route.resource}")
        result: tuple[int, bytes] = handler(method, route, _query(target), body)
        return result

    # --- preferences ----------------------------------------------------------------------

    def _topic_or_404(self, topic_id: str) -> rows.Topic:
        topic = rows.get_topic(self.store, topic_id)
        if topic is None:
            raise UsersRequestError(404, f"No subscription topic {topic_id!r} in this workspace.")
        return topic

    @staticmethod
    def _preference(
        topic: rows.Topic, override: rows.Override | None, *, listing: bool
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "topic_id": topic.topic_id,
            "topic_name": topic.topic_name,
            "status": override.status if override else topic.default_status,
            "default_status": topic.default_status,
            "has_custom_routing": bool(override and override.has_custom_routing),
        }
        if override and override.has_custom_routing:
            item["custom_routing"] = list(override.custom_routing)
        if topic.section_id or listing:
            item["section_id"] = topic.section_id
            item["section_name"] = topic.section_name
        if override and override.digest_schedule_id is not None:
            item["digest_schedule_id"] = override.digest_schedule_id
        return item

    def _preferences(
        self, method: str, route: UsersRoute, query: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        uid, tenant = route.user_id, query.get("tenant_id", "")
        if route.item is not None:
            return self._one_topic(method, uid, tenant, route.item, body)
        if method == "GET":
            topics = rows.list_topics(self.store)
            items = [
                self._preference(topics[o.topic_id], o, listing=True)
                for o in rows.list_overrides(self.store, uid, tenant)
                if o.topic_id in topics
            ]
            return 200, _dump({"items": items, "paging": {"more": False, "cursor": None}})
        topics_in = _object(_parse(body), "The request body").get("topics")
        if not isinstance(topics_in, list):
            raise UsersRequestError(400, f'"topics" must be an array, not {_a(topics_in)}.')
        low = 1 if method == "POST" else 0
        if not low <= len(topics_in) <= MAX_BULK_TOPICS:
            raise UsersRequestError(
                400, f'"topics" holds {len(topics_in)}; send {low} to {MAX_BULK_TOPICS} topics.'
            )
        if method == "POST":
            return self._bulk_update(uid, tenant, topics_in)
        overrides = [
            self._bulk_item(item, f"topics[{i}]", strict=True)[1]
            for i, item in enumerate(topics_in)
        ]
        seen = [o.topic_id for o in overrides]
        if len(set(seen)) != len(seen):
            raise UsersRequestError(400, '"topics" names a topic more than once.')
        deleted = rows.replace_overrides(self.store, uid, tenant, overrides)
        return 200, _dump({"items": [_bulk_echo(o) for o in overrides], "deleted": deleted})

    def _bulk_item(
        self, item: Any, where: str, *, strict: bool
    ) -> tuple[str | None, rows.Override]:
        """An override from a bulk item; a reason it cannot apply (strict: a 400 instead)."""
        item = _object(item, where)
        topic_id = item.get("topic_id")
        if not isinstance(topic_id, str) or not topic_id:
            raise UsersRequestError(400, f"{where}.topic_id must be a non-empty string.")
        status = item.get("status")
        if status not in USER_STATUSES:
            raise UsersRequestError(
                400, f"{where}.status must be OPTED_IN or OPTED_OUT, not {json.dumps(status)}."
            )
        routing = _routing(item, where)
        override = rows.Override(topic_id, status, routing is not None, routing or ())
        topic = rows.get_topic(self.store, topic_id)
        reason = None
        if topic is None:
            reason = f"No subscription topic {topic_id!r} in this workspace."
        elif status == "OPTED_OUT" and topic.default_status == "REQUIRED":
            reason = f"Topic {topic_id!r} is REQUIRED: a user cannot be opted out of it."
        if reason and strict:
            raise UsersRequestError(400, f"{where}: {reason}")
        return reason, override

    def _bulk_update(self, uid: str, tenant: str, topics_in: list[Any]) -> tuple[int, bytes]:
        applied: dict[str, rows.Override] = {}
        errors: list[dict[str, str]] = []
        for i, item in enumerate(topics_in):
            reason, override = self._bulk_item(item, f"topics[{i}]", strict=False)
            if reason:
                errors.append({"topic_id": override.topic_id, "reason": reason})
            else:
                applied[override.topic_id] = override

        def make(topic_id: str, old: rows.Override | None) -> rows.Override:
            # The bulk body has no digest member: a stored digest choice stays.
            return replace(
                applied[topic_id], digest_schedule_id=old.digest_schedule_id if old else None
            )

        written = rows.set_overrides(self.store, uid, tenant, make, list(applied))
        return 200, _dump({"items": [_bulk_echo(o) for o in written], "errors": errors})

    def _one_topic(
        self, method: str, uid: str, tenant: str, topic_id: str, body: bytes
    ) -> tuple[int, bytes]:
        topic = self._topic_or_404(topic_id)
        if method == "GET":
            override = rows.get_override(self.store, uid, tenant, topic_id)
            return 200, _dump({"topic": self._preference(topic, override, listing=False)})
        if method == "DELETE":
            rows.delete_override(self.store, uid, tenant, topic_id)
            return 204, b""
        document = _object(_parse(body), "The request body")
        given = _object(document.get("topic"), '"topic"')
        status = given.get("status")
        if status == "REQUIRED":
            raise UsersRequestError(
                400, "REQUIRED is a topic's default set by the workspace, not a user's choice."
            )
        if status not in USER_STATUSES:
            raise UsersRequestError(
                400, f"topic.status must be OPTED_IN or OPTED_OUT, not {json.dumps(status)}."
            )
        if status == "OPTED_OUT" and topic.default_status == "REQUIRED":
            raise UsersRequestError(
                400, f"Topic {topic_id!r} is REQUIRED: a user cannot be opted out of it."
            )
        routing = _routing(given, "topic")
        digest_given = "digest_schedule_id" in given
        digest = given.get("digest_schedule_id")
        if digest is not None and (
            not isinstance(digest, str) or digest not in topic.digest_schedules
        ):
            raise UsersRequestError(
                400,
                f"topic.digest_schedule_id {json.dumps(digest)} is not an active digest schedule "
                f"of topic {topic_id!r}"
                + (
                    f" (its schedules: {', '.join(topic.digest_schedules)})."
                    if topic.digest_schedules
                    else " (it has none)."
                ),
            )

        def make(_: str, old: rows.Override | None) -> rows.Override:
            kept = old.digest_schedule_id if old else None
            return rows.Override(
                topic_id,
                status,
                routing is not None,
                routing or (),
                digest if digest_given else kept,
            )

        rows.set_overrides(self.store, uid, tenant, make, [topic_id])
        return 200, _dump({"message": "success"})

    # --- tokens -----------------------------------------------------------------------------

    def _tokens(
        self, method: str, route: UsersRoute, query: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        uid, token = route.user_id, route.item
        if token is None:
            if method == "GET":
                return 200, _dump({"tokens": rows.list_tokens(self.store, uid)})
            # PUT: several tokens; Courier's SDK sends this one without a body.
            document = _object(_parse(body, empty={}), "The request body")
            items = document.get("tokens", [])
            if not isinstance(items, list):
                raise UsersRequestError(400, f'"tokens" must be an array, not {_a(items)}.')
            tokens = [_token_body(item, f"tokens[{i}]", None) for i, item in enumerate(items)]
            rows.put_tokens(self.store, uid, tokens)
            return 204, b""
        if method == "GET":
            stored = rows.get_token(self.store, uid, token)
            if stored is None:
                raise _unknown_token(token)
            return 200, _dump(stored)
        if method == "PUT":
            rows.put_tokens(self.store, uid, [_token_body(_parse(body), "", token)])
            return 204, b""
        if method == "DELETE":  # idempotent, as a profile's DELETE: gone either way
            rows.delete_token(self.store, uid, token)
            return 204, b""
        ops = _object(_parse(body), "The request body").get("patch")
        if not isinstance(ops, list) or not ops:
            raise UsersRequestError(400, '"patch" must be a non-empty array of operations.')
        if not rows.update_token(self.store, uid, token, lambda data: _patch_token(data, ops)):
            raise _unknown_token(token)
        return 204, b""

    # --- tenants ----------------------------------------------------------------------------

    def _tenants(
        self, method: str, route: UsersRoute, query: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        uid, tenant_id = route.user_id, route.item
        if tenant_id is not None:
            if method == "DELETE":
                rows.delete_tenant(self.store, uid, tenant_id)
                return 204, b""
            document = _object(_parse(body, empty={}), "The request body")
            profile = document.get("profile")
            if profile is not None:
                _object(profile, '"profile"')
            rows.put_tenants(self.store, uid, [(tenant_id, profile)])
            return 204, b""
        if method == "DELETE":
            rows.delete_all_tenants(self.store, uid)
            return 204, b""
        if method == "PUT":
            items = _object(_parse(body), "The request body").get("tenants")
            if not isinstance(items, list):
                raise UsersRequestError(400, f'"tenants" must be an array, not {_a(items)}.')
            memberships = [_tenant_item(item, f"tenants[{i}]") for i, item in enumerate(items)]
            rows.put_tenants(self.store, uid, memberships)
            return 204, b""
        return 200, _dump(self._tenant_page(uid, query))

    def _tenant_page(self, uid: str, query: dict[str, str]) -> dict[str, Any]:
        text = query.get("limit")
        limit = TENANT_PAGE
        if text is not None:
            if not text.isdigit() or not 1 <= int(text) <= MAX_TENANT_PAGE:
                raise UsersRequestError(
                    400, f"limit must be a whole number from 1 to {MAX_TENANT_PAGE}, not {text!r}."
                )
            limit = int(text)
        cursor = query.get("cursor")
        try:
            after = self.cursors.read(cursor, "tenants\0" + uid) if cursor else ""
        except ListsRequestError:
            raise UsersRequestError(
                400, "The cursor is not valid: pass the cursor of a previous page for this user."
            ) from None
        items, more = rows.tenants_page(self.store, uid, after, limit)
        base = USERS_PREFIX + urllib.parse.quote(uid, safe="") + "/tenants"
        page: dict[str, Any] = {
            "items": [_tenant_json(uid, tid, profile) for tid, profile in items],
            "has_more": more,
            "url": base,
            "type": "list",
        }
        if more:
            next_cursor = self.cursors.issue("tenants\0" + uid, items[-1][0])
            page["cursor"] = next_cursor
            page["next_url"] = f"{base}?cursor={urllib.parse.quote(next_cursor, safe='')}"
        return page


# --- helpers ----------------------------------------------------------------------------------


def _routing(item: dict[str, Any], where: str) -> tuple[str, ...] | None:
    """The custom channels when ``has_custom_routing`` is true, else None."""
    has = item.get("has_custom_routing")
    if has is not None and not isinstance(has, bool):
        raise UsersRequestError(400, f"{where}.has_custom_routing must be true or false.")
    channels = item.get("custom_routing")
    if channels is None:
        channels = []
    if not isinstance(channels, list):
        raise UsersRequestError(400, f"{where}.custom_routing must be an array of channels.")
    for channel in channels:
        if channel not in CHANNELS:
            raise UsersRequestError(
                400,
                f"{where}.custom_routing: {json.dumps(channel)} is not a channel "
                f"(one of {', '.join(CHANNELS)}).",
            )
    if not has:
        return None
    return tuple(dict.fromkeys(channels))


def _bulk_echo(o: rows.Override) -> dict[str, Any]:
    return {
        "topic_id": o.topic_id,
        "status": o.status,
        "has_custom_routing": o.has_custom_routing,
        "custom_routing": list(o.custom_routing),
    }


def _unknown_token(token: str) -> UsersRequestError:
    return UsersRequestError(404, f"No token {token!r} is registered for this user.")


def _check_expiry(value: Any, where: str) -> None:
    if value is False:
        return
    if value is True:
        raise UsersRequestError(
            400, f"{where}: true is not accepted; send a date, or false for no expiry."
        )
    if expiry_day(value) is None:
        raise UsersRequestError(
            400, f"{where} {json.dumps(value)} is not an ISO 8601 date (or false for no expiry)."
        )


def _strings(value: Any, names: tuple[str, ...], where: str) -> None:
    obj = _object(value, where)
    for name in names:
        if name in obj and obj[name] is not None and not isinstance(obj[name], str):
            raise UsersRequestError(400, f"{where}.{name} must be a string, not {_a(obj[name])}.")


def _token_body(value: Any, where: str, path_token: str | None) -> dict[str, Any]:
    """A registered token (``where``: "" for a whole body, else e.g. "tokens[0]"): validated,
    stored with status ``active`` (a re-registration revives a failed one)."""

    def at(name: str) -> str:
        return f"{where}.{name}" if where else name

    data = dict(_object(value, where or "The request body"))
    token = data.get("token", path_token)
    if path_token is not None and token != path_token:
        raise UsersRequestError(400, f"{at('token')} must equal the token in the path.")
    if not isinstance(token, str) or not token:
        raise UsersRequestError(400, f"{at('token')} must be a non-empty string.")
    if data.get("provider_key") not in PROVIDERS:
        raise UsersRequestError(
            400,
            f"{at('provider_key')} must be one of {', '.join(PROVIDERS)}, "
            f"not {json.dumps(data.get('provider_key'))}.",
        )
    if "expiry_date" in data and data["expiry_date"] is not None:
        _check_expiry(data["expiry_date"], at("expiry_date"))
    if data.get("device") is not None:
        _strings(data["device"], _DEVICE, at("device"))
    if data.get("tracking") is not None:
        _strings(data["tracking"], _TRACKING, at("tracking"))
    if data.get("properties") is not None:
        _object(data["properties"], at("properties"))
    data["token"] = token
    data = {k: v for k, v in data.items() if v is not None and k not in ("status", "status_reason")}
    data["status"] = "active"
    return data


def _patch_token(data: dict[str, Any], ops: list[Any]) -> dict[str, Any]:
    """Apply Courier's token patch: ``replace``/``add``/``remove`` of a top-level member.
    ``/expiry_date`` with no value (or null) goes back to the default expiry."""
    data = dict(data)
    for index, op in enumerate(ops):
        where = f"patch[{index}]"
        op = _object(op, where)
        kind, path = op.get("op"), op.get("path")
        if kind not in ("replace", "add", "remove"):
            raise UsersRequestError(
                400, f"{where}.op must be replace, add or remove, not {json.dumps(kind)}."
            )
        name = path[1:] if isinstance(path, str) and path.startswith("/") else None
        if name not in (
            "status",
            "status_reason",
            "expiry_date",
            "properties",
            "device",
            "tracking",
        ):
            raise UsersRequestError(
                400, f"{where}.path {json.dumps(path)} cannot be patched on a token."
            )
        value = op.get("value")
        if kind == "remove" or value is None:
            if name == "status":
                raise UsersRequestError(400, f"{where}: a token's status cannot be removed.")
            data.pop(name, None)
            continue
        if name == "status" and value not in TOKEN_STATUSES:
            raise UsersRequestError(
                400,
                f"{where}.value must be one of {', '.join(TOKEN_STATUSES)}, not {json.dumps(value)}.",
            )
        if name == "status_reason" and not isinstance(value, str):
            raise UsersRequestError(400, f"{where}.value must be a string.")
        if name == "expiry_date":
            _check_expiry(value, f"{where}.value")
        if name in ("properties", "device", "tracking"):
            _object(value, f"{where}.value")
        data[name] = value
    return data


def _tenant_item(value: Any, where: str) -> tuple[str, dict[str, Any] | None]:
    item = _object(value, where)
    tenant_id = item.get("tenant_id")
    if not isinstance(tenant_id, str) or not tenant_id:
        raise UsersRequestError(400, f"{where}.tenant_id must be a non-empty string.")
    profile = item.get("profile")
    if profile is not None:
        _object(profile, f"{where}.profile")
    return tenant_id, profile


def _tenant_json(uid: str, tenant_id: str, profile: dict[str, Any] | None) -> dict[str, Any]:
    item: dict[str, Any] = {"tenant_id": tenant_id, "type": "user", "user_id": uid}
    if profile is not None:
        item["profile"] = profile
    return item
