"""The app's one shared HTTP client, built on first use from whichever thread needs it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from profile_editor.core.http.cancel import CancelToken
from profile_editor.core.http.config import CONNECT_TIMEOUT, TOTAL_TIMEOUT
from profile_editor.core.http.retry import RetryPolicy

if TYPE_CHECKING:
    import httpx

    from profile_editor.core.http.client import ProfilesClient
    from profile_editor.core.http.transport import AbortableBackend


class Session:
    """Owns the shared ``httpx.Client``; httpx is imported only when first needed."""

    def __init__(
        self,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        total_timeout: float = TOTAL_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        self.retry = retry or RetryPolicy()
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None
        self._backend: AbortableBackend | None = None
        self._client: ProfilesClient | None = None
        self._closed = False

    def client(self) -> ProfilesClient:
        return self._build(tls_now=False)

    def warm_up(self) -> None:
        """Build the client now, TLS context included (loading the CA bundle takes tens of
        milliseconds), so that no request waits for either: for a window, on a worker."""
        self._build(tls_now=True)

    def _build(self, *, tls_now: bool) -> ProfilesClient:
        with self._lock:
            if self._closed:
                raise RuntimeError("the session is closed")
            if self._client is None:
                from profile_editor.core.http.client import ProfilesClient
                from profile_editor.core.http.transport import make_http_client

                self._http, self._backend = make_http_client(
                    connect_timeout=self.connect_timeout,
                    total_timeout=self.total_timeout,
                    tls_now=tls_now,
                )
                self._client = ProfilesClient(self._http, retry=self.retry)
            return self._client

    def cancel_token(self) -> CancelToken:
        return CancelToken(self.abort)

    def abort(self) -> None:
        """Cut every connection in flight (the next request opens a new one)."""
        with self._lock:
            backend = self._backend
        if backend is not None:
            backend.abort()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._backend is not None:
                self._backend.close()  # first: no connection may open as the pool closes
            if self._http is not None:
                self._http.close()
