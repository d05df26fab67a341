"""The HTTP side of the sandbox: routing, validation, faults and recording of each request."""

from __future__ import annotations

import contextlib
import http.client
import io
import ipaddress
import json
import socket
import time
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from pydantic import ValidationError

from profile_editor.core.profile.jsoncodec import MAX_DEPTH, nesting_depth
from profile_editor.core.profile.ops import JsonPatchError
from profile_editor.sandbox.lists import (
    LISTS_SUFFIX,
    PAGE_SIZE,
    ListsRequestError,
    now_iso,
    page_body,
    parse_subscribe_body,
)
from profile_editor.sandbox.models import (
    PROFILES_PREFIX,
    Fault,
    RecordedRequest,
    error_type,
    json_type_phrase,
    mask_authorization,
)
from profile_editor.sandbox.state import MAX_BODY_BYTES, SandboxState
from profile_editor.sandbox.store import ProfileNotFoundError, json_text
from profile_editor.sandbox.users import USERS_PREFIX, UsersRequestError, UsersRoute, route_users

__all__ = ["MAX_BODY_BYTES", "SandboxRequestHandler", "handler_for", "is_loopback"]

# A refused body is read and thrown away up to this size, so that a client that sends it whole
# before reading the answer still sees the 413 rather than a connection reset.
_MAX_DISCARD_BYTES = 64 * 1024 * 1024
_DISCARD_TIMEOUT = 2.0

# The same limits as http.client's header reader.
_MAX_LINE = 65536
_MAX_HEADERS = 100
# A Content-Length with more digits than this is beyond any limit (and int() refuses 4300+).
_MAX_LENGTH_DIGITS = 15

_CONTROL_PREFIX = "/_sandbox/"
_PROFILE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_LISTS_METHODS = ("GET", "POST", "DELETE")
_JSON = "application/json; charset=utf-8"
_SUCCESS = b'{"status":"SUCCESS"}'


def _error_body(status: int, message: str) -> bytes:
    return json.dumps({"message": message, "type": error_type(status)}).encode()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _HTTPError(Exception):
    """Answer the current request with a Courier-style error."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        close: bool = False,
        headers: Mapping[str, str] | None = None,
        discard: int = 0,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.close = close
        self.headers = headers or {}
        self.discard = discard


_TOO_DEEP = (
    f"The request body is nested too deeply: at most {MAX_DEPTH} levels of objects and arrays."
)


def _parse_json(body: bytes) -> Any:
    if not body:
        raise _HTTPError(400, "The request body is empty; expected a JSON object.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _HTTPError(400, "The request body is not valid UTF-8.") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise _HTTPError(400, _TOO_DEEP) from None
    except ValueError as exc:
        raise _HTTPError(400, f"The request body is not valid JSON: {exc}") from None
    # What parses may still be too deep to merge, patch or store: the app's editor limit.
    if nesting_depth(text) > MAX_DEPTH:
        raise _HTTPError(400, _TOO_DEEP)
    return document


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _body_member(body: bytes, member: str, kind: type, kind_name: str) -> Any:
    document = _parse_json(body)
    if not isinstance(document, dict) or member not in document:
        raise _HTTPError(400, f'The request body must be a JSON object with a "{member}" member.')
    value = document[member]
    if not isinstance(value, kind):
        raise _HTTPError(400, f'"{member}" must be {kind_name}, not {json_type_phrase(value)}.')
    return value


def _route(path: str) -> tuple[str | None, bool]:
    """The decoded recipient ID of ``/profiles/{id}`` or ``/profiles/{id}/lists`` (None if the
    path names neither), and whether it is the lists one."""
    if not path.startswith(PROFILES_PREFIX):
        return None, False
    segment = path[len(PROFILES_PREFIX) :]
    lists = segment.endswith(LISTS_SUFFIX)
    if lists:
        segment = segment[: -len(LISTS_SUFFIX)]
    return _decode_segment(segment), lists


def _decode_segment(segment: str) -> str | None:
    if not segment or "/" in segment or segment in (".", ".."):
        return None
    try:
        return urllib.parse.unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise _HTTPError(400, "The recipient ID is not valid percent-encoded UTF-8.") from None


def _query_value(target: str, name: str) -> str | None:
    """The last value of one query parameter of the request target, if present."""
    query = target.partition("?")[2]
    if not query:
        return None
    values = urllib.parse.parse_qs(query, keep_blank_values=True).get(name)
    return values[-1] if values else None


def is_loopback(host: str) -> bool:
    """Whether a host name or address (IPv4, IPv6, v4-mapped, with a scope) is this machine."""
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def _dump(value: Any) -> bytes:
    return json_text(value).encode()


def handler_for(state: SandboxState) -> type[SandboxRequestHandler]:
    """A handler class bound to one sandbox's shared state (http.server makes one per connection)."""
    return type("SandboxRequestHandler", (SandboxRequestHandler,), {"state": state})


class _TooSlow(Exception):
    """The request did not arrive whole before its deadline (not an OSError on purpose, so the
    handler can tell it from a connection that broke)."""


class _DeadlineReader(io.RawIOBase):
    """The connection's input, refusing to wait past the handler's deadline.

    A socket timeout bounds each wait, not a request: a client sending one byte a second
    never trips it. Every read here waits at most until the deadline, whatever came before.
    """

    def __init__(self, connection: socket.socket, handler: SandboxRequestHandler) -> None:
        super().__init__()
        self._connection = connection
        self._handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._handler.deadline - time.monotonic()
        if remaining <= 0:
            raise _TooSlow
        self._handler.wait_at_most(remaining)
        try:
            count = self._connection.recv_into(buffer)
        except TimeoutError:
            raise _TooSlow from None
        self._handler.received += count
        return count


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests; ``state`` is set on the class by :func:`handler_for`."""

    state: SandboxState
    protocol_version = "HTTP/1.1"
    server_version = "CourierSandbox"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    # Buffer the head and the body so a response leaves in one write, flushed once per request.
    wbufsize = -1
    raw_requestline: bytes

    deadline = 0.0  # when the request being read must have arrived (time.monotonic())
    received = 0  # bytes read since the request began
    _socket_timeout: float | None = None

    def setup(self) -> None:
        # Accepted sockets may inherit the listening socket's non-blocking mode on some systems.
        self.request.setblocking(True)
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()
        self.rfile.close()
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, self))

    def wait_at_most(self, seconds: float) -> None:
        """Let each read or write on the connection wait about ``seconds`` at most.

        Within a tenth of the request timeout is close enough: setting a socket timeout is a
        system call, so it is made about once a request rather than before every read.
        """
        slack = self.state.limits.request_timeout / 10
        current = self._socket_timeout
        if current is None or abs(current - seconds) > slack:
            self.connection.settimeout(seconds)
            self._socket_timeout = seconds

    def handle_one_request(self) -> None:
        """One request, which must arrive whole within the request timeout."""
        timeout = self.state.limits.request_timeout
        self.deadline = time.monotonic() + timeout
        self.received = 0
        self.command, self.requestline, self.request_version = "", "", "HTTP/1.0"
        try:
            super().handle_one_request()
        except _TooSlow:
            self.close_connection = True
            if self.received:  # a request had begun: say why it goes unanswered
                message = f"The request did not arrive whole within {timeout:g} seconds."
                with contextlib.suppress(OSError):
                    self._send(408, _error_body(408, message), close=True)
                    self.wfile.flush()

    def parse_request(self) -> bool:
        """Parse the request line and headers; on failure an error has been answered already.

        http.server runs the headers through the email package, about 90 µs a request and the
        largest share of this server's time; HTTP/1.x header lines need no more than a split.
        """
        self.command = ""
        self.close_connection = True
        self.request_version = "HTTP/1.0"  # an error answer before the version is known
        self.requestline = line = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = line.split()
        if len(words) != 3:
            self.send_error(400, f"Bad request line {line!r}")
            return False
        self.command, self.path, version = words
        if version not in ("HTTP/1.0", "HTTP/1.1"):
            self.send_error(505, f"Unsupported HTTP version {version!r}")
            return False
        self.request_version = version
        headers = http.client.HTTPMessage()
        for _ in range(_MAX_HEADERS + 1):
            raw = self.rfile.readline(_MAX_LINE + 1)
            if raw in (b"\r\n", b"\n", b""):
                break
            if len(raw) > _MAX_LINE:
                self.send_error(431, "A header line is too long.")
                return False
            name, colon, value = str(raw, "iso-8859-1").partition(":")
            # No space may precede the colon, and folded continuation lines are obsolete.
            if not colon or not name or name != name.strip():
                self.send_error(400, f"Malformed header line {raw[:100]!r}")
                return False
            headers[name] = value.strip()
        else:
            self.send_error(431, f"More than {_MAX_HEADERS} header lines.")
            return False
        self.headers = headers
        connection = headers.get("Connection", "").lower()
        self.close_connection = connection == "close" or (
            version == "HTTP/1.0" and connection != "keep-alive"
        )
        if version == "HTTP/1.1" and headers.get("Expect", "").lower() == "100-continue":
            return self.handle_expect_100()
        return True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # per-request logging would slow the benchmarks this server is the peer of

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Errors found by http.server itself (bad request line, unknown method) in Courier's shape.
        self._send(code, _error_body(code, message or _reason(code)), close=True)

    def _handle(self) -> None:
        path = self.path.partition("?")[0]
        try:
            if path.startswith(_CONTROL_PREFIX):
                self._control(path)
            else:
                self._profiles(path)
        except _HTTPError as error:
            self._send(
                error.status,
                _error_body(error.status, error.message),
                headers=error.headers,
                close=error.close,
            )
            if error.discard:
                self._discard(error.discard)
        except (OSError, _TooSlow):
            raise
        except RecursionError:  # a value too deep for merging, patching or storing
            self._send(400, _error_body(400, _TOO_DEEP))
        except Exception as exc:  # a sandbox bug still answers, in Courier's shape
            self._send(500, _error_body(500, f"Internal sandbox error: {exc!r}"), close=True)

    def _send(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str = _JSON,
        headers: Mapping[str, str] | None = None,
        close: bool = False,
    ) -> None:
        # The answer goes out when the buffer is flushed: give it the whole timeout, not what
        # is left of the request's.
        self.wait_at_most(self.state.limits.request_timeout)
        self.send_response(status)
        has_body = status != 204 and status != 304
        if has_body:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and has_body and self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self) -> bytes:
        if "Transfer-Encoding" in self.headers:
            raise _HTTPError(411, "Send the body with a Content-Length header.", close=True)
        # Repeated headers must agree, or the body's end is ambiguous (request smuggling).
        values = {value.strip() for value in self.headers.get_all("Content-Length") or ["0"]}
        text = values.pop()
        if values:
            raise _HTTPError(400, "The request has conflicting Content-Length headers.", close=True)
        if not text.isdigit() or not text.isascii():
            raise _HTTPError(400, "Invalid Content-Length header.", close=True)
        limit = self.state.limits.max_body_bytes
        digits = text.lstrip("0") or "0"
        if len(digits) > _MAX_LENGTH_DIGITS:
            raise _HTTPError(
                413,
                f"The request body is over 10^{_MAX_LENGTH_DIGITS} bytes; the limit is {limit} bytes.",
                close=True,
                discard=_MAX_DISCARD_BYTES,
            )
        length = int(digits)
        if length > limit:
            raise _HTTPError(
                413,
                f"The request body is {length} bytes; the limit is {limit} bytes.",
                close=True,
                discard=length,
            )
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client stopped sending; it may still read (a half-closed connection).
            raise _HTTPError(
                400,
                f"The request body ended after {len(body)} of the {length} bytes its "
                "Content-Length announced.",
                close=True,
            )
        return body

    def _discard(self, length: int) -> None:
        self.wfile.flush()
        self.deadline = time.monotonic() + _DISCARD_TIMEOUT
        remaining = min(length, _MAX_DISCARD_BYTES)
        try:
            while remaining > 0:
                chunk = self.rfile.read1(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        except (OSError, _TooSlow):
            pass  # the client gave up or is slow; the connection closes either way

    def _record(self, body: bytes, recipient_id: str | None) -> None:
        headers = dict(self.headers.items())
        for name in headers:
            if name.lower() == "authorization":
                headers[name] = mask_authorization(headers[name])
        self.state.record(
            RecordedRequest(
                method=self.command,
                path=self.path,
                recipient_id=recipient_id,
                headers=headers,
                body=body.decode("utf-8", errors="replace"),
                time=datetime.now(UTC),
            )
        )

    # /profiles/{id} and /users/{id}/... ---------------------------------------------------

    def _profiles(self, path: str) -> None:
        state = self.state
        id_error: _HTTPError | None = None
        lists = False
        users: UsersRoute | None = None
        try:
            if path.startswith(USERS_PREFIX):
                users = route_users(path)
                recipient_id = None if users is None else users.user_id
            else:
                recipient_id, lists = _route(path)
        except _HTTPError as error:
            recipient_id, id_error = None, error
        except UsersRequestError as error:
            recipient_id, id_error = None, _HTTPError(error.status, str(error))
        try:
            body = self._read_body()
        except _HTTPError:
            self._record(b"", recipient_id)
            raise
        self._record(body, recipient_id)
        fault = state.take_fault(self.command, path)
        if fault is not None:
            self._answer_fault(fault)
            return
        if id_error is not None:
            raise id_error
        if recipient_id is None:
            raise _HTTPError(404, f"No such endpoint: {path}")
        allowed = users.allowed if users else (_LISTS_METHODS if lists else _PROFILE_METHODS)
        if self.command not in allowed:
            raise _HTTPError(
                405,
                f"Method {self.command} is not allowed here.",
                headers={"Allow": ", ".join(allowed)},
            )
        authorization = self.headers.get("Authorization")
        if not state.is_authorized(authorization):
            message = (
                "Missing Authorization header; send 'Authorization: Bearer <key>'."
                if authorization is None
                else "Invalid API key."
            )
            raise _HTTPError(401, message)
        replay_key = self._idempotency_key(path)
        if replay_key is not None:
            answer = state.replayed_answer(replay_key)
            if answer is not None:
                # Courier replays the stored answer of a repeated key instead of applying again.
                self._send(answer[0], answer[1], headers={"Idempotent-Replayed": "true"})
                return
        if users is not None:
            try:
                status, reply = state.users.answer(self.command, users, self.path, body)
            except UsersRequestError as exc:
                raise _HTTPError(exc.status, str(exc)) from None
            self._send(status, reply)
            if replay_key is not None:
                state.remember_answer(replay_key, status, reply)
            return
        if lists:
            self._lists(recipient_id, body)
        else:
            self._profile(recipient_id, body)
        if replay_key is not None:
            state.remember_answer(replay_key, 200, _SUCCESS)

    def _idempotency_key(self, path: str) -> tuple[str, str, str] | None:
        key = self.headers.get("Idempotency-Key")
        return (self.command, path, key) if key and self.command == "POST" else None

    def _profile(self, recipient_id: str, body: bytes) -> None:
        store = self.state.store
        if self.command == "GET":
            text = store.get_json(recipient_id)
            if text is None:
                raise _HTTPError(404, f"No profile found for recipient {recipient_id!r}.")
            # The stored text is already compact JSON; splice it instead of re-encoding.
            self._send(200, b'{"profile":' + text.encode() + b',"preferences":null}')
        elif self.command == "POST":
            store.merge(recipient_id, _body_member(body, "profile", dict, "an object"))
            self._send(200, _SUCCESS)
        elif self.command == "PUT":
            store.put(recipient_id, _body_member(body, "profile", dict, "an object"))
            self._send(200, _SUCCESS)
        elif self.command == "PATCH":
            ops = _body_member(body, "patch", list, "an array")
            try:
                store.patch(recipient_id, ops)
            except ProfileNotFoundError:
                raise _HTTPError(404, f"No profile found for recipient {recipient_id!r}.") from None
            except JsonPatchError as exc:
                raise _HTTPError(400, f"The patch cannot be applied: {exc}") from None
            self._send(200, _SUCCESS)
        else:
            # DELETE answers 204 whether or not there was a profile: deleting is idempotent.
            store.delete(recipient_id)
            self._send(204)

    # /profiles/{id}/lists ------------------------------------------------------------------

    def _lists(self, recipient_id: str, body: bytes) -> None:
        state = self.state
        try:
            if self.command == "GET":
                cursor = _query_value(self.path, "cursor")
                after = state.cursors.read(cursor, recipient_id) if cursor else ""
                page, more = state.store.subscriptions_page(recipient_id, after, PAGE_SIZE)
                next_cursor = state.cursors.issue(recipient_id, page[-1].list_id) if more else None
                self._send(200, page_body(page, next_cursor))
                return
            if self.command == "POST":
                subscriptions = parse_subscribe_body(_parse_json(body))
                state.store.subscribe(recipient_id, subscriptions, now_iso())
            else:  # DELETE: every subscription goes; answered the same when there was none
                state.store.unsubscribe_all(recipient_id)
        except ListsRequestError as exc:
            raise _HTTPError(400, str(exc)) from None
        self._send(200, _SUCCESS)

    def _answer_fault(self, fault: Fault) -> None:
        if fault.delay and self.state.wait_stopping(fault.delay):
            fault = fault.model_copy(update={"drop": True})
        if fault.drop:
            self.close_connection = True
            return
        if fault.body is not None:
            body = fault.body.encode()
        elif fault.status >= 400:
            body = _error_body(
                fault.status, f"Sandbox fault: {fault.status} {_reason(fault.status)}"
            )
        else:
            body = b""
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        self._send(fault.status, body, content_type=fault.content_type, headers=headers)

    # /_sandbox/ control endpoints ----------------------------------------------------------

    def _control(self, path: str) -> None:
        if not is_loopback(self.client_address[0]):
            raise _HTTPError(403, "The sandbox control endpoints answer loopback clients only.")
        body = self._read_body()
        action = _CONTROL_ROUTES.get((self.command, path))
        if action is None:
            allowed = [method for method, route in _CONTROL_ROUTES if route == path]
            if not allowed:
                raise _HTTPError(404, f"No such endpoint: {path}")
            raise _HTTPError(
                405,
                f"Method {self.command} is not allowed here.",
                headers={"Allow": ", ".join(allowed)},
            )
        self._send(200, _dump(action(self.state, body)))


def _queue_faults(state: SandboxState, body: bytes) -> dict[str, Any]:
    document = _parse_json(body)
    items = (
        document["faults"] if isinstance(document, dict) and "faults" in document else [document]
    )
    if not isinstance(items, list):
        raise _HTTPError(400, '"faults" must be an array of fault objects.')
    try:
        faults = [Fault.model_validate(item) for item in items]
    except ValidationError as exc:
        raise _HTTPError(400, f"Invalid fault: {_validation_summary(exc)}") from None
    return {"status": "SUCCESS", "queued": state.queue_faults(faults)}


def _list_faults(state: SandboxState, body: bytes) -> dict[str, Any]:
    return {"faults": [fault.model_dump(mode="json") for fault in state.pending_faults()]}


def _list_requests(state: SandboxState, body: bytes) -> dict[str, Any]:
    return {"requests": [request.model_dump(mode="json") for request in state.requests()]}


def _success(
    action: Callable[[SandboxState], None],
) -> Callable[[SandboxState, bytes], dict[str, Any]]:
    def run(state: SandboxState, body: bytes) -> dict[str, Any]:
        action(state)
        return {"status": "SUCCESS"}

    return run


_CONTROL_ROUTES: dict[tuple[str, str], Callable[[SandboxState, bytes], dict[str, Any]]] = {
    ("POST", "/_sandbox/faults"): _queue_faults,
    ("GET", "/_sandbox/faults"): _list_faults,
    ("DELETE", "/_sandbox/faults"): _success(lambda state: state.clear_faults()),
    ("GET", "/_sandbox/requests"): _list_requests,
    ("DELETE", "/_sandbox/requests"): _success(lambda state: state.clear_requests()),
    ("POST", "/_sandbox/reset"): _success(lambda state: state.reset()),
}


def _validation_summary(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'fault'}: {error['msg']}"
        for error in exc.errors()
    )
