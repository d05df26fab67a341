"""One preference row of a bulk run: the ``PUT /users/{id}/preferences/{topic_id}`` it sends, and
in a dry run the read that shows the row's old → new.

A PUT sets a state, so a row sent again after a kill leaves the same preference (no Idempotency-Key
is needed for it to be applied once in effect). Before opting anyone out of a topic, the topic is
looked up once per run (per tenant): when the workspace makes it REQUIRED, its OPTED_OUT rows are
bad rows and nothing is sent for them; when the lookup fails, the rows are sent and Courier's 400
is each row's failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from profile_editor.bulk.report import KeyChange, RowResult
from profile_editor.core.send.plan import Target, target_problem
from profile_editor.core.users.execute import execute_users
from profile_editor.core.users.preferences import (
    GetTopicPreferenceRequest,
    PreferenceStatus,
    PutTopicPreferenceRequest,
    TopicPreference,
)

if TYPE_CHECKING:
    from profile_editor.bulk.preference_input import PreferenceRow
    from profile_editor.core.http.client import ProfilesClient
    from profile_editor.core.http.models import Outcome

# The runner's send: (request, rounds of 429, send function) → (outcome or None, attempts).
Execute = Callable[..., "tuple[Outcome | None, int]"]
# A row may come back on 429 this many times (the runner's own bound for profile rows).
ROUNDS = 8


def required_message(topic: TopicPreference) -> str:
    return (
        f"{topic.name} is REQUIRED: the workspace requires it, so a recipient cannot be "
        "opted out of it"
    )


def _topic(outcome: Outcome | None) -> TopicPreference | None:
    if outcome is None or not outcome.ok or not isinstance(outcome.body, dict):
        return None
    try:
        return TopicPreference.model_validate(outcome.body.get("topic"))
    except ValueError:
        return None


class PreferenceSender:
    """Sends (or reads, in a dry run) one preference row; safe to call from the run's threads."""

    def __init__(self, target: Target, client: ProfilesClient, execute: Execute) -> None:
        self._target = target
        self._client = client
        self._execute = execute  # the runner's: run-wide rate, 429 rounds, cancellation
        self._lock = threading.Lock()
        self._topics: dict[tuple[str, str | None], threading.Event] = {}
        self._required: dict[tuple[str, str | None], TopicPreference | None] = {}

    def _run(self, request: Any) -> tuple[Outcome | None, int]:
        return self._execute(request, ROUNDS, self._send)

    def _send(self, request: Any, api_key: str | None, **kwargs: Any) -> Outcome:
        return execute_users(self._client, request, api_key, **kwargs)

    def _problem(self, row: PreferenceRow) -> str | None:
        found = target_problem(row.recipient_id, self._target)
        return found[0] if found is not None else None

    def _read(self, row: PreferenceRow) -> GetTopicPreferenceRequest:
        return GetTopicPreferenceRequest(
            base_url=self._target.base_url,
            user_id=row.recipient_id,
            topic_id=row.topic_id,
            tenant_id=row.tenant_id,
        )

    def request(self, row: PreferenceRow, key: str | None = None) -> PutTopicPreferenceRequest:
        fields: dict[str, Any] = {}
        if row.channels is not None:
            fields.update(has_custom_routing=True, custom_routing=row.channels)
        return PutTopicPreferenceRequest(
            base_url=self._target.base_url,
            user_id=row.recipient_id,
            topic_id=row.topic_id,
            tenant_id=row.tenant_id,
            status=PreferenceStatus(row.status),
            idempotency_key=key,
            **fields,
        )

    def _required_topic(self, row: PreferenceRow) -> TopicPreference | None:
        """The topic when the workspace makes it REQUIRED (looked up once per topic and tenant,
        through this row's recipient), else None (not required, or the lookup failed)."""
        where = (row.topic_id, row.tenant_id)
        with self._lock:
            ready = self._topics.get(where)
            first = ready is None
            if first:
                ready = self._topics[where] = threading.Event()
        assert ready is not None
        if not first:
            ready.wait()
            return self._required.get(where)
        try:
            outcome, _ = self._run(self._read(row))
            topic = _topic(outcome)
            required = PreferenceStatus.REQUIRED
            found = (
                topic
                if topic is not None and required in (topic.default_status, topic.status)
                else None
            )
            self._required[where] = found
            return found
        finally:
            ready.set()

    def send_row(self, row: PreferenceRow, key: str) -> RowResult:
        from profile_editor.bulk.runner import outcome_result

        problem = self._problem(row)
        if problem is not None:
            return RowResult(row.line, row.recipient_id, "bad", message=problem)
        if row.status == PreferenceStatus.OPTED_OUT.value:
            required = self._required_topic(row)
            if required is not None:
                return RowResult(
                    row.line, row.recipient_id, "bad", message=required_message(required)
                )
        started = time.perf_counter()
        outcome, attempts = self._run(self.request(row, key))
        return outcome_result(row, outcome, attempts, started, key, "done")

    def load_row(self, row: PreferenceRow) -> RowResult:
        """What sending the row would change: the topic's status (and routing) old → new."""
        from profile_editor.bulk.runner import outcome_result

        problem = self._problem(row)
        if problem is not None:
            return RowResult(row.line, row.recipient_id, "bad", message=problem)
        started = time.perf_counter()
        outcome, attempts = self._run(self._read(row))
        stored = _topic(outcome)
        if stored is None:
            return outcome_result(row, outcome, attempts, started, None, "")
        duration = (time.perf_counter() - started) * 1000
        required = PreferenceStatus.REQUIRED
        if row.status == PreferenceStatus.OPTED_OUT.value and required in (
            stored.default_status,
            stored.status,
        ):
            return RowResult(
                row.line,
                row.recipient_id,
                "bad",
                http_status=outcome.status_code if outcome else None,
                attempts=attempts,
                duration_ms=duration,
                message=required_message(stored),
            )
        details = []
        if stored.status.value != row.status:
            details.append(KeyChange("changed", "status", stored.status.value, row.status))
        if row.channels is not None:
            old = [c.value for c in stored.routing] if stored.routing is not None else None
            if old != list(row.channels):
                details.append(KeyChange("changed", "custom_routing", old, list(row.channels)))
        return RowResult(
            row.line,
            row.recipient_id,
            "would-change" if details else "no-change",
            http_status=outcome.status_code if outcome else None,
            attempts=attempts,
            duration_ms=duration,
            changes=f"{len(details)} changed" if details else "",
            message=f"{stored.name}: {stored.status.value} → {row.status}"
            if details
            else f"{stored.name}: already {row.status}",
            details=tuple(details),
        )
