"""One preference row of a bulk run: the topic's current value is read, then
``PUT /users/{id}/preferences/{topic_id}`` sets the row's status (in a dry run, the read shows the
row's old → new and nothing is written).

Reading first is what keeps the row's promise: a PUT replaces the routing fields, so a row without
channels sends the routing the recipient has (leaving them out would drop a custom routing); a
topic the workspace makes REQUIRED is found before an opt-out is sent (a bad row, nothing sent);
and a row already in the asked state is done without a write. A PUT sets a state, so a row sent
again after a kill leaves the same preference.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from profile_editor.bulk.report import KeyChange, RowResult
from profile_editor.core.send.plan import Target, target_problem
from profile_editor.core.users.execute import execute_users
from profile_editor.core.users.preferences import (
    Channel,
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

    def __init__(
        self,
        target: Target,
        client: ProfilesClient,
        execute: Execute,
        on_sent: Callable[[Any, Outcome], None] | None = None,
    ) -> None:
        self._target = target
        self._on_sent = on_sent  # the history records each PUT a row sends
        self._client = client
        self._execute = execute  # the runner's: run-wide rate, 429 rounds, cancellation

    def _run(self, request: Any) -> tuple[Outcome | None, int]:
        return self._execute(request, ROUNDS, self._send)

    def _send(self, request: Any, api_key: str | None, **kwargs: Any) -> Outcome:
        return execute_users(self._client, request, api_key, **kwargs)

    def _read(self, row: PreferenceRow) -> GetTopicPreferenceRequest:
        return GetTopicPreferenceRequest(
            base_url=self._target.base_url,
            user_id=row.recipient_id,
            topic_id=row.topic_id,
            tenant_id=row.tenant_id,
        )

    def request(
        self, row: PreferenceRow, stored: TopicPreference | None, key: str | None = None
    ) -> PutTopicPreferenceRequest:
        """The row's PUT: its channels, else the routing ``stored`` has (kept as it is)."""
        routing = stored.routing if stored is not None else None
        if row.channels is not None:
            routing = tuple(Channel(name) for name in row.channels)
        return PutTopicPreferenceRequest(
            base_url=self._target.base_url,
            user_id=row.recipient_id,
            topic_id=row.topic_id,
            tenant_id=row.tenant_id,
            status=PreferenceStatus(row.status),
            has_custom_routing=routing is not None,
            custom_routing=routing,
            idempotency_key=key,
        )

    def _plan(self, row: PreferenceRow) -> tuple[RowResult | None, TopicPreference | None, Any]:
        """Read the row's topic: (a finished result — bad, or the read failed — or None,
        the stored topic, what changes). Changes are KeyChange details."""
        from profile_editor.bulk.runner import outcome_result

        found = target_problem(row.recipient_id, self._target)
        if found is not None:
            return RowResult(row.line, row.recipient_id, "bad", message=found[0]), None, ()
        started = time.perf_counter()
        outcome, attempts = self._run(self._read(row))
        stored = _topic(outcome)
        if stored is None:
            return outcome_result(row, outcome, attempts, started, None, ""), None, ()
        required = PreferenceStatus.REQUIRED
        if row.status == PreferenceStatus.OPTED_OUT.value and required in (
            stored.default_status,
            stored.status,
        ):
            bad = RowResult(
                row.line,
                row.recipient_id,
                "bad",
                http_status=outcome.status_code if outcome else None,
                attempts=attempts,
                duration_ms=(time.perf_counter() - started) * 1000,
                message=required_message(stored),
            )
            return bad, stored, ()
        details = []
        if stored.status.value != row.status:
            details.append(KeyChange("changed", "status", stored.status.value, row.status))
        if row.channels is not None:
            old = [c.value for c in stored.routing] if stored.routing is not None else None
            if old != list(row.channels):
                details.append(KeyChange("changed", "custom_routing", old, list(row.channels)))
        return None, stored, (tuple(details), attempts, started)

    @staticmethod
    def _says(row: PreferenceRow, stored: TopicPreference, changed: bool) -> str:
        if changed:
            return f"{stored.name}: {stored.status.value} → {row.status}"
        return f"{stored.name}: already {row.status}"

    def send_row(self, row: PreferenceRow, key: str) -> RowResult:
        from profile_editor.bulk.runner import outcome_result

        finished, stored, found = self._plan(row)
        if finished is not None:
            return finished
        assert stored is not None
        details, read_attempts, started = found
        if not details:
            return RowResult(
                row.line,
                row.recipient_id,
                "done",
                http_status=200,
                attempts=read_attempts,
                duration_ms=(time.perf_counter() - started) * 1000,
                message=self._says(row, stored, False),
                idempotency_key=key,
            )
        request = self.request(row, stored, key)
        outcome, attempts = self._run(request)
        if self._on_sent is not None and outcome is not None:
            self._on_sent(request, outcome)
        result = outcome_result(row, outcome, read_attempts + attempts, started, key, "done")
        if result.status == "done":
            return replace(
                result,
                message=self._says(row, stored, True),
                changes=f"{len(details)} changed",
                details=details,
            )
        return result

    def load_row(self, row: PreferenceRow) -> RowResult:
        """What sending the row would change: the topic's status (and routing) old → new."""
        finished, stored, found = self._plan(row)
        if finished is not None:
            return finished
        assert stored is not None
        details, attempts, started = found
        return RowResult(
            row.line,
            row.recipient_id,
            "would-change" if details else "no-change",
            http_status=200,
            attempts=attempts,
            duration_ms=(time.perf_counter() - started) * 1000,
            changes=f"{len(details)} changed" if details else "",
            message=self._says(row, stored, bool(details)),
            details=details,
        )
