"""The sandbox's /users/{id}/preferences, tokens and tenants, over real HTTP, through the app's
own core (so the core's requests and the sandbox's answers are checked against each other)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.models import OutcomeKind
from profile_editor.core.http.retry import RetryPolicy
from profile_editor.core.http.transport import make_http_client
from profile_editor.core.send.plan import Refusal
from profile_editor.core.users.execute import UsersRequest, execute_users
from profile_editor.core.users.plan import (
    StagedPreference,
    check_preferences,
    check_tenant,
    check_token,
    plan_preferences,
    preference_requests,
    recipient_summary,
    update_request,
)
from profile_editor.core.users.preferences import (
    Channel,
    GetPreferencesRequest,
    GetTopicPreferenceRequest,
    PreferencesAnswer,
    PreferenceStatus,
    PutTopicPreferenceRequest,
    ReplacePreferencesRequest,
    ResetTopicPreferenceRequest,
    TopicPreference,
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
    fetch_all_tenants,
)
from profile_editor.core.users.tokens import (
    DeleteTokenRequest,
    GetTokenRequest,
    ListTokensRequest,
    PatchTokenRequest,
    PutTokenRequest,
    PutTokensRequest,
    TokensAnswer,
    TokenStatus,
    UserToken,
    apply_token_ops,
    expiry_op,
    parse_expiry,
    status_op,
)
from profile_editor.sandbox.demo import DEMO_RECIPIENT, demo_seed
from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer, start_sandbox

FAST = RetryPolicy(base_delay=0.01, jitter=lambda: 1.0)
ODD = "a/b?c#d 😀"


@pytest.fixture
def seeded() -> Iterator[SandboxServer]:
    server = start_sandbox(port=0, seed=demo_seed())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client() -> Iterator[ProfilesClient]:
    http, _ = make_http_client(connect_timeout=2, total_timeout=5)
    yield ProfilesClient(http, retry=FAST)
    http.close()


def _send(c: ProfilesClient, s: SandboxServer, request: UsersRequest) -> object:
    outcome = execute_users(c, request, s.key)
    assert outcome.ok, outcome
    return outcome.body


def _prefs(
    c: ProfilesClient, s: SandboxServer, uid: str, tenant: str | None = None
) -> list[TopicPreference]:
    body = _send(c, s, GetPreferencesRequest(base_url=s.url, user_id=uid, tenant_id=tenant))
    return PreferencesAnswer.model_validate(body).items


def _tokens(c: ProfilesClient, s: SandboxServer, uid: str) -> list[UserToken]:
    return TokensAnswer.model_validate(
        _send(c, s, ListTokensRequest(base_url=s.url, user_id=uid))
    ).tokens


# --- preferences ----------------------------------------------------------------------------


def test_demo_recipient_has_something_in_every_tab(
    seeded: SandboxServer, client: ProfilesClient
) -> None:
    s, c = seeded, client
    prefs = _prefs(c, s, DEMO_RECIPIENT)
    assert {p.topic_id for p in prefs} == {"weekly-digest", "product-updates"}
    assert all(p.section_id and p.section_name for p in prefs)  # always there when listing
    tokens = _tokens(c, s, DEMO_RECIPIENT)
    tenants = fetch_all_tenants(c, s.url, DEMO_RECIPIENT, s.key)
    assert tenants.ok and len(tenants.tenants) == 2
    summary = recipient_summary(3, prefs, tokens, tenants.tenants, date.today())
    assert summary.startswith("3 lists · 2 topics overridden (1 opted out) · 2 devices, 1 failed")
    required = GetTopicPreferenceRequest(
        base_url=s.url, user_id=DEMO_RECIPIENT, topic_id="security-alerts"
    )
    body = _send(c, s, required)
    assert body == {
        "topic": {
            "topic_id": "security-alerts",
            "topic_name": "Security alerts",
            "status": "REQUIRED",
            "default_status": "REQUIRED",
            "has_custom_routing": False,
            "section_id": "account",
            "section_name": "Account",
        }
    }


def test_staged_changes_apply_and_read_back_as_asked(
    seeded: SandboxServer, client: ProfilesClient
) -> None:
    s, c = seeded, client
    before = _prefs(c, s, DEMO_RECIPIENT)
    changes = plan_preferences(
        [
            StagedPreference("weekly-digest", PreferenceStatus.OPTED_IN),
            StagedPreference("product-updates", reset=True),
            StagedPreference("promotions", PreferenceStatus.OPTED_IN, (Channel.SMS,)),
        ],
        before,
    )
    assert not isinstance(changes, Refusal)
    for request in preference_requests(changes, base_url=s.url, user_id=DEMO_RECIPIENT):
        _send(c, s, request)
    after = _prefs(c, s, DEMO_RECIPIENT)
    assert check_preferences(changes, after) == []
    digest = next(p for p in after if p.topic_id == "weekly-digest")
    assert digest.digest_schedule_id == "weekly-friday"  # a status change leaves the digest alone
    assert check_preferences(changes, before) != []  # the check does see a difference


def test_required_topic_cannot_be_opted_out(seeded: SandboxServer, client: ProfilesClient) -> None:
    s, c = seeded, client
    put = PutTopicPreferenceRequest(
        base_url=s.url, user_id=DEMO_RECIPIENT, topic_id="security-alerts", status="OPTED_OUT"
    )
    outcome = execute_users(c, put, s.key)
    assert (outcome.kind, outcome.status_code) == (OutcomeKind.API_ERROR, 400)
    assert "REQUIRED" in outcome.message
    chosen = put.model_copy(update={"status": PreferenceStatus.REQUIRED})
    assert execute_users(c, chosen, s.key).status_code == 400
    post = UpdatePreferencesRequest(
        base_url=s.url,
        user_id=DEMO_RECIPIENT,
        topics=(
            TopicUpdate(topic_id="promotions", status="OPTED_IN"),
            TopicUpdate(topic_id="security-alerts", status="OPTED_OUT"),
            TopicUpdate(topic_id="no-such-topic", status="OPTED_IN"),
        ),
        idempotency_key="k-1",
    )
    body = _send(c, s, post)
    assert [e[0] for e in bulk_errors(body)] == ["security-alerts", "no-such-topic"]
    assert body["items"] == [  # type: ignore[index]
        {
            "topic_id": "promotions",
            "status": "OPTED_IN",
            "has_custom_routing": False,
            "custom_routing": [],
        }
    ]
    replace = ReplacePreferencesRequest(
        base_url=s.url,
        user_id=DEMO_RECIPIENT,
        topics=(TopicUpdate(topic_id="security-alerts", status="OPTED_OUT"),),
    )
    assert execute_users(c, replace, s.key).status_code == 400
    assert {p.topic_id for p in _prefs(c, s, DEMO_RECIPIENT)} == {
        "weekly-digest",
        "product-updates",
        "promotions",
    }  # the refused replace changed nothing


def test_digest_schedule_kept_cleared_or_refused(
    seeded: SandboxServer, client: ProfilesClient
) -> None:
    s, c = seeded, client
    u = {"base_url": s.url, "user_id": "u1", "topic_id": "weekly-digest"}
    _send(
        c, s, PutTopicPreferenceRequest(**u, status="OPTED_IN", digest_schedule_id="weekly-monday")
    )
    _send(c, s, PutTopicPreferenceRequest(**u, status="OPTED_OUT"))
    assert _prefs(c, s, "u1")[0].digest_schedule_id == "weekly-monday"
    bad = execute_users(
        c, PutTopicPreferenceRequest(**u, status="OPTED_IN", digest_schedule_id="daily"), s.key
    )
    assert bad.status_code == 400 and "weekly-monday" in bad.message
    assert _prefs(c, s, "u1")[0].status is PreferenceStatus.OPTED_OUT  # nothing written
    _send(c, s, PutTopicPreferenceRequest(**u, status="OPTED_IN", digest_schedule_id=None))
    assert "digest_schedule_id" not in (_prefs(c, s, "u1")[0].model_extra or {})
    assert _prefs(c, s, "u1")[0].digest_schedule_id is None


def test_tenant_scoped_preferences_and_replace(
    seeded: SandboxServer, client: ProfilesClient
) -> None:
    s, c = seeded, client
    put = PutTopicPreferenceRequest(
        base_url=s.url, user_id=ODD, topic_id="promotions", status="OPTED_IN", tenant_id="acme co"
    )
    _send(c, s, put)
    assert _prefs(c, s, ODD) == []
    assert [p.topic_id for p in _prefs(c, s, ODD, "acme co")] == ["promotions"]
    _send(
        c,
        s,
        ResetTopicPreferenceRequest(
            base_url=s.url, user_id=ODD, topic_id="promotions", tenant_id="acme co"
        ),
    )
    assert _prefs(c, s, ODD, "acme co") == []
    _send(c, s, put)
    body = _send(
        c, s, ReplacePreferencesRequest(base_url=s.url, user_id=ODD, tenant_id="acme co", topics=())
    )
    assert body == {"items": [], "deleted": ["promotions"]}
    unknown = execute_users(
        c, GetTopicPreferenceRequest(base_url=s.url, user_id=ODD, topic_id="nope"), s.key
    )
    assert unknown.status_code == 404


def test_bulk_post_replays_its_idempotency_key(
    seeded: SandboxServer, client: ProfilesClient
) -> None:
    s, c = seeded, client
    changes = plan_preferences([StagedPreference("promotions", PreferenceStatus.OPTED_IN)], [])
    assert not isinstance(changes, Refusal)
    post = update_request(changes, base_url=s.url, user_id="u2")
    first = execute_users(c, post, s.key)
    _send(c, s, ResetTopicPreferenceRequest(base_url=s.url, user_id="u2", topic_id="promotions"))
    again = execute_users(c, post, s.key)
    assert again.body == first.body
    assert _prefs(c, s, "u2") == []  # replayed, not applied twice


# --- tokens ---------------------------------------------------------------------------------


def test_token_lifecycle(seeded: SandboxServer, client: ProfilesClient) -> None:
    s, c = seeded, client
    u = {"base_url": s.url, "user_id": ODD}
    token = UserToken(
        token="tok/with?odd#chars",
        provider_key="expo",
        device={"platform": "ios", "app_id": "app"},
        expiry_date=parse_expiry("2030-01-02"),
    )
    _send(c, s, PutTokenRequest(**u, user_token=token))
    stored = UserToken.model_validate(_send(c, s, GetTokenRequest(**u, token=token.token)))
    assert stored.status is TokenStatus.ACTIVE
    assert check_token(token, stored) == []
    ops = (expiry_op(parse_expiry("never")), status_op(TokenStatus.REVOKED))
    _send(c, s, PatchTokenRequest(**u, token=token.token, ops=ops))
    patched = UserToken.model_validate(_send(c, s, GetTokenRequest(**u, token=token.token)))
    assert check_token(apply_token_ops(stored, ops), patched) == []
    assert patched.expiry_date is False and patched.status is TokenStatus.REVOKED
    _send(c, s, PutTokensRequest(**u, tokens=(UserToken(token="second", provider_key="apn"),)))
    assert [t.token for t in _tokens(c, s, ODD)] == [token.token, "second"]
    _send(c, s, DeleteTokenRequest(**u, token=token.token))
    gone = execute_users(c, GetTokenRequest(**u, token=token.token), s.key)
    assert gone.status_code == 404
    assert check_token(None, None, token.token) == []
    assert execute_users(c, DeleteTokenRequest(**u, token="unknown"), s.key).ok  # idempotent
    unknown = PatchTokenRequest(**u, token="unknown", ops=(status_op(TokenStatus.ACTIVE),))
    assert execute_users(c, unknown, s.key).status_code == 404


@pytest.mark.parametrize("expiry", ["soon", "2026-13-01", True, "", 20261025, None])
def test_a_bad_expiry_date_is_a_400_never_no_expiry(sandbox: SandboxServer, expiry: object) -> None:
    with httpx.Client(
        base_url=sandbox.url, headers={"Authorization": f"Bearer {sandbox.key}"}
    ) as http:
        body: dict[str, object] = {"provider_key": "apn", "expiry_date": expiry}
        answer = http.put("/users/u/tokens/t", json=body)
        if expiry is None:  # null: left out, Courier's 60 days
            assert answer.status_code == 204
            assert "expiry_date" not in http.get("/users/u/tokens/t").json()
            return
        assert answer.status_code == 400, answer.text
        assert answer.json()["type"] == "invalid_request_error"
        assert "expiry_date" in answer.json()["message"]
        assert http.get("/users/u/tokens/t").status_code == 404  # nothing stored
        patch = {"patch": [{"op": "replace", "path": "/expiry_date", "value": expiry}]}
        http.put("/users/u/tokens/t2", json={"provider_key": "apn", "expiry_date": "2030-01-01"})
        assert http.patch("/users/u/tokens/t2", json=patch).status_code == 400
        assert http.get("/users/u/tokens/t2").json()["expiry_date"] == "2030-01-01"


def test_token_bodies_are_checked(sandbox: SandboxServer) -> None:
    with httpx.Client(
        base_url=sandbox.url, headers={"Authorization": f"Bearer {sandbox.key}"}
    ) as http:
        cases = [
            (
                {"provider_key": "gcm"},
                "provider_key must be one of firebase-fcm, apn, expo, onesignal",
            ),
            ({"provider_key": "apn", "token": "other"}, "token must equal the token in the path"),
            (
                {"provider_key": "apn", "device": {"platform": 3}},
                "device.platform must be a string",
            ),
            ({"provider_key": "apn", "properties": []}, "properties must be an object"),
        ]
        for body, words in cases:
            answer = http.put("/users/u/tokens/t", json=body)
            assert answer.status_code == 400 and words in answer.json()["message"], answer.text
        assert http.put("/users/u/tokens").status_code == 204  # the SDK sends no body here
        assert http.post("/users/u/tokens", json={}).status_code == 405


# --- tenants --------------------------------------------------------------------------------


def test_tenants_page_with_opaque_cursors(sandbox: SandboxServer, client: ProfilesClient) -> None:
    s, c = sandbox, client
    ids = [f"t-{i:03}" for i in range(45)]
    _send(
        c,
        s,
        PutTenantsRequest(
            base_url=s.url, user_id=ODD, tenants=tuple(TenantAssociation(tenant_id=t) for t in ids)
        ),
    )
    result = fetch_all_tenants(c, s.url, ODD, s.key, limit=20)
    assert result.ok and result.pages == 3
    assert [t.tenant_id for t in result.tenants] == ids
    assert all(t.user_id == ODD and t.type == "user" for t in result.tenants)
    first = _send(c, s, ListTenantsRequest(base_url=s.url, user_id=ODD))
    assert (
        first["has_more"]
        and len(first["items"]) == 20
        and first["next_url"].endswith(first["cursor"].replace("=", "%3D"))
    )  # type: ignore[index]
    other = execute_users(
        c, ListTenantsRequest(base_url=s.url, user_id="someone", cursor=first["cursor"]), s.key
    )  # type: ignore[index]
    assert other.status_code == 400 and "cursor" in other.message
    with httpx.Client(base_url=s.url, headers={"Authorization": f"Bearer {s.key}"}) as http:
        for limit in ("0", "101", "x"):
            assert http.get("/users/u/tenants", params={"limit": limit}).status_code == 400


def test_tenant_membership_add_check_remove(seeded: SandboxServer, client: ProfilesClient) -> None:
    s, c = seeded, client
    u = {"base_url": s.url, "user_id": DEMO_RECIPIENT}
    _send(c, s, PutTenantRequest(**u, tenant_id="initech", profile={"email": "ada@initech.test"}))
    asked = TenantAssociation(tenant_id="initech", profile={"email": "ada@initech.test"})
    stored = {t.tenant_id: t for t in fetch_all_tenants(c, s.url, DEMO_RECIPIENT, s.key).tenants}
    assert check_tenant(asked, stored.get("initech")) == []
    _send(c, s, RemoveTenantRequest(**u, tenant_id="initech"))
    stored = {t.tenant_id: t for t in fetch_all_tenants(c, s.url, DEMO_RECIPIENT, s.key).tenants}
    assert check_tenant(None, stored.get("initech"), "initech") == []
    assert sorted(stored) == ["acme", "globex"]
    _send(c, s, RemoveAllTenantsRequest(**u))
    assert fetch_all_tenants(c, s.url, DEMO_RECIPIENT, s.key).tenants == []


# --- faults, auth, routes -------------------------------------------------------------------


def test_faults_reach_users_paths(seeded: SandboxServer, client: ProfilesClient) -> None:
    s, c = seeded, client
    s.queue_fault(Fault(status=403, path_prefix="/users/", method="GET", times=1))
    refused = execute_users(c, ListTokensRequest(base_url=s.url, user_id=DEMO_RECIPIENT), s.key)
    assert refused.status_code == 403 and refused.error_type == "authorization_error"
    s.queue_fault(Fault(status=503, path_prefix="/users/", times=1))
    retried = execute_users(c, ListTokensRequest(base_url=s.url, user_id=DEMO_RECIPIENT), s.key)
    assert retried.ok and retried.attempts == 2
    s.queue_fault(Fault(status=500))  # default prefix: profiles only
    assert execute_users(c, ListTokensRequest(base_url=s.url, user_id=DEMO_RECIPIENT), s.key).ok
    recorded = [r for r in s.requests() if r.path.startswith("/users/")]
    assert recorded[0].recipient_id == DEMO_RECIPIENT
    assert all("sandbox-key" not in str(r.headers) for r in recorded)


def test_auth_routes_and_methods(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.url) as anon:
        assert anon.get("/users/u/tokens").status_code == 401
        auth = {"Authorization": f"Bearer {sandbox.key}"}
        assert anon.get("/users/u/nothing", headers=auth).status_code == 404
        assert anon.get("/users/u/tokens/a/b", headers=auth).status_code == 404
        assert anon.get("/users//tokens", headers=auth).status_code == 404
        assert anon.get("/users/u/tenants/%FF", headers=auth).status_code == 400
        wrong = anon.get("/users/u/tenants/t", headers=auth)
        assert wrong.status_code == 405 and wrong.headers["Allow"] == "PUT, DELETE"
        deep = anon.put(
            "/users/u/tenants/t",
            headers=auth,
            content=b'{"profile":' + b"[" * 300 + b"]" * 300 + b"}",
        )
        assert deep.status_code == 400
        nan = anon.put(
            "/users/u/tenants/t",
            headers={**auth, "Content-Type": "application/json"},
            content=b'{"profile": {"x": NaN}}',
        )
        assert nan.status_code == 400
