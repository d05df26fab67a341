"""Where a request goes, why it may not go, and the plan of a load.

What every request checks, whatever it is; :mod:`.plan` builds sends on it. Kept apart so that a
load (the command line's ``get``, whose start-up is measured) imports neither the send plan nor
its dataclasses: the two classes here are plain, since making a dataclass costs about 0.3 ms.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from profile_editor.core.http.config import insecure_key_problem
from profile_editor.core.http.models import ProfileRequest
from profile_editor.core.recipient import check_recipient_id
from profile_editor.core.send.draft import Draft

__all__ = ["Refusal", "RefusalField", "Target", "plan_load", "precheck", "target_problem"]

# "preferences", "tokens", "tenants": the recipient's other tabs (core.users plans).
RefusalField = Literal["recipient", "key", "profile", "url", "preferences", "tokens", "tenants"]


class _Frozen:
    """Set once in ``__init__``; compared and hashed by its fields, as a frozen dataclass."""

    __slots__ = ()
    _FIELDS: ClassVar[tuple[str, ...]] = ()  # in the order of the constructor's arguments

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"{type(self).__name__}({fields})"


class Target(_Frozen):
    """Where a request goes: the environment's base URL and whether it asks before sending."""

    __slots__ = ("base_url", "environment", "has_key", "protected")
    _FIELDS = ("base_url", "environment", "protected", "has_key")
    base_url: str
    environment: str | None
    protected: bool
    has_key: bool

    def __init__(
        self,
        base_url: str,
        environment: str | None = None,
        protected: bool = False,
        has_key: bool = True,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "base_url", base_url)
        set_(self, "environment", environment)
        set_(self, "protected", protected)
        set_(self, "has_key", has_key)


class Refusal(_Frozen):
    """Why nothing is sent, in a sentence, and which input to put the focus on."""

    __slots__ = ("field", "message")
    _FIELDS = ("message", "field")
    message: str
    field: RefusalField

    def __init__(self, message: str, field: RefusalField) -> None:
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "field", field)


def target_problem(recipient_id: str, target: Target) -> tuple[str, RefusalField] | None:
    """Why nothing may go to ``target`` for this recipient (a sentence and the input to fix),
    or None: the checks every request makes, whatever it is."""
    check = check_recipient_id(recipient_id)
    if not check.sendable:
        return check.message, "recipient"
    if not target.has_key:
        return "no API key. Set COURIER_API_KEY or paste the key in the API key field.", "key"
    problem = insecure_key_problem(target.base_url, True)
    if problem:
        return problem, "url"
    return None


def precheck(draft: Draft, target: Target, verb: str) -> Refusal | None:
    problem = target_problem(draft.recipient_id, target)
    return Refusal(f"Not {verb}: {problem[0]}", problem[1]) if problem is not None else None


def plan_load(draft: Draft, target: Target) -> ProfileRequest | Refusal:
    """The GET that loads the stored profile of the draft's recipient."""
    refusal = precheck(draft, target, "loaded")
    return refusal or draft.to_load_request(target.base_url)
