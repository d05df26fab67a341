"""Pure operations on profile documents: Courier's POST merge and RFC 6902 JSON Patch.

Shared by the app (to preview what a send will do) and the sandbox server (to do it), so both
agree on the result by construction.
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__ = ["JsonPatchError", "apply_json_patch", "merge_profile"]


def merge_profile(stored: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Return ``stored`` with ``changes`` merged in the way Courier's ``POST /profiles/{id}`` does.

    Keys absent from ``changes`` stay as they are, a key set to ``None`` is removed, objects merge
    recursively and any other value replaces the old one. Existing keys keep their position; new
    keys are appended in the order of ``changes``. An object merged in where there was none (or a
    non-object) is merged into ``{}``, so ``None`` values inside it are dropped too, as in
    RFC 7386. Neither input is modified. Untouched values are shared with the inputs rather than
    copied (the app previews merges of multi-megabyte profiles on every edit), so callers treat
    JSON values as immutable.
    """
    result = dict(stored)
    for key, new in changes.items():
        if new is None:
            result.pop(key, None)
        elif isinstance(new, dict):
            old = result.get(key)
            result[key] = merge_profile(old if isinstance(old, dict) else {}, new)
        else:
            result[key] = new
    return result


class JsonPatchError(ValueError):
    """A JSON Patch operation could not be applied; the message says which one and why."""


_MISSING = object()
_BAD_ESCAPE = re.compile(r"~(?![01])")


def apply_json_patch(doc: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply the RFC 6902 operations ``ops`` to a copy of ``doc`` and return that copy.

    All or nothing: the first failing operation raises :class:`JsonPatchError` and ``doc`` is
    never modified. The result must still be an object, since it is a profile.
    """
    if not isinstance(ops, list):
        raise JsonPatchError("a JSON Patch must be a list of operations")
    root: Any = copy.deepcopy(doc)
    for index, op in enumerate(ops):
        try:
            root = _apply_op(root, op)
        except JsonPatchError as exc:
            raise JsonPatchError(f"operation {index} ({_describe(op)}): {exc}") from None
    if not isinstance(root, dict):
        raise JsonPatchError("the patched document must still be a JSON object")
    return root


def _describe(op: object) -> str:
    if isinstance(op, dict):
        return f"{op.get('op', '?')} {op.get('path', '?')}"
    return type(op).__name__


def _apply_op(root: Any, op: object) -> Any:
    if not isinstance(op, dict):
        raise JsonPatchError("an operation must be an object")
    name = op.get("op")
    path = _pointer(op, "path")
    if name == "add":
        return _add(root, path, copy.deepcopy(_value(op)))
    if name == "remove":
        _remove(root, path)
        return root
    if name == "replace":
        value = copy.deepcopy(_value(op))
        if not path:
            return value
        parent, key = _locate(root, path)
        parent[key] = value
        return root
    if name == "move":
        source = _pointer(op, "from")
        if source == path:
            _get(root, source)
            return root
        if path[: len(source)] == source:
            raise JsonPatchError("cannot move a value into one of its own children")
        return _add(root, path, _remove(root, source))
    if name == "copy":
        return _add(root, path, copy.deepcopy(_get(root, _pointer(op, "from"))))
    if name == "test":
        if not _json_equal(_get(root, path), _value(op)):
            raise JsonPatchError("test failed: the value differs")
        return root
    raise JsonPatchError(f"unknown op {name!r}")


def _value(op: dict[str, Any]) -> Any:
    if "value" not in op:
        raise JsonPatchError("missing 'value'")
    return op["value"]


def _pointer(op: dict[str, Any], member: str) -> list[str]:
    """Parse the RFC 6901 pointer in ``op[member]`` into its unescaped reference tokens."""
    text = op.get(member, _MISSING)
    if text is _MISSING:
        raise JsonPatchError(f"missing '{member}'")
    if not isinstance(text, str):
        raise JsonPatchError(f"'{member}' must be a string")
    if not text:
        return []
    if not text.startswith("/"):
        raise JsonPatchError(f"invalid pointer {text!r}: must be empty or start with '/'")
    if _BAD_ESCAPE.search(text):
        raise JsonPatchError(f"invalid pointer {text!r}: '~' must be followed by 0 or 1")
    return [token.replace("~1", "/").replace("~0", "~") for token in text[1:].split("/")]


def _index(array: list[Any], token: str, *, allow_end: bool = False) -> int:
    if token == "-" and allow_end:
        return len(array)
    # RFC 6901 array indices are plain decimals without leading zeros or signs.
    if not token.isdigit() or not token.isascii() or (len(token) > 1 and token[0] == "0"):
        raise JsonPatchError(f"invalid array index {token!r}")
    index = int(token)
    if index > len(array) or (index == len(array) and not allow_end):
        raise JsonPatchError(f"array index {index} out of range")
    return index


def _get(root: Any, path: list[str]) -> Any:
    node = root
    for depth, token in enumerate(path):
        if isinstance(node, dict):
            if token not in node:
                raise JsonPatchError(f"path not found at '{_render(path[: depth + 1])}'")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token)]
        else:
            raise JsonPatchError(f"'{_render(path[:depth])}' is not a container")
    return node


def _parent(root: Any, path: list[str]) -> tuple[Any, str]:
    parent = _get(root, path[:-1])
    if not isinstance(parent, dict | list):
        raise JsonPatchError(f"'{_render(path[:-1])}' is not a container")
    return parent, path[-1]


def _locate(root: Any, path: list[str]) -> tuple[Any, Any]:
    """Return the container holding the existing value at ``path`` and its key or index there."""
    parent, token = _parent(root, path)
    if isinstance(parent, list):
        return parent, _index(parent, token)
    if token not in parent:
        raise JsonPatchError(f"path not found at '{_render(path)}'")
    return parent, token


def _add(root: Any, path: list[str], value: Any) -> Any:
    if not path:
        return value
    parent, token = _parent(root, path)
    if isinstance(parent, list):
        parent.insert(_index(parent, token, allow_end=True), value)
    else:
        parent[token] = value
    return root


def _remove(root: Any, path: list[str]) -> Any:
    if not path:
        raise JsonPatchError("cannot remove the whole document")
    parent, key = _locate(root, path)
    return parent.pop(key)


def _render(path: list[str]) -> str:
    return "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in path)


def _json_equal(a: Any, b: Any) -> bool:
    """JSON equality: unlike Python's ``==``, ``true`` is not ``1``; objects ignore key order."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
