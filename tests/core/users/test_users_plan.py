"""The pure parts of the recipient's other tabs: user input readers, plans, re-read checks and
the summary line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.core.send.plan import Refusal, Target
from profile_editor.core.users.plan import (
    PreferenceChange,
    StagedPreference,
    UsersPlan,
    check_preferences,
    check_tenant,
    check_token,
    describe,
    plan_preferences,
    plan_request,
    preference_requests,
    recipient_summary,
    update_request,
)
from profile_editor.core.users.preferences import (
    Channel,
    PreferenceStatus,
    PutTopicPreferenceRequest,
    ResetTopicPreferenceRequest,
    TopicPreference,
    parse_channels,
    parse_status,
)
from profile_editor.core.users.tenants import RemoveTenantRequest, TenantAssociation
from profile_editor.core.users.tokens import (
    TokenOp,
    UserToken,
    apply_token_ops,
    expiry_day,
    expiry_op,
    parse_expiry,
    shorten_token,
)

IN, OUT, REQ = PreferenceStatus.OPTED_IN, PreferenceStatus.OPTED_OUT, PreferenceStatus.REQUIRED


def _topic(tid: str, name: str, status: str, default: str, **extra: object) -> TopicPreference:
    return TopicPreference.model_validate(
        {"topic_id": tid, "topic_name": name, "status": status, "default_status": default, **extra}
    )


CURRENT = [
    _topic("digest", "Weekly digest", "OPTED_IN", "OPTED_OUT"),
    _topic("security", "Security alerts", "REQUIRED", "REQUIRED"),
    _topic(
        "promo",
        "Promotions",
        "OPTED_IN",
        "OPTED_IN",
        has_custom_routing=True,
        custom_routing=["email", "push"],
    ),
]


# --- readers of user input -------------------------------------------------------------


def test_parse_expiry() -> None:
    assert parse_expiry(" never ") is False
    assert parse_expiry("NEVER") is False
    assert parse_expiry("2026-10-25") == "2026-10-25"
    assert parse_expiry(" 2026-10-25T00:00:00.000Z ") == "2026-10-25T00:00:00.000Z"
    for bad, words in [
        ("", "Enter an expiry date"),
        ("tomorrow", "“tomorrow” is not a date"),
        ("2026-13-01", "YYYY-MM-DD"),
        ("true", "never"),
        ("false", "never"),
        ("20261025", "not a date"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_expiry(bad)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parse_expiry_never_guesses(text: str) -> None:
    """Any text is "never", a real date (whose day it keeps), or a clear ValueError."""
    try:
        value = parse_expiry(text)
    except ValueError as exc:
        assert "never" in str(exc) and ("date" in str(exc) or "Enter" in str(exc))
        return
    if value is False:
        assert text.strip().lower() == "never"
    else:
        assert value == text.strip() and expiry_day(value) is not None


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2999, 12, 31)))
def test_parse_expiry_reads_every_date(day: date) -> None:
    assert expiry_day(parse_expiry(day.isoformat())) == day
    assert expiry_day(parse_expiry(f"{day.isoformat()}T12:00:00Z")) == day


def test_parse_status_and_channels() -> None:
    assert parse_status("opted_out") is OUT
    assert parse_status(" Opted-In ") is IN
    assert parse_status("opted out") is OUT
    with pytest.raises(ValueError, match="“out” is not a preference status; use OPTED_IN"):
        parse_status("out")
    with pytest.raises(ValueError, match=r"\(empty\)"):
        parse_status("  ")
    assert parse_channels("email, push|sms;EMAIL") == (Channel.EMAIL, Channel.PUSH, Channel.SMS)
    assert parse_channels("direct-message") == (Channel.DIRECT_MESSAGE,)
    assert parse_channels("") == ()
    with pytest.raises(ValueError, match="“fax” is not a channel; use one of direct_message"):
        parse_channels("email,fax")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_parse_status_accepts_only_the_three(text: str) -> None:
    try:
        status = parse_status(text)
    except ValueError as exc:
        assert "OPTED_IN or OPTED_OUT" in str(exc)
        return
    squashed = "".join(ch for ch in text.upper() if ch.isalpha())
    assert squashed == status.value.replace("_", "")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list(Channel)), max_size=8), st.sampled_from([",", ", ", "|", " "]))
def test_parse_channels_round_trips(channels: list[Channel], sep: str) -> None:
    text = sep.join(c.value.upper() for c in channels)
    assert parse_channels(text) == tuple(dict.fromkeys(channels))


def test_shorten_token() -> None:
    assert shorten_token("abcdefghijklmnopqrstuvwxyz") == "abcd…wxyz"
    assert shorten_token("short") == "short"
    assert shorten_token("abcdefghi") == "abcdefghi"


# --- preference plans ------------------------------------------------------------------


def test_changes_are_planned_and_described() -> None:
    changes = plan_preferences(
        [
            StagedPreference("digest", OUT),
            StagedPreference("promo", IN),  # unchanged: dropped
            StagedPreference("promo", reset=True),
            StagedPreference("new", IN, (Channel.SMS,), topic_name="New topic"),
            StagedPreference("unknown", reset=True),  # no override: already the default
        ],
        CURRENT,
    )
    assert not isinstance(changes, Refusal)
    assert [describe(c) for c in changes] == [
        "Weekly digest: OPTED_IN → OPTED_OUT",
        "Promotions: OPTED_IN → OPTED_IN (reset to the default)",
        "New topic: (not overridden) → OPTED_IN; channels topic routing → sms",
    ]
    requests = preference_requests(changes, base_url="https://x", user_id="u", tenant_id="t")
    assert isinstance(requests[0], PutTopicPreferenceRequest)
    # A status change keeps the routing there was (PUT replaces the routing fields).
    assert requests[0].payload() == {"topic": {"status": "OPTED_OUT", "has_custom_routing": False}}
    assert isinstance(requests[1], ResetTopicPreferenceRequest)
    assert requests[1].url == "https://x/users/u/preferences/promo?tenant_id=t"
    assert requests[2].payload() == {
        "topic": {"status": "OPTED_IN", "has_custom_routing": True, "custom_routing": ["sms"]}
    }
    with pytest.raises(ValueError, match="reset"):
        update_request(changes, base_url="https://x", user_id="u")
    post = update_request([changes[0], changes[2]], base_url="https://x", user_id="u")
    assert post.idempotency_key and len(post.topics) == 2


def test_routing_is_kept_when_only_the_status_changes() -> None:
    changes = plan_preferences([StagedPreference("promo", OUT)], CURRENT)
    assert not isinstance(changes, Refusal)
    assert changes[0].new_routing == (Channel.EMAIL, Channel.PUSH)
    assert describe(changes[0]) == "Promotions: OPTED_IN → OPTED_OUT"


def test_a_required_topic_cannot_be_opted_out() -> None:
    refusal = plan_preferences(
        [StagedPreference("digest", OUT), StagedPreference("security", OUT)], CURRENT
    )
    assert isinstance(refusal, Refusal)
    assert refusal.field == "preferences"
    assert refusal.message.startswith("Security alerts is REQUIRED: ")
    assert "cannot be opted out" in refusal.message
    chosen = plan_preferences([StagedPreference("digest", REQ)], CURRENT)
    assert isinstance(chosen, Refusal) and "not a user's choice" in chosen.message


def test_plan_request_refuses_and_asks() -> None:
    target = Target("https://api.courier.com", "production", protected=True)
    request = RemoveTenantRequest(base_url=target.base_url, user_id="u", tenant_id="acme")
    plan = plan_request(request, target, "Remove “u” from “acme”")
    assert isinstance(plan, UsersPlan)
    assert [c.ok for c in plan.confirmations] == ["Send to production"]
    no_key = plan_request(request, Target(target.base_url, has_key=False), "x")
    assert isinstance(no_key, Refusal) and no_key.field == "key"
    bad = RemoveTenantRequest(base_url=target.base_url, user_id="u", tenant_id="")
    refused = plan_request(bad, target, "x")
    assert isinstance(refused, Refusal) and refused.field == "tenants"
    assert (
        refused.message
        == "Remove tenant: not sent. Enter a tenant ID: an empty one cannot be sent."
    )


# --- checks after a write --------------------------------------------------------------


def test_check_preferences() -> None:
    asked = [
        PreferenceChange("digest", "Weekly digest", IN, OUT),
        PreferenceChange("promo", "Promotions", IN, IN, reset=True),
    ]
    assert (
        check_preferences(asked, [_topic("digest", "Weekly digest", "OPTED_OUT", "OPTED_OUT")])
        == []
    )
    assert check_preferences(
        asked,
        [
            _topic("digest", "Weekly digest", "OPTED_IN", "OPTED_OUT"),
            _topic("promo", "Promotions", "OPTED_OUT", "OPTED_IN"),
        ],
    ) == [
        "Weekly digest: asked OPTED_OUT, stored OPTED_IN.",
        "Promotions: asked to reset to the default, but OPTED_OUT is still stored.",
    ]
    assert check_preferences(asked[:1], []) == [
        "Weekly digest: asked OPTED_OUT, but nothing is stored for it."
    ]
    routed = PreferenceChange("p", "P", IN, IN, None, (Channel.SMS,))
    assert check_preferences([routed], [_topic("p", "P", "OPTED_IN", "OPTED_IN")]) == [
        "P: asked channels sms, stored topic routing."
    ]


def test_check_token_and_patch() -> None:
    asked = UserToken(token="abcdefghijklmnop", provider_key="apn", expiry_date="2026-10-25")
    stored = UserToken.model_validate(
        {
            "token": "abcdefghijklmnop",
            "provider_key": "apn",
            "expiry_date": "2026-10-25T00:00:00.000Z",
            "status": "active",
        }
    )
    assert check_token(asked, stored) == []
    assert check_token(asked, None) == ["Token abcd…mnop was not found after the write."]
    assert check_token(None, stored) == ["Token abcd…mnop is still stored after the delete."]
    assert check_token(None, None, "abcdefghijklmnop") == []
    patched = apply_token_ops(stored, [expiry_op(False), TokenOp(path="/status", value="revoked")])
    assert patched.expiry_date is False and patched.status == "revoked"
    assert check_token(patched, stored) == [
        "Token abcd…mnop: expiry_date asked False, stored '2026-10-25T00:00:00.000Z'.",
        "Token abcd…mnop: status asked 'revoked', stored 'active'.",
    ]
    with pytest.raises(ValueError, match="top-level"):
        apply_token_ops(stored, [TokenOp(path="/device/platform", value="ios")])
    with pytest.raises(ValueError, match="not valid"):
        apply_token_ops(stored, [TokenOp(path="/provider_key", value="gcm")])


def test_check_tenant() -> None:
    asked = TenantAssociation(tenant_id="acme", profile={"name": "A"})
    assert check_tenant(asked, TenantAssociation(tenant_id="acme", profile={"name": "A"})) == []
    assert check_tenant(asked, TenantAssociation(tenant_id="acme")) == [
        "Tenant “acme”: the stored profile is not the one sent."
    ]
    assert check_tenant(asked, None) == [
        "Tenant “acme” is not among the memberships after the write."
    ]
    assert check_tenant(None, None, "acme") == []
    assert check_tenant(None, asked) == ["Tenant “acme” is still a membership after removal."]


# --- the summary line --------------------------------------------------------------------


def test_recipient_summary() -> None:
    today = date(2026, 12, 5)
    prefs = [CURRENT[0], _topic("x", "X", "OPTED_OUT", "OPTED_IN")]
    tokens = [
        UserToken(token="t", provider_key="apn", expiry_date=(today + timedelta(12)).isoformat())
    ]
    assert recipient_summary(3, prefs, tokens, ["a", "b"], today) == (
        "3 lists · 2 topics overridden (1 opted out) · 1 device, expires in 12 days · 2 tenants"
    )
    assert recipient_summary(1, [], [], 1, today) == (
        "1 list · no topics overridden · no devices · 1 tenant"
    )
    assert recipient_summary(None, None, None, None, today) == (
        "lists not read · preferences not read · devices not read · tenants not read"
    )
    many = [
        UserToken(token="a", provider_key="apn", expiry_date="2026-12-01"),
        UserToken(token="b", provider_key="expo", expiry_date=False, status="failed"),
        UserToken(token="c", provider_key="expo", expiry_date="2026-12-06T08:00:00Z"),
    ]
    assert recipient_summary(0, [], many, 0, today) == (
        "0 lists · no topics overridden · 3 devices, 1 expired, 1 failed or revoked, "
        "next expires in 1 day · 0 tenants"
    )
    never = [UserToken(token="a", provider_key="apn", expiry_date=False)]
    assert "1 device, never expires" in recipient_summary(0, [], never, 0, today)
