"""When to retry and how long to wait: the official Courier SDKs' rules."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

RETRYABLE_STATUS = frozenset({408, 409, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), if usable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime  # rare path; keeps start-up light

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return seconds if seconds == seconds else None  # NaN guard


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 60.0
    jitter: Callable[[], float] = field(default=lambda: random.uniform(0.75, 1.0))

    def delay(self, retry_index: int, retry_after: str | None = None) -> float:
        """Wait before retry number ``retry_index`` (0-based); Retry-After wins when sane."""
        hinted = parse_retry_after(retry_after)
        if hinted is not None and 0 <= hinted <= self.retry_after_cap:
            return hinted
        return min(self.base_delay * 2**retry_index, self.max_delay) * self.jitter()
