"""The unsaved-changes question never loses the user's choice: in an untitled window Save says it
saves a new preset, the name dialog does not take a blank name, and a save that does not happen
(the name dialog cancelled) stops the action that asked, with the edits still in the editor."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from driver import WindowDriver  # type: ignore[import-not-found]
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.common import dialogs
from profile_editor.ui.common.text_dialog import TextDialog

# -- the name dialog ----------------------------------------------------------------------------


def test_ok_is_disabled_while_the_name_is_blank_and_a_hint_says_why(qtbot: QtBot) -> None:
    dialog = TextDialog(None, "Save preset", "Preset name:", "", "A name, please.")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button().isEnabled()
    assert dialog.hint.text() == "A name, please."
    qtbot.keyClicks(dialog.edit, "   ")
    assert not dialog.ok_button().isEnabled()
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)  # Enter on a blank name does nothing
    assert dialog.isVisible() and dialog.result() == 0
    qtbot.keyClicks(dialog.edit, "Ada ")
    assert dialog.ok_button().isEnabled() and dialog.hint.text() == ""
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert dialog.result() == 1 and dialog.value() == "Ada"


def _answer_modal(qtbot: QtBot, act: Callable[[TextDialog], None]) -> None:
    """Act on the modal name dialog once it is open (``exec`` blocks until it closes)."""

    tries = [200]

    def when_open() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, TextDialog):
            act(dialog)
        elif tries[0] and (dialog is None or not hasattr(dialog, "reject")):
            tries[0] -= 1
            QTimer.singleShot(10, when_open)
        elif dialog is not None:
            dialog.reject()  # not the dialog expected: close it, the test then fails

    QTimer.singleShot(0, when_open)


def test_the_real_ask_text_cannot_be_answered_with_a_blank_name(qtbot: QtBot) -> None:
    def blank_then_cancel(dialog: TextDialog) -> None:
        dialog.edit.setText("  ")
        ok = dialog.ok_button()
        assert isinstance(ok, QPushButton)
        ok.click()  # disabled: no effect
        assert dialog.isVisible()
        dialog.reject()

    _answer_modal(qtbot, blank_then_cancel)
    assert dialogs.ask_text(None, "Save preset", "Preset name:", "") is None

    def named(dialog: TextDialog) -> None:
        dialog.findChild(QLineEdit, "textDialogEdit").setText("  Kept  ")
        ok = dialog.ok_button()
        assert isinstance(ok, QPushButton)
        ok.click()

    _answer_modal(qtbot, named)
    assert dialogs.ask_text(None, "Save preset", "Preset name:", "") == "Kept"


# -- the question before an action, in the real window ------------------------------------------


def test_an_untitled_window_s_question_says_save_makes_a_new_preset(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="ada", profile={"a": 1})
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)
    window.new_preset()
    question = dialog_stub.last()
    assert question.options == {"save": "Save as preset…"}
    assert "new preset" in question.text and "asks for a name" in question.text

    # A preset that is open: Save writes it, and the button says just that.
    window.save_preset("Open one")
    window.set_json_text('{"a": 2}')
    window.new_preset()
    question = dialog_stub.last()
    assert question.options == {"save": "Save"}
    assert "“Open one” has unsaved changes" in question.text
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)  # so it may close


def test_the_name_asked_for_has_a_hint_and_a_problem_is_said_before_it(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="ada", profile={"a": 1})
    window.save_as()
    assert dialog_stub.last().kind == "ask_text"
    assert "cannot be blank" in dialog_stub.last().options["hint"]
    window.set_json_text('{"a": ')  # not JSON: saving is refused before any name is asked
    window.save_as()
    assert dialog_stub.kinds()[-1] == "inform"
    assert dialog_stub.kinds().count("ask_text") == 1


Action = Callable[[WindowDriver, SandboxServer], bool]


def _open_other(window: WindowDriver, _sandbox: SandboxServer) -> bool:
    window.open_preset(window.preset_files()[0])
    return window.open_preset_path() is not None


def _paste_curl(window: WindowDriver, sandbox: SandboxServer) -> bool:
    body = json.dumps({"profile": {"pasted": True}})
    window.paste_curl(f"curl -X POST {sandbox.url}/profiles/bob -d '{body}'")
    return window.recipient() == "bob"


def _close(window: WindowDriver, _sandbox: SandboxServer) -> bool:
    return window.close()


def _new(window: WindowDriver, _sandbox: SandboxServer) -> bool:
    window.new_preset()
    return window.recipient() == ""


@pytest.mark.parametrize(
    "action", [_open_other, _paste_curl, _close, _new], ids=["open", "paste-curl", "close", "new"]
)
def test_save_with_the_name_dialog_cancelled_stops_the_action_and_keeps_the_edits(
    window: WindowDriver, dialog_stub: DialogStub, sandbox: SandboxServer, action: Action
) -> None:
    window.fill(recipient="other", profile={"o": 1})
    window.save_preset("Other")
    window.new_preset()
    window.fill(recipient="ada", profile={"typed": "by hand"}, note="mine")
    presets_before = window.preset_files()
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.SAVE)
    dialog_stub.answer("ask_text", None)  # the name dialog cancelled

    went_ahead = action(window, sandbox)

    assert not went_ahead
    assert dialog_stub.kinds()[-2:] == ["ask_save_discard_cancel", "ask_text"]
    assert (window.recipient(), window.note(), window.profile()) == (
        "ada",
        "mine",
        {"typed": "by hand"},
    )
    assert window.is_visible() and window.is_dirty()
    assert window.open_preset_path() is None
    assert window.preset_files() == presets_before
    assert "edits" in window.status()

    # Given a name, the same action saves them and goes ahead.
    dialog_stub.answer("ask_text", "Typed by hand")
    assert action(window, sandbox)
    saved = json.loads(window.presets_dir().joinpath("Typed by hand.json").read_text("utf-8"))
    assert saved["profile"] == {"typed": "by hand"} and saved["note"] == "mine"
