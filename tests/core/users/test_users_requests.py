"""Requests under /users/{id}: URLs, bodies, headers, and what is refused before sending."""

from __future__ import annotations

import json
import string

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.models import Method, OutcomeKind
from profile_editor.core.http.transport import SharedClient
from profile_editor.core.profile.jsoncodec import MAX_DEPTH
from profile_editor.core.users.execute import execute_users
from profile_editor.core.users.paths import segment, segment_problem, user_path
from profile_editor.core.users.preferences import (
    Channel,
    GetPreferencesRequest,
    GetTopicPreferenceRequest,
    PreferencesAnswer,
    PreferenceStatus,
    PutTopicPreferenceRequest,
    ReplacePreferencesRequest,
    ResetTopicPreferenceRequest,
    TopicUpdate,
    UpdatePreferencesRequest,
    bulk_errors,
)
from profile_editor.core.users.tenants import (
    ListTenantsRequest,
    PutTenantRequest,
    PutTenantsRequest,
    RemoveAllTenantsRequest,
    RemoveTenantRequest,
    TenantAssociation,
)
from profile_editor.core.users.tokens import (
    DeleteTokenRequest,
    GetTokenRequest,
    ListTokensRequest,
    PatchTokenRequest,
    PutTokenRequest,
    PutTokensRequest,
    TokenStatus,
    UserToken,
    expiry_op,
    status_op,
)

BASE = "https://api.courier.com"


def test_every_url_and_method() -> None:
    u = {"base_url": BASE + "/", "user_id": "a/b?c"}
    root = f"{BASE}/users/a%2Fb%3Fc"
    cases = [
        (GetPreferencesRequest(**u), "GET", root + "/preferences"),
        (
            GetPreferencesRequest(**u, tenant_id="t 1&x"),
            "GET",
            root + "/preferences?tenant_id=t%201%26x",
        ),
        (
            GetTopicPreferenceRequest(**u, topic_id="weekly/digest"),
            "GET",
            root + "/preferences/weekly%2Fdigest",
        ),
        (
            PutTopicPreferenceRequest(**u, topic_id="t", status="OPTED_IN"),
            "PUT",
            root + "/preferences/t",
        ),
        (
            ResetTopicPreferenceRequest(**u, topic_id="t", tenant_id="x"),
            "DELETE",
            root + "/preferences/t?tenant_id=x",
        ),
        (
            UpdatePreferencesRequest(**u, topics=(TopicUpdate(topic_id="t", status="OPTED_OUT"),)),
            "POST",
            root + "/preferences",
        ),
        (ReplacePreferencesRequest(**u, topics=()), "PUT", root + "/preferences"),
        (ListTokensRequest(**u), "GET", root + "/tokens"),
        (GetTokenRequest(**u, token="ab:cd/ef"), "GET", root + "/tokens/ab:cd%2Fef"),
        (
            PutTokenRequest(**u, user_token=UserToken(token="tok", provider_key="apn")),
            "PUT",
            root + "/tokens/tok",
        ),
        (
            PutTokensRequest(**u, tokens=(UserToken(token="tok", provider_key="expo"),)),
            "PUT",
            root + "/tokens",
        ),
        (
            PatchTokenRequest(**u, token="tok", ops=(status_op(TokenStatus.REVOKED),)),
            "PATCH",
            root + "/tokens/tok",
        ),
        (DeleteTokenRequest(**u, token="tok"), "DELETE", root + "/tokens/tok"),
        (ListTenantsRequest(**u), "GET", root + "/tenants"),
        (
            ListTenantsRequest(**u, cursor="a+b/=", limit=100),
            "GET",
            root + "/tenants?cursor=a%2Bb%2F%3D&limit=100",
        ),
        (
            PutTenantsRequest(**u, tenants=(TenantAssociation(tenant_id="x"),)),
            "PUT",
            root + "/tenants",
        ),
        (PutTenantRequest(**u, tenant_id="acme co"), "PUT", root + "/tenants/acme%20co"),
        (RemoveTenantRequest(**u, tenant_id="acme"), "DELETE", root + "/tenants/acme"),
        (RemoveAllTenantsRequest(**u), "DELETE", root + "/tenants"),
    ]
    for request, method, url in cases:
        assert (request.method, request.url) == (Method(method), url), type(request).__name__
        assert request.resource in ("preferences", "tokens", "tenants")
        assert request.problem() is None


def test_put_topic_body_keeps_or_clears_the_digest_choice() -> None:
    u = {"base_url": BASE, "user_id": "u", "topic_id": "t"}
    keep = PutTopicPreferenceRequest(**u, status=PreferenceStatus.OPTED_OUT)
    assert keep.payload() == {"topic": {"status": "OPTED_OUT"}}
    clear = PutTopicPreferenceRequest(**u, status="OPTED_IN", digest_schedule_id=None)
    assert clear.payload() == {"topic": {"status": "OPTED_IN", "digest_schedule_id": None}}
    routed = PutTopicPreferenceRequest(
        **u,
        status="OPTED_IN",
        has_custom_routing=True,
        custom_routing=(Channel.EMAIL, Channel.PUSH),
        digest_schedule_id="weekly",
    )
    assert json.loads(routed.body_bytes() or b"") == {
        "topic": {
            "status": "OPTED_IN",
            "has_custom_routing": True,
            "custom_routing": ["email", "push"],
            "digest_schedule_id": "weekly",
        }
    }
    assert routed.headers("sk_test")["Content-Type"] == "application/json"


def test_bulk_limits_and_idempotency_header() -> None:
    topic = TopicUpdate(topic_id="t", status="OPTED_IN")
    with pytest.raises(ValidationError):
        UpdatePreferencesRequest(base_url=BASE, user_id="u", topics=())
    with pytest.raises(ValidationError):
        UpdatePreferencesRequest(base_url=BASE, user_id="u", topics=(topic,) * 51)
    with pytest.raises(ValidationError):
        ReplacePreferencesRequest(base_url=BASE, user_id="u", topics=(topic,) * 51)
    post = UpdatePreferencesRequest(
        base_url=BASE, user_id="u", topics=(topic,) * 50, idempotency_key="k1"
    )
    assert post.headers(None)["Idempotency-Key"] == "k1"
    assert "Authorization" not in post.headers(None)
    put = ReplacePreferencesRequest(base_url=BASE, user_id="u", topics=(), idempotency_key="k1")
    assert "Idempotency-Key" not in put.headers(None)
    assert put.payload() == {"topics": []}
    assert bulk_errors({"items": [], "errors": [{"topic_id": "t", "reason": "REQUIRED"}]}) == [
        ("t", "REQUIRED")
    ]
    assert bulk_errors("nonsense") == []


def test_token_bodies() -> None:
    token = UserToken.model_validate(
        {
            "token": "tok",
            "provider_key": "firebase-fcm",
            "device": {"platform": "android", "app_id": "app"},
            "expiry_date": False,
            "status": "active",
            "status_reason": "ok",
            "future_member": 1,
        }
    )
    body = PutTokenRequest(base_url=BASE, user_id="u", user_token=token).payload()
    assert body == {
        "token": "tok",
        "provider_key": "firebase-fcm",
        "device": {"platform": "android", "app_id": "app"},
        "expiry_date": False,
        "future_member": 1,
    }
    patch = PatchTokenRequest(
        base_url=BASE,
        user_id="u",
        token="tok",
        ops=(expiry_op(False), status_op(TokenStatus.FAILED)),
    )
    assert patch.payload() == {
        "patch": [
            {"op": "replace", "path": "/expiry_date", "value": False},
            {"op": "replace", "path": "/status", "value": "failed"},
        ]
    }
    with pytest.raises(ValidationError):
        UserToken(token="t", provider_key="apn", expiry_date=True)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        UserToken(token="t", provider_key="gcm")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        PatchTokenRequest(base_url=BASE, user_id="u", token="tok", ops=())


def test_tenant_bodies() -> None:
    one = PutTenantRequest(base_url=BASE, user_id="u", tenant_id="acme", profile={"name": "A"})
    assert one.payload() == {"profile": {"name": "A"}}
    assert PutTenantRequest(base_url=BASE, user_id="u", tenant_id="acme").payload() == {}
    many = PutTenantsRequest(
        base_url=BASE,
        user_id="u",
        tenants=(TenantAssociation(tenant_id="a"), TenantAssociation(tenant_id="b", type="user")),
    )
    assert many.payload() == {"tenants": [{"tenant_id": "a"}, {"tenant_id": "b", "type": "user"}]}
    with pytest.raises(ValidationError):
        ListTenantsRequest(base_url=BASE, user_id="u", limit=101)


def test_answers_are_checked_against_courier_shapes() -> None:
    listed = {
        "items": [
            {
                "topic_id": "t",
                "topic_name": "Weekly digest",
                "status": "OPTED_OUT",
                "default_status": "OPTED_IN",
                "section_id": "s",
                "section_name": "News",
            }
        ],
        "paging": {"more": False, "cursor": None},
    }
    assert GetPreferencesRequest.loaded(listed) == "1 topic overridden"
    assert PreferencesAnswer.model_validate(listed).items[0].name == "Weekly digest"
    assert GetPreferencesRequest.loaded({"results": []}) is None
    assert (
        GetTopicPreferenceRequest.loaded({"topic": listed["items"][0]})
        == "Weekly digest: OPTED_OUT"
    )  # type: ignore[index]
    assert ListTokensRequest.loaded({"tokens": []}) == "0 tokens"
    assert (
        GetTokenRequest.loaded({"token": "abcdefghijkl", "provider_key": "apn", "status": "failed"})
        == "token abcd…ijkl (failed)"
    )
    assert (
        ListTenantsRequest.loaded({"items": [], "has_more": False, "type": "list", "url": "/"})
        == "0 tenants"
    )
    assert ListTenantsRequest.loaded([]) is None


# --- refused before sending -------------------------------------------------------------


class _NoNetwork(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"sent {request.method} {request.url}")


@pytest.fixture
def offline() -> ProfilesClient:
    return ProfilesClient(SharedClient(_NoNetwork()))


@pytest.mark.parametrize(
    ("request_", "words"),
    [
        (GetPreferencesRequest(base_url=BASE, user_id=""), "Enter a recipient ID"),
        (GetPreferencesRequest(base_url=BASE, user_id=" u"), "whitespace"),
        (GetPreferencesRequest(base_url=BASE, user_id=".."), "path step"),
        (GetTopicPreferenceRequest(base_url=BASE, user_id="u", topic_id=""), "Enter a topic ID"),
        (GetPreferencesRequest(base_url=BASE, user_id="u", tenant_id=" t"), "tenant ID"),
        (GetTokenRequest(base_url=BASE, user_id="u", token=""), "Enter a token"),
        (DeleteTokenRequest(base_url=BASE, user_id="u", token="."), "path step"),
        (RemoveTenantRequest(base_url=BASE, user_id="u", tenant_id="a\nb"), "control character"),
        (
            PutTokenRequest(
                base_url=BASE, user_id="u", user_token=UserToken(token="", provider_key="apn")
            ),
            "Enter a token",
        ),
        (
            PutTenantsRequest(
                base_url=BASE, user_id="u", tenants=(TenantAssociation(tenant_id=""),)
            ),
            "tenant ID",
        ),
    ],
)
def test_bad_ids_are_refused_with_nothing_sent(
    offline: ProfilesClient, request_: object, words: str
) -> None:
    outcome = execute_users(offline, request_, "sk_test_key")  # type: ignore[arg-type]
    assert outcome.kind is OutcomeKind.REFUSED
    assert words in outcome.message


# --- properties -------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_any_sendable_id_is_exactly_one_segment(value: str) -> None:
    if segment_problem(value, "topic ID") is not None:
        with pytest.raises(ValueError, match=r"topic ID|path step"):
            segment(value, "topic ID")
        return
    encoded = segment(value, "topic ID")
    assert "/" not in encoded and "?" not in encoded and "#" not in encoded
    assert set(encoded) <= set(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%")
    # httpx sends it exactly as built: no re-encoding, no dot-segment folding.
    assert httpx.URL(f"https://x/users/{encoded}/preferences").raw_path.decode() == (
        f"/users/{encoded}/preferences"
    )


@settings(max_examples=150, deadline=None)
@given(user=_TEXT, topic=_TEXT)
def test_urls_round_trip_every_id(user: str, topic: str) -> None:
    request = GetTopicPreferenceRequest(base_url=BASE, user_id=user, topic_id=topic)
    if request.problem() is not None:
        return
    url = httpx.URL(request.url)
    raw = url.raw_path.decode("ascii")
    assert raw.startswith(user_path(user) + "/preferences/")
    parts = raw.split("/")
    assert len(parts) == 5  # "", users, {user}, preferences, {topic}
    from urllib.parse import unquote

    assert unquote(parts[2], errors="strict") == user
    assert unquote(parts[4], errors="strict") == topic


def test_a_body_courier_would_refuse_is_not_sent(offline: ProfilesClient) -> None:
    # Over 6 MB (Courier's 413) or nested past what the sandbox reads: refused before sending.
    huge = PutTenantRequest(
        base_url=BASE, user_id="u", tenant_id="t", profile={"k": "v" * (6 * 1024 * 1024)}
    )
    outcome = execute_users(offline, huge, "sk_test_key")
    assert outcome.kind is OutcomeKind.REFUSED
    assert "6 MB" in outcome.message
    deep: dict[str, object] = {}
    for _ in range(MAX_DEPTH - 2):  # the body's {"profile": …} makes it MAX_DEPTH
        deep = {"a": deep}
    nested = PutTenantRequest(base_url=BASE, user_id="u", tenant_id="t", profile={"p": deep})
    outcome = execute_users(offline, nested, "sk_test_key")
    assert outcome.kind is OutcomeKind.REFUSED
    assert "nests deeper" in outcome.message
    fits = PutTenantRequest(base_url=BASE, user_id="u", tenant_id="t", profile=deep)
    assert fits.problem() is None


@pytest.mark.parametrize("status", [200, 204])
@pytest.mark.parametrize(
    "request_",
    [
        GetPreferencesRequest(base_url=BASE, user_id="u"),
        ListTokensRequest(base_url=BASE, user_id="u"),
        GetTokenRequest(base_url=BASE, user_id="u", token="t"),
        ListTenantsRequest(base_url=BASE, user_id="u"),
    ],
)
def test_a_read_answered_without_a_body_is_unexpected(status: int, request_: object) -> None:
    # A GET answered 2xx with nothing in it (a proxy, a wrong base URL) used to pass as a read:
    # "preferences list" crashed, the others said "failed" and exited 0.
    empty = ProfilesClient(SharedClient(httpx.MockTransport(lambda _: httpx.Response(status))))
    outcome = execute_users(empty, request_, "sk_test_key")  # type: ignore[arg-type]
    assert outcome.kind is OutcomeKind.UNEXPECTED
    assert "an empty body" in outcome.message
