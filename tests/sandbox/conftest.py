"""Fixtures for the sandbox tests: HTTP clients bound to the running sandbox."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable, Iterator
from urllib.parse import quote

import httpx
import pytest

from profile_editor.sandbox.server import SandboxServer

MakeClient = Callable[..., httpx.Client]

# The sandbox speaks plain HTTP, but every httpx.Client builds a TLS context unless given one,
# which costs ~45 ms a client: share one.
_TLS = ssl.create_default_context()


@pytest.fixture
def make_client(sandbox: SandboxServer) -> Iterator[MakeClient]:
    """Make clients (default: on the sandbox, no key) that are closed after the test."""
    with contextlib.ExitStack() as stack:

        def make(
            headers: dict[str, str] | None = None,
            *,
            base_url: str | None = None,
            timeout: float = 5.0,
        ) -> httpx.Client:
            client = httpx.Client(
                base_url=base_url or sandbox.url, headers=headers, timeout=timeout, verify=_TLS
            )
            return stack.enter_context(client)

        yield make


@pytest.fixture
def client(sandbox: SandboxServer, make_client: MakeClient) -> httpx.Client:
    """A keep-alive client that sends the sandbox's key."""
    return make_client({"Authorization": f"Bearer {sandbox.key}"})


@pytest.fixture
def anon(make_client: MakeClient) -> httpx.Client:
    """A client that sends no key, as for the /_sandbox/ control endpoints."""
    return make_client()


@pytest.fixture
def profile_path() -> Callable[[str], str]:
    """``/profiles/{id}`` with the ID encoded as one path segment, as the Courier SDKs do."""

    def path(recipient_id: str) -> str:
        return "/profiles/" + quote(recipient_id, safe="")

    return path
