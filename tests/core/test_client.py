"""The HTTP client against the real sandbox server on loopback."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from profile_editor.core.http.cancel import CancelToken
from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.models import Method, OutcomeKind, ProfileRequest
from profile_editor.core.http.retry import RetryPolicy
from profile_editor.core.http.transport import make_http_client
from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer

FAST = RetryPolicy(base_delay=0.01, jitter=lambda: 1.0)


@pytest.fixture
def client():
    http, backend = make_http_client(connect_timeout=2, total_timeout=2)
    yield ProfilesClient(http, retry=FAST), backend
    http.close()


def req(server: SandboxServer, method: str = "POST", rid: str = "user-1", **kw) -> ProfileRequest:
    return ProfileRequest(
        base_url=server.url, recipient_id=rid, method=Method(method), idempotency_key="k-1", **kw
    )


def test_merge_success(sandbox: SandboxServer, client) -> None:
    c, _ = client
    outcome = c.execute(req(sandbox, profile={"email": "a@b.c"}), sandbox.key)
    assert outcome.kind is OutcomeKind.SUCCESS
    assert outcome.status_code == 200 and outcome.message == "SUCCESS"
    assert outcome.summary == "200 OK · SUCCESS"
    assert outcome.elapsed_ms > 0 and outcome.attempts == 1
    assert sandbox.get_profile("user-1") == {"email": "a@b.c"}
    [recorded] = sandbox.requests()
    assert recorded.headers["Idempotency-Key"] == "k-1"
    assert recorded.headers["Content-Type"] == "application/json"
    assert recorded.headers["Accept"] == "application/json"
    assert recorded.headers["User-Agent"].startswith("profile-editor/")
    assert sandbox.key not in json.dumps(recorded.model_dump(mode="json"))


def test_odd_ids_reach_the_server_intact(sandbox: SandboxServer, client) -> None:
    c, _ = client
    for rid in ("a/b?c#d", "100%", "zoë 😀", "..."):
        assert c.execute(req(sandbox, rid=rid, profile={"k": rid}), sandbox.key).ok
        assert sandbox.get_profile(rid) == {"k": rid}


def test_get_returns_the_profile_and_404(sandbox: SandboxServer, client) -> None:
    c, _ = client
    sandbox.put_profile("u", {"b": 1, "a": 2})
    outcome = c.execute(req(sandbox, "GET", "u"), sandbox.key)
    assert outcome.ok and outcome.profile == {"b": 1, "a": 2}
    assert list(outcome.profile) == ["b", "a"]
    missing = c.execute(req(sandbox, "GET", "nobody"), sandbox.key)
    assert missing.kind is OutcomeKind.API_ERROR and missing.status_code == 404


def test_api_error_keeps_message_and_type(sandbox: SandboxServer, client) -> None:
    c, _ = client
    sandbox.queue_fault(
        Fault(
            status=400, body=json.dumps({"message": "Bad profile", "type": "invalid_request_error"})
        )
    )
    outcome = c.execute(req(sandbox, profile={}), sandbox.key)
    assert outcome.kind is OutcomeKind.API_ERROR
    assert (outcome.status_code, outcome.message, outcome.error_type) == (
        400,
        "Bad profile",
        "invalid_request_error",
    )
    assert outcome.attempts == 1


def test_wrong_key_is_401(sandbox: SandboxServer, client) -> None:
    c, _ = client
    outcome = c.execute(req(sandbox, profile={}), "wrong")
    assert outcome.status_code == 401 and outcome.error_type == "authentication_error"


def test_html_500_is_explained_and_retried(sandbox: SandboxServer, client) -> None:
    c, _ = client
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    sandbox.queue_fault(Fault(status=500, body=html, content_type="text/html", times=3))
    outcome = c.execute(req(sandbox, profile={}), sandbox.key)
    assert outcome.kind is OutcomeKind.HTTP_ERROR
    assert "HTML page" in outcome.message and "502 Bad Gateway" in outcome.detail
    assert outcome.attempts == 3


def test_retry_keeps_one_idempotency_key(sandbox: SandboxServer, client) -> None:
    c, _ = client
    sandbox.queue_fault(Fault(status=503, times=2))
    notes: list[tuple[int, int, float, str]] = []
    outcome = c.execute(
        req(sandbox, profile={"a": 1}), sandbox.key, on_retry=lambda *n: notes.append(n)
    )
    assert outcome.ok and outcome.attempts == 3
    assert [n[:2] for n in notes] == [(1, 2), (2, 2)]
    keys = {r.headers["Idempotency-Key"] for r in sandbox.requests()}
    assert keys == {"k-1"} and len(sandbox.requests()) == 3


def test_retry_after_is_obeyed(sandbox: SandboxServer, client) -> None:
    c, _ = client
    sandbox.queue_fault(Fault(status=429, retry_after="0.3"))
    notes: list[tuple[int, int, float, str]] = []
    outcome = c.execute(req(sandbox, profile={}), sandbox.key, on_retry=lambda *n: notes.append(n))
    assert outcome.ok
    assert notes[0][2] == pytest.approx(0.3)
    assert outcome.elapsed_ms >= 300


def test_no_retry_on_400(sandbox: SandboxServer, client) -> None:
    c, _ = client
    sandbox.queue_fault(Fault(status=400, times=3))
    assert c.execute(req(sandbox, profile={}), sandbox.key).attempts == 1


def test_timeout(sandbox: SandboxServer) -> None:
    http, _ = make_http_client(connect_timeout=1, total_timeout=0.3)
    c = ProfilesClient(http, retry=RetryPolicy(max_retries=0))
    sandbox.queue_fault(Fault(delay=2))
    outcome = c.execute(req(sandbox, profile={}), sandbox.key)
    http.close()
    assert (
        outcome.kind is OutcomeKind.NETWORK
        and outcome.summary == "Timed out waiting for the answer"
    )


def test_dropped_connection(sandbox: SandboxServer, client) -> None:
    c, _ = client
    sandbox.queue_fault(Fault(drop=True, times=3))
    outcome = c.execute(req(sandbox, profile={}), sandbox.key)
    assert outcome.kind is OutcomeKind.NETWORK and outcome.summary == "Connection dropped"
    assert outcome.attempts == 3


def test_connection_refused(client) -> None:
    c, _ = client
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    request = ProfileRequest(base_url=f"http://127.0.0.1:{port}", recipient_id="u", profile={})
    outcome = c.execute(request, "key")
    assert outcome.kind is OutcomeKind.NETWORK and outcome.summary == "Connection refused"
    assert "Traceback" not in outcome.detail


def test_dns_failure(client) -> None:
    c, _ = client
    request = ProfileRequest(base_url="https://no-such-host.invalid", recipient_id="u", profile={})
    outcome = c.execute(request, "key")
    assert outcome.kind is OutcomeKind.NETWORK
    assert outcome.summary in ("Host not found", "Could not connect")


def test_tls_failure(sandbox: SandboxServer, client) -> None:
    c, _ = client
    request = ProfileRequest(
        base_url=sandbox.url.replace("http://", "https://"), recipient_id="u", profile={}
    )
    outcome = c.execute(request, sandbox.key)
    assert outcome.kind is OutcomeKind.NETWORK and outcome.summary == "Secure connection failed"


def test_html_success_is_unexpected(sandbox: SandboxServer, client) -> None:
    c, _ = client
    sandbox.queue_fault(Fault(status=200, body="<html>portal</html>", content_type="text/html"))
    outcome = c.execute(req(sandbox, profile={}), sandbox.key)
    assert outcome.kind is OutcomeKind.UNEXPECTED and "HTML" in outcome.message


def test_key_refused_over_plain_http_off_loopback(client) -> None:
    c, _ = client
    request = ProfileRequest(base_url="http://api.courier.com", recipient_id="u", profile={})
    outcome = c.execute(request, "secret")
    assert outcome.kind is OutcomeKind.REFUSED and "http://" in outcome.message


def test_cancel_aborts_a_request_in_flight(sandbox: SandboxServer) -> None:
    http, backend = make_http_client(connect_timeout=2, total_timeout=30)
    c = ProfilesClient(http, retry=FAST)
    sandbox.queue_fault(Fault(delay=20))
    token = CancelToken(backend.abort)
    result = []
    thread = threading.Thread(
        target=lambda: result.append(c.execute(req(sandbox, profile={}), sandbox.key, cancel=token))
    )
    thread.start()
    # Wait until the server has the request, then cancel.
    deadline = threading.Event()
    for _ in range(200):
        if sandbox.requests():
            break
        deadline.wait(0.01)
    token.cancel()
    thread.join(5)
    http.close()
    assert not thread.is_alive()
    assert result[0].kind is OutcomeKind.CANCELLED
    assert result[0].elapsed_ms < 5000
