"""The /profiles/{id}/lists API of the sandbox, over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from profile_editor.sandbox.lists import PAGE_SIZE
from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer, start_sandbox

MakeClient = Callable[..., httpx.Client]
PathFor = Callable[[str], str]

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _assert_error(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "type"}
    assert body["type"] == error_type
    assert body["message"]
    return str(body["message"])


def _subscribe(client: httpx.Client, path: str, *list_ids: str, **extra: Any) -> None:
    items = [{"listId": list_id, **extra} for list_id in list_ids]
    response = client.post(f"{path}/lists", json={"lists": items})
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "SUCCESS"}


def _all_pages(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    params: dict[str, str] = {}
    while True:
        response = client.get(f"{path}/lists", params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["paging"]["cursor"]
        if cursor is None:
            return pages
        params = {"cursor": cursor}


# --- reading and paging -------------------------------------------------------------------


def test_unknown_recipient_has_no_subscriptions(client: httpx.Client) -> None:
    response = client.get("/profiles/nobody/lists")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"paging": {"more": False, "cursor": None}, "results": []}


def test_45_subscriptions_come_in_3_pages_in_list_id_order(client: httpx.Client) -> None:
    list_ids = [f"list-{i:02}" for i in range(45)]
    _subscribe(client, "/profiles/u1", *reversed(list_ids))
    pages = _all_pages(client, "/profiles/u1")
    assert [len(page["results"]) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 5]
    assert [page["paging"]["more"] for page in pages] == [True, True, False]
    assert [item["id"] for page in pages for item in page["results"]] == list_ids
    assert all(isinstance(page["paging"]["cursor"], str) for page in pages[:2])


def test_exactly_one_full_page_has_no_next_page(client: httpx.Client) -> None:
    _subscribe(client, "/profiles/u1", *(f"l{i:02}" for i in range(PAGE_SIZE)))
    [page] = _all_pages(client, "/profiles/u1")
    assert len(page["results"]) == PAGE_SIZE
    assert page["paging"] == {"more": False, "cursor": None}


def test_an_unknown_list_is_created_named_after_its_id(client: httpx.Client) -> None:
    _subscribe(client, "/profiles/u1", "newsletter.weekly")
    [item] = client.get("/profiles/u1/lists").json()["results"]
    assert set(item) == {"id", "name", "created", "updated"}  # no preferences sent: none shown
    assert item["id"] == item["name"] == "newsletter.weekly"
    assert ISO_8601.match(item["created"]) and ISO_8601.match(item["updated"])


def test_a_list_is_shared_between_recipients(client: httpx.Client) -> None:
    _subscribe(client, "/profiles/u1", "shared")
    _subscribe(client, "/profiles/u2", "shared")
    [first] = client.get("/profiles/u1/lists").json()["results"]
    [second] = client.get("/profiles/u2/lists").json()["results"]
    assert first == second  # the same list, created once


def test_preferences_are_stored_kept_and_replaced(client: httpx.Client) -> None:
    opted_in = {"notifications": {"welcome": {"status": "OPTED_IN"}}}
    opted_out = {"categories": {"marketing": {"status": "OPTED_OUT", "channel_preferences": []}}}
    _subscribe(client, "/profiles/u1", "news", preferences=opted_in)
    [item] = client.get("/profiles/u1/lists").json()["results"]
    assert item["preferences"] == opted_in
    _subscribe(client, "/profiles/u1", "news")  # subscribing again without preferences keeps them
    [item] = client.get("/profiles/u1/lists").json()["results"]
    assert item["preferences"] == opted_in
    _subscribe(client, "/profiles/u1", "news", preferences=opted_out)
    [item] = client.get("/profiles/u1/lists").json()["results"]
    assert item["preferences"] == opted_out


def test_an_empty_cursor_reads_the_first_page(client: httpx.Client) -> None:
    _subscribe(client, "/profiles/u1", "a")
    assert client.get("/profiles/u1/lists?cursor=").json()["results"][0]["id"] == "a"


def test_odd_recipient_ids_travel_as_one_segment(
    sandbox: SandboxServer, client: httpx.Client, profile_path: PathFor
) -> None:
    path = profile_path("a/b?c#d 😀")
    _subscribe(client, path, *(f"l{i:02}" for i in range(25)))
    pages = _all_pages(client, path)
    assert sum(len(page["results"]) for page in pages) == 25
    assert client.get("/profiles/a/lists").json()["results"] == []
    assert {r.recipient_id for r in sandbox.requests()} == {"a/b?c#d 😀", "a"}


# --- unsubscribing ----------------------------------------------------------------------


def test_delete_unsubscribes_from_every_list_and_keeps_the_profile(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    sandbox.put_profile("u1", {"email": "e"})
    _subscribe(client, "/profiles/u1", *(f"l{i}" for i in range(30)))
    _subscribe(client, "/profiles/u2", "l1")
    response = client.delete("/profiles/u1/lists")
    assert response.status_code == 200
    assert response.json() == {"status": "SUCCESS"}
    assert client.get("/profiles/u1/lists").json()["results"] == []
    assert [r["id"] for r in client.get("/profiles/u2/lists").json()["results"]] == ["l1"]
    assert sandbox.get_profile("u1") == {"email": "e"}
    assert client.delete("/profiles/nobody/lists").json() == {"status": "SUCCESS"}


def test_deleting_the_profile_keeps_the_subscriptions(client: httpx.Client) -> None:
    assert client.put("/profiles/u1", json={"profile": {"a": 1}}).status_code == 200
    _subscribe(client, "/profiles/u1", "news")
    assert client.delete("/profiles/u1").status_code == 204
    assert [r["id"] for r in client.get("/profiles/u1/lists").json()["results"]] == ["news"]


def test_reset_forgets_subscriptions(
    sandbox: SandboxServer, client: httpx.Client, anon: httpx.Client
) -> None:
    _subscribe(client, "/profiles/u1", "news")
    assert anon.post("/_sandbox/reset").status_code == 200
    assert client.get("/profiles/u1/lists").json()["results"] == []


# --- cursors ------------------------------------------------------------------------------


@pytest.fixture
def first_cursor(client: httpx.Client) -> str:
    _subscribe(client, "/profiles/u1", *(f"l{i:02}" for i in range(PAGE_SIZE + 1)))
    cursor = client.get("/profiles/u1/lists").json()["paging"]["cursor"]
    assert isinstance(cursor, str)
    return cursor


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "a.b",
        "...",
        "Zm9v",  # base64 of "foo", no signature
        "€uro",
        "%00",
    ],
)
def test_a_cursor_the_sandbox_did_not_issue_is_a_400(
    client: httpx.Client, first_cursor: str, cursor: str
) -> None:
    message = _assert_error(
        client.get("/profiles/u1/lists", params={"cursor": cursor}), 400, "invalid_request_error"
    )
    assert "cursor" in message


def test_an_altered_cursor_is_a_400(client: httpx.Client, first_cursor: str) -> None:
    payload, _, signature = first_cursor.partition(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    for cursor in (f"{flipped}.{signature}", f"{payload}.{signature[::-1]}", payload):
        response = client.get("/profiles/u1/lists", params={"cursor": cursor})
        _assert_error(response, 400, "invalid_request_error")


def test_a_cursor_for_another_recipient_is_a_400(client: httpx.Client, first_cursor: str) -> None:
    _subscribe(client, "/profiles/u2", *(f"l{i:02}" for i in range(PAGE_SIZE + 1)))
    response = client.get("/profiles/u2/lists", params={"cursor": first_cursor})
    _assert_error(response, 400, "invalid_request_error")


def test_a_cursor_from_another_sandbox_is_a_400(first_cursor: str, make_client: MakeClient) -> None:
    with start_sandbox() as other:
        client = make_client({"Authorization": f"Bearer {other.key}"}, base_url=other.url)
        _subscribe(client, "/profiles/u1", *(f"l{i:02}" for i in range(PAGE_SIZE + 1)))
        response = client.get("/profiles/u1/lists", params={"cursor": first_cursor})
        _assert_error(response, 400, "invalid_request_error")


def test_the_cursor_holds_when_subscriptions_change_between_pages(
    client: httpx.Client, first_cursor: str
) -> None:
    _subscribe(client, "/profiles/u1", "a-first", "zz-last")  # before and after the cursor
    page = client.get("/profiles/u1/lists", params={"cursor": first_cursor}).json()
    assert [item["id"] for item in page["results"]] == ["l20", "zz-last"]


# --- auth, methods and malformed requests -----------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_auth_is_required(make_client: MakeClient, method: str) -> None:
    body = {"lists": [{"listId": "news"}]} if method == "POST" else None
    anon = make_client()
    message = _assert_error(
        anon.request(method, "/profiles/u1/lists", json=body), 401, "authentication_error"
    )
    assert "Authorization" in message
    wrong = make_client({"Authorization": "Bearer not-the-key"})
    _assert_error(
        wrong.request(method, "/profiles/u1/lists", json=body), 401, "authentication_error"
    )


def test_a_refused_request_changes_nothing(
    sandbox: SandboxServer, client: httpx.Client, make_client: MakeClient
) -> None:
    make_client().post("/profiles/u1/lists", json={"lists": [{"listId": "news"}]})
    bad_batch = {"lists": [{"listId": "ok"}, {"listId": 3}]}
    assert client.post("/profiles/u1/lists", json=bad_batch).status_code == 400
    assert client.get("/profiles/u1/lists").json()["results"] == []


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_other_methods_are_405_with_allow(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/profiles/u1/lists", json={})
    _assert_error(response, 405, "invalid_request_error")
    assert response.headers["allow"] == "GET, POST, DELETE"


def test_deeper_paths_are_404(client: httpx.Client) -> None:
    _assert_error(client.get("/profiles/u1/lists/news"), 404, "invalid_request_error")
    _assert_error(client.get("/profiles//lists"), 404, "invalid_request_error")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b"[]", '"lists"'),
        (b'{"list": []}', '"lists"'),
        (b'{"lists": {"listId": "a"}}', "must be an array"),
        (b'{"lists": ["a"]}', "lists[0] must be an object"),
        (b'{"lists": [{}]}', 'no "listId"'),
        (b'{"lists": [{"list_id": "a"}]}', 'Courier spells it "listId"'),
        (b'{"lists": [{"listId": 7}]}', "non-empty string"),
        (b'{"lists": [{"listId": ""}]}', "non-empty string"),
        (b'{"lists": [{"listId": "a", "preferences": []}]}', "preferences must be an object"),
        (
            b'{"lists": [{"listId": "a", "preferences": {"notifications": []}}]}',
            "notifications must be an object",
        ),
        (
            b'{"lists": [{"listId": "a", "preferences": {"categories": {"c": {"status": "YES"}}}}]}',
            "status must be one of",
        ),
        (b'{"lists": [{"listId": NaN}]}', "not valid JSON"),
    ],
)
def test_malformed_subscribe_bodies_are_400(client: httpx.Client, body: bytes, says: str) -> None:
    response = client.post(
        "/profiles/u1/lists", content=body, headers={"Content-Type": "application/json"}
    )
    assert says in _assert_error(response, 400, "invalid_request_error")


def test_an_empty_list_of_lists_changes_nothing(client: httpx.Client) -> None:
    assert client.post("/profiles/u1/lists", json={"lists": []}).json() == {"status": "SUCCESS"}
    assert client.get("/profiles/u1/lists").json()["results"] == []


# --- recording, idempotency keys and faults -----------------------------------------------


def test_requests_are_recorded_with_the_idempotency_key_and_a_masked_key(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    response = client.post(
        "/profiles/u1/lists",
        json={"lists": [{"listId": "news"}]},
        headers={"Idempotency-Key": "idem-1"},
    )
    assert response.status_code == 200
    [recorded] = sandbox.requests()
    assert (recorded.method, recorded.path, recorded.recipient_id) == (
        "POST",
        "/profiles/u1/lists",
        "u1",
    )
    assert recorded.headers["Idempotency-Key"] == "idem-1"
    assert '"listId"' in recorded.body
    assert sandbox.key not in recorded.headers["Authorization"]


def test_faults_apply_to_list_requests(sandbox: SandboxServer, client: httpx.Client) -> None:
    sandbox.queue_fault(
        Fault(status=429, retry_after="1", method="POST", path_prefix="/profiles/u1/lists")
    )
    response = client.post("/profiles/u1/lists", json={"lists": [{"listId": "news"}]})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == "rate_limit_error"
    assert client.get("/profiles/u1/lists").json()["results"] == []  # not applied
    sandbox.queue_fault(Fault(status=503))  # the default prefix covers /profiles/{id}/lists too
    _assert_error(client.get("/profiles/u1/lists"), 503, "api_error")
    assert len(sandbox.requests()) == 3


# --- storage and concurrency --------------------------------------------------------------


def test_subscriptions_persist_with_the_profiles(tmp_path: Path, make_client: MakeClient) -> None:
    db = tmp_path / "sandbox.sqlite3"
    with start_sandbox(db_path=db) as first:
        client = make_client({"Authorization": f"Bearer {first.key}"}, base_url=first.url)
        client.put("/profiles/u1", json={"profile": {"a": 1}})
        _subscribe(client, "/profiles/u1", "news", preferences={"categories": {}})
        before = client.get("/profiles/u1/lists").json()
        client.close()
    with start_sandbox(db_path=db) as second:
        client = make_client({"Authorization": f"Bearer {second.key}"}, base_url=second.url)
        assert client.get("/profiles/u1/lists").json() == before
        assert second.get_profile("u1") == {"a": 1}


def test_concurrent_subscribers_lose_nothing(
    sandbox: SandboxServer, make_client: MakeClient
) -> None:
    threads, per_thread = 8, 15
    clients = [make_client({"Authorization": f"Bearer {sandbox.key}"}) for _ in range(threads)]

    def subscribe(worker: int) -> list[int]:
        statuses = []
        for i in range(per_thread):
            # Every thread subscribes "u-shared" to its own lists and to one list they all share,
            # and its own recipient to the shared list.
            body = {"lists": [{"listId": f"t{worker:02}-{i:02}"}, {"listId": "everyone"}]}
            statuses.append(clients[worker].post("/profiles/u-shared/lists", json=body).status_code)
            body = {"lists": [{"listId": "everyone"}]}
            statuses.append(
                clients[worker].post(f"/profiles/u{worker}/lists", json=body).status_code
            )
        return statuses

    with ThreadPoolExecutor(threads) as pool:
        statuses = [s for result in pool.map(subscribe, range(threads)) for s in result]
    assert statuses == [200] * (threads * per_thread * 2)
    reader = clients[0]
    ids = [
        item["id"] for page in _all_pages(reader, "/profiles/u-shared") for item in page["results"]
    ]
    expected = ["everyone", *(f"t{w:02}-{i:02}" for w in range(threads) for i in range(per_thread))]
    assert ids == expected
    for worker in range(threads):
        [item] = reader.get(f"/profiles/u{worker}/lists").json()["results"]
        assert item["id"] == "everyone"
