"""One builder of bulk-shaped history rows for the storage tests."""

from __future__ import annotations

from profile_editor.storage.history_db import RequestRow, now_us


def request_row(
    n: int,
    body: bytes,
    *,
    run_id: str,
    message: str = "OK",
    environment: str | None = None,
    base_url: str = "http://127.0.0.1:9",
    row_id: str | None = None,
) -> RequestRow:
    """Row ``n`` of a bulk run: recipient ``b-<n>``, a merge that answered 200."""
    return RequestRow(
        id=row_id if row_id is not None else f"row-{n}",
        time_us=now_us() + n,
        environment=environment,
        base_url=base_url,
        method="POST",
        resource="profile",
        recipient_id=f"b-{n}",
        status=200,
        outcome="success",
        message=message,
        duration_ms=1.0,
        source="cli",
        body=body,
        run_id=run_id,
    )
