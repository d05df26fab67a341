"""Preference rows: ``recipient_id, topic_id, status[, channels][, tenant_id]``, as CSV or JSONL.

One row sets one recipient's status for one topic (in one tenant, when ``tenant_id`` is given),
optionally with the channels that route it. ``status`` is ``OPTED_IN`` or ``OPTED_OUT`` (any case,
``opted-out`` too): ``REQUIRED`` is a topic's default set by the workspace, never a user's choice,
so a row asking for it is bad. ``channels`` lists routing channels separated by ``;``, ``,``, ``|``
or spaces in CSV (a JSON array of strings in JSONL); empty leaves the routing as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from profile_editor.bulk.csv_input import _records, header_cells, width_problem
from profile_editor.bulk.encoding import has_surrogate, undecodable
from profile_editor.bulk.jsonl_input import json_objects
from profile_editor.bulk.rows import BadRow, InputError
from profile_editor.core.users.paths import segment_problem, user_id_problem
from profile_editor.core.users.preferences import (
    PreferenceStatus,
    parse_channels,
    parse_status,
)

REQUIRED_COLUMNS = ("recipient_id", "topic_id", "status")
OPTIONAL_COLUMNS = ("channels", "tenant_id")


@dataclass(frozen=True, slots=True)
class PreferenceRow:
    """One topic status to set for one recipient; ``channels`` None leaves the routing alone."""

    line: int
    recipient_id: str
    topic_id: str
    status: str  # OPTED_IN or OPTED_OUT
    channels: tuple[str, ...] | None = None
    tenant_id: str | None = None

    @property
    def target(self) -> tuple[str, str, str | None]:
        """What the row sets: one topic of one recipient in one tenant (or none)."""
        return (self.recipient_id, self.topic_id, self.tenant_id)


def _status(text: str) -> str:
    """``OPTED_IN`` or ``OPTED_OUT`` from what people write; ValueError saying why not."""
    status = parse_status(text)
    if status is PreferenceStatus.REQUIRED:
        raise ValueError(
            "status REQUIRED is a topic's default set by the workspace, not a user's choice: "
            "use OPTED_IN or OPTED_OUT"
        )
    return status.value


def _id_problem(what: str, value: str) -> str | None:
    """Why ``value`` cannot be the ``what`` of a path segment, or None."""
    if what == "recipient ID":
        return user_id_problem(value)
    return segment_problem(value, what)


def make_row(
    line: int,
    recipient: str,
    topic: str,
    status: str,
    channels: str | list[str] | None,
    tenant: str | None,
) -> PreferenceRow | BadRow:
    """The row, or a bad row saying which value is wrong."""
    shown = "" if has_surrogate(recipient) else recipient
    for what, value in (("recipient ID", recipient), ("topic ID", topic), ("tenant ID", tenant)):
        problem = _id_problem(what, value) if value is not None else None
        if problem is not None:
            return BadRow(line, shown, problem)
    try:
        parsed_status = _status(status)
        if isinstance(channels, list):
            channels = ",".join(channels)
        routing = parse_channels(channels) if channels is not None else None
    except ValueError as exc:
        return BadRow(line, shown, str(exc))
    routing_names = tuple(channel.value for channel in routing) if routing else None
    return PreferenceRow(line, recipient, topic, parsed_status, routing_names, tenant)


def _header(records: Iterator[tuple[int, list[str]]]) -> dict[str, int]:
    cells = header_cells(records)
    names = [cell.strip().lower() for cell in cells]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise InputError(
            f"A preferences file needs the columns {', '.join(REQUIRED_COLUMNS)} (missing: "
            f"{', '.join(missing)}; found: {', '.join(names) or 'nothing'})."
        )
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for index, name in enumerate(names):
        if name not in known:
            raise InputError(
                f"Column {index + 1} (“{cells[index].strip()}”) is not a preferences column: "
                f"use {', '.join(known)}."
            )
        if names.count(name) > 1:
            raise InputError(f"“{name}” is a column twice.")
    return {name: index for index, name in enumerate(names)}


def read_preferences_csv(handle: TextIO) -> Iterator[PreferenceRow | BadRow]:
    """Rows of an open preferences CSV (opened with ``newline=""``), in file order."""
    records = _records(handle)
    columns = _header(records)
    width = len(columns)
    for line, cells in records:
        recipient = cells[columns["recipient_id"]] if columns["recipient_id"] < len(cells) else ""
        bad = next((undecodable(cell) for cell in cells if undecodable(cell)), "")
        if bad:
            yield BadRow(
                line, "" if undecodable(recipient) else recipient, f"not UTF-8 text ({bad})"
            )
            continue
        wrong_width = width_problem(line, recipient, cells, width)
        if wrong_width is not None:
            yield wrong_width
            continue
        channels = cells[columns["channels"]] if "channels" in columns else ""
        tenant = cells[columns["tenant_id"]] if "tenant_id" in columns else ""
        yield make_row(
            line,
            recipient,
            cells[columns["topic_id"]],
            cells[columns["status"]],
            channels if channels.strip() else None,
            tenant or None,
        )


_JSONL_KEYS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)


def read_preferences_jsonl(handle: TextIO) -> Iterator[PreferenceRow | BadRow]:
    """One ``{"recipient_id", "topic_id", "status", "channels"?, "tenant_id"?}`` per line."""
    for item in json_objects(handle, '{"recipient_id": …, "topic_id": …, …}'):
        yield item if isinstance(item, BadRow) else _jsonl_row(*item)


def _jsonl_row(number: int, value: dict[str, Any]) -> PreferenceRow | BadRow:
    recipient = value.get("recipient_id")
    if not isinstance(recipient, str):
        return BadRow(number, "", "“recipient_id” must be a string")
    extra = set(value) - _JSONL_KEYS
    if extra:
        return BadRow(
            number,
            recipient,
            f"unknown member(s) {', '.join(sorted(extra))}: use {', '.join(sorted(_JSONL_KEYS))}",
        )
    for name in ("topic_id", "status"):
        if not isinstance(value.get(name), str):
            return BadRow(number, recipient, f"“{name}” must be a string")
    channels = value.get("channels")
    if channels is not None and not (
        isinstance(channels, list) and all(isinstance(c, str) for c in channels)
    ):
        return BadRow(number, recipient, "“channels” must be an array of channel names")
    tenant = value.get("tenant_id")
    if tenant is not None and not isinstance(tenant, str):
        return BadRow(number, recipient, "“tenant_id” must be a string")
    return make_row(number, recipient, value["topic_id"], value["status"], channels, tenant)
