"""Calling every listener of one event, even when one of them fails."""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["call_each"]


def call_each(functions: Iterable[Callable[..., object]], *args: object) -> None:
    """Call each of ``functions`` with ``args``, in order. Every one is called, as with separate
    signal connections; the first exception (a bug in one of them) is raised after the last."""
    error: Exception | None = None
    for function in functions:
        try:
            function(*args)
        except Exception as exc:
            error = error or exc
    if error is not None:
        raise error
