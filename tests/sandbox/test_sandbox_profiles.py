"""The /profiles/{id} API of the sandbox, over real HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import httpx
import pytest

from profile_editor.sandbox.handler import MAX_BODY_BYTES
from profile_editor.sandbox.server import SandboxServer, start_sandbox

MakeClient = Callable[..., httpx.Client]

PathFor = Callable[[str], str]


def _assert_error(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "type"}
    assert body["type"] == error_type
    assert body["message"]
    return str(body["message"])


# --- happy paths --------------------------------------------------------------------------


def test_get_returns_profile_and_null_preferences(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    sandbox.put_profile("u1", {"email": "a@example.com", "custom": {"plan": "pro"}})
    response = client.get("/profiles/u1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "profile": {"email": "a@example.com", "custom": {"plan": "pro"}},
        "preferences": None,
    }


def test_get_unknown_profile_is_404(client: httpx.Client) -> None:
    _assert_error(client.get("/profiles/nobody"), 404, "invalid_request_error")


def test_post_creates_then_merges_deeply(sandbox: SandboxServer, client: httpx.Client) -> None:
    response = client.post(
        "/profiles/u1",
        json={"profile": {"email": "a@example.com", "custom": {"plan": "free", "seats": 3}}},
    )
    assert response.status_code == 200
    assert response.json() == {"status": "SUCCESS"}
    assert sandbox.get_profile("u1") == {
        "email": "a@example.com",
        "custom": {"plan": "free", "seats": 3},
    }

    response = client.post(
        "/profiles/u1", json={"profile": {"custom": {"plan": "pro", "seats": None}, "name": "A"}}
    )
    assert response.json() == {"status": "SUCCESS"}
    assert client.get("/profiles/u1").json()["profile"] == {
        "email": "a@example.com",
        "custom": {"plan": "pro"},
        "name": "A",
    }


def test_post_null_removes_and_empty_profile_changes_nothing(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    sandbox.put_profile("u1", {"email": "e", "phone_number": "p"})
    assert client.post("/profiles/u1", json={"profile": {"phone_number": None}}).status_code == 200
    assert client.post("/profiles/u1", json={"profile": {}}).json() == {"status": "SUCCESS"}
    assert sandbox.get_profile("u1") == {"email": "e"}


def test_put_replaces_and_empty_object_empties(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    sandbox.put_profile("u1", {"email": "e", "custom": {"a": 1}})
    response = client.put("/profiles/u1", json={"profile": {"name": "N"}})
    assert response.status_code == 200
    assert response.json() == {"status": "SUCCESS"}
    assert sandbox.get_profile("u1") == {"name": "N"}
    assert client.put("/profiles/u1", json={"profile": {}}).status_code == 200
    assert client.get("/profiles/u1").json() == {"profile": {}, "preferences": None}


def test_put_creates_and_keeps_key_order(sandbox: SandboxServer, client: httpx.Client) -> None:
    profile = {"z": 1, "a": {"y": 2, "b": 3}, "m": [3, 1]}
    assert client.put("/profiles/new", json={"profile": profile}).status_code == 200
    stored = client.get("/profiles/new").json()["profile"]
    assert json.dumps(stored) == json.dumps(profile)


def test_patch_applies_operations(sandbox: SandboxServer, client: httpx.Client) -> None:
    sandbox.put_profile("u1", {"email": "e", "tags": ["a"], "custom": {"plan": "free"}})
    ops = [
        {"op": "replace", "path": "/custom/plan", "value": "pro"},
        {"op": "add", "path": "/tags/-", "value": "b"},
        {"op": "remove", "path": "/email"},
        {"op": "copy", "from": "/custom", "path": "/custom2"},
        {"op": "test", "path": "/tags", "value": ["a", "b"]},
    ]
    response = client.patch("/profiles/u1", json={"patch": ops})
    assert response.status_code == 200
    assert response.json() == {"status": "SUCCESS"}
    assert sandbox.get_profile("u1") == {
        "tags": ["a", "b"],
        "custom": {"plan": "pro"},
        "custom2": {"plan": "pro"},
    }


def test_patch_failure_is_400_and_changes_nothing(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    sandbox.put_profile("u1", {"email": "e", "n": 1})
    ops = [
        {"op": "replace", "path": "/n", "value": 2},
        {"op": "remove", "path": "/missing"},
    ]
    message = _assert_error(
        client.patch("/profiles/u1", json={"patch": ops}), 400, "invalid_request_error"
    )
    assert "operation 1" in message
    assert sandbox.get_profile("u1") == {"email": "e", "n": 1}


def test_patch_cannot_turn_the_profile_into_a_non_object(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    sandbox.put_profile("u1", {"a": 1})
    ops = [{"op": "replace", "path": "", "value": [1]}]
    _assert_error(client.patch("/profiles/u1", json={"patch": ops}), 400, "invalid_request_error")
    assert sandbox.get_profile("u1") == {"a": 1}


def test_patch_unknown_profile_is_404(sandbox: SandboxServer, client: httpx.Client) -> None:
    ops = [{"op": "add", "path": "/a", "value": 1}]
    _assert_error(
        client.patch("/profiles/nobody", json={"patch": ops}), 404, "invalid_request_error"
    )
    assert sandbox.get_profile("nobody") is None


def test_delete_removes_and_is_idempotent(sandbox: SandboxServer, client: httpx.Client) -> None:
    sandbox.put_profile("u1", {"email": "e"})
    response = client.delete("/profiles/u1")
    assert response.status_code == 204
    assert response.content == b""
    assert sandbox.get_profile("u1") is None
    assert client.delete("/profiles/u1").status_code == 204
    assert client.get("/profiles/u1").status_code == 404


def test_query_string_is_ignored(sandbox: SandboxServer, client: httpx.Client) -> None:
    sandbox.put_profile("u1", {"a": 1})
    assert client.get("/profiles/u1?expand=all").json()["profile"] == {"a": 1}


# --- auth -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic c2FuZGJveC1rZXk6"}],
    ids=["missing", "wrong key", "wrong scheme"],
)
def test_requests_without_the_key_are_401(
    sandbox: SandboxServer, make_client: MakeClient, headers: dict[str, str]
) -> None:
    sandbox.put_profile("u1", {"a": 1})
    anonymous = make_client(headers)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        response = anonymous.request(method, "/profiles/u1", json={"profile": {}})
        _assert_error(response, 401, "authentication_error")
    assert sandbox.get_profile("u1") == {"a": 1}


def test_bearer_scheme_is_case_insensitive(sandbox: SandboxServer, anon: httpx.Client) -> None:
    sandbox.put_profile("u1", {"a": 1})
    headers = {"Authorization": f"bearer {sandbox.key}"}
    assert anon.get("/profiles/u1", headers=headers).status_code == 200


def test_custom_key(make_client: MakeClient) -> None:
    with start_sandbox(key="another-key") as server:
        other = make_client(base_url=server.url)
        body: dict[str, object] = {"profile": {}}
        wrong = other.put("/profiles/u", json=body, headers={"Authorization": "Bearer x"})
        assert wrong.status_code == 401
        right = other.put("/profiles/u", json=body, headers={"Authorization": "Bearer another-key"})
        assert right.status_code == 200


# --- body validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "content", "fragment"),
    [
        ("POST", b'{"profile": {"a": 1}', "not valid JSON"),
        ("POST", b"", "empty"),
        ("POST", b'{"profile": {"a": NaN}}', "NaN"),
        ("PUT", b'{"profile": {"a": Infinity}}', "Infinity"),
        ("PUT", b'{"profile": {"a": "\xff"}}', "UTF-8"),
        ("POST", b'{"profile": [1, 2]}', '"profile" must be an object, not an array'),
        ("PUT", b'{"profile": null}', '"profile" must be an object, not null'),
        ("POST", b'{"email": "a"}', '"profile" member'),
        ("POST", b"[]", '"profile" member'),
        ("PATCH", b'{"patch": {"op": "add"}}', '"patch" must be an array, not an object'),
        ("PATCH", b'{"ops": []}', '"patch" member'),
        ("PATCH", b'{"patch": [1]}', "must be an object"),
        ("POST", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_bodies_are_400(
    sandbox: SandboxServer, client: httpx.Client, method: str, content: bytes, fragment: str
) -> None:
    sandbox.put_profile("u1", {"a": 1})
    response = client.request(
        method, "/profiles/u1", content=content, headers={"Content-Type": "application/json"}
    )
    assert fragment in _assert_error(response, 400, "invalid_request_error")
    assert sandbox.get_profile("u1") == {"a": 1}
    # The connection stays usable after a 400.
    assert client.get("/profiles/u1").status_code == 200


def test_body_of_exactly_the_limit_is_accepted(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    frame = b'{"profile": {"blob": ""}}'
    content = frame[:-3] + b"x" * (MAX_BODY_BYTES - len(frame)) + frame[-3:]
    assert len(content) == MAX_BODY_BYTES
    assert client.post("/profiles/big", content=content).status_code == 200
    profile = sandbox.get_profile("big")
    assert profile is not None
    assert len(profile["blob"]) == MAX_BODY_BYTES - len(frame)


def test_body_over_the_limit_is_413(sandbox: SandboxServer, client: httpx.Client) -> None:
    content = b"x" * (MAX_BODY_BYTES + 1)
    _assert_error(client.post("/profiles/big", content=content), 413, "invalid_request_error")
    assert sandbox.get_profile("big") is None
    # The refused connection is closed; the client carries on with a new one.
    assert client.put("/profiles/big", json={"profile": {}}).status_code == 200


def test_413_is_decided_by_content_length_without_reading_the_body(
    sandbox: SandboxServer,
) -> None:
    with socket.create_connection((sandbox.host, sandbox.port), timeout=5) as raw:
        raw.sendall(
            b"POST /profiles/u HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-key\r\n"
            b"Content-Length: 1000000000000\r\n\r\n"
        )
        answer = raw.makefile("rb").readline()
    assert answer.startswith(b"HTTP/1.1 413 ")


# --- paths and recipient IDs ----------------------------------------------------------------


@pytest.mark.parametrize(
    "recipient_id",
    ["a/b?c#d", "%", "100%25", "with space", "zoë", "🦄 unicorn", "plus+sign", "~tilde.-_", ".x"],
)
def test_encoded_ids_round_trip(
    sandbox: SandboxServer, client: httpx.Client, profile_path: PathFor, recipient_id: str
) -> None:
    path = profile_path(recipient_id)
    assert client.put(path, json={"profile": {"id": recipient_id}}).status_code == 200
    assert sandbox.get_profile(recipient_id) == {"id": recipient_id}
    assert client.get(path).json()["profile"] == {"id": recipient_id}
    assert client.post(path, json={"profile": {"more": 1}}).status_code == 200
    ops = [{"op": "add", "path": "/patched", "value": True}]
    assert client.patch(path, json={"patch": ops}).status_code == 200
    assert sandbox.get_profile(recipient_id) == {"id": recipient_id, "more": 1, "patched": True}
    assert client.delete(path).status_code == 204
    assert sandbox.get_profile(recipient_id) is None


def test_encoded_slash_is_not_a_separator(sandbox: SandboxServer, client: httpx.Client) -> None:
    sandbox.put_profile("a/b", {"slash": True})
    assert client.get("/profiles/a%2Fb").json()["profile"] == {"slash": True}
    assert client.get("/profiles/a%2fb").json()["profile"] == {"slash": True}
    assert client.get("/profiles/a").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/profiles/a/b", "/profiles/", "/profiles", "/profiles/a/", "/", "/users/a", "/profiles/.."],
)
def test_paths_that_name_no_profile_are_404(client: httpx.Client, path: str) -> None:
    _assert_error(client.get(path), 404, "invalid_request_error")


def test_id_that_is_not_utf8_is_400(client: httpx.Client) -> None:
    message = _assert_error(client.get("/profiles/%FF%FE"), 400, "invalid_request_error")
    assert "UTF-8" in message


def test_wrong_method_is_405(client: httpx.Client) -> None:
    response = client.request("OPTIONS", "/profiles/u1")
    _assert_error(response, 405, "invalid_request_error")
    assert response.headers["allow"] == "GET, POST, PUT, PATCH, DELETE"


def test_unknown_method_gets_a_json_error(client: httpx.Client) -> None:
    _assert_error(client.request("BREW", "/profiles/u1"), 501, "api_error")


def test_malformed_request_line_gets_a_json_error(sandbox: SandboxServer) -> None:
    with socket.create_connection((sandbox.host, sandbox.port), timeout=5) as raw:
        raw.sendall(b"GET /profiles/a b HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = raw.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert json.loads(body)["type"] == "invalid_request_error"


# --- idempotency keys -----------------------------------------------------------------------


def test_a_repeated_idempotency_key_replays_the_answer_instead_of_applying_again(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    first = client.post(
        "/profiles/u1", json={"profile": {"n": 1}}, headers={"Idempotency-Key": "row-1"}
    )
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    sandbox.put_profile("u1", {"n": 2})  # changed since, by someone else
    again = client.post(
        "/profiles/u1", json={"profile": {"n": 1}}, headers={"Idempotency-Key": "row-1"}
    )
    assert again.status_code == 200
    assert again.json() == {"status": "SUCCESS"}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert sandbox.get_profile("u1") == {"n": 2}  # not applied a second time
    # The key belongs to one request: another recipient, or no key, is applied as usual.
    other = client.post(
        "/profiles/u2", json={"profile": {"n": 1}}, headers={"Idempotency-Key": "row-1"}
    )
    assert "Idempotent-Replayed" not in other.headers
    assert sandbox.get_profile("u2") == {"n": 1}
    client.post("/profiles/u1", json={"profile": {"n": 3}})
    assert sandbox.get_profile("u1") == {"n": 3}


def test_a_failed_request_is_not_remembered_for_its_key(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    bad = client.post("/profiles/u1", content=b"{", headers={"Idempotency-Key": "k"})
    assert bad.status_code == 400
    good = client.post("/profiles/u1", json={"profile": {"a": 1}}, headers={"Idempotency-Key": "k"})
    assert good.status_code == 200 and "Idempotent-Replayed" not in good.headers
    assert sandbox.get_profile("u1") == {"a": 1}
    sandbox.reset()
    again = client.post(
        "/profiles/u1", json={"profile": {"a": 1}}, headers={"Idempotency-Key": "k"}
    )
    assert "Idempotent-Replayed" not in again.headers
