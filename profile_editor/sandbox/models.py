"""The sandbox's data: scripted faults, recorded requests and Courier's error types."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from profile_editor.core.profile.jsoncodec import type_name

__all__ = ["Fault", "RecordedRequest", "error_type", "json_type_phrase", "mask_authorization"]

PROFILES_PREFIX = "/profiles/"


def error_type(status: int) -> str:
    """Courier's error ``type`` for an HTTP status."""
    if status == 401:
        return "authentication_error"
    if status == 403:
        return "authorization_error"
    if status == 429:
        return "rate_limit_error"
    if status >= 500:
        return "api_error"
    return "invalid_request_error"


def json_type_phrase(value: Any) -> str:
    """``"a string"``, ``"an object"``, ``"null"``: for error messages about a JSON value."""
    name = type_name(value)
    return name if name == "null" else ("an " if name[0] in "aeiou" else "a ") + name


class Fault(BaseModel):
    """One scripted misbehaviour, answered instead of the real response to matching requests.

    Faults wait in a FIFO queue; a request takes the first fault that matches it, and the fault
    leaves the queue once it has been used ``times`` times. ``body=None`` sends a Courier-style
    error JSON for ``status`` (an empty body below 400). ``path_prefix`` is compared with the
    raw, still percent-encoded request path and defaults to every ``/profiles/`` request.
    """

    model_config = ConfigDict(extra="forbid")

    status: int = Field(default=500, ge=200, le=599)
    body: str | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = Field(default_factory=dict)
    retry_after: str | None = None
    delay: float = Field(default=0, ge=0)
    drop: bool = False
    method: str | None = None
    path_prefix: str | None = None
    times: int = Field(default=1, ge=1)

    @field_validator("content_type", "retry_after")
    @classmethod
    def _check_header_value(cls, value: str | None) -> str | None:
        if value is not None:
            _check_header_text(value)
        return value

    @field_validator("body")
    @classmethod
    def _check_body(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    "body holds a lone UTF-16 surrogate, which UTF-8 cannot carry"
                ) from None
        return value

    @field_validator("headers")
    @classmethod
    def _check_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not name or ":" in name or " " in name:
                raise ValueError(f"invalid header name {name!r}")
            _check_header_text(name)
            _check_header_text(text)
        return value

    def matches(self, method: str, path: str) -> bool:
        """Whether a request with this method and raw path should get this fault."""
        if self.method is not None and self.method.upper() != method:
            return False
        return path.startswith(PROFILES_PREFIX if self.path_prefix is None else self.path_prefix)


def _check_header_text(text: str) -> None:
    # A line break would let a fault forge the rest of the response; HTTP headers are Latin-1.
    if "\r" in text or "\n" in text:
        raise ValueError("header text must not contain line breaks")
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError("header text must be Latin-1") from None


class RecordedRequest(BaseModel):
    """A request the sandbox received on its API (not its ``/_sandbox/`` control endpoints)."""

    method: str
    path: str
    """The request target exactly as received, still percent-encoded, query included."""
    recipient_id: str | None
    """The decoded recipient ID of ``/profiles/{id}``, ``/profiles/{id}/lists`` or
    ``/users/{id}/...``, or None where the path names none."""
    headers: dict[str, str]
    """The request headers, with the Authorization credentials masked."""
    body: str
    time: datetime


def mask_authorization(value: str) -> str:
    """``Bearer sandbox-key`` -> ``Bearer ****-key``: at most the last 4 characters, never all."""
    scheme, _, credentials = value.strip().rpartition(" ")
    tail = credentials[-4:] if len(credentials) > 8 else ""
    return f"{scheme} ****{tail}".lstrip()
