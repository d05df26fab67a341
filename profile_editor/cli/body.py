"""Reading a profile or a patch from a file or stdin, strictly (the JSON tab's rules)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from profile_editor.cli.exits import UsageError
from profile_editor.core.methods import Method

METHOD_NAMES = {
    "merge": Method.POST,
    "replace": Method.PUT,
    "delete": Method.DELETE,
    "patch": Method.PATCH,
}


def read_text(source: str) -> tuple[str, str]:
    """The text of ``source`` (a path, or ``-`` for stdin) and a name for messages."""
    if source == "-":
        return sys.stdin.read(), "stdin"
    try:
        return Path(source).read_text(encoding="utf-8-sig"), source
    except FileNotFoundError:
        raise UsageError(f"No such file: {source}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read {source}: {exc}") from None


def parse_body(
    text: str, name: str, method: Method
) -> tuple[dict[str, Any] | None, list[dict[str, Any]] | None]:
    """The profile (merge, replace) or the operations (patch) in ``text``.

    A bare profile object or a request body ``{"profile": {...}}`` are both accepted; for a patch,
    an array of operations or ``{"patch": [...]}``.
    """
    from profile_editor.core.profile.jsoncodec import JsonProblem, parse_value

    try:
        value = parse_value(text)
    except JsonProblem as problem:
        raise UsageError(f"{name}: {problem}") from None
    if method is Method.PATCH:
        if isinstance(value, dict) and set(value) == {"patch"}:
            value = value["patch"]
        if not isinstance(value, list) or not all(isinstance(op, dict) for op in value):
            raise UsageError(f'{name}: a patch is a JSON array of operations, e.g. [{{"op": …}}]')
        return None, value
    if not isinstance(value, dict):
        raise UsageError(f"{name}: the profile must be a JSON object {{ … }}")
    # Courier's well-known "profile" field is a URL string; an object there is a request body.
    if set(value) == {"profile"} and isinstance(value["profile"], dict):
        value = value["profile"]
    return value, None
