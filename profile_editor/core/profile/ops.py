"""Pure operations on profile documents: Courier's POST merge and RFC 6902 JSON Patch.

Shared by the app (to preview what a send will do) and the sandbox server (to do it), so both
agree on the result by construction.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from profile_editor.core.cooperate import pause

__all__ = ["PATCH_OPS", "JsonPatchError", "apply_json_patch", "merge_profile", "parse_pointer"]

# RFC 6902 operation names.
PATCH_OPS = ("add", "remove", "replace", "move", "copy", "test")


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
    for index, (key, new) in enumerate(changes.items()):
        pause(index)
        if new is None:
            result.pop(key, None)
        elif isinstance(new, dict):
            old = result.get(key)
            result[key] = merge_profile(old if isinstance(old, dict) else {}, new)
        else:
            result[key] = new
    return result


class JsonPatchError(ValueError):
    """A JSON Patch operation could not be applied; the message says which one and why.

    Raised by :func:`apply_json_patch`, the error also says so in fields, for a caller that
    points at the failing operation: ``index`` (None when the patch as a whole is wrong), ``op``
    and ``path`` as written in that operation (None when absent or not a string) and ``reason``
    (the message without the operation prefix).
    """

    def __init__(
        self,
        reason: str,
        *,
        index: int | None = None,
        op: str | None = None,
        path: str | None = None,
        prefix: str = "",
    ) -> None:
        super().__init__(prefix + reason)
        self.reason = reason
        self.index = index
        self.op = op
        self.path = path


_MISSING = object()
_BAD_ESCAPE = re.compile(r"~(?![01])")


def apply_json_patch(doc: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply the RFC 6902 operations ``ops`` to ``doc`` and return the result.

    All or nothing: the first failing operation raises :class:`JsonPatchError` and ``doc`` is
    never modified. The result must still be an object, since it is a profile. Only the objects
    and arrays on the paths the operations write to are copied; everything else is shared with
    ``doc`` (a preview of a patch on a 6 MB profile must not copy it all), so callers treat JSON
    values as immutable, as with :func:`merge_profile`.
    """
    if not isinstance(ops, list):
        raise JsonPatchError("a JSON Patch must be a list of operations")
    patcher = _Patcher(doc)
    for index, op in enumerate(ops):
        try:
            try:
                patcher.apply(op)
            except RecursionError:
                # Copying or comparing a value nested near a thousand levels deep runs out of
                # stack; the strict JSON reader refuses such values, other callers get this.
                raise JsonPatchError("the value is nested too deeply") from None
        except JsonPatchError as exc:
            raise JsonPatchError(
                exc.reason,
                index=index,
                op=_member(op, "op"),
                path=_member(op, "path"),
                prefix=f"operation {index} ({_describe(op)}): ",
            ) from None
    if not isinstance(patcher.root, dict):
        raise JsonPatchError("the patched document must still be a JSON object")
    return patcher.root


class _Patcher:
    """Copy-on-write application of operations: a container is copied once, on first write.

    ``_owned`` holds the copies made here (by id, and keeping them alive so ids stay unique);
    only those are ever modified in place. Values taken from the operations are deep-copied,
    and so is the source of ``copy``, so no owned container is ever reachable twice.
    """

    def __init__(self, doc: Any) -> None:
        self.root: Any = doc
        self._owned: dict[int, Any] = {}

    def apply(self, op: object) -> None:
        if not isinstance(op, dict):
            raise JsonPatchError("an operation must be an object")
        name = op.get("op")
        path = _pointer(op, "path")
        if name == "add":
            self._add(path, self._fresh(_value(op)))
        elif name == "remove":
            self._remove(path)
        elif name == "replace":
            value = self._fresh(_value(op))
            if not path:
                self.root = value
                return
            parent, key = self._locate(path)
            parent[key] = value
        elif name == "move":
            source = _pointer(op, "from")
            if source == path:
                _get(self.root, source)
                return
            if path[: len(source)] == source:
                raise JsonPatchError("cannot move a value into one of its own children")
            self._add(path, self._remove(source))
        elif name == "copy":
            self._add(path, self._fresh(_get(self.root, _pointer(op, "from"))))
        elif name == "test":
            if not _json_equal(_get(self.root, path), _value(op)):
                raise JsonPatchError("test failed: the value differs")
        else:
            raise JsonPatchError(f"unknown op {name!r}")

    def _fresh(self, value: Any) -> Any:
        return copy.deepcopy(value) if isinstance(value, dict | list) else value

    def _own(self, value: Any) -> Any:
        if id(value) in self._owned or not isinstance(value, dict | list):
            return value
        mine = dict(value) if isinstance(value, dict) else list(value)
        self._owned[id(mine)] = mine
        return mine

    def _writable(self, path: list[str]) -> Any:
        """The container at ``path``, and every one above it, made our own to modify."""
        self.root = node = self._own(self.root)
        for depth, token in enumerate(path):
            if isinstance(node, dict):
                if token not in node:
                    raise JsonPatchError(f"path not found at '{_render(path[: depth + 1])}'")
                key: Any = token
            elif isinstance(node, list):
                key = _index(node, token)
            else:
                raise JsonPatchError(f"'{_render(path[:depth])}' is not a container")
            node[key] = child = self._own(node[key])
            node = child
        if not isinstance(node, dict | list):
            raise JsonPatchError(f"'{_render(path)}' is not a container")
        return node

    def _locate(self, path: list[str]) -> tuple[Any, Any]:
        """The (writable) container holding the existing value at ``path``, and its key there."""
        parent = self._writable(path[:-1])
        token = path[-1]
        if isinstance(parent, list):
            return parent, _index(parent, token)
        if token not in parent:
            raise JsonPatchError(f"path not found at '{_render(path)}'")
        return parent, token

    def _add(self, path: list[str], value: Any) -> None:
        if not path:
            self.root = value
            return
        parent = self._writable(path[:-1])
        token = path[-1]
        if isinstance(parent, list):
            parent.insert(_index(parent, token, allow_end=True), value)
        else:
            parent[token] = value

    def _remove(self, path: list[str]) -> Any:
        if not path:
            raise JsonPatchError("cannot remove the whole document")
        parent, key = self._locate(path)
        return parent.pop(key)


def _member(op: object, name: str) -> str | None:
    value = op.get(name) if isinstance(op, dict) else None
    return value if isinstance(value, str) else None


def _describe(op: object) -> str:
    # Only strings are shown, and not at any length: "path" may be a 6 MB value by mistake.
    if isinstance(op, dict):
        name, path = _member(op, "op") or "?", _member(op, "path")
        shown = "?" if path is None else path if len(path) <= 80 else path[:79] + "…"
        return f"{name[:20]} {shown}"
    return type(op).__name__


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
    return parse_pointer(text)


def parse_pointer(text: str) -> list[str]:
    """Split an RFC 6901 JSON Pointer into its unescaped reference tokens (``""`` → ``[]``).

    Raises :class:`JsonPatchError` when ``text`` is neither empty nor starts with ``/``, or holds
    a ``~`` not followed by ``0`` or ``1``. ``-`` (the end of an array) is a token like any other:
    whether it may be used depends on the document.
    """
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
