"""Sends a :class:`ProfileRequest` (or any :class:`ApiRequest`, e.g. the list requests of
:mod:`.lists`) and maps every possible ending to a typed :class:`Outcome`.

Runs on a worker thread. Nothing here raises into the caller: refused connections, TLS and DNS
failures, timeouts, dropped connections, HTML error pages and cancellation all become outcomes.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from profile_editor.core.http.cancel import CancelToken
from profile_editor.core.http.config import insecure_key_problem
from profile_editor.core.http.models import (
    Method,
    Outcome,
    OutcomeKind,
)
from profile_editor.core.http.retry import RetryPolicy, is_retryable_status
from profile_editor.core.profile.jsoncodec import loads_in_pieces

if TYPE_CHECKING:
    from profile_editor.core.http.transport import SharedClient

DETAIL_CHARS = 4_000

# Called before each retry: (retry number from 1, max retries, delay in seconds, reason).
RetryCallback = Callable[[int, int, float, str], None]

# Given the parsed JSON of a 2xx answer to a GET: what was loaded, for the summary ("profile
# loaded"), or None when it is not the answer Courier sends.
AnswerCheck = Callable[[Any], str | None]


class ApiRequest(Protocol):
    """What :meth:`ProfilesClient.execute` needs of a request (ProfileRequest has it all)."""

    @property
    def base_url(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def method(self) -> Method: ...
    @property
    def idempotency_key(self) -> str | None: ...
    def body_bytes(self) -> bytes | None: ...
    def headers(self, api_key: str | None) -> dict[str, str]: ...


def loaded_profile(parsed: Any) -> str | None:
    """The answer check of ``GET /profiles/{id}``."""
    if isinstance(parsed, dict) and isinstance(parsed.get("profile"), dict):
        return "profile loaded"
    return None


class ProfilesClient:
    def __init__(
        self,
        http: SharedClient,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not callable(getattr(http, "send_direct", None)):
            # A plain httpx.Client would fail every request, each as an "unexpected error".
            raise TypeError("ProfilesClient needs the app's SharedClient (see make_http_client)")
        self._http = http  # its headers and timeouts are every request's (make_http_client)
        self._retry = retry or RetryPolicy()

    def execute(
        self,
        request: ApiRequest,
        api_key: str | None,
        *,
        cancel: CancelToken | None = None,
        on_retry: RetryCallback | None = None,
        check_answer: AnswerCheck = loaded_profile,
    ) -> Outcome:
        cancel = cancel or CancelToken()
        started = time.perf_counter()
        try:
            outcome, attempts = self._execute(request, api_key, cancel, on_retry, check_answer)
        except Exception as exc:  # a bug must not take the window down; show it instead
            outcome, attempts = (
                Outcome(
                    kind=OutcomeKind.NETWORK,
                    summary="Unexpected error while sending",
                    message="Something went wrong inside the app while sending.",
                    detail=f"{type(exc).__name__}: {exc}",
                ),
                0,
            )
        # One copy with what only the end knows (an outcome is frozen).
        return replace(
            outcome,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            attempts=attempts,
            idempotency_key=request.idempotency_key,
        )

    def _execute(
        self,
        request: ApiRequest,
        api_key: str | None,
        cancel: CancelToken,
        on_retry: RetryCallback | None,
        check_answer: AnswerCheck,
    ) -> tuple[Outcome, int]:
        """How the request ended, and after how many attempts."""
        problem = insecure_key_problem(request.base_url, bool(api_key))
        if problem:
            return Outcome(kind=OutcomeKind.REFUSED, summary="Not sent", message=problem), 0
        body = request.body_bytes()
        headers = request.headers(api_key)
        attempt = 0
        while True:
            attempt += 1
            if cancel.is_cancelled():
                return _cancelled(), attempt - 1
            retry_after: str | None = None
            try:
                response = self._http.send_direct(
                    request.method.value, request.url, content=body, headers=headers, cancel=cancel
                )
            except httpx.HTTPError as exc:
                if cancel.is_cancelled():
                    return _cancelled(), attempt
                outcome = _network_outcome(exc, self._http.timeout)
                reason = outcome.summary
            else:
                outcome = _response_outcome(request.method, response, check_answer)
                if not is_retryable_status(response.status_code):
                    return outcome, attempt
                retry_after = response.headers.get("Retry-After")
                reason = f"HTTP {response.status_code}"
            retries_done = attempt - 1
            if retries_done >= self._retry.max_retries:
                return outcome, attempt
            delay = self._retry.delay(retries_done, retry_after)
            if on_retry is not None:
                on_retry(retries_done + 1, self._retry.max_retries, delay, reason)
            if cancel.wait(delay):
                return _cancelled(), attempt


def _cancelled() -> Outcome:
    return Outcome(
        kind=OutcomeKind.CANCELLED,
        summary="Cancelled",
        message="Stopped waiting for the answer. The server may still have applied the change.",
    )


def _cut(text: str) -> str:
    if len(text) <= DETAIL_CHARS:
        return text
    return text[:DETAIL_CHARS] + f"\n… ({len(text) - DETAIL_CHARS:,} more characters)"


def _describe_body(response: httpx.Response) -> str:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip() or "no type"
    if not response.content:
        return "an empty body"
    if "html" in content_type or response.text.lstrip()[:1] == "<":
        return f"an HTML page ({content_type})"
    return f"a body that is not Courier's JSON ({content_type})"


def _response_outcome(
    method: Method, response: httpx.Response, check_answer: AnswerCheck
) -> Outcome:
    status = response.status_code
    phrase = response.reason_phrase or ""
    parsed: Any = None
    if response.content:
        try:
            parsed = loads_in_pieces(response.content)
        except ValueError:
            parsed = None
    # Decoding the text is only worth it when there is no JSON body to show instead.
    detail = (
        "" if parsed is not None else (_cut(response.text) if response.content else "(empty body)")
    )
    if 200 <= status < 300:
        # A read must carry the JSON it asked for: a GET answered 204 (a proxy, a wrong base
        # URL) is no answer, and must not read as "nothing stored" or verify a write.
        if method is not Method.GET and (
            status == 204 or (not response.content and method in (Method.DELETE, Method.PATCH))
        ):
            return Outcome(
                kind=OutcomeKind.SUCCESS,
                summary=f"{status} {phrase} · done",
                status_code=status,
                detail=detail,
            )
        if method is Method.GET:
            loaded = check_answer(parsed)
            if loaded is not None:
                return Outcome(
                    kind=OutcomeKind.SUCCESS,
                    summary=f"{status} {phrase} · {loaded}",
                    status_code=status,
                    body=parsed,
                    detail=detail,
                )
        elif isinstance(parsed, dict):
            from profile_editor.core.http.answers import success_status

            status_text = success_status(parsed) or "OK"
            return Outcome(
                kind=OutcomeKind.SUCCESS,
                summary=f"{status} {phrase} · {status_text}",
                status_code=status,
                message=status_text,
                body=parsed,
                detail=detail,
            )
        return Outcome(
            kind=OutcomeKind.UNEXPECTED,
            summary=f"{status} {phrase} · unexpected answer",
            status_code=status,
            message=(
                f"The server said {status} but sent {_describe_body(response)} instead of "
                "Courier's JSON. Check the base URL: this may not be the Courier API."
            ),
            body=parsed,
            detail=detail,
        )
    if isinstance(parsed, dict):
        # Imported here: a load that succeeds (the command line's get) never reads these shapes.
        from profile_editor.core.http.answers import error_body

        error = error_body(parsed)
        if error is not None:
            return Outcome(
                kind=OutcomeKind.API_ERROR,
                summary=f"{status} {phrase} · {error.type or 'error'}",
                status_code=status,
                message=error.message,
                error_type=error.type,
                body=parsed,
                detail=detail,
            )
    return Outcome(
        kind=OutcomeKind.HTTP_ERROR,
        summary=f"{status} {phrase}",
        status_code=status,
        message=(
            f"The server answered {status} {phrase} with {_describe_body(response)} instead of "
            "Courier's JSON error. A proxy, gateway or the wrong base URL may be in the way."
        ),
        body=parsed,
        detail=detail,
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _network_outcome(exc: httpx.HTTPError, timeout: httpx.Timeout) -> Outcome:
    chain = _chain(exc)
    text = " | ".join(f"{type(e).__name__}: {e}" for e in chain if str(e))
    host = ""
    try:
        host = exc.request.url.host
        port = exc.request.url.port
        host = f"{host}:{port}" if port else host
    except RuntimeError:
        pass

    def network(summary: str, message: str) -> Outcome:
        return Outcome(kind=OutcomeKind.NETWORK, summary=summary, message=message, detail=text)

    lowered = text.lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return network(
            "Timed out connecting",
            f"No connection to {host} within {timeout.connect:g} s. "
            "The host may be down or a firewall may be dropping traffic.",
        )
    if isinstance(exc, httpx.TimeoutException):
        return network(
            "Timed out waiting for the answer",
            f"{host} accepted the request but did not answer within {timeout.read:g} s.",
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in lowered or "tls" in lowered:
        return network(
            "Secure connection failed",
            f"The TLS handshake with {host} failed (certificate not trusted, expired, or not "
            "an https server).",
        )
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in lowered:
            return network(
                "Connection refused",
                f"Nothing is listening at {host}. Check the base URL and that the server runs.",
            )
        if (
            "name or service not known" in lowered
            or "nodename nor servname" in lowered
            or (
                "temporary failure in name resolution" in lowered
                or "errno -2" in lowered
                or "errno -3" in lowered
                or "errno -5" in lowered
                or "getaddrinfo" in lowered
            )
        ):
            return network(
                "Host not found",
                f"The name {host.rsplit(':', 1)[0]} could not be resolved (DNS). "
                "Check the base URL and your network.",
            )
        return network("Could not connect", f"Could not connect to {host}.")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return network(
            "Connection dropped",
            f"The connection to {host} was closed before a complete answer arrived. "
            "The change may or may not have been applied.",
        )
    return network("Network error", f"The request to {host} failed.")
