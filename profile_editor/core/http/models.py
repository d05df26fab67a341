"""The request a user builds, the answers Courier gives, and what became of a send.

The request model owns its conversions (URL, headers, body, preview, cURL) so that the window,
the worker and the history all describe one request the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from profile_editor import __version__
from profile_editor.core.methods import ACTION_NAMES, Method
from profile_editor.core.profile.jsoncodec import (
    MAX_DEPTH,
    compact_head,
    dumps_compact,
    dumps_pretty,
    iter_compact,
    json_bytes,
    nesting_depth,
)
from profile_editor.core.recipient import profile_path

__all__ = [
    "ACTION_NAMES",
    "COMMON_HEADERS",
    "MAX_BODY_BYTES",
    "Method",
    "Outcome",
    "OutcomeKind",
    "ProfileRequest",
    "body_size_problem",
    "compact_body",
    "header_lines",
    "mask_key",
    "request_headers",
]

USER_AGENT = f"profile-editor/{__version__}"
# The headers every request carries, whatever its resource: the shared client sends them by
# default, so that each request parses only its own.
COMMON_HEADERS = {"Accept": "application/json", "User-Agent": USER_AGENT}
KEY_PLACEHOLDER = "$COURIER_API_KEY"
# Previews are for reading, not for 6 MB bodies: beyond this the text is cut.
PREVIEW_BODY_CHARS = 20_000
# Courier answers 413 to a request body larger than this (its "6 MB"); the sandbox uses it too.
MAX_BODY_BYTES = 6 * 1024 * 1024
_MB = 1024 * 1024


def body_size_problem(size: int) -> str | None:
    """Why a body of ``size`` encoded bytes cannot be sent (Courier would answer 413), or None."""
    if size <= MAX_BODY_BYTES:
        return None
    # The bytes too: just over the limit, both sizes round to "6.0 MB".
    return (
        f"the body is {size / _MB:.1f} MB ({size:,} bytes); Courier accepts at most "
        f"{MAX_BODY_BYTES // _MB} MB ({MAX_BODY_BYTES:,} bytes)."
    )


def body_problem(body: bytes) -> str | None:
    """Why these exact request bytes cannot be sent — over Courier's size, or nested deeper than
    a JSON reader (ours included) takes — or None. The request wraps what the user wrote in one
    more level, so a profile at the limit is over it here."""
    too_large = body_size_problem(len(body))
    if too_large is not None:
        return too_large
    if nesting_depth(body) > MAX_DEPTH:
        return (
            f"the body nests deeper than {MAX_DEPTH} levels of objects and arrays (the request "
            "wraps what you wrote in one more level)."
        )
    return None


def mask_key(key: str | None) -> str:
    if not key:
        return "(none)"
    return "****" + key[-4:] if len(key) >= 12 else "****"


def request_headers(
    api_key: str | None, method: Method, *, has_body: bool, idempotency_key: str | None
) -> dict[str, str]:
    """The headers of every request the app sends (profiles, lists, users)."""
    headers = dict(COMMON_HEADERS)
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if has_body:
        headers["Content-Type"] = "application/json"
    if idempotency_key and method is Method.POST:
        headers["Idempotency-Key"] = idempotency_key
    return headers


def header_lines(headers: dict[str, str], api_key: str | None) -> list[str]:
    """``Name: value`` per header for a preview, the key masked."""
    lines = []
    for name, value in headers.items():
        if name == "Authorization":
            value = f"Bearer {mask_key(api_key)}"
        lines.append(f"{name}: {value}")
    return lines


def compact_body(payload: dict[str, Any] | None) -> bytes | None:
    """A small payload's compact UTF-8 body (a profile's is encoded piecewise instead)."""
    return None if payload is None else dumps_compact(payload).encode("utf-8")


@dataclass(frozen=True)
class ProfileRequest:
    """One request against ``/profiles/{recipient_id}``; immutable once built.

    A plain dataclass: built on every keystroke's preview and every send, and importing it must
    not pull a validation library into the window's start-up. Profiles can be 6 MB: the caller's
    objects are kept, not copied.
    """

    base_url: str
    recipient_id: str
    method: Method = Method.POST
    profile: dict[str, Any] | None = None
    patch: list[dict[str, Any]] | None = None
    idempotency_key: str | None = None
    # The encoded body, once measured: the plan measures it, the client sends the same bytes.
    _encoded: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # "POST" and Method.POST alike, as callers (and files) spell it either way.
        if type(self.method) is not Method:
            object.__setattr__(self, "method", Method(self.method))

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + profile_path(self.recipient_id)

    def payload(self) -> dict[str, Any] | None:
        if self.method in (Method.POST, Method.PUT):
            return {"profile": self.profile if self.profile is not None else {}}
        if self.method is Method.PATCH:
            return {"patch": self.patch or []}
        return None

    def body_bytes(self) -> bytes | None:
        """Compact UTF-8 body; encoded piecewise so a worker thread does not starve the UI.

        Encoded once per request: the size check before sending and the send share the bytes.
        """
        if self._encoded is not None:
            return self._encoded
        payload = self.payload()
        if payload is None:
            return None
        body = json_bytes("".join(iter_compact(payload)))
        object.__setattr__(self, "_encoded", body)  # frozen: set once, always the same bytes
        return body

    def use_encoded(self, body: bytes) -> None:
        """Send ``body``: the bytes :meth:`body_bytes` gave for another request of the same
        method and payload (a draft's send to another recipient)."""
        object.__setattr__(self, "_encoded", body)  # frozen: set once, before it is sent

    def headers(self, api_key: str | None) -> dict[str, str]:
        return request_headers(
            api_key,
            self.method,
            has_body=self.method.has_body,
            idempotency_key=self.idempotency_key,
        )

    def preview(self, api_key: str | None) -> str:
        """Method, URL, headers (key masked) and body, for the preview pane."""
        lines = [f"{self.method.value} {self.url}"]
        headers = self.headers(api_key)
        if self.method is Method.POST and "Idempotency-Key" not in headers:
            headers["Idempotency-Key"] = "(a new one per send)"  # made when the user clicks
        lines += header_lines(headers, api_key)
        payload = self.payload()
        if payload is not None:
            body = _bounded_pretty(payload)
            lines += ["", body]
        return "\n".join(lines)

    def to_curl(self) -> str:
        """A cURL command that reads the key from ``$COURIER_API_KEY``, never containing it."""
        import shlex  # here: the command line's start-up does without it

        parts = [
            f"curl --request {self.method.value}",
            f"  --url {shlex.quote(self.url)}",
            f'  --header "Authorization: Bearer {KEY_PLACEHOLDER}"',
        ]
        for name, value in self.headers(None).items():
            if name not in ("User-Agent", "Idempotency-Key"):
                parts.append(f"  --header {shlex.quote(f'{name}: {value}')}")
        payload = self.payload()
        if payload is not None:
            parts.append(f"  --data-raw {shlex.quote(dumps_compact(payload))}")
        return " \\\n".join(parts)


def _bounded_pretty(payload: dict[str, Any]) -> str:
    # A multi-megabyte payload is neither pretty-printed nor serialized whole just to be cut:
    # compact pieces are joined until the preview is full.
    if not _is_large(payload):
        text = dumps_pretty(payload)
        if len(text) <= PREVIEW_BODY_CHARS:
            return text
    text, cut = compact_head(payload, PREVIEW_BODY_CHARS)
    return text + "\n… (cut: the body is too long to show)" if cut else text


def _is_large(payload: dict[str, Any]) -> bool:
    inner = payload.get("profile", payload.get("patch"))
    return isinstance(inner, dict | list) and len(inner) > 500


class OutcomeKind(StrEnum):
    SUCCESS = "success"
    API_ERROR = "api_error"  # Courier answered with its JSON error body
    HTTP_ERROR = "http_error"  # an error status without Courier's JSON (proxy page, HTML, empty)
    UNEXPECTED = "unexpected"  # a 2xx whose body is not what Courier sends
    NETWORK = "network_error"  # no answer: refused, DNS, TLS, timeout, dropped
    CANCELLED = "cancelled"
    REFUSED = "refused"  # not sent: the app refused to send it


@dataclass(frozen=True)
class Outcome:
    """What became of one request, retries included; never an exception.

    A plain dataclass: one is built per request on the hot path of every send.
    """

    kind: OutcomeKind
    summary: str  # one line for the status bar
    status_code: int | None = None
    message: str = ""
    error_type: str | None = None
    detail: str = ""  # raw detail: response text (cut) or the low-level error
    body: Any = None  # parsed JSON answer, when there was one
    elapsed_ms: float = 0.0
    attempts: int = 0
    idempotency_key: str | None = None

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.SUCCESS

    @property
    def profile(self) -> dict[str, Any] | None:
        """The stored profile from a GET answer."""
        if self.ok and isinstance(self.body, dict) and isinstance(self.body.get("profile"), dict):
            return self.body["profile"]
        return None
