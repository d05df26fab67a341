"""The window's draft and its unsaved mark, as a user types: every edit is on disk within a
second however the typing goes (during a send too), and only a real change is unsaved."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPlainTextEdit, QTableView
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.editor import widget as profile_editor_widget

# Typing a quote opens the key completion popup, which offscreen cannot raise or grab keys for.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)

NONE = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def draft_text(window: WindowDriver) -> str | None:
    """The profile text of the window's draft on disk, or None when there is none."""
    for path in (window.data_dir / "drafts").glob("*.json"):
        try:
            return str(json.loads(path.read_text(encoding="utf-8"))["profile_text"])
        except (OSError, ValueError, KeyError):
            continue  # replaced while read: atomically, so the next read has it
    return None


def json_edit(window: WindowDriver) -> QPlainTextEdit:
    return window.find(QPlainTextEdit, "rawJsonEdit")


def at_end(edit: QPlainTextEdit) -> None:
    """The cursor before the closing brace."""
    cursor = edit.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    cursor.movePosition(cursor.MoveOperation.PreviousCharacter)
    edit.setTextCursor(cursor)


class Typist:
    """Types one key every 100-400 ms (QTimer-driven) and, every 50 ms, reads the draft file;
    records when each text was typed and when each was first seen on disk."""

    def __init__(self, window: WindowDriver, keys: str, seed: int) -> None:
        self.window, self.keys, self.rng = window, keys, random.Random(seed)
        self.typed: list[tuple[float, str]] = []  # (when, the text after the key)
        self.seen: list[tuple[float, str | None]] = []  # (when, the draft's text)
        self._key_timer = QTimer(singleShot=True)
        self._key_timer.timeout.connect(self._key)
        self._read_timer = QTimer(interval=50)
        self._read_timer.timeout.connect(self._read)

    def start(self) -> None:
        self._read_timer.start()
        self._key_timer.start(self.rng.randint(100, 400))

    def _key(self) -> None:
        edit = json_edit(self.window)
        key = self.keys[len(self.typed)]
        self.window.qtbot.keyClick(edit, key)
        self.typed.append((time.monotonic(), edit.toPlainText()))
        if len(self.typed) < len(self.keys):
            self._key_timer.start(self.rng.randint(100, 400))

    def _read(self) -> None:
        self.seen.append((time.monotonic(), draft_text(self.window)))

    def done(self) -> bool:
        return len(self.typed) == len(self.keys) and self.seen[-1][1] == self.typed[-1][1]

    def stop(self) -> None:
        self._key_timer.stop()
        self._read_timer.stop()

    def worst_delay(self) -> float:
        """The longest time from a key to a draft holding that key's text (or a later one)."""
        order = {text: n for n, (_when, text) in enumerate(self.typed)}
        worst = 0.0
        for n, (when, _text) in enumerate(self.typed):
            on_disk = next(t for t, text in self.seen if t >= when and order.get(text, -1) >= n)
            worst = max(worst, on_disk - when)
        return worst


def type_steadily(window: WindowDriver, keys: str, seed: int, timeout: int = 15_000) -> Typist:
    typist = Typist(window, keys, seed)
    typist.start()
    try:
        window.qtbot.waitUntil(typist.done, timeout=timeout)
    finally:
        typist.stop()
    return typist


def test_steady_typing_is_on_disk_within_a_second_of_each_key(window: WindowDriver) -> None:
    window.show_json_tab()
    edit = json_edit(window)
    edit.setFocus()
    at_end(edit)
    typist = type_steadily(window, '"steady": 12345', seed=14)
    assert typist.worst_delay() <= 1.0, typist.worst_delay()


def test_typing_during_a_slow_send_is_saved_while_it_is_in_flight(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key, total_timeout=30.0)
    window.fill(recipient="slow-1", profile={"email": "ada@example.com"})
    sandbox.queue_fault(Fault(status=200, body='{"status": "SUCCESS"}', delay=20))
    window.click_send()
    window.qtbot.waitUntil(window.is_busy)
    window.type_in_json(', "during": "the send"', at=len(window.json_text()) - 1)
    typed = json_edit(window).toPlainText()
    window.qtbot.waitUntil(lambda: draft_text(window) == typed, timeout=2000)
    assert window.is_busy()  # on disk while the request was still in flight
    window.cancel()


def test_a_large_profile_edited_in_the_table_is_made_into_text_off_the_ui_thread(
    window: WindowDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = {f"key_{n:05d}": {"name": "n" * 80, "n": n} for n in range(3000)}
    window.fill(profile=profile)
    threads: list[threading.Thread] = []
    real = profile_editor_widget.rows_json_text

    def spy(rows: list[tuple[str, Any]], duplicates: bool) -> str:
        threads.append(threading.current_thread())
        return real(rows, duplicates)

    monkeypatch.setattr(profile_editor_widget, "rows_json_text", spy)
    window.show_fields_tab()
    model = window.find(QTableView, "fieldsView").model()
    assert model.setData(model.index(0, 0), "renamed")
    window.qtbot.waitUntil(lambda: '"renamed"' in (draft_text(window) or ""), timeout=5000)
    assert threads and threading.main_thread() not in threads


# -- unsaved: only a real change -------------------------------------------------------------

NOTHING_KEYS: list[tuple[Qt.Key, Qt.KeyboardModifier]] = [
    (Qt.Key.Key_Right, NONE),
    (Qt.Key.Key_Down, NONE),
    (Qt.Key.Key_End, NONE),
    (Qt.Key.Key_Shift, SHIFT),
    (Qt.Key.Key_Control, CTRL),
    (Qt.Key.Key_Left, SHIFT),
    (Qt.Key.Key_Home, CTRL),
    (Qt.Key.Key_End, CTRL | SHIFT),
    (Qt.Key.Key_C, CTRL),
]


def press_keys_that_change_nothing(window: WindowDriver) -> None:
    window.show_json_tab()
    edit = json_edit(window)
    edit.setFocus()
    for key, modifiers in NOTHING_KEYS:
        window.qtbot.keyClick(edit, key, modifiers)


@pytest.fixture
def saved(window: WindowDriver, dialog_stub: DialogStub) -> Path:
    """A preset saved and open in the window, nothing unsaved, nothing asked yet."""
    window.fill(recipient="kept", profile={"email": "ada@example.com", "n": 1})
    path: Path = window.save_preset("kept")
    assert not window.is_dirty() and not window.title().startswith("*")
    dialog_stub.questions.clear()
    return path


def test_moving_about_the_json_leaves_nothing_unsaved_and_close_asks_nothing(
    window: WindowDriver, saved: Path, dialog_stub: DialogStub
) -> None:
    text = window.json_text()
    press_keys_that_change_nothing(window)
    assert window.json_text() == text
    assert not window.is_dirty() and not window.title().startswith("*")
    assert window.close()
    assert dialog_stub.questions == []


def test_opening_a_preset_after_moving_about_asks_nothing(
    window: WindowDriver, saved: Path, dialog_stub: DialogStub
) -> None:
    window.fill(profile={"other": True})
    other = window.save_preset("other")
    window.open_preset(saved)
    dialog_stub.questions.clear()
    press_keys_that_change_nothing(window)
    window.open_preset(other)
    assert dialog_stub.questions == []
    assert window.profile() == {"other": True}


def test_paste_curl_pressed_in_the_json_tab_asks_nothing(
    window: WindowDriver, saved: Path, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    window.press_paste_curl_shortcut(
        f'curl -X POST {sandbox.url}/profiles/bob -d \'{{"profile": {{"plan": "pro"}}}}\''
    )
    assert dialog_stub.questions == []
    assert (window.recipient(), window.profile()) == ("bob", {"plan": "pro"})


def test_undoing_back_to_the_saved_state_is_not_unsaved(
    window: WindowDriver, saved: Path, dialog_stub: DialogStub
) -> None:
    text = window.json_text()
    window.type_in_json(', "added": 2', at=len(text) - 1)
    window.qtbot.waitUntil(lambda: window.title().startswith("*"))
    window.qtbot.waitUntil(lambda: draft_text(window) is not None, timeout=2000)
    edit = json_edit(window)
    window.qtbot.keyClick(edit, Qt.Key.Key_Z, CTRL)
    assert window.json_text() == text
    assert not window.is_dirty() and not window.title().startswith("*")
    window.qtbot.waitUntil(lambda: draft_text(window) is None, timeout=2000)  # nothing to keep
    # The same for the table.
    window.show_fields_tab()
    model = window.find(QTableView, "fieldsView").model()
    assert model.setData(model.index(1, 2), "7")
    assert window.is_dirty()
    view = window.find(QTableView, "fieldsView")
    view.setFocus()
    window.qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert not window.is_dirty()
    assert window.close()
    assert dialog_stub.questions == []
