from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from profile_editor.core.http.config import (
    ConfigError,
    insecure_key_problem,
    normalize_base_url,
    resolve_api_key,
    resolve_base_url,
)
from profile_editor.core.http.retry import RetryPolicy, is_retryable_status, parse_retry_after


def test_retryable_statuses() -> None:
    assert [
        s for s in (400, 401, 404, 408, 409, 413, 429, 500, 502, 503) if is_retryable_status(s)
    ] == [
        408,
        409,
        429,
        500,
        502,
        503,
    ]


def test_backoff_follows_the_sdks() -> None:
    policy = RetryPolicy(jitter=lambda: 1.0)
    assert [policy.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    low = RetryPolicy(jitter=lambda: 0.75)
    assert low.delay(0) == 0.375


def test_retry_after_seconds_and_dates() -> None:
    policy = RetryPolicy(jitter=lambda: 1.0)
    assert policy.delay(0, "3") == 3.0
    assert policy.delay(0, "61") == 0.5  # beyond 60 s: ignored
    assert policy.delay(0, "-1") == 0.5
    assert policy.delay(0, "soon") == 0.5
    now = datetime(2026, 1, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=10), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(10)


def test_base_url_resolution() -> None:
    assert resolve_base_url(None, {}) == "https://api.courier.com"
    assert resolve_base_url(None, {"COURIER_BASE_URL": "https://api.eu.courier.com/"}) == (
        "https://api.eu.courier.com"
    )
    assert (
        resolve_base_url("http://127.0.0.1:9/", {"COURIER_BASE_URL": "x"}) == "http://127.0.0.1:9"
    )
    with pytest.raises(ConfigError):
        normalize_base_url("api.courier.com")


def test_key_resolution() -> None:
    assert resolve_api_key({}) is None
    assert resolve_api_key({"COURIER_AUTH_TOKEN": "t"}) == "t"
    assert resolve_api_key({"COURIER_API_KEY": "k", "COURIER_AUTH_TOKEN": "t"}) == "k"


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://api.courier.com", True),
        ("http://10.0.0.5:8080", True),
        ("https://api.courier.com", False),
        ("http://127.0.0.1:8765", False),
        ("http://localhost:8765", False),
        ("http://[::1]:8765", False),
    ],
)
def test_key_never_goes_over_plain_http_off_loopback(url: str, refused: bool) -> None:
    assert (insecure_key_problem(url, True) is not None) is refused
    assert insecure_key_problem(url, False) is None
