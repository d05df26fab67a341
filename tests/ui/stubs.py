"""Test doubles for the UI, in one place (as qutebrowser keeps its ``tests/helpers/stubs.py``).

``DialogStub`` stands in for every function of :mod:`profile_editor.ui.common.dialogs`, the one seam
through which the app asks the user anything: it records each question and gives a scripted
answer, so no modal dialog ever opens in a test.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from profile_editor.ui.common import dialogs

# What each question gets when a test has not scripted an answer: the answer that lets the
# user's action go ahead (confirm, discard), or none where there is nothing to say (a name).
DEFAULT_ANSWERS: dict[str, Any] = {
    "confirm": True,
    "ask_discard": True,
    "ask_save_discard_cancel": dialogs.Choice.DISCARD,
    "ask_text": None,
    "inform": None,
    "ask_save_path": None,
    "ask_open_path": None,
    "ask_form": None,
}


@dataclass(frozen=True)
class Question:
    """One question the app asked: which dialog, and its arguments after the parent."""

    kind: str
    args: tuple[Any, ...]
    options: dict[str, Any] = field(default_factory=dict)  # keyword arguments, e.g. ok=

    @property
    def title(self) -> str:
        return str(self.args[0])

    @property
    def text(self) -> str:
        return str(self.args[1])

    def words(self) -> str:
        """Title, text and details (or the suggested answer), as one string to search."""
        return " ".join(str(a) for a in self.args)


class DialogStub:
    """Scripted answers for :mod:`profile_editor.ui.common.dialogs`, and a record of what was asked.

    An answer set with :meth:`answer` holds until it is set again. A dialog function the stub
    does not know (added to the module later) fails the test when called, rather than opening
    a real dialog that no one will close.
    """

    def __init__(self) -> None:
        self.questions: list[Question] = []
        self._answers = dict(DEFAULT_ANSWERS)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name, real in inspect.getmembers(dialogs, inspect.isfunction):
            if real.__module__ == dialogs.__name__ and not name.startswith("_"):
                monkeypatch.setattr(dialogs, name, self._stand_in(name, real))

    def _stand_in(self, kind: str, real: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(real)

        def ask(*args: Any, **kwargs: Any) -> Any:
            signature.bind(*args, **kwargs)  # called as the real one would be
            self.questions.append(Question(kind, args[1:], kwargs))
            assert kind in self._answers, f"dialogs.{kind} has no answer in DialogStub"
            return self._answers[kind]

        return ask

    def answer(self, kind: str, value: Any) -> None:
        """What ``dialogs.<kind>`` returns from now on."""
        assert kind in DEFAULT_ANSWERS or hasattr(dialogs, kind), kind
        self._answers[kind] = value

    def kinds(self) -> list[str]:
        """Which dialogs were asked, in order."""
        return [q.kind for q in self.questions]

    def last(self) -> Question:
        assert self.questions, "nothing was asked"
        return self.questions[-1]

    def of(self, kind: str) -> list[Question]:
        return [q for q in self.questions if q.kind == kind]

    def text_of(self, kind: str) -> str:
        """Every question of one kind, one per line, as :meth:`Question.words`."""
        return "\n".join(q.words() for q in self.of(kind))
