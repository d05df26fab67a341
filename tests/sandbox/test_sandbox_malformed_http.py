"""Malformed HTTP at a real sandbox on loopback, over raw sockets.

Whatever arrives, the sandbox answers with a 4xx in Courier's error shape (or closes a
connection whose client is gone or too slow), never a 500 or a traceback, never hangs, and
answers the next request. Every socket here has a timeout, so a hang fails a test instead of
stalling the suite.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profile_editor.core.profile.jsoncodec import MAX_DEPTH
from profile_editor.sandbox.server import Limits, SandboxServer, error_type, start_sandbox

# How long a test sandbox waits for a request; short, so timeouts are tested in a moment.
QUICK_TIMEOUT = 1.0
WAIT = 5.0  # the longest any socket here waits for an answer


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


@pytest.fixture
def quick_sandbox() -> Iterator[SandboxServer]:
    """A sandbox that closes a connection whose request has not arrived within a second."""
    server = start_sandbox(limits=Limits(request_timeout=QUICK_TIMEOUT))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def no_tracebacks(capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """Connection threads print a traceback to stderr on any exception they do not handle."""
    yield
    assert "Traceback" not in capfd.readouterr().err


def connect(server: SandboxServer) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=WAIT)


def read_answer(reader: BinaryIO) -> Answer | None:
    """One answer (head and Content-Length body), or None if the server closed without one.

    ``reader`` is the connection's one ``makefile("rb")``: it may hold the next answer already.
    """
    status_line = reader.readline(65537)
    if not status_line:
        return None
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := reader.readline(65537)) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return Answer(status, headers, body)


def exchange(server: SandboxServer, data: bytes, *, then_close: bool = True) -> Answer | None:
    """Send ``data`` on a new connection (then half-close it) and read the answer."""
    with connect(server) as conn:
        with contextlib.suppress(OSError):  # it answered and closed before taking it all
            conn.sendall(data)
        if then_close:
            conn.shutdown(socket.SHUT_WR)
        return read_answer(conn.makefile("rb"))


def request(
    method: str, path: str, body: bytes = b"", *, key: str = "sandbox-key", **extra: str
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: sandbox", f"Authorization: Bearer {key}"]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def assert_courier_error(answer: Answer | None, status: int) -> dict[str, object]:
    assert answer is not None, "closed without an answer"
    assert answer.status == status, (answer.status, answer.body[:300])
    error = answer.json()
    assert isinstance(error, dict) and set(error) == {"message", "type"}
    assert error["type"] == error_type(status)  # invalid_request_error for a 4xx but 401/403
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in error["message"]
    return error


def assert_still_serving(server: SandboxServer) -> None:
    answer = exchange(server, request("GET", "/profiles/still-there", Connection="close"))
    assert answer is not None and answer.status == 404


# -- malformed requests, each answered with a 4xx ----------------------------------------------

BOMB = b'{"profile": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
TOO_DEEP = b'{"profile": {"a": ' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}}"
DEEP_PATCH = json.dumps(
    {"patch": [{"op": "add", "path": "/a", "value": json.loads("[" * 600 + "]" * 600)}]}
).encode()


@pytest.mark.parametrize(
    ("data", "status", "needle"),
    [
        pytest.param(b"GET /profi", 400, "Bad request line", id="truncated request line"),
        pytest.param(b"GET /profiles/x\r\n\r\n", 400, "Bad request line", id="no HTTP version"),
        pytest.param(
            b"GET /profiles/x HTTP/1.1\r\nHost: h\r\nAuthor",
            400,
            "Malformed header",
            id="truncated headers",
        ),
        pytest.param(
            b"GET /profiles/x HTTP/9.9\r\n\r\n", 505, "Unsupported HTTP version", id="bad version"
        ),
        pytest.param(b"\r\n\r\n", 400, "Bad request line", id="empty request line"),
        pytest.param(
            b"GET /profiles/x HTTP/1.1\r\nX: 1\r\n folded\r\n\r\n",
            400,
            "Malformed header",
            id="folded header",
        ),
        pytest.param(
            b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "", id="70 KB request line"
        ),
        pytest.param(
            request("GET", "/profiles/x", X_Big="a" * 100_000), 431, "too long", id="100 KB header"
        ),
        pytest.param(
            request("GET", "/profiles/x")[:-2]
            + b"".join(b"X-H%d: v\r\n" % i for i in range(10_000))
            + b"\r\n",
            431,
            "More than 100 header lines",
            id="10,000 headers",
        ),
        pytest.param(
            request("POST", "/profiles/x").replace(b"Content-Length: 0", b"Content-Length: 100")
            + b'{"prof',
            400,
            "ended after 6 of the 100 bytes",
            id="body shorter than Content-Length, then close",
        ),
        pytest.param(
            request("POST", "/profiles/x").replace(b": 0", b": -5"),
            400,
            "Invalid Content-Length",
            id="negative Content-Length",
        ),
        pytest.param(
            request("POST", "/profiles/x").replace(b": 0", b": abc"),
            400,
            "Invalid Content-Length",
            id="non-numeric Content-Length",
        ),
        pytest.param(
            request("POST", "/profiles/x").replace(b": 0", b": 1 2"),
            400,
            "Invalid Content-Length",
            id="two numbers",
        ),
        pytest.param(
            request("POST", "/profiles/x").replace(b": 0", b": +2") + b"{}",
            400,
            "Invalid Content-Length",
            id="signed Content-Length",
        ),
        pytest.param(
            request("POST", "/profiles/x").replace(b": 0", b": " + "٣".encode()),
            400,
            "Invalid Content-Length",
            id="non-ASCII digit",
        ),
        pytest.param(
            request("POST", "/profiles/x").replace(b": 0", b": " + b"9" * 5000),
            413,
            "over 10^15 bytes",
            id="5000-digit Content-Length",  # was a 500: int() refuses 4300+ digits
        ),
        pytest.param(
            request("POST", "/profiles/x", b'{"profile": {}}', Content_Length="2"),
            400,
            "conflicting Content-Length",
            id="two different Content-Lengths",
        ),
        pytest.param(
            request("POST", "/profiles/x", b"2\r\n{}\r\n0\r\n\r\n", Transfer_Encoding="chunked"),
            411,
            "Content-Length",
            id="Content-Length and Transfer-Encoding",
        ),
        pytest.param(
            request("POST", "/profiles/x")[:-2].replace(b"Content-Length: 0\r\n", b"")
            + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            411,
            "Content-Length",
            id="chunked body",
        ),
        pytest.param(
            request("POST", "/profiles/x", b"{bad}"), 400, "not valid JSON", id="bad JSON"
        ),
        pytest.param(
            request("POST", "/profiles/x", b"\xff\xfe{}"), 400, "not valid UTF-8", id="not UTF-8"
        ),
        pytest.param(request("POST", "/profiles/x", b'{"profile": NaN}'), 400, "NaN", id="NaN"),
        pytest.param(
            request("POST", "/profiles/x", BOMB), 400, "nested too deeply", id="depth 100,000"
        ),
        pytest.param(
            request("PUT", "/profiles/x", TOO_DEEP), 400, "nested too deeply", id="depth 201"
        ),
        pytest.param(
            request("PATCH", "/profiles/x", DEEP_PATCH),
            400,
            "nested too deeply",
            id="patch value 600 deep",
        ),
        pytest.param(
            request("POST", "/profiles/x/lists", b'{"lists": [{"listId": "\\ud800"}]}'),
            400,
            "lone UTF-16 surrogate",
            id="list ID with a lone surrogate",  # was a 500 from SQLite
        ),
        pytest.param(
            request("POST", "/_sandbox/faults", b'{"status": 500, "body": "\\udc00"}'),
            400,
            "lone UTF-16 surrogate",
            id="fault body with a lone surrogate",  # was a 500 when answered
        ),
        pytest.param(
            request("POST", "/profiles/x", b"{}", Expect="100-continue"),
            400,
            '"profile" member',
            id="Expect 100-continue, then a wrong body",
        ),
    ],
)
def test_malformed_requests_get_a_4xx_in_courier_shape(
    sandbox: SandboxServer, data: bytes, status: int, needle: str
) -> None:
    sandbox.put_profile("x", {"a": 1})  # so that a PATCH gets as far as its body
    with connect(sandbox) as conn:
        with contextlib.suppress(OSError):
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        reader = conn.makefile("rb")
        answer = read_answer(reader)
        if answer is not None and answer.status == 100:  # Continue, then the real answer
            answer = read_answer(reader)
    error = assert_courier_error(answer, status)
    assert needle in str(error["message"])
    assert_still_serving(sandbox)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        pytest.param(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, id="request line"),
        pytest.param(request("GET", "/profiles/x", X_Big="a" * 100_000), 431, id="header line"),
    ],
)
def test_an_answer_given_before_the_request_was_read_whole_ends_in_an_orderly_close(
    sandbox: SandboxServer, data: bytes, status: int
) -> None:
    """The client sends it all, then reads. The sandbox answers, ends its side and reads on
    until the client ends its side too: closed with input unread, the connection would be
    reset, which can cut off the answer or fail the client's own half-close."""
    with connect(sandbox) as conn:
        conn.sendall(data)
        reader = conn.makefile("rb")
        assert_courier_error(read_answer(reader), status)
        assert reader.read() == b""  # the sandbox's side has ended
        conn.shutdown(socket.SHUT_WR)  # raised ENOTCONN once the reset had come
        reader.close()
    assert_still_serving(sandbox)


def test_a_profile_with_a_lone_surrogate_escape_is_stored_and_read_back(
    sandbox: SandboxServer,
) -> None:
    # Valid JSON ("\ud800" is a legal escape) that UTF-8 cannot hold raw: was a 500.
    body = b'{"profile": {"a": "\\ud800", "b": "\\u00e9"}}'
    answer = exchange(sandbox, request("PUT", "/profiles/s", body, Connection="close"))
    assert answer is not None and (answer.status, answer.body) == (200, b'{"status":"SUCCESS"}')
    answer = exchange(sandbox, request("GET", "/profiles/s", Connection="close"))
    assert answer is not None and answer.status == 200
    assert answer.json() == {"profile": {"a": "\ud800", "b": "é"}, "preferences": None}


def test_a_body_over_6_mb_is_refused_without_reading_it(sandbox: SandboxServer) -> None:
    head = request("PUT", "/profiles/x").replace(b"Content-Length: 0", b"Content-Length: 7000000")
    with connect(sandbox) as conn:
        conn.sendall(head + b"{" * 65536)  # and then nothing: the rest never comes
        error = assert_courier_error(read_answer(conn.makefile("rb")), 413)  # not after 7 MB
        assert "7000000 bytes; the limit is 6291456" in str(error["message"])
    assert_still_serving(sandbox)


def test_pipelined_good_and_bad_requests_on_one_connection(sandbox: SandboxServer) -> None:
    good = request("PUT", "/profiles/p", b'{"profile": {"a": 1}}')
    bad = request("POST", "/profiles/p", b"{oops}")
    with connect(sandbox) as conn:
        conn.sendall(good + bad + good)
        conn.shutdown(socket.SHUT_WR)
        reader = conn.makefile("rb")
        statuses = [answer.status for answer in iter(lambda: read_answer(reader), None)]
    assert statuses == [200, 400, 200]  # a bad body does not end a well-delimited connection


# -- slow and silent clients ---------------------------------------------------------------------


def test_a_request_that_stops_half_way_gets_408_and_the_connection_closes(
    quick_sandbox: SandboxServer,
) -> None:
    partials = (
        b"GET /profiles/x HTT",
        b"GET /profiles/x HTTP/1.1\r\nHost: a\r\n",
        request("PUT", "/profiles/x").replace(b": 0", b": 100") + b'{"profile": ',
    )
    with contextlib.ExitStack() as stack:
        connections = [stack.enter_context(connect(quick_sandbox)) for _ in partials]
        started = time.monotonic()
        for conn, partial in zip(connections, partials, strict=True):
            conn.sendall(partial)  # and the connection stays open, silent
        for conn in connections:
            error = assert_courier_error(read_answer(conn.makefile("rb")), 408)
            assert "did not arrive whole within 1 seconds" in str(error["message"])
            assert conn.recv(1) == b""
        assert QUICK_TIMEOUT * 0.8 < time.monotonic() - started < QUICK_TIMEOUT + 2
    assert_still_serving(quick_sandbox)


def test_an_idle_connection_is_closed_without_an_answer(quick_sandbox: SandboxServer) -> None:
    with connect(quick_sandbox) as fresh, connect(quick_sandbox) as kept_alive:
        started = time.monotonic()
        kept_alive.sendall(request("GET", "/profiles/x"))
        answer = read_answer(kept_alive.makefile("rb"))
        assert answer is not None and answer.status == 404
        assert fresh.recv(1) == b""  # never a request
        assert kept_alive.recv(1) == b""  # none after the first
        assert time.monotonic() - started < QUICK_TIMEOUT + 2


def test_slowloris_does_not_block_others_and_is_cut_off() -> None:
    """A client sending its request a byte at a time holds its connection only until the
    request timeout, however steadily it sends (a timeout per read would never trip: each
    byte comes well within it); meanwhile other clients are answered as usual."""
    data = request("GET", "/profiles/slow")
    stop = threading.Event()
    sent = 0
    with (
        start_sandbox(limits=Limits(request_timeout=2.0)) as server,
        connect(server) as slow,
    ):

        def trickle() -> None:
            nonlocal sent
            for byte in data:
                if stop.wait(0.2):
                    return
                try:
                    slow.sendall(bytes([byte]))
                except OSError:
                    return
                sent += 1

        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        try:
            stop.wait(0.3)  # the slow request has begun
            for _ in range(3):
                assert_still_serving(server)
            waiting, _, _ = select.select([slow], [], [], 0)
            assert not waiting, "the slow client was answered before the others"
            error = assert_courier_error(read_answer(slow.makefile("rb")), 408)
            assert "did not arrive whole within 2 seconds" in str(error["message"])
            assert 5 <= sent < len(data)
            assert slow.recv(1) == b""
        finally:
            stop.set()
            trickler.join(WAIT)
        assert_still_serving(server)


# -- fuzz: any damage to a good request --------------------------------------------------------

_GOOD = [
    request("PUT", "/profiles/f", b'{"profile": {"a": [1, {"b": null}]}}'),
    request("PATCH", "/profiles/f", b'{"patch": [{"op": "add", "path": "/c", "value": 1}]}'),
    request("POST", "/profiles/f/lists", b'{"lists": [{"listId": "l"}]}'),
    request("GET", "/profiles/f/lists?cursor=x"),
]
_NOISE = b'\r\n :\x00\xff{}[]"\\-0123456789 ChunkedContent-LengthTransfer-Encoding'


@st.composite
def _damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_GOOD)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "cut"]))
        if kind == "cut":
            del data[at:]
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        else:
            piece = draw(
                st.binary(min_size=1, max_size=6)
                | st.sampled_from([_NOISE[i : i + 4] for i in range(0, len(_NOISE), 4)])
            )
            data[at : at + (len(piece) if kind == "replace" else 0)] = piece
    return bytes(data)


def test_damaged_requests_never_get_a_500_or_a_hang(sandbox: SandboxServer) -> None:
    sandbox.put_profile("f", {})

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_damaged())
    def check(data: bytes) -> None:
        with connect(sandbox) as conn:
            with contextlib.suppress(OSError):
                conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
            reader = conn.makefile("rb")
            while (answer := read_answer(reader)) is not None:  # one per request it made out
                # 501 for a method no server knows, 505 for an HTTP version it does not speak
                assert answer.status < 500 or answer.status in (501, 505), answer
                if answer.status >= 400:
                    assert_courier_error(answer, answer.status)

    check()
    assert_still_serving(sandbox)
