"""What every request under ``/users/{user_id}`` shares: the URL, headers, body and the checks
before sending. The resource modules add the path tail, the body and the answer check.

The requests satisfy :class:`profile_editor.core.http.client.ApiRequest`, so they travel through
``ProfilesClient`` with the retries, timeouts, cancellation and outcomes of profile requests.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from profile_editor.core.http.models import (
    body_problem,
    compact_body,
    header_lines,
    request_headers,
)
from profile_editor.core.methods import Method
from profile_editor.core.profile.jsoncodec import dumps_pretty
from profile_editor.core.recipient import encode_path_segment
from profile_editor.core.users.paths import segment_problem, user_id_problem, user_path

__all__ = ["UsersRequestBase", "plural"]


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


class UsersRequestBase(BaseModel):
    """``{base_url}/users/{user_id}{tail}[?query]``; immutable once built."""

    model_config = ConfigDict(frozen=True)

    method: ClassVar[Method]
    resource: ClassVar[str]  # what history calls it: "preferences" | "tokens" | "tenants"
    verb: ClassVar[str]  # names the request in a status line ("Read preferences")
    base_url: str
    user_id: str
    idempotency_key: str | None = None  # sent with POST only, as for profiles

    @property
    def recipient_id(self) -> str:
        return self.user_id

    # --- what the resource modules fill in ------------------------------------------------

    def tail_segments(self) -> tuple[str, ...]:
        """The raw path segments after ``/users/{id}`` (each encoded on its own)."""
        return ()

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        """``(what, value)`` of each caller-given ID in the path, checked before sending."""
        return ()

    def query(self) -> dict[str, str]:
        return {}

    def payload(self) -> dict[str, Any] | None:
        return None

    @staticmethod
    def loaded(parsed: Any) -> str | None:
        """The answer check of a GET (see ``ProfilesClient.execute``): a short summary, or None
        when the body is not what Courier sends."""
        return "loaded" if isinstance(parsed, dict) else None

    # --- shared ----------------------------------------------------------------------------

    def problem(self) -> str | None:
        """Why this request must not be sent (a bad user ID, an unusable segment, or a body
        Courier would refuse: over 6 MB, or nested past what the app sends), or None."""
        problem = user_id_problem(self.user_id)
        if problem is not None:
            return problem
        for what, value in self.id_segments():
            problem = segment_problem(value, what)
            if problem is not None:
                return problem
        body = self.body_bytes()
        if body is not None:
            # A per-tenant profile or token properties can be any JSON: a 10 MB one was sent
            # only to be answered 413.
            unsendable = body_problem(body)
            if unsendable is not None:
                return unsendable[0].upper() + unsendable[1:]
        return None

    @property
    def url(self) -> str:
        url = self.base_url.rstrip("/") + user_path(self.user_id)
        url += "".join("/" + encode_path_segment(part) for part in self.tail_segments())
        query = self.query()
        if query:
            url += "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="")
        return url

    def body_bytes(self) -> bytes | None:
        return compact_body(self.payload())

    def headers(self, api_key: str | None) -> dict[str, str]:
        return request_headers(
            api_key,
            self.method,
            has_body=self.payload() is not None,
            idempotency_key=self.idempotency_key,
        )

    def preview(self, api_key: str | None) -> str:
        """Method, URL, headers (key masked) and body, for a preview pane or a dry run."""
        lines = [f"{self.method.value} {self.url}", *header_lines(self.headers(api_key), api_key)]
        payload = self.payload()
        if payload is not None:
            lines += ["", dumps_pretty(payload)]
        return "\n".join(lines)


def tenant_query(tenant_id: str | None) -> dict[str, str]:
    """``?tenant_id=`` when a tenant scopes the request ("" and None: not scoped)."""
    return {"tenant_id": tenant_id} if tenant_id else {}


def tenant_segments(tenant_id: str | None) -> tuple[tuple[str, str], ...]:
    return (("tenant ID", tenant_id),) if tenant_id else ()
