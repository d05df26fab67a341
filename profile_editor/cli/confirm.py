"""Asking before a write, as the window does: on a terminal, or refused without ``--yes``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from profile_editor.cli.exits import UsageError

if TYPE_CHECKING:
    from profile_editor.cli.context import Context
    from profile_editor.cli.output import Output
    from profile_editor.core.send.plan import Confirmation


def _ask(out: Output, ask: Confirmation) -> bool:
    out.say(f"{ask.title}\n{ask.text}")
    if ask.detail:
        out.say(ask.detail)
    try:
        answer = input(f"{ask.ok}? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def confirmed(ctx: Context, out: Output, asks: Sequence[Confirmation]) -> bool:
    """Whether every question was answered yes (``--yes`` answers them all).

    With no terminal to ask on, a question is a usage error that says to pass ``--yes``."""
    if ctx.yes or not asks:
        return True
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError(
            f"Not sent: {asks[0].text} This asks first; pass --yes to answer it "
            "(there is no terminal to ask on)."
        )
    return all(_ask(out, ask) for ask in asks)
