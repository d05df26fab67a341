"""Where a JSON text is at a key position, and what to insert for a known key there.

Qt-free; the JSON tab's completer asks :func:`key_context` after each typed character and
inserts :func:`key_insertion` when a known key is accepted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from profile_editor.core.profile.fields import KnownField
from profile_editor.core.profile.jsoncodec import dumps_pretty

__all__ = ["KeyContext", "key_context", "key_insertion"]

# Above this many characters before the cursor the containers are not tokenized on every
# keystroke; only a top-level key is recognised there, by its indentation.
TOKENIZE_LIMIT = 400_000

_NAME_CHARS = re.compile(r"[A-Za-z0-9_$\-]*\Z")
_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]')
_INDENT = re.compile(r"[ \t]*")


@dataclass(frozen=True)
class KeyContext:
    """A key being typed: ``path`` of the object it goes into (``()``: the top level,
    ``("address",)``), the ``prefix`` typed so far, and ``start``/``end`` offsets of what a
    completion replaces (an opening quote included, and a closing one right after the cursor)."""

    path: tuple[str, ...]
    prefix: str
    start: int
    end: int
    indent: str


def key_context(text: str, offset: int) -> KeyContext | None:
    """The key being typed at ``offset``, or None when the cursor is not at a key position.

    A key position is right after ``{`` or ``,`` inside an object, optionally after an opening
    quote and some name characters.
    """
    line_start = text.rfind("\n", 0, offset) + 1
    before_on_line = text[line_start:offset]
    match = _NAME_CHARS.search(before_on_line)
    prefix = match.group() if match else ""
    start = offset - len(prefix)
    quoted = start > line_start and text[start - 1] == '"'
    if quoted:
        start -= 1
        if _open_quote(text[line_start:start]):
            return None  # the quote closes a string: this is a value, not a key
    elif _open_quote(text[line_start:start]):
        return None
    lead = start - 1
    while lead >= 0 and text[lead] in " \t\r\n":
        lead -= 1
    if lead < 0 or text[lead] not in "{,":
        return None
    end = offset + 1 if quoted and text.startswith('"', offset) else offset
    indent = _INDENT.match(text, line_start)
    path = _object_path(text, lead + 1, indent.group() if indent else "")
    if path is None:
        return None
    return KeyContext(path, prefix, start, end, indent.group() if indent else "")


def _open_quote(segment: str) -> bool:
    """Whether ``segment`` (part of one line) ends inside a string."""
    inside, escaped = False, False
    for char in segment:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = inside
        elif char == '"':
            inside = not inside
    return inside


def _object_path(text: str, end: int, indent: str) -> tuple[str, ...] | None:
    """Keys from the top object down to the object open at ``end``; None if that is not an
    object reached through objects only."""
    if end > TOKENIZE_LIMIT:
        return _top_level_by_indent(text, indent)
    keys: list[str | None] = []  # per open container: its key in an object parent, else None
    kinds: list[str] = []
    last: str | None = None
    pending: str | None = None
    for match in _TOKENS.finditer(text, 0, end):
        token = match.group()
        if token[0] == '"':
            last = token
        elif token == ":":
            pending = _decode(last)
            last = None
        elif token in "{[":
            keys.append(pending if kinds and kinds[-1] == "{" else None)
            kinds.append(token)
            pending = None
        elif token in "}]":
            if kinds:
                kinds.pop()
                keys.pop()
            pending = None
        else:  # ","
            pending, last = None, None
    if not kinds or kinds[-1] != "{" or kinds[0] != "{":
        return None
    path = keys[1:]
    if any(key is None for key in path):
        return None  # inside an array somewhere on the way
    return tuple(key for key in path if key is not None)


def _top_level_by_indent(text: str, indent: str) -> tuple[str, ...] | None:
    # In a large text, a line indented like the first key is a top-level key.
    first = text.find("\n", text.find("{")) + 1
    match = _INDENT.match(text, first) if first > 0 else None
    return () if match is not None and match.group() == indent and indent else None


def _decode(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        value = json.loads(token)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def key_insertion(field: KnownField, indent: str, *, comma: bool = False) -> str:
    """``"key": <skeleton>`` for the JSON tab, nested lines indented under ``indent``."""
    value: Any = field.skeleton_value()
    body = dumps_pretty(value).replace("\n", "\n" + indent)
    return f"{json.dumps(field.key)}: {body}" + ("," if comma else "")
