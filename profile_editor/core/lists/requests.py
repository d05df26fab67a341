"""A recipient's list subscriptions: the three requests on ``/profiles/{id}/lists``, the answers,
and reading every page.

The requests satisfy :class:`profile_editor.core.http.client.ApiRequest`, so they travel through
:class:`~profile_editor.core.http.client.ProfilesClient` with the retries, timeouts, cancellation and
outcome mapping of profile requests; :func:`execute_lists` picks the right answer check.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from profile_editor.core.http.models import Outcome, OutcomeKind, compact_body, request_headers
from profile_editor.core.http.paging import PageRead, read_all_pages
from profile_editor.core.methods import Method
from profile_editor.core.recipient import check_recipient_id, profile_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from profile_editor.core.http.cancel import CancelToken
    from profile_editor.core.http.client import ProfilesClient, RetryCallback

__all__ = [
    "MAX_PAGES",
    "GetSubscriptionsRequest",
    "ListSubscription",
    "ListsRequest",
    "Paging",
    "PreferenceRule",
    "PreferenceStatus",
    "RecipientPreferences",
    "SubscribeRequest",
    "Subscription",
    "SubscriptionPage",
    "SubscriptionsResult",
    "UnsubscribeAllRequest",
    "execute_lists",
    "fetch_all_subscriptions",
    "loaded_page",
]

MAX_PAGES = 1_000
"""fetch_all_subscriptions stops here: 20,000 subscriptions, or a server that pages forever."""


# --- preferences and answers ----------------------------------------------------------------


class PreferenceStatus(StrEnum):
    OPTED_IN = "OPTED_IN"
    OPTED_OUT = "OPTED_OUT"
    REQUIRED = "REQUIRED"


class PreferenceRule(BaseModel):
    """One category's or notification's preference; other members Courier adds are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    status: PreferenceStatus


class RecipientPreferences(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    categories: dict[str, PreferenceRule] | None = None
    notifications: dict[str, PreferenceRule] | None = None


class Subscription(BaseModel):
    """One list the recipient is subscribed to. ``created``/``updated`` are the list's, as the
    ISO 8601 text Courier sends (see :attr:`created_at` for a datetime)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    name: str
    created: str
    updated: str
    preferences: RecipientPreferences | None = None

    @property
    def created_at(self) -> datetime | None:
        return _parse_time(self.created)

    @property
    def updated_at(self) -> datetime | None:
        return _parse_time(self.updated)


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)  # 3.11 reads the trailing "Z" too
    except ValueError:
        return None


class Paging(BaseModel):
    model_config = ConfigDict(frozen=True)

    more: bool
    cursor: str | None = None


class SubscriptionPage(BaseModel):
    """One page of ``GET /profiles/{id}/lists``."""

    model_config = ConfigDict(frozen=True)

    paging: Paging
    results: list[Subscription]

    @classmethod
    def from_outcome(cls, outcome: Outcome) -> SubscriptionPage | None:
        """The page a successful GET answered, or None."""
        if not outcome.ok:
            return None
        try:
            return cls.model_validate(outcome.body)
        except ValidationError:
            return None


def loaded_page(parsed: Any) -> str | None:
    """The answer check of ``GET /profiles/{id}/lists`` (see ``ProfilesClient.execute``)."""
    try:
        page = SubscriptionPage.model_validate(parsed)
    except ValidationError:
        return None
    count = len(page.results)
    return f"{count} subscription{'' if count == 1 else 's'}" + (
        " (more)" if page.paging.more else ""
    )


# --- requests -------------------------------------------------------------------------------


class _ListsRequest(BaseModel):
    """What the three requests share: ``{base_url}/profiles/{id}/lists`` and the headers."""

    model_config = ConfigDict(frozen=True)

    method: ClassVar[Method]
    resource: ClassVar[str] = "lists"  # what history calls it (a profile request has none)
    base_url: str
    recipient_id: str
    idempotency_key: str | None = None  # sent with POST only, as for profiles

    @property
    def url(self) -> str:
        # The ID is one percent-encoded segment, exactly as for the profile itself.
        return self.base_url.rstrip("/") + profile_path(self.recipient_id) + "/lists"

    def payload(self) -> dict[str, Any] | None:
        return None

    def body_bytes(self) -> bytes | None:
        return compact_body(self.payload())

    def headers(self, api_key: str | None) -> dict[str, str]:
        return request_headers(
            api_key,
            self.method,
            has_body=self.payload() is not None,
            idempotency_key=self.idempotency_key,
        )


class GetSubscriptionsRequest(_ListsRequest):
    """``GET /profiles/{id}/lists[?cursor=...]``: one page of the recipient's subscriptions."""

    method: ClassVar[Method] = Method.GET
    cursor: str | None = None

    @property
    def url(self) -> str:
        url = super().url
        if self.cursor:
            url += "?cursor=" + urllib.parse.quote(self.cursor, safe="")
        return url


class ListSubscription(BaseModel):
    """One item of a subscribe body: ``{"listId": ..., "preferences"?: {...}}``."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    list_id: str = Field(alias="listId", min_length=1)
    preferences: RecipientPreferences | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class SubscribeRequest(_ListsRequest):
    """``POST /profiles/{id}/lists``: subscribe to lists (Courier creates unknown ones)."""

    method: ClassVar[Method] = Method.POST
    lists: tuple[ListSubscription, ...]

    def payload(self) -> dict[str, Any]:
        return {"lists": [item.to_json() for item in self.lists]}


class UnsubscribeAllRequest(_ListsRequest):
    """``DELETE /profiles/{id}/lists``: unsubscribe from every list (the profile stays)."""

    method: ClassVar[Method] = Method.DELETE


ListsRequest = GetSubscriptionsRequest | SubscribeRequest | UnsubscribeAllRequest


# --- executing ------------------------------------------------------------------------------


def execute_lists(
    client: ProfilesClient,
    request: ListsRequest,
    api_key: str | None,
    *,
    cancel: CancelToken | None = None,
    on_retry: RetryCallback | None = None,
) -> Outcome:
    """Send one list request through ``client`` (retries, timeouts, cancellation, outcomes).

    A recipient ID the app refuses for profiles (blank, padded, ``.``/``..``, control characters)
    is refused here too, with nothing sent.
    """
    check = check_recipient_id(request.recipient_id)
    if not check.sendable:
        return Outcome(
            kind=OutcomeKind.REFUSED,
            summary="Not sent",
            message=check.message,
            idempotency_key=request.idempotency_key,
        )
    return client.execute(
        request, api_key, cancel=cancel, on_retry=on_retry, check_answer=loaded_page
    )


@dataclass(frozen=True)
class SubscriptionsResult:
    """Every subscription read, and the outcome of the last request (the one that failed, if
    one did: then ``subscriptions`` holds the pages read before it)."""

    subscriptions: list[Subscription]
    outcome: Outcome
    pages: int = 0
    attempts: int = 0  # over all pages, retries included
    elapsed_ms: float = 0.0  # over all pages
    complete: bool = False

    @property
    def ok(self) -> bool:
        return self.complete and self.outcome.ok


def fetch_all_subscriptions(
    client: ProfilesClient,
    base_url: str,
    recipient_id: str,
    api_key: str | None,
    *,
    cancel: CancelToken | None = None,
    on_retry: RetryCallback | None = None,
    on_page: Callable[[GetSubscriptionsRequest, Outcome], None] | None = None,
) -> SubscriptionsResult:
    """Read every page of the recipient's subscriptions, following the cursors.

    Stops at the first request that does not succeed (its outcome says why), when cancelled,
    and on a server that repeats a cursor or pages beyond :data:`MAX_PAGES`. ``on_page`` is
    given each page's request and outcome as it ends (the history records each).
    """

    def send(cursor: str | None) -> Outcome:
        request = GetSubscriptionsRequest(
            base_url=base_url, recipient_id=recipient_id, cursor=cursor
        )
        outcome = execute_lists(client, request, api_key, cancel=cancel, on_retry=on_retry)
        if on_page is not None:
            on_page(request, outcome)
        return outcome

    def parse(outcome: Outcome) -> PageRead[Subscription] | None:
        page = SubscriptionPage.from_outcome(outcome)
        return None if page is None else (page.results, page.paging.more, page.paging.cursor)

    read = read_all_pages(send, parse, max_pages=MAX_PAGES, what="Subscriptions")
    return SubscriptionsResult(
        read.items, read.outcome, read.pages, read.attempts, read.elapsed_ms, read.complete
    )
