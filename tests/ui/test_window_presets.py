"""Issue: presets in the real window — save, open, rename, duplicate, delete, unsaved changes,
broken files, two windows, failed writes — against the real sandbox and a real data folder."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DialogLog  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QListView
from pytestqt.qtbot import QtBot

from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage import atomic
from profile_editor.storage.presets import PresetEntry
from profile_editor.ui import dialogs
from profile_editor.ui.main_window import MainWindow
from profile_editor.ui.presets_panel import MODIFIED_PREFIX

# Deliberately not in sorted order: the file must keep the order the user wrote.
PROFILE_TEXT = '{"zeta": 1, "alpha": {"b": 2, "a": [3, "x"]}, "mid": null}'
PROFILE_KEYS = ["zeta", "alpha", "mid"]
UNICODE_NAME = "Ünïcødé 名前 ✓ — café"


# -- helpers ------------------------------------------------------------------------------


def presets_dir(window: MainWindow) -> Path:
    return window.preset_store.directory


def preset_files(window: MainWindow) -> list[Path]:
    return sorted(presets_dir(window).glob("*.json"))


def read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def choose_method(window: MainWindow, method: str) -> None:
    window.method_combo.setCurrentIndex(window.method_combo.findData(method))


def choose_environment(window: MainWindow, name: str) -> None:
    index = window.env_bar.combo.findText(name)
    assert index >= 0, name
    window.env_bar.combo.setCurrentIndex(index)


def fill(
    window: MainWindow,
    *,
    recipient: str,
    profile: str,
    method: str = "POST",
    note: str = "",
) -> None:
    window.recipient_edit.setText(recipient)
    choose_method(window, method)
    window.note_edit.setText(note)
    window.editor.json_edit.setPlainText(profile)
    assert window.editor.profile_result().profile is not None


def press_ctrl_s(qtbot: QtBot, window: MainWindow) -> None:
    """Ctrl+S typed while editing the JSON, as a user would."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    editor = window.editor.json_edit
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def save_new(window: MainWindow, asked: DialogLog, name: str) -> Path:
    """Save the editor as a new preset called ``name`` through "Save as"; its file."""
    before = set(preset_files(window))
    asked.answer("ask_text", name)
    window.save_as_action.trigger()
    asked.answer("ask_text", None)
    created = set(preset_files(window)) - before
    assert len(created) == 1, created
    return created.pop()


def entry_for(window: MainWindow, path: Path) -> PresetEntry:
    return next(e for e in window.presets_panel.entries() if e.path == path)


def row_text(window: MainWindow, path: Path) -> str:
    panel = window.presets_panel
    index = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(path), 0))
    return str(index.data(Qt.ItemDataRole.DisplayRole))


def open_from_panel(window: MainWindow, path: Path) -> None:
    """Select the preset's row and activate it, as a double-click or Enter would."""
    panel = window.presets_panel
    assert panel.select_path(path)
    panel.view.activated.emit(panel.view.currentIndex())


def select(window: MainWindow, path: Path) -> None:
    assert window.presets_panel.select_path(path)


def asked_names(asked: DialogLog) -> list[str]:
    return [name for name, _ in asked.asked]


def asked_text(asked: DialogLog, name: str) -> str:
    return "\n".join(" ".join(map(str, args)) for n, args in asked.asked if n == name)


def editor_state(window: MainWindow) -> tuple[str, str, str, str, Any]:
    return (
        window.recipient_edit.text(),
        str(window.method_combo.currentData()),
        window.env_bar.combo.currentText(),
        window.note_edit.text(),
        window.editor.profile_result().profile,
    )


# -- saving ---------------------------------------------------------------------------------


def test_ctrl_s_on_a_new_preset_asks_a_name_and_writes_one_stable_file(
    qtbot: QtBot, window: MainWindow, asked: DialogLog, sandbox: SandboxServer
) -> None:
    fill(window, recipient="ada", profile=PROFILE_TEXT, method="PUT", note="for the demo")
    assert window.windowTitle().startswith("*Untitled")
    asked.answer("ask_text", UNICODE_NAME)

    press_ctrl_s(qtbot, window)

    assert asked_names(asked) == ["ask_text"]
    files = preset_files(window)
    assert [p.name for p in files] == [f"{UNICODE_NAME}.json"]
    text = files[0].read_text(encoding="utf-8")
    data = json.loads(text)
    assert data == {
        "schema_version": 1,
        "name": UNICODE_NAME,
        "recipient_id": "ada",
        "method": "PUT",
        "environment": window.env_bar.combo.currentText(),
        "note": "for the demo",
        "profile": {"zeta": 1, "alpha": {"b": 2, "a": [3, "x"]}, "mid": None},
    }
    assert data["environment"] == "Custom"
    assert list(data["profile"]) == PROFILE_KEYS
    assert list(data["profile"]["alpha"]) == ["b", "a"]
    # Pretty, human-readable and diff-friendly: indented, real Unicode, final newline.
    assert text.startswith('{\n  "schema_version": 1,\n') and text.endswith("}\n")
    assert UNICODE_NAME in text
    assert sandbox.key not in text

    assert not window.windowTitle().startswith("*")
    assert UNICODE_NAME in window.windowTitle()
    assert row_text(window, files[0]) == UNICODE_NAME
    assert "Saved preset" in window.status_label.text()

    # Saving again without changes asks nothing and writes the very same bytes.
    before = files[0].read_bytes()
    press_ctrl_s(qtbot, window)
    assert asked_names(asked) == ["ask_text"]
    assert preset_files(window) == files
    assert files[0].read_bytes() == before


@pytest.mark.parametrize(
    ("name", "file_name"),
    [
        ("a/b: c?", "a_b_ c_.json"),
        ("CON", "_CON.json"),
        ("..hidden", "hidden.json"),
        ("emoji 🚀 and RTL שלום", "emoji 🚀 and RTL שלום.json"),
    ],
)
def test_any_name_is_kept_in_the_file_whatever_the_file_is_called(
    qtbot: QtBot, window: MainWindow, asked: DialogLog, name: str, file_name: str
) -> None:
    fill(window, recipient="ada", profile='{"a": 1}')
    path = save_new(window, asked, name)
    assert path.name == file_name
    assert read_json(path)["name"] == name
    assert row_text(window, path) == name
    assert name in window.windowTitle()


def test_an_unnamed_save_cancelled_at_the_name_writes_nothing(
    qtbot: QtBot, window: MainWindow, asked: DialogLog
) -> None:
    fill(window, recipient="ada", profile='{"a": 1}')
    asked.answer("ask_text", None)
    press_ctrl_s(qtbot, window)
    assert asked_names(asked) == ["ask_text"]
    assert preset_files(window) == []
    assert window.windowTitle().startswith("*Untitled")


def test_reopen_round_trip_restores_every_field(
    qtbot: QtBot, window: MainWindow, asked: DialogLog
) -> None:
    fill(window, recipient="ada", profile=PROFILE_TEXT, method="PUT", note="first note")
    first_state = editor_state(window)
    first = save_new(window, asked, "First")

    window.presets_panel.new_action.trigger()
    assert editor_state(window)[0] == "" and editor_state(window)[4] == {}
    choose_environment(window, "EU")
    fill(window, recipient="bob@example.com", profile='{"b": true}', method="DELETE", note="2nd")
    second_state = editor_state(window)
    second = save_new(window, asked, "Second")
    assert read_json(second)["environment"] == "EU"

    open_from_panel(window, first)
    assert editor_state(window) == first_state
    assert list(window.editor.profile_result().profile or {}) == PROFILE_KEYS
    assert window.env_bar.combo.currentText() == "Custom"
    assert "First" in window.windowTitle() and not window.windowTitle().startswith("*")
    assert window.presets_panel.model.current_path() == first

    open_from_panel(window, second)
    assert editor_state(window) == second_state
    assert window.base_url == "https://api.eu.courier.com"
    assert not window.editor.isEnabled()  # DELETE has no body to edit
    assert "Second" in window.windowTitle() and not window.windowTitle().startswith("*")
    # Neither opening was a change: nothing was asked besides the two names.
    assert asked_names(asked) == ["ask_text", "ask_text"]

    # "Save as" from an open preset suggests a copy's name and moves the window to the copy.
    window.note_edit.setText("changed in the copy")
    asked.answer("ask_text", "Second, again")
    window.save_as_action.trigger()
    assert asked.asked[-1] == ("ask_text", ("Save preset", "Preset name:", "Second copy"))
    again = window.preset_store.directory / "Second, again.json"
    assert read_json(again)["note"] == "changed in the copy"
    assert read_json(second)["note"] == "2nd"
    assert window._preset is not None and window._preset.path == again
    assert window.windowTitle().startswith("Second, again")


def test_a_key_is_never_written_into_a_preset(
    qtbot: QtBot, window: MainWindow, asked: DialogLog, sandbox: SandboxServer
) -> None:
    fill(window, recipient="ada", profile='{"a": 1}', note=f"key is {sandbox.key}")
    asked.answer("ask_text", "Leaky")
    press_ctrl_s(qtbot, window)
    assert asked_names(asked) == ["ask_text", "inform"]
    assert "API key" in asked_text(asked, "inform")
    assert preset_files(window) == []
    assert window.windowTitle().startswith("*")

    window.note_edit.setText("clean")
    window.editor.json_edit.setPlainText(json.dumps({"token": sandbox.key}))
    press_ctrl_s(qtbot, window)
    assert asked_names(asked)[-1] == "inform"
    assert preset_files(window) == []


# -- rename, duplicate, delete, import, export ---------------------------------------------------


def test_rename_duplicate_delete_through_the_panel(
    qtbot: QtBot, window: MainWindow, asked: DialogLog
) -> None:
    fill(window, recipient="ada", profile='{"a": 1}', note="n")
    original = save_new(window, asked, "Original")

    # Rename the preset that is open: the window follows it to its new file.
    select(window, original)
    asked.answer("ask_text", "Renamed ✓")
    window.presets_panel.rename_action.trigger()
    renamed = presets_dir(window) / "Renamed ✓.json"
    assert preset_files(window) == [renamed]
    assert read_json(renamed)["name"] == "Renamed ✓"
    assert window._preset is not None and window._preset.path == renamed
    assert "Renamed ✓" in window.windowTitle() and not window.windowTitle().startswith("*")
    assert window.presets_panel.model.current_path() == renamed

    # Saving after the rename goes to the new file, with no "changed on disk" question.
    window.editor.json_edit.setPlainText('{"a": 2}')
    assert window.windowTitle().startswith("*Renamed ✓")
    window.save_action.trigger()
    assert asked_names(asked) == ["ask_text", "ask_text"]
    assert preset_files(window) == [renamed]
    assert read_json(renamed)["profile"] == {"a": 2}

    # Duplicate: a second file, same content, the window stays on the original.
    select(window, renamed)
    window.presets_panel.duplicate_action.trigger()
    copy = presets_dir(window) / "Renamed ✓ copy.json"
    assert preset_files(window) == sorted([renamed, copy])
    assert {**read_json(copy), "name": "Renamed ✓"} == read_json(renamed)
    assert window._preset is not None and window._preset.path == renamed

    # Delete asks first; cancelling keeps the file.
    select(window, copy)
    asked.answer("confirm", False)
    window.presets_panel.delete_action.trigger()
    assert asked_names(asked)[-1] == "confirm"
    assert "Renamed ✓ copy" in asked_text(asked, "confirm")
    assert copy.exists()
    asked.answer("confirm", True)
    window.presets_panel.delete_action.trigger()
    assert not copy.exists()
    assert [e.path for e in window.presets_panel.entries()] == [renamed]

    # Deleting the open preset keeps its content in the editor, now unsaved.
    select(window, renamed)
    window.presets_panel.delete_action.trigger()
    assert preset_files(window) == []
    assert window.windowTitle().startswith("*Untitled")
    assert window.editor.profile_result().profile == {"a": 2}
    assert window.recipient_edit.text() == "ada"


def test_export_and_import_through_the_panel(
    qtbot: QtBot, window: MainWindow, asked: DialogLog, tmp_path: Path
) -> None:
    fill(window, recipient="ada", profile=PROFILE_TEXT, note="shared")
    saved = save_new(window, asked, "Shared")
    select(window, saved)
    exported = tmp_path / "outside" / "shared.json"
    exported.parent.mkdir()
    assert window.presets_panel.export_selected(exported)
    assert read_json(exported) == read_json(saved)

    imported = window.presets_panel.import_preset(exported)
    assert imported is not None and imported.path.name == "Shared-2.json"
    assert len(preset_files(window)) == 2
    open_from_panel(window, imported.path)
    assert list(window.editor.profile_result().profile or {}) == PROFILE_KEYS
    assert window.note_edit.text() == "shared"


# -- unsaved changes ------------------------------------------------------------------------------


def test_unsaved_marker_and_prompt_when_opening_another_preset(
    qtbot: QtBot, window: MainWindow, asked: DialogLog
) -> None:
    fill(window, recipient="ada", profile='{"a": 1}')
    first = save_new(window, asked, "First")
    window.presets_panel.new_action.trigger()
    fill(window, recipient="bob", profile='{"b": 1}')
    second = save_new(window, asked, "Second")
    open_from_panel(window, first)
    assert not window.windowTitle().startswith("*")
    assert row_text(window, first) == "First"

    window.editor.json_edit.setPlainText('{"a": "edited"}')
    assert window.windowTitle().startswith("*First")
    assert row_text(window, first) == MODIFIED_PREFIX + "First"
    # Each part of a preset counts, and undoing the change clears the marker.
    window.editor.set_modified(False)
    window.note_edit.setText("x")
    assert window.windowTitle().startswith("*First")
    window.note_edit.setText("")
    assert not window.windowTitle().startswith("*")
    window.editor.json_edit.setPlainText('{"a": "edited"}')
    first_bytes = first.read_bytes()

    # Cancel: nothing changes.
    asked.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)
    open_from_panel(window, second)
    assert asked_names(asked)[-1] == "ask_save_discard_cancel"
    assert "First" in asked_text(asked, "ask_save_discard_cancel")
    assert window.editor.profile_result().profile == {"a": "edited"}
    assert window.windowTitle().startswith("*First")
    assert window.presets_panel.model.current_path() == first
    assert first.read_bytes() == first_bytes

    # Discard: the other preset opens; the file keeps what was saved.
    asked.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)
    open_from_panel(window, second)
    assert window.recipient_edit.text() == "bob"
    assert not window.windowTitle().startswith("*")
    assert first.read_bytes() == first_bytes

    # "New" asks the same way.
    open_from_panel(window, first)
    window.note_edit.setText("pending")
    asked.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)
    window.presets_panel.new_action.trigger()
    assert "new" in asked_text(asked, "ask_save_discard_cancel").splitlines()[-1]
    assert window.note_edit.text() == "pending" and window.recipient_edit.text() == "ada"
    asked.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)
    window.presets_panel.new_action.trigger()
    assert window.windowTitle().startswith("Untitled")
    assert window.recipient_edit.text() == "" and window.note_edit.text() == ""

    # Save: the edit is written, then the other preset opens.
    open_from_panel(window, first)
    window.editor.json_edit.setPlainText('{"a": "kept"}')
    asked.answer("ask_save_discard_cancel", dialogs.Choice.SAVE)
    open_from_panel(window, second)
    assert read_json(first)["profile"] == {"a": "kept"}
    assert window.recipient_edit.text() == "bob"
    assert not window.windowTitle().startswith("*")


@pytest.mark.parametrize("choice", list(dialogs.Choice))
def test_closing_with_unsaved_changes_asks(
    qtbot: QtBot, window: MainWindow, asked: DialogLog, choice: dialogs.Choice
) -> None:
    fill(window, recipient="ada", profile='{"a": 1}')
    path = save_new(window, asked, "Open one")
    window.editor.json_edit.setPlainText('{"a": 2}')
    asked.answer("ask_save_discard_cancel", choice)

    closed = window.close()

    assert asked_names(asked)[-1] == "ask_save_discard_cancel"
    assert "Open one" in asked_text(asked, "ask_save_discard_cancel")
    if choice is dialogs.Choice.CANCEL:
        assert not closed and window.isVisible()
        assert read_json(path)["profile"] == {"a": 1}
        assert window.windowTitle().startswith("*Open one")
        assert window.editor.profile_result().profile == {"a": 2}
        # The window still works after a cancelled close.
        window.editor.json_edit.setPlainText('{"a": 3}')
        window.save_action.trigger()
        assert read_json(path)["profile"] == {"a": 3}
        return
    assert closed and not window.isVisible()
    assert read_json(path)["profile"] == ({"a": 2} if choice is dialogs.Choice.SAVE else {"a": 1})


def test_closing_an_untitled_window_can_save_it_under_a_new_name(
    qtbot: QtBot, window: MainWindow, asked: DialogLog
) -> None:
    fill(window, recipient="ada", profile='{"a": 1}')
    asked.answer("ask_save_discard_cancel", dialogs.Choice.SAVE)
    # No name given: the save is cancelled, and so is the close.
    asked.answer("ask_text", None)
    assert not window.close() and window.isVisible()
    assert preset_files(window) == []
    asked.answer("ask_text", "Kept on close")
    assert window.close()
    assert [p.name for p in preset_files(window)] == ["Kept on close.json"]
    assert asked_names(asked) == ["ask_save_discard_cancel", "ask_text"] * 2


def test_closing_without_changes_asks_nothing(
    qtbot: QtBot, window: MainWindow, asked: DialogLog
) -> None:
    fill(window, recipient="ada", profile='{"a": 1}')
    save_new(window, asked, "Clean")
    assert window.close()
    assert asked_names(asked) == ["ask_text"]


def test_a_window_closed_before_the_event_loop_ran_starts_no_work_afterwards(
    qtbot: QtBot, window: MainWindow
) -> None:
    # Start-up work is queued for the first turn of the event loop; a close comes first here.
    assert window.close()
    QApplication.processEvents()
    QApplication.processEvents()
    assert window.runner.active_count() == 0


# -- files that are not what they should be ----------------------------------------------------


def test_a_corrupt_file_is_listed_as_broken_while_the_others_load(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    asked: DialogLog,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data" / "presets"
    folder.mkdir(parents=True)
    good = {"schema_version": 1, "name": "Good one", "recipient_id": "ada", "profile": {"a": 1}}
    (folder / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (folder / "torn.json").write_text('{"schema_version": 1, "name": "To', encoding="utf-8")
    (folder / "future.json").write_text(
        json.dumps({**good, "schema_version": 99, "name": "Future"}), encoding="utf-8"
    )
    originals = {p.name: p.read_bytes() for p in folder.iterdir()}

    window = make_window(sandbox.url, sandbox.key)
    panel = window.presets_panel
    by_name = {e.path.name: e for e in panel.entries()}
    assert set(by_name) == {"good.json", "torn.json", "future.json"}
    assert not by_name["good.json"].is_broken
    assert by_name["torn.json"].is_broken and "Invalid JSON" in (by_name["torn.json"].error or "")
    assert by_name["future.json"].is_broken and "newer" in (by_name["future.json"].error or "")
    assert "3 presets, 2 cannot be opened" in panel.status_label.text()
    assert window.findChild(QListView, "presetsList") is panel.view
    torn_row = panel.proxy.mapFromSource(
        panel.model.index(panel.model.row_of(folder / "torn.json"), 0)
    )
    assert torn_row.data(Qt.ItemDataRole.DisplayRole) == "torn.json"
    assert "Invalid JSON" in torn_row.data(Qt.ItemDataRole.ToolTipRole)

    # Opening the broken one explains why and changes nothing.
    open_from_panel(window, folder / "torn.json")
    assert asked_names(asked) == ["inform"]
    assert "Invalid JSON" in asked_text(asked, "inform")
    assert window.recipient_edit.text() == "" and window._preset is None

    open_from_panel(window, folder / "good.json")
    assert window.recipient_edit.text() == "ada"
    assert window.editor.profile_result().profile == {"a": 1}
    assert "Good one" in window.windowTitle()

    window.close()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == originals


def test_two_windows_saving_the_same_preset(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    asked: DialogLog,
) -> None:
    first = make_window(sandbox.url, sandbox.key)
    fill(first, recipient="ada", profile='{"v": 1}')
    path = save_new(first, asked, "Shared")
    second = make_window(sandbox.url, sandbox.key)
    open_from_panel(second, path)
    assert second.editor.profile_result().profile == {"v": 1}

    first.editor.json_edit.setPlainText('{"v": "first"}')
    first.save_action.trigger()
    assert read_json(path)["profile"] == {"v": "first"}
    on_disk = path.read_bytes()

    second.editor.json_edit.setPlainText('{"v": "second"}')
    asked.answer("confirm", False)
    second.save_action.trigger()
    assert asked_names(asked)[-1] == "confirm"
    assert "changed on disk" in asked_text(asked, "confirm")
    assert path.read_bytes() == on_disk
    assert second.windowTitle().startswith("*Shared")
    assert "Saved" not in second.status_label.text()

    asked.answer("confirm", True)
    second.save_action.trigger()
    assert read_json(path)["profile"] == {"v": "second"}
    assert not second.windowTitle().startswith("*")
    assert [p.name for p in preset_files(first)] == ["Shared.json"]
    # Now the first window is the stale one.
    first.editor.json_edit.setPlainText('{"v": "first again"}')
    asked.answer("confirm", False)
    first.save_action.trigger()
    assert asked_names(asked)[-1] == "confirm"
    assert read_json(path)["profile"] == {"v": "second"}


@pytest.mark.parametrize("existing", [True, False], ids=["overwrite", "new file"])
def test_a_failure_between_write_and_replace_keeps_the_old_file(
    qtbot: QtBot,
    window: MainWindow,
    asked: DialogLog,
    monkeypatch: pytest.MonkeyPatch,
    existing: bool,
) -> None:
    fill(window, recipient="ada", profile='{"v": 1}')
    path = save_new(window, asked, "Precious")
    old = path.read_bytes()
    if not existing:
        window.presets_panel.new_action.trigger()
        fill(window, recipient="bob", profile='{"v": 2}')
    else:
        window.editor.json_edit.setPlainText('{"v": 2}')
    seen: list[tuple[Path, Path]] = []

    def disk_full(tmp: Path, dest: Path) -> None:
        seen.append((tmp, dest))
        assert tmp.exists()  # the new content is fully written, just not moved into place
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    monkeypatch.setattr(atomic, "_before_replace", disk_full)
    asked.answer("ask_text", "Brand new")
    press_ctrl_s(qtbot, window)

    assert seen, "the hook was not reached"
    assert asked_names(asked)[-1] == "inform"
    message = asked_text(asked, "inform")
    assert "could not be written" in message and "No space left" in message
    assert "Traceback" not in message
    assert path.read_bytes() == old
    assert read_json(path)["profile"] == {"v": 1}
    assert preset_files(window) == [path]
    assert not [p for p in presets_dir(window).iterdir() if p.name.endswith(".tmp")]
    assert window.windowTitle().startswith("*")

    monkeypatch.setattr(atomic, "_before_replace", atomic._no_hook)
    press_ctrl_s(qtbot, window)
    target = path if existing else presets_dir(window) / "Brand new.json"
    assert read_json(target)["profile"] == {"v": 2}
    assert not window.windowTitle().startswith("*")
