"""The dialog stub itself: it must fail loudly rather than let a test pass by accident."""

from __future__ import annotations

import pytest
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.ui.common import dialogs


def test_answers_hold_until_changed_and_questions_are_recorded(dialog_stub: DialogStub) -> None:
    assert dialogs.confirm(None, "Title", "Text", "Details", ok="Go") is True
    dialog_stub.answer("confirm", False)
    assert dialogs.confirm(None, "Again", "More") is False
    assert dialogs.confirm(None, "Third", "Still") is False
    assert dialogs.ask_text(None, "Name", "Preset name:", "suggested") is None
    assert dialog_stub.kinds() == ["confirm", "confirm", "confirm", "ask_text"]
    first = dialog_stub.questions[0]
    assert (first.title, first.text, first.args, first.options) == (
        "Title",
        "Text",
        ("Title", "Text", "Details"),
        {"ok": "Go"},
    )
    assert dialog_stub.last().words() == "Name Preset name: suggested"
    assert dialog_stub.text_of("confirm").splitlines() == [
        "Title Text Details",
        "Again More",
        "Third Still",
    ]


def test_a_call_the_real_dialog_would_refuse_fails(dialog_stub: DialogStub) -> None:
    with pytest.raises(TypeError):
        dialogs.inform(None, "Only a title")  # type: ignore[call-arg]
    assert dialog_stub.questions == []


def test_a_dialog_function_without_an_answer_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def ask_color(parent: object, title: str, text: str) -> str:
        raise AssertionError("a real dialog would open")

    ask_color.__module__ = dialogs.__name__
    monkeypatch.setattr(dialogs, "ask_color", ask_color, raising=False)
    DialogStub().install(monkeypatch)
    with pytest.raises(AssertionError, match="no answer in DialogStub"):
        dialogs.ask_color(None, "Color", "Pick one")  # type: ignore[attr-defined]
