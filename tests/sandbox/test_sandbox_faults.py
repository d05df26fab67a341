"""Fault injection and request recording, scripted from Python and over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from profile_editor.sandbox.models import Fault, mask_authorization
from profile_editor.sandbox.server import SandboxServer

QueueFaults = Callable[..., None]


@pytest.fixture(params=["python", "http"])
def queue_faults(
    request: pytest.FixtureRequest, sandbox: SandboxServer, anon: httpx.Client
) -> QueueFaults:
    """Queue faults given as dicts, through the Python API or POST /_sandbox/faults."""

    def by_python(*faults: dict[str, Any]) -> None:
        sandbox.queue_faults(Fault(**fault) for fault in faults)

    def by_http(*faults: dict[str, Any]) -> None:
        body: dict[str, Any] = faults[0] if len(faults) == 1 else {"faults": list(faults)}
        response = anon.post("/_sandbox/faults", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "SUCCESS"

    return by_python if request.param == "python" else by_http


@pytest.fixture
def seeded(sandbox: SandboxServer) -> SandboxServer:
    sandbox.put_profile("u1", {"email": "e"})
    return sandbox


def test_status_fault_with_courier_error_body(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 503})
    response = client.get("/profiles/u1")
    assert response.status_code == 503
    assert response.json() == {
        "message": "Sandbox fault: 503 Service Unavailable",
        "type": "api_error",
    }
    assert client.get("/profiles/u1").status_code == 200


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "authorization_error"),
        (404, "invalid_request_error"),
        (409, "invalid_request_error"),
        (429, "rate_limit_error"),
        (500, "api_error"),
    ],
)
def test_default_fault_bodies_use_courier_types(
    seeded: SandboxServer, client: httpx.Client, status: int, error_type: str
) -> None:
    seeded.queue_fault(Fault(status=status))
    response = client.get("/profiles/u1")
    assert response.status_code == status
    assert response.json()["type"] == error_type


def test_fault_does_not_change_the_profile(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 500})
    assert client.put("/profiles/u1", json={"profile": {}}).status_code == 500
    assert seeded.get_profile("u1") == {"email": "e"}


def test_html_body_fault(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    queue_faults({"status": 502, "body": html, "content_type": "text/html"})
    response = client.get("/profiles/u1")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text == html


def test_success_status_fault_with_custom_body_and_headers(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 200, "body": "not json", "headers": {"X-Sandbox": "yes"}})
    response = client.post("/profiles/u1", json={"profile": {"a": 1}})
    assert (response.status_code, response.text) == (200, "not json")
    assert response.headers["x-sandbox"] == "yes"
    assert seeded.get_profile("u1") == {"email": "e"}


def test_retry_after_fault(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 429, "retry_after": "2"})
    response = client.get("/profiles/u1")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["type"] == "rate_limit_error"


def test_delay_fault(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 503, "delay": 0.3})
    started = time.monotonic()
    response = client.get("/profiles/u1")
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 503


def test_delay_beyond_the_client_timeout(
    seeded: SandboxServer, queue_faults: QueueFaults, anon: httpx.Client
) -> None:
    queue_faults({"delay": 30})
    headers = {"Authorization": f"Bearer {seeded.key}"}
    with pytest.raises(httpx.ReadTimeout):
        anon.get("/profiles/u1", headers=headers, timeout=0.2)
    # stop() cuts the pending delay short instead of waiting for it.
    started = time.monotonic()
    seeded.stop()
    assert time.monotonic() - started < 2


def test_drop_fault_closes_without_answering(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"drop": True})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get("/profiles/u1")
    assert client.get("/profiles/u1").status_code == 200


def test_times(seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults) -> None:
    queue_faults({"status": 500, "times": 2})
    statuses = [client.get("/profiles/u1").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_faults_are_fifo(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 500}, {"status": 429}, {"status": 503})
    statuses = [client.get("/profiles/u1").status_code for _ in range(4)]
    assert statuses == [500, 429, 503, 200]


def test_method_filter(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 500, "method": "post"})
    assert client.get("/profiles/u1").status_code == 200
    assert client.post("/profiles/u1", json={"profile": {}}).status_code == 500
    assert client.post("/profiles/u1", json={"profile": {}}).status_code == 200


def test_path_prefix_filter_uses_the_raw_path(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    seeded.put_profile("a/b", {})
    queue_faults({"status": 500, "path_prefix": "/profiles/a%2F"})
    assert client.get("/profiles/u1").status_code == 200
    assert client.get("/profiles/a%2Fb").status_code == 500
    assert client.get("/profiles/a%2Fb").status_code == 200


def test_a_later_fault_can_match_first(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 500, "method": "DELETE"}, {"status": 429})
    assert client.get("/profiles/u1").status_code == 429
    assert client.delete("/profiles/u1").status_code == 500


def test_faults_apply_before_auth(
    seeded: SandboxServer, queue_faults: QueueFaults, anon: httpx.Client
) -> None:
    queue_faults({"status": 503})
    assert anon.get("/profiles/u1").status_code == 503


def test_faulted_requests_are_recorded(
    seeded: SandboxServer, client: httpx.Client, queue_faults: QueueFaults
) -> None:
    queue_faults({"status": 500}, {"drop": True})
    client.post("/profiles/u1", json={"profile": {"a": 1}})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.put("/profiles/u1", json={"profile": {"b": 2}})
    recorded = seeded.requests()
    assert [(r.method, r.body) for r in recorded] == [
        ("POST", '{"profile":{"a":1}}'),
        ("PUT", '{"profile":{"b":2}}'),
    ]


def test_pending_and_clearing_faults(sandbox: SandboxServer, anon: httpx.Client) -> None:
    fault = Fault(status=429, times=3)
    sandbox.queue_fault(fault)
    sandbox.queue_fault({"status": 500, "method": "GET"})
    assert [f.status for f in sandbox.pending_faults()] == [429, 500]
    listed = anon.get("/_sandbox/faults").json()["faults"]
    assert [f["status"] for f in listed] == [429, 500]
    assert listed[0]["times"] == 3
    sandbox.take_fault("GET", "/profiles/x")
    assert fault.times == 3  # the queue holds its own copy
    assert sandbox.pending_faults()[0].times == 2
    assert anon.delete("/_sandbox/faults").status_code == 200
    assert sandbox.pending_faults() == []
    sandbox.queue_fault(Fault())
    sandbox.clear_faults()
    assert sandbox.pending_faults() == []


def test_faults_do_not_touch_control_endpoints(sandbox: SandboxServer, anon: httpx.Client) -> None:
    sandbox.queue_fault(Fault(status=500, path_prefix=""))
    assert anon.get("/_sandbox/requests").status_code == 200
    assert len(sandbox.pending_faults()) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"status": 99},
        {"status": 600},
        {"times": 0},
        {"delay": -1},
        {"stauts": 500},
        {"headers": {"X-Evil": "a\r\nSet-Cookie: x"}},
        {"headers": {"Bad Name": "x"}},
        {"retry_after": "\u20ac"},
        {"faults": {"status": 500}},
        {"faults": [{"status": "teapot"}]},
    ],
)
def test_invalid_faults_are_400_over_http(
    sandbox: SandboxServer, body: dict[str, Any], anon: httpx.Client
) -> None:
    response = anon.post("/_sandbox/faults", json=body)
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_request_error"
    assert sandbox.pending_faults() == []


def test_invalid_faults_raise_in_python(sandbox: SandboxServer) -> None:
    with pytest.raises(ValidationError):
        sandbox.queue_fault({"status": 200, "drop": "maybe"})
    with pytest.raises(ValidationError):
        Fault(content_type="text/html\r\nX: y")


def test_control_endpoints_reject_wrong_methods_and_paths(
    sandbox: SandboxServer, anon: httpx.Client
) -> None:
    response = anon.put("/_sandbox/faults", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST, GET, DELETE"
    assert anon.get("/_sandbox/reset").status_code == 405
    assert anon.get("/_sandbox/nothing").status_code == 404
    bad_json = anon.post("/_sandbox/faults", content=b"{")
    assert bad_json.status_code == 400


# --- recording ------------------------------------------------------------------------------


def test_requests_are_recorded_with_the_key_masked(
    sandbox: SandboxServer, client: httpx.Client, anon: httpx.Client
) -> None:
    client.put("/profiles/z%C3%AB%2Fx?x=1", json={"profile": {"a": 1}})
    client.get("/profiles/a/b")
    anon.get("/profiles/u", headers={"authorization": "Bearer pk_prod_SECRET1234"})
    first, second, third = sandbox.requests()
    assert first.method == "PUT"
    assert first.path == "/profiles/z%C3%AB%2Fx?x=1"
    assert first.recipient_id == "zë/x"
    assert first.body == '{"profile":{"a":1}}'
    assert first.headers["Authorization"] == "Bearer ****-key"
    assert first.time.tzinfo is not None
    assert (second.path, second.recipient_id) == ("/profiles/a/b", None)
    assert third.headers["authorization"] == "Bearer ****1234"

    listed = anon.get("/_sandbox/requests")
    assert listed.status_code == 200
    assert "sandbox-key" not in listed.text
    assert "SECRET" not in listed.text
    requests = listed.json()["requests"]
    assert [r["method"] for r in requests] == ["PUT", "GET", "GET"]
    assert requests[0]["recipient_id"] == "zë/x"
    assert requests[0]["headers"]["Authorization"] == "Bearer ****-key"


def test_control_requests_are_not_recorded(sandbox: SandboxServer, anon: httpx.Client) -> None:
    anon.get("/_sandbox/requests")
    anon.post("/_sandbox/faults", json={"status": 500})
    assert sandbox.requests() == []


def test_rejected_requests_are_recorded(sandbox: SandboxServer, anon: httpx.Client) -> None:
    anon.get("/profiles/u1")
    anon.post("/profiles/u1", content=b"x" * (6 * 1024 * 1024 + 1))
    assert [(r.method, r.body) for r in sandbox.requests()] == [("GET", ""), ("POST", "")]


def test_clear_requests(sandbox: SandboxServer, client: httpx.Client, anon: httpx.Client) -> None:
    client.get("/profiles/u1")
    sandbox.clear_requests()
    assert sandbox.requests() == []
    client.get("/profiles/u1")
    assert anon.delete("/_sandbox/requests").status_code == 200
    assert sandbox.requests() == []


@pytest.mark.parametrize("over_http", [False, True])
def test_reset_forgets_profiles_faults_and_requests(
    sandbox: SandboxServer, client: httpx.Client, over_http: bool, anon: httpx.Client
) -> None:
    client.put("/profiles/u1", json={"profile": {"a": 1}})
    sandbox.queue_fault(Fault(method="PATCH"))
    if over_http:
        assert anon.post("/_sandbox/reset").status_code == 200
    else:
        sandbox.reset()
    assert sandbox.get_profile("u1") is None
    assert sandbox.pending_faults() == []
    assert sandbox.requests() == []


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("Bearer sandbox-key", "Bearer ****-key"),
        ("Bearer pk_prod_ABCD-EFGH1234", "Bearer ****1234"),
        ("Bearer short", "Bearer ****"),
        ("Bearer 12345678", "Bearer ****"),
        ("Bearer", "****"),
        ("opaque-token-value", "****alue"),
        ("", "****"),
    ],
)
def test_mask_authorization(value: str, masked: str) -> None:
    assert mask_authorization(value) == masked
