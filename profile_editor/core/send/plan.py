"""What a send will do, decided once and Qt-free: checks, change set, confirmations, verification.

``plan(draft, target, stored)`` is the one place where a draft becomes a request. The window, the
command line and bulk runs all ask it, so they refuse, warn and verify alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from profile_editor.core.cooperate import pause
from profile_editor.core.http.models import ProfileRequest, body_problem
from profile_editor.core.methods import ACTION_NAMES, Method
from profile_editor.core.send.draft import Draft

# What every request checks, and loads: in a module of their own, which a load imports alone.
from profile_editor.core.send.target import (
    Refusal,
    RefusalField,
    Target,
    plan_load,
    precheck,
    target_problem,
)

# Change sets and patch previews are imported where they are worked out: a load (the command
# line's ``get``) needs neither, and they are a good part of its start-up.
if TYPE_CHECKING:
    from profile_editor.core.profile.changes import ChangeSet
    from profile_editor.core.profile.json_patch import PatchFailure

__all__ = [
    "EMPTY_PATCH",
    "ChangePreview",
    "Confirmation",
    "Refusal",
    "RefusalField",
    "SendPlan",
    "Stored",
    "Target",
    "Verification",
    "check_verification",
    "lost_summary",
    "plan",
    "plan_load",
    "plans_quickly",
    "preview_changes",
    "profile_body_problem",
    "protected_confirmation",
    "target_problem",
]

# How many key paths a confirmation or a mismatch names before it says "…".
LISTED_PATHS = 20
EMPTY_PATCH = "the patch has no operations: nothing to send."
# Bodies with at most this many values and characters of text are encoded (to measure them)
# in a few milliseconds.
QUICK_VALUES = 1_000
QUICK_CHARS = 500_000


@dataclass(frozen=True, eq=False)
class Stored:
    """The stored profile as last loaded or verified, and for which target (None: a 404)."""

    base_url: str
    recipient_id: str
    profile: dict[str, Any] | None

    def is_for(self, base_url: str, recipient_id: str) -> bool:
        return (self.base_url, self.recipient_id) == (base_url, recipient_id)


@dataclass(frozen=True)
class Confirmation:
    """A question to ask before sending; ``ok`` is the text of the button that goes ahead."""

    title: str
    text: str
    detail: str
    ok: str


@dataclass(frozen=True, eq=False)
class SendPlan:
    draft: Draft
    target: Target
    request: ProfileRequest
    # None while the stored profile of this target is unknown (not loaded).
    changes: ChangeSet | None
    confirmations: tuple[Confirmation, ...]
    # Whether a re-load can tell if the send did what the preview promised.
    verifiable: bool

    @property
    def expected(self) -> dict[str, Any] | None:
        """The stored profile after the send (None: deleted); only when ``verifiable``."""
        return self.changes.expected if self.changes is not None else None

    @property
    def action(self) -> str:
        return ACTION_NAMES[self.draft.method]


@dataclass(frozen=True)
class Verification:
    matches: bool
    differences: tuple[str, ...]  # "added x", "changed a.b", …

    @property
    def summary(self) -> str:
        if self.matches:
            return "verified: the stored profile matches the preview"
        listed = "; ".join(self.differences[:5]) + ("…" if len(self.differences) > 5 else "")
        return f"MISMATCH: the stored profile differs from the preview ({listed})"


def protected_confirmation(target: Target, what: str, ok: str) -> Confirmation | None:
    """The question before ``what`` goes to a protected environment (None elsewhere)."""
    env = target.environment
    if not (target.protected and env):
        return None
    return Confirmation(
        f"Send to {env}?",
        f"“{env}” is a protected environment ({target.base_url}). {what} there?",
        "",
        ok,
    )


def plan(
    draft: Draft,
    target: Target,
    stored: Stored | None,
    *,
    idempotency_key: str | None = None,
    verify: bool = True,
    changes: ChangeSet | None = None,
) -> SendPlan | Refusal:
    """Check the draft and decide everything about its send, or say why it is refused.

    ``changes`` is a change set already worked out for this draft against ``stored`` (the
    Changes view's), so a large profile is not diffed twice.
    """
    refusal = precheck(draft, target, "sent")
    if refusal is not None:
        return refusal
    if not draft.body_ready:
        return Refusal(f"Not sent: {draft.problem or 'the body is not ready.'}", "profile")
    if draft.method is Method.PATCH and not draft.patch:
        return Refusal(f"Not sent: {EMPTY_PATCH}", "profile")
    import uuid  # here: a load (the command line's start-up) does without it

    request = draft.to_request(
        target.base_url, idempotency_key=idempotency_key or str(uuid.uuid4())
    )
    # The exact bytes the client will send (kept on the request): Courier answers 413 above this.
    sent = draft.sent_body(request)
    unsendable = None if sent is None else sent[1]
    if unsendable is not None:
        return Refusal(f"Not sent: {unsendable}", "profile")
    known = (
        stored
        if stored is not None and stored.is_for(target.base_url, draft.recipient_id)
        else None
    )

    if known is None:
        changes = None
    elif changes is None:
        changes = _changes(draft, known)
    return SendPlan(
        draft=draft,
        target=target,
        request=request,
        changes=changes,
        confirmations=_confirmations(draft, target, changes),
        # A patch is verified against the result its preview worked out.
        verifiable=verify and changes is not None,
    )


def profile_body_problem(profile: dict[str, Any]) -> str | None:
    """Why a Merge or Replace of ``profile`` cannot be sent for its size (measured as the
    bytes :func:`plan` would send), or None; for checking rows before a run."""
    request = ProfileRequest(base_url="", recipient_id="", method=Method.POST, profile=profile)
    return body_problem(request.body_bytes() or b"")


def plans_quickly(draft: Draft) -> bool:
    """Whether :func:`plan` is quick enough for the UI thread: measuring the body encodes it,
    which for a multi-megabyte profile of many values takes a tenth of a second or more.
    Looks at most :data:`QUICK_VALUES` values, so the answer itself is quick."""
    body: Any = draft.patch if draft.method is Method.PATCH else draft.profile
    if not draft.method.has_body or body is None:
        return True
    return draft.body_fact("plans quickly", lambda: _is_small(body))


def _is_small(body: Any) -> bool:
    values, chars = QUICK_VALUES, QUICK_CHARS
    stack = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            chars -= len(value)
        elif isinstance(value, dict | list):
            values -= len(value)
            if values < 0:
                return False
            if isinstance(value, dict):
                chars -= sum(map(len, value))  # the keys
                stack.extend(value.values())
            else:
                stack.extend(value)
        if chars < 0:
            return False
    return True


def _changes(draft: Draft, stored: Stored) -> ChangeSet | None:
    from profile_editor.core.profile.changes import compute_changes, compute_changes_to
    from profile_editor.core.profile.json_patch import preview_patch

    if draft.method is Method.PATCH:
        preview = preview_patch(stored.profile, draft.patch or [])
        if preview.result is None:
            return None  # an op would fail: the preview says which
        return compute_changes_to(stored.profile, preview.result)
    return compute_changes(stored.profile, draft.profile or {}, draft.method)


def lost_summary(method: Method, changes: ChangeSet | None) -> str:
    """What a Replace or Delete takes away, for the confirmation."""
    if changes is None:
        return "The stored profile was not loaded, so what will be lost is unknown: " + (
            "the whole profile."
            if method is Method.DELETE
            else "every stored key not in the editor."
        )
    from profile_editor.core.profile.changes import ChangeKind

    lines = []
    for kind, label in ((ChangeKind.REMOVED, "Removed"), (ChangeKind.CHANGED, "Overwritten")):
        paths = [c.path for c in changes.changes if c.kind is kind]
        if paths:
            more = " …" if len(paths) > LISTED_PATHS else ""
            lines.append(f"{label} ({len(paths)}): " + ", ".join(paths[:LISTED_PATHS]) + more)
    return "\n".join(lines) or "Nothing stored will be lost."


def _confirmations(
    draft: Draft, target: Target, changes: ChangeSet | None
) -> tuple[Confirmation, ...]:
    action = ACTION_NAMES[draft.method]
    rid = draft.recipient_id
    asks: list[Confirmation] = []
    protected = protected_confirmation(
        target, f"{action} the profile of “{rid}”", f"{action} in {target.environment}"
    )
    if protected is not None:
        asks.append(protected)
    if draft.method in (Method.PUT, Method.DELETE):
        asks.append(
            Confirmation(
                f"{action} profile?",
                f"{action} the profile of “{rid}” at {target.base_url}?",
                lost_summary(draft.method, changes),
                action,
            )
        )
    return tuple(asks)


@dataclass(frozen=True, eq=False)
class ChangePreview:
    """What the Changes view shows: the change set, or a sentence saying why there is none."""

    message: str = ""
    action: str = ""
    recipient_id: str = ""
    changes: ChangeSet | None = None
    created: bool = False  # there is no stored profile yet: the send creates it
    working: bool = False  # being worked out; ``message`` says so
    failure: PatchFailure | None = None  # the patch op that would fail, and why


def preview_changes(draft: Draft, stored: Stored | None) -> ChangePreview:
    """What sending ``draft`` will change in ``stored`` (the profile last loaded for its target)."""
    rid = draft.recipient_id
    if not rid:
        return ChangePreview("Enter a recipient ID, then Load (Ctrl+L) to see its profile.")
    if stored is None:
        return ChangePreview(
            f"Load “{rid}” (Ctrl+L) to see what sending will change in the stored profile."
        )
    if not draft.body_ready:
        what = "patch" if draft.method is Method.PATCH else "profile"
        return ChangePreview(f"Fix the {what} first: it has a problem (see Problems).")
    if draft.method is Method.PATCH:
        from profile_editor.core.profile.changes import compute_changes_to
        from profile_editor.core.profile.json_patch import preview_patch

        preview = preview_patch(stored.profile, draft.patch or [])
        if preview.failure is not None:
            return ChangePreview(
                f"The patch would fail, nothing would change: {preview.failure}",
                ACTION_NAMES[Method.PATCH],
                rid,
                failure=preview.failure,
            )
        if not draft.patch:
            return ChangePreview(EMPTY_PATCH.capitalize(), ACTION_NAMES[Method.PATCH], rid)
        patched = compute_changes_to(stored.profile, preview.result)
        return ChangePreview("", ACTION_NAMES[Method.PATCH], rid, patched)
    changes = _changes(draft, stored)
    assert changes is not None
    created = stored.profile is None and draft.method.has_body
    return ChangePreview("", ACTION_NAMES[draft.method], rid, changes, created)


def check_verification(
    expected: dict[str, Any] | None, actual: dict[str, Any] | None
) -> Verification:
    """Compare the profile a send should have left with the one stored now (None: none)."""
    if _json_equal(expected, actual):
        return Verification(True, ())
    from profile_editor.core.profile.changes import ChangeKind, compute_changes

    diff = compute_changes(expected or {}, actual or {}, Method.PUT)
    found = tuple(
        f"{c.kind.value} {c.path}" for c in diff.changes if c.kind is not ChangeKind.UNTOUCHED
    )
    if not found and (expected is None) != (actual is None):
        found = ("removed the whole profile",) if actual is None else ("added a profile",)
    return Verification(not found, found)


def _json_equal(a: Any, b: Any) -> bool:
    """Equal as JSON: 1, 1.0 and true differ (Python's == says they are equal). Walked in
    Python, pausing for the UI thread: one ``==`` on two 6 MB profiles holds the GIL for tens of
    milliseconds on the worker that verifies."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        for index, (key, value) in enumerate(a.items()):
            pause(index)
            if key not in b or not _json_equal(value, b[key]):
                return False
        return True
    if isinstance(a, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
