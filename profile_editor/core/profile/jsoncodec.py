"""Strict RFC 8259 JSON for profiles: errors with line and column, order kept, no NaN.

Python's ``json`` accepts ``NaN``/``Infinity``, silently keeps the last of duplicate keys and turns
``1e400`` into ``inf``; a profile editor must refuse all three, because what is sent has to be
exactly what the user sees.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from itertools import accumulate
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from profile_editor.core.cooperate import gc_quiet, pause

JSON_TYPES = ("string", "number", "boolean", "null", "object", "array")

_WS = " \t\n\r"
# Above this size a JSON text is large: answers are decoded member by member (loads_in_pieces)
# and parsing keeps the garbage collector out of the way (gc_quiet).
PIECEWISE_BYTES = 256 * 1024
_SCANNER = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

MAX_DEPTH = 200
"""Objects and arrays nest at most this deep (the profile object itself is level 1).

Deeper JSON is refused with its place: the code that previews, diffs and patches profiles
recurses once or twice a level, and Python's stack runs out near a thousand levels (a
``RecursionError`` instead of a message). No real profile comes near this.
"""


class JsonProblem(Exception):
    """Invalid JSON text, located at ``pos`` (0-based) = ``line``:``column`` (1-based)."""

    message: str
    pos: int
    line: int
    column: int

    def __init__(self, message: str, pos: int, line: int, column: int) -> None:
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "pos", pos)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)

    def _key(self) -> tuple[Any, ...]:
        return (self.message, self.pos, self.line, self.column)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JsonProblem) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(message={self.message!r}, pos={self.pos!r}, line={self.line!r}, column={self.column!r})"

    def __str__(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.message}"


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; use a number or null")


def _strict_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return obj


def _finite_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise ValueError(f"the number {literal} is too large to represent")
    return value


def _problem(text: str, pos: int, message: str) -> JsonProblem:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return JsonProblem(message, pos, line, column)


def _friendly(text: str, err: json.JSONDecodeError) -> JsonProblem:
    pos = err.pos
    msg = err.msg
    # Point trailing commas out by name; the stdlib calls them "Expecting value".
    before = text[:pos].rstrip(_WS)
    if before.endswith(",") and text[pos : pos + 1] in ("}", "]"):
        return _problem(text, len(before) - 1, "trailing comma")
    if msg.startswith("Expecting value") and text[pos : pos + 3] in ("NaN", "Inf", "-In"):
        return _problem(text, pos, "NaN and Infinity are not valid JSON")
    if msg == "Extra data":
        msg = "unexpected text after the end of the JSON object"
    elif msg.startswith("Expecting property name"):
        msg = "expected a key in double quotes"
    elif msg.startswith("Invalid control character"):
        msg = "control character inside a string (escape it, e.g. \\n)"
    return _problem(text, pos, msg[0].lower() + msg[1:])


def parse_profile(text: str) -> dict[str, Any]:
    """Parse a profile object strictly; raise :class:`JsonProblem` on any deviation."""
    stripped = text.lstrip(_WS)
    if not stripped:
        raise _problem(text, 0, "empty: a profile is a JSON object, e.g. {}")
    if not stripped.startswith("{"):
        raise _problem(text, len(text) - len(stripped), "the profile must be a JSON object { … }")
    start = len(text) - len(stripped)
    if len(text) >= PIECEWISE_BYTES:
        with gc_quiet():  # a pasted 6 MB profile: no full collections in the middle of it
            value, end = _decode(text, start, _finite_float)
    else:
        value, end = _decode(text, start, _finite_float)
    rest = _skip(text, end)
    if rest != len(text):
        raise _problem(text, rest, "unexpected text after the end of the JSON object")
    _check_depth(text)
    assert isinstance(value, dict)
    return value


def parse_value(text: str) -> Any:
    """Parse any single strict JSON value (used for object/array cells)."""
    start = _skip(text, 0)
    if start == len(text):
        raise _problem(text, 0, "empty: enter a JSON value")
    value, end = _decode(text, start, _finite_float)
    rest = _skip(text, end)
    if rest != len(text):
        raise _problem(text, rest, "unexpected text after the value")
    _check_depth(text)
    return value


def _decode(text: str, start: int, parse_float: Any) -> tuple[Any, int]:
    decoder = json.JSONDecoder(
        object_pairs_hook=_strict_pairs, parse_constant=_no_constant, parse_float=parse_float
    )
    try:
        value, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as err:
        raise _friendly(text, err) from None
    except _Duplicate as dup:
        raise _locate_duplicate(text, dup.key) from None
    except RecursionError:
        # Nested deeper than the stack allows (about a thousand levels), so beyond MAX_DEPTH.
        raise _depth_problem(text) from None
    except ValueError as err:
        # NaN/Infinity (the message says so), a float beyond 1e308, or an integer with more
        # digits than Python converts (4300): the latter two are "too large".
        raise _locate_bad_number(text, str(err)) from None
    return value, end


def _locate_bad_number(text: str, message: str) -> JsonProblem:
    # Strings are matched as whole tokens so digits inside them are skipped.
    tokens = r'"[^"\\]*(?:\\.[^"\\]*)*"|-?(?:NaN|Infinity)|-?[0-9][0-9.]*(?:[eE][+-]?[0-9]+)?'
    for match in re.finditer(tokens, text):
        start = match.start()
        if text[start] == '"':
            continue
        token = match.group()
        if token.lstrip("-")[0] in "NI":
            return _problem(text, start, message)
        try:
            too_large = math.isinf(float(token))
        except ValueError:
            continue  # "1.2.3" is no number; the decoder stopped before any such token
        if too_large:
            shown = token if len(token) <= 24 else f"{token[:12]}…({len(token)} characters)"
            return _problem(text, start, f"the number {shown} is too large to represent")
    return _problem(text, 0, message)


# Depth of valid JSON text from its brackets alone: escapes go first (so every quote left
# delimits a string), then everything but quotes and brackets, then the strings; "{}" count
# as "[]". Working on bytes keeps each step one C call, a few ms for a 6 MB profile.
_ESCAPE_PAIRS = re.compile(rb"\\.", re.S)
_BRACKETS_ONLY = bytes.maketrans(b"{}", b"[]")
_NOT_STRUCTURE = bytes(range(256)).translate(None, b'"[]{}')
_DEPTH_STEP = [0] * 256
_DEPTH_STEP[ord("[")] = 1
_DEPTH_STEP[ord("]")] = -1
_DEPTH_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


def nesting_depth(text: str | bytes) -> int:
    """How deep objects and arrays nest in valid JSON ``text`` (``1`` for ``{}``, 0 for ``1``);
    UTF-8 bytes are taken as they are (a request's body need not be decoded to be measured)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if b"\\" in data:
        data = _ESCAPE_PAIRS.sub(b"", data)
    skeleton = data.translate(_BRACKETS_ONLY, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in skeleton:  # brackets inside strings: keep what lies between the strings
        skeleton = b"".join(skeleton.split(b'"')[::2])
    # Each pass takes away exactly the innermost level, so a usual profile is done in a few
    # passes; whatever is left is measured in one go.
    for passes in range(8):
        if not skeleton:
            return passes
        skeleton = skeleton.replace(b"[]", b"")
    if not skeleton:
        return 8
    return 8 + max(accumulate(map(_DEPTH_STEP.__getitem__, skeleton)))


def _check_depth(text: str) -> None:
    """Refuse valid JSON ``text`` nested deeper than MAX_DEPTH."""
    if nesting_depth(text) > MAX_DEPTH:
        raise _depth_problem(text)


def _depth_problem(text: str) -> JsonProblem:
    """Where ``text`` first nests deeper than MAX_DEPTH (the text up to there is valid JSON)."""
    depth = 0
    deepest = deepest_at = 0
    for match in _DEPTH_TOKENS.finditer(text):
        start = match.start()
        ch = text[start]
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                deepest_at = start
                break
            if depth > deepest:
                deepest, deepest_at = depth, start
        elif ch in "]}":
            depth -= 1
    return _problem(
        text,
        deepest_at,
        f"nested too deeply: objects and arrays may nest at most {MAX_DEPTH} levels deep",
    )


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _locate_duplicate(text: str, key: str) -> JsonProblem:
    """Walk the (otherwise valid) text to find where a key repeats inside one object.

    Only runs on the error path, so a plain recursive walk is fast enough; scalars go
    through the C scanner.
    """

    def walk(i: int, depth: int) -> int:
        i = _skip(text, i)
        ch = text[i]
        if ch in "{[" and depth >= MAX_DEPTH:
            raise _depth_problem(text)
        if ch == "{":
            keys: set[str] = set()
            i = _skip(text, i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                start = i
                name, i = scanstring(text, i + 1)
                if name in keys:
                    raise _problem(text, start, f"duplicate key {_shown_key(name)}")
                keys.add(name)
                i = walk(_skip(text, i) + 1, depth + 1)
                i = _skip(text, i)
                if text[i] == "}":
                    return i + 1
                i = _skip(text, i + 1)
        if ch == "[":
            i = _skip(text, i + 1)
            if text[i] == "]":
                return i + 1
            while True:
                i = _skip(text, walk(i, depth + 1))
                if text[i] == "]":
                    return i + 1
                i += 1
        _, end = _SCANNER(text, i)
        return int(end)

    try:
        walk(0, 0)
    except JsonProblem as found:
        return found
    return _problem(text, 0, f"duplicate key {_shown_key(key)}")


def _shown_key(key: str) -> str:
    # As JSON writes it (a quote or a line break inside reads unambiguously), and not at length.
    shown = dumps_compact(key)
    return shown if len(shown) <= 80 else shown[:78] + '…"'


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_bytes(text: str) -> bytes:
    """UTF-8 of JSON text written here (``ensure_ascii=False``), lone surrogates included.

    ``"\\ud800"`` is valid JSON and read as a one-character string that UTF-8 cannot encode;
    it goes out as the escape it came in as, which reads back as the same string. (Valid for
    JSON text only: such characters can be nowhere but inside its strings.)
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(_surrogate_escape, text).encode("utf-8")


# Made once: ``json.dumps`` with options builds a new encoder on every call, which costs more
# than encoding a small value (a send's body, each key of a profile encoded in pieces). An
# encoder keeps no state between calls, so threads share these.
_PRETTY = json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)
_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def dumps_pretty(value: Any) -> str:
    return _PRETTY.encode(value)


def dumps_compact(value: Any) -> str:
    return _COMPACT.encode(value)


# Containers larger than this are encoded piecewise so no single C call holds the GIL long.
_CHUNK_ITEMS = 256


def iter_compact(value: Any) -> Iterator[str]:
    """Compact JSON in pieces: the same text as :func:`dumps_compact`, GIL-friendly.

    ``json.dumps`` of a multi-megabyte object is one C call that never releases the GIL, which
    would freeze the UI thread while a worker serializes. Encoding large containers item by item
    gives the interpreter a chance to switch threads between pieces.
    """
    if isinstance(value, dict) and _worth_splitting(value.values(), len(value)):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            pause(index)
            yield ("," if index else "") + dumps_compact(key) + ":"
            yield from iter_compact(item)
        yield "}"
    elif isinstance(value, list) and _worth_splitting(value, len(value)):
        yield "["
        for index, item in enumerate(value):
            pause(index)
            if index:
                yield ","
            yield from iter_compact(item)
        yield "]"
    else:
        yield dumps_compact(value)


def compact_head(value: Any, limit: int) -> tuple[str, bool]:
    """The compact JSON of ``value`` up to ``limit`` characters, and whether it was cut; a large
    value is not serialized whole just to be cut."""
    pieces: list[str] = []
    size = 0
    for piece in iter_compact(value):
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            return "".join(pieces)[:limit], True
    return "".join(pieces), False


def _worth_splitting(items: Iterable[Any], count: int) -> bool:
    # Containers that hold more than _CHUNK_ITEMS values at any depth, like {"profile":
    # {"custom": {...}}} (counted only that far, so a small one costs a short walk).
    budget = _CHUNK_ITEMS - count
    if budget < 0:
        return True
    stack = [item for item in items if isinstance(item, dict | list)]
    while stack:
        item = stack.pop()
        budget -= len(item)
        if budget < 0:
            return True
        inner = item.values() if isinstance(item, dict) else item
        stack.extend(x for x in inner if isinstance(x, dict | list))
    return False


_LOOSE_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_WS_RE = re.compile(r"[ \t\n\r]*")


def loads_in_pieces(data: bytes | str) -> Any:
    """``json.loads``, but a large object is decoded one member at a time.

    ``json.loads`` of a multi-megabyte answer is one C call that holds the GIL throughout, which
    would freeze the UI thread while a worker reads a 6 MB profile. The top-level object and the
    objects it holds (``{"profile": {...}}``) are walked here with the C scanner decoding each
    member, so the interpreter can switch threads in between. Same result and same errors as ``json.loads``.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if len(text) < PIECEWISE_BYTES:
        return json.loads(text)
    start = _WS_RE.match(text, 0).end()  # type: ignore[union-attr]
    if text[start : start + 1] != "{":
        return json.loads(text)
    try:
        with gc_quiet():
            value, end = _object_in_pieces(text, start, 1)
    except StopIteration as err:
        raise json.JSONDecodeError("Expecting value", text, err.value) from None
    end = _WS_RE.match(text, end).end()  # type: ignore[union-attr]
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _object_in_pieces(text: str, i: int, depth: int) -> tuple[dict[str, Any], int]:
    # ``i`` is at "{". Mirrors json.decoder.JSONObject, keeping the last of duplicate keys.
    result: dict[str, Any] = {}
    i = _WS_RE.match(text, i + 1).end()  # type: ignore[union-attr]
    if text[i : i + 1] == "}":
        return result, i + 1
    while True:
        pause(len(result) + 1)
        if text[i : i + 1] != '"':
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, i)
        key, i = scanstring(text, i + 1)
        i = _WS_RE.match(text, i).end()  # type: ignore[union-attr]
        if text[i : i + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, i)
        i = _WS_RE.match(text, i + 1).end()  # type: ignore[union-attr]
        if depth > 0 and text[i : i + 1] == "{":
            value, i = _object_in_pieces(text, i, depth - 1)
        else:
            value, i = _LOOSE_SCAN(text, i)
        result[key] = value
        i = _WS_RE.match(text, i).end()  # type: ignore[union-attr]
        separator = text[i : i + 1]
        if separator == "}":
            return result, i + 1
        if separator != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, i)
        i = _WS_RE.match(text, i + 1).end()  # type: ignore[union-attr]
