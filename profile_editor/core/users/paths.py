"""Paths under ``/users/{user_id}``: every ID travels as ONE percent-encoded segment.

The user ID follows the recipient-ID rules of profiles (``check_recipient_id``); a topic ID,
token or tenant ID only has to be a usable segment: Courier's SDKs refuse an empty one before
any request, and ``.``/``..`` would be read as path steps on the way.
"""

from __future__ import annotations

from profile_editor.core.recipient import check_recipient_id, encode_path_segment

__all__ = ["segment", "segment_problem", "user_id_problem", "user_path"]


def user_id_problem(user_id: str) -> str | None:
    """Why ``user_id`` cannot be sent (the profile rules), or None."""
    check = check_recipient_id(user_id)
    return None if check.sendable else check.message


def user_path(user_id: str) -> str:
    """``/users/{user_id}`` with the ID as one encoded segment (refuse it first: see
    :func:`user_id_problem`)."""
    return "/users/" + encode_path_segment(user_id)


def segment_problem(value: str, what: str = "ID") -> str | None:
    """Why ``value`` cannot be one path segment, naming ``what`` it is ("topic ID"), or None."""
    if value == "" or value.isspace():
        return f"Enter a {what}: an empty one cannot be sent."
    if value != value.strip():
        return f"The {what} “{value}” starts or ends with whitespace; remove it (IDs are exact)."
    if value in (".", ".."):
        return f"“{value}” cannot be a {what}: it is a path step."
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return f"The {what} contains a control character."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"The {what} contains an unpaired surrogate."
    return None


def segment(value: str, what: str = "ID") -> str:
    """``value`` as one encoded path segment; a ValueError (with why) when it cannot be one."""
    problem = segment_problem(value, what)
    if problem is not None:
        raise ValueError(problem)
    return encode_path_segment(value)
