"""The shared client's direct sends put on the wire what ``httpx.Client.request`` would."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.models import COMMON_HEADERS
from profile_editor.core.http.transport import SharedClient

URL = "https://api.courier.com/profiles/a%2Fb%20c"
BODY = b'{"profile": {"email": "ada@example.com"}}'

# Names a request sets, in any case: some the client also sends (which the request's replace).
names = st.sampled_from(
    ["Authorization", "content-type", "Accept", "ACCEPT", "user-agent", "Idempotency-Key"]
)
header_sets = st.dictionaries(names, st.text("abcxyz/*-; =", min_size=1, max_size=12))


@pytest.fixture
def recorded() -> Iterator[tuple[SharedClient, list[httpx.Request]]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "SUCCESS"}, headers={"Set-Cookie": "a=1"})

    with SharedClient(httpx.MockTransport(answer)) as client:
        yield client, seen


def _wire(request: httpx.Request) -> tuple[object, ...]:
    return (
        request.method,
        str(request.url),
        sorted((k.lower(), v) for k, v in request.headers.multi_items()),
        request.content,
        request.extensions.get("timeout"),
    )


@given(headers=header_sets)
def test_a_direct_send_is_the_request_httpx_client_would_send(headers: dict[str, str]) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "SUCCESS"})

    with SharedClient(httpx.MockTransport(answer)) as client:
        direct = client.send_direct("POST", URL, content=BODY, headers=headers)
        through = client.request("POST", URL, content=BODY, headers=headers)
    assert _wire(seen[0]) == _wire(seen[1])
    assert direct.status_code == through.status_code == 200
    assert direct.content == through.content and direct.request is seen[0]


def test_the_common_headers_and_timeouts_are_the_clients(
    recorded: tuple[SharedClient, list[httpx.Request]],
) -> None:
    client, seen = recorded
    client.send_direct("GET", URL, content=None, headers={})
    sent = seen[0].headers
    for name, value in COMMON_HEADERS.items():
        assert sent[name] == value
    assert "gzip" in sent["Accept-Encoding"]  # a 6 MB profile may come compressed
    assert seen[0].extensions["timeout"] == client.timeout.as_dict()


def test_no_cookie_is_kept_or_sent(recorded: tuple[SharedClient, list[httpx.Request]]) -> None:
    """A key per environment: what one server sets must not travel to the next request."""
    client, seen = recorded
    client.send_direct("GET", URL, content=None, headers={})
    client.send_direct("GET", URL, content=None, headers={})
    assert "cookie" not in seen[1].headers
    assert not client.cookies


def test_a_failure_names_its_request() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with (
        SharedClient(httpx.MockTransport(refuse)) as client,
        pytest.raises(httpx.ConnectError) as caught,
    ):
        client.send_direct("POST", URL, content=BODY, headers={})
    assert caught.value.request.url.host == "api.courier.com"


def test_a_body_cut_short_fails_naming_its_request_and_closes_the_answer() -> None:
    class _Cut(httpx.SyncByteStream):
        closed = False

        def __iter__(self) -> Iterator[bytes]:
            yield b'{"status": '
            raise httpx.ReadError("connection reset")

        def close(self) -> None:
            _Cut.closed = True

    with (
        SharedClient(httpx.MockTransport(lambda _r: httpx.Response(200, stream=_Cut()))) as client,
        pytest.raises(httpx.ReadError) as caught,
    ):
        client.send_direct("GET", URL, content=None, headers={})
    assert caught.value.request.url.raw_path == b"/profiles/a%2Fb%20c"
    assert _Cut.closed


def test_a_closed_client_sends_nothing() -> None:
    sent: list[httpx.Request] = []
    client = SharedClient(httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)))
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.send_direct("POST", URL, content=BODY, headers={})
    assert sent == []


def test_headers_and_timeouts_changed_later_are_sent_as_request_would() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "SUCCESS"})

    with SharedClient(httpx.MockTransport(answer)) as client:
        client.send_direct("GET", URL, content=None, headers={})
        client.headers["User-Agent"] = "changed/1"
        client.timeout = httpx.Timeout(1.0)
        client.send_direct("GET", URL, content=None, headers={})
        client.request("GET", URL)
    assert _wire(seen[1]) == _wire(seen[2])
    assert seen[1].headers["User-Agent"] == "changed/1"
    assert seen[1].extensions["timeout"]["read"] == 1.0


def test_the_answer_says_how_long_it_took(
    recorded: tuple[SharedClient, list[httpx.Request]],
) -> None:
    client, _seen = recorded
    response = client.send_direct("GET", URL, content=None, headers={})
    assert response.elapsed.total_seconds() >= 0


def test_a_plain_httpx_client_is_refused_at_once() -> None:
    """Not request by request, each an "unexpected error"."""
    with (
        httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(200))) as plain,
        pytest.raises(TypeError, match="SharedClient"),
    ):
        ProfilesClient(plain)  # type: ignore[arg-type]
