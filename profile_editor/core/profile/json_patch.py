"""JSON Patch (RFC 6902) as the editor sees it: checked as it is typed, and tried before sending.

:func:`validate_patch` finds what is wrong with a patch on its own (shape, op names, pointer
syntax, missing members); :func:`preview_patch` runs it against the stored profile with the same
code the sandbox uses to apply it (:func:`profile_editor.core.profile.ops.apply_json_patch`), so the
preview and the server agree. The change set for the Changes view is
``compute_changes_to(stored, preview.result)`` from :mod:`profile_editor.core.profile.changes`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from profile_editor.core.profile.jsoncodec import type_name
from profile_editor.core.profile.ops import (
    PATCH_OPS,
    JsonPatchError,
    apply_json_patch,
    parse_pointer,
)

__all__ = ["PatchFailure", "PatchPreview", "PatchProblem", "preview_patch", "validate_patch"]

# Members each op needs besides "op" and "path" (RFC 6902 section 4).
_NEEDS_VALUE = frozenset({"add", "replace", "test"})
_NEEDS_FROM = frozenset({"move", "copy"})


@dataclass(frozen=True)
class PatchProblem:
    """One thing wrong with a patch as written, found without looking at any profile.

    ``index`` is the position of the operation in the array (None: the patch as a whole) and
    ``field`` the member concerned (``"op"``, ``"path"``, ``"from"``, ``"value"``; None: the
    operation as a whole).
    """

    index: int | None
    field: str | None
    message: str

    @property
    def location(self) -> str:
        """Where, for a problems list: ``"patch"``, ``"op 2"`` or ``"op 2, path"``."""
        if self.index is None:
            return "patch"
        return f"op {self.index}" + (f", {self.field}" if self.field else "")

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class PatchFailure:
    """The first operation that would fail against the stored profile, and why.

    ``index`` is None when no single operation is to blame (no stored profile, or a patch whose
    result is not an object). ``op`` and ``path`` are as written in that operation.
    """

    index: int | None
    op: str | None
    path: str | None
    reason: str

    def __str__(self) -> str:
        if self.index is None:
            return self.reason
        return f"op {self.index} ({self.op or '?'} {self.path or '?'}): {self.reason}"


@dataclass(frozen=True)
class PatchPreview:
    """What a PATCH would do: the resulting profile, or why it would be refused.

    Exactly one of ``result`` and ``failure`` is set. ``problems`` are those of
    :func:`validate_patch`; when there are any, ``failure`` names the first.
    """

    result: dict[str, Any] | None
    failure: PatchFailure | None
    problems: tuple[PatchProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failure is None


def validate_patch(value: object) -> list[PatchProblem]:
    """Every problem of ``value`` as a JSON Patch for a profile, in order; ``[]``: well formed.

    Checks the shape (an array of objects), op names, the JSON Pointer syntax of ``path`` and
    ``from`` (RFC 6901, including ``~0``/``~1``), ``value``/``from`` where the op needs them and
    moves into a value's own children. Whether paths exist is for :func:`preview_patch`.
    """
    if not isinstance(value, list):
        return [
            PatchProblem(
                None,
                None,
                f"a JSON Patch is an array of operations, e.g. "
                f'[{{"op": "replace", "path": "/email", "value": "…"}}], not {_a(value)}',
            )
        ]
    problems: list[PatchProblem] = []
    for index, op in enumerate(value):
        problems += _check_op(index, op)
    return problems


def preview_patch(stored: dict[str, Any] | None, ops: object) -> PatchPreview:
    """Try ``ops`` on ``stored`` without sending anything; neither argument is modified.

    ``stored`` is the loaded profile, None when the recipient has none: Courier then answers a
    PATCH with 404, as the sandbox does. A patch with :func:`validate_patch` problems fails at the
    first of them, before any operation is tried. The result shares unchanged values with
    ``stored``: treat both as read-only.
    """
    problems = tuple(validate_patch(ops))
    if problems:
        first = problems[0]
        op = ops[first.index] if isinstance(ops, list) and first.index is not None else None
        return PatchPreview(
            None,
            PatchFailure(first.index, _member(op, "op"), _member(op, "path"), first.message),
            problems,
        )
    if stored is None:
        reason = "there is no stored profile to patch: Courier answers 404 (send Merge or Replace to create one)"
        return PatchPreview(None, PatchFailure(None, None, None, reason))
    assert isinstance(ops, list)
    try:
        result = apply_json_patch(stored, ops)
    except JsonPatchError as exc:
        return PatchPreview(None, PatchFailure(exc.index, exc.op, exc.path, exc.reason))
    return PatchPreview(result, None)


def _check_op(index: int, op: object) -> list[PatchProblem]:
    if not isinstance(op, dict):
        return [PatchProblem(index, None, f"an operation is an object, not {_a(op)}")]
    problems: list[PatchProblem] = []
    name = op.get("op")
    if "op" not in op:
        problems.append(PatchProblem(index, "op", f"missing; one of {_names()}"))
    elif not isinstance(name, str):
        problems.append(PatchProblem(index, "op", f"must be a string, not {_a(name)}"))
    elif name not in PATCH_OPS:
        close = difflib.get_close_matches(name.lower(), PATCH_OPS, n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"use one of {_names()}"
        problems.append(PatchProblem(index, "op", f'unknown op "{name}": {hint}'))
    if not isinstance(name, str):
        name = None  # e.g. [] or {}, which the op-name sets below cannot even look up
    path = _check_pointer(index, op, "path", problems)
    if name in _NEEDS_FROM:
        source = _check_pointer(index, op, "from", problems)
        moves_into_itself = (
            path is not None
            and source is not None
            and path != source
            and path[: len(source)] == source
        )
        if name == "move" and moves_into_itself:
            problems.append(
                PatchProblem(index, "path", "cannot move a value into one of its own children")
            )
    if name in _NEEDS_VALUE and "value" not in op:
        problems.append(PatchProblem(index, "value", f'missing: "{name}" needs a value'))
    if name == "remove" and path == []:
        problems.append(PatchProblem(index, "path", "cannot remove the whole profile"))
    if name in ("add", "replace") and path == [] and not isinstance(op.get("value", {}), dict):
        problems.append(
            PatchProblem(
                index, "value", f"the whole profile must be an object, not {_a(op['value'])}"
            )
        )
    return problems


def _check_pointer(
    index: int, op: dict[str, Any], field: str, problems: list[PatchProblem]
) -> list[str] | None:
    if field not in op:
        problems.append(PatchProblem(index, field, 'missing: a JSON Pointer such as "/email"'))
        return None
    text = op[field]
    if not isinstance(text, str):
        problems.append(PatchProblem(index, field, f"must be a string, not {_a(text)}"))
        return None
    if text and not text.startswith("/"):
        problems.append(
            PatchProblem(index, field, f'"{text}" must start with "/" (e.g. "/{text}")')
        )
        return None
    try:
        return parse_pointer(text)
    except JsonPatchError:
        problems.append(
            PatchProblem(index, field, f'"{text}": "~" must be followed by 0 ("~") or 1 ("/")')
        )
        return None


def _member(op: object, name: str) -> str | None:
    value = op.get(name) if isinstance(op, dict) else None
    return value if isinstance(value, str) else None


def _names() -> str:
    return ", ".join(PATCH_OPS)


def _a(value: object) -> str:
    name = type_name(value)
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"
