"""What a list-subscription request from the window will do, decided Qt-free: the checks a
profile send makes (recipient ID, key, plain HTTP), the questions to ask, and the wording of
how it ended.

The window reads, subscribes and unsubscribes through these plans, so a list request is refused
for the same reasons, and asks before going to a protected environment, as a profile send does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from profile_editor.core.http.models import Outcome, OutcomeKind
from profile_editor.core.http.outcome_text import failure_line
from profile_editor.core.lists.requests import (
    GetSubscriptionsRequest,
    ListsRequest,
    ListSubscription,
    SubscribeRequest,
    SubscriptionsResult,
    UnsubscribeAllRequest,
)
from profile_editor.core.send.plan import (
    Confirmation,
    Refusal,
    Target,
    protected_confirmation,
    target_problem,
)

__all__ = [
    "ListsPlan",
    "change_status",
    "plan_read",
    "plan_subscribe",
    "plan_unsubscribe_all",
    "read_status",
    "subscriptions_count",
]


@dataclass(frozen=True, eq=False)
class ListsPlan:
    """One list request, where it goes, and what to ask before sending it."""

    request: ListsRequest
    target: Target
    confirmations: tuple[Confirmation, ...] = ()
    verb: str = "Read subscriptions"  # names the request in the status line

    @property
    def recipient_id(self) -> str:
        return self.request.recipient_id


def _precheck(recipient_id: str, target: Target, verb: str) -> Refusal | None:
    problem = target_problem(recipient_id, target)
    if problem is None:
        return None
    reason, field = problem
    joiner = ", " if field == "key" else ". "  # "not sent, no API key." reads as one sentence
    return Refusal(f"{verb}: not sent{joiner}{reason}", field)


def _protected(target: Target, what: str) -> tuple[Confirmation, ...]:
    ask = protected_confirmation(target, what, f"Send to {target.environment}")
    return (ask,) if ask is not None else ()


def plan_read(recipient_id: str, target: Target) -> ListsPlan | Refusal:
    """Reading every page of the recipient's subscriptions (no question: it changes nothing)."""
    verb = "Read subscriptions"
    refusal = _precheck(recipient_id, target, verb)
    if refusal is not None:
        return refusal
    request = GetSubscriptionsRequest(base_url=target.base_url, recipient_id=recipient_id)
    return ListsPlan(request, target, (), verb)


def plan_subscribe(recipient_id: str, list_id: str, target: Target) -> ListsPlan | Refusal:
    """Subscribing to one list (``list_id`` not blank: the window asks for one first)."""
    verb = "Subscribe"
    list_id = list_id.strip()
    refusal = _precheck(recipient_id, target, verb)
    if refusal is not None:
        return refusal
    request = SubscribeRequest(
        base_url=target.base_url,
        recipient_id=recipient_id,
        lists=(ListSubscription(listId=list_id),),
        idempotency_key=str(uuid.uuid4()),
    )
    asks = _protected(target, f"Subscribe “{recipient_id}” to the list “{list_id}”")
    return ListsPlan(request, target, asks, verb)


def subscriptions_count(count: int | None) -> str:
    if count is None:
        return "every list it is subscribed to (not loaded here, so how many is unknown)"
    return f"{count} subscription{'' if count == 1 else 's'}"


def plan_unsubscribe_all(
    recipient_id: str, target: Target, count: int | None
) -> ListsPlan | Refusal:
    """``count``: the subscriptions shown for this recipient and target, None when unknown."""
    verb = "Unsubscribe all"
    refusal = _precheck(recipient_id, target, verb)
    if refusal is not None:
        return refusal
    request = UnsubscribeAllRequest(base_url=target.base_url, recipient_id=recipient_id)
    where = target.environment or target.base_url
    asks = _protected(target, f"Unsubscribe “{recipient_id}” from every list")
    asks += (
        Confirmation(
            "Unsubscribe from every list?",
            f"Unsubscribe “{recipient_id}” in {where} from every list? "
            f"This removes {subscriptions_count(count)}.",
            f"{target.base_url} — the profile itself stays.",
            "Unsubscribe all",
        ),
    )
    return ListsPlan(request, target, asks, verb)


def read_status(recipient_id: str, result: SubscriptionsResult) -> tuple[str, str]:
    """The status line (text, state) after reading the subscriptions."""
    if result.ok:
        count = len(result.subscriptions)
        return (
            f"✓ “{recipient_id}” has {subscriptions_count(count)} — {result.elapsed_ms:,.0f} ms",
            "success",
        )
    line = failure_line("Reading the subscriptions", result.outcome)
    if result.subscriptions:
        line += f" ({len(result.subscriptions)} read before it stopped)"
    state = "idle" if result.outcome.kind is OutcomeKind.CANCELLED else "error"
    return line, state


def change_status(plan: ListsPlan, outcome: Outcome) -> tuple[str, str]:
    """The status line (text, state) after a subscribe or an unsubscribe-all."""
    if not outcome.ok:
        state = "idle" if outcome.kind is OutcomeKind.CANCELLED else "error"
        return failure_line(plan.verb, outcome), state
    rid, request = plan.recipient_id, plan.request
    if isinstance(request, SubscribeRequest):
        names = ", ".join(f"“{item.list_id}”" for item in request.lists)
        done = f"Subscribed “{rid}” to {names}"
    else:
        done = f"Unsubscribed “{rid}” from every list"
    return f"✓ {done} — {outcome.elapsed_ms:,.0f} ms", "success"
