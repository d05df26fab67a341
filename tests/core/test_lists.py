"""List subscriptions from the core: request models, and the client against the real sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from profile_editor.core.http.cancel import CancelToken
from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.models import Method, OutcomeKind
from profile_editor.core.http.retry import RetryPolicy
from profile_editor.core.http.transport import AbortableBackend, make_http_client
from profile_editor.core.lists.requests import (
    MAX_PAGES,
    GetSubscriptionsRequest,
    ListSubscription,
    PreferenceStatus,
    RecipientPreferences,
    SubscribeRequest,
    SubscriptionPage,
    SubscriptionsResult,
    UnsubscribeAllRequest,
    execute_lists,
    fetch_all_subscriptions,
)
from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer

FAST = RetryPolicy(base_delay=0.01, jitter=lambda: 1.0)
BASE = "https://api.courier.com"
ODD_ID = "a/b?c#d 😀"


@pytest.fixture
def client() -> Iterator[tuple[ProfilesClient, AbortableBackend]]:
    http, backend = make_http_client(connect_timeout=2, total_timeout=2)
    yield ProfilesClient(http, retry=FAST), backend
    http.close()


def _subscribe_many(
    c: ProfilesClient, sandbox: SandboxServer, rid: str, count: int, key: str = "idem"
) -> None:
    request = SubscribeRequest(
        base_url=sandbox.url,
        recipient_id=rid,
        lists=tuple(ListSubscription(list_id=f"list-{i:03}") for i in range(count)),
        idempotency_key=key,
    )
    outcome = execute_lists(c, request, sandbox.key)
    assert outcome.ok, outcome


# --- the models, without a server -------------------------------------------------------


def test_urls_carry_the_recipient_as_one_encoded_segment() -> None:
    get = GetSubscriptionsRequest(base_url=BASE + "/", recipient_id=ODD_ID)
    assert get.url == "https://api.courier.com/profiles/a%2Fb%3Fc%23d%20%F0%9F%98%80/lists"
    assert get.method is Method.GET and get.body_bytes() is None
    paged = GetSubscriptionsRequest(base_url=BASE, recipient_id="u", cursor="a+b/c=&d")
    assert paged.url == "https://api.courier.com/profiles/u/lists?cursor=a%2Bb%2Fc%3D%26d"
    delete = UnsubscribeAllRequest(base_url=BASE, recipient_id="u")
    assert (delete.method, delete.url) == (Method.DELETE, f"{BASE}/profiles/u/lists")


def test_subscribe_body_and_headers() -> None:
    request = SubscribeRequest(
        base_url=BASE,
        recipient_id="u",
        lists=(
            ListSubscription(list_id="news"),
            ListSubscription(
                list_id="digest",
                preferences=RecipientPreferences(
                    notifications={"weekly": {"status": "OPTED_OUT"}}  # type: ignore[dict-item]
                ),
            ),
        ),
        idempotency_key="k-1",
    )
    assert request.method is Method.POST
    assert json.loads(request.body_bytes() or b"") == {
        "lists": [
            {"listId": "news"},
            {
                "listId": "digest",
                "preferences": {"notifications": {"weekly": {"status": "OPTED_OUT"}}},
            },
        ]
    }
    headers = request.headers("secret-key-1234")
    assert headers["Idempotency-Key"] == "k-1"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Bearer secret-key-1234"
    assert headers["User-Agent"].startswith("profile-editor/")
    assert "Authorization" not in request.headers(None)


def test_only_post_sends_an_idempotency_key() -> None:
    for request in (
        GetSubscriptionsRequest(base_url=BASE, recipient_id="u", idempotency_key="k"),
        UnsubscribeAllRequest(base_url=BASE, recipient_id="u", idempotency_key="k"),
    ):
        headers = request.headers("key")
        assert "Idempotency-Key" not in headers and "Content-Type" not in headers


def test_list_subscription_reads_courier_json_and_refuses_bad_input() -> None:
    item = ListSubscription.model_validate(
        {"listId": "a", "preferences": {"categories": {"c": {"status": "REQUIRED", "x": 1}}}}
    )
    assert item.preferences is not None and item.preferences.categories is not None
    assert item.preferences.categories["c"].status is PreferenceStatus.REQUIRED
    assert item.to_json()["preferences"]["categories"]["c"] == {"status": "REQUIRED", "x": 1}
    with pytest.raises(ValidationError):
        ListSubscription(list_id="")
    with pytest.raises(ValidationError):
        RecipientPreferences.model_validate({"categories": {"c": {"status": "MAYBE"}}})


def test_a_page_parses_courier_json() -> None:
    page = SubscriptionPage.model_validate(
        {
            "paging": {"more": True, "cursor": "abc"},
            "results": [
                {
                    "id": "l1",
                    "name": "List one",
                    "created": "2026-11-27T10:00:00.000Z",
                    "updated": "2026-11-27T11:00:00.000Z",
                    "preferences": {"notifications": {"n": {"status": "OPTED_IN"}}},
                }
            ],
        }
    )
    [sub] = page.results
    assert (sub.id, sub.name, page.paging.more, page.paging.cursor) == (
        "l1",
        "List one",
        True,
        "abc",
    )
    assert sub.created_at is not None and sub.created_at.hour == 10
    assert sub.created_at.utcoffset() is not None
    assert sub.preferences is not None and sub.preferences.notifications is not None


def test_lists_import_without_pyside6() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'PySide6':\n"
        "            raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import profile_editor.core.lists.requests, profile_editor.core.http.client\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


# --- against the sandbox ----------------------------------------------------------------


def test_subscribe_read_and_unsubscribe(sandbox: SandboxServer, client) -> None:
    c, _ = client
    empty = execute_lists(
        c, GetSubscriptionsRequest(base_url=sandbox.url, recipient_id=ODD_ID), sandbox.key
    )
    assert empty.ok and empty.summary == "200 OK · 0 subscriptions"
    page = SubscriptionPage.from_outcome(empty)
    assert page is not None and page.results == [] and page.paging.more is False

    prefs = RecipientPreferences.model_validate({"notifications": {"n": {"status": "OPTED_IN"}}})
    subscribe = SubscribeRequest(
        base_url=sandbox.url,
        recipient_id=ODD_ID,
        lists=(ListSubscription(list_id="news", preferences=prefs),),
        idempotency_key="idem-7",
    )
    outcome = execute_lists(c, subscribe, sandbox.key)
    assert outcome.kind is OutcomeKind.SUCCESS and outcome.message == "SUCCESS"
    assert outcome.idempotency_key == "idem-7" and outcome.attempts == 1

    loaded = execute_lists(
        c, GetSubscriptionsRequest(base_url=sandbox.url, recipient_id=ODD_ID), sandbox.key
    )
    assert loaded.summary == "200 OK · 1 subscription"
    page = SubscriptionPage.from_outcome(loaded)
    assert page is not None
    [sub] = page.results
    assert (sub.id, sub.name, sub.preferences) == ("news", "news", prefs)

    gone = execute_lists(
        c, UnsubscribeAllRequest(base_url=sandbox.url, recipient_id=ODD_ID), sandbox.key
    )
    assert gone.ok
    assert fetch_all_subscriptions(c, sandbox.url, ODD_ID, sandbox.key).subscriptions == []

    recorded = sandbox.requests()
    assert {r.recipient_id for r in recorded} == {ODD_ID}
    assert [r.method for r in recorded] == ["GET", "POST", "GET", "DELETE", "GET"]
    assert recorded[1].headers["Idempotency-Key"] == "idem-7"
    assert all(sandbox.key not in json.dumps(r.model_dump(mode="json")) for r in recorded)


def test_fetch_all_follows_cursors(sandbox: SandboxServer, client) -> None:
    c, _ = client
    _subscribe_many(c, sandbox, "u", 45)
    result = fetch_all_subscriptions(c, sandbox.url, "u", sandbox.key)
    assert result.ok and result.complete
    assert result.pages == 3 and result.attempts == 3
    assert [s.id for s in result.subscriptions] == [f"list-{i:03}" for i in range(45)]
    cursors = [r.path.partition("?cursor=")[2] for r in sandbox.requests() if r.method == "GET"]
    assert cursors[0] == "" and all(cursors[1:])


def test_fetch_all_of_an_unknown_recipient_is_empty_and_complete(
    sandbox: SandboxServer, client
) -> None:
    c, _ = client
    result = fetch_all_subscriptions(c, sandbox.url, "nobody", sandbox.key)
    assert result.ok and result.subscriptions == [] and result.pages == 1


def test_fetch_all_retries_a_page_like_any_request(sandbox: SandboxServer, client) -> None:
    c, _ = client
    _subscribe_many(c, sandbox, "u", 25)
    sandbox.queue_fault(Fault(status=503, method="GET"))
    retries: list[tuple[int, int, float, str]] = []
    result = fetch_all_subscriptions(
        c, sandbox.url, "u", sandbox.key, on_retry=lambda *args: retries.append(args)
    )
    assert result.ok and len(result.subscriptions) == 25
    assert result.attempts == 3 and [r[3] for r in retries] == ["HTTP 503"]


def test_fetch_all_stops_at_a_failing_page_and_keeps_what_it_read(
    sandbox: SandboxServer, client
) -> None:
    c, _ = client
    item = {"id": "l1", "name": "l1", "created": "2026-01-01T00:00:00Z", "updated": "x"}
    first_page = {"paging": {"more": True, "cursor": "next"}, "results": [item]}
    sandbox.queue_faults(
        [
            Fault(status=200, body=json.dumps(first_page), method="GET"),
            Fault(status=400, method="GET"),
        ]
    )
    result = fetch_all_subscriptions(c, sandbox.url, "u", sandbox.key)
    assert not result.ok and not result.complete
    assert result.outcome.kind is OutcomeKind.API_ERROR and result.outcome.status_code == 400
    assert [s.id for s in result.subscriptions] == ["l1"] and result.pages == 1
    assert result.subscriptions[0].updated_at is None  # kept as sent, not a datetime
    assert sandbox.requests()[-1].path == "/profiles/u/lists?cursor=next"


def test_a_cursor_the_sandbox_did_not_issue_is_an_api_error(sandbox: SandboxServer, client) -> None:
    c, _ = client
    request = GetSubscriptionsRequest(base_url=sandbox.url, recipient_id="u", cursor="forged")
    outcome = execute_lists(c, request, sandbox.key)
    assert outcome.kind is OutcomeKind.API_ERROR
    assert outcome.error_type == "invalid_request_error" and outcome.attempts == 1


def test_a_wrong_key_is_an_authentication_error(sandbox: SandboxServer, client) -> None:
    c, _ = client
    result = fetch_all_subscriptions(c, sandbox.url, "u", "wrong-key")
    assert result.outcome.status_code == 401
    assert result.outcome.error_type == "authentication_error"
    assert result.pages == 0 and not result.ok


def test_a_page_that_is_not_courier_json_is_unexpected(sandbox: SandboxServer, client) -> None:
    c, _ = client
    sandbox.queue_fault(Fault(status=200, body='{"profile": {}}', method="GET"))
    result = fetch_all_subscriptions(c, sandbox.url, "u", sandbox.key)
    assert result.outcome.kind is OutcomeKind.UNEXPECTED and not result.ok


def test_a_repeated_cursor_stops_reading(sandbox: SandboxServer, client) -> None:
    c, _ = client
    looping = '{"paging": {"more": true, "cursor": "again"}, "results": []}'
    sandbox.queue_fault(Fault(status=200, body=looping, method="GET", times=2))
    result = fetch_all_subscriptions(c, sandbox.url, "u", sandbox.key)
    assert result.outcome.kind is OutcomeKind.UNEXPECTED
    assert "same cursor" in result.outcome.message and result.pages == 2
    assert MAX_PAGES >= 100


def test_cancel_stops_fetching_during_a_slow_page(sandbox: SandboxServer) -> None:
    http, backend = make_http_client(connect_timeout=2, total_timeout=30)
    c = ProfilesClient(http, retry=FAST)
    sandbox.queue_fault(Fault(delay=20, method="GET"))
    cancel = CancelToken(backend.abort)
    results: list[SubscriptionsResult] = []
    worker = threading.Thread(
        target=lambda: results.append(
            fetch_all_subscriptions(c, sandbox.url, "u", sandbox.key, cancel=cancel)
        )
    )
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while not sandbox.requests() and time.monotonic() < deadline:
            threading.Event().wait(0.005)  # poll until the request reached the sandbox
        cancel.cancel()
        worker.join(5)
    finally:
        http.close()
    assert not worker.is_alive()
    [result] = results
    assert result.outcome.kind is OutcomeKind.CANCELLED and not result.ok
    assert result.elapsed_ms < 5000


def test_subscribe_goes_through_retries_with_one_idempotency_key(
    sandbox: SandboxServer, client
) -> None:
    c, _ = client
    sandbox.queue_fault(Fault(status=429, retry_after="0", method="POST"))
    _subscribe_many(c, sandbox, "u", 2, key="same-key")
    posts = [r for r in sandbox.requests() if r.method == "POST"]
    assert [r.headers["Idempotency-Key"] for r in posts] == ["same-key", "same-key"]
    assert len(fetch_all_subscriptions(c, sandbox.url, "u", sandbox.key).subscriptions) == 2


def test_refused_before_sending_a_key_over_plain_http(client) -> None:
    c, _ = client
    request = UnsubscribeAllRequest(base_url="http://api.courier.com", recipient_id="u")
    outcome = execute_lists(c, request, "a-real-looking-key")
    assert outcome.kind is OutcomeKind.REFUSED


@pytest.mark.parametrize("rid", ["", " u", "..", "a\nb"])
def test_a_refused_recipient_id_sends_nothing(sandbox: SandboxServer, client, rid: str) -> None:
    c, _ = client
    result = fetch_all_subscriptions(c, sandbox.url, rid, sandbox.key)
    assert result.outcome.kind is OutcomeKind.REFUSED and result.outcome.message
    assert not result.ok and result.pages == 0
    subscribe = SubscribeRequest(
        base_url=sandbox.url, recipient_id=rid, lists=(ListSubscription(list_id="l"),)
    )
    assert execute_lists(c, subscribe, sandbox.key).kind is OutcomeKind.REFUSED
    assert sandbox.requests() == []
