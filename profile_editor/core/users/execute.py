"""Sending any request under ``/users/{id}`` through the profiles client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from profile_editor.core.http.models import Outcome, OutcomeKind
from profile_editor.core.users.preferences import PreferencesRequest
from profile_editor.core.users.tenants import TenantsRequest
from profile_editor.core.users.tokens import TokensRequest

if TYPE_CHECKING:
    from profile_editor.core.http.cancel import CancelToken
    from profile_editor.core.http.client import ProfilesClient, RetryCallback

__all__ = ["UsersRequest", "execute_users"]

UsersRequest = PreferencesRequest | TokensRequest | TenantsRequest


def execute_users(
    client: ProfilesClient,
    request: UsersRequest,
    api_key: str | None,
    *,
    cancel: CancelToken | None = None,
    on_retry: RetryCallback | None = None,
) -> Outcome:
    """Send one request through ``client`` (retries, timeouts, cancellation, outcomes).

    A user ID the app refuses for profiles, or an empty/unusable topic, token or tenant ID, is
    refused here with nothing sent. A GET's answer is checked against the shape Courier sends;
    a write succeeds on a 204 or on Courier's JSON answer.
    """
    problem = request.problem()
    if problem is not None:
        return Outcome(
            kind=OutcomeKind.REFUSED,
            summary="Not sent",
            message=problem,
            idempotency_key=request.idempotency_key,
        )
    return client.execute(
        request, api_key, cancel=cancel, on_retry=on_retry, check_answer=request.loaded
    )
