"""JSON values as a table shows and edits them: display text, edit text, type changes and
parsing what was typed back into a value of the same type.

Qt-free, so the rules can be tested (and reused) without a GUI. Values are never mutated:
every function returns a new value or the one it was given.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from profile_editor.core.profile.jsoncodec import (
    JSON_TYPES,
    JsonProblem,
    dumps_compact,
    dumps_pretty,
    parse_value,
    type_name,
)

__all__ = [
    "DISPLAY_LIMIT",
    "convert_value",
    "doc_safe",
    "edit_text",
    "editor_json",
    "elide",
    "is_number",
    "parse_edit",
    "preview",
    "quoted",
    "rows_json_text",
    "same_value",
]

# Display text is cut to this many characters, which keeps multi-megabyte values cheap to show.
DISPLAY_LIMIT = 200

# A Qt text document turns these into paragraph breaks (``\r``, U+2029, the frame markers
# U+FDD0/U+FDD1) or cannot hold them at all (lone surrogates, valid JSON as escapes).
_DOC_UNSAFE = re.compile("[\r\u2029\ufdd0\ufdd1\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def doc_safe(json_text: str) -> str:
    """Escape the characters a text document would not keep (only valid for JSON text, where
    they can appear only inside strings)."""
    if _DOC_UNSAFE.search(json_text) is None:
        return json_text
    return _DOC_UNSAFE.sub(_escape, json_text)


def editor_json(value: Any) -> str:
    """Pretty JSON for a text editor: same value, and survives the document round trip."""
    return doc_safe(dumps_pretty(value))


def rows_json_text(rows: list[tuple[str, Any]], duplicates: bool) -> str:
    """Pretty JSON of the rows, in order; duplicate keys are written out, not merged."""
    if not duplicates:
        return editor_json(dict(rows))
    if not rows:
        return "{}"
    # Same layout as dumps_pretty: nested lines get one more indent level. Newlines inside
    # strings are escaped by json.dumps, so every "\n" here is structural.
    items = [
        "  " + quoted(key) + ": " + dumps_pretty(value).replace("\n", "\n  ") for key, value in rows
    ]
    return doc_safe("{\n" + ",\n".join(items) + "\n}")


def quoted(key: str) -> str:
    """A key as JSON writes it, for messages."""
    return json.dumps(key, ensure_ascii=False)


def elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tokens(value: Any, limit: int) -> Iterator[str]:
    """Compact JSON in small pieces; long strings are cut, so callers must elide."""
    if isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + dumps_compact(key[: limit + 1]) + ":"
            yield from _tokens(item, limit)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _tokens(item, limit)
        yield "]"
    elif isinstance(value, str):
        yield dumps_compact(value[: limit + 1])
    else:
        yield dumps_compact(value)


def preview(value: Any, limit: int = DISPLAY_LIMIT) -> str:
    """Compact single-line text for ``value``, at most ``limit`` characters, in O(limit)."""
    if isinstance(value, str):
        return elide(value[: limit + 1].replace("\n", "↵"), limit)
    if not isinstance(value, dict | list):
        return dumps_compact(value)
    parts: list[str] = []
    size = 0
    for piece in _tokens(value, limit):
        parts.append(piece)
        size += len(piece)
        if size > limit:
            break
    return elide("".join(parts), limit)


def edit_text(value: Any) -> str:
    """The full text a value is edited as: strings raw, containers as pretty JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return editor_json(value)
    return dumps_compact(value)


def is_number(value: Any) -> bool:
    """A finite JSON number (``True`` is not one, although Python says it is an int)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and not math.isfinite(value))
    )


def same_value(old: Any, new: Any) -> bool:
    """Equal and of the same type: ``1``, ``1.0`` and ``True`` are three different values."""
    return type(old) is type(new) and old == new


_INVALID = object()


def _try_parse(text: str) -> Any:
    try:
        return parse_value(text)
    except JsonProblem:
        return _INVALID


# Numbers people write that JSON does not accept as such: "00123", "+5", ".5", "5.".
_LOOSE_INT = re.compile(r"[+-]?[0-9]+")
_LOOSE_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _loose_number(text: str) -> int | float:
    parsed = _try_parse(text)
    if is_number(parsed):
        return parsed
    if _LOOSE_INT.fullmatch(text):
        return int(text)
    if _LOOSE_FLOAT.fullmatch(text):
        number = float(text)
        if math.isfinite(number):
            return number
    return 0


def convert_value(value: Any, target: str) -> Any:
    """Convert ``value`` to the JSON type ``target``, keeping what can be kept.

    ``"3"`` → 3 (also ``"00123"`` → 123), 3 → ``"3"``, anything → null, ``"true"``/``"false"``
    → booleans, a string holding JSON of the right kind → that object/array; otherwise the
    type's empty value.
    """
    if target not in JSON_TYPES:
        raise ValueError(f"unknown JSON type {target!r}")
    if type_name(value) == target:
        return value
    if target == "null":
        return None
    if target == "string":
        if value is None:
            return ""
        return dumps_compact(value)
    if target == "number":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str):
            return _loose_number(value.strip())
        return 0
    if target == "boolean":
        if isinstance(value, str):
            return value.strip().lower() == "true"
        if is_number(value):
            return value != 0
        return False
    container: type = dict if target == "object" else list
    if isinstance(value, str):
        parsed = _try_parse(value)
        if isinstance(parsed, container):
            return parsed
    return container()


def parse_edit(old: Any, raw: Any) -> tuple[Any, str | None]:
    """Interpret ``raw`` (usually the text typed into a cell) as a new value of ``old``'s type.

    Returns ``(value, None)``, or ``(None, reason)`` when ``raw`` is not a value of that type.
    """
    kind = type_name(old)
    if kind == "string":
        if isinstance(raw, str):
            return raw, None
        return None, "a string value must be given as text"
    if kind == "null":
        return None, "null has no value to edit; change the type first"
    if kind == "number":
        if is_number(raw):
            return raw, None
        if isinstance(raw, str):
            parsed = _try_parse(raw.strip())
            if is_number(parsed):
                return parsed, None
        return None, f"{elide(repr(raw), 40)} is not a JSON number (e.g. 42, -1.5, 2e3)"
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw, None
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true", None
        return None, "a boolean is true or false"
    # object or array
    container: type = dict if kind == "object" else list
    parsed = raw
    if isinstance(raw, str):
        try:
            parsed = parse_value(raw)
        except JsonProblem as problem:
            return None, f"invalid JSON: {problem}"
    if not isinstance(parsed, container):
        return None, f"expected {'an object' if kind == 'object' else 'an array'}, " + (
            f"got {type_name(parsed)}; change the type first"
        )
    return parsed, None
