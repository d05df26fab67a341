"""JSONL rows: one ``{"recipient_id": "…", "profile": {…}}`` per line, read one line at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from profile_editor.bulk.encoding import undecodable
from profile_editor.bulk.rows import BadRow, Row
from profile_editor.core.profile.jsoncodec import JsonProblem, parse_value


def json_objects(handle: TextIO, shape: str) -> Iterator[tuple[int, dict[str, Any]] | BadRow]:
    """Each non-blank line's line number and JSON object, or the bad row of a line that is not
    one (``shape`` shows the object a line should be)."""
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        bad = undecodable(text)
        if bad:
            yield BadRow(number, "", f"not UTF-8 text ({bad})")
            continue
        try:
            value = parse_value(text)
        except JsonProblem as problem:
            yield BadRow(number, "", f"not JSON: {problem.message} (column {problem.column})")
            continue
        if not isinstance(value, dict):
            yield BadRow(number, "", f"each line must be an object {shape}")
            continue
        yield number, value


def read_jsonl(handle: TextIO) -> Iterator[Row | BadRow]:
    for item in json_objects(handle, '{"recipient_id": …, "profile": {…}}'):
        if isinstance(item, BadRow):
            yield item
            continue
        number, value = item
        recipient = value.get("recipient_id")
        profile = value.get("profile")
        if not isinstance(recipient, str):
            yield BadRow(number, "", "“recipient_id” must be a string")
        elif not isinstance(profile, dict):
            yield BadRow(number, recipient, "“profile” must be an object")
        elif set(value) - {"recipient_id", "profile"}:
            extra = ", ".join(sorted(set(value) - {"recipient_id", "profile"}))
            yield BadRow(
                number, recipient, f"unknown member(s) {extra}: only recipient_id and profile"
            )
        else:
            yield Row(number, recipient, profile)
