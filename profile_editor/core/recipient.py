"""Recipient-ID rules: what may be sent, what deserves a warning, and how it is encoded."""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from typing import Any

# RFC 3986 pchar minus percent-encoded triplets: unreserved / sub-delims / ":" / "@".
_PCHAR_TEXT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@"
_PCHAR = frozenset(_PCHAR_TEXT.encode("ascii"))
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Digits with the usual phone punctuation, at least 7 digits in all.
_PHONE = re.compile(r"^\+?[\d\s().-]+$")
# One C search instead of a Python step per character: a new ID is checked on every keystroke.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# An ID made of pchar alone is its own encoding (the common case: no byte to look at).
_PLAIN_SEGMENT = re.compile(f"[{re.escape(_PCHAR_TEXT)}]*")


class Severity(Enum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


class IdCheck:
    """The verdict on a recipient ID; only ERROR blocks sending."""

    severity: Severity
    message: str

    def __init__(self, severity: Severity, message: str) -> None:
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "message", message)

    def _key(self) -> tuple[Any, ...]:
        return (self.severity, self.message)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IdCheck) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}(severity={self.severity!r}, message={self.message!r})"
        )

    @property
    def sendable(self) -> bool:
        return self.severity is not Severity.ERROR


def check_recipient_id(recipient_id: str) -> IdCheck:
    """The verdict on ``recipient_id``. One send asks about the same ID several times (the
    field's hint, the plan, the target checks): the last verdicts are kept, so each costs one
    pass over the rules."""
    return _recent_verdict(recipient_id)


# Verdicts are immutable and depend on the text alone; 16 covers what one window or run asks
# about at a time, and a bulk run's stream of new IDs costs a miss each, not a growing table.
@lru_cache(maxsize=16)
def _recent_verdict(recipient_id: str) -> IdCheck:
    return _verdict(recipient_id)


def _verdict(recipient_id: str) -> IdCheck:
    if recipient_id == "" or recipient_id.isspace():
        return IdCheck(Severity.ERROR, "Enter a recipient ID.")
    if recipient_id != recipient_id.strip():
        return IdCheck(
            Severity.ERROR,
            "The recipient ID starts or ends with whitespace; remove it (IDs are exact strings).",
        )
    if recipient_id in (".", ".."):
        return IdCheck(
            Severity.ERROR, f"“{recipient_id}” cannot be a recipient ID: it is a path step."
        )
    if _CONTROL.search(recipient_id):
        return IdCheck(Severity.ERROR, "The recipient ID contains a control character.")
    try:
        recipient_id.encode("utf-8")
    except UnicodeEncodeError:
        return IdCheck(Severity.ERROR, "The recipient ID contains an unpaired surrogate.")
    if _EMAIL.match(recipient_id):
        return IdCheck(
            Severity.WARNING,
            "Looks like an email address. Courier advises stable IDs: emails change.",
        )
    if _PHONE.match(recipient_id) and sum(ch.isdigit() for ch in recipient_id) >= 7:
        return IdCheck(
            Severity.WARNING,
            "Looks like a phone number. Courier advises stable IDs: phone numbers change.",
        )
    return IdCheck(Severity.OK, "")


def encode_path_segment(value: str) -> str:
    """Percent-encode ``value`` as ONE path segment, as Courier's SDKs do (UTF-8, then pchar)."""
    if _PLAIN_SEGMENT.fullmatch(value):
        return value
    return "".join(chr(b) if b in _PCHAR else f"%{b:02X}" for b in value.encode("utf-8"))


def profile_path(recipient_id: str) -> str:
    return "/profiles/" + encode_path_segment(recipient_id)
