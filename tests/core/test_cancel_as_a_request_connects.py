"""A cancel that comes as a request gets its connection: past the client's own cancelled check,
the request must not go out on a connection that the abort never saw (its answer would then be
waited for as long as the server takes: Ctrl+C of a bulk run hung on a row held by the server)."""

from __future__ import annotations

import gc
import threading
from typing import Any

import httpcore
import httpx
import pytest

from profile_editor.core.http.models import Method, Outcome, OutcomeKind, ProfileRequest
from profile_editor.core.http.retry import RetryPolicy
from profile_editor.core.http.session import Session
from profile_editor.sandbox.server import SandboxServer

NO_RETRY = RetryPolicy(max_retries=0)


@pytest.mark.parametrize("held", ["connecting", "taking a pooled connection"])
def test_a_request_cancelled_as_it_gets_its_connection_is_not_sent(
    held: str, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.put_profile("u", {"n": 1})
    session = Session(connect_timeout=5, total_timeout=5, retry=NO_RETRY)
    client = session.client()
    request = ProfileRequest(base_url=sandbox.url, recipient_id="u", method=Method.GET)
    reached, go_on = threading.Event(), threading.Event()

    def hold() -> None:
        if threading.current_thread().name == "sender":
            reached.set()
            go_on.wait(10)

    if held == "connecting":
        connect = httpcore.SyncBackend.connect_tcp

        def held_connect(self: httpcore.SyncBackend, *args: Any, **kwargs: Any) -> Any:
            hold()  # the socket is not open yet: the abort cannot see it
            return connect(self, *args, **kwargs)

        monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", held_connect)
    else:
        # An idle connection in the pool, which the abort cuts; the pool then opens another.
        assert client.execute(request, sandbox.key).kind is OutcomeKind.SUCCESS
        sandbox.clear_requests()
        handle = httpx.HTTPTransport.handle_request

        def held_handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            hold()  # past the client's cancelled check, before the pool picks a connection
            return handle(self, request)

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", held_handle)
    token = session.cancel_token()
    outcomes: list[Outcome] = []
    sender = threading.Thread(
        target=lambda: outcomes.append(client.execute(request, sandbox.key, cancel=token)),
        name="sender",
    )
    sender.start()
    try:
        assert reached.wait(10)
        token.cancel()
    finally:
        go_on.set()
        sender.join(10)
        session.close()
    assert not sender.is_alive()
    [outcome] = outcomes
    assert outcome.kind is OutcomeKind.CANCELLED, outcome
    assert sandbox.requests() == []  # nothing went out after the cancel
    gc.collect()  # an unclosed socket would now warn (an error in this suite)


def test_a_cancelled_token_does_not_stop_the_next_request_with_its_own(
    sandbox: SandboxServer,
) -> None:
    """Each request of the window has a token of its own: one cancelled earlier (which cut
    every connection) leaves the next request free to connect."""
    sandbox.put_profile("u", {"n": 1})
    session = Session(connect_timeout=5, total_timeout=5, retry=NO_RETRY)
    client = session.client()
    request = ProfileRequest(base_url=sandbox.url, recipient_id="u", method=Method.GET)
    try:
        assert client.execute(request, sandbox.key).kind is OutcomeKind.SUCCESS
        session.cancel_token().cancel()
        outcome = client.execute(request, sandbox.key, cancel=session.cancel_token())
    finally:
        session.close()
    assert outcome.kind is OutcomeKind.SUCCESS, outcome
    assert len(sandbox.requests()) == 2
