"""Following opaque cursors page by page: what reading every list subscription and every tenant
membership share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from profile_editor.core.http.models import Outcome, OutcomeKind

__all__ = ["PageRead", "PagesRead", "read_all_pages"]

T = TypeVar("T")

PageRead = tuple[list[T], bool, str | None]
"""One page's items, whether the server has more, and the cursor to the next page."""


@dataclass(frozen=True)
class PagesRead(Generic[T]):
    """Every item read, and the outcome of the last request (the one that failed, if one did)."""

    items: list[T]
    outcome: Outcome
    pages: int
    attempts: int  # over all pages, retries included
    elapsed_ms: float  # over all pages
    complete: bool


def read_all_pages(
    send: Callable[[str | None], Outcome],
    parse: Callable[[Outcome], PageRead[T] | None],
    *,
    max_pages: int,
    what: str,
) -> PagesRead[T]:
    """``send(cursor)`` from no cursor on, while ``parse`` finds a page that has more.

    Stops at the first request that does not succeed (its outcome says why; ``parse`` gives None),
    and on a server that repeats a cursor or pages beyond ``max_pages``: then the outcome is
    "``what`` not fully read".
    """
    items: list[T] = []
    seen: set[str] = set()
    cursor: str | None = None
    pages = attempts = 0
    elapsed = 0.0
    while True:
        outcome = send(cursor)
        attempts += outcome.attempts
        elapsed += outcome.elapsed_ms
        page = parse(outcome)
        complete = False
        if page is not None:
            pages += 1
            found, more, cursor = page
            items.extend(found)
            if not more or not cursor:
                complete = True
            elif cursor in seen:
                outcome = _paging_problem(
                    outcome, what, "The server handed out the same cursor twice."
                )
            elif pages >= max_pages:
                outcome = _paging_problem(
                    outcome, what, f"More than {max_pages} pages; stopped reading."
                )
            else:
                seen.add(cursor)
                continue
        return PagesRead(items, outcome, pages, attempts, elapsed, complete)


def _paging_problem(last: Outcome, what: str, message: str) -> Outcome:
    return Outcome(
        kind=OutcomeKind.UNEXPECTED,
        summary=f"{what} not fully read",
        status_code=last.status_code,
        message=message,
        elapsed_ms=last.elapsed_ms,
        attempts=last.attempts,
    )
