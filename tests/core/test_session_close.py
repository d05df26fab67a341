"""Closing the shared session while a request is still opening its connection."""

from __future__ import annotations

import gc
import threading
from typing import Any

import httpcore
import pytest

from profile_editor.core.http.models import Method, Outcome, OutcomeKind, ProfileRequest
from profile_editor.core.http.retry import RetryPolicy
from profile_editor.core.http.session import Session
from profile_editor.sandbox.server import SandboxServer

NO_RETRY = RetryPolicy(max_retries=0)


def test_a_connection_still_opening_when_the_session_closes_is_not_used_nor_left_open(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window closing while a request connects (a worker past the client's own closed check):
    the pool forgets that connection as it closes, so a socket opened after that would send
    the request anyway and then be left open, for the garbage collector to find."""
    session = Session(connect_timeout=5, total_timeout=5, retry=NO_RETRY)
    client = session.client()
    connecting, go_on = threading.Event(), threading.Event()
    connect = httpcore.SyncBackend.connect_tcp

    def held_connect(self: httpcore.SyncBackend, *args: Any, **kwargs: Any) -> Any:
        connecting.set()
        go_on.wait(10)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", held_connect)
    request = ProfileRequest(base_url=sandbox.url, recipient_id="u", method=Method.GET)
    outcomes: list[Outcome] = []
    worker = threading.Thread(target=lambda: outcomes.append(client.execute(request, sandbox.key)))
    worker.start()
    try:
        assert connecting.wait(10)
        session.close()
    finally:
        go_on.set()
        worker.join(10)
    assert not worker.is_alive()
    [outcome] = outcomes
    assert outcome.kind is OutcomeKind.NETWORK, outcome
    assert sandbox.requests() == []  # nothing went out after the close
    gc.collect()  # an unclosed socket would now warn (an error in this suite)
