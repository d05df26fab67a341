"""Plans for the window's list requests: the refusals and questions of a profile send."""

from __future__ import annotations

import pytest

from profile_editor.core.http.models import Outcome, OutcomeKind
from profile_editor.core.lists.plan import (
    change_status,
    plan_read,
    plan_subscribe,
    plan_unsubscribe_all,
    read_status,
)
from profile_editor.core.lists.requests import (
    SubscribeRequest,
    SubscriptionsResult,
    UnsubscribeAllRequest,
)
from profile_editor.core.send.draft import Draft, DraftError
from profile_editor.core.send.plan import Refusal, Target
from profile_editor.storage.conversions import draft_from_history
from profile_editor.storage.history import HistoryEntry

LOCAL = Target("http://127.0.0.1:8080", "Local")
GUARDED = Target("https://api.courier.com", "Production", protected=True)


@pytest.mark.parametrize("rid", ["", " ada", "..", "a\nb"])
def test_bad_recipient_ids_are_refused_as_for_profiles(rid: str) -> None:
    for result in (
        plan_read(rid, LOCAL),
        plan_subscribe(rid, "news", LOCAL),
        plan_unsubscribe_all(rid, LOCAL, 3),
    ):
        assert isinstance(result, Refusal)
        assert result.field == "recipient"
        assert "not sent" in result.message


def test_no_key_and_a_key_over_plain_http_elsewhere_are_refused() -> None:
    refused = plan_subscribe("ada", "news", Target("http://127.0.0.1:8080", "Local", has_key=False))
    assert isinstance(refused, Refusal) and refused.field == "key"
    remote = plan_read("ada", Target("http://example.com", "Plain"))
    assert isinstance(remote, Refusal) and remote.field == "url"


def test_subscribe_carries_an_idempotency_key_and_asks_only_when_protected() -> None:
    plan = plan_subscribe("ada", " news ", LOCAL)
    assert not isinstance(plan, Refusal)
    assert isinstance(plan.request, SubscribeRequest)
    assert plan.request.payload() == {"lists": [{"listId": "news"}]}
    assert plan.request.headers("k")["Idempotency-Key"]
    assert plan.confirmations == ()
    guarded = plan_subscribe("ada", "news", GUARDED)
    assert not isinstance(guarded, Refusal)
    [ask] = guarded.confirmations
    assert "protected" in ask.text and "Production" in ask.text and "“news”" in ask.text


def test_unsubscribe_all_names_recipient_environment_and_count() -> None:
    plan = plan_unsubscribe_all("ada", LOCAL, 12)
    assert not isinstance(plan, Refusal)
    assert isinstance(plan.request, UnsubscribeAllRequest)
    [ask] = plan.confirmations
    assert "“ada”" in ask.text and "Local" in ask.text and "12 subscriptions" in ask.text
    unknown = plan_unsubscribe_all("ada", GUARDED, None)
    assert not isinstance(unknown, Refusal)
    protected, what = unknown.confirmations
    assert "protected" in protected.text
    assert "how many is unknown" in what.text


def test_status_lines_use_the_windows_wording() -> None:
    plan = plan_subscribe("ada", "news", LOCAL)
    assert not isinstance(plan, Refusal)
    error = Outcome(
        kind=OutcomeKind.API_ERROR,
        summary="400 Bad Request",
        status_code=400,
        error_type="invalid_request_error",
        message="bad",
    )
    assert change_status(plan, error) == (
        "Subscribe failed: 400 · invalid_request_error — bad",
        "error",
    )
    ok = Outcome(kind=OutcomeKind.SUCCESS, summary="200 OK", status_code=200, elapsed_ms=12)
    assert change_status(plan, ok) == ("✓ Subscribed “ada” to “news” — 12 ms", "success")
    text, state = read_status("ada", SubscriptionsResult([], error, complete=False))
    assert text.startswith("Reading the subscriptions failed: 400") and state == "error"


def test_history_entries_of_list_requests_say_so_and_are_not_reopened() -> None:
    plan = plan_subscribe("a/b", "news", LOCAL)
    assert not isinstance(plan, Refusal)
    ok = Outcome(kind=OutcomeKind.SUCCESS, summary="200 OK", status_code=200)
    entry = HistoryEntry.of_request(plan.request, ok, environment="Local")
    assert (entry.method, entry.resource, entry.path) == ("POST", "lists", "/profiles/a%2Fb/lists")
    assert entry.request_body == {"lists": [{"listId": "news"}]}
    with pytest.raises(DraftError, match="Lists tab"):
        draft_from_history(entry)
    profile = HistoryEntry.of_request(Draft("a/b").to_request(LOCAL.base_url), ok, environment=None)
    assert (profile.resource, profile.path) == ("profile", "/profiles/a%2Fb")
