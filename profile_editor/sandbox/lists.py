"""``/profiles/{id}/lists`` of the sandbox: page cursors, subscribe bodies and answer bodies.

The HTTP side lives in :mod:`.handler`, the rows in :mod:`.store`; this module holds the rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from profile_editor.sandbox.models import json_type_phrase as _a
from profile_editor.sandbox.store import Subscription, json_text

__all__ = [
    "LISTS_SUFFIX",
    "PAGE_SIZE",
    "PREFERENCE_STATUSES",
    "CursorCodec",
    "ListsRequestError",
    "now_iso",
    "page_body",
    "parse_subscribe_body",
]

LISTS_SUFFIX = "/lists"
PAGE_SIZE = 20
"""Subscriptions per page of ``GET /profiles/{id}/lists``."""

PREFERENCE_STATUSES = frozenset({"OPTED_IN", "OPTED_OUT", "REQUIRED"})
_PREFERENCE_GROUPS = ("categories", "notifications")


class ListsRequestError(ValueError):
    """The request is malformed; the message says how (answered as 400)."""


def now_iso() -> str:
    """The current UTC time as ISO 8601 with milliseconds, e.g. ``2026-11-27T10:00:00.000Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CursorCodec:
    """Opaque page cursors: the recipient and the last list ID of a page, signed.

    The signature (HMAC with a secret made per sandbox) is how a cursor the sandbox did not
    issue, one altered on the way, or one issued for another recipient is told apart.
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def issue(self, recipient_id: str, after: str) -> str:
        payload = json.dumps([recipient_id, after], ensure_ascii=False).encode()
        return _b64(payload) + "." + _b64(self._sign(payload))

    def read(self, cursor: str, recipient_id: str) -> str:
        """The list ID the page continues after; ListsRequestError if the cursor is not ours."""
        encoded, _, signature = cursor.partition(".")
        try:
            payload = _unb64(encoded)
            valid = hmac.compare_digest(_unb64(signature), self._sign(payload))
        except (binascii.Error, ValueError):
            valid = False
        if valid:
            issued_for, after = json.loads(payload)
            if issued_for == recipient_id:
                return str(after)
        raise ListsRequestError(
            "The cursor is not valid: pass the paging.cursor of a previous page for this recipient."
        )

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_subscribe_body(document: Any) -> list[tuple[str, dict[str, Any] | None]]:
    """``{"lists": [{"listId": ..., "preferences"?: {...}}, ...]}`` as (list ID, preferences)."""
    if not isinstance(document, dict) or "lists" not in document:
        raise ListsRequestError('The request body must be a JSON object with a "lists" member.')
    items = document["lists"]
    if not isinstance(items, list):
        raise ListsRequestError(f'"lists" must be an array, not {_a(items)}.')
    parsed: list[tuple[str, dict[str, Any] | None]] = []
    for index, item in enumerate(items):
        where = f"lists[{index}]"
        if not isinstance(item, dict):
            raise ListsRequestError(f"{where} must be an object, not {_a(item)}.")
        if "listId" not in item:
            near = next((k for k in ("list_id", "listID", "listid", "id") if k in item), None)
            hint = f' (found "{near}"; Courier spells it "listId")' if near else ""
            raise ListsRequestError(f'{where} has no "listId"{hint}.')
        list_id = item["listId"]
        if not isinstance(list_id, str) or not list_id.strip():
            raise ListsRequestError(
                f"{where}.listId must be a non-empty string, not {_a(list_id)}."
            )
        if not list_id.isascii() and not _is_unicode_text(list_id):
            raise ListsRequestError(f"{where}.listId holds a lone UTF-16 surrogate escape.")
        preferences = item.get("preferences")
        if preferences is not None:
            _check_preferences(preferences, f"{where}.preferences")
        parsed.append((list_id, preferences))
    return parsed


def _is_unicode_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_preferences(preferences: Any, where: str) -> None:
    if not isinstance(preferences, dict):
        raise ListsRequestError(f"{where} must be an object, not {_a(preferences)}.")
    for group in _PREFERENCE_GROUPS:
        rules = preferences.get(group)
        if rules is None:
            continue
        if not isinstance(rules, dict):
            raise ListsRequestError(f"{where}.{group} must be an object, not {_a(rules)}.")
        for rule_id, rule in rules.items():
            if not isinstance(rule, dict):
                raise ListsRequestError(
                    f"{where}.{group}.{rule_id} must be an object, not {_a(rule)}."
                )
            status = rule.get("status")
            if status not in PREFERENCE_STATUSES:
                raise ListsRequestError(
                    f"{where}.{group}.{rule_id}.status must be one of "
                    f"{', '.join(sorted(PREFERENCE_STATUSES))}, not {json.dumps(status)}."
                )


def page_body(subscriptions: list[Subscription], cursor: str | None) -> bytes:
    """The JSON answer for one page; ``cursor`` is None on the last page."""
    results = []
    for sub in subscriptions:
        item: dict[str, Any] = {
            "id": sub.list_id,
            "name": sub.name,
            "created": sub.created,
            "updated": sub.updated,
        }
        if sub.preferences_json is not None:
            item["preferences"] = json.loads(sub.preferences_json)
        results.append(item)
    document = {"paging": {"more": cursor is not None, "cursor": cursor}, "results": results}
    return json_text(document).encode()
