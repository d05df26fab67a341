"""What the tabs need of :mod:`profile_editor.core.users`, in the shapes the window uses:
reading one resource, the requests of each write, reading the forms, judging re-reads.

Qt-free; imported with the tabs (after the first paint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from profile_editor.core.http.models import Outcome
from profile_editor.core.http.outcome_text import failure_line
from profile_editor.core.users.execute import UsersRequest, execute_users
from profile_editor.core.users.plan import (
    PreferenceChange,
    StagedPreference,
    check_preferences,
    check_tenant,
    check_token,
    describe,
    plan_preferences,
    preference_requests,
    recipient_summary,
)
from profile_editor.core.users.preferences import (
    GetPreferencesRequest,
    GetTopicPreferenceRequest,
    PreferencesAnswer,
    PreferenceStatus,
    TopicPreference,
    by_topic,
)
from profile_editor.core.users.tenants import (
    PutTenantRequest,
    RemoveTenantRequest,
    TenantAssociation,
    fetch_all_tenants,
)
from profile_editor.core.users.tokens import (
    DeleteTokenRequest,
    Device,
    ListTokensRequest,
    PatchTokenRequest,
    Provider,
    PutTokenRequest,
    TokenOp,
    TokensAnswer,
    TokenStatus,
    UserToken,
    apply_token_ops,
    expiry_op,
    parse_expiry,
    shorten_token,
    status_op,
)
from profile_editor.ui.common.dialogs import FormField

if TYPE_CHECKING:
    from profile_editor.core.http.cancel import CancelToken
    from profile_editor.core.http.client import ProfilesClient, RetryCallback

__all__ = [
    "Read",
    "count_text",
    "describe",
    "execute_users",
    "read",
    "recipient_summary",
]

KEEP = "(keep)"


@dataclass(frozen=True, eq=False)
class Read:
    """One resource as read: its items (in order) and how the reading ended."""

    items: list[Any]
    outcome: Outcome
    ok: bool


def read(
    resource: str,
    client: ProfilesClient,
    base_url: str,
    user_id: str,
    api_key: str | None,
    *,
    tenant_id: str | None = None,
    cancel: CancelToken | None = None,
    on_retry: RetryCallback | None = None,
) -> Read:
    """Every item of ``resource`` ("preferences", "tokens" or "tenants") of one recipient."""
    if resource == "tenants":
        result = fetch_all_tenants(
            client, base_url, user_id, api_key, cancel=cancel, on_retry=on_retry
        )
        return Read(list(result.tenants), result.outcome, result.ok)
    request: GetPreferencesRequest | ListTokensRequest
    if resource == "preferences":
        request = GetPreferencesRequest(base_url=base_url, user_id=user_id, tenant_id=tenant_id)
    else:
        request = ListTokensRequest(base_url=base_url, user_id=user_id)
    outcome = execute_users(client, request, api_key, cancel=cancel, on_retry=on_retry)
    if not outcome.ok:
        return Read([], outcome, False)
    # The answer's shape was checked when it arrived (the request's ``loaded``).
    if resource == "preferences":
        return Read(list(PreferencesAnswer.model_validate(outcome.body).items), outcome, True)
    return Read(list(TokensAnswer.model_validate(outcome.body).tokens), outcome, True)


def execute(
    client: ProfilesClient,
    request: UsersRequest,
    api_key: str | None,
    *,
    cancel: CancelToken | None = None,
    on_retry: RetryCallback | None = None,
) -> Outcome:
    return execute_users(client, request, api_key, cancel=cancel, on_retry=on_retry)


def count_text(resource: str, items: list[Any]) -> str:
    n = len(items)
    if resource == "preferences":
        if not n:
            return "no topic overridden — every topic follows its default"
        return f"{n} topic{'' if n == 1 else 's'} overridden"
    if resource == "tokens":
        return f"{n} device token{'' if n == 1 else 's'}" if n else "no device tokens"
    return f"member of {n} tenant{'' if n == 1 else 's'}" if n else "in no tenant"


def summary(
    lists: int | None,
    preferences: list[Any] | None,
    tokens: list[Any] | None,
    tenants: list[Any] | None,
    today: date,
) -> str:
    return recipient_summary(lists, preferences, tokens, tenants, today)


def dump(item: Any) -> dict[str, Any] | None:
    """An item as JSON for the history (None stays None)."""
    return item.model_dump(mode="json", exclude_none=True) if item is not None else None


def short(token: str) -> str:
    return shorten_token(token)


def provider(token: UserToken) -> str:
    return token.provider_key.value


# -- preferences -----------------------------------------------------------------------------


def _staged(staged: dict[str, str]) -> list[StagedPreference]:
    return [
        StagedPreference(topic_id, status=PreferenceStatus(s)) for topic_id, s in staged.items()
    ]


def topic_request(
    base_url: str, user_id: str, topic_id: str, tenant_id: str | None
) -> GetTopicPreferenceRequest:
    return GetTopicPreferenceRequest(
        base_url=base_url, user_id=user_id, topic_id=topic_id, tenant_id=tenant_id
    )


def topic_of(outcome: Outcome) -> TopicPreference | None:
    """The topic of a ``GET …/preferences/{topic_id}`` answer (checked when it arrived)."""
    if not outcome.ok or not isinstance(outcome.body, dict):
        return None
    return TopicPreference.model_validate(outcome.body.get("topic"))


def plan_staged(
    staged: dict[str, str], current: list[TopicPreference]
) -> list[PreferenceChange] | str:
    """The changes staged in the table, or why they cannot be sent (a sentence)."""
    plan = plan_preferences(_staged(staged), current)
    return plan if isinstance(plan, list) else plan.message


def plan_reset(topic_id: str, current: list[TopicPreference]) -> list[PreferenceChange] | str:
    plan = plan_preferences([StagedPreference(topic_id, reset=True)], current)
    return plan if isinstance(plan, list) else plan.message


def describe_staged(topic: TopicPreference, status: str) -> str:
    return f"{topic.name}: {topic.status.value} → {status}"


def preference_writes(
    changes: list[PreferenceChange], base_url: str, user_id: str, tenant_id: str | None
) -> list[Any]:
    return list(
        preference_requests(changes, base_url=base_url, user_id=user_id, tenant_id=tenant_id)
    )


def preference_after(request: Any, items: list[Any]) -> dict[str, Any] | None:
    return dump(by_topic(items).get(request.topic_id))


def check_changes(changes: list[PreferenceChange], items: list[Any]) -> list[str]:
    return check_preferences(changes, items)


# -- tokens ----------------------------------------------------------------------------------

PLATFORMS = ("", "android", "ios", "web")


def token_fields(last: dict[str, str]) -> list[FormField]:
    """Add token: what was typed last time is offered again (nothing typed is lost)."""
    return [
        FormField(
            "provider_key",
            "Provider",
            last.get("provider_key", "firebase-fcm"),
            tuple(p.value for p in Provider),
        ),
        FormField("token", "Token", last.get("token", ""), hint="as the push provider gave it"),
        FormField("platform", "Platform", last.get("platform", ""), PLATFORMS),
        FormField("app_id", "App ID", last.get("app_id", ""), hint="optional"),
        FormField("device_id", "Device ID", last.get("device_id", ""), hint="optional"),
        FormField("model", "Model", last.get("model", ""), hint="optional, e.g. Pixel 8"),
        FormField(
            "expiry",
            "Expiry",
            last.get("expiry", ""),
            hint="YYYY-MM-DD, “never”, or empty for 60 days after the last registration",
        ),
    ]


def token_from_form(values: dict[str, str]) -> UserToken | str:
    """The token the form describes, or what is wrong with it (a sentence naming the field)."""
    token = values.get("token", "").strip()
    if not token:
        return "Token: enter the device token."
    if token != values.get("token", ""):
        return "Token: it starts or ends with a space; paste it exactly."
    try:
        provider_key = Provider(values.get("provider_key", "").strip())
    except ValueError:
        choices = ", ".join(p.value for p in Provider)
        return f"Provider: “{values.get('provider_key', '')}” is not one of {choices}."
    expiry_text = values.get("expiry", "").strip()
    expiry: str | Literal[False] | None = None
    if expiry_text:
        try:
            expiry = parse_expiry(expiry_text)
        except ValueError as exc:
            return f"Expiry: {exc}"
    device = {
        k: v.strip()
        for k in ("platform", "app_id", "device_id", "model")
        if (v := values.get(k, "")).strip()
    }
    return UserToken(
        token=token,
        provider_key=provider_key,
        device=Device(**device) if device else None,
        expiry_date=expiry,
    )


def put_token(base_url: str, user_id: str, token: UserToken) -> tuple[PutTokenRequest, UserToken]:
    return PutTokenRequest(base_url=base_url, user_id=user_id, user_token=token), token


def token_after(request: Any, items: list[Any]) -> dict[str, Any] | None:
    return dump(next((t for t in items if t.token == request.token), None))


def check_added(asked: UserToken, items: list[UserToken]) -> list[str]:
    return check_token(asked, next((t for t in items if t.token == asked.token), None))


def patch_fields(last: dict[str, str]) -> list[FormField]:
    return [
        FormField(
            "status", "Status", last.get("status", KEEP), (KEEP, *(s.value for s in TokenStatus))
        ),
        FormField(
            "expiry",
            "Expiry",
            last.get("expiry", ""),
            hint="YYYY-MM-DD or “never”; empty keeps the expiry as it is",
        ),
    ]


def patch_ops(values: dict[str, str]) -> list[TokenOp] | str:
    ops: list[TokenOp] = []
    status = values.get("status", KEEP).strip()
    if status and status != KEEP:
        try:
            ops.append(status_op(TokenStatus(status)))
        except ValueError:
            choices = ", ".join(s.value for s in TokenStatus)
            return f"Status: “{status}” is not one of {choices}."
    expiry = values.get("expiry", "").strip()
    if expiry:
        try:
            ops.append(expiry_op(parse_expiry(expiry)))
        except ValueError as exc:
            return f"Expiry: {exc}"
    if not ops:
        return "Nothing to change: choose a status or enter an expiry."
    return ops


def patch_token(base_url: str, user_id: str, token: str, ops: list[TokenOp]) -> PatchTokenRequest:
    return PatchTokenRequest(base_url=base_url, user_id=user_id, token=token, ops=tuple(ops))


def check_patch(current: UserToken, ops: list[TokenOp], items: list[UserToken]) -> list[str]:
    asked = apply_token_ops(current, ops)
    got = next((t for t in items if t.token == current.token), None)
    return check_token(asked, got)


def delete_token(base_url: str, user_id: str, token: str) -> DeleteTokenRequest:
    return DeleteTokenRequest(base_url=base_url, user_id=user_id, token=token)


def check_deleted(token: str, items: list[UserToken]) -> list[str]:
    return check_token(None, next((t for t in items if t.token == token), None), token)


# -- tenants ---------------------------------------------------------------------------------


def tenant_fields(last: dict[str, str]) -> list[FormField]:
    return [
        FormField("tenant_id", "Tenant ID", last.get("tenant_id", "")),
        FormField(
            "profile",
            "Profile (JSON)",
            last.get("profile", ""),
            multiline=True,
            hint='optional, e.g. {"email": "ada@brand.example"}',
        ),
    ]


def tenant_from_form(values: dict[str, str]) -> tuple[str, dict[str, Any] | None] | str:
    tenant_id = values.get("tenant_id", "").strip()
    if not tenant_id:
        return "Tenant ID: enter the tenant's ID."
    text = values.get("profile", "").strip()
    if not text:
        return tenant_id, None
    try:
        profile = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"Profile: not valid JSON — {exc.msg} at line {exc.lineno}, column {exc.colno}."
    if not isinstance(profile, dict):
        return "Profile: it must be a JSON object ({…}), or empty for none."
    return tenant_id, profile


def put_tenant(
    base_url: str, user_id: str, tenant_id: str, profile: dict[str, Any] | None
) -> PutTenantRequest:
    return PutTenantRequest(
        base_url=base_url, user_id=user_id, tenant_id=tenant_id, profile=profile
    )


def remove_tenant(base_url: str, user_id: str, tenant_id: str) -> RemoveTenantRequest:
    return RemoveTenantRequest(base_url=base_url, user_id=user_id, tenant_id=tenant_id)


def tenant_after(request: Any, items: list[Any]) -> dict[str, Any] | None:
    return dump(next((t for t in items if t.tenant_id == request.tenant_id), None))


def check_membership(
    tenant_id: str, profile: dict[str, Any] | None, items: list[TenantAssociation], *, removed: bool
) -> list[str]:
    got = next((t for t in items if t.tenant_id == tenant_id), None)
    asked = None if removed else TenantAssociation(tenant_id=tenant_id, profile=profile)
    return check_tenant(asked, got, tenant_id)


def read_failure(resource: str, outcome: Outcome) -> str:
    return failure_line(f"Reading the {resource}", outcome)
